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
# ASan's quarantine (freed memory held back so that a use after free is caught) is 256 MB by
# default. An input frees far less (fuzz_explore: about 50 KB on average), so 32 MB still holds
# the frees of hundreds of inputs, and the resident memory drops (fuzz_explore, the same 60 000
# inputs: 575 MB peak with the default, 260 MB with 64 MB, 79 MB with none). ASan records the
# stack of every allocation (30 frames by default) for its reports; 4 frames cost about 13 %
# less CPU in fuzz_config (mostly allocation), detect the same errors, and a finding's input
# re-run alone (`$build/fuzz/$harness FILE`) gives the full stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:quarantine_size_mb=32:malloc_context_size=4}
# full.log: libFuzzer's progress lines (#N = executions so far) while it runs.
nice -n 19 "$build/fuzz/$harness" -runs="$runs" -max_len=65536 -timeout=60 \
  -seed=1 -print_final_stats=1 -artifact_prefix="$work/" "$@" "$work/new" "$corpus" 2>&1 | tee "$work/full.log" |
  tail -n 40 >"$work/log"
rc=${PIPESTATUS[0]}
echo "$harness: $runs runs, exit $rc, $(( $(date +%s) - start )) s wall" | tee -a "$work/log"
grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|ERROR|SUMMARY|^fuzz_[a-z_]+: [0-9]+ inputs" "$work/log"
if [ "$rc" = 0 ]; then
  # Only new inputs of at most SEED_MAX bytes (default 2048) are offered to the merge, so the
  # committed corpora stay small. -merge=1 tries candidates smallest first, so this keeps
  # exactly the small inputs a merge of all of them would have kept.
  rm -rf "$work/small" && mkdir -p "$work/small"
  find "$work/new" -type f -size -$(( ${SEED_MAX:-2048} + 1 ))c -exec cp {} "$work/small/" \;
  nice -n 19 "$build/fuzz/$harness" -merge=1 -max_len=65536 -timeout=60 \
    "$corpus" "$work/small" >"$work/merge.log" 2>&1
  grep -E "MERGE-OUTER: [0-9]+ new files" "$work/merge.log"
fi
exit "$rc"
