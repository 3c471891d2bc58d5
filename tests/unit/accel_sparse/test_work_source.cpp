// Per-PE work from real non-zeros against a brute-force count, the load balancer, the lock-step
// rule through the core's timing model, and the operand maps of each phase.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
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
    auto w = bernoulli_mask(s.w_elements(), 0.3, 1), x = bernoulli_mask(s.x_elements(), 0.5, 2), dy = bernoulli_mask(s.y_elements(), 0.4, 3);
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
            // Halves: each PE's two halves add up to its work; paired, never a slower step.
            std::vector<int64_t> halves(2 * rows * cols), bal(rows * cols);
            SparsePeWork lb(b.nest, ops, true);
            ASSERT_TRUE(lb.balanced());
            EXPECT_FALSE(src.balanced());
            lb.step_halves(b.v, rows, cols, halves.data());
            for (int64_t p = 0; p < rows * cols; ++p) ASSERT_EQ(halves[2 * p] + halves[2 * p + 1], work[p]);
            EXPECT_EQ(balance_halves(halves, rows * cols, bal.data()), 2 * rows * cols);
            EXPECT_EQ(std::accumulate(bal.begin(), bal.end(), int64_t{0}), total);
            EXPECT_LE(*std::max_element(bal.begin(), bal.end()), *std::max_element(work.begin(), work.end()));
        }
    }
}

// The three ways box_work sums the In operand: dense (counted), unit column stride (2-D prefix
// over w and n) and strided columns (per column), against the brute force on boxes anywhere.
TEST(SparsePeWork, BoxWorkMatchesBruteForceDenseStridedAndPrefixedInputs) {
    std::mt19937 rng(12);
    for (int stride : {1, 2, 3})
        for (bool dense_in : {false, true}) {
            Conv2dShape s = small_conv();
            s.in_h = s.in_w = 9, s.stride_h = stride, s.stride_w = stride;
            auto w = bernoulli_mask(s.w_elements(), 0.4, 20 + stride), x = bernoulli_mask(s.x_elements(), 0.6, 30 + stride);
            for (Phase ph : {Phase::Forward, Phase::WeightGrad}) {
                const OpShape nest = conv_nests(s, ph)[0];
                NestOperands ops;
                ASSERT_EQ(conv_operands(s, ph, w.data(), dense_in ? nullptr : x.data(), nullptr, &ops), "");
                SparsePeWork src(nest, ops, false);
                for (int it = 0; it < 40; ++it) {
                    DimArray lo, hi;
                    for (int d = 0; d < kDims; ++d) {
                        std::uniform_int_distribution<int64_t> u(0, nest.extent[d] - 1);
                        lo[d] = u(rng);
                        hi[d] = std::uniform_int_distribution<int64_t>(lo[d] + 1, nest.extent[d])(rng);
                    }
                    ASSERT_EQ(src.box_work(lo, hi), brute(nest, ops, lo, hi))
                        << "stride " << stride << (dense_in ? " dense In " : " sparse In ") << to_string(ph);
                }
            }
        }
}

// The input-gradient nest's maps are W^T flipped and dY: its non-zero MAC count equals the
// direct count over the real (k, c, r, s, n, p, q) of the convolution.
TEST(SparsePeWork, InputGradMapsMatchRealConvolution) {
    const Conv2dShape s = small_conv();
    auto w = bernoulli_mask(s.w_elements(), 0.3, 4), dy = bernoulli_mask(s.y_elements(), 0.4, 5);
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
    auto r = bernoulli_mask(32 * 64, 0.5, 6);
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
    const auto w = bernoulli_mask(size_t(256) * 128, 0.25, 9);
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

// ---- Load balancing over the synchronisation window ----

namespace {

// FC forward N = 2, C = 2, K = 8 on a 2 x 2 array (rows <- C, columns <- N) as one GB tile of
// two steps (K chunks 0-3 and 4-7), inputs dense. PE (c, n)'s work in a step = the kept weights
// W[k][c] of the step's K chunk. Over the tile the balancer splits each PE's share at the middle
// of its largest temporal extent (K 0-3 | 4-7); over a step, the step's chunk (k 0-1 | 2-3).
struct TwoStepTile {
    FcShape shape{2, 2, 8};
    OpShape nest = fc_nest(shape, Phase::Forward);
    ArrayConfig cfg;
    Mapping m;
    NestOperands ops;
    explicit TwoStepTile(SyncMode sync) {
        cfg.rows = cfg.cols = 2;
        cfg.sync = sync;
        cfg.timing = TimingRule::ComputeOnly;
        m = map_op(cfg, nest);
        m.gb_tile = nest.extent;
        m.pe_tile = DimArray{1, 1, 1, 1, 1, 1, 1};
        m.pe_tile[idx(Dim::K)] = 4;
        // W[k][c], k = 0..7:  c = 0: 1 1 1 1 | 1 1 1 0    c = 1: 0 0 0 1 | 0 0 0 0
        const uint8_t c0[8] = {1, 1, 1, 1, 1, 1, 1, 0}, c1[8] = {0, 0, 0, 1, 0, 0, 0, 0};
        std::vector<uint8_t> w(16);
        for (int k = 0; k < 8; ++k) w[k * 2] = c0[k], w[k * 2 + 1] = c1[k];
        EXPECT_EQ(fc_operands(shape, Phase::Forward, w.data(), nullptr, nullptr, &ops), "");
    }
    OpCost cost(bool balance) const {
        const SparsePeWork src(nest, ops, balance);
        return nest_cost(cfg, nest, m, &src);
    }
};

}  // namespace

// Half totals over the tile: PE (0, n) = (k 0-3, k 4-7) = (4, 3), PE (1, n) = (1, 0).
// Unbalanced the busiest PE has 7 MACs; sorted 4 4 3 3 1 1 0 0 paired ends-in gives
// 4 4 4 4: the tile takes 4 cycles. One sort of 8 entries per tile. (Pairing per step instead
// gives PE (0, n) 2 + 2 twice, 5 cycles in all: the window matters.)
TEST(LoadBalancer, TileWindowPairsHalfTotalsOverTheTile) {
    const TwoStepTile t(SyncMode::Tile);
    const OpCost off = t.cost(false), on = t.cost(true);
    EXPECT_EQ(off.cycles, 7u);
    EXPECT_EQ(on.cycles, 4u);
    EXPECT_EQ(on.rule_cycles, 4u);
    EXPECT_EQ(on.macs, off.macs);
    EXPECT_EQ(on.macs, 16u);  // 8 kept weights x 2 samples
    EXPECT_EQ(on.balancer_entries, 8u);
    EXPECT_EQ(off.balancer_entries, 0u);
}

// Step window: step 1 halves (2, 2) (2, 2) (0, 1) (0, 1) pair to 3 at most, step 2 halves
// (2, 1) (2, 1) (0, 0) (0, 0) to 2: 5 cycles against 4 + 3 = 7 unbalanced; 8 entries per step.
TEST(LoadBalancer, StepWindowPairsHalvesOfEachStep) {
    const TwoStepTile t(SyncMode::Step);
    const OpCost off = t.cost(false), on = t.cost(true);
    EXPECT_EQ(off.cycles, 7u);
    EXPECT_EQ(on.cycles, 5u);
    EXPECT_EQ(on.balancer_entries, 16u);
}

TEST(LoadBalancer, PairsDensestWithSparsest) {
    std::vector<int64_t> h = {9, 1, 5, 5, 8, 0, 2, 2};
    int64_t work[4];
    EXPECT_EQ(balance_halves(h, 4, work), 8);
    // Sorted 9 8 5 5 2 2 1 0: 9 + 0, 8 + 1, 5 + 2, 5 + 2.
    EXPECT_EQ(work[0], 9);
    EXPECT_EQ(work[1], 9);
    EXPECT_EQ(work[2], 7);
    EXPECT_EQ(work[3], 7);
}

// Property: over random masks, shapes and both sync modes, a GB tile is never slower with the
// balancer than without, in the compute-only rule and in the full model, and does the same MACs.
TEST(LoadBalancer, NeverSlowerOnAnyTileOverRandomMasks) {
    std::mt19937 rng(1101);
    std::uniform_int_distribution<int> ch(1, 24), hw(3, 9), kk(1, 3), bt(1, 6);
    std::uniform_real_distribution<double> dens(0.05, 0.9);
    int checked = 0, faster = 0;
    for (int it = 0; it < 60; ++it) {
        Conv2dShape s;
        s.batch = bt(rng), s.in_channels = ch(rng), s.out_channels = ch(rng), s.in_h = s.in_w = hw(rng);
        s.kernel_h = s.kernel_w = std::min<int>(kk(rng), s.in_h);
        s.pad_h = s.pad_w = s.kernel_h / 2;
        const Phase ph = static_cast<Phase>(it % 3);
        auto w = bernoulli_mask(s.w_elements(), dens(rng), 100 + it), x = bernoulli_mask(s.x_elements(), dens(rng), 200 + it),
             dy = bernoulli_mask(s.y_elements(), dens(rng), 300 + it);
        NestOperands ops;
        ASSERT_EQ(conv_operands(s, ph, w.data(), it % 2 ? x.data() : nullptr, dy.data(), &ops), "");
        const OpShape nest = conv_nests(s, ph)[0];
        for (SyncMode sync : {SyncMode::Tile, SyncMode::Step}) {
            ArrayConfig cfg;
            cfg.rows = 1 + it % 8, cfg.cols = 1 + (it / 2) % 8;
            cfg.dataflow = it % 4 < 2 ? Dataflow::CxN : Dataflow::CxK;
            cfg.sync = sync;
            cfg.gb_bytes_per_cycle = 1u << 16, cfg.dram_bytes_per_s = 1e15, cfg.dram_latency_ns = 0;
            Mapping m = map_op(cfg, nest);
            ASSERT_EQ(m.error, "");
            m.gb_tile = nest.extent;  // the whole nest as one GB tile
            const SparsePeWork plain(nest, ops, false), lb(nest, ops, true);
            const OpCost a = nest_cost(cfg, nest, m, &plain), b = nest_cost(cfg, nest, m, &lb);
            ASSERT_LE(b.rule_cycles, a.rule_cycles) << "iteration " << it << " " << to_string(sync);
            ASSERT_LE(b.cycles, a.cycles) << "iteration " << it << " " << to_string(sync);
            EXPECT_EQ(b.macs, a.macs);
            ++checked;
            faster += b.rule_cycles < a.rule_cycles;
        }
    }
    std::printf("balancer: %d tiles, %d faster, none slower\n", checked, faster);
    EXPECT_GT(faster, checked / 4);  // the property is not vacuous
}

// The balancer sorts once per sync window: under tile sync its energy is far below 1% of a
// sparse layer's (10% weights, ResNet-like 3x3 conv).
TEST(LoadBalancer, EnergyBelowOnePercentOfTheOpUnderTileSync) {
    Conv2dShape s;
    s.batch = 16, s.in_channels = s.out_channels = 32, s.in_h = s.in_w = 14, s.kernel_h = s.kernel_w = 3;
    s.pad_h = s.pad_w = 1;
    const auto w = bernoulli_mask(s.w_elements(), 0.1, 77);
    NestOperands ops;
    ASSERT_EQ(conv_operands(s, Phase::Forward, w.data(), nullptr, nullptr, &ops), "");
    ArrayConfig cfg;
    TimingModel tm(cfg);
    WeightFormat wf;
    wf.compressed = true, wf.density = 0.1, wf.metadata_bits_per_weight = 1.3, wf.unit_elements = 64;
    const SparseCost c = sparse_nest_cost(tm, conv_nests(s, Phase::Forward)[0], ops, wf, true);
    const EnergyTable et;
    const SparseEnergyTable st;
    const double lb = sparse_unit_energy(c.extra, et, st).load_balancer_pj, total = sparse_energy_pj(c, et, st);
    EXPECT_GT(c.extra.lb_entries, 0u);
    EXPECT_LE(c.extra.lb_entries, 2 * cfg.pes() * c.op.gb_tiles);  // one sort of the active PEs' halves per tile
    EXPECT_LT(lb, 0.01 * total) << lb << " of " << total << " pJ";
}

// The sparse-aware mapper: a sparse op is also mapped for its own densities and costed on both
// mappings with its real work; the faster is kept, so it is never slower than the dense op's
// mapping, and on a conv layer with 10% weights at default memories it is faster (less GB-port
// traffic per MAC once the compute shrinks).
TEST(SparseAwareMapping, NeverSlowerAndFasterOnSparseConv) {
    Conv2dShape s;
    s.batch = 8, s.in_channels = s.out_channels = 128, s.in_h = s.in_w = 14, s.kernel_h = s.kernel_w = 3;
    s.pad_h = s.pad_w = 1;
    const auto w = bernoulli_mask(s.w_elements(), 0.1, 88);
    NestOperands ops;
    ASSERT_EQ(conv_operands(s, Phase::Forward, w.data(), nullptr, nullptr, &ops), "");
    const OpShape nest = conv_nests(s, Phase::Forward)[0];
    WeightFormat wf;
    wf.compressed = true, wf.density = 0.1, wf.metadata_bits_per_weight = 1.3, wf.unit_elements = 64;
    ArrayConfig cfg;
    cfg.sparse_aware_mapping = false;
    TimingModel plain(cfg);
    cfg.sparse_aware_mapping = true;
    TimingModel aware(cfg);
    const SparseCost a = sparse_nest_cost(plain, nest, ops, wf, true), b = sparse_nest_cost(aware, nest, ops, wf, true);
    EXPECT_EQ(a.op.macs, b.op.macs);
    EXPECT_LT(double(b.op.cycles), 0.9 * double(a.op.cycles)) << a.op.cycles << " vs " << b.op.cycles;
    // The choice is kept for the density: asking again costs the same.
    EXPECT_EQ(sparse_nest_cost(aware, nest, ops, wf, true).op.cycles, b.op.cycles);
    // Dense work keeps the dense mapping.
    const NestOperands none;  // SparsePeWork keeps a reference
    const SparsePeWork dense_src(nest, none, false);
    EXPECT_EQ(aware.nest(nest, &dense_src).cycles, nest_cost(cfg, nest, aware.mapping(nest), &dense_src).cycles);
    // The hints change the mapper's choice.
    const Mapping md = map_op(cfg, nest), ms = map_op(cfg, nest, SparseHints{0.1, 0.14});
    EXPECT_FALSE(md.gb_tile == ms.gb_tile && md.pe_tile == ms.pe_tile && md.gb_order == ms.gb_order);
    EXPECT_EQ(ms.error, "");

    std::mt19937 rng(5);
    for (int it = 0; it < 20; ++it) {
        Conv2dShape r;
        r.batch = 1 + it % 5, r.in_channels = 4 + 7 * (it % 6), r.out_channels = 3 + 5 * (it % 7);
        r.in_h = r.in_w = 4 + it % 6, r.kernel_h = r.kernel_w = 1 + 2 * (it % 2), r.pad_h = r.pad_w = it % 2;
        const auto m = bernoulli_mask(r.w_elements(), 0.05 + 0.04 * (it % 10), 900 + it);
        NestOperands o;
        ASSERT_EQ(conv_operands(r, Phase::Forward, m.data(), nullptr, nullptr, &o), "");
        const OpShape n = conv_nests(r, Phase::Forward)[0];
        TimingModel a2(ArrayConfig{});
        ArrayConfig off;
        off.sparse_aware_mapping = false;
        TimingModel p3(off);
        EXPECT_LE(sparse_nest_cost(a2, n, o, wf, true).op.cycles, sparse_nest_cost(p3, n, o, wf, true).op.cycles)
            << "iteration " << it;
    }
}

// One random tile of `nest` on a rows x cols array in both dataflows, balancer off and on: the
// tile path's halves against the fold-by-fold default. Returns the comparisons made.
static int compare_tile_halves(const OpShape& nest, const NestOperands& ops, int rows, int cols, std::mt19937& rng,
                               const std::string& what) {
    int compared = 0;
    for (Dataflow df : {Dataflow::CxN, Dataflow::CxK}) {
        ArrayConfig cfg;
        cfg.rows = rows, cfg.cols = cols;
        cfg.dataflow = df;
        const Mapping m = map_op(cfg, nest);
        EXPECT_EQ(m.error, "") << what;
        if (!m.error.empty()) return compared;
        StepView tile;
        tile.nest = &nest, tile.mapping = &m;
        for (int d = 0; d < kDims; ++d) {
            tile.origin[d] = std::uniform_int_distribution<int64_t>(0, nest.extent[d] - 1)(rng);
            tile.size[d] = std::uniform_int_distribution<int64_t>(1, nest.extent[d] - tile.origin[d])(rng);
        }
        for (bool balance : {false, true}) {
            const SparsePeWork src(nest, ops, balance);
            std::vector<int64_t> fast(2 * cfg.rows * cfg.cols, 7), slow(fast);
            src.tile_halves(tile, cfg.rows, cfg.cols, fast.data());
            src.PeWorkSource::tile_halves(tile, cfg.rows, cfg.cols, slow.data());
            EXPECT_EQ(fast, slow) << what << (balance ? " balanced" : "");
            ++compared;
        }
    }
    return compared;
}

// The fast tile path (taps shared by a tile's PEs, identical columns computed once, the 3-D
// input prefix) against the straightforward one: PeWorkSource::tile_halves asks step_halves
// for every fold and box_work for every PE. Random masks (either operand dense too), strides
// (also unequal), padding, both dataflows, tiles anywhere with folds, balancer on and off.
TEST(SparsePeWork, TileHalvesEqualTheFoldByFoldDefault) {
    std::mt19937 rng(1111);
    std::uniform_int_distribution<int> ch(1, 12), hw(3, 10), kk(1, 3), st(1, 3), bt(1, 5);
    std::uniform_real_distribution<double> dens(0.05, 0.95);
    int compared = 0;
    for (int it = 0; it < 120; ++it) {
        Conv2dShape s;
        s.batch = bt(rng), s.in_channels = ch(rng), s.out_channels = ch(rng), s.in_h = hw(rng), s.in_w = hw(rng);
        s.kernel_h = std::min<int>(kk(rng), s.in_h), s.kernel_w = std::min<int>(kk(rng), s.in_w);
        s.stride_h = st(rng), s.stride_w = st(rng), s.pad_h = s.kernel_h / 2, s.pad_w = s.kernel_w / 2;
        const bool fc = it % 10 == 9;
        if (fc) s.in_h = s.in_w = s.kernel_h = s.kernel_w = s.stride_h = s.stride_w = 1, s.pad_h = s.pad_w = 0;
        // Input gradients need stride 1.
        const Phase ph = static_cast<Phase>(it % 3) == Phase::InputGrad && (s.stride_h > 1 || s.stride_w > 1)
                             ? Phase::Forward
                             : static_cast<Phase>(it % 3);
        const auto w = bernoulli_mask(s.w_elements(), dens(rng), 400 + it),
                   x = bernoulli_mask(s.x_elements(), dens(rng), 500 + it),
                   dy = bernoulli_mask(s.y_elements(), dens(rng), 600 + it);
        const int dense = it % 4;  // 0: none dense, 1: W and dY dense (In of the forward), 2: X dense, 3: both sparse
        NestOperands ops;
        ASSERT_EQ(conv_operands(s, ph, dense == 1 ? nullptr : w.data(), dense == 2 ? nullptr : x.data(),
                                dense == 1 ? nullptr : dy.data(), &ops),
                  "");
        const OpShape nest = conv_nests(s, ph)[0];
        compared += compare_tile_halves(nest, ops, 1 + it % 4, 1 + (it / 3) % 5, rng,
                                        "iteration " + std::to_string(it) + " " + to_string(ph));
    }
    EXPECT_EQ(compared, 480);
}

// The FC tile path (one channel per PE, no sum over c) against the fold-by-fold default: FC
// nests of every phase, random masks with either operand dense, both dataflows (C beside N or
// K), tiles anywhere with folds, balancer on and off.
TEST(SparsePeWork, FcTileHalvesEqualTheFoldByFoldDefault) {
    std::mt19937 rng(2222);
    std::uniform_int_distribution<int> ft(1, 40), bt(1, 12);
    std::uniform_real_distribution<double> dens(0.05, 0.95);
    int compared = 0;
    for (int it = 0; it < 90; ++it) {
        FcShape s;
        s.batch = bt(rng), s.in_features = ft(rng), s.out_features = ft(rng);
        const Phase ph = static_cast<Phase>(it % 3);
        const auto w = bernoulli_mask(int64_t{s.in_features} * s.out_features, dens(rng), 700 + it),
                   x = bernoulli_mask(int64_t{s.batch} * s.in_features, dens(rng), 800 + it),
                   dy = bernoulli_mask(int64_t{s.batch} * s.out_features, dens(rng), 900 + it);
        const int dense = (it / 3) % 4;  // 0: none dense, 1: W and dY dense, 2: X dense, 3: both sparse
        NestOperands ops;
        ASSERT_EQ(fc_operands(s, ph, dense == 1 ? nullptr : w.data(), dense == 2 ? nullptr : x.data(),
                              dense == 1 ? nullptr : dy.data(), &ops),
                  "");
        const OpShape nest = fc_nest(s, ph);
        compared += compare_tile_halves(nest, ops, 1 + it % 5, 1 + (it / 5) % 4, rng,
                                        "iteration " + std::to_string(it) + " " + to_string(ph));
    }
    EXPECT_EQ(compared, 360);
}

// Unequal strides: the row loop over the (w, n) prefix (stride_h > 1, stride_w = 1), the 3-D
// prefix (both 1) and the per-column sum, each against the brute force.
TEST(SparsePeWork, BoxWorkMatchesBruteForceWithUnequalStrides) {
    std::mt19937 rng(13);
    for (int sh : {1, 2, 3})
        for (int sw : {1, 2}) {
            Conv2dShape s = small_conv();
            s.in_h = 10, s.in_w = 9, s.stride_h = sh, s.stride_w = sw;
            const auto w = bernoulli_mask(s.w_elements(), 0.5, 40 + sh), x = bernoulli_mask(s.x_elements(), 0.5, 50 + sw);
            const OpShape nest = conv_nests(s, Phase::Forward)[0];
            NestOperands ops;
            ASSERT_EQ(conv_operands(s, Phase::Forward, w.data(), x.data(), nullptr, &ops), "");
            const SparsePeWork src(nest, ops, false);
            for (int it = 0; it < 60; ++it) {
                DimArray lo, hi;
                for (int d = 0; d < kDims; ++d) {
                    lo[d] = std::uniform_int_distribution<int64_t>(0, nest.extent[d] - 1)(rng);
                    hi[d] = std::uniform_int_distribution<int64_t>(lo[d] + 1, nest.extent[d])(rng);
                }
                ASSERT_EQ(src.box_work(lo, hi), brute(nest, ops, lo, hi)) << "strides " << sh << "x" << sw;
            }
        }
}

// The balancer's radix sort against std::sort: magnitudes from one byte to 62 bits, ties,
// empty and single lists, and the comparison-sort fallback for negative values.
TEST(LoadBalancer, RadixSortEqualsStdSort) {
    std::mt19937_64 rng(77);
    for (int bits : {0, 1, 7, 8, 9, 16, 20, 33, 62})
        for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{31}, size_t{512}}) {
            std::vector<int64_t> v(n);
            for (auto& x : v) x = bits == 0 ? 0 : static_cast<int64_t>(rng() >> (64 - bits));
            if (n > 3 && bits == 9) v[1] = -5;  // fallback
            std::vector<int64_t> want = v;
            std::sort(want.begin(), want.end(), std::greater<int64_t>());
            sort_descending(v.data(), v.size());
            ASSERT_EQ(v, want) << bits << " bits, " << n << " values";
        }
}

// The balancer's busiest pair from a histogram (no sort) against balance_halves' pairing:
// small ranges (the histogram: ties, two values only, all equal, one outlier), ranges far
// above the entry count and a negative value (the sort fallback), one PE to 256.
TEST(LoadBalancer, BusiestWithoutSortEqualsThePairing) {
    std::mt19937_64 rng(99);
    BalanceScratch counts;
    int compared = 0;
    for (int64_t pes : {1, 2, 3, 7, 64, 256})
        for (int64_t range : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{17}, int64_t{1000}, int64_t{1} << 20, int64_t{1} << 40})
            for (int kind = 0; kind < 6; ++kind) {
                std::vector<int64_t> v(static_cast<size_t>(2 * pes));
                for (auto& x : v) x = static_cast<int64_t>(rng() % static_cast<uint64_t>(range));
                if (kind == 1)
                    for (auto& x : v) x = (rng() & 1) ? range - 1 : 0;
                if (kind == 2)
                    for (auto& x : v) x = range - 1;
                if (kind == 3) std::fill(v.begin(), v.end(), 0), v[0] = range - 1;
                if (kind == 4 && pes > 1) v[1] = -3;
                if (kind == 5) std::sort(v.begin(), v.end());
                std::vector<int64_t> sorted = v, work(static_cast<size_t>(pes));
                balance_halves(sorted, pes, work.data());
                ASSERT_EQ(busiest_balanced(v.data(), pes, counts), *std::max_element(work.begin(), work.end()))
                    << pes << " PEs, range " << range << ", kind " << kind;
                ++compared;
            }
    EXPECT_EQ(compared, 6 * 7 * 6);
    EXPECT_EQ(busiest_balanced(nullptr, 0, counts), 0);
}

// FC tiles of one op share a source (its per-range channel sums are kept from tile to tile and
// mapping to mapping): random tiles of LeNet-sized FC nests in a row, each against the fold-by-fold default, with
// the Wt map sparse and In dense or sparse, balancer on and off.
TEST(SparsePeWork, FcTilesOfOneSourceEqualTheFoldByFoldDefault) {
    std::mt19937 rng(3333);
    int compared = 0;
    for (int it = 0; it < 6; ++it) {
        FcShape s;
        s.batch = 8 + 7 * it, s.in_features = 50 + 31 * it, s.out_features = 20 + 13 * it;
        const auto w = bernoulli_mask(int64_t{s.in_features} * s.out_features, 0.1 + 0.15 * it, 40 + it),
                   x = bernoulli_mask(int64_t{s.batch} * s.in_features, 0.5, 50 + it);
        NestOperands ops;
        ASSERT_EQ(fc_operands(s, Phase::Forward, w.data(), it % 2 ? x.data() : nullptr, nullptr, &ops), "");
        const OpShape nest = fc_nest(s, Phase::Forward);
        ArrayConfig cfg;
        cfg.rows = 4 + it, cfg.cols = 3 + it;
        const Mapping m = map_op(cfg, nest);
        ASSERT_EQ(m.error, "");
        for (bool balance : {false, true}) {
            const SparsePeWork src(nest, ops, balance);
            for (int t = 0; t < 12; ++t) {
                StepView tile;
                tile.nest = &nest, tile.mapping = &m;
                for (int d = 0; d < kDims; ++d) {
                    // Tiles at a few origins, of the grid's extent or any other (as the two
                    // mappings a sparse-aware mapper tries): k ranges repeat, and some start
                    // alike and end apart.
                    const int64_t step = std::max<int64_t>(1, nest.extent[d] / 3);
                    tile.origin[d] = step * std::uniform_int_distribution<int64_t>(0, (nest.extent[d] - 1) / step)(rng);
                    tile.size[d] = t % 2 ? std::min(step, nest.extent[d] - tile.origin[d])
                                         : std::uniform_int_distribution<int64_t>(1, nest.extent[d] - tile.origin[d])(rng);
                }
                std::vector<int64_t> fast(static_cast<size_t>(2 * cfg.rows * cfg.cols), 5), slow(fast);
                src.tile_halves(tile, cfg.rows, cfg.cols, fast.data());
                src.PeWorkSource::tile_halves(tile, cfg.rows, cfg.cols, slow.data());
                ASSERT_EQ(fast, slow) << "iteration " << it << ", tile " << t << (balance ? " balanced" : "");
                ++compared;
            }
        }
    }
    EXPECT_EQ(compared, 6 * 2 * 12);
}

// The weight-gradient operands of an FC layer, element by element from the definition
// (Wt[k][c=n] = dY[n][k], In[n=c][c=n] = X[n][c]): the byte transpose of the 1x1 case.
TEST(NestOperands, FcWeightGradTransposesTheMaps) {
    FcShape s;
    s.batch = 5, s.in_features = 7, s.out_features = 3;
    const auto x = bernoulli_mask(size_t(s.batch * s.in_features), 0.5, 4);
    const auto dy = bernoulli_mask(size_t(s.batch * s.out_features), 0.5, 5);
    NestOperands ops;
    ASSERT_EQ(fc_operands(s, Phase::WeightGrad, nullptr, x.data(), dy.data(), &ops), "");
    ASSERT_EQ(ops.in.size(), x.size());
    ASSERT_EQ(ops.wt.size(), dy.size());
    for (int64_t n = 0; n < s.batch; ++n) {
        for (int64_t c = 0; c < s.in_features; ++c)
            EXPECT_EQ(ops.in[size_t(c * s.batch + n)], x[size_t(n * s.in_features + c)]) << n << "," << c;
        for (int64_t k = 0; k < s.out_features; ++k)
            EXPECT_EQ(ops.wt[size_t(k * s.batch + n)], dy[size_t(n * s.out_features + k)]) << n << "," << k;
    }
}
