#!/usr/bin/env bash
# One fuzz campaign (README.md here): runs a libFuzzer harness of a STVP_FUZZ tree
# (cmake --preset sanitize) for RUNS executions at the lowest CPU priority, then merges the
# inputs that add coverage into the committed corpus (libFuzzer -merge=1: only those).
#   campaign.sh BUILD_DIR HARNESS RUNS [more libFuzzer flags]
# e.g. tests/fuzz/campaign.sh build-sanitize fuzz_gdb 1000000
# The final stats (execs, exec/s, peak RSS) and any crash-* / timeout-* / leak-* file are in
# $WORK (default /tmp/stvp-fuzz/HARNESS); the exit code is libFuzzer's (0: no finding).
# libFuzzer's -timeout counts wall-clock seconds: at nice 19 on a loaded machine an input of
# 0.1 s CPU can wait longer than 10 s for a core, so the default here is 60 s; a timeout-*
# file is a hang only if it also takes long when re-run alone (`$build/fuzz/$harness FILE`).
set -u
build=$1 harness=$2 runs=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus/$harness
work=${WORK:-/tmp/stvp-fuzz/$harness}
mkdir -p "$work/new"
cd "$work" || exit 1
start=$(date +%s)
ASAN_OPTIONS=detect_leaks=0 nice -n 19 "$build/fuzz/$harness" -runs="$runs" -max_len=65536 -timeout=60 \
  -seed=1 -print_final_stats=1 -artifact_prefix="$work/" "$@" "$work/new" "$corpus" 2>&1 | tail -n 40 >"$work/log"
rc=${PIPESTATUS[0]}
echo "$harness: $runs runs, exit $rc, $(( $(date +%s) - start )) s wall" | tee -a "$work/log"
grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|ERROR|SUMMARY" "$work/log"
if [ "$rc" = 0 ]; then
  # Only new inputs of at most SEED_MAX bytes (default 2048) are offered to the merge, so the
  # committed corpora stay small. -merge=1 tries candidates smallest first, so this keeps
  # exactly the small inputs a merge of all of them would have kept.
  rm -rf "$work/small" && mkdir -p "$work/small"
  find "$work/new" -type f -size -$(( ${SEED_MAX:-2048} + 1 ))c -exec cp {} "$work/small/" \;
  ASAN_OPTIONS=detect_leaks=0 nice -n 19 "$build/fuzz/$harness" -merge=1 -max_len=65536 -timeout=60 \
    "$corpus" "$work/small" >"$work/merge.log" 2>&1
  grep -E "MERGE-OUTER: [0-9]+ new files" "$work/merge.log"
fi
exit "$rc"
