#include "accel/core/mapping.h"
#include "accel/core/timing.h"
#include "sweep_helpers.h"

using namespace stvp::accel;
using namespace stvp::accel::test;

TEST(AccelMapping, TilesFitTheBuffersAndReductionsAreInnermost) {
    std::mt19937 rng(41);
    for (int it = 0; it < 200; ++it) {
        const Dataflow df = it % 2 ? Dataflow::CxK : Dataflow::CxN;
        const ArrayConfig cfg = random_small_config(rng, df);
        ASSERT_EQ(cfg.validate(), "");
        const OpShape nest = random_nest(rng);
        const Mapping m = map_op(cfg, nest);
        ASSERT_EQ(m.error, "");
        EXPECT_EQ(m.row_dim, Dim::C);
        EXPECT_EQ(m.col_dim, df == Dataflow::CxN ? Dim::N : Dim::K);
        EXPECT_LE(m.gb_words * (cfg.double_buffering ? 2 : 1), cfg.gb_words());
        EXPECT_EQ(m.gb_words, gb_tile_words(nest, m.gb_tile));
        EXPECT_LE(m.rf_words, cfg.rf_words());
        for (int d = 0; d < kDims; ++d) {
            EXPECT_GE(m.gb_tile[d], 1);
            EXPECT_LE(m.gb_tile[d], nest.extent[d]);
            EXPECT_GE(m.pe_tile[d], 1);
            EXPECT_LE(m.pe_tile[d], m.gb_tile[d]);
        }
        EXPECT_EQ(m.pe_tile[idx(m.row_dim)], 1);
        EXPECT_EQ(m.pe_tile[idx(m.col_dim)], 1);
        EXPECT_EQ(m.gb_order[4], Dim::C);
        EXPECT_EQ(m.gb_order[5], Dim::R);
        EXPECT_EQ(m.gb_order[6], Dim::S);
        // Every operand crosses the DRAM interface at least once, the output exactly once.
        const OpCost c = nest_cost(cfg, nest, m);
        EXPECT_GE(c.traffic[int(Role::Weight)].read_bytes, 4u * nest.elements(Role::Weight));
        EXPECT_GE(c.traffic[int(Role::Input)].read_bytes, 4u * nest.elements(Role::Input));
        EXPECT_EQ(c.traffic[int(Role::Output)].write_bytes, 4u * nest.elements(Role::Output));
    }
}

TEST(AccelMapping, WholeNestInOneTileWhenItFits) {
    ArrayConfig cfg;  // 128 KiB GB
    const FcShape s{16, 100, 50};
    const OpShape nest = fc_nest(s, Phase::Forward);
    const Mapping m = map_op(cfg, nest);
    EXPECT_EQ(m.gb_tile, nest.extent);
    const OpCost c = nest_cost(cfg, nest, m);
    EXPECT_EQ(c.gb_tiles, 1u);
    EXPECT_EQ(c.traffic[int(Role::Weight)].read_bytes, 4u * 100 * 50);
    EXPECT_EQ(c.traffic[int(Role::Input)].read_bytes, 4u * 16 * 100);
    EXPECT_EQ(c.traffic[int(Role::Output)].write_bytes, 4u * 16 * 50);
    EXPECT_EQ(c.counts.dram_read_bytes, 4u * (100 * 50 + 16 * 100));
}

TEST(AccelMapping, LenetLayerNeedsTilingAndStaysNearCompulsoryTraffic) {
    // FC 784 -> 300 at batch 64 does not fit 64 KiB (half of the GB): the tiler should keep
    // DRAM traffic within 2x of reading every operand once.
    ArrayConfig cfg;
    for (Phase p : {Phase::Forward, Phase::InputGrad, Phase::WeightGrad}) {
        const OpShape nest = fc_nest(FcShape{64, 784, 300}, p);
        const Mapping m = map_op(cfg, nest);
        const OpCost c = nest_cost(cfg, nest, m);
        EXPECT_GT(c.gb_tiles, 1u);
        const uint64_t compulsory =
            4u * (nest.elements(Role::Weight) + nest.elements(Role::Input) + nest.elements(Role::Output));
        EXPECT_LT(c.counts.dram_read_bytes + c.counts.dram_write_bytes, 2 * compulsory) << to_string(p);
    }
}
