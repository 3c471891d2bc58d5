// Configuration parsing: typed keys, unknown keys, wrong types, impossible values and
// overrides each give an error naming the file, the key and the reason.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_errors.h"
#include "platform_config.h"

using namespace stvp;
using ::testing::HasSubstr;

using stvp::test::error_of;
using stvp::test::write_temp;

TEST(PlatformConfig, DefaultsComeFromTheMemoryMapHeader) {
    PlatformConfig c = load_platform_config("", {});
    EXPECT_EQ(c.memory_map.at("dram").base, 0x80000000u);
    EXPECT_EQ(c.memory_map.at("dram").size, 0x20000000u);
    EXPECT_EQ(c.memory_map.at("clint").base, 0x02000000u);
    EXPECT_EQ(c.memory_map.at("uart").base, 0x10000000u);
}

TEST(PlatformConfig, ShippedDefaultConfigLoads) {
    std::string eff;
    PlatformConfig c = load_platform_config(std::string(STVP_SOURCE_DIR) + "/configs/default.yaml", {}, &eff);
    EXPECT_DOUBLE_EQ(c.cpu.clock_hz, 500e6);
    EXPECT_THAT(eff, HasSubstr("quantum_ns: 10000"));
}

TEST(PlatformConfig, ReadsTypedValuesAndSizes) {
    std::string path = write_temp("ok.yaml",
                                  "cpu: {clock_hz: 1e9, quantum_ns: 500, dmi: false}\n"
                                  "memory_map:\n  dram: {base: 0x4000_0000, size: 64MiB}\n");
    PlatformConfig c = load_platform_config(path, {});
    EXPECT_DOUBLE_EQ(c.cpu.clock_hz, 1e9);
    EXPECT_EQ(c.cpu.quantum_ns, 500u);
    EXPECT_FALSE(c.cpu.dmi);
    EXPECT_EQ(c.memory_map.at("dram").base, 0x40000000u);
    EXPECT_EQ(c.memory_map.at("dram").size, 64u << 20);
}

TEST(PlatformConfig, CpuMisalignedIsTrapOrEmulate) {
    EXPECT_FALSE(PlatformConfig{}.cpu.misaligned_emulate);  // trap: today's behaviour by default
    PlatformConfig c = load_platform_config(write_temp("mis.yaml", "cpu: {misaligned: emulate}\n"), {});
    EXPECT_TRUE(c.cpu.misaligned_emulate);
    const std::string e = error_of("cpu: {misaligned: sometimes}\n");
    EXPECT_THAT(e, HasSubstr("'cpu.misaligned'"));
    EXPECT_THAT(e, HasSubstr("sometimes"));
}

TEST(PlatformConfig, UnknownKeyNamesFileLineAndKey) {
    std::string e = error_of("cpu:\n  clock_hz: 1e9\n  quantm_ns: 5\n");
    EXPECT_THAT(e, HasSubstr("_cfg.yaml:3"));
    EXPECT_THAT(e, HasSubstr("'cpu.quantm_ns'"));
    EXPECT_THAT(e, HasSubstr("unknown key"));
}

TEST(PlatformConfig, UnknownSectionIsRejected) {
    EXPECT_THAT(error_of("gpu: {cores: 4}\n"), HasSubstr("'gpu': unknown key"));
}

TEST(PlatformConfig, WrongTypeIsRejected) {
    EXPECT_THAT(error_of("cpu: {quantum_ns: fast}\n"), HasSubstr("expected a non-negative integer, got 'fast'"));
    EXPECT_THAT(error_of("cpu: {dmi: 3}\n"), HasSubstr("expected true or false"));
    EXPECT_THAT(error_of("cpu: {clock_hz: [1, 2]}\n"), HasSubstr("expected a number, got a list"));
    EXPECT_THAT(error_of("cpu: 5\n"), HasSubstr("'cpu': expected a map"));
}

TEST(PlatformConfig, ImpossibleValuesAreRejected) {
    EXPECT_THAT(error_of("cpu: {quantum_ns: 0}\n"), HasSubstr("'cpu.quantum_ns': must be between 1"));
    EXPECT_THAT(error_of("cpu: {clock_hz: -5}\n"), HasSubstr("'cpu.clock_hz'"));
    EXPECT_THAT(error_of("memory_map: {dram: {size: 0}}\n"), HasSubstr("must be greater than 0"));
    EXPECT_THAT(error_of("dma: {burst_bytes: 48}\n"), HasSubstr("power of two"));
}

TEST(PlatformConfig, OverlappingRegionsNameBoth) {
    std::string e = error_of("memory_map: {uart: {base: 0x80001000}}\n");
    EXPECT_THAT(e, HasSubstr("'dram'"));
    EXPECT_THAT(e, HasSubstr("'uart'"));
    EXPECT_THAT(e, HasSubstr("overlap"));
}

TEST(PlatformConfig, MalformedYamlNamesLine) {
    std::string e = error_of("cpu:\n  clock_hz: [1, 2\n");
    EXPECT_THAT(e, HasSubstr("cfg.yaml:"));
    EXPECT_THAT(e, HasSubstr("malformed YAML"));
}

TEST(PlatformConfig, MissingFileIsAnError) {
    EXPECT_THROW(load_platform_config("/nonexistent/x.yaml", {}), ConfigError);
}

TEST(PlatformConfig, SetOverridesAnyKey) {
    std::string path = write_temp("o.yaml", "cpu: {quantum_ns: 100}\n");
    PlatformConfig c = load_platform_config(path, {"cpu.quantum_ns=2000", "memory_map.dram.size=1GiB"});
    EXPECT_EQ(c.cpu.quantum_ns, 2000u);
    EXPECT_EQ(c.memory_map.at("dram").size, 1ull << 30);
}

TEST(PlatformConfig, BadSetIsRejectedNamingTheKey) {
    EXPECT_THAT(error_of("", {"cpu.nope=1"}), HasSubstr("unknown key 'cpu.nope'"));
    EXPECT_THAT(error_of("", {"cpu.quantum_ns"}), HasSubstr("expected key=value"));
    EXPECT_THAT(error_of("", {"cpu.quantum_ns=abc"}), HasSubstr("--set cpu.quantum_ns"));
}

TEST(PlatformConfig, FirmwareArgsAndPreloadAreChecked) {
    EXPECT_THAT(error_of("args: ['12', 'x']\n"), HasSubstr("'x' is not a 32-bit integer"));
    EXPECT_THAT(error_of("preload: ['data.bin']\n"), HasSubstr("expected FILE@ADDRESS"));
    PreloadEntry p = parse_preload("a@b.bin@0x90000000");
    EXPECT_EQ(p.file, "a@b.bin");
    EXPECT_EQ(p.address, 0x90000000u);
}

TEST(PlatformConfig, DumpRoundTrips) {
    std::string eff;
    load_platform_config("", {"cpu.quantum_ns=1234"}, &eff);
    std::string path = write_temp("dump.yaml", eff);
    PlatformConfig c = load_platform_config(path, {});
    EXPECT_EQ(c.cpu.quantum_ns, 1234u);
}
