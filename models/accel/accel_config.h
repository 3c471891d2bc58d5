// The accelerator's configurable parameters, plain data without SystemC, and their accel.*
// keys declared once (common/config_keys.h): the TLM device's AccelConfig (accel.h) adds the
// SystemC-side parts, the platform binds the keys into its YAML schema, the host tools read
// the same struct. Header-only.
#pragma once

#include <cstdint>
#include <string>

#include "accel/core/array_config.h"
#include "accel/core/energy.h"
#include "accel/sparse/sparse_config.h"
#include "common/config_keys.h"

namespace stvp {

struct AccelParams {
    // PE array, buffers, clock (clock_hz: the accelerator clock, Hz; default 500 MHz [open]),
    // DRAM latency and bandwidth as the accelerator sees them (the platform copies the DRAM's).
    accel::ArrayConfig array;
    // Per-action energies, pJ (defaults: Procrustes 40 nm, accel/core/energy.def).
    accel::EnergyTable energy;
    // Sparse units (accel_desc.h, SPARSE MODES; engine/sparse_engine.h): load balancer, pruner lanes,
    // W0 distribution, quantile estimator, sparse-unit energies.
    accel::AccelSparseConfig sparse;
    // Cycles to validate a fetched descriptor and resolve its operands.
    uint32_t decode_cycles = 8;
    // Largest DESC_COUNT accepted; read back in MAX_CHAIN.
    uint32_t max_chain = 4096;
    // Scratchpad at the `spad` region: bytes of RAM behind it (default = the global buffer,
    // 128 KiB) and its access latency per b_transport (CPU/DMA side). Its bandwidth is the
    // global-buffer port: gb_bytes_per_cycle x clock_hz.
    uint64_t spad_bytes = 128 * 1024;
    uint64_t spad_latency_ns = 2;

    // The first unusable field, its key relative to the accel section ("rows", "energy.mac_pj").
    config::Problem problem() const;
};

// The accel.* keys. The array's keys sit at the top of the section (accel.rows).
template <class Keys>
void declare_keys(Keys& k, AccelParams& c) {
    declare_keys(k, c.array);
    k.integer("decode_cycles", c.decode_cycles, 0, 1000000,
              "cycles to validate a fetched descriptor and resolve its operands");
    k.integer("max_chain", c.max_chain, 1, 1u << 20, "largest descriptor count of one chain (DESC_COUNT)");
    k.size("spad_bytes", c.spad_bytes, 4, 1ull << 30, 4,
           "scratchpad RAM behind the spad region in bytes (default: the global buffer's 128 KiB)");
    k.integer("spad_latency_ns", c.spad_latency_ns, 0, 1000000, "scratchpad access latency for the CPU and DMA in ns");
    auto energy = k.section("energy");
    declare_keys(energy, c.energy);
    auto sparse = k.section("sparse");
    declare_keys(sparse, c.sparse);
}

inline config::Problem AccelParams::problem() const {
    if (config::Problem p = config::check_ranges(*this); !p.ok()) return p;
    if (config::Problem p = array.problem(); !p.ok()) return p;
    if (config::Problem p = energy.problem(); !p.ok()) return p.in("energy");
    return sparse.problem().in("sparse");
}

}  // namespace stvp
