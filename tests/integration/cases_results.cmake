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
