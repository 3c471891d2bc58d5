// Seeded Bernoulli operand maps (1 = non-zero, each element independently with probability p)
// for the measurement tables, the benchmarks and the tests: one generator, so the same
// (n, p, seed) gives the same map in all of them (std::mt19937 with std::bernoulli_distribution;
// configs/results/sparse_ops.md depends on this exact sequence).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace stvp::accel::sparse {

inline std::vector<uint8_t> bernoulli_mask(size_t n, double p, uint32_t seed) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution b(p);
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = b(rng);
    return v;
}

}  // namespace stvp::accel::sparse
