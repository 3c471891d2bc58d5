// The VCD writer (scopes, types, ordering, window, gate, selection) and the SoC tracer on a
// small SoC with a stimulus at known times: the written file is parsed back and every edge
// is checked at its exact simulated time.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <zlib.h>

#include "soc_bench.h"
#include "tracing.h"
#include "vcd_reader.h"
#include "vcd_writer.h"

namespace {

using namespace stvp;
using stvp::test::bin;
using stvp::test::read_vcd;
using stvp::test::SocBench;
using stvp::test::Stimulus;
using stvp::test::Vcd;
using sc_core::SC_NS;
using sc_core::sc_time;

constexpr uint64_t kPsPerNs = 1000;  // the writer's timescale is the kernel resolution, 1 ps

std::string temp_path(const std::string& name) {
    return ::testing::TempDir() + name + "_" + std::to_string(::getpid()) + ".vcd";
}

sc_time ns(double v) { return sc_time(v, SC_NS); }

TEST(NameSelection, ModulesPatternsAndExclusions) {
    NameSelection all;
    EXPECT_TRUE(all.selected("soc.cpu.state"));
    NameSelection s({"soc.cpu", "soc.*.busy", "-soc.accel.busy"});
    EXPECT_TRUE(s.selected("soc.cpu.state"));
    EXPECT_TRUE(s.selected("soc.cpu.pc"));
    EXPECT_FALSE(s.selected("soc.cpux.state"));  // a module name selects below it, not a prefix
    EXPECT_TRUE(s.selected("soc.dma.busy"));
    EXPECT_FALSE(s.selected("soc.accel.busy"));
    EXPECT_FALSE(s.selected("soc.irq.mtip"));
    NameSelection only_out({"-soc.accel"});
    EXPECT_TRUE(only_out.selected("soc.cpu.pc"));
    EXPECT_FALSE(only_out.selected("soc.accel.units.zero_skip"));
    EXPECT_TRUE(NameSelection::glob("soc.irq.m?ip", "soc.irq.mtip"));
    EXPECT_FALSE(NameSelection::glob("soc.irq.m?ip", "soc.irq.meeip"));
}

TEST(VcdWriter, ScopesTypesAndSortedChanges) {
    const std::string path = temp_path("scopes");
    {
        VcdWriter w(path, {});
        const int state = w.add("soc.cpu.state", VcdWriter::Kind::Vector, 32);
        const int mtip = w.add("soc.irq.mtip", VcdWriter::Kind::Wire);
        const int util = w.add("soc.accel.units.zero_skip", VcdWriter::Kind::Real);
        const int bytes = w.add("soc.dma.bytes", VcdWriter::Kind::Vector, 64);
        EXPECT_THROW(w.add("soc.irq.mtip", VcdWriter::Kind::Wire), std::invalid_argument);
        w.initial(state, 3);
        // Reported out of order: written sorted by time.
        w.change(mtip, 1, ns(20));
        w.change(state, 1, ns(10));
        w.change_real(util, 0.25, ns(15));
        w.change(mtip, 1, ns(25));  // no change: not written
        w.change(bytes, uint64_t(1) << 40, ns(30));
        w.flush(ns(20));
        w.change(state, 2, ns(5));  // late: appears at the earliest open time (20 ns)
        w.close(ns(100));
        EXPECT_EQ(w.variables(), 4u);
        EXPECT_EQ(w.changes_written(), 5u);
    }
    const Vcd v = read_vcd(path);
    ASSERT_TRUE(v.ok) << v.error;
    EXPECT_EQ(v.timescale, "1 ps");
    ASSERT_NE(v.var("soc.cpu.state"), nullptr);
    EXPECT_EQ(v.var("soc.cpu.state")->width, 32u);
    EXPECT_EQ(v.var("soc.irq.mtip")->type, "wire");
    EXPECT_EQ(v.var("soc.accel.units.zero_skip")->type, "real");
    EXPECT_EQ(v.var("soc.dma.bytes")->width, 64u);
    EXPECT_EQ(v.times("soc.cpu.state", "b11", true), std::vector<uint64_t>{0});
    EXPECT_EQ(v.times("soc.cpu.state", "b1"), std::vector<uint64_t>{10 * kPsPerNs});
    EXPECT_EQ(v.times("soc.cpu.state", "b10"), std::vector<uint64_t>{20 * kPsPerNs});
    EXPECT_EQ(v.times("soc.irq.mtip", "1"), std::vector<uint64_t>{20 * kPsPerNs});
    EXPECT_EQ(v.times("soc.accel.units.zero_skip", "r0.25"), std::vector<uint64_t>{15 * kPsPerNs});
    EXPECT_EQ(v.at("soc.dma.bytes", 30 * kPsPerNs), bin(uint64_t(1) << 40));
    EXPECT_EQ(v.last_time, 100 * kPsPerNs);
    std::remove(path.c_str());
}

std::string read_plain(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string read_gzip(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    std::string s;
    if (!f) return s;
    char buf[4096];
    for (int n; (n = gzread(f, buf, sizeof buf)) > 0;) s.append(buf, std::size_t(n));
    gzclose(f);
    return s;
}

// A name ending in .gz gives a gzip file with exactly the plain file's text; Options::date
// fixes the $date line or ("") leaves it out, so identical runs give identical files.
TEST(VcdWriter, GzipAndDate) {
    auto write = [](const std::string& path, const std::string& date) {
        VcdWriter::Options o;
        o.date = date;
        VcdWriter w(path, o);
        const int state = w.add("soc.cpu.state", VcdWriter::Kind::Vector, 32);
        const int mtip = w.add("soc.irq.mtip", VcdWriter::Kind::Wire);
        for (int i = 1; i <= 5000; ++i) w.change(i % 2 ? state : mtip, uint64_t(i % 7), ns(i));
        w.close(ns(6000));
    };
    const std::string plain = temp_path("date"), packed = temp_path("date") + ".gz";
    write(plain, "");
    write(packed, "");
    const std::string text = read_plain(plain);
    EXPECT_EQ(text.rfind("$version stvp $end\n", 0), 0u) << text.substr(0, 80);
    EXPECT_EQ(read_gzip(packed), text);
    EXPECT_NE(read_plain(packed), text);  // really compressed
    EXPECT_LT(read_plain(packed).size(), text.size() / 3);
    const Vcd v = read_vcd(plain);
    ASSERT_TRUE(v.ok) << v.error;
    EXPECT_EQ(v.last_time, 6000 * kPsPerNs);
    write(plain, "2026-01-01 00:00:00");
    EXPECT_EQ(read_plain(plain).rfind("$date 2026-01-01 00:00:00 $end\n$version stvp $end\n", 0), 0u);
    write(plain, "now");
    EXPECT_EQ(read_plain(plain).rfind("$date 20", 0), 0u);
    std::remove(plain.c_str());
    std::remove(packed.c_str());
}

TEST(VcdWriter, TimeWindowAndGate) {
    const std::string path = temp_path("window");
    {
        VcdWriter::Options o;
        o.start = ns(100);
        o.stop = ns(600);
        VcdWriter w(path, o);
        const int a = w.add("soc.a", VcdWriter::Kind::Vector, 8);
        const int x = w.add("soc.x", VcdWriter::Kind::Wire);
        w.change(a, 1, ns(50));   // before the window: only its value at 100 shows
        w.change(a, 2, ns(150));
        w.gate(false, ns(200));   // the firmware closes the window
        w.change(a, 3, ns(250));  // hidden
        w.change(x, 1, ns(260));  // hidden
        w.gate(true, ns(300));    // reopens: current values dumped
        w.change(a, 4, ns(400));
        w.change(a, 5, ns(700));  // after the window
        w.close(ns(800));
    }
    const Vcd v = read_vcd(path);
    ASSERT_TRUE(v.ok) << v.error;
    // x until the window opens at 100 ns with the value set at 50 ns.
    EXPECT_EQ(v.at("soc.a", 0), "x");
    EXPECT_EQ(v.times("soc.a", "b1", true), std::vector<uint64_t>{100 * kPsPerNs});
    EXPECT_EQ(v.times("soc.a", "b10"), std::vector<uint64_t>{150 * kPsPerNs});
    EXPECT_EQ(v.times("soc.a", "b11", true), std::vector<uint64_t>{300 * kPsPerNs});  // in the $dumpon
    EXPECT_EQ(v.times("soc.x", "1", true), std::vector<uint64_t>{300 * kPsPerNs});
    EXPECT_EQ(v.times("soc.a", "b100"), std::vector<uint64_t>{400 * kPsPerNs});
    EXPECT_TRUE(v.times("soc.a", "b101").empty());
    EXPECT_EQ(v.dumpon, (std::vector<uint64_t>{100 * kPsPerNs, 300 * kPsPerNs}));
    EXPECT_EQ(v.dumpoff, (std::vector<uint64_t>{200 * kPsPerNs, 600 * kPsPerNs}));
    EXPECT_EQ(v.at("soc.a", 250 * kPsPerNs), "x");
    EXPECT_EQ(v.last_time, 800 * kPsPerNs);
    std::remove(path.c_str());
}

TEST(VcdWriter, SelectionLeavesVariablesOut) {
    const std::string path = temp_path("select");
    {
        VcdWriter::Options o;
        o.signals = {"soc.cpu", "-soc.cpu.pc"};
        VcdWriter w(path, o);
        EXPECT_GE(w.add("soc.cpu.state", VcdWriter::Kind::Vector, 32), 0);
        EXPECT_EQ(w.add("soc.cpu.pc", VcdWriter::Kind::Vector, 32), -1);
        EXPECT_EQ(w.add("soc.irq.mtip", VcdWriter::Kind::Wire), -1);
        w.change(-1, 1, ns(10));  // ignored
        w.close(ns(20));
    }
    const Vcd v = read_vcd(path);
    ASSERT_TRUE(v.ok) << v.error;
    EXPECT_EQ(v.vars.size(), 1u);
    EXPECT_NE(v.var("soc.cpu.state"), nullptr);
    std::remove(path.c_str());
}

TEST(VcdWriter, HeldHorizonKeepsOrderOverManyChanges) {
    const std::string path = temp_path("held");
    sc_time horizon = sc_core::SC_ZERO_TIME;  // nothing may be written yet
    {
        VcdWriter w(path, {});
        w.set_horizon([&] { return horizon; });
        const int a = w.add("soc.a", VcdWriter::Kind::Vector, 32);
        const int late = w.add("soc.late", VcdWriter::Kind::Wire);
        for (uint64_t i = 1; i <= 50000; ++i) w.change(a, i, ns(double(i)));
        w.change(late, 1, ns(5));  // reported after everything else, still in its place
        horizon = ns(100000);
        w.close(ns(60000));
        EXPECT_EQ(w.changes_written(), 50001u);
    }
    const Vcd v = read_vcd(path);
    ASSERT_TRUE(v.ok) << v.error;
    ASSERT_EQ(v.var("soc.a")->changes.size(), 50001u);  // with the initial value
    for (uint64_t i = 1; i <= 50000; ++i) ASSERT_EQ(v.var("soc.a")->changes[i].first, i * kPsPerNs);
    EXPECT_EQ(v.times("soc.late", "1"), std::vector<uint64_t>{5 * kPsPerNs});
    std::remove(path.c_str());
}

// The SoC tracer on the small SoC: a DMA copy, the firmware's trace window and phase, a
// marker, an access to a hole, each at a known time.
TEST(SocTracer, EdgesAtTheirSimulatedTimes) {
    SocBench b;
    const std::string path = temp_path("soc");
    b.descriptor(0x80001000, 0x80003000, 0x80002000, 1024);
    std::vector<DmaDescriptorEvent> done;
    b.events->on_descriptor([&](const DmaDescriptorEvent& e) { done.push_back(e); });
    SocTraceOptions o;
    o.path = path;
    SocTracer tracer(b.parts, *b.events, o);
    b.cpu.body = [&](Stimulus& s) {
        SocBench::until(s, 100);
        s.write32(STVP_DMA_BASE + DMA_INT_ENABLE, DMA_INT_ENABLE_DONE_MASK);
        s.write32(STVP_DMA_BASE + DMA_DESC_HEAD, 0x80001000);
        s.write32(STVP_DMA_BASE + DMA_CTRL, DMA_CTRL_START_MASK);
        SocBench::until(s, 300);
        s.write32(STVP_SIMCTRL_BASE + SIMCTRL_TRACE, 0);
        SocBench::until(s, 400);
        s.write32(STVP_SIMCTRL_BASE + SIMCTRL_PHASE, 5);
        SocBench::until(s, 500);
        s.write32(STVP_SIMCTRL_BASE + SIMCTRL_TRACE, 1);
        SocBench::until(s, 600);
        s.write32(STVP_SIMCTRL_BASE + SIMCTRL_MARKER, 0x42);
        SocBench::until(s, 700);
        s.write32(0x40000000, 1);  // a hole
        s.write32(STVP_DMA_BASE + DMA_INT_STATUS, DMA_INT_STATUS_DONE_MASK);
        SocBench::until(s, 800);
    };
    sc_core::sc_start(ns(1000));
    tracer.close();
    ASSERT_EQ(done.size(), 1u);
    // 32-byte fetch + 16 bursts of 64 bytes at 8 GB/s: 4 + 16 x 8 = 132 ns.
    EXPECT_EQ(done[0].end, ns(232));

    const Vcd v = read_vcd(path);
    ASSERT_TRUE(v.ok) << v.error;
    EXPECT_EQ(v.times("soc.dma.busy", "1"), std::vector<uint64_t>{100 * kPsPerNs});
    EXPECT_EQ(v.times("soc.dma.busy", "0").back(), 232 * kPsPerNs);
    EXPECT_EQ(v.times("soc.irq.dma", "1"), std::vector<uint64_t>{232 * kPsPerNs});
    EXPECT_EQ(v.times("soc.irq.dma", "0"), std::vector<uint64_t>{700 * kPsPerNs});
    EXPECT_EQ(v.times("soc.dma.descriptors", "b1"), std::vector<uint64_t>{232 * kPsPerNs});
    EXPECT_EQ(v.times("soc.dma.desc", bin(0x80001000)), std::vector<uint64_t>{100 * kPsPerNs});
    // Bytes written grow burst by burst, 64 at a time, 8 ns apart after the 4 ns fetch.
    EXPECT_EQ(v.times("soc.dma.bytes", bin(64)), std::vector<uint64_t>{104 * kPsPerNs});
    EXPECT_EQ(v.times("soc.dma.bytes", bin(1024)), std::vector<uint64_t>{224 * kPsPerNs});
    // The firmware's window: closed from 300 to 500 ns; the phase written meanwhile shows at 500.
    EXPECT_EQ(v.dumpoff, std::vector<uint64_t>{300 * kPsPerNs});
    EXPECT_EQ(v.dumpon, std::vector<uint64_t>{500 * kPsPerNs});
    EXPECT_EQ(v.at("soc.simctrl.phase", 499 * kPsPerNs), "x");
    EXPECT_EQ(v.at("soc.simctrl.phase", 500 * kPsPerNs), bin(5));
    EXPECT_EQ(v.times("soc.simctrl.trace_enable", "0"), std::vector<uint64_t>{300 * kPsPerNs});  // then $dumpoff
    EXPECT_EQ(v.times("soc.simctrl.marker", bin(0x42)), std::vector<uint64_t>{600 * kPsPerNs});
    EXPECT_EQ(v.times("soc.bus.errors", bin(1)), std::vector<uint64_t>{700 * kPsPerNs});
    EXPECT_EQ(v.times("soc.bus.error_addr", bin(0x40000000)), std::vector<uint64_t>{700 * kPsPerNs});
    EXPECT_EQ(v.last_time, 1000 * kPsPerNs);
    std::remove(path.c_str());
}

}  // namespace
