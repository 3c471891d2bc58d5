# The everyday run: what stvp prints on stderr at each output level, Ctrl-C at any moment,
# HTIF exit codes apart from stvp's own, byte-identical repeated runs, compressed traces, a
# crafted data set.
set(MAIN_SHORT --config ${CMAKE_SOURCE_DIR}/configs/train/main.yaml --set dataset.train_limit=6400
    --set dataset.test_limit=1000 --set workload.epochs=1 --set workload.max_steps=20
    --set workload.print_every=10 --firmware ${BIN}/train.elf)

function(stvp_script_case name timeout)
  add_test(NAME integration.${name} COMMAND ${ARGN})
  set_tests_properties(integration.${name} PROPERTIES
    ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT ${timeout} PASS_REGULAR_EXPRESSION "^PASS")
endfunction()

# ---- output levels ----
# Default: preload progress and a short summary (firmware time vs simulated time, MIPS over
# the CPU's active time), no configuration dump, at most 10 lines.
stvp_script_case(output_default 300 ${CMAKE_CURRENT_SOURCE_DIR}/output_check.sh 10
  "data set fashion-mnist: 7400 samples preloaded in|@|stopped: exit \\(exit code 0\\) at [0-9.]+ [mun]?s simulated|@|a time the firmware prints|@|the CPU ran [0-9.]+ s of it at [1-9][0-9]* MIPS \\(WFI excluded\\)"
  "effective configuration|@|^  [a-z_]+:" $<TARGET_FILE:stvp> ${MAIN_SHORT})
# -q: the one summary line.
stvp_script_case(output_quiet 300 ${CMAKE_CURRENT_SOURCE_DIR}/output_check.sh 1
  "^stvp: stopped: exit \\(exit code 0\\) at [0-9.]+ [mun]?s simulated. [0-9]+ instructions. [0-9.]+ s host, [0-9]+ MIPS while the CPU runs"
  - $<TARGET_FILE:stvp> -q ${MAIN_SHORT})
# --silent: nothing but errors.
stvp_script_case(output_silent 60 ${CMAKE_CURRENT_SOURCE_DIR}/output_check.sh 0 - -
  $<TARGET_FILE:stvp> --silent --config ${CFG} --firmware ${BIN}/hello.elf)
stvp_script_case(output_silent_error 60 ${CMAKE_CURRENT_SOURCE_DIR}/output_check.sh 1 "cannot open firmware file" -
  $<TARGET_FILE:stvp> --silent --config ${CFG} --firmware ${OUT}/nonexistent.elf)
# --verbose: the effective configuration, with the trace path given on the command line.
stvp_script_case(output_verbose 60 ${CMAKE_CURRENT_SOURCE_DIR}/output_check.sh 400
  "stvp: effective configuration|@|^  vcd: \"?${OUT}/verbose.vcd.gz\"?|@|^  date: .?now" -
  $<TARGET_FILE:stvp> -v --config ${CFG} --firmware ${BIN}/hello.elf --vcd ${OUT}/verbose.vcd.gz)
# The stats' recorded configuration has it too.
stvp_case(vcd_path_in_config CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf --vcd ${OUT}/config_path.vcd
  STATS_RE "\"vcd\": \"[^\"]*/config_path\\.vcd\"")

# ---- Ctrl-C at any moment: exit 130, stats written with "interrupted": true ----
set(MAIN_FULL --config ${CMAKE_SOURCE_DIR}/configs/train/main.yaml --firmware ${BIN}/train.elf)
stvp_script_case(interrupt_at_0_5s 120 ${CMAKE_CURRENT_SOURCE_DIR}/interrupt_check.sh 0.5 ${OUT}/interrupt_0_5s.json
  $<TARGET_FILE:stvp> ${MAIN_FULL})
stvp_script_case(interrupt_at_2s 120 ${CMAKE_CURRENT_SOURCE_DIR}/interrupt_check.sh 2 ${OUT}/interrupt_2s.json
  $<TARGET_FILE:stvp> ${MAIN_FULL})
stvp_script_case(interrupt_in_training 300 ${CMAKE_CURRENT_SOURCE_DIR}/interrupt_check.sh "line:epoch 1 step"
  ${OUT}/interrupt_training.json $<TARGET_FILE:stvp> ${MAIN_FULL})

# ---- HTIF: a failing test exits 1, never 2, 3, 70, 124, 125 or 130 ----
foreach(n 2 130)
  stvp_case(htif_fail_test${n} CODE 1 ARGS ${RUN} --firmware ${BIN}/htif_fail${n}.elf
    STDERR "HTIF tohost: test ${n} failed"
    STATS_RE "\"exit_reason\": \"htif\"" "\"exit_code\": 1," "\"message\": \"HTIF tohost: test ${n} failed\"")
endforeach()

# ---- determinism: same inputs, same stats and traces (trace.date fixed) ----
stvp_script_case(determinism 300 ${CMAKE_CURRENT_SOURCE_DIR}/determinism_check.sh ${OUT} vcd.gz
  $<TARGET_FILE:stvp> -q ${MAIN_SHORT})
# The default $date is the host's time; trace.date sets it or (empty) leaves it out.
stvp_case(vcd_date_fixed CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf --set "trace.date=2026-01-01"
  VCD_RE "^\\$date 2026-01-01 \\$end\n\\$version stvp")
stvp_case(vcd_date_omitted CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf --set "trace.date="
  VCD_RE "^\\$version stvp \\$end")
stvp_case(vcd_date_now CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf
  VCD_RE "^\\$date [0-9]+-[0-9]+-[0-9]+ [0-9:]+ \\$end")

# ---- a crafted data set whose size fields overflow: exit 3, file and field named ----
stvp_script_case(dataset_overflow 60 ${CMAKE_CURRENT_SOURCE_DIR}/dataset_overflow.sh $<TARGET_FILE:stvp>
  ${BIN}/train.elf ${OUT})

# ---- every traced signal is documented in traces/README.md ----
stvp_script_case(trace_signals_documented 60 ${CMAKE_CURRENT_SOURCE_DIR}/trace_doc_check.sh $<TARGET_FILE:stvp>
  ${BIN}/hello.elf ${CMAKE_SOURCE_DIR}/traces/README.md ${OUT})

# ---- MIPS over the CPU's active time (WFI excluded), on an accelerator-bound run ----
stvp_script_case(mips_over_active_time 300 ${CMAKE_CURRENT_SOURCE_DIR}/active_time_check.sh ${OUT}/active_time.json
  $<TARGET_FILE:stvp> ${MAIN_SHORT})
