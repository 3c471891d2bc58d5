#include "accel/sparse/init_weights.h"

#include <cmath>

namespace stvp::accel::sparse {

namespace {
// splitmix64 finaliser (Steele, Lea, Flood 2014): a bijection with full avalanche.
uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
}  // namespace

std::string InitWeightsConfig::validate() const {
    if (kind == InitKind::Uniform && !(uniform_bound > 0.0 && std::isfinite(uniform_bound)))
        return "uniform_bound must be finite and > 0";
    return {};
}

uint64_t InitWeights::bits(uint32_t layer, uint64_t index) const {
    return mix64(mix64(mix64(cfg_.seed) ^ layer) ^ index);
}

float InitWeights::unit(uint32_t layer, uint64_t index) const {
    return static_cast<float>(bits(layer, index) >> 40) * (1.0f / 16777216.0f);
}

float InitWeights::bound(uint64_t fan_in) const {
    if (cfg_.kind == InitKind::Uniform) return static_cast<float>(cfg_.uniform_bound);
    return static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in ? fan_in : 1)));
}

float InitWeights::value(uint32_t layer, uint64_t index, uint64_t fan_in) const {
    // 2u - 1 is exact in float for a 24-bit u; one rounding in the multiply.
    return (2.0f * unit(layer, index) - 1.0f) * bound(fan_in);
}

void InitWeights::fill(uint32_t layer, uint64_t first, uint64_t count, uint64_t fan_in, float* out) const {
    const float b = bound(fan_in);
    const uint64_t key = mix64(mix64(cfg_.seed) ^ layer);
    for (uint64_t i = 0; i < count; ++i) {
        const float u = static_cast<float>(mix64(key ^ (first + i)) >> 40) * (1.0f / 16777216.0f);
        out[i] = (2.0f * u - 1.0f) * b;
    }
}

}  // namespace stvp::accel::sparse
