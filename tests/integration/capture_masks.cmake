# Mask capture on the VP (capture.* keys; models/accel/capture): boots train.elf with capture on
# and off, checks that capture changes none of the program's output (losses, accuracy, simulated
# times, accelerator cycles and energy as printed) and that the file holds every chosen step with
# the layer shapes of LeNet-5. Invoked as
#   cmake -DSTVP=... -DFIRMWARE=train.elf -DOUT=dir -DMASKS=file -DARGS="a@@b" -P capture_masks.cmake
string(REPLACE "@@" ";" ARGS "${ARGS}")
foreach(mode off on)
  set(extra)
  if(mode STREQUAL "on")
    set(extra --set capture.masks=${MASKS} --set "capture.steps=[0,3,5]")
  endif()
  execute_process(COMMAND ${STVP} --quiet ${ARGS} ${extra} --firmware ${FIRMWARE}
    RESULT_VARIABLE code OUTPUT_FILE ${OUT}/capture_${mode}.txt ERROR_VARIABLE err TIMEOUT 300)
  if(NOT code STREQUAL "0")
    message(FATAL_ERROR "stvp (capture ${mode}) exit code ${code}\n${err}")
  endif()
endforeach()
file(READ ${OUT}/capture_off.txt off)
file(READ ${OUT}/capture_on.txt on)
if(NOT off STREQUAL on)
  message(FATAL_ERROR "capture changed the run's output:\n--- off\n${off}\n--- on\n${on}")
endif()
if(NOT on MATCHES "trace step 6 loss" OR NOT on MATCHES "accel training  cycles [1-9]")
  message(FATAL_ERROR "unexpected training output:\n${on}")
endif()
file(STRINGS ${MASKS} records REGEX "^  - {step: ")
list(LENGTH records n)
if(NOT n EQUAL 45)
  message(FATAL_ERROR "expected 3 steps x 5 layers x 3 maps = 45 records, found ${n}:\n${records}")
endif()
foreach(re
    "step: 0, layer: 1, map: inputs, dims: \\[64, 1, 28, 28\\]"
    "step: 3, layer: 3, map: weights, dims: \\[16, 6, 5, 5\\]"
    "step: 5, layer: 3, map: output_grads, dims: \\[64, 16, 10, 10\\]"
    "step: 5, layer: 7, map: output_grads, dims: \\[64, 10, 1, 1\\], ones: 640,")
  if(NOT records MATCHES "${re}")
    message(FATAL_ERROR "no record matching '${re}' in:\n${records}")
  endif()
endforeach()
# Pruned (or ReLU-masked) output gradients have zeros; the logits' gradient has none.
string(REGEX MATCH "step: 3, layer: 5, map: output_grads, dims: \\[64, 120, 1, 1\\], ones: ([0-9]+)" m "${records}")
if(NOT CMAKE_MATCH_1 OR NOT CMAKE_MATCH_1 LESS 7680)
  message(FATAL_ERROR "fc1's output gradient map has '${CMAKE_MATCH_1}' of 7680 non-zeros")
endif()
message("capture: PASS ${n} records, output unchanged by capture")
