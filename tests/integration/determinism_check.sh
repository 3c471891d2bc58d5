#!/usr/bin/env bash
# Runs the same stvp command twice with trace.date fixed and checks that the two stats files
# are identical except for the host's fields (wall time, CPU active time, MIPS, time per phase) and that the
# two traces are byte-identical.
#   determinism_check.sh OUTDIR TRACE_SUFFIX STVP ARGS...   (TRACE_SUFFIX: vcd or vcd.gz)
set -u
out=$1 suffix=$2
shift 2
for i in 1 2; do
  rm -f "$out/det$i.json" "$out/det$i.$suffix"
  "$@" --set trace.date= --stats "$out/det$i.json" --vcd "$out/det$i.$suffix" >"$out/det$i.stdout" 2>/dev/null ||
    { echo "FAIL: run $i exited $?"; exit 1; }
done
host='"(wall_time_s|cpu_active_s|mips|mips_wall|phase[0-9]+_host_s)":'
# The stats name their own trace file: the only intended difference besides the host's fields.
strip() { grep -Ev "$host" "$1" | sed "s/det[12]\.$suffix/detN.$suffix/g"; }
diff <(strip "$out/det1.json") <(strip "$out/det2.json") || { echo "FAIL: the stats differ"; exit 1; }
cmp "$out/det1.$suffix" "$out/det2.$suffix" || { echo "FAIL: the traces differ"; exit 1; }
cmp "$out/det1.stdout" "$out/det2.stdout" || { echo "FAIL: the firmware's output differs"; exit 1; }
[ "$(grep -c '"vcd_changes": [1-9]' "$out/det1.json")" = 1 ] || { echo "FAIL: the trace is empty"; exit 1; }
echo "PASS: two runs, identical stats (host fields aside), traces and output"
