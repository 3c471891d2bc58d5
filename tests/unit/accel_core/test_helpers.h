// Shared helpers of the accelerator-core tests: seeded random data and shapes, tolerances.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "accel/core/shapes.h"

namespace stvp::accel::test {

inline std::vector<float> random_vec(size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

inline int64_t rand_int(std::mt19937& rng, int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

// A random valid convolution: small, with strides and padding.
inline Conv2dShape random_conv(std::mt19937& rng, int max_hw = 10, int max_c = 5) {
    while (true) {
        Conv2dShape s;
        s.batch = rand_int(rng, 1, 3);
        s.in_channels = rand_int(rng, 1, max_c);
        s.out_channels = rand_int(rng, 1, max_c);
        s.in_h = rand_int(rng, 1, max_hw);
        s.in_w = rand_int(rng, 1, max_hw);
        s.kernel_h = rand_int(rng, 1, 5);
        s.kernel_w = rand_int(rng, 1, 5);
        s.stride_h = rand_int(rng, 1, 3);
        s.stride_w = rand_int(rng, 1, 3);
        s.pad_h = rand_int(rng, 0, s.kernel_h - 1);
        s.pad_w = rand_int(rng, 0, s.kernel_w - 1);
        if (validate(s).empty()) return s;
    }
}

// Max |a - b| relative to the largest |b| (at least 1): the error against the result's scale.
inline double scaled_error(const std::vector<float>& a, const std::vector<double>& b) {
    double err = 0, scale = 1;
    for (size_t i = 0; i < b.size(); ++i) {
        err = std::max(err, std::abs(double(a[i]) - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    return err / scale;
}

}  // namespace stvp::accel::test
