// The accelerator's load/store engine: COPY descriptors move bytes between DRAM and the
// scratchpad (the global buffer seen from the bus), or within either. Function (copy_data)
// and time and energy (copy_cost): this file.
//
// MIRROR (accel_desc.h) writes every row of `row_words` 4-byte words in reverse word order.
// It costs exactly what the plain COPY of the same bytes costs: the engine streams the same
// bytes through the same DRAM requests and GB port; the reversal is only the order in which
// the address generator writes the words of a row, not more traffic, and the model charges
// per request and per byte, which a reordering inside the transfer does not change.
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

// Copies `bytes` from src to dst (no overlap); row_words > 0: MIRROR with rows of that many
// words (bytes is a multiple of 4 * row_words, checked by decode()).
void copy_data(uint8_t* dst, const uint8_t* src, uint64_t bytes, uint32_t row_words);

OpCost copy_cost(const ArrayConfig& cfg, uint64_t bytes, bool src_in_scratchpad, bool dst_in_scratchpad);

}  // namespace stvp::accel
