#include "accel/core/energy.h"
#include "accel/core/timing.h"
#include "test_helpers.h"

using namespace stvp::accel;

TEST(AccelEnergy, CountsTimesEnergiesByUnit) {
    ActionCounts c;
    c.mac = 10, c.mac_gated = 4, c.mac_idle = 100, c.rf_read = 30, c.rf_write = 10;
    c.gb_read_bytes = 16, c.gb_write_bytes = 8, c.dram_read_bytes = 64, c.dram_write_bytes = 8;
    c.vector_op = 2, c.descriptor_fetch = 1;
    const EnergyTable t;
    const EnergyBreakdown e = energy_of(c, t);
    EXPECT_DOUBLE_EQ(e.pe_pj, 10 * 32.3 + 4 * 0.86 + 100 * 0.0 + 2 * 32.3);
    EXPECT_DOUBLE_EQ(e.rf_pj, 40 * 2.15);
    EXPECT_DOUBLE_EQ(e.gb_pj, 2 * 22.0 + 1 * 23.4);
    EXPECT_DOUBLE_EQ(e.dram_pj, 8 * 512.0 + 1 * 512.0);
    EXPECT_DOUBLE_EQ(e.control_pj, 4096.0);
    EXPECT_DOUBLE_EQ(e.total_pj(), e.pe_pj + e.rf_pj + e.gb_pj + e.dram_pj + e.control_pj);
    EXPECT_EQ(e.sparse_pj, 0.0);  // energy_of prices the core's actions only
}

TEST(AccelEnergy, AccountantPerOpAndTotal) {
    EnergyAccountant acc;
    ActionCounts a, b;
    a.mac = 100;
    b.dram_read_bytes = 80;
    acc.add("fc1.forward", a);
    acc.add("fc1.forward", a);
    const EnergyBreakdown eb = acc.add("fc1.weight_grad", b);
    EXPECT_DOUBLE_EQ(eb.dram_pj, 10 * 512.0);
    ASSERT_EQ(acc.per_op().size(), 2u);
    const auto& f = acc.per_op().at("fc1.forward");
    EXPECT_EQ(f.calls, 2u);
    EXPECT_EQ(f.counts.mac, 200u);
    EXPECT_DOUBLE_EQ(f.energy.pe_pj, 200 * 32.3);
    EXPECT_EQ(acc.total().calls, 3u);
    EXPECT_DOUBLE_EQ(acc.total().energy.total_pj(), 200 * 32.3 + 10 * 512.0);
    acc.reset();
    EXPECT_TRUE(acc.per_op().empty());
    EXPECT_EQ(acc.total().calls, 0u);
}

TEST(AccelEnergy, TableValidation) {
    EnergyTable t;
    EXPECT_EQ(t.validate(), "");
    t.gb_write_pj = -1;
    EXPECT_EQ(t.validate(), "gb_write_pj -1 must be a finite value >= 0");
    t = EnergyTable{};
    t.dram_access_bytes = 0;
    EXPECT_EQ(t.validate(), "dram_access_bytes 0 must be at least 1");
}

TEST(AccelEnergy, DenseFcMacCostsAboutFiftyPicojoulesAllIn) {
    // docs/literature.md: with these energies a dense fp32 MAC costs about 45-60 pJ all-in, the MAC itself
    // dominating. Check the counts of a LeNet-300-100 training step land there.
    TimingModel tm{ArrayConfig{}};
    const EnergyTable t;
    double pj = 0, macs = 0, mac_pj = 0;
    for (Phase p : {Phase::Forward, Phase::InputGrad, Phase::WeightGrad}) {
        for (const FcShape& s : {FcShape{64, 784, 300}, FcShape{64, 300, 100}, FcShape{64, 100, 10}}) {
            const OpCost c = tm.fc(s, p);
            const EnergyBreakdown e = energy_of(c.counts, t);
            pj += e.total_pj();
            mac_pj += e.pe_pj;
            macs += double(c.macs);
        }
    }
    const double per_mac = pj / macs;
    std::printf("LeNet-300-100 step: %.1f pJ per MAC all-in, MAC share %.0f%%\n", per_mac, 100 * mac_pj / pj);
    EXPECT_GT(per_mac, 40.0);
    EXPECT_LT(per_mac, 70.0);
    EXPECT_GT(mac_pj / pj, 0.45);
}
