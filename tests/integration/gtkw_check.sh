#!/usr/bin/env bash
# Opens a compressed trace with the committed GTKWave view (traces/stvp.gtkw and its script
# traces/stvp.tcl) in gtkwave on a virtual X display, as the README says, and checks:
# every signal the view names is displayed (gtkwave shows a signal of the save file only if
# the dump has it); the opening window spans the whole run (not its first picoseconds); the
# coded signals (opcode, phase, layer, CPU state, the firmware's phase label) carry their translate filters and read as
# names. Leaves a screenshot of the opening view in OUTDIR/gtkw_check.png where ImageMagick's
# `import` is installed.
#   gtkw_check.sh STVP ELF GTKW TCL FILTER_DIR OUTDIR
set -u
stvp=$1 elf=$2 gtkw=$3 tcl=$4 filters=$5 out=$6
vcd=$out/gtkw_check.vcd.gz
"$stvp" --silent --firmware "$elf" --arg 1 --vcd "$vcd" >/dev/null || { echo "FAIL: stvp run"; exit 1; }
want=$(grep -c '^soc\.' "$gtkw")
script=$out/gtkw_check.tcl
png=$out/gtkw_check.png
rm -f "$png"
cat >"$script" <<TCL
source {$tcl}
puts "DISPLAYED [llength [gtkwave::getDisplayedSignals]]: [gtkwave::getDisplayedSignals]"
puts "WINDOW [gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime] RUN [gtkwave::getMinTime] [gtkwave::getMaxTime]"
foreach s {soc.accel.opcode\[31:0\] soc.accel.phase\[31:0\] soc.accel.layer\[31:0\] soc.cpu.state\[31:0\] soc.simctrl.phase\[31:0\]} {
    puts "FLAGS \$s [gtkwave::getTraceFlagsFromName \$s]"
}
gtkwave::setMarker 0
puts "AT0 [gtkwave::getTraceValueAtMarkerFromName soc.cpu.state\[31:0\]] [gtkwave::getTraceValueAtMarkerFromName soc.accel.phase\[31:0\]] [gtkwave::getTraceValueAtMarkerFromName soc.accel.layer\[31:0\]]"
if {[auto_execok import] ne ""} { catch {exec import -window root {$png}} }
gtkwave::/File/Quit
TCL
log=$(STVP_GTKW_FILTERS=$filters timeout 120 xvfb-run -a gtkwave -S "$script" "$vcd" "$gtkw" 2>&1)
fail() {
  echo "FAIL: $*"
  echo "$log"
  exit 1
}
shown=$(sed -n 's/^DISPLAYED \([0-9]*\):.*/\1/p' <<<"$log")
[ "$shown" = "$want" ] || fail "the view names $want signals, gtkwave displays ${shown:-none}"
read -r w0 w1 r0 r1 < <(sed -n 's/^WINDOW \([0-9]*\) \([0-9]*\) RUN \([0-9]*\) \([0-9]*\)$/\1 \2 \3 \4/p' <<<"$log")
[ -n "${r1:-}" ] || fail "no window/run times from gtkwave"
# Fitted: the window starts at the run's start and ends at its end (GTKWave may round up a
# little), and the run is not a few picoseconds long.
[ "$w0" -le "$r0" ] && [ "$w1" -ge "$r1" ] && [ "$w1" -le $((r1 + r1 / 10)) ] && [ "$r1" -gt 1000000 ] ||
  fail "opening window [$w0, $w1] does not fit the run [$r0, $r1]"
# TR_FTRANSLATED (0x2000): a translate filter file is installed on the signal.
while read -r _ sig flags; do
  (( flags & 0x2000 )) || fail "$sig has no translate filter (flags $flags)"
done < <(grep '^FLAGS ' <<<"$log")
[ "$(grep -c '^FLAGS ' <<<"$log")" = 5 ] || fail "flags of the coded signals missing"
grep -q '^AT0 run idle input$' <<<"$log" ||
  fail "at time 0 the CPU state, accelerator phase and layer do not read 'run idle input': $(grep '^AT0' <<<"$log")"
shot=""
[ -s "$png" ] && shot=", screenshot $png"
echo "PASS: gtkwave displays all $want signals of $(basename "$gtkw"), fitted to [$r0, $r1] ps, names for opcode, phase, layer, CPU state and firmware phase$shot"
