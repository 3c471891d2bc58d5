#!/usr/bin/env bash
# Every variable the SoC's waveform declares is documented in traces/README.md (as `name`).
#   trace_doc_check.sh STVP ELF README OUTDIR
set -u
stvp=$1 elf=$2 readme=$3 vcd=$4/trace_doc_check.vcd
"$stvp" --silent --firmware "$elf" --vcd "$vcd" >/dev/null || { echo "FAIL: stvp run"; exit 1; }
names=$(sed -n '1,/\$enddefinitions/p' "$vcd" |
        awk '/\$scope/ { s[++d] = $3 } /\$upscope/ { d-- } /\$var/ { n = ""; for (i = 1; i <= d; i++) n = n s[i] "."; print n $5 }')
[ "$(wc -l <<<"$names")" -gt 20 ] || { echo "FAIL: too few variables: $names"; exit 1; }
missing=""
for n in $names; do grep -qF "\`$n\`" "$readme" || missing="$missing $n"; done
[ -z "$missing" ] || { echo "FAIL: not documented in $readme:$missing"; exit 1; }
echo "PASS: all $(wc -l <<<"$names") variables are documented"
