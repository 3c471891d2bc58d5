#!/usr/bin/env bash
# The density sweep (configs/sweeps/density.yaml) as a Slurm job array on the throw-away
# single-node cluster of slurm_fixture.sh, against the same sweep run locally:
#   1. the merged CSV equals the local run's (rows sorted);
#   2. an array cancelled halfway, then resubmitted, runs only the missing points (the script's
#      --array lists exactly them, the finished results stay untouched) and completes the CSV.
# Run inside the fixture: slurm_fixture.sh sweep_on_slurm.sh STVP_EXPLORE SWEEP WORK_DIR
set -euo pipefail
explore=$1 sweep=$2 work=$3
rm -rf "$work"; mkdir -p "$work"
name=$(basename "$sweep" .yaml)
body() { tail -n +2 "$1" | sort; }
results() { local f n=0; for f in "$1"/point*.csv; do [ -f "$f" ] && n=$((n + 1)); done; echo $n; }

echo "== local run"
"$explore" --sweep "$sweep" --out "$work/local" -j 2 > /dev/null
points=$(( $(wc -l < "$work/local/$name.csv") - 1 ))
[ "$points" -ge 4 ] || { echo "FAIL: the local run has $points rows"; exit 1; }

echo "== job array, waited for"
"$explore" --sweep "$sweep" --out "$work/slurm" --backend slurm --wait > /dev/null
grep -q "^#SBATCH --array=0-$((points - 1))$" "$work/slurm/$name.sbatch" || { echo "FAIL: array"; cat "$work/slurm/$name.sbatch"; exit 1; }
[ "$(head -n1 "$work/slurm/$name.csv")" = "$(head -n1 "$work/local/$name.csv")" ] || { echo "FAIL: headers differ"; exit 1; }
diff <(body "$work/local/$name.csv") <(body "$work/slurm/$name.csv") || { echo "FAIL: slurm CSV differs from local"; exit 1; }
ls "$work/slurm/$name"_speedup.png > /dev/null

echo "== cancelled halfway, then resumed"
out=$work/resume
"$explore" --sweep "$sweep" --out "$out" --backend slurm --max-running 1 2> "$work/submit.log" > /dev/null
job=$(sed -n 's/.*submitted job array \([0-9]*\).*/\1/p' "$work/submit.log")
[ -n "$job" ] || { echo "FAIL: no job id"; cat "$work/submit.log"; exit 1; }
half=$((points / 2))
for i in $(seq 3000); do
  [ "$(results "$out/$name.points")" -ge "$half" ] && break
  sleep 0.1
done
scancel "$job"
for i in $(seq 300); do [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break; sleep 0.1; done
done_before=$(results "$out/$name.points")
echo "cancelled job $job with $done_before of $points points done"
[ "$done_before" -ge "$half" ] && [ "$done_before" -lt "$points" ] || { echo "FAIL: not halfway ($done_before)"; exit 1; }
stat -c '%n %i %Y' "$out/$name.points"/point*.csv | sort > "$work/before.txt"
missing=()
for i in $(seq 0 $((points - 1))); do [ -f "$out/$name.points/point$i.csv" ] || missing+=("$i"); done
"$explore" --sweep "$sweep" --out "$out" --backend slurm --wait 2> "$work/resume.log" > /dev/null
grep -q "$((points - ${#missing[@]})) done" "$work/resume.log" || { echo "FAIL: resume log"; cat "$work/resume.log"; exit 1; }
# The array of the rerun holds exactly the missing points.
array=$(sed -n 's/^#SBATCH --array=//p' "$out/$name.sbatch")
expand() { local IFS=,; for r in $1; do if [[ $r == *-* ]]; then seq "${r%-*}" "${r#*-}"; else echo "$r"; fi; done; }
[ "$(expand "$array" | tr '\n' ' ')" = "$(printf '%s ' "${missing[@]}")" ] || { echo "FAIL: rerun array '$array', missing ${missing[*]}"; exit 1; }
# The points done before were not run again.
stat -c '%n %i %Y' $(cut -d' ' -f1 "$work/before.txt") | sort | diff "$work/before.txt" - || { echo "FAIL: finished points rewritten"; exit 1; }
diff <(body "$work/local/$name.csv") <(body "$out/$name.csv") || { echo "FAIL: resumed CSV differs from local"; exit 1; }
echo "PASS: $points points on Slurm equal the local run; resume ran ${#missing[@]} missing points (array $array)"
