#include "accel/core/timing.h"
#include "sweep_helpers.h"

using namespace stvp::accel;
using namespace stvp::accel::test;

namespace {

// Generous memories: the array alone sets the time.
ArrayConfig compute_bound(uint32_t rows, uint32_t cols) {
    ArrayConfig c;
    c.rows = rows, c.cols = cols;
    c.gb_bytes = 1u << 26;
    c.gb_bytes_per_cycle = 1u << 16;
    c.dram_bytes_per_s = 1e15;
    c.dram_latency_ns = 0;
    return c;
}

// Only PE (0, 0) works: the lock-step array still takes the slowest PE's time per step.
class OnlyFirstPe : public PeWorkSource {
public:
    void step_work(const StepView& s, int64_t, int64_t, int64_t* work) const override { work[0] = dense_pe_work(s); }
};

// Half the work (rounded up) everywhere.
class HalfWork : public DensePeWork {
public:
    void step_work(const StepView& s, int64_t rows, int64_t cols, int64_t* work) const override {
        DensePeWork::step_work(s, rows, cols, work);
        for (int64_t i = 0; i < rows * cols; ++i) work[i] = (work[i] + 1) / 2;
    }
};

// The busy PE moves: in each step only the PEs with (i + j + fold and chunk indices) % 4 == 0 work, so every step has a full PE but over a tile each PE does about a quarter.
class RotatingWork : public PeWorkSource {
public:
    void step_work(const StepView& s, int64_t rows, int64_t cols, int64_t* work) const override {
        const Mapping& m = *s.mapping;
        const int64_t ar = s.size[idx(m.row_dim)], ac = s.size[idx(m.col_dim)];
        int64_t phase = s.origin[idx(m.row_dim)] / rows + s.origin[idx(m.col_dim)] / cols;
        for (int d = 0; d < kDims; ++d)
            if (is_temporal(m, Dim(d))) phase += s.origin[d] / std::max<int64_t>(1, m.pe_tile[d]);
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j)
                work[i * cols + j] = (i < ar && j < ac && (i + j + phase) % 4 == 0) ? dense_pe_work(s) : 0;
    }
    // Over a whole tile the rotation gives every PE a quarter of its dense share (rounded up).
    void tile_halves(const StepView& t, int64_t rows, int64_t cols, int64_t* halves) const override {
        const Mapping& m = *t.mapping;
        const int64_t tr = t.size[idx(m.row_dim)], tc = t.size[idx(m.col_dim)];
        for (int64_t i = 0; i < std::min(rows, tr); ++i)
            for (int64_t j = 0; j < std::min(cols, tc); ++j) {
                const int64_t folds = (tr - i + rows - 1) / rows * ((tc - j + cols - 1) / cols);
                halves[2 * (i * cols + j)] += (folds * dense_pe_work(t) + 3) / 4;
            }
    }
};

// Dense work stored compressed to half its words.
class HalfWordsDense : public DensePeWork {
public:
    double wt_word_fraction() const override { return 0.5; }
};

}  // namespace

TEST(AccelTiming, TileSyncEqualsStepSyncForDenseWork) {
    std::mt19937 rng(52);
    const DensePeWork dense;
    for (int it = 0; it < 100; ++it) {
        ArrayConfig cfg = random_small_config(rng, it % 2 ? Dataflow::CxK : Dataflow::CxN);
        const OpShape nest = random_nest(rng);
        const Mapping m = map_op(cfg, nest);
        cfg.sync = SyncMode::Step;
        const OpCost a = nest_cost(cfg, nest, m, &dense);
        cfg.sync = SyncMode::Tile;
        const OpCost b = nest_cost(cfg, nest, m, &dense);
        ASSERT_EQ(a.cycles, b.cycles) << "iteration " << it;
        EXPECT_TRUE(a.counts == b.counts);
    }
}

TEST(AccelTiming, TileSyncWaitsForTheBusiestPeOverTheTile) {
    ArrayConfig cfg = compute_bound(4, 4);
    const OpShape nest = fc_nest(FcShape{8, 64, 32}, Phase::Forward);
    const Mapping m = map_op(cfg, nest);
    const RotatingWork rot;
    cfg.sync = SyncMode::Step;
    const OpCost dense = nest_cost(cfg, nest, m);
    const OpCost step = nest_cost(cfg, nest, m, &rot);
    cfg.sync = SyncMode::Tile;
    const OpCost tile = nest_cost(cfg, nest, m, &rot);
    // Per step some PE always has a full chunk; per tile every PE has about a quarter.
    EXPECT_EQ(step.compute_cycles, dense.compute_cycles);
    EXPECT_LT(double(tile.compute_cycles), 0.45 * double(dense.compute_cycles));
    EXPECT_EQ(tile.macs, step.macs);
    EXPECT_TRUE(tile.counts.mac_idle < step.counts.mac_idle);
}

TEST(AccelTiming, CompressedWeightsShrinkDramLoadsAndFills) {
    ArrayConfig cfg;  // the default array: weights matter on an FC layer
    const OpShape nest = fc_nest(FcShape{64, 800, 500}, Phase::Forward);
    const Mapping m = map_op(cfg, nest);
    const OpCost dense = nest_cost(cfg, nest, m);
    const HalfWordsDense half;
    const OpCost c = nest_cost(cfg, nest, m, &half);
    const auto w = static_cast<int>(Role::Weight);
    EXPECT_EQ(c.traffic[w].read_bytes, dense.traffic[w].read_bytes / 2);
    EXPECT_EQ(dense.counts.dram_read_bytes - c.counts.dram_read_bytes, dense.traffic[w].read_bytes / 2);
    EXPECT_LT(c.counts.gb_read_bytes, dense.counts.gb_read_bytes);
    EXPECT_LT(c.counts.rf_write, dense.counts.rf_write);
    EXPECT_EQ(c.macs, dense.macs);
    EXPECT_LE(c.cycles, dense.cycles);
    EXPECT_LE(c.dram_cycles, dense.dram_cycles);
}

TEST(AccelTiming, DenseWalkEqualsDenseWorkSource) {
    std::mt19937 rng(51);
    const DensePeWork dense;
    for (int it = 0; it < 150; ++it) {
        const ArrayConfig cfg = random_small_config(rng, it % 2 ? Dataflow::CxK : Dataflow::CxN);
        const OpShape nest = random_nest(rng);
        const Mapping m = map_op(cfg, nest);
        const OpCost a = nest_cost(cfg, nest, m), b = nest_cost(cfg, nest, m, &dense);
        ASSERT_EQ(a.cycles, b.cycles) << "iteration " << it;
        EXPECT_EQ(a.compute_cycles, b.compute_cycles);
        EXPECT_EQ(a.array_steps, b.array_steps);
        EXPECT_TRUE(a.counts == b.counts);
        EXPECT_EQ(a.macs + a.macs_skipped, uint64_t(nest.macs()));
        EXPECT_EQ(a.macs, uint64_t(nest.real_macs()));  // padding MACs are gated
    }
}

TEST(AccelTiming, ComputeBoundFcTakesMacsOverPes) {
    const ArrayConfig cfg = compute_bound(16, 16);
    const OpShape nest = fc_nest(FcShape{64, 256, 128}, Phase::Forward);  // C and N multiples of 16
    const OpCost c = TimingModel(cfg).nest(nest);
    const double ideal = double(nest.macs()) / cfg.pes();
    EXPECT_GE(double(c.cycles), ideal);
    EXPECT_LT(double(c.cycles), 1.05 * ideal);
    EXPECT_EQ(c.macs, uint64_t(nest.macs()));
    EXPECT_EQ(c.macs_skipped, 0u);
}

TEST(AccelTiming, DramBoundTakesBytesOverBandwidth) {
    ArrayConfig cfg;
    cfg.dram_bytes_per_s = 0.5e9;  // 1 byte per cycle at 500 MHz
    cfg.dram_latency_ns = 0;
    const OpShape nest = fc_nest(FcShape{4, 512, 512}, Phase::Forward);  // 1 MiB of weights, little reuse
    const OpCost c = TimingModel(cfg).nest(nest);
    const double bytes = double(c.counts.dram_read_bytes + c.counts.dram_write_bytes);
    EXPECT_GE(double(c.cycles), bytes);
    EXPECT_LT(double(c.cycles), 1.05 * bytes);
    EXPECT_EQ(c.dram_cycles, uint64_t(bytes));
}

TEST(AccelTiming, DoubleBufferingOverlapsTransfersWithCompute) {
    std::mt19937 rng(52);
    for (int it = 0; it < 40; ++it) {
        ArrayConfig db = random_small_config(rng, it % 2 ? Dataflow::CxK : Dataflow::CxN);
        db.double_buffering = true;
        ArrayConfig single = db;
        single.double_buffering = false;
        const OpShape nest = random_nest(rng);
        const Mapping m = map_op(db, nest);  // fits half the GB, so the whole GB too
        const OpCost a = nest_cost(db, nest, m), b = nest_cost(single, nest, m);
        EXPECT_LE(a.cycles, b.cycles);
        EXPECT_GE(a.cycles, std::max(a.dram_cycles, a.compute_cycles) / 2);
        EXPECT_EQ(b.cycles, b.dram_cycles + b.compute_cycles);
    }
}

TEST(AccelTiming, LockStepStepTakesTheSlowestPe) {
    ArrayConfig cfg = compute_bound(4, 4);
    cfg.sync = SyncMode::Step;
    const OpShape nest = fc_nest(FcShape{8, 16, 32}, Phase::Forward);
    const Mapping m = map_op(cfg, nest);
    const OpCost dense = nest_cost(cfg, nest, m);
    const OnlyFirstPe one;
    const OpCost lone = nest_cost(cfg, nest, m, &one);
    EXPECT_EQ(lone.cycles, dense.cycles);  // PE (0,0) does a full step every step
    EXPECT_EQ(lone.macs * cfg.pes(), dense.macs);
    EXPECT_EQ(lone.macs + lone.macs_skipped, dense.macs);
    EXPECT_LT(lone.counts.rf_read, dense.counts.rf_read);
    const HalfWork half;
    const OpCost h = nest_cost(cfg, nest, m, &half);
    EXPECT_LT(h.cycles, dense.cycles);
    EXPECT_EQ(h.macs_skipped, dense.macs - h.macs);
}

TEST(AccelTiming, StepComputeCyclesIsTheSlowestPe) {
    const int64_t work[6] = {3, 9, 0, 4, 8, 1};
    EXPECT_EQ(step_compute_cycles(work, 6, 1), 9);
    EXPECT_EQ(step_compute_cycles(work, 6, 2), 5);
    EXPECT_EQ(step_compute_cycles(work, 6, 16), 1);
    const int64_t none[2] = {0, 0};
    EXPECT_EQ(step_compute_cycles(none, 2, 1), 0);
}

TEST(AccelTiming, VectorOpsRunAtOneElementPerPePerCycle) {
    ArrayConfig cfg;
    cfg.dram_bytes_per_s = 1e15;
    cfg.dram_latency_ns = 0;
    const OpCost sgd = sgd_cost(cfg, SgdShape{256 * 100});
    EXPECT_EQ(sgd.cycles, 300u);  // 3 ops per weight over 256 PEs
    EXPECT_EQ(sgd.counts.vector_op, 3u * 25600);
    EXPECT_EQ(sgd.counts.dram_read_bytes, 8u * 25600);
    EXPECT_EQ(sgd.counts.dram_write_bytes, 4u * 25600);
    Pool2dShape p;
    p.batch = 2, p.channels = 4, p.in_h = 8, p.in_w = 8, p.kernel_h = 2, p.kernel_w = 2, p.stride_h = 2, p.stride_w = 2;
    const OpCost f = maxpool2d_forward_cost(cfg, p), b = maxpool2d_backward_cost(cfg, p);
    EXPECT_EQ(f.counts.vector_op, 128u * 4);
    EXPECT_EQ(b.counts.vector_op, 128u * 5);
    EXPECT_EQ(b.counts.dram_write_bytes, 4u * 512);
    const OpCost x = softmax_xent_cost(cfg, SoftmaxXentShape{64, 10});
    EXPECT_EQ(x.counts.vector_op, 640u * kSoftmaxOpsPerElement);
    EXPECT_EQ(x.cycles, (640u * kSoftmaxOpsPerElement + 255) / 256);
}

TEST(AccelTiming, ModelCachesNestsAndSumsStridedSubNests) {
    ArrayConfig cfg;
    TimingModel tm(cfg);
    Conv2dShape s;
    s.batch = 4, s.in_channels = 8, s.in_h = 16, s.in_w = 16, s.out_channels = 16, s.kernel_h = 3, s.kernel_w = 3;
    s.stride_h = s.stride_w = 2, s.pad_h = s.pad_w = 1;
    const OpCost a = tm.conv2d(s, Phase::InputGrad);
    EXPECT_EQ(tm.cached_nests(), 4u);  // 2 x 2 sub-pixel nests
    const OpCost b = tm.conv2d(s, Phase::InputGrad);
    EXPECT_EQ(tm.cached_nests(), 4u);
    EXPECT_EQ(a.cycles, b.cycles);
    EXPECT_TRUE(a.counts == b.counts);
    const OpCost f = tm.conv2d(s, Phase::Forward), w = tm.conv2d(s, Phase::WeightGrad);
    EXPECT_EQ(a.macs, f.macs);  // the same real MACs in every phase
    EXPECT_EQ(w.macs, f.macs);
    EXPECT_EQ(f.macs + f.macs_skipped, uint64_t(s.macs()));
}

TEST(AccelTiming, EpiloguesCostTrafficAndVectorOps) {
    ArrayConfig cfg;
    TimingModel tm(cfg);
    const FcShape s{32, 64, 48};
    const OpCost plain = tm.fc(s, Phase::InputGrad), masked = tm.fc(s, Phase::InputGrad, {false, false, true});
    EXPECT_EQ(masked.counts.dram_read_bytes - plain.counts.dram_read_bytes, 4u * s.x_elements());
    EXPECT_EQ(masked.counts.vector_op, uint64_t(s.x_elements()));
    const OpCost wg = tm.fc(s, Phase::WeightGrad), wgb = tm.fc(s, Phase::WeightGrad, {true, false, false});
    EXPECT_EQ(wgb.counts.dram_write_bytes - wg.counts.dram_write_bytes, 4u * 48);
    EXPECT_EQ(wgb.counts.vector_op, uint64_t(s.y_elements()));
    const OpCost fw = tm.fc(s, Phase::Forward, {true, true, false});
    EXPECT_EQ(fw.counts.vector_op, 2u * s.y_elements());
}

TEST(AccelTiming, ArrayConfigValidation) {
    ArrayConfig c;
    EXPECT_EQ(c.validate(), "");
    c.rows = 0;
    EXPECT_EQ(c.validate(), "rows 0 outside 1..1024");
    c = ArrayConfig{};
    c.rf_bytes = 16;
    EXPECT_EQ(c.validate(), "rf_bytes 16 must be a multiple of 4 and at least 20");
    c = ArrayConfig{};
    c.gb_banks = 3;
    EXPECT_EQ(c.validate(), "gb_banks 3 must be at least 1 and divide gb_bytes 131072");
    c = ArrayConfig{};
    c.dram_bytes_per_s = 0;
    EXPECT_EQ(c.validate(), "dram_bytes_per_s 0 must be positive");
    c = ArrayConfig{};
    c.clock_hz = -1;
    EXPECT_EQ(c.validate(), "clock_hz -1 must be positive");
    c = ArrayConfig{};
    c.sync = static_cast<SyncMode>(7);
    EXPECT_EQ(c.validate(), "sync 7 unknown");
    EXPECT_EQ(ArrayConfig{}.sync, SyncMode::Tile);
    EXPECT_STREQ(to_string(SyncMode::Step), "step");
    EXPECT_EQ(ArrayConfig{}.dram_latency_cycles(), 30);  // 60 ns at 500 MHz
}

// A nest forced into T GB tiles with a fast port (every fill and write-back takes 1 cycle) and
// ideal DRAM: a serial tile costs fill_0 + sum c_s + drain + wb_L = 1 + sum c + (rows + cols) + 1,
// overlapping tiles pay the first fill, the drain and the last write-back once per nest.
TEST(AccelTiming, OverlappedTilesPayFillDrainAndWriteBackOnce) {
    ArrayConfig cfg = compute_bound(4, 4);
    const OpShape nest = fc_nest(FcShape{8, 64, 32}, Phase::Forward);  // N 8, C 64, K 32
    Mapping m = map_op(cfg, nest);
    m.gb_tile = nest.extent;
    m.gb_tile[idx(Dim::K)] = 8;  // 4 tiles along K, each whole over C
    m.pe_tile = DimArray{1, 1, 1, 1, 1, 1, 1};
    m.pe_tile[idx(Dim::K)] = 4;
    cfg.pipeline = TilePipeline::Serial;
    const OpCost serial = nest_cost(cfg, nest, m);
    cfg.pipeline = TilePipeline::Overlap;
    const OpCost overlap = nest_cost(cfg, nest, m);
    ASSERT_EQ(serial.gb_tiles, 4u);
    // Per tile: 2 column folds x 2 K chunks x 16 row folds = 64 steps of 4 MACs per PE.
    const uint64_t steps = 4 * 64, c = 4, drain = 8;
    EXPECT_EQ(serial.array_steps, steps);
    const uint64_t dram = 1 + 1 + 1;  // first load (Wt and In, 1 cycle each), last write-back
    EXPECT_EQ(overlap.cycles, dram + 1 + steps * c + drain + 1);
    EXPECT_EQ(serial.cycles, dram + 4 * (1 + 64 * c + drain + 1));
    ActionCounts a = serial.counts, b = overlap.counts;
    EXPECT_GT(a.mac_idle, b.mac_idle);  // idle slots follow the array's busy cycles
    a.mac_idle = b.mac_idle = 0;
    EXPECT_TRUE(a == b);
    EXPECT_EQ(serial.rule_cycles, steps * c);
    EXPECT_EQ(overlap.rule_cycles, steps * c);
    // Without double buffering the tiles cannot overlap.
    cfg.double_buffering = false;
    EXPECT_FALSE(cfg.tiles_overlap());
}

// The compute-only rule: the sum over sync windows of the busiest PE's work, memory free;
// counts (energy) unchanged.
TEST(AccelTiming, ComputeOnlyIsTheBusiestPeOverEachWindow) {
    ArrayConfig cfg;  // the default memories
    const OpShape nest = fc_nest(FcShape{16, 1024, 1024}, Phase::Forward);
    Mapping m = map_op(cfg, nest);
    m.gb_tile = nest.extent;  // one window: 4 MiB of weights loaded at 12.8 GB/s (25.6 B/cycle)
    const OpCost full = nest_cost(cfg, nest, m);
    cfg.timing = TimingRule::ComputeOnly;
    const OpCost rule = nest_cost(cfg, nest, m);
    // Dense: PE (0, 0) is busy in every step, so the rule is its work: N = 16 is one column
    // fold, C = 1024 is 64 row folds, and each fold walks all K = 1024 outputs: 64 x 1024.
    EXPECT_EQ(rule.cycles, 64u * 1024u);
    EXPECT_EQ(rule.cycles, full.rule_cycles);
    EXPECT_GT(full.cycles, 2 * full.rule_cycles);  // 4 MiB of weights through 12.8 GB/s
    ActionCounts a = rule.counts, b = full.counts;
    a.mac_idle = b.mac_idle = 0;  // idle slots follow the counted cycles; every other action is the same
    EXPECT_TRUE(a == b);
    const OpCost v = sgd_cost(cfg, SgdShape{256 * 100});
    EXPECT_EQ(v.cycles, 300u);  // vector work: compute only
}

TEST(AccelTiming, PipelineAndTimingValidation) {
    ArrayConfig c;
    EXPECT_EQ(c.pipeline, TilePipeline::Overlap);
    EXPECT_EQ(c.timing, TimingRule::Full);
    c.pipeline = static_cast<TilePipeline>(9);
    EXPECT_EQ(c.validate(), "pipeline 9 unknown");
    c = ArrayConfig{};
    c.timing = static_cast<TimingRule>(9);
    EXPECT_EQ(c.validate(), "timing 9 unknown");
    EXPECT_STREQ(to_string(TilePipeline::Serial), "serial");
    EXPECT_STREQ(to_string(TimingRule::ComputeOnly), "compute_only");
}
