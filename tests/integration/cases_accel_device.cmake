# Integration cases for the accelerator device itself (models/accel): it is part of every SoC,
# so a program that never touches it still boots, and its stats, VCD signals, configuration
# keys and scratchpad region behave. Uses ${RUN}, ${BIN}, ${CFG} and ${OUT} from cases.cmake.

# hello still runs with the accelerator wired in; the stats and the VCD show it idle.
stvp_case(accel_idle_hello CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf
  STDOUT "Hello from stvp!.*Goodbye"
  STATS_RE "\"accel\": \\{" "\"chains\": 0" "\"commands_rejected\": 0" "\"busy_time_ns\": 0"
  VCD_RE "\\$scope module accel" "\\$var wire +1 +[^ ]+ +busy" "\\$var wire +32 +[^ ]+ +phase" "\\$var wire +1 +[^ ]+ +accel")
# Per (layer, phase) stats of a program that runs every op (sw/accel_ops).
stvp_case(accel_ops_stats CODE 0 ARGS ${RUN} --firmware ${BIN}/accel_ops.elf
  STATS_RE "\"chains_failed\": 0" "\"phase\": \"fwd\"" "\"phase\": \"bwd_data\"" "\"phase\": \"bwd_weight\""
           "\"phase\": \"update\"" "\"phase\": \"loss\"" "\"phase\": \"copy\"" "\"macs\": [1-9]" "\"total\": [1-9]")
# accel.* keys: a bad value is a configuration error naming the key.
stvp_case(accel_config_bad_rows CODE 2 ARGS ${RUN} --set accel.rows=0 --firmware ${BIN}/hello.elf
  STDERR "accel.rows")
stvp_case(accel_config_spad_too_big CODE 2 ARGS ${RUN} --set accel.spad_bytes=0x2000000 --firmware ${BIN}/hello.elf
  STDERR "accel.spad_bytes")
# The scratchpad is RAM for preloads; past its configured size it is not.
stvp_case(accel_preload_spad CODE 0 ARGS ${RUN} --firmware ${BIN}/hello.elf --load ${CFG}@0x12000000)
stvp_case(accel_preload_past_spad CODE 3 ARGS ${RUN} --firmware ${BIN}/hello.elf --load ${CFG}@0x1201FF00
  STDERR "beyond the end of 'spad'")
