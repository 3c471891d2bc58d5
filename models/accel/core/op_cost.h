// What an operation costs: cycles, MACs, and per-action counts that energy.h prices.
#pragma once

#include <array>
#include <cstdint>

#include "accel/core/loop_nest.h"

namespace stvp::accel {

struct ActionCounts {
    uint64_t mac = 0;               // MACs performed
    uint64_t mac_gated = 0;         // MACs skipped for a zero operand (the MAC unit is clock-gated)
    uint64_t mac_idle = 0;          // MAC slots with nothing to do (unused PEs, lock-step waits, memory stalls)
    uint64_t rf_read = 0;           // 32-bit register-file reads
    uint64_t rf_write = 0;          // 32-bit register-file writes
    uint64_t gb_read_bytes = 0;     // global-buffer bytes read
    uint64_t gb_write_bytes = 0;    // global-buffer bytes written
    uint64_t dram_read_bytes = 0;
    uint64_t dram_write_bytes = 0;
    uint64_t vector_op = 0;         // element-wise ALU ops (pool compares, softmax, SGD, bias, ReLU)
    uint64_t descriptor_fetch = 0;  // command descriptors fetched (the command processor adds these)

    ActionCounts& operator+=(const ActionCounts& o);
    bool operator==(const ActionCounts& o) const;
};

// DRAM traffic of one operand role of a loop nest.
struct OperandTraffic {
    Tensor tensor = Tensor::W;
    uint64_t read_bytes = 0;
    uint64_t write_bytes = 0;
};

struct OpCost {
    uint64_t cycles = 0;          // start to finish of the op
    uint64_t compute_cycles = 0;  // cycles the array was busy with GB tiles (or vector work)
    uint64_t dram_cycles = 0;     // cycles the DRAM channel was busy
    uint64_t macs = 0;            // == counts.mac
    uint64_t macs_skipped = 0;    // == counts.mac_gated: zero operands and padding
    uint64_t gb_tiles = 0;        // GB tile visits
    uint64_t array_steps = 0;     // lock-step array steps
    // The Procrustes authors' rule on the same walk: sum over synchronisation windows (GB tiles
    // under SyncMode::Tile, array steps under SyncMode::Step) of the busiest PE's work in cycles,
    // memory free. cycles - rule_cycles is what the memories and the array's drains add.
    uint64_t rule_cycles = 0;
    uint64_t port_cycles = 0;       // cycles the GB <-> PE port was busy (fills, write-backs)
    uint64_t balancer_entries = 0;  // half totals sorted by the load balancer (2 per PE per window)
    // Wt and In elements sent from the GB to the array (a multicast counts once): the words a
    // weight decoder and an operand zero check see.
    uint64_t wt_streamed = 0, in_streamed = 0;
    // Global-buffer bytes the op holds while it runs: the mapping's tile set of every operand
    // (x2 with double buffering) for array nests, the streamed bytes (at most the GB) for
    // element-wise work; the largest over the op's sub-nests (they run one after another).
    uint64_t gb_bytes_in_use = 0;
    ActionCounts counts;
    // DRAM traffic of the three operand roles, indexed by Role (Weight, Input, Output); the
    // epilogue's reads (bias, saved input for the ReLU mask) and the bias-gradient write are
    // only in counts.
    std::array<OperandTraffic, kRoles> traffic{};

    // Sequential composition (sub-nests of one op, or ops of a layer).
    OpCost& operator+=(const OpCost& o);
};

}  // namespace stvp::accel
