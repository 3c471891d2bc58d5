// Accelerator op costs derived by hand from the documented rules (models/accel/core/README.md,
// timing.h, mapping.h, pe_work.h, energy.h), not from the timing model under test: each test
// writes its arithmetic in the comments and asserts what nest_cost() reports. The mapping is
// an input of the derivation (one GB tile holding the whole nest, one array step), written
// here rather than chosen by the tiler, so that the figures follow from the cost rules alone.
//
// Common configuration (stated explicitly so that a change of defaults does not move them):
//   fp32, 1 MAC per PE per cycle, 500 MHz; GB port 128 B/cycle; DRAM 12.8 GB/s = 25.6 B/cycle,
//   latency 60 ns = 30 cycles, a request of b bytes costs 30 + ceil(b / 25.6);
//   no double buffering, serial tiles, tile synchronisation, full timing. Then (timing.h)
//     cycles = sum over tiles of L_j + C_j + WB_j,
//     C = fill_0 + max(c_0 + rows + cols, 0) + wb_0   for a tile of one step,
//   fill and wb in port cycles (ceil(bytes / 128)), c_0 = the busiest PE's MACs.
// Energy (energy.h defaults, pJ): MAC 32.3, gated MAC 0.86, idle 0, RF read/write 2.15,
//   GB read 22 / write 23.4 per 8 B, DRAM 512 per 8 B; every DRAM byte also passes the GB.
#include <gtest/gtest.h>

#include <vector>

#include "accel/core/energy.h"
#include "accel/core/loop_nest.h"
#include "accel/core/mapping.h"
#include "accel/core/timing.h"
#include "accel/sparse/work_source.h"

namespace stvp::accel {
namespace {

ArrayConfig hand_config(uint32_t rows, uint32_t cols, Dataflow df) {
    ArrayConfig c;
    c.rows = rows, c.cols = cols, c.macs_per_pe = 1;
    c.clock_hz = 500e6;
    c.gb_bytes_per_cycle = 128;
    c.dram_bytes_per_s = 12.8e9, c.dram_latency_ns = 60;
    c.double_buffering = false, c.pipeline = TilePipeline::Serial;
    c.sync = SyncMode::Tile, c.timing = TimingRule::Full;
    c.dataflow = df;
    EXPECT_EQ(c.validate(), "");
    return c;
}

// One GB tile of the whole nest; every temporal dimension walked in one chunk (one step).
Mapping whole_nest(const ArrayConfig& cfg, const OpShape& n) {
    Mapping m;
    m.dataflow = cfg.dataflow;
    m.row_dim = Dim::C;
    m.col_dim = cfg.dataflow == Dataflow::CxK ? Dim::K : Dim::N;
    m.gb_tile = n.extent;
    m.pe_tile = n.extent;
    m.pe_tile[idx(m.row_dim)] = m.pe_tile[idx(m.col_dim)] = 1;
    m.gb_words = gb_tile_words(n, n.extent);
    return m;
}

// The figures a test derives by hand.
struct Hand {
    uint64_t cycles, compute_cycles, rule_cycles, macs, macs_skipped;
    uint64_t rf_read, rf_write, gb_read_bytes, gb_write_bytes, dram_read_bytes, dram_write_bytes, mac_idle;
    double energy_pj;  // energy.h's default table
};

void expect_hand(const OpCost& c, const Hand& h) {
    EXPECT_EQ(c.cycles, h.cycles);
    EXPECT_EQ(c.compute_cycles, h.compute_cycles);
    EXPECT_EQ(c.rule_cycles, h.rule_cycles);
    EXPECT_EQ(c.macs, h.macs);
    EXPECT_EQ(c.counts.mac, h.macs);
    EXPECT_EQ(c.macs_skipped, h.macs_skipped);
    EXPECT_EQ(c.counts.rf_read, h.rf_read);
    EXPECT_EQ(c.counts.rf_write, h.rf_write);
    EXPECT_EQ(c.counts.gb_read_bytes, h.gb_read_bytes);
    EXPECT_EQ(c.counts.gb_write_bytes, h.gb_write_bytes);
    EXPECT_EQ(c.counts.dram_read_bytes, h.dram_read_bytes);
    EXPECT_EQ(c.counts.dram_write_bytes, h.dram_write_bytes);
    EXPECT_EQ(c.counts.mac_idle, h.mac_idle);
    EXPECT_NEAR(energy_of(c.counts, EnergyTable{}).total_pj(), h.energy_pj, 1e-6);
}

// FC forward, N 4, C 4, K 4 on a 4x4 array, CxK (rows <- C, columns <- K, N temporal).
//   Step: PE (c, k) holds W[k][c] (1 word) and X[0..3][c] (4 words, multicast along the row),
//   computes 4 MACs: c_0 = 4. Fill: 16 W + 16 X words = 128 B -> 1 port cycle; write-back of
//   the reduced Y, 16 words = 64 B -> 1. Drain rows + cols = 8. C = 1 + (4 + 8) + 1 = 14.
//   DRAM: W 64 B -> 30 + ceil(2.5) = 33, X 64 B -> 33; Y 64 B -> 33. cycles = 66 + 14 + 33 = 113.
//   Counts: MACs 64; RF reads 3 x 64 + 16 PEs x 4 partial sums = 256; RF writes 64 + fill
//   (16 x (1 + 4) = 80) = 144; GB reads 128 (fill) + 64 (to DRAM) = 192, writes 64 + 128 = 192;
//   idle MAC slots 16 x 14 - 64 = 160.
//   Energy: 64 x 32.3 = 2067.2; RF 400 x 2.15 = 860; GB 192 x 22 / 8 + 192 x 23.4 / 8 = 1089.6;
//   DRAM (128 + 64) x 512 / 8 = 12288; total 16304.8 pJ.
TEST(HandCost, FcForwardDenseOnOneTile) {
    const ArrayConfig cfg = hand_config(4, 4, Dataflow::CxK);
    const OpShape n = fc_nest(FcShape{4, 4, 4}, Phase::Forward);
    const OpCost c = nest_cost(cfg, n, whole_nest(cfg, n));
    //                   cycles compute rule MACs gated RF rd/wr    GB rd/wr B  DRAM rd/wr B idle  pJ
    expect_hand(c, Hand{113, 14, 4, 64, 0, 256, 144, 192, 192, 128, 64, 160, 16304.8});
    EXPECT_EQ(c.dram_cycles, 99u);
    EXPECT_EQ(c.port_cycles, 2u);
    EXPECT_EQ(c.array_steps, 1u);
    EXPECT_EQ(c.gb_tiles, 1u);
}

// CONV forward, N 1, C 2, 3x3 input, K 1, 3x3 kernel, pad 1, stride 1 (P = Q = 3) on a 2x2
// array, CxN (rows <- C, columns <- N: one active column; K, P, Q, R, S temporal).
//   Step: PE (c, 0) walks K P Q R S = 81 MACs: c_0 = 81. Per PE: W[0][c] 9 words (multicast
//   along the row), the 5x5 input window (padding included) 25 words, 9 partial sums. Fill:
//   2 x 9 + 2 x 25 = 68 words = 272 B -> 3 port cycles; write-back 9 words = 36 B -> 1.
//   Drain 2 + 2. C = 3 + (81 + 4) + 1 = 89.
//   DRAM: W 2 x 9 words = 72 B -> 30 + ceil(2.81) = 33; X 2 x 3 x 3 = 72 B -> 33; Y 36 B ->
//   30 + ceil(1.41) = 32. cycles = 66 + 89 + 32 = 187.
//   MACs: the dense walk is 2 x 81 = 162; inside the input per output row/column 2 + 3 + 2 = 7
//   taps, so 2 x 7 x 7 = 98 performed and 64 on padding, gated (not read).
//   RF reads 3 x 162 + 2 x 9 - 3 x 64 = 312; RF writes 162 + 68 - 64 = 166; GB reads 272 + 36
//   = 308, writes 36 + 144 = 180; idle slots 4 x 89 - 162 = 194.
//   Energy: 98 x 32.3 + 64 x 0.86 = 3220.44; RF 478 x 2.15 = 1027.7; GB 308 x 22 / 8 +
//   180 x 23.4 / 8 = 1373.5; DRAM (144 + 36) x 64 = 11520; total 17141.64 pJ.
TEST(HandCost, ConvForwardWithPaddingOnOneTile) {
    const ArrayConfig cfg = hand_config(2, 2, Dataflow::CxN);
    Conv2dShape s;
    s.batch = 1, s.in_channels = 2, s.in_h = s.in_w = 3, s.out_channels = 1;
    s.kernel_h = s.kernel_w = 3, s.pad_h = s.pad_w = 1;
    const std::vector<OpShape> nests = conv_nests(s, Phase::Forward);
    ASSERT_EQ(nests.size(), 1u);
    const OpCost c = nest_cost(cfg, nests[0], whole_nest(cfg, nests[0]));
    expect_hand(c, Hand{187, 89, 81, 98, 64, 312, 166, 308, 180, 144, 36, 194, 17141.64});
    EXPECT_EQ(c.port_cycles, 4u);
}

// FC forward with 2:4 weights, N 2, C 4, K 8 on a 4x2 array, CxN (rows <- C, columns <- N,
// K temporal). Each group of 4 weights along C keeps 2: even k keep c 0 and 1, odd k keep c 2
// and 3, so every PE (c, n) performs 4 of its 8 MACs. Stored as kept values + a 2-bit index
// per kept weight (1 bit per position): 0.5 + 1/32 = 0.53125 of the dense words.
//   Tile sync: the tile's compute is the busiest PE's work, ceil(8 x 4 / 8) = 4 (dense: 8).
//   Per PE: 8 W words (multicast along the row), 1 X word, 8 partial sums. Fill: W 4 x 8
//   words = 128 B stored as ceil(128 x 0.53125) = 68 B, X 8 words = 32 B: 100 B -> 1 port
//   cycle; write-back 2 x 8 words = 64 B -> 1. Drain 4 + 2. C = 1 + (4 + 6) + 1 = 12.
//   DRAM: W 68 B -> 30 + ceil(2.66) = 33; X 32 B -> 30 + 2 = 32; Y 64 B -> 33.
//   cycles = 65 + 12 + 33 = 110.
//   MACs 2 x 16 kept = 32 performed, 32 gated. RF reads 3 x 32 + 8 PEs x 8 = 160; RF writes
//   32 + X fill 8 + W fill ceil(64 x 0.53125) = 34: 74. GB reads 100 + 64 = 164, writes
//   64 + 100 = 164. Idle slots 8 x 12 - 64 = 32.
//   Energy: 32 x 32.3 + 32 x 0.86 = 1061.12; RF 234 x 2.15 = 503.1; GB 164 x (22 + 23.4) / 8 =
//   930.7; DRAM (100 + 64) x 64 = 10496; total 12990.92 pJ (the N:M decoders are priced apart).
TEST(HandCost, FcForwardTwoOfFourWeights) {
    const ArrayConfig cfg = hand_config(4, 2, Dataflow::CxN);
    const OpShape n = fc_nest(FcShape{2, 4, 8}, Phase::Forward);
    sparse::NestOperands ops;
    ops.wt.assign(8 * 4, 0);  // [K][C]
    for (int k = 0; k < 8; ++k)
        for (int c = 0; c < 4; ++c) ops.wt[k * 4 + c] = (k % 2 == 0) == (c < 2);
    const sparse::SparsePeWork work(n, ops, false, 0.5 + 1.0 / 32);
    const OpCost c = nest_cost(cfg, n, whole_nest(cfg, n), &work);
    expect_hand(c, Hand{110, 12, 4, 32, 32, 160, 74, 164, 164, 100, 64, 32, 12990.92});
}

// Procrustes: block-pruned weights with the load balancer. FC forward, N 2, C 2, K 4 on a 2x2
// array, CxN; the whole block of input channel 1 is pruned (W[k][1] = 0), channel 0 is kept.
//   PE (0, n) performs 4 MACs, PE (1, n) none. Without the balancer the tile's compute is the
//   busiest PE's 4. The balancer halves each PE's box along K (its only temporal extent > 1):
//   halves (2, 2) on row 0 and (0, 0) on row 1; sorted 2 2 2 2 0 0 0 0, densest paired with
//   sparsest: 2 + 0 for every PE, so the compute is 2; 8 half totals sorted.
//   Per PE: 4 W words (multicast), 1 X word, 4 partial sums. Fill 2 x 4 + 4 x 1 = 12 words =
//   48 B -> 1; write-back 2 x 4 words = 32 B -> 1. Drain 2 + 2.
//   C = 1 + (2 + 4) + 1 = 8 (10 without the balancer).
//   DRAM: W 32 B -> 30 + ceil(1.25) = 32; X 16 B -> 31; Y 32 B -> 32.
//   cycles = 63 + 8 + 32 = 103 (105 without the balancer).
//   Counts (balanced): 8 MACs, 8 gated; RF reads 3 x 8 + 4 PEs x 4 = 40, writes 8 + X fill 4
//   + W fill 16 = 28; GB reads 48 + 32 = 80, writes 32 + 48 = 80; idle 4 x 8 - 16 = 16.
//   Energy: 8 x 32.3 + 8 x 0.86 = 265.28; RF 68 x 2.15 = 146.2; GB 80 x (22 + 23.4) / 8 = 454;
//   DRAM (48 + 32) x 64 = 5120; total 5985.48 pJ (the balancer's sorts are priced apart).
TEST(HandCost, ProcrustesBlockPrunedWeightsWithTheLoadBalancer) {
    const ArrayConfig cfg = hand_config(2, 2, Dataflow::CxN);
    const OpShape n = fc_nest(FcShape{2, 2, 4}, Phase::Forward);
    sparse::NestOperands ops;
    ops.wt.assign(4 * 2, 0);  // [K][C]
    for (int k = 0; k < 4; ++k) ops.wt[k * 2 + 0] = 1;
    const Mapping m = whole_nest(cfg, n);

    const sparse::SparsePeWork balanced(n, ops, true);
    const OpCost c = nest_cost(cfg, n, m, &balanced);
    expect_hand(c, Hand{103, 8, 2, 8, 8, 40, 28, 80, 80, 48, 32, 16, 5985.48});
    EXPECT_EQ(c.balancer_entries, 8u);
    EXPECT_EQ(c.dram_cycles, 95u);

    const sparse::SparsePeWork unbalanced(n, ops, false);
    const OpCost u = nest_cost(cfg, n, m, &unbalanced);
    EXPECT_EQ(u.cycles, 105u);
    EXPECT_EQ(u.rule_cycles, 4u);
    EXPECT_EQ(u.balancer_entries, 0u);
    EXPECT_EQ(u.macs, 8u);
}

// A vector op: SGD on 1000 weights (timing.h: rows x cols element ops per cycle, DRAM streams
// added without double buffering). 3 ops per element = 3000 ops on 16 PEs: ceil(187.5) = 188.
// DRAM reads W and dW, 8000 B -> 30 + 313 = 343 (8000 / 25.6 = 312.5); writes W, 4000 B ->
// 30 + ceil(156.25) = 187. cycles = 188 + 343 + 187 = 718.
TEST(HandCost, SgdOnTheArray) {
    const ArrayConfig cfg = hand_config(4, 4, Dataflow::CxN);
    SgdShape s;
    s.count = 1000;
    const OpCost c = sgd_cost(cfg, s);
    EXPECT_EQ(c.compute_cycles, 188u);
    EXPECT_EQ(c.dram_cycles, 530u);
    EXPECT_EQ(c.cycles, 718u);
    EXPECT_EQ(c.counts.vector_op, 3000u);
}

}  // namespace
}  // namespace stvp::accel
