// The CLINT's configurable parameters, plain data without SystemC, and their clint.* keys
// declared once (common/config_keys.h): the TLM CLINT's ClintConfig (clint.h) adds the SystemC
// side, the platform binds the keys into its YAML schema. Header-only.
#pragma once

#include "common/config_keys.h"
#include "stvp/hw/timebase.h"

namespace stvp {

struct ClintParams {
    // mtime frequency in Hz; a whole number between 1 and the SystemC time resolution's rate
    // (1e12 for the default 1 ps), so that tick times are exact. Default: the rate the
    // firmware's timer code assumes (stvp/hw/timebase.h; 10 MHz, a common RISC-V real-time clock).
    double timebase_hz = STVP_CLINT_TIMEBASE_HZ_DEFAULT;
};

// The clint.* keys.
template <class Keys>
void declare_keys(Keys& k, ClintParams& c) {
    k.whole("timebase_hz", c.timebase_hz, 1, 10e9, "mtime tick frequency in Hz (a whole number)");
}

}  // namespace stvp
