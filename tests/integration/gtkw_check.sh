#!/usr/bin/env bash
# Opens a VCD with the committed GTKWave view (traces/stvp.gtkw) in gtkwave on a virtual X
# display and checks that every signal the view names exists in the VCD (gtkwave shows a
# signal of the save file only if the dump has it).
#   gtkw_check.sh STVP ELF GTKW OUTDIR
set -u
stvp=$1 elf=$2 gtkw=$3 out=$4
vcd=$out/gtkw_check.vcd
"$stvp" -q --firmware "$elf" --arg 1 --vcd "$vcd" >/dev/null || { echo "FAIL: stvp run"; exit 1; }
want=$(grep -c '^soc\.' "$gtkw")
script=$out/gtkw_check.tcl
cat >"$script" <<'TCL'
puts "DISPLAYED [llength [gtkwave::getDisplayedSignals]]: [gtkwave::getDisplayedSignals]"
gtkwave::/File/Quit
TCL
shown=$(timeout 120 xvfb-run -a gtkwave -S "$script" "$vcd" "$gtkw" 2>&1 | sed -n 's/^DISPLAYED \([0-9]*\):.*/\1/p')
if [ "$shown" != "$want" ]; then
  echo "FAIL: the view names $want signals, gtkwave displays ${shown:-none}"
  exit 1
fi
echo "PASS: gtkwave displays all $want signals of $(basename "$gtkw")"
