// The transaction log: filter parsing and matching, text and JSON-lines formats, and the SoC
// feed (register names and values, DMA bursts and descriptors, holes) on the small SoC.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "soc_bench.h"
#include "txlog.h"

namespace {

using namespace stvp;
using stvp::test::SocBench;
using stvp::test::Stimulus;
using sc_core::SC_NS;
using sc_core::sc_time;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TxRecord record(const std::string& initiator, const std::string* target, TxKind kind, uint64_t addr, bool ok) {
    static std::vector<std::unique_ptr<std::string>> names;
    names.push_back(std::make_unique<std::string>(initiator));
    TxRecord r;
    r.initiator = names.back().get();
    r.target = target;
    r.kind = kind;
    r.address = addr;
    r.length = 4;
    r.ok = ok;
    r.response = ok ? "ok" : "address-error";
    return r;
}

TEST(TxFilter, ParsesAndMatches) {
    const std::string uart = "uart", dram = "dram";
    const TxRecord cpu_uart = record("cpu", &uart, TxKind::Reg, 0x10000000, true);
    const TxRecord dma_dram = record("dma", &dram, TxKind::Mem, 0x80001000, true);
    const TxRecord cpu_hole = record("cpu", nullptr, TxKind::Reg, 0x40000000, false);

    const TxFilter none = TxFilter::parse({});
    EXPECT_TRUE(none.empty());
    EXPECT_TRUE(none.accepts(cpu_uart) && none.accepts(dma_dram) && none.accepts(cpu_hole));

    const TxFilter cpu = TxFilter::parse({"initiator=cpu"});
    EXPECT_TRUE(cpu.accepts(cpu_uart));
    EXPECT_FALSE(cpu.accepts(dma_dram));

    const TxFilter two = TxFilter::parse({"initiator=cpu,dma target=dram,hole"});  // terms in one argument
    EXPECT_FALSE(two.accepts(cpu_uart));
    EXPECT_TRUE(two.accepts(dma_dram));
    EXPECT_TRUE(two.accepts(cpu_hole));

    EXPECT_TRUE(TxFilter::parse({"kind=mem"}).accepts(dma_dram));
    EXPECT_FALSE(TxFilter::parse({"kind=desc,op"}).accepts(dma_dram));
    EXPECT_TRUE(TxFilter::parse({"addr=0x10000000-0x10000fff"}).accepts(cpu_uart));
    EXPECT_FALSE(TxFilter::parse({"addr=0x10000004-0x10000fff"}).accepts(cpu_uart));
    EXPECT_TRUE(TxFilter::parse({"addr=0x0ffffffe+4"}).accepts(cpu_uart));  // overlap counts
    EXPECT_TRUE(TxFilter::parse({"addr=0x80001000"}).accepts(dma_dram));
    EXPECT_TRUE(TxFilter::parse({"response=error"}).accepts(cpu_hole));
    EXPECT_FALSE(TxFilter::parse({"response=error"}).accepts(cpu_uart));
    EXPECT_TRUE(TxFilter::parse({"response=ok", "response=error"}).accepts(cpu_uart));

    for (const char* bad : {"initiator", "kind=foo", "addr=5-1", "addr=x", "colour=red", "response=maybe",
                            "target="})
        EXPECT_THROW(TxFilter::parse({bad}), std::invalid_argument) << bad;
    EXPECT_EQ(TxLog::parse_format("jsonl"), TxLog::Format::Jsonl);
    EXPECT_THROW(TxLog::parse_format("xml"), std::invalid_argument);
}

TEST(TxLog, FeedsFromTheSoc) {
    SocBench b;
    b.descriptor(0x80001000, 0x80003000, 0x80002000, 128);
    std::ostringstream text, json, errors;
    TxLog all(text, TxLog::Format::Text, TxFilter::parse({}));
    TxLog dma_json(json, TxLog::Format::Jsonl, TxFilter::parse({"initiator=dma"}));
    TxLog only_errors(errors, TxLog::Format::Text, TxFilter::parse({"response=error"}));
    attach_txlog(all, b.parts, *b.events);
    attach_txlog(dma_json, b.parts, *b.events);
    attach_txlog(only_errors, b.parts, *b.events);
    b.cpu.body = [&](Stimulus& s) {
        SocBench::until(s, 100);
        s.write32(STVP_DMA_BASE + DMA_DESC_HEAD, 0x80001000);
        s.write32(STVP_DMA_BASE + DMA_CTRL, DMA_CTRL_START_MASK);
        SocBench::until(s, 200);
        s.rd(STVP_DMA_BASE + DMA_STATUS);
        uint32_t v = 0;
        s.read32(0x40000000, v);  // a hole
        s.write32(STVP_SIMCTRL_BASE + SIMCTRL_MARKER, 7);
    };
    sc_core::sc_start(sc_time(1, sc_core::SC_US));

    const std::vector<std::string> t = lines(text.str());
    // 2 register writes, fetch + 2 bursts x (read, write), the descriptor, 1 read, the hole, the marker.
    ASSERT_EQ(t.size(), 2u + 5u + 1u + 1u + 1u + 1u) << text.str();
    EXPECT_EQ(all.written(), t.size());
    EXPECT_EQ(t[0], "       100.000 ns  cpu   W reg dma      DMA.DESC_HEAD @0x10010018 = 0x80001000  ok  +0.000 ns");
    EXPECT_EQ(t[1], "       100.000 ns  cpu   W reg dma      DMA.CTRL @0x10010008 = 0x00000001  ok  +0.000 ns");
    EXPECT_EQ(t[2], "       100.000 ns  dma   R mem dram     @0x80001000 len 32  ok  +0.000 ns");
    EXPECT_EQ(t[3], "       104.000 ns  dma   R mem dram     @0x80002000 len 64  ok  +0.000 ns");
    EXPECT_EQ(t[4], "       104.000 ns  dma   W mem dram     @0x80003000 len 64  ok  +0.000 ns");
    EXPECT_EQ(t[7],
              "       100.000 ns  dma   desc @0x80001000 src 0x80002000 -> dst 0x80003000, 1 x 128 bytes "
              "(strides 0/0), next 0x00000000, flags 0x0  ok  +20.000 ns");
    EXPECT_EQ(t[8], "       200.000 ns  cpu   R reg dma      DMA.STATUS @0x1001000c = 0x00000002  ok  +0.000 ns");
    EXPECT_EQ(t[9], "       200.000 ns  cpu   R reg hole     @0x40000000 len 4  address-error  +0.000 ns");
    EXPECT_EQ(t[10], "       200.000 ns  cpu   W reg simctrl  SIMCTRL.MARKER @0x10001004 = 0x00000007  ok  +0.000 ns");

    const std::vector<std::string> j = lines(json.str());
    ASSERT_EQ(j.size(), 6u);  // only the DMA's
    EXPECT_EQ(dma_json.observed(), t.size());
    EXPECT_EQ(j[0],
              "{\"t_ns\": 100.000, \"initiator\": \"dma\", \"kind\": \"mem\", \"cmd\": \"read\", \"target\": "
              "\"dram\", \"addr\": \"0x80001000\", \"len\": 32, \"response\": \"ok\", \"latency_ns\": 0.000}");
    EXPECT_NE(j[5].find("\"kind\": \"desc\""), std::string::npos) << j[5];
    EXPECT_NE(j[5].find("\"detail\": \"src 0x80002000 -> dst 0x80003000"), std::string::npos) << j[5];

    const std::vector<std::string> e = lines(errors.str());
    ASSERT_EQ(e.size(), 1u);
    EXPECT_NE(e[0].find("address-error"), std::string::npos);
}

}  // namespace
