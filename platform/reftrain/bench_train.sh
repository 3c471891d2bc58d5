#!/usr/bin/env bash
# Wall time per training epoch on the VP against the host reference trainer, same network,
# mode and schedule (one full epoch of LeNet-300-100, dense, by default):
#   platform/reftrain/bench_train.sh BUILD_DIR [ARGS...]   (ARGS: --set args=[...] etc.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1; shift
extra=("$@")
[ ${#extra[@]} -eq 0 ] && extra=(--set "args=[0,0,1,0,1,1000]")
cfg="$root/configs/train/lenet300_dense.yaml"
vp=$("$build/bin/stvp" --config "$cfg" "${extra[@]}" --firmware "$build/target/bin/train.elf" 2>&1 |
     awk '/^stvp: stopped/ { for (i = 1; i <= NF; ++i) if ($(i+1) == "s" && $(i+2) == "wall,") print $i }')
ref=$("$build/bin/stvp_reftrain" --config "$cfg" "${extra[@]}" |
      awk '/host wall per training epoch/ { print $(NF-1) }')
awk -v vp="$vp" -v ref="$ref" 'BEGIN {
    printf "bench_train: VP %.2f s per epoch (whole stvp run, incl. data load and evaluation), reference %.2f s (training only): %.2fx\n", vp, ref, vp / ref }'
