#!/usr/bin/env bash
# The VP against the host reference trainer on the same network, mode and schedule (one epoch
# of LeNet-300-100, dense, 1000 steps by default), measured like for like, two ways:
#   whole process   stvp's and stvp_reftrain's wall time from start to exit (set-up, data
#                   load, training, evaluation);
#   training only   the host time stvp spends in the firmware's training phase (SIMCTRL PHASE
#                   label TRAIN_PHASE_TRAIN of sw/train/train_defs.h, from the stats) against the
#                   reference's own training timer.
# Runs are paired (VP then reference, RUNS times, default 3); medians of each and of the
# per-pair ratios are printed, with the host's load average at the start.
#   platform/reftrain/bench_train.sh BUILD_DIR [ARGS...]   (ARGS: --set workload.mode=procrustes etc.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1; shift
extra=("$@")
[ ${#extra[@]} -eq 0 ] && extra=(--set workload.epochs=1 --set workload.print_every=1000)
cfg="$root/configs/train/lenet300_dense.yaml"
runs=${RUNS:-3}
train_phase=$(sed -n 's/.*TRAIN_PHASE_TRAIN = \([0-9]*\).*/\1/p' "$root/sw/train/train_defs.h")
[ -n "$train_phase" ] || { echo "bench_train: TRAIN_PHASE_TRAIN not found in sw/train/train_defs.h" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq 1 "$runs"); do
  t0=$(now)
  "$build/bin/stvp" --silent --config "$cfg" "${extra[@]}" --firmware "$build/target/bin/train.elf" \
    --stats "$tmp/vp.json" >/dev/null
  t1=$(now)
  "$build/bin/stvp_reftrain" --config "$cfg" "${extra[@]}" >"$tmp/ref.txt"
  t2=$(now)
  vp_train=$(sed -n "s/.*\"phase${train_phase}_host_s\": \([0-9.e+-]*\).*/\1/p" "$tmp/vp.json")
  ref_train=$(awk '/host wall per training epoch/ { print $(NF-1) }' "$tmp/ref.txt")
  epochs=$(grep -c '^epoch [0-9]* test loss' "$tmp/ref.txt")
  echo "$t0 $t1 $t2 ${vp_train:-0} ${ref_train:-0} $epochs" >>"$tmp/runs"
done
awk -v load="$load" -v runs="$runs" '
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { ++n; vw[n] = $2 - $1; rw[n] = $3 - $2; vt[n] = $4; rt[n] = $5 * $6
    qw[n] = vw[n] / rw[n]; qt[n] = rt[n] > 0 ? vt[n] / rt[n] : 0 }
  END {
    printf "bench_train: %d paired runs, host load %s at the start; medians:\n", runs, load
    printf "  whole process  VP %.2f s, reference %.2f s: VP/reference %.2fx\n", median(vw, n), median(rw, n), median(qw, n)
    printf "  training only  VP %.2f s, reference %.2f s: VP/reference %.2fx\n", median(vt, n), median(rt, n), median(qt, n)
  }' "$tmp/runs"
