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

config::Problem ArrayConfig::problem() const {
    // The declared ranges (declare_keys) keep every derived count inside int64 and reject typos
    // (a 10^6-wide array); the rules below tie fields together.
    if (!(clock_hz > 0.0) || !std::isfinite(clock_hz)) return {"clock_hz", num(clock_hz) + " must be positive"};
    if (config::Problem p = config::check_ranges(*this); !p.ok()) return p;
    // A PE must hold one weight and one input (twice when double buffered) and one partial sum.
    const uint32_t min_rf = (double_buffering ? 5u : 3u) * 4u;
    if (rf_bytes < min_rf || rf_bytes % 4 != 0)
        return {"rf_bytes", std::to_string(rf_bytes) + " must be a multiple of 4 and at least " + std::to_string(min_rf)};
    const uint32_t min_gb = (double_buffering ? 6u : 3u) * 4u;
    if (gb_bytes < min_gb || gb_bytes % 4 != 0)
        return {"gb_bytes", std::to_string(gb_bytes) + " must be a multiple of 4 and at least " + std::to_string(min_gb)};
    if (gb_bytes % gb_banks != 0)
        return {"gb_banks", std::to_string(gb_banks) + " must be at least 1 and divide gb_bytes " + std::to_string(gb_bytes)};
    // Not keys (the platform copies its DRAM's), so checked here.
    if (!(dram_bytes_per_s > 0.0) || !std::isfinite(dram_bytes_per_s))
        return {"dram_bytes_per_s", num(dram_bytes_per_s) + " must be positive"};
    if (!(dram_latency_ns >= 0.0) || !std::isfinite(dram_latency_ns))
        return {"dram_latency_ns", num(dram_latency_ns) + " must be >= 0"};
    return {};
}

int64_t ArrayConfig::dram_latency_cycles() const {
    return static_cast<int64_t>(std::ceil(dram_latency_ns * 1e-9 * clock_hz - 1e-9));
}

}  // namespace stvp::accel
