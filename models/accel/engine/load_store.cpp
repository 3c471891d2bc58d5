#include "accel/engine/load_store.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace stvp::accel {

namespace {
uint64_t ceil_cycles(double v) { return v <= 0 ? 0 : static_cast<uint64_t>(std::ceil(v - 1e-9)); }
}  // namespace

void copy_data(uint8_t* dst, const uint8_t* src, uint64_t bytes, uint32_t row_words) {
    if (row_words == 0) {
        std::memcpy(dst, src, bytes);
        return;
    }
    const uint64_t row_bytes = uint64_t{4} * row_words;
    for (uint64_t row = 0; row + row_bytes <= bytes; row += row_bytes)
        for (uint64_t j = 0; j < row_words; ++j)
            std::memcpy(dst + row + 4 * j, src + row + row_bytes - 4 * (j + 1), 4);
}

OpCost copy_cost(const ArrayConfig& cfg, uint64_t bytes, bool src_spad, bool dst_spad) {
    OpCost c;
    if (bytes == 0) return c;
    const uint64_t dram_sides = uint64_t(!src_spad) + uint64_t(!dst_spad);
    const uint64_t gb_passes = (src_spad || dst_spad) ? uint64_t(src_spad) + uint64_t(dst_spad) : 2;
    const uint64_t dram_cycles = dram_sides * static_cast<uint64_t>(cfg.dram_latency_cycles()) +
                                 ceil_cycles(double(dram_sides * bytes) / cfg.dram_bytes_per_cycle());
    const uint64_t gb_cycles = ceil_cycles(double(gb_passes * bytes) / cfg.gb_bytes_per_cycle);
    c.cycles = cfg.double_buffering ? std::max(dram_cycles, gb_cycles) : dram_cycles + gb_cycles;
    c.dram_cycles = dram_cycles;
    ActionCounts& k = c.counts;
    k.dram_read_bytes = src_spad ? 0 : bytes;
    k.dram_write_bytes = dst_spad ? 0 : bytes;
    const bool staged = !src_spad && !dst_spad;
    k.gb_read_bytes = (src_spad || staged) ? bytes : 0;
    k.gb_write_bytes = (dst_spad || staged) ? bytes : 0;
    // A DRAM -> DRAM copy is staged through the global buffer; a scratchpad side is not the GB.
    c.gb_bytes_in_use = staged ? std::min<uint64_t>(bytes, cfg.gb_bytes) : 0;
    return c;
}

}  // namespace stvp::accel
