// SparseTrain's stochastic gradient pruning (Dai et al. DAC 2020, Ye et al. ECCV 2020; the rule
// of docs/literature.md): for a layer's output gradient g and target prune rate p,
//   sigma = mean|g| * sqrt(pi/2)          (g taken as N(0, sigma^2))
//   tau   = Phi^-1((1 + p) / 2) * sigma
//   |g| < tau: g' = sign(g) * tau with probability |g|/tau, else 0;  |g| >= tau: kept.
// E[g'] = g, so the pruned gradient is unbiased. The random numbers come from per-lane
// xorshift32 generators (Marsaglia 2003), the hardware's choice: element i uses lane i % lanes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stvp::accel::sparse {

class Xorshift32 {
public:
    explicit Xorshift32(uint32_t seed = 1) : x_(seed ? seed : 0x9E3779B9u) {}
    uint32_t next() {
        x_ ^= x_ << 13;
        x_ ^= x_ >> 17;
        x_ ^= x_ << 5;
        return x_;
    }
    // Uniform in [0, 1) with 24 bits.
    float unit() { return static_cast<float>(next() >> 8) * (1.0f / 16777216.0f); }
    uint32_t state() const { return x_; }  // never 0: Xorshift32(state()) continues the sequence

private:
    uint32_t x_;
};

// Phi^-1 for p in (0, 1) (bisection on erfc to double precision).
double inverse_normal_cdf(double p);

struct GradientPrunerConfig {
    double prune_rate = 0.9;  // p: target fraction of small gradients pruned, in [0, 1)
    uint32_t lanes = 16;      // RNG lanes (one per pruner lane) [open]
    uint32_t seed = 1;        // lane l starts from stvp_accel_prune_lane_seed(seed, l) (accel_desc.h)
    std::string validate() const;
};

struct PruneStats {
    int64_t elements = 0;
    int64_t zeros_before = 0;  // natural zeros (ReLU)
    int64_t zeros_after = 0;
    double tau = 0;
    double sparsity() const { return elements ? static_cast<double>(zeros_after) / elements : 0; }
};

class GradientPruner {
public:
    explicit GradientPruner(const GradientPrunerConfig& cfg = {});
    // Threshold of a layer from its gradient statistics.
    double threshold(const float* g, int64_t n) const;
    // Prunes g[0..n) in place; the generators carry on from call to call.
    PruneStats prune(float* g, int64_t n);

private:
    GradientPrunerConfig cfg_;
    std::vector<Xorshift32> lanes_;
};

}  // namespace stvp::accel::sparse
