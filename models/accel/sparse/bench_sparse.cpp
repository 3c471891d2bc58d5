// bench_sparse: host speed of the sparse timing path (not a test; numbers depend on the host).
//  1. Simulated MACs (the op's dense MAC count) per host second of the tile timing model for
//     FC and CONV ops: the dense path (nest_cost without a work source: each distinct GB tile
//     walked once) against the work-source path (sparse_nest_cost with random weight masks
//     and ReLU zero maps: every step of every tile asks the PEs' work), both uncached, for
//     per-tile and per-step synchronisation.
//  2. The time to build the operand maps (conv_operands / fc_operands) of one LeNet-300-100
//     training step at batch 64 (3 layers x 3 phases, weight masks and activation/gradient
//     zero maps), which a sparse op pays on top of its timing.
// Usage: bench_sparse [seconds per measurement, default 0.5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "accel/core/loop_nest.h"
#include "accel/core/mapping.h"
#include "accel/core/timing.h"
#include "accel/sparse/bernoulli_mask.h"
#include "accel/sparse/work_source.h"

using namespace stvp::accel;
using namespace stvp::accel::sparse;

namespace {


// Host seconds per call, best of 3 rounds of at least seconds/3 each.
double time_per_call(const std::function<void()>& fn, double seconds) {
    using clk = std::chrono::steady_clock;
    double best = 1e30;
    for (int round = 0; round < 3; ++round) {
        int calls = 0;
        const auto t0 = clk::now();
        double el = 0;
        do {
            fn();
            ++calls;
            el = std::chrono::duration<double>(clk::now() - t0).count();
        } while (el < seconds / 3);
        best = std::min(best, el / calls);
    }
    return best;
}

volatile uint64_t sink;

void bench_op(const char* name, const Conv2dShape& s, Phase ph, double seconds) {
    const OpShape nest = conv_nests(s, ph)[0];
    const auto wm = bernoulli_mask(size_t(s.w_elements()), 0.1, 1);
    const auto xm = bernoulli_mask(size_t(s.x_elements()), 0.5, 2);
    const auto dym = bernoulli_mask(size_t(s.y_elements()), 0.5, 3);
    NestOperands ops;
    const std::string e = conv_operands(s, ph, wm.data(), xm.data(), dym.data(), &ops);
    if (!e.empty()) {
        std::fprintf(stderr, "bench_sparse: %s\n", e.c_str());
        std::exit(1);
    }
    WeightFormat wf;
    wf.compressed = true, wf.density = 0.1, wf.metadata_bits_per_weight = 1.3, wf.unit_elements = 64;
    const double macs = double(nest.macs());
    for (SyncMode sync : {SyncMode::Tile, SyncMode::Step}) {
        ArrayConfig cfg;
        cfg.sync = sync;
        const Mapping m = map_op(cfg, nest);
        const double dense = time_per_call([&] { sink = nest_cost(cfg, nest, m).cycles; }, seconds);
        TimingModel tm(cfg);
        tm.nest(nest);  // the mapping and the dense cost cached, as in a run
        const double sparse = time_per_call([&] { sink = sparse_nest_cost(tm, nest, ops, wf, true).op.cycles; }, seconds);
        std::printf("| %s | %s | %s | %.3g | %.3g | %.1f |\n", name, to_string(ph), to_string(sync), macs / dense,
                    macs / sparse, sparse * 1e3);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
    std::printf("bench_sparse: simulated MACs per host second of the timing model, 16x16 array, weights 10%% "
                "dense (compressed), X and dY 50%% zero, load balancer on\n\n");
    std::printf("| op | phase | sync | dense path MACs/s | work-source path MACs/s | work-source ms/op |\n"
                "|---|---|---|---|---|---|\n");
    Conv2dShape fc;  // LeNet-300-100's first layer at batch 64 (an FC is a 1x1 convolution)
    fc.batch = 64, fc.in_channels = 784, fc.out_channels = 300;
    Conv2dShape conv;  // LeNet-5's second convolution at batch 64
    conv.batch = 64, conv.in_channels = 6, conv.out_channels = 16, conv.in_h = conv.in_w = 14;
    conv.kernel_h = conv.kernel_w = 5;
    for (Phase ph : {Phase::Forward, Phase::InputGrad, Phase::WeightGrad}) bench_op("FC 64x784->300", fc, ph, seconds);
    for (Phase ph : {Phase::Forward, Phase::InputGrad, Phase::WeightGrad})
        bench_op("CONV 64x6x14x14 -> 16, 5x5", conv, ph, seconds);

    // Operand maps of a LeNet-300-100 step at batch 64.
    const uint32_t dims[4] = {784, 300, 100, 10};
    std::vector<std::vector<uint8_t>> w(3), x(3), dy(3);
    for (int l = 0; l < 3; ++l) {
        w[l] = bernoulli_mask(size_t(dims[l]) * dims[l + 1], 0.1, 10 + l);
        x[l] = bernoulli_mask(size_t(64) * dims[l], 0.5, 20 + l);
        dy[l] = bernoulli_mask(size_t(64) * dims[l + 1], 0.5, 30 + l);
    }
    NestOperands ops;
    const double t = time_per_call(
        [&] {
            for (int l = 0; l < 3; ++l)
                for (Phase ph : {Phase::Forward, Phase::InputGrad, Phase::WeightGrad}) {
                    FcShape s{64, dims[l], dims[l + 1]};
                    fc_operands(s, ph, w[l].data(), x[l].data(), dy[l].data(), &ops);
                    sink = ops.wt.size() + ops.in.size();
                }
        },
        seconds);
    std::printf("\nOperand maps of one LeNet-300-100 step (batch 64, 3 layers x 3 phases): %.3f ms\n", t * 1e3);
    return 0;
}
