#!/usr/bin/env bash
# A training sweep (program stvp) as a Slurm job array on the throw-away cluster of
# slurm_fixture.sh, against the same sweep run locally: every point's training block comes
# back, and the merged CSV equals the local run's apart from the host_seconds column.
# Run inside the fixture: slurm_fixture.sh training_on_slurm.sh STVP_EXPLORE SWEEP WORK_DIR
set -euo pipefail
explore=$1 sweep=$2 work=$3
rm -rf "$work"; mkdir -p "$work"
name=$(sed -n 's/^name: *//p' "$sweep")
[ -n "$name" ] || name=$(basename "$sweep" .yaml)
# The CSV without its host_seconds column.
results() {
  local c
  c=$(head -n1 "$1" | tr ',' '\n' | grep -nx host_seconds | cut -d: -f1)
  [ -n "$c" ] || { echo "FAIL: $1 has no host_seconds column" >&2; exit 1; }
  cut -d, -f"$c" --complement "$1"
}

echo "== local run"
"$explore" --sweep "$sweep" --out "$work/local" -j 2 > /dev/null
points=$(( $(wc -l < "$work/local/$name.csv") - 1 ))
[ "$points" -ge 2 ] || { echo "FAIL: the local run has $points rows"; exit 1; }

echo "== job array, waited for"
"$explore" --sweep "$sweep" --out "$work/slurm" --backend slurm --wait > /dev/null
grep -q "^#SBATCH --array=0-$((points - 1))$" "$work/slurm/$name.sbatch" || { echo "FAIL: array"; cat "$work/slurm/$name.sbatch"; exit 1; }
for i in $(seq 0 $((points - 1))); do
  [ -s "$work/slurm/$name.points/point$i.json" ] || { echo "FAIL: point $i has no result"; exit 1; }
done
results "$work/local/$name.csv" > "$work/local.csv"
results "$work/slurm/$name.csv" > "$work/slurm.csv"
[ "$(wc -l < "$work/slurm.csv")" = $((points + 1)) ] || { echo "FAIL: the slurm CSV has not $points rows"; exit 1; }
diff "$work/local.csv" "$work/slurm.csv" || { echo "FAIL: slurm CSV differs from local"; exit 1; }
echo "PASS: $points training points on Slurm equal the local run"
