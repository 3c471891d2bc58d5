#!/usr/bin/env bash
# The ISS's speed with and without DMI on the same simulated machine: sw/bench (N million
# instructions, default 100) run with cpu.dmi = true and false, paired (RUNS times, default
# 3), on a memory and bus without latency, so that every access through b_transport costs the
# same simulated time as through DMI (none) and the two runs simulate the same cycles (checked).
# Without that, cpu.dmi = false would also change the machine: each uncached access pays the
# DRAM latency (CPI 8.9 instead of 1.6). Prints the MIPS over the CPU's active time, medians.
#   platform/scripts/bench_no_dmi.sh BUILD_DIR [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 n=${2:-100} runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2" | head -1; }
for i in $(seq 1 "$runs"); do
  for dmi in true false; do
    "$build/bin/stvp" --silent --config "$root/configs/default.yaml" --firmware "$build/target/bin/bench.elf" \
      --arg "$n" --set cpu.dmi=$dmi --set dram.latency_ns=0 --set dram.bandwidth_gbps=10000 \
      --set bus.latency_ns=0 --stats "$tmp/$dmi.json" >/dev/null
  done
  c1=$(field cycles "$tmp/true.json") c2=$(field cycles "$tmp/false.json")
  [ "$c1" = "$c2" ] || { echo "bench_no_dmi: the runs simulate different machines ($c1 vs $c2 cycles)" >&2; exit 1; }
  echo "$(field mips "$tmp/true.json") $(field mips "$tmp/false.json")" >>"$tmp/runs"
done
awk -v load="$load" -v runs="$runs" -v n="$n" -v cycles="$c1" '
  function median(a, k,   i, j, t) {
    for (i = 1; i <= k; ++i) for (j = i + 1; j <= k; ++j) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  { ++k; d[k] = $1; b[k] = $2; q[k] = $1 / $2 }
  END {
    printf "bench_no_dmi: sw/bench N=%d, %d paired runs, same simulated machine (%s cycles each), host load %s at the start\n", n, runs, cycles, load
    printf "  DMI %.0f MIPS, b_transport %.0f MIPS (medians): DMI %.1fx faster\n", median(d, k), median(b, k), median(q, k)
  }' "$tmp/runs"
