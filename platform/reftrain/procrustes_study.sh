#!/usr/bin/env bash
# Regenerates configs/results/procrustes_study.md: why Procrustes keeping 10% of LeNet-300-100's
# weights ends about a point below dense on Fashion-MNIST. Runs the host reference trainer
# (stvp_reftrain: bit-identical to the VP for the VP's algorithm, checked by the
# train_vs_reftrain CTest cases; seconds instead of minutes per run) over
#   - the budget (5..50%) and three seeds,
#   - the selection rule (the device's quantile estimator, DropBack's exact global top-k,
#     top-k per layer, a random fixed mask) and the hyper-parameters (weight decay, lr),
#   - pruning baselines that first train dense (one-shot magnitude pruning after dense epochs,
#     gradual cubic pruning), which Procrustes claims to make unnecessary,
#   - lr 0.4 (DropBack's MNIST rate), where the estimator loses the budget and training diverges,
#   - LeNet-5,
# and tabulates the final test accuracies (JOBS runs at a time, default 2; about 10 minutes on
# 2 cores). Needs only bash and awk.
#   platform/reftrain/procrustes_study.sh [BUILD_DIR]   (`cmake --build build --target procrustes_study`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
jobs=${JOBS:-2}
out=$root/configs/results/procrustes_study.md
logs=$build/results_procrustes_study
mkdir -p "$logs" "$root/configs/results"

# name | workload keys (key=value,...; batch 64 and lr 0.1 unless given) | study options.
# Procrustes keeps 10% of the weights unless procrustes.budget says otherwise. 937 steps per epoch.
runs=(
  "dense|network=lenet300,mode=dense,epochs=5,seed=1,print_every=1000|"
  "p5|network=lenet300,mode=procrustes,procrustes.budget=0.05,epochs=5,seed=1,print_every=1000|"
  "p10|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000|--snapshot-step 20"
  "p10_snap200|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000|--snapshot-step 200"
  "p20|network=lenet300,mode=procrustes,procrustes.budget=0.2,epochs=5,seed=1,print_every=1000|"
  "p33|network=lenet300,mode=procrustes,procrustes.budget=0.33,epochs=5,seed=1,print_every=1000|"
  "p50|network=lenet300,mode=procrustes,procrustes.budget=0.5,epochs=5,seed=1,print_every=1000|"
  "dense_s2|network=lenet300,mode=dense,epochs=5,seed=2,print_every=1000|"
  "p10_s2|network=lenet300,mode=procrustes,epochs=5,seed=2,print_every=1000|"
  "p20_s2|network=lenet300,mode=procrustes,procrustes.budget=0.2,epochs=5,seed=2,print_every=1000|"
  "dense_s3|network=lenet300,mode=dense,epochs=5,seed=3,print_every=1000|"
  "p10_s3|network=lenet300,mode=procrustes,epochs=5,seed=3,print_every=1000|"
  "p20_s3|network=lenet300,mode=procrustes,procrustes.budget=0.2,epochs=5,seed=3,print_every=1000|"
  "topk|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000|--select topk --snapshot-step 20"
  "topk_layer|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000|--select topk-per-layer"
  "random|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000|--select random"
  "dense_wd0|network=lenet300,mode=dense,epochs=5,seed=1,print_every=1000,weight_decay=0|"
  "p10_wd0|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000,weight_decay=0|"
  "dense_lr05|network=lenet300,mode=dense,epochs=5,seed=1,print_every=1000,lr=0.05|"
  "p10_lr05|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000,lr=0.05|"
  "dense_lr2|network=lenet300,mode=dense,epochs=5,seed=1,print_every=1000,lr=0.2|"
  "p10_lr2|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000,lr=0.2|"
  "oneshot|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000|--select topk --dense-steps 2811"
  "gradual|network=lenet300,mode=procrustes,epochs=5,seed=1,print_every=1000|--select topk --ramp-steps 1874 --snapshot-step 1874"
  "dense_e10|network=lenet300,mode=dense,epochs=10,seed=1,print_every=1000|"
  "p10_e10|network=lenet300,mode=procrustes,epochs=10,seed=1,print_every=1000|"
  "oneshot_e10|network=lenet300,mode=procrustes,epochs=10,seed=1,print_every=1000|--select topk --dense-steps 4685"
  "gradual_e10|network=lenet300,mode=procrustes,epochs=10,seed=1,print_every=1000|--select topk --ramp-steps 3748"
  "dense_lr4|network=lenet300,mode=dense,epochs=2,seed=1,print_every=1000,lr=0.4|"
  "p10_lr4|network=lenet300,mode=procrustes,epochs=2,seed=1,print_every=1000,lr=0.4|"
  "topk_lr4|network=lenet300,mode=procrustes,epochs=2,seed=1,print_every=1000,lr=0.4|--select topk"
  "l5_dense|network=lenet5,mode=dense,epochs=3,seed=1,print_every=1000|"
  "l5_p10|network=lenet5,mode=procrustes,epochs=3,seed=1,print_every=1000|"
  "l5_p20|network=lenet5,mode=procrustes,procrustes.budget=0.2,epochs=3,seed=1,print_every=1000|"
  "l5_p33|network=lenet5,mode=procrustes,procrustes.budget=0.33,epochs=3,seed=1,print_every=1000|"
  "l5_oneshot|network=lenet5,mode=procrustes,epochs=3,seed=1,print_every=1000|--select topk --dense-steps 1874"
)

run() { # "name|keys|options"
    IFS='|' read -r name keys opts <<< "$1"
    echo "running $name..." >&2
    local a=()
    IFS=',' read -ra parts <<< "$keys"
    for p in "${parts[@]}"; do a+=(--set "workload.$p"); done
    # shellcheck disable=SC2086
    "$build/bin/stvp_reftrain" --config "$root/configs/train/lenet300_dense.yaml" "${a[@]}" $opts > "$logs/$name.txt"
}
export -f run
export build root logs
# TABLES_ONLY=1 re-tabulates the logs of the last run without training again.
[ "${TABLES_ONLY:-0}" = 1 ] || printf '%s\n' "${runs[@]}" | xargs -P "$jobs" -d '\n' -n 1 bash -c 'run "$1"' _

acc() { # final test accuracy of a run, "nan" if it diverged
    awk '/^reftrain: test accuracy/ { a = $4 } /^epoch [0-9]+ test loss -?nan/ { nan = 1 }
         END { if (nan) printf "%s (diverged)", a; else printf "%s", a }' "$logs/$1.txt"
}
num() { awk '/^reftrain: test accuracy/ { sub("%", "", $4); print $4 }' "$logs/$1.txt"; }
kept() { awk '/^reftrain: test accuracy/ { for (i = 1; i <= NF; ++i) if ($i == "kept") { v = $(i + 1); sub(",", "", v); print v } }' "$logs/$1.txt"; }
layers() { awk '/^reftrain: tracked per layer:/ { sub("reftrain: tracked per layer: ", ""); print }' "$logs/$1.txt"; }
delta() { awk -v a="$(num "$1")" -v b="$(num "$2")" 'BEGIN { printf "%+.2f", a - b }'; }
mean_delta() { # mean over seeds of run - dense
    awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" -v e="$5" -v f="$6" 'BEGIN { printf "%+.2f", (a + b + c - d - e - f) / 3 }'
}
epochs_of() { awk '/^epoch [0-9]+ test loss/ { sub("%", "", $7); printf "%s%s", sep, $7; sep = " / " }' "$logs/$1.txt"; }
settled() { awk '/^reftrain: tracked now and already at step/ { sub("reftrain: tracked now and already at step [0-9]+: ", ""); print }' "$logs/$1.txt"; }

{
    echo "# Procrustes at 10% of the weights: where the accuracy goes"
    echo
    echo "Generated by \`platform/reftrain/procrustes_study.sh\` (\`cmake --build build --target"
    echo "procrustes_study\`) with the host reference trainer \`stvp_reftrain\`, whose per-step losses are"
    echo "bit-identical to the VP's for the algorithm the VP runs (CTest \`train_vs_reftrain_*\`); the"
    echo "study options (\`--select\`, \`--dense-steps\`, \`--ramp-steps\`) depart from it on purpose;"
    echo "seeds, budgets, weight decay and lr are workload keys the VP takes too. LeNet-300-100 on the full Fashion-MNIST split, batch 64, lr 0.1 x 0.8 per epoch, weight"
    echo "decay 5e-4, seed 1, 5 epochs (937 steps each) unless a row says otherwise; accuracy on the 10000"
    echo "test images after the last epoch. Logs: build/results_procrustes_study/."
    echo
    echo "## 1. Budget"
    echo
    echo "| weights kept (budget) | test accuracy | vs dense | kept at the end | tracked per layer (fc1 784x300, fc2 300x100, fc3 100x10) |"
    echo "|---|---|---|---|---|"
    echo "| 100% (dense) | $(acc dense) | - | 1.0000 | - |"
    for b in 5 10 20 33 50; do
        echo "| $b% | $(acc p$b) | $(delta p$b dense) | $(kept p$b) | $(layers p$b) |"
    done
    echo
    echo "## 2. Seeds (shuffle, W0)"
    echo
    echo "| seed | dense | Procrustes 10% | vs dense | Procrustes 20% | vs dense |"
    echo "|---|---|---|---|---|---|"
    echo "| 1 | $(acc dense) | $(acc p10) | $(delta p10 dense) | $(acc p20) | $(delta p20 dense) |"
    for s in 2 3; do
        echo "| $s | $(acc dense_s$s) | $(acc p10_s$s) | $(delta p10_s$s dense_s$s) | $(acc p20_s$s) | $(delta p20_s$s dense_s$s) |"
    done
    echo "| mean | | | $(mean_delta "$(num p10)" "$(num p10_s2)" "$(num p10_s3)" "$(num dense)" "$(num dense_s2)" "$(num dense_s3)") | | $(mean_delta "$(num p20)" "$(num p20_s2)" "$(num p20_s3)" "$(num dense)" "$(num dense_s2)" "$(num dense_s3)") |"
    echo
    echo "## 3. Selection rule and hyper-parameters at 10%"
    echo
    echo "| variant | test accuracy | vs dense (same hyper-parameters) | tracked per layer |"
    echo "|---|---|---|---|"
    echo "| quantile estimator, global (Procrustes, the VP) | $(acc p10) | $(delta p10 dense) | $(layers p10) |"
    echo "| exact global top-k (DropBack) | $(acc topk) | $(delta topk dense) | $(layers topk) |"
    echo "| exact top-k per layer (10% of each) | $(acc topk_layer) | $(delta topk_layer dense) | $(layers topk_layer) |"
    echo "| random mask, fixed | $(acc random) | $(delta random dense) | $(layers random) |"
    echo "| quantile, weight decay 0 (dense: $(acc dense_wd0)) | $(acc p10_wd0) | $(delta p10_wd0 dense_wd0) | $(layers p10_wd0) |"
    echo "| quantile, lr 0.05 (dense: $(acc dense_lr05)) | $(acc p10_lr05) | $(delta p10_lr05 dense_lr05) | $(layers p10_lr05) |"
    echo "| quantile, lr 0.2 (dense: $(acc dense_lr2)) | $(acc p10_lr2) | $(delta p10_lr2 dense_lr2) | $(layers p10_lr2) |"
    echo
    echo "## 4. Train dense first, then prune to 10% (what Procrustes avoids)"
    echo
    echo "| method | epochs | test accuracy per epoch (%) | vs dense of the same length | tracked per layer |"
    echo "|---|---|---|---|---|"
    echo "| dense | 5 | $(epochs_of dense) | - | - |"
    echo "| Procrustes (the VP) | 5 | $(epochs_of p10) | $(delta p10 dense) | $(layers p10) |"
    echo "| one-shot: 3 dense epochs, top-10% by magnitude, 2 epochs on them | 5 | $(epochs_of oneshot) | $(delta oneshot dense) | $(layers oneshot) |"
    echo "| gradual: budget 100% -> 10% over 2 epochs (cubic), global magnitude | 5 | $(epochs_of gradual) | $(delta gradual dense) | $(layers gradual) |"
    echo "| dense | 10 | $(epochs_of dense_e10) | - | - |"
    echo "| Procrustes (the VP) | 10 | $(epochs_of p10_e10) | $(delta p10_e10 dense_e10) | $(layers p10_e10) |"
    echo "| one-shot: 5 dense epochs, top-10%, 5 epochs on them | 10 | $(epochs_of oneshot_e10) | $(delta oneshot_e10 dense_e10) | $(layers oneshot_e10) |"
    echo "| gradual: 100% -> 10% over 4 epochs | 10 | $(epochs_of gradual_e10) | $(delta gradual_e10 dense_e10) | $(layers gradual_e10) |"
    echo
    echo "## 5. When the tracked set is chosen (10%, 5 epochs)"
    echo
    echo "Share of the final tracked set, per layer, that was already tracked at an early step, and the"
    echo "weights that joined the set after that step (each one joins at about lr x one step's gradient,"
    echo "and as many leave, reset to d·W0 = 0)."
    echo
    echo "| run | at step | final set already tracked then; entries after |"
    echo "|---|---|---|"
    echo "| Procrustes (the VP) | 20 | $(settled p10) |"
    echo "| Procrustes (the VP) | 200 | $(settled p10_snap200) |"
    echo "| exact global top-k (DropBack) | 20 | $(settled topk) |"
    echo "| gradual pruning, end of the ramp | 1874 | $(settled gradual) |"
    echo
    echo "## 6. lr 0.4 (DropBack's MNIST rate), 2 epochs"
    echo
    echo "| run | test accuracy per epoch (%) | weights kept at the end |"
    echo "|---|---|---|"
    echo "| dense | $(epochs_of dense_lr4) | 1.0000 |"
    echo "| Procrustes, quantile estimator (the VP) | $(epochs_of p10_lr4) | $(kept p10_lr4) |"
    echo "| Procrustes, exact top-k | $(epochs_of topk_lr4) | $(kept topk_lr4) |"
    echo
    echo "## 7. LeNet-5 (61470 weights), 3 epochs"
    echo
    echo "| run | test accuracy | vs dense | tracked per layer (conv1, conv2, fc1, fc2, fc3) |"
    echo "|---|---|---|---|"
    echo "| dense | $(acc l5_dense) | - | - |"
    echo "| Procrustes 10% | $(acc l5_p10) | $(delta l5_p10 l5_dense) | $(layers l5_p10) |"
    echo "| Procrustes 20% | $(acc l5_p20) | $(delta l5_p20 l5_dense) | $(layers l5_p20) |"
    echo "| Procrustes 33% | $(acc l5_p33) | $(delta l5_p33 l5_dense) | $(layers l5_p33) |"
    echo "| one-shot: 2 dense epochs, top-10%, 1 epoch on them | $(acc l5_oneshot) | $(delta l5_oneshot l5_dense) | $(layers l5_oneshot) |"
    if [ -f "$root/platform/reftrain/procrustes_study_commentary.md" ]; then
        echo
        cat "$root/platform/reftrain/procrustes_study_commentary.md"
    fi
} > "$out"
echo "wrote $out" >&2
