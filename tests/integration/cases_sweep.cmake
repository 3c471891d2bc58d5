# Sweeps as files of points (platform/explore/sweep.h): shards, --list, --point, resume,
# --collect with missing points, and refused command lines. A 4-point LeNet-300-100 sweep.
file(WRITE ${OUT}/mini_sweep.yaml
  "name: mini\ntitle: \"LeNet-300-100, batch 16\"\n"
  "preset: ${CMAKE_SOURCE_DIR}/configs/presets/procrustes.yaml\n"
  "network: ${CMAKE_SOURCE_DIR}/configs/networks/lenet300.yaml\nset: [batch=16]\n"
  "grid:\n  scheme: [procrustes, nm]\n  density: [0.5, 0.25]\n")
add_test(NAME integration.sweep_points_shards_resume
  COMMAND bash -c [[
set -euo pipefail
x=$1 sweep=$2 out=$3
rm -rf "$out"
[ "$("$x" --sweep "$sweep" --out "$out" --list | wc -l)" = 4 ]
"$x" --sweep "$sweep" --out "$out" --list --shard 2/2 | grep -q -- "--point 3$"
"$x" --sweep "$sweep" --out "$out" --shard 1/2 2> "$out.log"
grep -q "the selected points are done; merge all of them with --collect" "$out.log"
ls "$out/mini.points" | sort | tr '\n' ' ' | grep -qx "point0.csv point2.csv "
[ ! -e "$out/mini.csv" ]
set +e; "$x" --sweep "$sweep" --out "$out" --collect 2> "$out.log"; rc=$?; set -e
[ $rc = 1 ] && grep -q "2 of 4 points have no result yet (points 1,3)" "$out.log"
"$x" --sweep "$sweep" --out "$out" --point 1
"$x" --sweep "$sweep" --out "$out" 2> "$out.log"      # resume: only point 3 runs, then merge
grep -q "4 points, 4 selected, 1 to run (3 done)" "$out.log"
head -n1 "$out/mini.csv" | grep -qx "scheme,density,network,batch,cycles,dense_cycles,seconds,speedup,energy_uj,dense_energy_uj,energy_ratio,pe_uj,rf_uj,gb_uj,dram_uj,sparse_uj,utilisation,dense_utilisation"
[ "$(tail -n +2 "$out/mini.csv" | cut -d, -f1-3 | tr '\n' ' ')" = "procrustes,0.5,lenet300 procrustes,0.25,lenet300 nm,0.5,lenet300 nm,0.25,lenet300 " ]
for f in speedup energy_ratio energy utilisation; do [ -s "$out/mini_$f.png" ] && [ -s "$out/mini_$f.svg" ]; done
"$x" --sweep "$sweep" --out "$out" 2> "$out.log"      # everything done: nothing runs
grep -q "0 to run (4 done)" "$out.log"
echo ok
]] _ $<TARGET_FILE:stvp_explore> ${OUT}/mini_sweep.yaml ${OUT}/mini_sweep)
set(_i 0)
foreach(bad
    "--point;9|--point 9: the sweep has points 0..3"
    "--shard;3/2|--shard: '3/2' is not K/N with 1 <= K <= N"
    "--point;1;--shard;1/2|--point and --shard: give one of them"
    "--backend;pbs|--backend: 'pbs' is not local or slurm"
    "--wait|--wait, --max-running and --sbatch-arg: only with --backend slurm"
    "--collect;--point;0|--collect merges every point")
  string(REPLACE "|" ";" parts "${bad}")
  list(GET parts -1 msg)
  list(REMOVE_AT parts -1)
  math(EXPR _i "${_i} + 1")
  set(id ${_i})
  add_test(NAME integration.sweep_refuses_${id}
    COMMAND stvp_explore --sweep ${OUT}/mini_sweep.yaml --out ${OUT}/mini_refused ${parts})
  set_tests_properties(integration.sweep_refuses_${id} PROPERTIES WILL_FAIL FALSE
    PASS_REGULAR_EXPRESSION "stvp_explore: .*${msg}")
endforeach()
add_test(NAME integration.explore_refuses_point_without_sweep COMMAND stvp_explore --point 1)
set_tests_properties(integration.explore_refuses_point_without_sweep PROPERTIES
  PASS_REGULAR_EXPRESSION "need --sweep")
# A point that fails: its error is shown, nothing is merged, exit code 1.
file(WRITE ${OUT}/failing_sweep.yaml "name: failing\nnetwork: ${OUT}/no_such_network.yaml\ngrid: {density: [0.5]}\n")
add_test(NAME integration.sweep_failed_point
  COMMAND bash -c [[
rm -rf "$3"; "$1" --sweep "$2" --out "$3" -j 1 2> "$3.log"; rc=$?
cat "$3.log"; [ $rc = 1 ] && grep -q "point 0 failed:" "$3.log" && grep -q "no_such_network.yaml: cannot open network file" "$3.log" &&
grep -q "no point has a result yet" "$3.log" && [ ! -e "$3/failing.csv" ]
]] _ $<TARGET_FILE:stvp_explore> ${OUT}/failing_sweep.yaml ${OUT}/failing_sweep)

# Training studies as sweeps (platform/explore/sweep_training.h): three short VP training runs
# (points: id, network, mode, budget) through the local backend: --list, the merged CSV (point
# keys, host_seconds, the flattened training blocks), resume, and the training table that
# `stvp-plot --table training` makes of it (configs/results/training.md's format) equal to the
# points' stats JSON read with jq.
set(_tiny_training "dataset.train_limit=3200, dataset.test_limit=500, workload.epochs=1, workload.max_steps=10, workload.print_every=10")
file(WRITE ${OUT}/training_sweep.yaml
  "name: tiny_training\nprogram: stvp\npreset: ${CMAKE_SOURCE_DIR}/configs/train/lenet300_dense.yaml\n"
  "set: [${_tiny_training}]\npoints:\n"
  "  - {id: dense, workload.network: lenet300, workload.mode: dense}\n"
  "  - {id: p20, workload.network: lenet300, workload.mode: procrustes, workload.procrustes.budget: 0.2}\n"
  "  - {id: st, workload.network: lenet300, workload.mode: sparsetrain}\n")
add_test(NAME integration.sweep_training_local
  COMMAND bash -c [[
set -euo pipefail
x=$1 sweep=$2 out=$3 plot=$4
rm -rf "$out"
[ "$("$x" --sweep "$sweep" --out "$out" --list | wc -l)" = 3 ]
"$x" --sweep "$sweep" --out "$out" -j 2 2> "$out.log" || { cat "$out.log"; exit 1; }
csv=$out/tiny_training.csv
head -n1 "$csv" | grep -q "^id,workload.network,workload.mode,workload.procrustes.budget,host_seconds,batch,epoch_count,epochs.epoch,"
head -n1 "$csv" | grep -q ",final_accuracy,"
[ "$(cut -d, -f1-4 "$csv" | tail -n +2 | tr '\n' ' ')" = "dense,lenet300,dense, p20,lenet300,procrustes,0.2 st,lenet300,sparsetrain, " ]
col() { head -n1 "$csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
for i in 0 1 2; do
  j=$out/tiny_training.points/point$i.json
  [ "$(sed -n "$((i + 2))p" "$csv" | cut -d, -f"$(col final_accuracy)")" = "$(jq -r .training.final_accuracy "$j")" ]
  [ "$(sed -n "$((i + 2))p" "$csv" | cut -d, -f"$(col train_cycles)")" = "$(jq -r .training.train_cycles "$j")" ]
  jq -e '.sweep_point.index == '$i' and .sweep_point.host_seconds > 0 and (.config | type == "object")' "$j" > /dev/null
  grep -q "^train: done" "$out/tiny_training.points/point$i.out"
done
[ -n "$(sed -n 4p "$csv" | cut -d, -f"$(col grad_zeros)")" ] && [ -z "$(sed -n 2p "$csv" | cut -d, -f"$(col grad_zeros)")" ]
"$x" --sweep "$sweep" --out "$out" 2> "$out.log"      # resume: nothing to run
grep -q "0 to run (3 done)" "$out.log"
# The table, from the CSV only.
"$plot" --table training "$csv" --out "$out/training.md"
cat "$out/training.md" | grep '^| lenet'
[ "$(grep -c '^| lenet300 |' "$out/training.md")" = 3 ]
j=$out/tiny_training.points/point2.json
acc=$(jq -r '.training.final_accuracy * 100' "$j"); cyc=$(jq -r .training.train_cycles "$j")
gz=$(jq -r .training.grad_zeros "$j"); sim=$(jq -r .training.sim_time_ns "$j")
speed=$(jq -rs '.[0].training.train_cycles / .[1].training.train_cycles' "$out/tiny_training.points/point0.json" "$j")
row=$(grep '^| lenet300 | sparsetrain |' "$out/training.md")
echo "$row" | grep -qF "| 1 epochs x 10 steps | $(printf '%.2f' "$acc")% | 1.0000 | $(printf '%.4f' "$gz") | $(awk -v s="$sim" 'BEGIN { printf "%.6f", s / 1e9 }') s | $(printf '%.3e' "$cyc") |"
echo "$row" | grep -qF "| $(printf '%.2f' "$speed")x |"
grep -q '^| lenet300 | procrustes-20% | 1 epochs x 10 steps |' "$out/training.md"
grep -q '^| lenet300 | dense | .* | 1.00x | 1.00 | [0-9.]* s |$' "$out/training.md"
echo ok
]] _ $<TARGET_FILE:stvp_explore> ${OUT}/training_sweep.yaml ${OUT}/training_sweep ${CMAKE_BINARY_DIR}/bin/stvp-plot)
set_tests_properties(integration.sweep_training_local PROPERTIES
  ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1;MPLCONFIGDIR=${OUT}/mpl" TIMEOUT 300)

# The Procrustes study's kind of point: stvp_reftrain with its study options (args), its output
# parsed into the training block; a failing run (a refused option) fails its point, named.
file(WRITE ${OUT}/reftrain_sweep.yaml
  "name: tiny_reftrain\nprogram: stvp_reftrain\npreset: ${CMAKE_SOURCE_DIR}/configs/train/lenet300_dense.yaml\n"
  "set: [dataset.train_limit=640, dataset.test_limit=200, workload.epochs=2, workload.max_steps=5, workload.print_every=1000]\n"
  "points:\n"
  "  - {id: p10, workload.mode: procrustes, args: --snapshot-step 2}\n"
  "  - {id: topk, workload.mode: procrustes, args: --select topk}\n"
  "  - {id: bad, workload.mode: procrustes, args: --select nothing}\n")
add_test(NAME integration.sweep_reftrain_local
  COMMAND bash -c [[
set -uo pipefail
x=$1 sweep=$2 out=$3 reftrain=$4 preset=$5
rm -rf "$out"
"$x" --sweep "$sweep" --out "$out" -j 2 2> "$out.log"; rc=$?
cat "$out.log"
[ $rc = 1 ] && grep -q "point 2 failed:" "$out.log" && grep -q "'--select' 'nothing' exited with code 2" "$out.log" &&
  grep -q "points 2 have no result" "$out.log" || exit 1
csv=$out/tiny_reftrain.csv
set -e
head -n1 "$csv" | grep -q "^id,workload.mode,args,host_seconds,"
for c in diverged epochs.test_correct final_correct kept_fraction tracked.tracked snapshot.since; do head -n1 "$csv" | grep -q ",$c,"; done
[ "$(wc -l < "$csv")" = 3 ]
col() { head -n1 "$csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
# The same run by hand: its final line's numbers are the CSV's.
"$reftrain" --config "$preset" --set dataset.train_limit=640 --set dataset.test_limit=200 --set workload.epochs=2 \
  --set workload.max_steps=5 --set workload.print_every=1000 --set workload.mode=procrustes --snapshot-step 2 > "$out/p10.txt"
final=$(grep "^reftrain: test accuracy" "$out/p10.txt")
row=$(sed -n 2p "$csv")
echo "$final" | grep -qF "($(echo "$row" | cut -d, -f"$(col final_correct)")/$(echo "$row" | cut -d, -f"$(col final_count)")), weights kept $(echo "$row" | cut -d, -f"$(col kept_fraction)")"
[ "$(echo "$row" | cut -d, -f"$(col args)")" = "--snapshot-step 2" ]
grep -qF "$(echo "$row" | cut -d, -f"$(col tracked.tracked)" | sed 's/ .*//')/235200" "$out/p10.txt"
[ -n "$(echo "$row" | cut -d, -f"$(col entered_after_snapshot)")" ] && [ -z "$(sed -n 3p "$csv" | cut -d, -f"$(col entered_after_snapshot)")" ]
echo ok
]] _ $<TARGET_FILE:stvp_explore> ${OUT}/reftrain_sweep.yaml ${OUT}/reftrain_sweep $<TARGET_FILE:stvp_reftrain>
     ${CMAKE_SOURCE_DIR}/configs/train/lenet300_dense.yaml)
set_tests_properties(integration.sweep_reftrain_local PROPERTIES TIMEOUT 300)

# A training sweep's bad key is refused with the file and line when the file is read.
file(WRITE ${OUT}/bad_training_sweep.yaml
  "program: stvp\npreset: ${CMAKE_SOURCE_DIR}/configs/train/lenet300_dense.yaml\ngrid:\n  workload.mdoe: [dense]\n")
add_test(NAME integration.sweep_refuses_training_key
  COMMAND stvp_explore --sweep ${OUT}/bad_training_sweep.yaml --out ${OUT}/bad_training --list)
set_tests_properties(integration.sweep_refuses_training_key PROPERTIES
  PASS_REGULAR_EXPRESSION "stvp_explore: .*bad_training_sweep.yaml:4: grid.workload.mdoe: .*unknown key 'workload.mdoe'")
