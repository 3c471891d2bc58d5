# Structured results: the stats file carries the configuration as a JSON object and the
# training results the firmware reported through SIMCTRL RESULT_* (simctrl_results.def).
# The README's main job, shortened: jq reads the accuracy, per-epoch records and the config.
set(_results_json ${OUT}/results_training.json)
add_test(NAME integration.results_training_jq
  COMMAND bash -c [[
set -e
"$1" --config "$2" --quiet --set dataset.train_limit=3200 --set dataset.test_limit=500 \
     --set workload.mode=sparsetrain --set workload.epochs=2 --set workload.max_steps=25 \
     --set workload.print_every=25 --firmware "$3" --stats "$4" > /dev/null
jq -e '.training.final_accuracy > 0.5 and .training.final_accuracy < 1' "$4"
jq -e '.training.epochs | length == 2' "$4"
jq -e '.training.epochs[1] | .epoch == 2 and .test_accuracy > 0.5 and .train_loss > 0 and .sim_time_ns > 0' "$4"
jq -e '.training | .epoch_count == 2 and .steps_per_epoch == 25 and .mode == 4 and .grad_zeros > .grad_zeros_before' "$4"
jq -e '.training.final_accuracy == .training.epochs[1].test_accuracy' "$4"
jq -e '.config.accel.rows == 16 and .config.dataset.name == "fashion-mnist"' "$4"
echo "final accuracy $(jq .training.final_accuracy "$4")"
]] _ $<TARGET_FILE:stvp> ${CMAKE_SOURCE_DIR}/configs/train/main.yaml ${BIN}/train.elf ${_results_json})
set_tests_properties(integration.results_training_jq PROPERTIES
  ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 300)
# A program that reports nothing has no training block, and still a config object.
add_test(NAME integration.results_none_from_hello
  COMMAND bash -c [[
set -e
"$1" --config "$2" --quiet --firmware "$3" --stats "$4" > /dev/null
jq -e '(has("training") | not) and (.config | type == "object") and .run.exit_code == 0' "$4"
]] _ $<TARGET_FILE:stvp> ${CFG} ${BIN}/hello.elf ${OUT}/results_none_from_hello.json)
set_tests_properties(integration.results_none_from_hello PROPERTIES
  ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 120)
# The training table (platform/reftrain/results.sh) is tabulated from the stats files: one
# short run's stats stand in for all 14 runs (TABLES_ONLY), so every row has its numbers.
add_test(NAME integration.results_table_from_json
  COMMAND bash -c [[
set -e
logs="$5/results_table_logs"; rm -rf "$logs"; mkdir -p "$logs"
"$1" --config "$2" --quiet --set dataset.train_limit=3200 --set dataset.test_limit=500 \
     --set workload.mode=sparsetrain --set workload.epochs=1 --set workload.max_steps=10 \
     --set workload.print_every=10 --firmware "$3" --stats "$logs/one.json" > /dev/null
for n in lenet300_dense lenet300_procrustes lenet300_procrustes20 lenet300_nm lenet300_sparsetrain \
         lenet300_procrustes_sparsetrain lenet300_nm_sparsetrain lenet5_dense lenet5_procrustes \
         lenet5_procrustes20 lenet5_nm lenet5_sparsetrain lenet5_procrustes_sparsetrain lenet5_nm_sparsetrain; do
  cp "$logs/one.json" "$logs/$n.json"; echo 1.5 > "$logs/$n.wall"
done
TABLES_ONLY=1 LOGS="$logs" OUT="$logs/training.md" bash "$4" "$5" 2>/dev/null
acc=$(jq -r '.training.final_accuracy * 100' "$logs/one.json")
cyc=$(jq -r '.training.train_cycles' "$logs/one.json")
cat "$logs/training.md" | grep '^| lenet'
[ "$(grep -c '^| lenet' "$logs/training.md")" = 14 ]
row=$(grep '^| lenet300 | sparsetrain |' "$logs/training.md")
echo "$row" | grep -q "| 1 epochs x 10 steps | $(printf '%.2f' "$acc")% | 1.0000 | 0\.[0-9]\{4\} |"
echo "$row" | grep -q "| $(printf '%.3e' "$cyc") | .* | 1.00x | 1.00 | 1.5 s |"
grep -q '^| lenet5 | procrustes-20% |' "$logs/training.md"
]] _ $<TARGET_FILE:stvp> ${CMAKE_SOURCE_DIR}/configs/train/main.yaml ${BIN}/train.elf
     ${CMAKE_SOURCE_DIR}/platform/reftrain/results.sh ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(integration.results_table_from_json PROPERTIES
  ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 300)
