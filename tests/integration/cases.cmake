# Integration cases: each boots a program on the stvp program (see stvp_case in CMakeLists.txt).
set(RUN --config ${CFG} --quiet)

# ---- programs that report their verdict through the exit code ----
stvp_case(hello CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf --arg 7 --arg 42
  STDOUT "Hello from stvp!.*misa     0x40001105 \\(RV32ACIM\\).*2 arguments 7 42.*Goodbye"
  STATS_RE "\"exit_reason\": \"exit\"" "\"exit_code\": 0" "\"instructions\": [1-9]" "\"mips\": ")

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
stvp_case(cli_unknown_option CODE 2 ARGS --frimware x.elf STDERR "unrecognised option|unrecognized option")
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
stvp_case(preload_unmapped CODE 3 ARGS ${RUN} --firmware ${BIN}/hello.elf --load ${CFG}@0x40000000
  STDERR "is not in writable memory \\(0x40000000 is unmapped\\)")

# ---- runaway firmware: limits stop it cleanly, with stats ----
stvp_case(limit_instructions CODE 124 ARGS ${RUN} --firmware ${BIN}/hello.elf --max-instructions 500
  STDERR "instruction limit reached"
  STATS_RE "\"exit_reason\": \"max-instructions\"" "\"instructions\": 500,")
