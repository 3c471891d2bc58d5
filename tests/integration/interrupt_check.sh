#!/usr/bin/env bash
# Sends SIGINT to a running stvp and checks that it ends with exit code 130, its stats written
# with "interrupted": true, and its message on stderr.
#   interrupt_check.sh WHEN STATS STVP ARGS...
# WHEN: seconds after the start (e.g. 0.5), or "line:REGEX": once stdout has a line matching
# REGEX (e.g. the firmware's first training line).
set -u
# Job control: a background job of a script would otherwise start with SIGINT ignored, unlike
# a program a user interrupts from a terminal.
set -m
when=$1 stats=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rm -f "$stats"
"$@" --stats "$stats" >"$out/stdout" 2>"$out/stderr" &
pid=$!
if [[ $when == line:* ]]; then
  for _ in $(seq 1 1200); do
    grep -Eq -- "${when#line:}" "$out/stdout" && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  grep -Eq -- "${when#line:}" "$out/stdout" || { echo "FAIL: no stdout line matches ${when#line:}"; cat "$out/stdout" "$out/stderr"; exit 1; }
else
  sleep "$when"
fi
kill -INT $pid
wait $pid
code=$?
fail() {
  echo "FAIL: $*"
  echo "--- stderr:"; cat "$out/stderr"
  exit 1
}
[ $code -eq 130 ] || fail "exit code $code, expected 130"
[ -s "$stats" ] || fail "no stats file $stats"
grep -q '"interrupted": true' "$stats" || fail "stats do not say \"interrupted\": true"
grep -q '"exit_reason": "interrupted"' "$stats" || fail "stats do not say exit_reason interrupted"
grep -q 'stvp: interrupted' "$out/stderr" || fail "stderr does not say it was interrupted"
echo "PASS: interrupted at $when: $(grep -o '"message": "[^"]*"' "$stats" | head -1)"
