// Cycle-stepped reference model of the accelerator array, for the tests only. It executes the
// same mapping as the tile-level model (accel/core/timing.h) literally, one clock cycle at a
// time: a DRAM channel serving requests in order (latency, then bytes at its bandwidth), a GB
// port moving RF fills and partial-sum write-backs at gb_bytes_per_cycle, PEs retiring at most
// macs_per_pe MACs per cycle and stepping in lock-step, double buffering as overlap of the next
// tile's (step's) transfers with the current compute. Under SyncMode::Tile with a work source
// each step's compute slot is its dense share of the busiest PE's total over the GB tile (the
// PEs synchronise per tile, timing.h); a source's wt_word_fraction scales the Wt operand's
// DRAM loads and RF fills. Footprints and step lists are derived
// here from the loop nest by enumeration, not with the model's helpers.
#pragma once

#include <cstdint>

#include "accel/core/array_config.h"
#include "accel/core/loop_nest.h"
#include "accel/core/mapping.h"
#include "accel/core/pe_work.h"

namespace stvp::accel::test {

struct RefResult {
    uint64_t cycles = 0;
    uint64_t macs_done = 0;   // sum of per-PE work over all steps (padding included)
    uint64_t steps = 0;
    uint64_t tiles = 0;
    uint64_t dram_read_bytes = 0;
    uint64_t dram_write_bytes = 0;
};

RefResult simulate_array(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m,
                         const PeWorkSource* work = nullptr);

}  // namespace stvp::accel::test
