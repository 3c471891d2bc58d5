# Debugging facilities (platform/src/debugging.h): GDB stub, VCD, transaction log, hang
# diagnosis; the programs are sw/debug_demo scenarios (see its README).
set(DEMO ${BIN}/debug_demo.elf)

# ---- GDB: gdb-multiarch in batch mode against --gdb 0 (a free port each, so cases run in parallel) ----
find_program(GDB_MULTIARCH gdb-multiarch)
if(NOT GDB_MULTIARCH)
  message(WARNING "gdb-multiarch not found (platform/scripts/install-deps.sh installs it): GDB cases skipped")
else()
  # stvp_gdb_case(NAME CODE <exit> [ELF <program>] ARGS <stvp args> GDB <commands> EXPECT <regexes>)
  # (ELF: debug_demo.elf unless given)
  function(stvp_gdb_case name)
    cmake_parse_arguments(G "" "CODE;ELF" "ARGS;GDB;EXPECT" ${ARGN})
    if(NOT G_ELF)
      set(G_ELF ${DEMO})
    endif()
    add_test(NAME integration.${name}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/gdb_session.sh $<TARGET_FILE:stvp> ${G_ELF} ${OUT} ${name} ${G_CODE}
                     -- ${G_ARGS} -- ${G_GDB} -- ${G_EXPECT})
    set_tests_properties(integration.${name} PROPERTIES
      ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 300)
  endfunction()

  # Break at main, continue, step, break in a function, read the argument register, set it,
  # finish, print and set a variable, read memory, single-step an instruction, read the pc,
  # continue to the end: the exit code and the output show that the writes took effect.
  stvp_gdb_case(gdb_session CODE 42 ARGS --config ${CFG} --arg 0
    GDB "break main" "continue" "next" "break demo_sum" "continue" "print $a0" "set $a0 = 2"
        "finish" "print demo_counter" "set var demo_counter = 41" "x/4xw demo_table" "stepi"
        "info registers pc" "monitor time" "monitor diagnosis" "continue"
    EXPECT "_start \\(\\) at .*crt0.S" "Breakpoint 1, main \\(\\)" "Breakpoint 2, demo_sum \\(n=n@entry=4\\)" "\\$1 = 4" "\\$3 = 1"
           "<demo_table>:[ \t]+0x11111111[ \t]+0x22222222[ \t]+0x33333333[ \t]+0x44444444"
           "^pc +0x800" "simulated time [0-9.]+ ns" "dma: idle, done: 0 descriptor" "exited with code 052"
           "debug_demo: counter 42 sum 0x33333333" "\"exit_reason\": \"exit\"")
  # Watchpoints (Z2 write, Z3 read) are load/store triggers of the core's Sdtrig module: they
  # stop before the access, gdb steps over it and shows the old and new value after the store;
  # the read stops in demo_sum when it reads demo_table[2] (i = 2 then).
  stvp_gdb_case(gdb_watchpoints CODE 2 ARGS --config ${CFG} --arg 0
    GDB "watch demo_counter" "rwatch demo_table[2]" "continue" "continue" "print i" "continue" "delete"
        "continue"
    EXPECT "Hardware watchpoint 1: demo_counter" "Hardware read watchpoint 2: demo_table\\[2\\]"
           "Old value = 0" "New value = 1" "Value = 858993459" "^\\$1 = 2" "Old value = 1" "New value = 2"
           "exited with code 02" "debug_demo: counter 2 sum 0xaaaaaaaa")
  # An access watchpoint (Z4: a load and store trigger): crt0's .bss clear stores 0 (gdb shows
  # the value), then demo_counter = 1 (old and new value), then the read of demo_counter + 1.
  stvp_gdb_case(gdb_awatch CODE 2 ARGS --config ${CFG} --arg 0
    GDB "awatch demo_counter" "set debug remote 1" "continue" "set debug remote 0" "continue" "continue" "delete"
        "continue"
    EXPECT "Hardware access \\(read/write\\) watchpoint 1: demo_counter" "Packet received: T05awatch:800[0-9a-f]+;"
           "^Value = 0" "^_start \\(\\) at .*crt0.S" "Old value = 0" "New value = 1" "^Value = 1" "in gdb_scenario \\(\\)"
           "exited with code 02" "debug_demo: counter 2 sum 0xaaaaaaaa")
  # Halting freezes simulated time: two `monitor time` half a second of wall time apart agree.
  stvp_gdb_case(gdb_time_frozen CODE 2 ARGS --config ${CFG} --arg 0
    GDB "break demo_sum" "continue" "monitor time" "shell sleep 0.5" "monitor time" "delete" "continue"
    EXPECT "twice:simulated time [0-9.]+ ns.*instructions" "exited with code 02")
  # Ctrl-C: gdb interrupts the firmware polling forever; the pc is in the loop, the
  # diagnosis says what it polls, and kill ends the run.
  stvp_gdb_case(gdb_ctrl_c CODE 130 ARGS --config ${CFG} --arg 2 --set sim.hang_timeout_ns=0
    GDB "continue" "@sigint" "info registers pc" "monitor diagnosis" "kill"
    EXPECT "Program received signal SIGINT" "(poll_forever|stvp_read32) \\(" "cpu: polls DMA.STATUS \\(0x1001000c\\)"
           "\"exit_reason\": \"gdb-kill\"")
  # gdb's kill ends the run (reason gdb-kill, exit code 130); detach lets it run to the end.
  stvp_gdb_case(gdb_kill CODE 130 ARGS --config ${CFG} --arg 0
    GDB "break demo_sum" "continue" "kill"
    EXPECT "Breakpoint 1, demo_sum" "\"exit_reason\": \"gdb-kill\"")
  stvp_gdb_case(gdb_detach CODE 2 ARGS --config ${CFG} --arg 0
    GDB "break demo_sum" "continue" "detach"
    EXPECT "Breakpoint 1, demo_sum" "debug_demo: counter 2 sum 0xaaaaaaaa")
  # Hardware breakpoints (Z1) are triggers of the core's Sdtrig module (action 1: halt for
  # gdb): the stop reply says hwbreak. There are 4: a fifth is refused, gdb says so, and the
  # run goes on once they are deleted.
  stvp_gdb_case(gdb_hbreak CODE 2 ARGS --config ${CFG} --arg 0
    GDB "hbreak demo_sum" "set debug remote 1" "continue" "set debug remote 0" "print $pc" "print $a0" "delete"
        "hbreak main" "hbreak demo_sum" "hbreak printf" "hbreak exit" "hbreak _exit" "continue" "delete" "continue"
    EXPECT "Hardware assisted breakpoint 1 at 0x800" "Packet received: T05hwbreak" "\\$1 = .* 0x800[0-9a-f]+ <demo_sum>"
           "\\$2 = 4" "Could not insert hardware breakpoints" "exited with code 02" "debug_demo: counter 2 sum 0xaaaaaaaa")
  # The debug build (debug_demo_og: -Og -fno-omit-frame-pointer, firmware/README.md): next
  # goes line by line, step enters demo_sum, finish returns from it and from gdb_scenario into
  # main with their values; the CSRs are in the target description (info registers csr,
  # info all-registers).
  stvp_gdb_case(gdb_debug_build CODE 2 ELF ${BIN}/debug_demo_og.elf ARGS --config ${CFG} --arg 0
    GDB "break gdb_scenario" "continue" "next" "next" "step" "bt" "finish" "next" "finish" "info registers csr"
        "info all-registers" "continue"
    EXPECT "Breakpoint 1, gdb_scenario \\(\\) at .*debug_demo.c:27" "^28[ \t]+demo_counter = 1;"
           "^demo_sum \\(n=n@entry=4\\) at .*debug_demo.c:21" "^#2 .* in main \\(\\) at .*debug_demo.c"
           "Value returned is \\$1 = 2863311530" "^30[ \t]+demo_counter = demo_counter \\+ 1;"
           "in main \\(\\) at .*debug_demo.c" "Value returned is \\$2 = 2"
           "twice:^mstatus +0x1800" "twice:^mcause +0x0" "^tinfo +0x1008040" "^pmpaddr15 +0x0" "^misa +0x40101105"
           "exited with code 02")
endif()

# ---- hang diagnosis: the watchdog (sim.hang_timeout_ns) and the diagnosis on every stop ----
stvp_case(hang_polling CODE 125 ARGS ${RUN} --firmware ${DEMO} --arg 2 --set sim.hang_timeout_ns=500000
  STDERR "firmware hangs: no progress for 500.000 us: the CPU polls DMA.STATUS since [0-9.]+ us at pc 0x[0-9a-f]+ \\(in main\\).*diagnosis.*cpu: polls DMA.STATUS \\(0x1001000c\\).*dma: idle"
  STATS_RE "\"exit_reason\": \"hang\"" "\"exit_code\": 125" "\"hung\": true" "\"diagnosis\": ." "cpu: polls DMA.STATUS")
stvp_case(hang_descriptor_never_completes CODE 125 ARGS ${RUN} --firmware ${DEMO} --arg 3 --set sim.hang_timeout_ns=500000
  STDERR "the CPU sleeps in WFI since [0-9.]+ us at pc 0x[0-9a-f]+ \\(in stvp_dma_wait\\).*cpu: asleep in WFI since [0-9.]+ us.*waits for an interrupt enabled in mie \\(MEI\\).*dma: busy since [0-9.]+ us on descriptor 0x[0-9a-f]+.*plic: pending none; enabled dma\\(2\\)"
  STATS_RE "\"exit_reason\": \"hang\"" "\"sim_time_ns\": 5[0-9][0-9][0-9][0-9][0-9]\\.?[0-9]*,")
# The same copy finishes under the default timeout (1 s): a long descriptor is not a hang.
stvp_case(long_descriptor_completes CODE 4 ARGS ${RUN} --firmware ${DEMO} --arg 3
  STATS_RE "\"hung\": false" "\"bytes_copied\": 67108864")
stvp_case(wfi_deadlock_diagnosis CODE 125 ARGS ${RUN} --firmware ${DEMO} --arg 4
  STDERR "waits in WFI at pc 0x[0-9a-f]+ \\(in main\\).*cpu: halted \\(before: asleep in WFI since [0-9.]+ us\\).*dma: idle \\(last chain done\\).*INT_STATUS 0x00000001, INT_ENABLE 0x00000000 \\(a cause is set whose interrupt is disabled\\)"
  STATS_RE "\"exit_reason\": \"wfi-deadlock\"" "a cause is set whose interrupt is disabled")
# A 20 ms timer sleep with a 1 ms hang timeout: asleep with an alarm set is not a hang.
stvp_case(timed_sleep_is_not_a_hang CODE 0 ARGS ${RUN} --firmware ${DEMO} --arg 5 --set sim.hang_timeout_ns=1000000
  STDOUT "debug_demo: slept 20 ms" STATS_RE "\"hung\": false")
stvp_case(max_time_diagnosis CODE 124 ARGS ${RUN} --firmware ${DEMO} --arg 2 --max-time 200us --set sim.hang_timeout_ns=0
  STDERR "simulated time limit reached.*diagnosis.*cpu: polls DMA.STATUS.*last progress at [0-9.]+ us: write to UART.TXDATA by cpu"
  STATS_RE "\"exit_reason\": \"max-time\"" "\"diagnosis\": .")
# A run that ends with the firmware's verdict has no diagnosis.
stvp_case(no_diagnosis_on_exit CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf
  STATS_RE "\"debug\": {" "\"hang_timeout_ns\": 1000000000")

# ---- VCD: scopes per module, the firmware's window ($dumpoff/$dumpon), selection ----
stvp_case(vcd_scopes_and_window CODE 0 ARGS ${RUN} --firmware ${DEMO} --arg 1
  STDOUT "vcd scenario done"
  VCD_RE "\\$timescale 1 ps \\$end" "\\$scope module cpu \\$end" "\\$var wire 32 [^ ]+ pc \\[31:0\\] \\$end"
         "\\$scope module dma \\$end" "\\$var wire 1 [^ ]+ busy \\$end" "\\$scope module accel \\$end"
         "\\$scope module units \\$end" "\\$var real 64 [^ ]+ pe_utilisation" "\\$var real 64 [^ ]+ pruner \\$end"
         "\\$var real 64 [^ ]+ decoder \\$end" "\\$scope module irq \\$end"
         "\\$dumpoff" "\\$dumpon" "\\$var wire 32 [^ ]+ marker \\[31:0\\] \\$end")
# The committed GTKWave view against a real VCD, in gtkwave itself on a virtual display. Runs
# where gtkwave and xvfb-run are installed (not project dependencies: GUI packages).
find_program(GTKWAVE gtkwave)
find_program(XVFB_RUN xvfb-run)
if(GTKWAVE AND XVFB_RUN)
  add_test(NAME integration.gtkwave_view
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/gtkw_check.sh $<TARGET_FILE:stvp> ${DEMO}
                   ${CMAKE_SOURCE_DIR}/traces/stvp.gtkw ${CMAKE_SOURCE_DIR}/traces/stvp.tcl
                   ${CMAKE_BINARY_DIR}/traces/filters ${OUT})
  set_tests_properties(integration.gtkwave_view PROPERTIES
    ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 180 PASS_REGULAR_EXPRESSION "^PASS")
else()
  message(STATUS "gtkwave or xvfb-run not found: the GTKWave view case is skipped")
endif()
stvp_case(vcd_selection CODE 0 ARGS ${RUN} --firmware ${DEMO} --arg 1
  --set "trace.signals=[soc.irq, soc.cpu.state]" --set trace.start_ns=30000 --set trace.stop_ns=60000
  VCD_RE "\\$var wire 1 [^ ]+ mtip" "\\$var wire 32 [^ ]+ state" "#30000000\n\\$dumpon" "#60000000\n\\$dumpoff"
  STATS_RE "\"vcd_variables\": 7,")
stvp_case(vcd_bad_window CODE 2 ARGS ${RUN} --firmware ${DEMO} --set trace.start_ns=100 --set trace.stop_ns=50 --vcd ${OUT}/bad.vcd
  STDERR "'trace.stop_ns' \\(50\\) must be after 'trace.start_ns' \\(100\\)")

# ---- transaction log ----
stvp_case(txlog_text CODE 0 ARGS ${RUN} --firmware ${DEMO} --arg 1 --txlog ${OUT}/txlog_text.log
  STATS_RE "\"txlog_records\": [1-9][0-9]*")
stvp_case(txlog_bad_filter CODE 2 ARGS ${RUN} --firmware ${DEMO} --txlog ${OUT}/bad.log --txlog-filter colour=red
  STDERR "'colour=red': unknown key")
