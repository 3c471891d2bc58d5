// The UART's configurable parameters, plain data without SystemC, and their uart.* keys
// declared once (common/config_keys.h): the TLM UART's UartConfig (uart.h) adds the SystemC
// side and the host stream, the platform binds the keys into its YAML schema. Header-only.
#pragma once

#include <cstdint>

#include "common/config_keys.h"

namespace stvp {

struct UartParams {
    // Line rate in bits per second (10 bits per byte); 0 = a byte leaves instantaneously.
    uint64_t baud = 0;
    // Copy transmitted bytes to the host stream (UartConfig::out); false: only the log
    // callback sees them.
    bool echo = true;
};

// The uart.* keys.
template <class Keys>
void declare_keys(Keys& k, UartParams& c) {
    k.integer("baud", c.baud, 0, 1000000000, "UART line rate in bit/s (10 bits per byte); 0 = instantaneous");
    k.flag("echo", c.echo, "copy UART output to the simulator's stdout");
}

}  // namespace stvp
