# Runs one training configuration on the VP (stvp + train.elf) and checks its per-step losses
# and test results against the host reference trainer (stvp_reftrain --compare). Invoked as
#   cmake -DSTVP=... -DREFTRAIN=... -DFIRMWARE=train.elf -DLOG=out.txt -DARGS="a@@b" -P compare_vp.cmake
# ARGS are the options both programs share (--config, --set; workload.print_every=1 for the per-step losses).
string(REPLACE "@@" ";" ARGS "${ARGS}")
execute_process(COMMAND ${STVP} --quiet ${ARGS} --firmware ${FIRMWARE}
  RESULT_VARIABLE code OUTPUT_FILE ${LOG} ERROR_VARIABLE err TIMEOUT 300)
if(NOT code STREQUAL "0")
  file(READ ${LOG} out)
  message(FATAL_ERROR "stvp exit code ${code}\n${out}\n${err}")
endif()
execute_process(COMMAND ${REFTRAIN} ${ARGS} --compare ${LOG}
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
string(REGEX MATCH "compare: [^\n]*" verdict "${out}")
message("${verdict}")
if(NOT code STREQUAL "0" OR NOT verdict MATCHES "^compare: PASS")
  message(FATAL_ERROR "stvp_reftrain exit code ${code}\n${out}\n${err}")
endif()
