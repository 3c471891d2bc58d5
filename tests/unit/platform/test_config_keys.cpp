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

// The CPU's, DRAM's, bus's, CLINT's and UART's keys are declared by the models (their
// *_config.h) and fill the models' own structs: a default per section as published (cited in
// the declarations), an override per section, and a bad value per section naming file, line and
// key.
TEST(ConfigKeys, ModelSectionsHaveTheirDeclaredDefaults) {
    const PlatformConfig c = load_platform_config("", {});
    EXPECT_DOUBLE_EQ(c.cpu.clock_hz, 500e6);
    EXPECT_EQ(c.cpu.quantum_ns, 10000u);
    EXPECT_TRUE(c.cpu.dmi);
    EXPECT_FALSE(c.cpu.memory_stalls);
    EXPECT_FALSE(c.cpu.misaligned_emulate);
    EXPECT_EQ(c.cpu.cycles.load, 2u);
    EXPECT_EQ(c.cpu.cycles.div, 34u);
    EXPECT_EQ(c.dram.latency_ns, 60u);              // LPDDR4 first-word latency
    EXPECT_DOUBLE_EQ(c.dram.bandwidth_gbps, 12.8);  // LPDDR4-3200 x 32 bit
    EXPECT_DOUBLE_EQ(c.dram.bytes_per_s(), 3200e6 * 4);
    EXPECT_EQ(c.bus.latency_ns, 1u);
    EXPECT_DOUBLE_EQ(c.clint.timebase_hz, 10e6);
    EXPECT_EQ(c.uart.baud, 0u);
    EXPECT_TRUE(c.uart.echo);
    // The accelerator sees the same DRAM (one key, one owner).
    const AccelParams a = accel_params(load_platform_config("", {"dram.latency_ns=75", "dram.bandwidth_gbps=3.2"}));
    EXPECT_DOUBLE_EQ(a.array.dram_latency_ns, 75.0);
    EXPECT_DOUBLE_EQ(a.array.dram_bytes_per_s, 3.2e9);
    EXPECT_DOUBLE_EQ(accel_params(c).array.dram_bytes_per_s, PlatformConfig{}.accel.array.dram_bytes_per_s);
}

TEST(ConfigKeys, ModelSectionsFillTheModelsStructs) {
    const PlatformConfig c = load_platform_config(
        "", {"cpu.clock_hz=1e9", "cpu.misaligned=emulate", "cpu.cycles.mul=5", "dram.latency_ns=80", "bus.latency_ns=0",
             "clint.timebase_hz=32768", "uart.baud=115200", "uart.echo=false"});
    EXPECT_DOUBLE_EQ(c.cpu.clock_hz, 1e9);
    EXPECT_TRUE(c.cpu.misaligned_emulate);
    EXPECT_EQ(c.cpu.cycles.mul, 5u);
    EXPECT_EQ(c.dram.latency_ns, 80u);
    EXPECT_EQ(c.bus.latency_ns, 0u);
    EXPECT_DOUBLE_EQ(c.clint.timebase_hz, 32768);
    EXPECT_EQ(c.uart.baud, 115200u);
    EXPECT_FALSE(c.uart.echo);
    const std::string dump = dump_platform_config(c);
    EXPECT_THAT(dump, HasSubstr("cpu:\n  clock_hz: 1000000000\n"));
    EXPECT_THAT(dump, HasSubstr("  misaligned: emulate\n"));
    EXPECT_THAT(dump, HasSubstr("uart:\n  baud: 115200\n  echo: false\n"));
}

TEST(ConfigKeys, ModelSectionsRejectNonsenseWithFileLineAndKey) {
    using stvp::test::error_of;
    EXPECT_THAT(error_of("cpu:\n  dmi: true\n  cycles:\n    div: 0\n"),
                HasSubstr("_cfg.yaml:4: 'cpu.cycles.div': must be between 1 and 1000 (got 0)"));
    EXPECT_THAT(error_of("cpu:\n  misaligned: sometimes\n"),
                HasSubstr("_cfg.yaml:2: 'cpu.misaligned': 'sometimes' is not one of: trap, emulate"));
    EXPECT_THAT(error_of("dram:\n  bandwidth_gbps: 0\n"),
                HasSubstr("_cfg.yaml:2: 'dram.bandwidth_gbps': must be between 0.001 and 10000 (got 0)"));
    EXPECT_THAT(error_of("dram:\n  latency_ns: -1\n"), HasSubstr("_cfg.yaml:2: 'dram.latency_ns': expected a non-negative integer"));
    EXPECT_THAT(error_of("bus:\n  latency_ns: 2000000\n"),
                HasSubstr("_cfg.yaml:2: 'bus.latency_ns': must be between 0 and 1000000 (got 2000000)"));
    EXPECT_THAT(error_of("clint:\n  timebase_hz: 1.5\n"),
                HasSubstr("_cfg.yaml:2: 'clint.timebase_hz': must be a whole number (got 1.5)"));
    EXPECT_THAT(error_of("clint:\n  timebase_hz: 0\n"),
                HasSubstr("_cfg.yaml:2: 'clint.timebase_hz': must be between 1 and 1e+10 (got 0)"));
    EXPECT_THAT(error_of("uart:\n  echo: loud\n"), HasSubstr("_cfg.yaml:2: 'uart.echo': expected true or false, got 'loud'"));
    EXPECT_THAT(error_of("uart:\n  baud: 2e9\n"), HasSubstr("_cfg.yaml:2: 'uart.baud': must be between 0 and 1000000000"));
    EXPECT_THAT(error_of("", {"uart.parity=even"}), HasSubstr("unknown key 'uart.parity'"));
    // SIMCTRL's generic arguments: checked where they are read, converted in one place.
    EXPECT_THAT(error_of("sim: {}\nargs: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"),
                HasSubstr("_cfg.yaml:2: 'args': at most 8 firmware arguments"));
    EXPECT_THAT(error_of("args: [4294967296]\n"), HasSubstr("_cfg.yaml:1: 'args': '4294967296' is not a 32-bit integer"));
    EXPECT_EQ(firmware_args(load_platform_config("", {"args=[-1, 0x10, 7]"})), (std::vector<uint32_t>{0xFFFFFFFFu, 16, 7}));
    // The declarations' ranges also check a struct built in code.
    CpuParams cpu;
    EXPECT_TRUE(config::check_ranges(cpu).ok());
    cpu.cycles.alu = 0;
    EXPECT_EQ(config::check_ranges(cpu).text(), "cycles.alu 0 outside 1..1000");
    ClintParams clint;
    clint.timebase_hz = 2.5;
    EXPECT_EQ(config::check_ranges(clint).text(), "timebase_hz 2.5 must be a whole number");
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
// WorkloadConfig.DefaultYamlEqualsTheDeclarations), it states every key of every section (the
// models' and the platform's), and nothing else (parse rejects unknown keys). It does not restate
// the facts whose one source is elsewhere: the energy tables (energy.def, sparse_config.h) and the
// memory map with the data set's address in it (firmware/include/stvp/hw/memmap.h).
TEST(ConfigKeys, DefaultYamlStatesEveryDeclaredKey) {
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
        const bool elsewhere = starts_with(key, "accel.energy.") || starts_with(key, "accel.sparse.energy.") ||
                               starts_with(key, "memory_map.") || key == "dataset.address";
        if (elsewhere) {
            EXPECT_EQ(stated.count(key), 0u) << key << ": restated in configs/default.yaml (its one source is elsewhere)";
        } else {
            EXPECT_EQ(stated.count(key), 1u) << key << ": declared but missing from configs/default.yaml";
            ++checked;
        }
    }
    for (const std::string& key : stated) EXPECT_TRUE(schema.has_key(key)) << key << ": stated but not declared";
    EXPECT_GT(checked, 70u);
}
