// The accel.* configuration keys: defaults equal the model's, configs/default.yaml sets the
// same hardware, and bad values are errors naming the key.
#include <gtest/gtest.h>

#include "accel/accel.h"
#include "platform_config.h"

namespace stvp {
namespace {

std::string error_of(const std::vector<std::string>& sets) {
    try {
        load_platform_config("", sets);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(AccelPlatformConfig, DefaultsEqualTheModelAndDefaultYaml) {
    const PlatformConfig def = load_platform_config("", {});
    const PlatformConfig yaml = load_platform_config(std::string(STVP_SOURCE_DIR) + "/configs/default.yaml", {});
    const AccelConfig model;
    for (const PlatformConfig* c : {&def, &yaml}) {
        const accel::ArrayConfig& a = c->accel.array;
        EXPECT_EQ(a.rows, model.array.rows);
        EXPECT_EQ(a.cols, model.array.cols);
        EXPECT_EQ(a.macs_per_pe, model.array.macs_per_pe);
        EXPECT_EQ(a.clock_hz, model.array.clock_hz);
        EXPECT_EQ(a.rf_bytes, model.array.rf_bytes);
        EXPECT_EQ(a.gb_bytes, model.array.gb_bytes);
        EXPECT_EQ(a.gb_banks, model.array.gb_banks);
        EXPECT_EQ(a.gb_bytes_per_cycle, model.array.gb_bytes_per_cycle);
        EXPECT_EQ(a.double_buffering, model.array.double_buffering);
        EXPECT_EQ(a.dataflow, model.array.dataflow);
        EXPECT_EQ(a.sync, model.array.sync);
        EXPECT_EQ(a.pipeline, model.array.pipeline);
        EXPECT_EQ(a.timing, model.array.timing);
        EXPECT_EQ(a.sparse_aware_mapping, model.array.sparse_aware_mapping);
        EXPECT_EQ(c->accel.decode_cycles, model.decode_cycles);
        EXPECT_EQ(c->accel.max_chain, model.max_chain);
        EXPECT_EQ(c->accel.spad_bytes, model.spad_bytes);
        EXPECT_EQ(c->accel.spad_latency_ns, model.spad_latency_ns);
        EXPECT_EQ(c->accel.energy.mac_pj, model.energy.mac_pj);
        EXPECT_EQ(c->accel.energy.gb_write_pj, model.energy.gb_write_pj);
        EXPECT_EQ(c->accel.energy.descriptor_fetch_pj, model.energy.descriptor_fetch_pj);
        EXPECT_EQ(c->accel.sparse.init_kind, model.sparse.init_kind);
    }
}

TEST(AccelPlatformConfig, OverridesAndErrorsNameTheKey) {
    const PlatformConfig c = load_platform_config("", {"accel.rows=8", "accel.dataflow=CxK", "accel.energy.mac_pj=10"});
    EXPECT_EQ(c.accel.array.rows, 8u);
    EXPECT_EQ(c.accel.array.dataflow, accel::Dataflow::CxK);
    EXPECT_EQ(c.accel.energy.mac_pj, 10.0);
    EXPECT_NE(error_of({"accel.rows=0"}).find("accel.rows"), std::string::npos);
    EXPECT_NE(error_of({"accel.dataflow=KxN"}).find("accel.dataflow"), std::string::npos);
    const PlatformConfig t = load_platform_config("", {"accel.pipeline=serial", "accel.timing=compute_only"});
    EXPECT_EQ(t.accel.array.pipeline, accel::TilePipeline::Serial);
    EXPECT_EQ(t.accel.array.timing, accel::TimingRule::ComputeOnly);
    EXPECT_EQ(c.accel.array.pipeline, accel::TilePipeline::Overlap);
    EXPECT_EQ(c.accel.array.timing, accel::TimingRule::Full);
    EXPECT_NE(error_of({"accel.pipeline=parallel"}).find("accel.pipeline"), std::string::npos);
    EXPECT_NE(error_of({"accel.timing=fast"}).find("accel.timing"), std::string::npos);
    EXPECT_NE(error_of({"accel.energy.mac_pj=-1"}).find("accel.energy.mac_pj"), std::string::npos);
    EXPECT_NE(error_of({"accel.spad_bytes=6"}).find("accel.spad_bytes"), std::string::npos);
    EXPECT_NE(error_of({"accel.max_chain=0"}).find("accel.max_chain"), std::string::npos);
    EXPECT_NE(error_of({"accel.bogus=1"}).find("accel.bogus"), std::string::npos);
    // Checks across keys: the model's rules (rf too small for double buffering), the spad region.
    EXPECT_NE(error_of({"accel.rf_bytes=16"}).find("'accel.rf_bytes'"), std::string::npos) << error_of({"accel.rf_bytes=16"});
    EXPECT_NE(error_of({"accel.gb_banks=3"}).find("'accel.gb_banks'"), std::string::npos);
    const std::string spad = error_of({"accel.spad_bytes=0x2000000"});
    EXPECT_NE(spad.find("'accel.spad_bytes'"), std::string::npos) << spad;
    EXPECT_NE(spad.find("memory_map.spad.size"), std::string::npos) << spad;
    EXPECT_EQ(error_of({"accel.spad_bytes=0x2000000", "memory_map.spad.size=0x2000000"}), "");
}

}  // namespace
}  // namespace stvp
