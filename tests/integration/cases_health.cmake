# Accelerator health counters and buffer occupancy (sw/accel_health; accel.def NAN_COUNT,
# INF_COUNT, NONFINITE_DESC, INT_STATUS.NONFINITE; the accelerator's gb_occupancy signal).
# Uses ${RUN} and ${BIN} from cases.cmake.

# The firmware's verdict on the registers; the stats: totals since start (2 NaN, 4 Inf), per
# (layer, phase) (layer 0 fwd: 2 NaN 2 Inf; update: 2 Inf), and the diagnosis hook reads the
# registers (0 after the program's soft reset). The VCD: gb_occupancy under the accelerator's
# scope, 128 bytes (the 2x3x2 FC's 16-word tile set, double-buffered) during the FC ops.
stvp_case(accel_health CODE 0 ARGS ${RUN} --firmware ${BIN}/accel_health.elf
  STDOUT "PASS NAN_COUNT 2, INF_COUNT 2.*PASS INT_STATUS.NONFINITE seen by the polling wait.*PASS accel_health: 10 checks, 0 failed"
  REJECT_STDOUT "FAIL"
  STATS_RE "\"total\": {[^}]*\"nan\": 2,[ \n]*\"inf\": 4,"
           "\"phase\": \"fwd\",[^}]*\"nan\": 2,[ \n]*\"inf\": 2,"
           "\"phase\": \"update\",[^}]*\"nan\": 0,[ \n]*\"inf\": 2,"
           "\"accel_nonfinite\": {[ \n]*\"nan\": 0,[ \n]*\"inf\": 0"
  VCD_RE "\\$scope module accel \\$end[^$]*(\\$var [^\n]*\n)*\\$var wire 32 [^ ]+ gb_occupancy \\[31:0\\] \\$end"
         "\nb10000000 [^\n]+\n")
# The hang diagnosis reports the device's counters (SocParts::accel_nonfinite) in its
# accelerator line and in the stats' debug section.
stvp_case(accel_health_diagnosis CODE 125 ARGS ${RUN} --firmware ${BIN}/accel_health.elf --arg 1
  --set sim.hang_timeout_ns=200000
  STDOUT "PASS INT_STATUS.NONFINITE seen by the polling wait.*accel_health: polling forever"
  STDERR "firmware hangs: .*accel: idle.*non-finite results: 2 NaN, 4 Inf"
  STATS_RE "\"exit_reason\": \"hang\"" "\"accel_nonfinite\": {[ \n]*\"nan\": 2,[ \n]*\"inf\": 4")
