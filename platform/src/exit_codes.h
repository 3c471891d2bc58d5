// Process exit codes of the stvp program. A run that the firmware ends (simctrl EXIT or HTIF
// tohost) exits with the firmware's code (0..255); everything else uses one of these, which
// firmware conventionally avoids. Documented in --help and the README.
#pragma once

#include <cstdint>

namespace stvp::exit_code {
constexpr int kUsage = 2;          // bad command line or configuration
constexpr int kLoad = 3;           // firmware ELF or data file refused
constexpr int kInternal = 70;      // simulator error (EX_SOFTWARE)
constexpr int kLimit = 124;        // --max-time or --max-instructions reached (like timeout(1))
constexpr int kGuestFatal = 125;   // firmware cannot continue: trap loop, WFI with nothing to wake it
constexpr int kInterrupted = 130;  // SIGINT/SIGTERM

// HTIF (riscv-tests) results: tohost = 1 passes, (n << 1) | 1 says test n failed. Test numbers
// would collide with the codes above (test 2 failing is not "bad command line"), so every
// failure exits 1; the number is in the message and the stats.
constexpr int kHtifPass = 0;
constexpr int kHtifFail = 1;
constexpr int htif_exit_code(uint32_t tohost) { return (tohost >> 1) == 0 ? kHtifPass : kHtifFail; }
}  // namespace stvp::exit_code
