#include "accel/sparse/init_weights.h"

#include <cmath>

#include "stvp/hw/accel_w0.h"  // the generator itself, shared with the firmware

namespace stvp::accel::sparse {

std::string InitWeightsConfig::validate() const {
    if (kind == InitKind::Uniform && !(uniform_bound > 0.0 && std::isfinite(uniform_bound)))
        return "uniform_bound must be finite and > 0";
    return {};
}

uint64_t InitWeights::bits(uint32_t layer, uint64_t index) const {
    return stvp_w0_bits(stvp_w0_key(cfg_.seed, layer), index);
}

float InitWeights::unit(uint32_t layer, uint64_t index) const { return stvp_w0_unit(stvp_w0_key(cfg_.seed, layer), index); }

float InitWeights::bound(uint64_t fan_in) const {
    if (cfg_.kind == InitKind::Uniform) return static_cast<float>(cfg_.uniform_bound);
    return stvp_w0_kaiming_bound(fan_in);
}

float InitWeights::value(uint32_t layer, uint64_t index, uint64_t fan_in) const {
    return stvp_w0_value(stvp_w0_key(cfg_.seed, layer), index, bound(fan_in));
}

void InitWeights::fill(uint32_t layer, uint64_t first, uint64_t count, uint64_t fan_in, float* out) const {
    stvp_w0_fill(out, cfg_.seed, layer, first, count, bound(fan_in));
}

const std::vector<float>& W0Cache::get(const InitWeights& init, uint32_t layer, uint64_t count, uint64_t fan_in) {
    const InitWeightsConfig& c = init.config();
    for (const Entry& e : entries_)
        if (e.layer == layer && e.fan_in == fan_in && e.w0.size() == count && e.cfg.seed == c.seed &&
            e.cfg.kind == c.kind && e.cfg.uniform_bound == c.uniform_bound)
            return e.w0;
    if (floats_ + count > max_floats_) entries_.clear(), floats_ = 0;
    Entry e{c, layer, fan_in, std::vector<float>(count)};
    init.fill(layer, 0, count, fan_in, e.w0.data());
    floats_ += count;
    entries_.push_back(std::move(e));
    return entries_.back().w0;
}

}  // namespace stvp::accel::sparse
