// Model-declared configuration keys (models/common/config_keys.h): a declaration binds each key
// with its documentation and range, checks a struct against the same ranges, and configs/
// default.yaml states the declared defaults; errors are values naming file, line and key.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_errors.h"
#include "platform_config.h"

using namespace stvp;
using ::testing::HasSubstr;
using stvp::test::write_temp;

namespace toy {
enum class Mode { Fast, Slow };
struct Part {
    uint32_t lanes = 4;
    double gain = 0.5;
};
struct Config {
    bool on = true;
    Mode mode = Mode::Fast;
    uint64_t bytes = 1024;
    Part part;
};
template <class Keys>
void declare_keys(Keys& k, Part& p) {
    k.integer("lanes", p.lanes, 1, 16, "lanes");
    k.real("gain", p.gain, 0, 1, "gain");
}
template <class Keys>
void declare_keys(Keys& k, Config& c) {
    k.flag("on", c.on, "on");
    k.choice("mode", c.mode, {{"fast", Mode::Fast}, {"slow", Mode::Slow}}, "mode");
    k.size("bytes", c.bytes, 4, 1u << 20, 4, "bytes");
    auto sub = k.section("part");
    declare_keys(sub, c.part);
}
// A declaration whose documentation is missing.
struct Undocumented {
    uint32_t n = 1;
};
template <class Keys>
void declare_keys(Keys& k, Undocumented& c) {
    k.integer("n", c.n, 0, 9, "");
}
}  // namespace toy

TEST(ConfigKeys, DeclarationBindsKeysWithDefaultsRangesAndChoices) {
    toy::Config c;
    ConfigSchema s;
    SchemaKeys keys(s, "toy");
    declare_keys(keys, c);
    EXPECT_EQ(s.keys(), (std::vector<std::string>{"toy.bytes", "toy.mode", "toy.on", "toy.part.gain", "toy.part.lanes"}));
    EXPECT_EQ(s.dump(), "toy:\n  bytes: 0x400\n  mode: fast\n  on: true\n  part:\n    gain: 0.5\n    lanes: 4\n");
    s.parse(YAML::Load("toy: {mode: slow, bytes: 2KiB, part: {lanes: 16}}"), "t.yaml");
    EXPECT_EQ(c.mode, toy::Mode::Slow);  // the enum itself: no string mirror
    EXPECT_EQ(c.bytes, 2048u);
    EXPECT_EQ(c.part.lanes, 16u);
    auto error = [&](const char* yaml) -> std::string {
        try {
            s.parse(YAML::Load(yaml), "t.yaml");
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_EQ(error("toy: {part: {lanes: 17}}"), "t.yaml:1: 'toy.part.lanes': must be between 1 and 16 (got 17)");
    EXPECT_EQ(error("toy: {mode: medium}"), "t.yaml:1: 'toy.mode': 'medium' is not one of: fast, slow");
    EXPECT_EQ(error("toy: {bytes: 6}"), "t.yaml:1: 'toy.bytes': must be a multiple of 4 between 4 and 1 MiB (got 6)");
    EXPECT_EQ(error("toy: {part: {gain: 2}}"), "t.yaml:1: 'toy.part.gain': must be between 0 and 1 (got 2)");
}

TEST(ConfigKeys, EveryKeyNeedsOneLineOfDocumentation) {
    toy::Undocumented u;
    ConfigSchema s;
    SchemaKeys keys(s, "u");
    EXPECT_THROW(declare_keys(keys, u), std::logic_error);
    ConfigSchema t;
    uint32_t n = 0;
    EXPECT_THROW(t.bind("a.n", &n, "two\nlines"), std::logic_error);
    t.bind("a.n", &n, "one line");
    EXPECT_THROW(t.bind("a.n", &n, "again"), std::logic_error);
    // Every key the platform binds has its line.
    PlatformConfig cfg;
    ConfigSchema all;
    bind_platform_config(all, cfg);
    EXPECT_GT(all.keys().size(), 100u);
}

TEST(ConfigKeys, RangeCheckReportsTheFirstValueOutsideItsDeclaration) {
    toy::Config c;
    EXPECT_TRUE(config::check_ranges(c).ok());
    c.part.lanes = 0;
    c.bytes = 3;
    const config::Problem p = config::check_ranges(c);
    EXPECT_EQ(p.key, "bytes");  // declaration order
    EXPECT_EQ(p.reason, "3 must be a multiple of 4 between 4 and 1 MiB");
    c.bytes = 8;
    EXPECT_EQ(config::check_ranges(c).text(), "part.lanes 0 outside 1..16");
    EXPECT_EQ(config::check_ranges(c).in("toy").key, "toy.part.lanes");
    c = toy::Config{};
    c.mode = static_cast<toy::Mode>(5);
    EXPECT_EQ(config::check_ranges(c).text(), "mode 5 unknown");
}

// The accelerator's struct is filled from its declaration: no platform mirror, no adapter.
TEST(ConfigKeys, AccelKeysFillTheModelsStruct) {
    const PlatformConfig c = load_platform_config(
        "", {"accel.sync=step", "accel.sparse.init_kind=uniform", "accel.energy.gb_access_bytes=16", "accel.rows=8"});
    EXPECT_EQ(c.accel.array.sync, accel::SyncMode::Step);
    EXPECT_EQ(c.accel.sparse.init_kind, accel::sparse::InitKind::Uniform);
    EXPECT_EQ(c.accel.energy.gb_access_bytes, 16u);
    EXPECT_EQ(c.accel.array.rows, 8u);
    EXPECT_THAT(dump_platform_config(c), HasSubstr("  sync: step\n"));
}

// The DMA's keys (models/dma/dma_config.h) fill DmaParams, the TLM device's base; the model's
// own check is the declaration's.
TEST(ConfigKeys, DmaKeysFillTheModelsStruct) {
    const PlatformConfig c = load_platform_config("", {"dma.burst_bytes=128", "dma.max_chain=9"});
    EXPECT_EQ(c.dma.burst_bytes, 128u);
    EXPECT_EQ(c.dma.max_chain, 9u);
    EXPECT_THAT(stvp::test::error_of("dma:\n  burst_bytes: 0x200000\n"),
                HasSubstr("_cfg.yaml:2: 'dma.burst_bytes': must be between 1 and 1048576 (got 0x200000)"));
    EXPECT_THAT(stvp::test::error_of("dma: {burst_bytes: 48}\n"), HasSubstr("'dma.burst_bytes': must be a power of two (got 48)"));
    DmaParams d;
    EXPECT_TRUE(config::check_ranges(d).ok());
    d.burst_bytes = 48;
    EXPECT_EQ(config::check_ranges(d).text(), "burst_bytes 48 must be a power of two");
    d.burst_bytes = 0;
    EXPECT_EQ(config::check_ranges(d).text(), "burst_bytes 0 outside 1..1048576");
}

// Errors are values: a file's error carries its file, line and key; a check across keys its
// origin and key.
TEST(ConfigKeys, ErrorsCarryFileLineAndKey) {
    const std::string path = write_temp("bad.yaml", "cpu:\n  dmi: true\naccel:\n  rows: 0\n");
    try {
        load_platform_config(path, {});
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.where().file, path);
        EXPECT_EQ(e.where().line, 4);
        EXPECT_EQ(e.where().key, "accel.rows");
        EXPECT_EQ(e.reason(), "must be between 1 and 1024 (got 0)");
        EXPECT_EQ(std::string(e.what()), path + ":4: 'accel.rows': must be between 1 and 1024 (got 0)");
    }
    try {
        load_platform_config(write_temp("rf.yaml", "accel: {rf_bytes: 16}\n"), {});
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.where().key, "accel.rf_bytes");  // the model's problem, not a parsed string
        EXPECT_EQ(e.reason(), "rf_bytes 16 must be a multiple of 4 and at least 20");
    }
    try {
        load_platform_config(write_temp("syntax.yaml", "cpu: {dmi: true\n"), {});
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.where().line, 2);
        EXPECT_GT(e.where().column, 0);
        EXPECT_THAT(e.what(), HasSubstr("malformed YAML"));
    }
}

// The energy table's keys (models/accel/core/energy.def): a bad value names file, line and key.
TEST(ConfigKeys, EnergyKeysRejectNonsenseWithFileLineAndKey) {
    using stvp::test::error_of;
    EXPECT_THAT(error_of("accel:\n  energy:\n    mac_pJ: 3\n"), HasSubstr("_cfg.yaml:3: 'accel.energy.mac_pJ': unknown key"));
    EXPECT_THAT(error_of("accel:\n  energy:\n    rf_read_pj: -2\n"),
                HasSubstr("_cfg.yaml:3: 'accel.energy.rf_read_pj': must be between 0 and 1e+09 (got -2)"));
    EXPECT_THAT(error_of("accel: {energy: {gb_read_pj: lots}}\n"), HasSubstr("'accel.energy.gb_read_pj': expected a number"));
    EXPECT_THAT(error_of("accel: {energy: {gb_read_pj: [1, 2]}}\n"), HasSubstr("expected a number, got a list"));
    EXPECT_THAT(error_of("accel: {energy: {dram_access_bytes: 2.5}}\n"),
                HasSubstr("'accel.energy.dram_access_bytes': expected a non-negative integer"));
    EXPECT_THAT(error_of("accel: {energy: {dram_access_bytes: 0}}\n"), HasSubstr("must be between 1 and 4096"));
    EXPECT_THAT(error_of("accel: {energy: {mac_pj: .nan}}\n"), HasSubstr("'accel.energy.mac_pj': expected a number"));
    EXPECT_EQ(error_of("accel: {energy: {mac_pj: 10.5, gb_access_bytes: 16}}\n"), "");
}

namespace {
// The dotted keys a YAML file states (leaves: scalars and lists).
void leaves(const YAML::Node& n, const std::string& prefix, std::set<std::string>& out) {
    if (!n.IsMap()) {
        out.insert(prefix);
        return;
    }
    for (const auto& kv : n) leaves(kv.second, prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar(), out);
}
bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
}  // namespace

// configs/default.yaml against the declarations: its values are the declared defaults (also
// WorkloadConfig.DefaultYamlEqualsTheDeclarations), it states every key the accelerator, the
// DMA and the workload declare, and it does not restate the energy tables, whose one source is the
// model's declaration (energy.def, sparse_config.h).
TEST(ConfigKeys, DefaultYamlStatesTheModelsDeclarations) {
    const std::string path = std::string(STVP_SOURCE_DIR) + "/configs/default.yaml";
    std::string effective;
    load_platform_config(path, {}, &effective);
    EXPECT_EQ(effective, dump_platform_config(PlatformConfig{}));
    std::set<std::string> stated;
    leaves(load_yaml_file(path), "", stated);
    PlatformConfig cfg;
    ConfigSchema schema;
    bind_platform_config(schema, cfg);
    size_t checked = 0;
    for (const std::string& key : schema.keys()) {
        const bool energy = starts_with(key, "accel.energy.") || starts_with(key, "accel.sparse.energy.");
        if (energy) {
            EXPECT_EQ(stated.count(key), 0u) << key << ": an energy restated in configs/default.yaml";
        } else if (starts_with(key, "accel.") || starts_with(key, "dma.") || starts_with(key, "workload.")) {
            EXPECT_EQ(stated.count(key), 1u) << key << ": declared but missing from configs/default.yaml";
            ++checked;
        }
    }
    EXPECT_GT(checked, 30u);
}
