# Integration cases: each boots a program on the stvp program (see stvp_case in CMakeLists.txt).
set(RUN --config ${CFG} --quiet)

# ---- programs that report their verdict through the exit code ----
stvp_case(hello CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf --arg 7 --arg 42
  STDOUT "Hello from stvp!.*misa     0x40101105 \\(RV32ACIMU\\).*2 arguments 7 42.*Goodbye"
  STATS_RE "\"exit_reason\": \"exit\"" "\"exit_code\": 0" "\"instructions\": [1-9]" "\"mips\": ")

foreach(t rv32i:460 rv32m:151 rv32a:92 rv32c:77 zicsr:60)
  string(REPLACE ":" ";" t ${t})
  list(GET t 0 ext)
  list(GET t 1 count)
  stvp_case(isa_${ext} CODE 0 ARGS ${RUN} --firmware ${BIN}/isa_${ext}.elf
    STDOUT "PASS isa_${ext}: ${count} tests" REJECT_STDOUT "FAIL")
endforeach()
# The same suites without DMI: every access goes through b_transport and the router.
stvp_case(isa_rv32i_no_dmi CODE 0 ARGS ${RUN} --set cpu.dmi=false --firmware ${BIN}/isa_rv32i.elf
  STDOUT "PASS isa_rv32i: 460 tests")
stvp_case(isa_rv32c_no_dmi CODE 0 ARGS ${RUN} --set cpu.dmi=false --firmware ${BIN}/isa_rv32c.elf
  STDOUT "PASS isa_rv32c: 77 tests")
stvp_case(traps CODE 0 ARGS ${RUN} --firmware ${BIN}/traps.elf STDOUT "PASS traps: 34 checks, 0 failed")
# cpu.misaligned=emulate reaches the core: the misaligned loads/stores no longer trap (the
# traps program's misaligned checks then fail), while misaligned AMOs still do.
stvp_case(traps_misaligned_emulate CODE 1 ARGS ${RUN} --set cpu.misaligned=emulate --firmware ${BIN}/traps.elf
  STDOUT "FAIL misaligned: lw \\+1: count=0.*PASS misaligned: amoadd.w")
stvp_case(config_bad_misaligned CODE 2 ARGS ${RUN} --set cpu.misaligned=sometimes --firmware ${BIN}/hello.elf
  STDERR "'cpu.misaligned'.*sometimes")
# sw/umode_demo: the application runs in U-mode, the driver's state is guarded by PMP.
stvp_case(umode_demo CODE 0 ARGS ${RUN} --firmware ${BIN}/umode_demo.elf
  STDOUT "\\[app\\] hello from U-mode.*driver: add\\(22\\) -> 42.*driver: user store access fault: mcause 7 \\(store/AMO access fault\\), mtval 0x[0-9a-f]+, pc 0x[0-9a-f]+.*mtval is in the driver state at 0x[0-9a-f]+; state intact.*PASS umode_demo: the stray user store was stopped by PMP"
  STATS_RE "\"exit_code\": 0")
stvp_case(traps_unhandled_exception CODE 101 ARGS ${RUN} --firmware ${BIN}/traps_unhandled.elf
  STDOUT "unhandled exception: illegal instruction \\(mcause=0x00000002\\)")
stvp_case(traps_unhandled_interrupt CODE 102 ARGS ${RUN} --firmware ${BIN}/traps_unhandled.elf --arg 1
  STDOUT "unhandled interrupt \\(mcause=0x80000003\\)")
stvp_case(interrupts CODE 0 ARGS ${RUN} --firmware ${BIN}/interrupts.elf
  STDOUT "PASS interrupts: 36 checks, 0 failed"
  VCD_RE "\\$scope module soc" "\\$var wire +1 +[^ ]+ +mtip" "\\$var wire +1 +[^ ]+ +meip")
# A short quantum must not change what the firmware sees.
stvp_case(interrupts_short_quantum CODE 0 ARGS ${RUN} --set cpu.quantum_ns=100 --firmware ${BIN}/interrupts.elf
  STDOUT "PASS interrupts: 36 checks, 0 failed")
stvp_case(bench CODE 0 ARGS ${RUN} --firmware ${BIN}/bench.elf STDOUT "bench: checksum ${STVP_BENCH_CHECKSUM_5}"
  STATS_RE "\"markers\": \\[")
stvp_case(bench_arg1 CODE 0 ARGS ${RUN} --firmware ${BIN}/bench.elf --arg 1 STDOUT "bench: checksum ${STVP_BENCH_CHECKSUM_1}")

# ---- firmware that goes wrong: a trap, or a clean stop naming the PC ----
stvp_case(crash_garbage CODE 101 ARGS ${RUN} --firmware ${BIN}/crash.elf --arg 0
  STDOUT "unhandled exception: illegal instruction.*mtval=0xffffffff"
  STATS_RE "\"exit_reason\": \"exit\"" "\"exit_code\": 101")
stvp_case(crash_unmapped_load CODE 101 ARGS ${RUN} --firmware ${BIN}/crash.elf --arg 1
  STDOUT "load access fault.*mtval=0x40000000")
stvp_case(crash_unmapped_jump CODE 101 ARGS ${RUN} --firmware ${BIN}/crash.elf --arg 5
  STDOUT "instruction access fault.*mepc=0x40000000")
stvp_case(crash_trap_loop CODE 125 ARGS ${RUN} --firmware ${BIN}/crash.elf --arg 2
  STDERR "trap loop: environment call from M-mode at pc 0x[0-9a-f]+ .*handler at 0x40000000"
  STATS_RE "\"exit_reason\": \"trap-loop\"" "\"exit_code\": 125")
stvp_case(crash_wfi_deadlock CODE 125 ARGS ${RUN} --firmware ${BIN}/crash.elf --arg 3
  STDERR "waits in WFI at pc 0x[0-9a-f]+ \\(in main\\)"
  STATS_RE "\"exit_reason\": \"wfi-deadlock\"")
stvp_case(crash_runaway_time CODE 124 ARGS ${RUN} --firmware ${BIN}/crash.elf --arg 4 --max-time 2ms
  STDERR "simulated time limit reached at pc 0x[0-9a-f]+ \\(in main\\)"
  STATS_RE "\"exit_reason\": \"max-time\"" "\"sim_time_ns\": 2000000,")
stvp_case(crash_runaway_instructions CODE 124 ARGS ${RUN} --firmware ${BIN}/crash.elf --arg 4 --max-instructions 100000
  STATS_RE "\"exit_reason\": \"max-instructions\"" "\"instructions\": 100000,")

# ---- bad input: configuration ----
file(WRITE ${OUT}/unknown_key.yaml "cpu:\n  clock_hz: 1e9\n  quantm_ns: 5\n")
stvp_case(config_unknown_key CODE 2 ARGS --config ${OUT}/unknown_key.yaml --firmware ${BIN}/hello.elf
  STDERR "unknown_key.yaml:3: 'cpu.quantm_ns': unknown key")
file(WRITE ${OUT}/malformed.yaml "cpu:\n  clock_hz: [1, 2\n")
stvp_case(config_malformed CODE 2 ARGS --config ${OUT}/malformed.yaml --firmware ${BIN}/hello.elf
  STDERR "malformed.yaml:[0-9]+:[0-9]+: malformed YAML")
file(WRITE ${OUT}/overlap.yaml "memory_map:\n  uart: {base: 0x02000000}\n")
stvp_case(config_overlap CODE 2 ARGS --config ${OUT}/overlap.yaml --firmware ${BIN}/hello.elf
  STDERR "regions 'clint' .* and 'uart' .* overlap")
stvp_case(config_bad_value CODE 2 ARGS ${RUN} --set cpu.quantum_ns=0 --firmware ${BIN}/hello.elf
  STDERR "'cpu.quantum_ns': must be between 1 and")
stvp_case(config_missing_file CODE 2 ARGS --config ${OUT}/nonexistent.yaml --firmware ${BIN}/hello.elf
  STDERR "nonexistent.yaml: cannot open configuration file")
file(MAKE_DIRECTORY ${OUT}/a_directory)
stvp_case(config_is_directory CODE 2 ARGS --config ${OUT}/a_directory --firmware ${BIN}/hello.elf
  STDERR "a_directory: is a directory, not a configuration file"
  STATS_RE "\"exit_reason\": \"config-error\"" "\"exit_code\": 2")
file(WRITE ${OUT}/list_key.yaml "cpu:\n  clock_hz: 1e9\n  [a, b]: 1\n")
stvp_case(config_non_scalar_key CODE 2 ARGS --config ${OUT}/list_key.yaml --firmware ${BIN}/hello.elf
  STDERR "list_key.yaml:3: 'cpu': a key must be a plain name, got a list")
file(WRITE ${OUT}/map_key.yaml "{a: 1}: 2\n")
stvp_case(config_non_scalar_top_key CODE 2 ARGS --config ${OUT}/map_key.yaml --firmware ${BIN}/hello.elf
  STDERR "map_key.yaml:1: '\\(top level\\)': a key must be a plain name, got a map")
stvp_case(cli_unknown_option CODE 2 NO_STATS ARGS --frimware x.elf STDERR "unrecognised option|unrecognized option")
stvp_case(cli_no_firmware CODE 2 ARGS ${RUN} STDERR "no firmware given")

# ---- bad input: firmware files (stats are still written) ----
stvp_case(elf_missing CODE 3 ARGS ${RUN} --firmware ${OUT}/nonexistent.elf
  STDERR "nonexistent.elf: cannot open firmware file"
  STATS_RE "\"exit_reason\": \"load-error\"" "\"exit_code\": 3")
stvp_case(elf_not_riscv CODE 3 ARGS ${RUN} --firmware $<TARGET_FILE:stvp>
  STDERR "ELF class is 64-bit|not RISC-V"
  STATS_RE "\"exit_reason\": \"load-error\"")
file(WRITE ${OUT}/text.elf "this is not an executable\n")
stvp_case(elf_not_elf CODE 3 ARGS ${RUN} --firmware ${OUT}/text.elf STDERR "text.elf: not an ELF file")
add_custom_command(OUTPUT ${OUT}/truncated.elf
  COMMAND dd if=${BIN}/hello.elf of=${OUT}/truncated.elf bs=300 count=1 status=none
  DEPENDS target_sw VERBATIM)
add_custom_target(integration_inputs ALL DEPENDS ${OUT}/truncated.elf)
stvp_case(elf_truncated CODE 3 ARGS ${RUN} --firmware ${OUT}/truncated.elf STDERR "truncated ELF")
stvp_case(preload_missing CODE 3 ARGS ${RUN} --firmware ${BIN}/hello.elf --load ${OUT}/nope.bin@0x90000000
  STDERR "preload .*nope.bin: cannot open data file")
stvp_case(elf_is_directory CODE 3 ARGS ${RUN} --firmware ${OUT}/a_directory
  STDERR "a_directory: is a directory, not a firmware file"
  STATS_RE "\"exit_reason\": \"load-error\"" "\"exit_code\": 3")
stvp_case(preload_is_directory CODE 3 ARGS ${RUN} --firmware ${BIN}/hello.elf --load ${OUT}/a_directory@0x90000000
  STDERR "preload .*a_directory: is a directory, not a data file"
  STATS_RE "\"exit_reason\": \"load-error\"")
stvp_case(itrace_is_directory CODE 3 ARGS ${RUN} --firmware ${BIN}/hello.elf --itrace ${OUT}/a_directory
  STDERR "--itrace .*a_directory: is a directory, not a trace file"
  STATS_RE "\"exit_reason\": \"load-error\"")
stvp_case(itrace_unwritable CODE 3 ARGS ${RUN} --firmware ${BIN}/hello.elf --itrace ${OUT}/nonexistent_dir/trace.txt
  STDERR "cannot write the trace file")
stvp_case(preload_unmapped CODE 3 ARGS ${RUN} --firmware ${BIN}/hello.elf --load ${CFG}@0x40000000
  STDERR "is not in writable memory \\(0x40000000 is unmapped\\)")

# ---- runaway firmware: limits stop it cleanly, with stats ----
stvp_case(limit_instructions CODE 124 ARGS ${RUN} --firmware ${BIN}/hello.elf --max-instructions 500
  STDERR "instruction limit reached"
  STATS_RE "\"exit_reason\": \"max-instructions\"" "\"instructions\": 500,")

# ---- standard riscv-tests-style program: HTIF tohost, no BSP ----
stvp_case(htif CODE 0 ARGS ${RUN} --firmware ${BIN}/htif.elf
  STATS_RE "\"exit_reason\": \"htif\"" "\"exit_code\": 0")

# ---- the data set preload (Debian's dataset-fashion-mnist) ----
stvp_case(dataset_fashion_mnist CODE 0 ARGS ${RUN} --set dataset.name=fashion-mnist --firmware ${BIN}/hello.elf
  STATS_RE "\"train_samples\": 60000" "\"test_samples\": 10000")
stvp_case(dataset_missing CODE 3 ARGS ${RUN} --set dataset.name=fashion-mnist --set dataset.dir=/nonexistent
  --firmware ${BIN}/hello.elf
  STDERR "data set fashion-mnist: /nonexistent/train-images-idx3-ubyte.gz: cannot open data file"
  STATS_RE "\"exit_reason\": \"load-error\"")
stvp_case(dataset_outside_dram CODE 3 ARGS ${RUN} --set dataset.name=fashion-mnist --set dataset.address=0x40000000
  --firmware ${BIN}/hello.elf STDERR "is not in writable memory \\(0x40000000 is unmapped\\)")
stvp_case(config_fractional_timebase CODE 2 ARGS ${RUN} --set clint.timebase_hz=1.5 --firmware ${BIN}/hello.elf
  STDERR "'clint.timebase_hz': must be a whole number"
  STATS_RE "\"exit_reason\": \"config-error\"")
