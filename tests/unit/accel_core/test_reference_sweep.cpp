// The tile-level timing model against the cycle-stepped reference (reference_array.h) over a
// seeded sweep of small random shapes, array configurations and both dataflows.
#include <cstdio>
#include <vector>

#include "accel/core/timing.h"
#include "reference_array.h"
#include "sweep_helpers.h"

using namespace stvp::accel;
using namespace stvp::accel::test;

namespace {

constexpr int kShapes = 50;
constexpr double kTolerance = 0.05;

// A synthetic non-uniform sparsity: PE work depends on the channel and batch indices it holds
// (like per-row weight density and per-sample activation density), from 1/4 to all of dense.
class SyntheticSparsity : public DensePeWork {
public:
    void step_work(const StepView& s, int64_t rows, int64_t cols, int64_t* work) const override {
        DensePeWork::step_work(s, rows, cols, work);
        const Mapping& m = *s.mapping;
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j) {
                const int64_t c = s.origin[idx(m.row_dim)] + i, x = s.origin[idx(m.col_dim)] + j;
                const int64_t quarters = 1 + (c * 7 + x * 3) % 4;
                work[i * cols + j] = work[i * cols + j] * quarters / 4;
            }
    }
};

// The synthetic sparsity with a load balancer: each PE's work split unevenly in two halves.
class BalancedSynthetic : public SyntheticSparsity {
public:
    bool balanced() const override { return true; }
    void step_halves(const StepView& s, int64_t rows, int64_t cols, int64_t* halves) const override {
        std::vector<int64_t> w(static_cast<size_t>(rows * cols));
        step_work(s, rows, cols, w.data());
        for (int64_t p = 0; p < rows * cols; ++p) {
            const int64_t first = w[p] * (1 + (s.origin[idx(Dim::K)] + p) % 3) / 4;
            halves[2 * p] = first, halves[2 * p + 1] = w[p] - first;
        }
    }
};

// The synthetic sparsity stored in a compressed weight format (values + metadata = 40%).
class CompressedSynthetic : public SyntheticSparsity {
public:
    double wt_word_fraction() const override { return 0.4; }
};

struct Sweep {
    double worst = 0;
    int runs = 0;
};

void check(const ArrayConfig& cfg, const OpShape& nest, const PeWorkSource* work, Sweep& sw, const char* what) {
    const Mapping m = map_op(cfg, nest);
    ASSERT_EQ(m.error, "");
    const OpCost tile = nest_cost(cfg, nest, m, work);
    const RefResult ref = simulate_array(cfg, nest, m, work);
    // The same mapping moves the same data and does the same work in both models.
    EXPECT_EQ(tile.counts.dram_read_bytes, ref.dram_read_bytes);
    EXPECT_EQ(tile.counts.dram_write_bytes, ref.dram_write_bytes + (nest.bias_grad ? 4 * nest.e(Dim::K) : 0));
    EXPECT_EQ(tile.gb_tiles, ref.tiles);
    EXPECT_EQ(tile.array_steps, ref.steps);
    const uint64_t padding = (!work || work->counts_padding()) ? nest.macs() - nest.real_macs() : 0;
    EXPECT_EQ(tile.macs + std::min<uint64_t>(padding, ref.macs_done), ref.macs_done);
    const double err = std::abs(double(tile.cycles) - double(ref.cycles)) / double(ref.cycles);
    sw.worst = std::max(sw.worst, err);
    ++sw.runs;
    EXPECT_LE(err, kTolerance) << what << ": tile " << tile.cycles << " vs reference " << ref.cycles << " cycles; "
                               << "extents " << nest.e(Dim::N) << "," << nest.e(Dim::K) << "," << nest.e(Dim::C) << ","
                               << nest.e(Dim::P) << "," << nest.e(Dim::Q) << "," << nest.e(Dim::R) << ","
                               << nest.e(Dim::S) << " array " << cfg.rows << "x" << cfg.cols << " "
                               << to_string(cfg.dataflow) << (cfg.double_buffering ? " db " : " ")
                               << to_string(cfg.pipeline);
}

// Every shape and config under both tile pipelines.
void sweep(uint32_t seed, const PeWorkSource* work, SyncMode sync, const char* what) {
    for (TilePipeline pipe : {TilePipeline::Overlap, TilePipeline::Serial}) {
        std::mt19937 rng(seed);
        Sweep sw;
        for (int i = 0; i < kShapes; ++i) {
            const OpShape nest = random_nest(rng);
            for (Dataflow df : {Dataflow::CxN, Dataflow::CxK}) {
                ArrayConfig cfg = random_small_config(rng, df);
                cfg.sync = sync;
                cfg.pipeline = pipe;
                check(cfg, nest, work, sw, what);
            }
        }
        std::printf("%s, %s sync, %s tiles: %d runs, worst deviation from the cycle-stepped reference %.2f%%\n",
                    what, to_string(sync), to_string(pipe), sw.runs, 100 * sw.worst);
    }
}

}  // namespace

TEST(AccelReferenceSweep, DenseWithinFivePercent) { sweep(61, nullptr, SyncMode::Step, "dense"); }

TEST(AccelReferenceSweep, DenseWithinFivePercentTileSync) { sweep(61, nullptr, SyncMode::Tile, "dense"); }

TEST(AccelReferenceSweep, DenseWorkSourceWithinFivePercentTileSync) {
    const DensePeWork dense;
    sweep(63, &dense, SyncMode::Tile, "dense source");
}

TEST(AccelReferenceSweep, NonUniformPeWorkWithinFivePercent) {
    const SyntheticSparsity sparse;
    sweep(62, &sparse, SyncMode::Step, "synthetic non-uniform");
}

TEST(AccelReferenceSweep, NonUniformPeWorkWithinFivePercentTileSync) {
    const SyntheticSparsity sparse;
    sweep(62, &sparse, SyncMode::Tile, "synthetic non-uniform");
}

TEST(AccelReferenceSweep, BalancedPeWorkWithinFivePercent) {
    const BalancedSynthetic sparse;
    sweep(65, &sparse, SyncMode::Step, "synthetic balanced");
}

TEST(AccelReferenceSweep, BalancedPeWorkWithinFivePercentTileSync) {
    const BalancedSynthetic sparse;
    sweep(65, &sparse, SyncMode::Tile, "synthetic balanced");
}

TEST(AccelReferenceSweep, CompressedWeightsWithinFivePercentTileSync) {
    const CompressedSynthetic sparse;
    sweep(64, &sparse, SyncMode::Tile, "synthetic non-uniform, compressed Wt");
}

TEST(AccelReferenceSweep, DefaultArrayOnLenetShapes) {
    // The default 16x16 Procrustes array on LeNet-sized layers (fewer runs: the reference is slow).
    ArrayConfig cfg;
    Sweep sw;
    for (Dataflow df : {Dataflow::CxN, Dataflow::CxK}) {
        cfg.dataflow = df;
        cfg.pipeline = df == Dataflow::CxN ? TilePipeline::Overlap : TilePipeline::Serial;
        for (Phase p : {Phase::Forward, Phase::InputGrad, Phase::WeightGrad}) {
            check(cfg, fc_nest(FcShape{16, 100, 48}, p), nullptr, sw, "fc");
            Conv2dShape s;
            s.batch = 4, s.in_channels = 6, s.in_h = 12, s.in_w = 12, s.out_channels = 16, s.kernel_h = 5, s.kernel_w = 5;
            for (const OpShape& n : conv_nests(s, p)) check(cfg, n, nullptr, sw, "conv");
        }
    }
    std::printf("default array: %d runs, worst deviation %.2f%%\n", sw.runs, 100 * sw.worst);
}
