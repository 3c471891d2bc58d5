# Runs the same short training on the VP with workload.augment none and flip and checks that
# the per-step loss traces ("trace step" lines, workload.print_every=1) differ from the first
# step on (same W0, some inputs mirrored) and that the flip run says it flips. Invoked as
#   cmake -DSTVP=... -DFIRMWARE=train.elf -DOUT=prefix -DARGS="a@@b" -P flip_changes_losses.cmake
string(REPLACE "@@" ";" ARGS "${ARGS}")
foreach(aug none flip)
  execute_process(COMMAND ${STVP} --quiet ${ARGS} --set workload.augment=${aug} --firmware ${FIRMWARE}
    RESULT_VARIABLE code OUTPUT_FILE ${OUT}_${aug}.txt ERROR_VARIABLE err TIMEOUT 300)
  if(NOT code STREQUAL "0")
    message(FATAL_ERROR "stvp (augment ${aug}) exit code ${code}\n${err}")
  endif()
  file(STRINGS ${OUT}_${aug}.txt trace_${aug} REGEX "^trace step ")
  list(LENGTH trace_${aug} n_${aug})
  if(n_${aug} EQUAL 0)
    message(FATAL_ERROR "no trace lines in ${OUT}_${aug}.txt")
  endif()
endforeach()
file(READ ${OUT}_flip.txt flip_out)
if(NOT flip_out MATCHES "training images flipped left-right")
  message(FATAL_ERROR "the flip run does not say it flips")
endif()
list(GET trace_none 0 first_none)
list(GET trace_flip 0 first_flip)
if(NOT n_none EQUAL n_flip OR first_none STREQUAL first_flip)
  message(FATAL_ERROR "flip did not change the first step's loss:\n  none: ${first_none}\n  flip: ${first_flip}")
endif()
message("flip: PASS (${first_none} -> ${first_flip})")
