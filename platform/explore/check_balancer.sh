#!/usr/bin/env bash
# The load balancer is never slower than no balancer: every op of every network in
# configs/networks (Procrustes; SparseTrain where Procrustes does not apply), batch 16, per-op
# cycles with accel.sparse.load_balance on and off, at ideal memory (MEMORY=ideal, the default)
# or at default memories (MEMORY=default) or both (MEMORY="ideal default").
# Prints the ops compared, those faster with the balancer, and any slower one (exit 1 if so).
#   platform/explore/check_balancer.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
explore="$1/bin/stvp_explore"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ideal=(--set accel.gb_bytes_per_cycle=1048576 --set dram.bandwidth_gbps=10000 --set dram.latency_ns=0)
status=0
for net in "$root"/configs/networks/*.yaml; do
    name=$(basename "$net" .yaml)
    preset=procrustes
    [ "$name" = alexnet ] && preset=sparsetrain  # 11x11 kernels do not fit the block format
    for memory in ${MEMORY:-ideal}; do
        mem=()
        [ $memory = ideal ] && mem=("${ideal[@]}")
        for lb in true false; do
            "$explore" --preset "$root/configs/presets/$preset.yaml" --network "$net" --batch 16 "${mem[@]}" \
                --set accel.sparse.load_balance=$lb --csv "$tmp/$lb.csv" > /dev/null
        done
        awk -F, -v what="$name $preset $memory memory" '
            FNR == 1 { next }
            NR == FNR { on[$1 "," $2] = $4; next }
            { n++; k = $1 "," $2; if (on[k] + 0 < $4 + 0) faster++; if (on[k] + 0 > $4 + 0) { slower++; print "slower: " what " " k " " on[k] " > " $4 } }
            END { printf "%-40s %3d ops, %3d faster with the balancer, %d slower\n", what, n, faster, slower; exit slower > 0 }' \
            "$tmp/true.csv" "$tmp/false.csv" || status=1
    done
done
exit $status
