# Integration cases for the DMA and accelerator drivers and their sw/ programs
# (sw/dma_test, sw/accel_ops, sw/accel_step, sw/accel_errors). Uses ${RUN} and ${BIN} from
# cases.cmake.

stvp_case(dma_test CODE 0 ARGS ${RUN} --firmware ${BIN}/dma_test.elf
  STDOUT "DMA error 11 \\(bus error writing the destination\\) at 0x40000000.*PASS dma_test: 38 checks, 0 failed"
  REJECT_STDOUT "FAIL"
  STATS_RE "\"exit_code\": 0")
# A short quantum and a slow UART must not change what the driver sees.
stvp_case(dma_test_short_quantum_slow_uart CODE 0
  ARGS ${RUN} --set cpu.quantum_ns=100 --set uart.baud=115200 --firmware ${BIN}/dma_test.elf
  STDOUT "PASS dma_test: 38 checks, 0 failed")
