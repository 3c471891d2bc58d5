// Health counters (accel.def: NAN_COUNT, INF_COUNT, NONFINITE_DESC, INT_STATUS.NONFINITE) and
// the global-buffer occupancy signal of the accelerator.
#include <limits>
#include <utility>
#include <vector>

#include "accel/core/loop_nest.h"
#include "accel/core/mapping.h"
#include "accel/core/timing.h"
#include "accel_bench.h"

namespace stvp::test {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// FC_FWD n = 2, c = 3, k = 2 without bias or ReLU on X, W at fixed addresses.
stvp_accel_desc fc_fwd(uint32_t x, uint32_t w, uint32_t y, uint32_t layer) {
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_FWD, 0, layer);
    d.n = 2, d.c = 3, d.k = 2, d.src0 = x, d.src1 = w, d.dst0 = y;
    return d;
}

uint64_t rd64(Bench& b, uint32_t lo) {
    const uint32_t l = b.rd(lo);
    return uint64_t(b.rd(lo + 4)) << 32 | l;
}

TEST(AccelHealth, NonFiniteOutputsCountedPerOpAndInTotal) {
    Bench b("bench");
    const uint32_t x_clean = b.alloc(24), x_bad = b.alloc(24), w = b.alloc(24), y0 = b.alloc(16), y1 = b.alloc(16);
    b.put_floats(x_clean, {1, 2, 3, -1, 0, 1});
    // Row 0 starts with a NaN: both outputs of row 0 are NaN. Row 1 ends with +Inf, weighted by
    // -1 and 0.5 (no zero weight on it, so no Inf x 0 NaN): -Inf and +Inf.
    b.put_floats(x_bad, {kNaN, 2, 3, -1, 0, kInf});
    b.put_floats(w, {1, 0, -1, 0.5f, 0.5f, 0.5f});
    b.put_desc(0, fc_fwd(x_clean, w, y0, 1));
    b.put_desc(1, fc_fwd(x_bad, w, y1, 2));
    bool irq_at_end = false, irq_after_ack = true;
    sc_time end;
    b.run([&](Bench& b) {
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_NONFINITE_MASK);
        b.run_chain(2);
        end = sc_time_stamp();
        wait(SC_ZERO_TIME);
        wait(SC_ZERO_TIME);
        irq_at_end = b.irq.read();
        EXPECT_EQ(rd64(b, ACCEL_NAN_COUNT_LO), 2u);
        EXPECT_EQ(rd64(b, ACCEL_INF_COUNT_LO), 2u);
        EXPECT_EQ(b.rd(ACCEL_NONFINITE_DESC), 1u) << "descriptor 0 was clean";
        EXPECT_EQ(b.rd(ACCEL_INT_STATUS),
                  uint32_t(ACCEL_INT_STATUS_DONE_MASK | ACCEL_INT_STATUS_NONFINITE_MASK));
        b.wr(ACCEL_INT_STATUS, ACCEL_INT_STATUS_NONFINITE_MASK);  // W1C
        wait(SC_ZERO_TIME);
        wait(SC_ZERO_TIME);
        irq_after_ack = b.irq.read();
        EXPECT_EQ(b.rd(ACCEL_INT_STATUS), uint32_t(ACCEL_INT_STATUS_DONE_MASK));
        EXPECT_EQ(rd64(b, ACCEL_NAN_COUNT_LO), 2u) << "acknowledging keeps the counters";
        b.wr(ACCEL_CTRL, ACCEL_CTRL_SOFT_RESET_MASK);
        EXPECT_EQ(rd64(b, ACCEL_NAN_COUNT_LO), 0u);
        EXPECT_EQ(rd64(b, ACCEL_INF_COUNT_LO), 0u);
        EXPECT_EQ(b.rd(ACCEL_NONFINITE_DESC), 0xFFFFFFFFu);
    });
    EXPECT_TRUE(irq_at_end) << "INT_ENABLE.NONFINITE raises the line";
    EXPECT_FALSE(irq_after_ack);
    ASSERT_EQ(b.records.size(), 2u);
    EXPECT_EQ(b.records[0].cost.nan + b.records[0].cost.inf, 0u);
    EXPECT_EQ(b.records[1].cost.nan, 2u);
    EXPECT_EQ(b.records[1].cost.inf, 2u);
    // The status bit is set at the end of the op that wrote them.
    EXPECT_EQ(b.records[1].end, end);
    const AccelStats& s = b.accel.stats();
    EXPECT_EQ(s.total.nan, 2u);
    EXPECT_EQ(s.total.inf, 2u);
    EXPECT_EQ(s.per_layer_phase.at({1u, STVP_ACCEL_PHASE_FWD}).nan, 0u);
    EXPECT_EQ(s.per_layer_phase.at({2u, STVP_ACCEL_PHASE_FWD}).nan, 2u);
    EXPECT_EQ(s.per_layer_phase.at({2u, STVP_ACCEL_PHASE_FWD}).inf, 2u);
    EXPECT_EQ(b.accel.nan_count(), 0u) << "cleared by SOFT_RESET";
    EXPECT_EQ(s.total.nan, 2u) << "the stats are cumulative since construction";
}

TEST(AccelHealth, CleanChainLeavesCountersZero) {
    Bench b("bench");
    const uint32_t x = b.alloc(24), w = b.alloc(24), y = b.alloc(16);
    b.put_floats(x, {1, 2, 3, -1, 0, 1});
    b.put_floats(w, {1, 0, -1, 0.5f, 0.5f, 0.5f});
    b.put_desc(0, fc_fwd(x, w, y, 0));
    b.run([&](Bench& b) {
        b.run_chain(1);
        EXPECT_EQ(rd64(b, ACCEL_NAN_COUNT_LO), 0u);
        EXPECT_EQ(rd64(b, ACCEL_INF_COUNT_LO), 0u);
        EXPECT_EQ(b.rd(ACCEL_NONFINITE_DESC), 0xFFFFFFFFu);
        EXPECT_EQ(b.rd(ACCEL_INT_STATUS), uint32_t(ACCEL_INT_STATUS_DONE_MASK));
    });
    EXPECT_EQ(b.accel.stats().total.nan + b.accel.stats().total.inf, 0u);
}

// SGD updates W in place: an Inf gradient makes -Inf weights (counted); COPY moves bytes, which
// are not fp32 tensors, and counts nothing even when they hold NaN patterns.
TEST(AccelHealth, SgdCountedCopyNot) {
    Bench b("bench");
    const uint32_t g = b.alloc(16), w = b.alloc(16), src = b.alloc(16), dst = b.alloc(16);
    b.put_floats(g, {0.5f, kInf, kInf, 0});
    b.put_floats(w, {1, 1, 1, 1});
    b.put_floats(src, {kNaN, kNaN, kInf, 1});
    stvp_accel_desc sgd = make_desc(STVP_ACCEL_OP_SGD, 0, 3);
    sgd.n = 4, sgd.src0 = g, sgd.dst0 = w;
    sgd.alpha = 0.1f;
    stvp_accel_desc copy = make_desc(STVP_ACCEL_OP_COPY, 0, 3);
    copy.n = 16, copy.src0 = src, copy.dst0 = dst;
    b.put_desc(0, copy);
    b.put_desc(1, sgd);
    b.run([&](Bench& b) {
        b.run_chain(2);
        EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK)) << "ERR_CODE " << b.rd(ACCEL_ERR_CODE);
        EXPECT_EQ(rd64(b, ACCEL_NAN_COUNT_LO), 0u);
        EXPECT_EQ(rd64(b, ACCEL_INF_COUNT_LO), 2u);
        EXPECT_EQ(b.rd(ACCEL_NONFINITE_DESC), 1u);
    });
    ASSERT_EQ(b.records.size(), 2u);
    EXPECT_EQ(b.records[0].cost.nan + b.records[0].cost.inf, 0u) << "COPY";
    EXPECT_EQ(b.records[1].cost.inf, 2u);
}

// gb_occupancy: the op's tile set (x2 double buffered) from its mapping during the op span
// (after fetch + decode, until the op's end), 0 before and after.
TEST(AccelHealth, GbOccupancyDuringOpOnly) {
    Bench b("bench");
    std::vector<std::pair<sc_time, uint32_t>> changes;
    sc_spawn_options o;
    o.spawn_method();
    o.dont_initialize();
    o.set_sensitivity(&b.accel.gb_occupancy().value_changed_event());
    sc_spawn([&] { changes.emplace_back(sc_time_stamp(), b.accel.gb_occupancy().read()); }, "probe", &o);

    const accel::FcShape s{64, 300, 100};
    const uint32_t x = b.alloc(4 * 64 * 300), w = b.alloc(4 * 100 * 300), y = b.alloc(4 * 64 * 100);
    b.put_floats(x, random_floats(64 * 300, 1));
    b.put_floats(w, random_floats(100 * 300, 2));
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_FWD, 0, 0);
    d.n = s.batch, d.c = s.in_features, d.k = s.out_features, d.src0 = x, d.src1 = w, d.dst0 = y;
    b.put_desc(0, d);
    b.put_desc(1, d);
    b.run([&](Bench& b) { b.run_chain(2); });

    const AccelConfig cfg;
    accel::TimingModel tm(cfg.array);
    const uint64_t expected = uint64_t(tm.mapping(accel::fc_nest(s, accel::Phase::Forward)).gb_words) * 4 * 2;
    EXPECT_GT(expected, 0u);
    EXPECT_LE(expected, cfg.array.gb_bytes);
    ASSERT_EQ(b.records.size(), 2u);
    ASSERT_EQ(changes.size(), 4u);
    for (size_t i = 0; i < 2; ++i) {
        const AccelOpRecord& r = b.records[i];
        EXPECT_EQ(changes[2 * i].first, r.start + double(r.cost.overhead_cycles) * kCycle) << i;
        EXPECT_EQ(changes[2 * i].second, expected) << i;
        EXPECT_EQ(changes[2 * i + 1].first, r.end) << i;
        EXPECT_EQ(changes[2 * i + 1].second, 0u) << i;
    }
}

}  // namespace
}  // namespace stvp::test
