// The CPU's configurable parameters, plain data without SystemC, and their cpu.* keys declared
// once (common/config_keys.h): the TLM CPU's CpuConfig (cpu.h) adds the run's parts (reset pc,
// instruction limit, trace), the ISS (rv32_core.h) takes the cycle costs, the platform binds
// the keys into its YAML schema. Header-only.
#pragma once

#include <cstdint>

#include "common/config_keys.h"

namespace stvp {

// Cycles charged per instruction class when it retires. All at least 1 (so a cycle budget
// always bounds the work of a run() call). Defaults: a simple in-order pipeline.
struct CycleCosts {
    uint32_t alu = 1;           // cycles: ALU, lui/auipc, CSR, fence, system, not-taken branch
    uint32_t load = 2;          // cycles: load, lr.w
    uint32_t store = 1;         // cycles: store, sc.w
    uint32_t branch_taken = 2;  // cycles: taken branch, jal, jalr
    uint32_t mul = 3;           // cycles: mul, mulh, mulhsu, mulhu
    uint32_t div = 34;          // cycles: div, divu, rem, remu
    // An AMO costs load + store.
};

struct CpuParams {
    double clock_hz = 500e6;     // Hz; one cycle lasts 1/clock_hz [open: a small in-order RV32 core]
    // Temporal-decoupling quantum in ns (> 0): how far the CPU runs ahead of the rest of the SoC
    // between syncs; also the TLM global quantum (and the DMA's).
    uint64_t quantum_ns = 10000;
    bool dmi = true;             // use DMI where targets grant it (false: every access is a b_transport)
    // Charge the memory's DMI latency on every fetch, load and store made through DMI (a core
    // without caches). Off by default: an RV32 host core has L1 caches that hide DRAM latency
    // for its small working set, and cycles.load/store already hold the cache-hit cost.
    // Uncached accesses (b_transport: MMIO, or dmi = false) always pay the target's latency.
    bool memory_stalls = false;
    // Misaligned loads/stores as byte accesses instead of a trap (Rv32CoreConfig).
    bool misaligned_emulate = false;
    CycleCosts cycles;
};

template <class Keys>
void declare_keys(Keys& k, CycleCosts& c) {
    k.integer("alu", c.alu, 1, 1000, "cycles of an ALU, CSR or not-taken branch instruction");
    k.integer("load", c.load, 1, 1000, "cycles of a load");
    k.integer("store", c.store, 1, 1000, "cycles of a store");
    k.integer("branch_taken", c.branch_taken, 1, 1000, "cycles of a taken branch or jump");
    k.integer("mul", c.mul, 1, 1000, "cycles of a multiply");
    k.integer("div", c.div, 1, 1000, "cycles of a divide or remainder");
}

// The cpu.* keys.
template <class Keys>
void declare_keys(Keys& k, CpuParams& c) {
    k.real("clock_hz", c.clock_hz, 1e3, 100e9, "CPU clock frequency in Hz");
    k.integer("quantum_ns", c.quantum_ns, 1, 1000000000,
              "temporal-decoupling quantum in ns: how far the CPU may run ahead of the rest of the SoC");
    k.flag("dmi", c.dmi, "let the CPU access memory through DMI pointers (fast) instead of b_transport");
    k.flag("memory_stalls", c.memory_stalls,
           "charge the memory's latency on every fetch/load/store through DMI (a core without caches); "
           "off: the core's L1 caches hide it and cpu.cycles.* hold the hit cost");
    k.choice("misaligned", c.misaligned_emulate, {{"trap", false}, {"emulate", true}},
             "misaligned loads and stores: trap (address-misaligned exception) or emulate (done as byte "
             "accesses, not atomic; misaligned lr/sc/AMOs always trap)");
    auto cycles = k.section("cycles");
    declare_keys(cycles, c.cycles);
}

}  // namespace stvp
