# Debugging facilities (platform/src/debugging.h): GDB stub, VCD, transaction log, hang
# diagnosis; the programs are sw/debug_demo scenarios (see its README).
set(DEMO ${BIN}/debug_demo.elf)

# ---- GDB: gdb-multiarch in batch mode against --gdb 0 (a free port each, so cases run in parallel) ----
find_program(GDB_MULTIARCH gdb-multiarch)
if(NOT GDB_MULTIARCH)
  message(WARNING "gdb-multiarch not found (platform/scripts/install-deps.sh installs it): GDB cases skipped")
else()
  # stvp_gdb_case(NAME CODE <exit> ARGS <stvp args> GDB <commands> EXPECT <regexes>)
  function(stvp_gdb_case name)
    cmake_parse_arguments(G "" "CODE" "ARGS;GDB;EXPECT" ${ARGN})
    add_test(NAME integration.${name}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/gdb_session.sh $<TARGET_FILE:stvp> ${DEMO} ${OUT} ${name} ${G_CODE}
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
        "info registers pc" "monitor time" "continue"
    EXPECT "_start \\(\\) at .*crt0.S" "Breakpoint 1, main \\(\\)" "Breakpoint 2, demo_sum \\(n=n@entry=4\\)" "\\$1 = 4" "\\$3 = 1"
           "<demo_table>:[ \t]+0x11111111[ \t]+0x22222222[ \t]+0x33333333[ \t]+0x44444444"
           "^pc +0x800" "simulated time [0-9.]+ ns" "exited with code 052"
           "debug_demo: counter 42 sum 0x33333333" "\"exit_reason\": \"exit\"")
  # Halting freezes simulated time: two `monitor time` half a second of wall time apart agree.
  stvp_gdb_case(gdb_time_frozen CODE 2 ARGS --config ${CFG} --arg 0
    GDB "break demo_sum" "continue" "monitor time" "shell sleep 0.5" "monitor time" "delete" "continue"
    EXPECT "twice:simulated time [0-9.]+ ns.*instructions" "exited with code 02")
  # gdb's kill ends the run (reason gdb-kill, exit code 130); detach lets it run to the end.
  stvp_gdb_case(gdb_kill CODE 130 ARGS --config ${CFG} --arg 0
    GDB "break demo_sum" "continue" "kill"
    EXPECT "Breakpoint 1, demo_sum" "\"exit_reason\": \"gdb-kill\"")
  stvp_gdb_case(gdb_detach CODE 2 ARGS --config ${CFG} --arg 0
    GDB "break demo_sum" "continue" "detach"
    EXPECT "Breakpoint 1, demo_sum" "debug_demo: counter 2 sum 0xaaaaaaaa")
endif()
