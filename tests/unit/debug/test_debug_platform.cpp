// The debugging facilities through the whole platform: runs the stvp program on
// sw/debug_demo's VCD scenario with a VCD and a JSON-lines transaction log, then checks that
// the waveform's edges happen at the simulated times the log (and the CLINT's arithmetic) says:
// each register write reaches its device one bus hop (bus.latency_ns = 1 ns) after the CPU
// issues it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "vcd_reader.h"

namespace {

using stvp::test::bin;
using stvp::test::read_vcd;
using stvp::test::Vcd;

struct Tx {
    double t_ns = 0, latency_ns = 0;
    std::string kind, reg, value, detail;
};

// The value after "key": in a JSON line: a number, or a string without escapes; "" if absent.
// (Not <regex>: libstdc++'s regex gives false -Wmaybe-uninitialized errors under the sanitizers.)
std::string json_field(const std::string& line, const std::string& key) {
    const std::string tag = "\"" + key + "\": ";
    const size_t at = line.find(tag);
    if (at == std::string::npos) return {};
    const size_t b = at + tag.size();
    if (b < line.size() && line[b] == '"') return line.substr(b + 1, line.find('"', b + 1) - b - 1);
    return line.substr(b, line.find_first_of(",}", b) - b);
}

std::vector<Tx> read_jsonl(const std::string& path) {
    std::vector<Tx> out;
    std::ifstream f(path);
    for (std::string line; std::getline(f, line);) {
        Tx t;
        if (const std::string v = json_field(line, "t_ns"); !v.empty()) t.t_ns = std::stod(v);
        if (const std::string v = json_field(line, "latency_ns"); !v.empty()) t.latency_ns = std::stod(v);
        t.kind = json_field(line, "kind");
        t.reg = json_field(line, "reg");
        t.value = json_field(line, "value");
        t.detail = json_field(line, "detail");
        out.push_back(t);
    }
    return out;
}

uint64_t ps(double ns) { return static_cast<uint64_t>(ns * 1000 + 0.5); }

std::vector<Tx> writes(const std::vector<Tx>& log, const std::string& reg, const std::string& value = "") {
    std::vector<Tx> out;
    for (const Tx& t : log)
        if (t.kind == "reg" && t.reg == reg && (value.empty() || t.value == value)) out.push_back(t);
    return out;
}

TEST(DebugPlatform, VcdEdgesMatchTheTransactionLog) {
    const std::string base = ::testing::TempDir() + "debug_platform_" + std::to_string(::getpid());
    const std::string vcd_path = base + ".vcd", log_path = base + ".jsonl";
    const std::string cmd = std::string(STVP_EXE) + " --quiet --config " + STVP_CONFIG + " --firmware " +
                            DEBUG_DEMO_ELF + " --arg 1 --vcd " + vcd_path + " --txlog " + log_path +
                            " --txlog-format jsonl --txlog-filter kind=reg,desc > " + base + ".out 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const Vcd v = read_vcd(vcd_path);
    ASSERT_TRUE(v.ok) << v.error;
    const std::vector<Tx> log = read_jsonl(log_path);
    ASSERT_GT(log.size(), 50u);
    constexpr double hop = 1.0;  // bus.latency_ns in configs/default.yaml

    // The firmware's window: closed by TRACE = 0, reopened by TRACE = 1.
    const auto off = writes(log, "SIMCTRL.TRACE", "0x00000000"), on = writes(log, "SIMCTRL.TRACE", "0x00000001");
    ASSERT_EQ(off.size(), 1u);
    ASSERT_EQ(on.size(), 1u);
    EXPECT_EQ(v.dumpoff, std::vector<uint64_t>{ps(off[0].t_ns + hop)});
    EXPECT_EQ(v.dumpon, std::vector<uint64_t>{ps(on[0].t_ns + hop)});

    // The DMA copy in the window: busy from the START write to the end of its descriptor,
    // then its interrupt, which wakes the hart from WFI into the trap handler.
    const auto starts = writes(log, "DMA.CTRL", "0x00000001");
    ASSERT_EQ(starts.size(), 2u);  // the second one is while the window is closed
    const uint64_t start = ps(starts[0].t_ns + hop);
    EXPECT_EQ(v.times("soc.dma.busy", "1"), std::vector<uint64_t>{start});
    std::vector<Tx> descs;
    for (const Tx& t : log)
        if (t.kind == "desc") descs.push_back(t);
    ASSERT_EQ(descs.size(), 2u);
    EXPECT_EQ(ps(descs[0].t_ns), start);
    const uint64_t end = ps(descs[0].t_ns + descs[0].latency_ns);
    ASSERT_FALSE(v.times("soc.dma.busy", "0").empty());
    EXPECT_EQ(v.times("soc.dma.busy", "0")[0], end);
    EXPECT_EQ(v.times("soc.irq.dma", "1"), std::vector<uint64_t>{end});
    // The byte count reaches 4096 with the last burst's write, before the descriptor ends.
    ASSERT_EQ(v.times("soc.dma.bytes", bin(4096)).size(), 1u);
    EXPECT_GT(v.times("soc.dma.bytes", bin(4096))[0], start);
    EXPECT_LE(v.times("soc.dma.bytes", bin(4096))[0], end);
    // The hart sleeps in WFI during the copy and wakes at the interrupt (the driver sleeps with
    // mstatus.MIE = 0, then enables it: the trap follows within a few instructions).
    EXPECT_EQ(v.at("soc.cpu.state", end - 1), bin(1));
    EXPECT_EQ(v.at("soc.cpu.state", end), bin(0));
    uint64_t trap = 0;
    for (uint64_t t : v.times("soc.cpu.state", bin(2)))
        if (t >= end && !trap) trap = t;
    ASSERT_GT(trap, end);
    EXPECT_LT(trap - end, ps(100));
    // The pc is sampled at state changes: the handler's entry at the trap.
    EXPECT_EQ(v.times("soc.cpu.pc", v.at("soc.cpu.pc", trap)).back(), trap);
    EXPECT_EQ(v.times("soc.irq.meip", "1")[0], end);

    // Markers and phases at their writes.
    const auto m1 = writes(log, "SIMCTRL.MARKER", "0x00000100"), m2 = writes(log, "SIMCTRL.MARKER", "0x00000200");
    ASSERT_EQ(m1.size(), 1u);
    ASSERT_EQ(m2.size(), 1u);
    EXPECT_EQ(v.times("soc.simctrl.marker", bin(0x100)), std::vector<uint64_t>{ps(m1[0].t_ns + hop)});
    EXPECT_EQ(v.times("soc.simctrl.marker", bin(0x200)), std::vector<uint64_t>{ps(m2[0].t_ns + hop)});
    const auto phase2 = writes(log, "SIMCTRL.PHASE", "0x00000002");
    ASSERT_EQ(phase2.size(), 1u);
    EXPECT_EQ(v.times("soc.simctrl.phase", bin(2)), std::vector<uint64_t>{ps(phase2[0].t_ns + hop)});

    // The 5 us sleep: MTIP rises when mtime (10 MHz from 0) reaches the mtimecmp the sleep set
    // (the driver writes LO = all ones, HI, then LO; afterwards it turns the timer off again).
    uint64_t cmp_lo = 0, cmp_hi = 0, hi_seen = 0;
    bool armed = false;
    for (const Tx& t : log) {
        if (t.reg == "CLINT.MTIMECMP_HI") hi_seen = std::stoull(t.value, nullptr, 16);
        if (t.reg == "CLINT.MTIMECMP_LO" && t.value != "0xffffffff") {
            cmp_lo = std::stoull(t.value, nullptr, 16);
            cmp_hi = hi_seen;
            armed = true;
        }
    }
    ASSERT_TRUE(armed);
    const uint64_t cmp = cmp_lo | cmp_hi << 32;
    EXPECT_EQ(v.times("soc.irq.mtip", "1"), std::vector<uint64_t>{cmp * 100 * 1000});
    std::remove(vcd_path.c_str());
    std::remove(log_path.c_str());
}

}  // namespace
