#!/usr/bin/env bash
# Runs stvp and checks its stderr: at most MAX lines, every MUST regex present, no MUSTNOT one.
#   output_check.sh MAX "MUST1|@|MUST2..." "MUSTNOT1|@|..." STVP ARGS...
# (patterns separated by "|@|", "-" for none; grep -E, line by line)
set -u
max=$1 must=$2 mustnot=$3
shift 3
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
code=$?
fail() {
  echo "FAIL: $*"
  echo "--- stderr ($(wc -l <"$err") lines, exit code $code):"; cat "$err"
  exit 1
}
lines=$(wc -l <"$err")
[ "$lines" -le "$max" ] || fail "stderr has $lines lines, at most $max allowed"
IFS=$'\n'
for re in $(sed 's/|@|/\n/g' <<<"$must"); do
  [ -z "$re" ] || [ "$re" = - ] || grep -Eq -- "$re" "$err" || fail "stderr lacks: $re"
done
for re in $(sed 's/|@|/\n/g' <<<"$mustnot"); do
  [ -z "$re" ] || [ "$re" = - ] || ! grep -Eq -- "$re" "$err" || fail "stderr has what it must not: $re"
done
echo "PASS: $lines lines of stderr"
