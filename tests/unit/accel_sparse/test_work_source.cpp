// Per-PE work from real non-zeros against a brute-force count, the load balancer, the lock-step
// rule through the core's timing model, and the operand maps of each phase.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

#include "accel/core/loop_nest.h"
#include "accel/core/mapping.h"
#include "accel/core/timing.h"
#include "accel/sparse/work_source.h"

using namespace stvp::accel;
using namespace stvp::accel::sparse;

namespace {
std::vector<uint8_t> bern(size_t n, double p, uint32_t seed) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution b(p);
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = b(rng);
    return v;
}

// Every MAC of the box, one at a time.
int64_t brute(const OpShape& o, const NestOperands& ops, const DimArray& lo, const DimArray& hi) {
    const int64_t C = o.e(Dim::C), R = o.e(Dim::R), S = o.e(Dim::S);
    int64_t n_ = 0;
    for (int64_t n = lo[0]; n < hi[0]; ++n)
        for (int64_t k = lo[1]; k < hi[1]; ++k)
            for (int64_t c = lo[2]; c < hi[2]; ++c)
                for (int64_t p = lo[3]; p < hi[3]; ++p)
                    for (int64_t q = lo[4]; q < hi[4]; ++q)
                        for (int64_t r = lo[5]; r < hi[5]; ++r)
                            for (int64_t s = lo[6]; s < hi[6]; ++s) {
                                const int64_t h = p * o.stride_h + r * o.dilation_h - o.pad_h;
                                const int64_t w = q * o.stride_w + s * o.dilation_w - o.pad_w;
                                if (h < 0 || h >= o.in_h || w < 0 || w >= o.in_w) continue;
                                if (!ops.wt.empty() && !ops.wt[((k * C + c) * R + r) * S + s]) continue;
                                if (!ops.in.empty() && !ops.in[((n * C + c) * o.in_h + h) * o.in_w + w]) continue;
                                ++n_;
                            }
    return n_;
}

Conv2dShape small_conv() {
    Conv2dShape s;
    s.batch = 3, s.in_channels = 5, s.in_h = 6, s.in_w = 6, s.out_channels = 7, s.kernel_h = 3, s.kernel_w = 3;
    s.pad_h = 1, s.pad_w = 1;
    return s;
}

// A hand-made step over a whole small nest: the array as big as C x N (CxN).
struct Bench {
    OpShape nest;
    Mapping m;
    StepView v;
    Bench(const OpShape& n, Dataflow df) : nest(n) {
        ArrayConfig cfg;
        cfg.dataflow = df;
        m = map_op(cfg, nest);
        v.nest = &nest, v.mapping = &m;
        v.origin = DimArray{};
        v.size = nest.extent;
    }
};
}  // namespace

TEST(SparsePeWork, PerPeWorkMatchesBruteForceAllPhases) {
    const Conv2dShape s = small_conv();
    auto w = bern(s.w_elements(), 0.3, 1), x = bern(s.x_elements(), 0.5, 2), dy = bern(s.y_elements(), 0.4, 3);
    for (Phase ph : {Phase::Forward, Phase::InputGrad, Phase::WeightGrad}) {
        for (Dataflow df : {Dataflow::CxN, Dataflow::CxK}) {
            const OpShape nest = conv_nests(s, ph)[0];
            NestOperands ops;
            ASSERT_EQ(conv_operands(s, ph, w.data(), x.data(), dy.data(), &ops), "");
            Bench b(nest, df);
            const int64_t rows = nest.e(b.m.row_dim), cols = nest.e(b.m.col_dim);
            std::vector<int64_t> work(rows * cols);
            SparsePeWork src(b.nest, ops, false);
            src.step_work(b.v, rows, cols, work.data());
            int64_t total = 0;
            for (int64_t i = 0; i < rows; ++i)
                for (int64_t j = 0; j < cols; ++j) {
                    DimArray lo{}, hi = nest.extent;
                    lo[idx(b.m.row_dim)] = i, hi[idx(b.m.row_dim)] = i + 1;
                    lo[idx(b.m.col_dim)] = j, hi[idx(b.m.col_dim)] = j + 1;
                    ASSERT_EQ(work[i * cols + j], brute(nest, ops, lo, hi)) << to_string(ph) << " " << i << "," << j;
                    total += work[i * cols + j];
                }
            // Balanced: same total, never a slower step.
            std::vector<int64_t> bal(rows * cols);
            SparsePeWork lb(b.nest, ops, true);
            lb.step_work(b.v, rows, cols, bal.data());
            EXPECT_EQ(std::accumulate(bal.begin(), bal.end(), int64_t{0}), total);
            EXPECT_LE(*std::max_element(bal.begin(), bal.end()), *std::max_element(work.begin(), work.end()));
            EXPECT_EQ(lb.lb_entries(), static_cast<uint64_t>(2 * rows * cols));
        }
    }
}

// The input-gradient nest's maps are W^T flipped and dY: its non-zero MAC count equals the
// direct count over the real (k, c, r, s, n, p, q) of the convolution.
TEST(SparsePeWork, InputGradMapsMatchRealConvolution) {
    const Conv2dShape s = small_conv();
    auto w = bern(s.w_elements(), 0.3, 4), dy = bern(s.y_elements(), 0.4, 5);
    NestOperands ops;
    ASSERT_EQ(conv_operands(s, Phase::InputGrad, w.data(), nullptr, dy.data(), &ops), "");
    const OpShape nest = conv_nests(s, Phase::InputGrad)[0];
    SparsePeWork src(nest, ops, false);
    DimArray lo{};
    const int64_t P = s.out_h(), Q = s.out_w();
    int64_t direct = 0;
    for (int64_t n = 0; n < 3; ++n)
        for (int64_t k = 0; k < 7; ++k)
            for (int64_t c = 0; c < 5; ++c)
                for (int64_t r = 0; r < 3; ++r)
                    for (int64_t t = 0; t < 3; ++t)
                        for (int64_t p = 0; p < P; ++p)
                            for (int64_t q = 0; q < Q; ++q) {
                                const int64_t h = p + r - 1, x = q + t - 1;  // dX pixel fed by this MAC
                                if (h < 0 || h >= 6 || x < 0 || x >= 6) continue;
                                direct += w[((k * 5 + c) * 3 + r) * 3 + t] && dy[((n * 7 + k) * P + p) * Q + q];
                            }
    EXPECT_EQ(src.box_work(lo, nest.extent), direct);
    Conv2dShape strided = s;
    strided.stride_h = 2;
    EXPECT_NE(conv_operands(strided, Phase::InputGrad, w.data(), nullptr, nullptr, &ops), "");
}

// Lock-step: an op whose only non-zero weights sit on one PE row takes as long as the dense op
// in the steps that row is busy; with dense maps the sparse source reproduces the dense FC cost.
TEST(SparsePeWork, TimingThroughCoreLockStep) {
    ArrayConfig cfg;
    TimingModel tm(cfg);
    FcShape s{64, 64, 32};
    const OpShape nest = fc_nest(s, Phase::Forward);
    NestOperands none;
    const SparseCost dense_src = sparse_nest_cost(tm, nest, none, {}, false);
    const OpCost dense = tm.nest(nest);
    EXPECT_EQ(dense_src.op.cycles, dense.cycles);
    EXPECT_EQ(dense_src.op.macs, dense.macs);
    // W non-zero only for input c = 0 (PE row 0 in every row fold containing it): every step
    // with c-fold 0 lasts as long as a dense step, the others take no compute.
    std::vector<uint8_t> w(32 * 64, 0);
    for (int k = 0; k < 32; ++k) w[k * 64] = 1;
    NestOperands ops;
    ASSERT_EQ(fc_operands(s, Phase::Forward, w.data(), nullptr, nullptr, &ops), "");
    const SparseCost one = sparse_nest_cost(tm, nest, ops, {}, false);
    EXPECT_EQ(one.op.macs, 64u * 32u);
    EXPECT_LT(one.op.compute_cycles, dense.compute_cycles);
    EXPECT_GT(one.op.compute_cycles, dense.compute_cycles / 4 - 1);  // 1 of 4 row folds still full
    // Half-density random masks: compressed weight traffic and metadata are charged.
    auto r = bern(32 * 64, 0.5, 6);
    ASSERT_EQ(fc_operands(s, Phase::Forward, r.data(), nullptr, nullptr, &ops), "");
    WeightFormat wf;
    wf.compressed = true, wf.density = 0.5, wf.metadata_bits_per_weight = (64 + 20) / 64.0, wf.unit_elements = 64;
    const SparseCost half = sparse_nest_cost(tm, nest, ops, wf, true);
    EXPECT_GT(half.extra.metadata_dram_bytes, 0u);
    EXPECT_GT(half.extra.decoded_units, 0u);
    EXPECT_LT(half.op.traffic[0].read_bytes, dense.traffic[0].read_bytes);
    EXPECT_LE(half.op.cycles, dense.cycles);
    EXPECT_GT(sparse_energy_pj(half, {}, {}), 0.0);
}

// Per-tile synchronisation lets random weight sparsity pay off: the busiest PE over a tile has
// about density x the dense work; per step the slowest PE of each step adds up. The
// compressed format also moves fewer weight bytes.
TEST(SparsePeWork, TileSyncBeatsStepSyncOnRandomWeights) {
    FcShape s{64, 256, 128};
    const OpShape nest = fc_nest(s, Phase::Forward);
    const auto w = bern(size_t(256) * 128, 0.25, 9);
    NestOperands ops;
    ASSERT_EQ(fc_operands(s, Phase::Forward, w.data(), nullptr, nullptr, &ops), "");
    WeightFormat wf;
    wf.compressed = true, wf.density = 0.25, wf.metadata_bits_per_weight = 1.3, wf.unit_elements = 64;
    ArrayConfig cfg;
    cfg.gb_bytes_per_cycle = 1u << 16, cfg.dram_bytes_per_s = 1e15, cfg.dram_latency_ns = 0;  // compute only
    cfg.sync = SyncMode::Step;
    TimingModel step(cfg);
    cfg.sync = SyncMode::Tile;
    TimingModel tile(cfg);
    const OpCost dense = tile.nest(nest);
    EXPECT_EQ(step.nest(nest).cycles, dense.cycles);
    const SparseCost a = sparse_nest_cost(step, nest, ops, wf, false);
    const SparseCost b = sparse_nest_cost(tile, nest, ops, wf, false);
    EXPECT_EQ(a.op.macs, b.op.macs);
    std::printf("density 0.25, compute only: step sync %.2fx, tile sync %.2fx\n",
                double(dense.cycles) / double(a.op.cycles), double(dense.cycles) / double(b.op.cycles));
    EXPECT_LT(double(b.op.cycles), 0.9 * double(a.op.cycles));
    EXPECT_GT(double(dense.cycles) / double(b.op.cycles), 3.0);
    const auto wr = static_cast<int>(Role::Weight);
    EXPECT_LT(b.op.traffic[wr].read_bytes, dense.traffic[wr].read_bytes / 2);
}
