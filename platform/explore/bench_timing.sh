#!/usr/bin/env bash
# Host speed of the sparse timing model as paired ratios (not a test; the figures depend on the
# host): each command runs RUNS times alternating with its dense counterpart, and the median CPU
# seconds (user + sys) of each and the median of the per-pair ratios are printed.
#   1. stvp_explore: one ResNet-18 training iteration at batch 64 per sparse scheme against dense.
#   2. The VP: one training epoch of LeNet-300-100 and of LeNet-5 (configs/train presets) in each
#      sparse mode against dense (the same firmware, schedule and seed), whole processes; STEPS > 0
#      stops each run after that many steps instead (an epoch is 937 steps).
#   3. The VP: CNN_STEPS steps of the network CNN (vgg5p2, the CNN study's, or vgg5;
#      configs/train/CNN_dense.yaml; default 200 steps, 0 = an epoch) and the evaluation on the test split, in each sparse mode
#      and combination against dense.
# With BASE_BUILD (another build folder, e.g. of the main branch) every round also runs its
# binaries, right after this build's, and each row adds the base's figures: a before/after
# comparison under the same load.
# Usage: platform/explore/bench_timing.sh BUILD_DIR [RUNS=3] [STEPS=0] [CNN_STEPS=200] [BASE_BUILD] [CNN=vgg5p2]
# (BASE_BUILD '' for none).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
runs=${2:-3}
steps=${3:-0}
cnn_steps=${4:-200}
base=${5:-}
cnn=${6:-vgg5p2}
[ -f "$root/configs/train/${cnn}_dense.yaml" ] || { echo "bench_timing.sh: CNN '$cnn': no configs/train/${cnn}_dense.yaml" >&2; exit 2; }
TIMEFORMAT='%U %S'

# CPU seconds of one run of "$@" (output discarded).
cpu() { { time "$@" > /dev/null 2>&1; } 2>&1 | awk '{ print $1 + $2 }'; }

# Median of the arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0 ? a / b : 0) }'; }

# pair LABEL "dense command" "sparse command": alternating runs, medians and the median ratio.
# @B@ in a command stands for the build folder (this build's, then the base's).
pair() {
    local label=$1 dense=$2 sparse=$3 d s ds=() ss=() rs=() bds=() bss=() brs=()
    for ((i = 0; i < runs; ++i)); do
        d=$(cpu bash -c "${dense//@B@/$build}")
        s=$(cpu bash -c "${sparse//@B@/$build}")
        ds+=("$d") ss+=("$s") rs+=("$(ratio "$s" "$d")")
        if [ -n "$base" ]; then
            d=$(cpu bash -c "${dense//@B@/$base}")
            s=$(cpu bash -c "${sparse//@B@/$base}")
            bds+=("$d") bss+=("$s") brs+=("$(ratio "$s" "$d")")
        fi
    done
    printf '%-34s sparse %7.2f s CPU, dense %7.2f s CPU, ratio %6.2fx' "$label" \
        "$(median "${ss[@]}")" "$(median "${ds[@]}")" "$(median "${rs[@]}")"
    [ -n "$base" ] && printf ' | base: sparse %7.2f s, dense %7.2f s, ratio %6.2fx' \
        "$(median "${bss[@]}")" "$(median "${bds[@]}")" "$(median "${brs[@]}")"
    printf ' (median of %d pairs)\n' "$runs"
}

explore="@B@/bin/stvp_explore --network $root/configs/networks/resnet18.yaml --batch 64"
for scheme in procrustes nm_2_8 sparsetrain; do
    pair "stvp_explore resnet18 $scheme" "$explore --preset $root/configs/presets/dense.yaml" \
        "$explore --preset $root/configs/presets/$scheme.yaml"
done

echo "load average at the start of the VP runs: $(cut -d' ' -f1-3 /proc/loadavg)"
for net in lenet300 lenet5 "$cnn"; do
    n=$([ "$net" = "$cnn" ] && echo "$cnn_steps" || echo "$steps")
    span=$([ "$n" -gt 0 ] && echo "$n steps" || echo "1 epoch")
    modes="procrustes nm sparsetrain"
    [ "$net" = "$cnn" ] && modes="$modes procrustes+sparsetrain nm+sparsetrain"
    vp="@B@/bin/stvp --config $root/configs/train/${net}_dense.yaml --firmware @B@/target/bin/train.elf"
    vp="$vp --set workload.epochs=1 --set workload.max_steps=$n --set workload.print_every=1000"
    for mode in $modes; do
        pair "VP $net $span $mode" "$vp --set workload.mode=dense" "$vp --set workload.mode=$mode"
    done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
