// The accelerator's load/store engine: COPY descriptors move bytes between DRAM and the
// scratchpad (the global buffer seen from the bus), or within either. Function: a plain copy
// on host pointers (command.cpp). Time and energy: this file.
//
// The engine uses two resources: the DRAM channel (each request pays the DRAM latency, then
// bytes / DRAM bandwidth; ArrayConfig::dram_latency_cycles / dram_bytes_per_cycle, the same
// figures the tile model charges ops) and the global-buffer port (gb_bytes_per_cycle).
//   - a DRAM source is one read request, a DRAM destination one write request;
//   - every byte passes the global buffer: a scratchpad source is read from it, a scratchpad
//     destination written to it, and a DRAM-to-DRAM copy is staged through it (written, then
//     read);
//   - with double buffering the two resources work in parallel (the engine streams in
//     chunks), so cycles = max(DRAM cycles, GB cycles); without, cycles = their sum.
// Energy comes from the counts (DRAM and GB bytes) through the energy table like any op.
#pragma once

#include <cstdint>

#include "accel/core/array_config.h"
#include "accel/core/op_cost.h"

namespace stvp::accel {

OpCost copy_cost(const ArrayConfig& cfg, uint64_t bytes, bool src_in_scratchpad, bool dst_in_scratchpad);

}  // namespace stvp::accel
