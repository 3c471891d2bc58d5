#!/usr/bin/env bash
# Fails if a tracked file cites a document that is not in the repository (the team's former
# notes files) or an absolute path of a particular machine, or if a docs/ link is broken.
# Usage: check_self_contained.sh SOURCE_DIR
set -euo pipefail
cd "$1"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "SKIP: $1 is not a git work tree (the check reads the tracked files)"; exit 0
fi
# The names are assembled so that this script does not match itself.
notes="SEE""DS|TOOL""CHAIN\\.md|DES""IGN\\.md|STY""LE\\.md"
paths="/wo""rk/|/ho""me/[a-z]|/Us""ers/"
status=0
if git grep -nIE "$notes|$paths" -- . ':!LICENSE'; then
  echo "FAIL: the lines above cite something outside the repository"; status=1
fi
# Every docs/*.md or path.md mentioned in a tracked file must exist.
while IFS= read -r ref; do
  [ -e "$ref" ] || { echo "FAIL: '$ref' is cited but does not exist"; status=1; }
done < <(git grep -hoIE 'docs/[a-z_]+\.md' -- . | sort -u)
[ -f LICENSE ] || { echo "FAIL: no LICENSE"; status=1; }
[ $status -eq 0 ] && echo "self-contained: ok"
exit $status
