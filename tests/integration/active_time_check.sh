#!/usr/bin/env bash
# MIPS over the CPU's active time: for an accelerator-bound run (the CPU mostly asleep in WFI
# while the accelerator's math runs on the host), the stats' cpu_active_s is above 0 and well
# below the run's wall time, and mips (over active time) is accordingly above mips_wall.
#   active_time_check.sh STATS STVP ARGS...
set -u
stats=$1
shift
# Active time is host wall time while the ISS runs, so a loaded machine (a parallel CTest job
# taking the core) inflates it; up to three attempts, any one passing. Were WFI time counted
# as active, every attempt would fail.
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$stats" | head -1; }
for attempt in 1 2 3; do
  rm -f "$stats"
  "$@" --silent --stats "$stats" >/dev/null || { echo "FAIL: stvp exited $?"; exit 1; }
  active=$(field cpu_active_s) wall=$(field wall_time_s) mips=$(field mips) mips_wall=$(field mips_wall)
  awk -v a="$active" -v w="$wall" -v m="$mips" -v mw="$mips_wall" -v n="$attempt" 'BEGIN {
    if (!(a > 0) || !(a < 0.5 * w) || !(m > 2 * mw)) {
      printf "attempt %d: cpu_active_s %s of wall %s s, mips %s vs mips_wall %s\n", n, a, w, m, mw; exit 1 }
    printf "PASS: the CPU ran %.3f s of %.3f s: %.0f MIPS active, %.0f over the whole run\n", a, w, m, mw }' && exit 0
done
echo "FAIL: the CPU's active time was not below half the wall time in 3 attempts"
exit 1
