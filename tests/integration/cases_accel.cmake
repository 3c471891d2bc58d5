# Integration cases for the DMA and accelerator drivers and their sw/ programs
# (sw/dma_test, sw/accel_ops, sw/accel_step, sw/accel_errors). Uses ${RUN} and ${BIN} from
# cases.cmake. (The accelerator device's own cases are in cases_accel_device.cmake.)

# ---- system DMA driver ----
stvp_case(dma_test CODE 0 ARGS ${RUN} --firmware ${BIN}/dma_test.elf
  STDOUT "DMA error 11 \\(bus error writing the destination\\) at 0x40000000.*PASS dma_test: 38 checks, 0 failed"
  REJECT_STDOUT "FAIL"
  STATS_RE "\"exit_code\": 0" "\"bytes_copied\": [1-9]")
# A short quantum and a slow UART must not change what the driver sees.
stvp_case(dma_test_short_quantum_slow_uart CODE 0
  ARGS ${RUN} --set cpu.quantum_ns=100 --set uart.baud=115200 --firmware ${BIN}/dma_test.elf
  STDOUT "PASS dma_test: 38 checks, 0 failed")

# ---- accelerator driver ----
# Every op against the CPU reference.
stvp_case(accel_ops CODE 0 ARGS ${RUN} --firmware ${BIN}/accel_ops.elf
  STDOUT "PASS CONV_BWD_WEIGHT s2 bias .*PASS SOFTMAX_XENT 8x10 .*PASS accel_ops: 19 ops, 0 failed"
  REJECT_STDOUT "FAIL")
# One training step as one chain of ten descriptors.
stvp_case(accel_step CODE 0 ARGS ${RUN} --firmware ${BIN}/accel_step.elf
  STDOUT "PASS chain: 10 of 10 descriptors.*PASS W1 .*PASS accel_step: 1 steps, 15 checks, 0 failed"
  REJECT_STDOUT "FAIL"
  STATS_RE "\"chains\": 1," "\"chains_failed\": 0," "\"descriptors\": 10,")
# Five steps on the same batch: the loss must fall.
stvp_case(accel_step_5 CODE 0 ARGS ${RUN} --firmware ${BIN}/accel_step.elf --arg 5
  STDOUT "PASS learning: loss .*PASS accel_step: 5 steps, 76 checks, 0 failed")
# Bad descriptors and registers, control writes while busy, recovery.
stvp_case(accel_errors CODE 0 ARGS ${RUN} --firmware ${BIN}/accel_errors.elf
  STDOUT "accel error 10 \\(operand address not 4-byte aligned\\) in descriptor 0 \\(FC_FWD\\): field src1 \\(W\\) = 0x[0-9a-f]+, 0 descriptors done.*PASS accel_errors: 87 checks, 0 failed"
  REJECT_STDOUT "FAIL"
  STATS_RE "\"chains_failed\": [1-9][0-9]" "\"commands_rejected\": 4,")
# The driver's waits and the device's register timing must not depend on the CPU's quantum.
stvp_case(accel_errors_short_quantum CODE 0 ARGS ${RUN} --set cpu.quantum_ns=100 --firmware ${BIN}/accel_errors.elf
  STDOUT "PASS accel_errors: 87 checks, 0 failed")
