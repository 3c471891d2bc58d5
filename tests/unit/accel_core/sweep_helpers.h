// Random array configurations and loop nests for the timing tests (seeded).
#pragma once

#include "accel/core/array_config.h"
#include "accel/core/loop_nest.h"
#include "test_helpers.h"

namespace stvp::accel::test {

// A small array with small buffers, so that shapes of a few thousand MACs need tiling.
inline ArrayConfig random_small_config(std::mt19937& rng, Dataflow df) {
    ArrayConfig c;
    c.rows = rand_int(rng, 2, 8);
    c.cols = rand_int(rng, 2, 8);
    c.macs_per_pe = rand_int(rng, 1, 2);
    c.clock_hz = 1e9;
    c.rf_bytes = 4 * rand_int(rng, 16, 96);
    c.gb_bytes = 4 * c.rows * c.cols * rand_int(rng, 8, 64);
    c.gb_banks = 1;
    c.gb_bytes_per_cycle = 4 * rand_int(rng, 2, 16);
    c.dram_bytes_per_s = 1e9 * rand_int(rng, 2, 32);  // 2..32 bytes per cycle
    c.dram_latency_ns = double(rand_int(rng, 0, 40));
    c.double_buffering = rand_int(rng, 0, 3) != 0;
    c.dataflow = df;
    return c;
}

// A random small nest: an FC or CONV phase (one nest of it).
inline OpShape random_nest(std::mt19937& rng) {
    const Phase phase = static_cast<Phase>(rand_int(rng, 0, 2));
    NestOptions opt;
    opt.bias = rand_int(rng, 0, 1);
    opt.relu = rand_int(rng, 0, 1);
    opt.relu_mask = rand_int(rng, 0, 1);
    if (rand_int(rng, 0, 2) == 0) {
        const FcShape s{uint32_t(rand_int(rng, 1, 32)), uint32_t(rand_int(rng, 1, 96)), uint32_t(rand_int(rng, 1, 64))};
        return fc_nest(s, phase, opt);
    }
    while (true) {
        Conv2dShape s = random_conv(rng, 12, 8);
        const auto nests = conv_nests(s, phase, opt);
        if (!nests.empty()) return nests[rand_int(rng, 0, int64_t(nests.size()) - 1)];
    }
}

}  // namespace stvp::accel::test
