// The DRAM's configurable parameters, plain data without SystemC, and their dram.* keys declared
// once (common/config_keys.h): the TLM memory's MemoryConfig (memory.h) is built from them, the
// accelerator's tile model sees the same DRAM (the platform passes it), the platform binds the
// keys into its YAML schema. Header-only.
#pragma once

#include <cstdint>

#include "common/config_keys.h"

namespace stvp {

struct DramParams {
    // First-word latency of an access in ns: LPDDR4, order of magnitude.
    uint64_t latency_ns = 60;
    // GB/s (1e9 bytes/s): LPDDR4-3200 on a 32-bit channel (3200 MT/s x 4 bytes).
    double bandwidth_gbps = 12.8;

    double bytes_per_s() const { return bandwidth_gbps * 1e9; }
};

// The dram.* keys.
template <class Keys>
void declare_keys(Keys& k, DramParams& c) {
    k.integer("latency_ns", c.latency_ns, 0, 1000000, "DRAM access latency in ns (b_transport and DMA accesses)");
    k.real("bandwidth_gbps", c.bandwidth_gbps, 0.001, 10000, "DRAM bandwidth in GB/s");
}

}  // namespace stvp
