#include "accel/core/array_config.h"

#include <cmath>
#include <cstdio>

namespace stvp::accel {

const char* to_string(Dataflow d) {
    switch (d) {
        case Dataflow::CxN: return "CxN";
        case Dataflow::CxK: return "CxK";
    }
    return "?";
}

const char* to_string(SyncMode s) {
    switch (s) {
        case SyncMode::Step: return "step";
        case SyncMode::Tile: return "tile";
    }
    return "?";
}

const char* to_string(TilePipeline p) {
    switch (p) {
        case TilePipeline::Overlap: return "overlap";
        case TilePipeline::Serial: return "serial";
    }
    return "?";
}

const char* to_string(TimingRule t) {
    switch (t) {
        case TimingRule::Full: return "full";
        case TimingRule::ComputeOnly: return "compute_only";
    }
    return "?";
}

namespace {
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
}  // namespace

std::string ArrayConfig::validate() const {
    // Limits keep every derived count inside int64 and reject typos (a 10^6-wide array).
    if (rows < 1 || rows > 1024) return "rows " + std::to_string(rows) + " outside 1..1024";
    if (cols < 1 || cols > 1024) return "cols " + std::to_string(cols) + " outside 1..1024";
    if (macs_per_pe < 1 || macs_per_pe > 1024) return "macs_per_pe " + std::to_string(macs_per_pe) + " outside 1..1024";
    if (!(clock_hz > 0.0) || !std::isfinite(clock_hz)) return "clock_hz " + num(clock_hz) + " must be positive";
    // A PE must hold one weight and one input (twice when double buffered) and one partial sum.
    const uint32_t min_rf = (double_buffering ? 5u : 3u) * 4u;
    if (rf_bytes < min_rf || rf_bytes % 4 != 0)
        return "rf_bytes " + std::to_string(rf_bytes) + " must be a multiple of 4 and at least " + std::to_string(min_rf);
    const uint32_t min_gb = (double_buffering ? 6u : 3u) * 4u;
    if (gb_bytes < min_gb || gb_bytes % 4 != 0)
        return "gb_bytes " + std::to_string(gb_bytes) + " must be a multiple of 4 and at least " + std::to_string(min_gb);
    if (gb_banks < 1 || gb_bytes % gb_banks != 0)
        return "gb_banks " + std::to_string(gb_banks) + " must be at least 1 and divide gb_bytes " +
               std::to_string(gb_bytes);
    if (gb_bytes_per_cycle < 4) return "gb_bytes_per_cycle " + std::to_string(gb_bytes_per_cycle) + " below one word (4)";
    if (!(dram_bytes_per_s > 0.0) || !std::isfinite(dram_bytes_per_s))
        return "dram_bytes_per_s " + num(dram_bytes_per_s) + " must be positive";
    if (!(dram_latency_ns >= 0.0) || !std::isfinite(dram_latency_ns))
        return "dram_latency_ns " + num(dram_latency_ns) + " must be >= 0";
    if (dataflow != Dataflow::CxN && dataflow != Dataflow::CxK) return "dataflow " + std::to_string(int(dataflow)) + " unknown";
    if (sync != SyncMode::Step && sync != SyncMode::Tile) return "sync " + std::to_string(int(sync)) + " unknown";
    if (pipeline != TilePipeline::Overlap && pipeline != TilePipeline::Serial)
        return "pipeline " + std::to_string(int(pipeline)) + " unknown";
    if (timing != TimingRule::Full && timing != TimingRule::ComputeOnly)
        return "timing " + std::to_string(int(timing)) + " unknown";
    return {};
}

int64_t ArrayConfig::dram_latency_cycles() const {
    return static_cast<int64_t>(std::ceil(dram_latency_ns * 1e-9 * clock_hz - 1e-9));
}

}  // namespace stvp::accel
