// DropBack's implicit initial weights (docs/literature.md, DropBack): W0 is never stored; every access
// regenerates it from a counter-based hash of (seed, layer, index). splitmix64 finalisers are
// pure 64-bit integer math, so the value is bit-identical on every host; the only floating-point
// step is one conversion of a 24-bit integer (exact) and one multiply by the bound. The
// generator itself is firmware/include/stvp/hw/accel_w0.h (shared with the firmware); this
// class adds the configured distribution.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stvp::accel::sparse {

enum class InitKind : uint8_t {
    Uniform,         // U(-uniform_bound, uniform_bound)
    KaimingUniform,  // U(-b, b), b = sqrt(6 / fan_in) (He et al. 2015, ReLU gain sqrt(2))
};

struct InitWeightsConfig {
    uint64_t seed = 1;             // key of the whole model's W0
    InitKind kind = InitKind::KaimingUniform;
    double uniform_bound = 0.05;   // bound of InitKind::Uniform (weight units)

    std::string validate() const;  // "" if usable
};

class InitWeights {
public:
    explicit InitWeights(const InitWeightsConfig& cfg = {}) : cfg_(cfg) {}
    const InitWeightsConfig& config() const { return cfg_; }

    // 64 random bits for (layer, index): the hardware's counter-based generator.
    uint64_t bits(uint32_t layer, uint64_t index) const;
    // Uniform in [0, 1) with 24-bit resolution (exact as a float).
    float unit(uint32_t layer, uint64_t index) const;
    // W0 of weight `index` of `layer` whose neuron has `fan_in` inputs (fan_in >= 1).
    float value(uint32_t layer, uint64_t index, uint64_t fan_in) const;
    // The bound b of U(-b, b) for a fan-in.
    float bound(uint64_t fan_in) const;
    // Fills out[0..count) with W0[first .. first + count).
    void fill(uint32_t layer, uint64_t first, uint64_t count, uint64_t fan_in, float* out) const;

private:
    InitWeightsConfig cfg_;
};

// Whole layers' W0 kept after their first generation. The hardware regenerates a layer's W0 on
// every DROPBACK (and is charged for it); the values depend only on the generator's
// configuration, the layer, its size and fan-in, so the host computes each once. At most
// max_floats values are kept (all are dropped before a layer that would exceed it).
class W0Cache {
public:
    explicit W0Cache(size_t max_floats = size_t{1} << 26) : max_floats_(max_floats) {}  // 256 MiB
    // W0[0 .. count) of `layer` (as InitWeights::fill from index 0); valid until the next get.
    const std::vector<float>& get(const InitWeights& init, uint32_t layer, uint64_t count, uint64_t fan_in);

private:
    struct Entry {
        InitWeightsConfig cfg;
        uint32_t layer;
        uint64_t fan_in;
        std::vector<float> w0;
    };
    std::vector<Entry> entries_;
    size_t max_floats_, floats_ = 0;
};

}  // namespace stvp::accel::sparse
