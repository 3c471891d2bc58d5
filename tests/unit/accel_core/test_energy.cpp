#include <fstream>
#include <sstream>

#include "accel/core/energy.h"
#include "accel/core/energy_yaml.h"
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

namespace {
stvp::accel::EnergyTableParse parse(const std::string& text) { return energy_table_from_yaml(YAML::Load(text)); }
}  // namespace

TEST(AccelEnergyYaml, ShippedTableEqualsTheDefaults) {
    const std::string path = std::string(STVP_SOURCE_DIR) + "/configs/energy/procrustes_40nm.yaml";
    const auto r = energy_table_from_yaml(YAML::LoadFile(path));
    ASSERT_TRUE(r.ok()) << r.error;
    const EnergyTable d;
    EXPECT_EQ(r.table.mac_pj, d.mac_pj);
    EXPECT_EQ(r.table.mac_gated_pj, d.mac_gated_pj);
    EXPECT_EQ(r.table.mac_idle_pj, d.mac_idle_pj);
    EXPECT_EQ(r.table.rf_read_pj, d.rf_read_pj);
    EXPECT_EQ(r.table.rf_write_pj, d.rf_write_pj);
    EXPECT_EQ(r.table.gb_read_pj, d.gb_read_pj);
    EXPECT_EQ(r.table.gb_write_pj, d.gb_write_pj);
    EXPECT_EQ(r.table.gb_access_bytes, d.gb_access_bytes);
    EXPECT_EQ(r.table.dram_read_pj, d.dram_read_pj);
    EXPECT_EQ(r.table.dram_write_pj, d.dram_write_pj);
    EXPECT_EQ(r.table.dram_access_bytes, d.dram_access_bytes);
    EXPECT_EQ(r.table.vector_op_pj, d.vector_op_pj);
    EXPECT_EQ(r.table.descriptor_fetch_pj, d.descriptor_fetch_pj);
}

TEST(AccelEnergyYaml, PartialTableKeepsDefaults) {
    const auto r = parse("mac_pj: 10.5\ngb_access_bytes: 16\n");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.table.mac_pj, 10.5);
    EXPECT_EQ(r.table.gb_access_bytes, 16u);
    EXPECT_EQ(r.table.rf_read_pj, EnergyTable{}.rf_read_pj);
    EXPECT_TRUE(parse("").ok());
}

TEST(AccelEnergyYaml, StrictErrorsNameTheKey) {
    EXPECT_EQ(parse("mac_pJ: 3").error.rfind("mac_pJ: unknown key (known: mac_pj, ", 0), 0u);
    EXPECT_EQ(parse("rf_read_pj: -2").error, "rf_read_pj: -2 must be a finite value >= 0");
    EXPECT_EQ(parse("gb_read_pj: lots").error, "gb_read_pj: 'lots' is not a number");
    EXPECT_EQ(parse("gb_read_pj: [1, 2]").error, "gb_read_pj: expected a number");
    EXPECT_EQ(parse("dram_access_bytes: 2.5").error, "dram_access_bytes: 2.5 must be a whole number of bytes in 1..4096");
    EXPECT_EQ(parse("dram_access_bytes: 0").error, "dram_access_bytes: 0 must be a whole number of bytes in 1..4096");
    EXPECT_EQ(parse("mac_pj: .nan").error, "mac_pj: .nan must be a finite value >= 0");
    EXPECT_EQ(parse("- 1\n- 2").error, "energy table: expected a map of key: value");
}
