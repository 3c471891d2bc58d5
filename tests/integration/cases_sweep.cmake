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
