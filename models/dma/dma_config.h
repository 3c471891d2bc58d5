// The system DMA engine's configurable parameters, plain data without SystemC, and their dma.*
// keys declared once (common/config_keys.h): the TLM device's DmaConfig (dma.h) adds the
// SystemC-side parts, the platform binds the keys into its YAML schema. Header-only.
#pragma once

#include <cstdint>

#include "common/config_keys.h"

namespace stvp {

struct DmaParams {
    // Copy throughput in GB/s (1e9 bytes/s): a fetch or burst of n bytes costs n / bandwidth
    // besides its bus latencies. 8 GB/s is a 64-bit AXI port at 1 GHz.
    double bandwidth_gbps = 8.0;
    // Largest single read or write on the bus, in bytes. Rows are cut into bursts of this size
    // from their start; the last burst of a row may be shorter.
    uint32_t burst_bytes = 64;
    // Longest chain followed before stopping with STVP_DMA_ERR_CHAIN_LENGTH, so that a
    // descriptor loop cannot run forever.
    uint32_t max_chain = 65536;
};

template <class Keys>
void declare_keys(Keys& k, DmaParams& c) {
    k.real("bandwidth_gbps", c.bandwidth_gbps, 0.001, 10000, "system DMA engine throughput in GB/s");
    k.power_of_two("burst_bytes", c.burst_bytes, 1, 1u << 20, "system DMA burst size in bytes");
    k.integer("max_chain", c.max_chain, 1, 1u << 30, "longest descriptor chain the DMA follows before reporting a loop");
}

}  // namespace stvp
