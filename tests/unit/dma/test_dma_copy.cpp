// DMA copies: single, 2-D strided both ways, chains, timing against the bandwidth formula.
#include <cstring>
#include <vector>

#include "dma_bench.h"

namespace stvp::test {
namespace {

constexpr uint32_t M = static_cast<uint32_t>(kMemBase);
constexpr uint32_t SRC = M + 0x1000;
constexpr uint32_t DST = M + 0x4000;
constexpr uint32_t DESC = M + 0x100;
const sc_time NS(1, SC_NS);

std::vector<uint8_t> bytes(TestMemory& m, uint64_t a, std::size_t n) { return {m.at(a), m.at(a) + n}; }

TEST(DmaCopy, SingleDescriptorCopiesAndReportsDone) {
    Bench b("bench");
    const DmaConfig cfg;
    b.mem.fill_pattern(SRC, 256, 1);
    b.mem.fill(DST - 32, 256 + 64, 0xCC);
    b.mem.put_desc(DESC, desc(SRC, DST, 256));
    sc_time done;
    b.run([&](Bench& b) {
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_DONE_MASK | DMA_INT_ENABLE_ERROR_MASK);
        b.start(DESC);
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_BUSY_MASK));
        done = b.wait_idle();
        if (!b.irq.read()) wait(b.irq.posedge_event());
        EXPECT_EQ(sc_time_stamp(), done) << "the interrupt rises when the chain completes";
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_DONE_MASK));
        EXPECT_EQ(b.rd(DMA_INT_STATUS), uint32_t(DMA_INT_STATUS_DONE_MASK));
        EXPECT_EQ(b.rd(DMA_BYTES_COPIED), 256u);
        EXPECT_EQ(b.rd(DMA_DESCS_DONE), 1u);
        EXPECT_EQ(b.rd(DMA_CUR_DESC), DESC);
        EXPECT_EQ(b.rd(DMA_ERR_CODE), uint32_t(STVP_DMA_ERR_NONE));
    });
    // 32-byte fetch (10 ns + 4 ns), then 4 bursts of 64 B: 2 x 10 ns + 64 B / 8 GB/s = 28 ns each.
    EXPECT_EQ(done, 126 * NS);
    EXPECT_EQ(done, expected_desc_time(256, 1, cfg, kMemLatency));
    EXPECT_EQ(bytes(b.mem, DST, 256), bytes(b.mem, SRC, 256));
    EXPECT_EQ(bytes(b.mem, DST - 32, 32), std::vector<uint8_t>(32, 0xCC));
    EXPECT_EQ(bytes(b.mem, DST + 256, 32), std::vector<uint8_t>(32, 0xCC));
    EXPECT_EQ(b.dma.stats().chains, 1u);
    EXPECT_EQ(b.dma.stats().descriptors, 1u);
    EXPECT_EQ(b.dma.stats().bytes, 256u);
    EXPECT_EQ(b.dma.stats().bursts, 4u);
    EXPECT_EQ(b.dma.stats().chains_failed, 0u);
    EXPECT_EQ(b.dma.stats().busy_time, done);
}

// The completion time is the sum over bursts of read latency + write latency + bytes /
// bandwidth, plus the descriptor fetch, here with hand-computed numbers.
TEST(DmaTiming, CompletionTimeFollowsLatencyAndBandwidth) {
    DmaConfig cfg;
    cfg.bandwidth_gbps = 4.0;
    cfg.burst_bytes = 128;
    const sc_time lat = 25 * NS;
    Bench b("bench", cfg, lat);
    b.mem.fill_pattern(SRC, 600, 3);
    b.mem.put_desc(DESC, desc(SRC, DST, 300, 2, 300, 512));
    sc_time done;
    b.run([&](Bench& b) {
        wait(100 * NS);
        b.start(DESC);
        done = b.wait_idle();
    });
    // fetch: 25 + 32 B / 4 GB/s = 33 ns; a row = bursts of 128, 128, 44 B:
    // 2 x (50 + 32) + (50 + 11) = 225 ns; two rows: 450 ns.
    EXPECT_EQ(done, (100 + 33 + 450) * NS);
    EXPECT_EQ(done - 100 * NS, expected_desc_time(300, 2, cfg, lat));
    ASSERT_EQ(b.mem.writes.size(), 6u);
    // Writes happen (in the engine's local time) after the fetch and the burst's read.
    EXPECT_EQ(b.mem.writes[0].when, (100 + 33 + 25 + 25) * NS);
    EXPECT_EQ(b.mem.writes[1].when, (100 + 33 + 82 + 50) * NS);
    EXPECT_EQ(b.mem.writes[3].addr, DST + 512u);
    EXPECT_EQ(b.mem.writes[3].when, (100 + 33 + 225 + 50) * NS);
    EXPECT_EQ(bytes(b.mem, DST, 300), bytes(b.mem, SRC, 300));
    EXPECT_EQ(bytes(b.mem, DST + 512, 300), bytes(b.mem, SRC + 300, 300));
}

// Temporal decoupling inside the engine changes neither the result nor the timing.
TEST(DmaTiming, QuantumKeepsTimesExact) {
    DmaConfig cfg;
    cfg.quantum = sc_time(1, SC_US);
    Bench b("bench", cfg);
    b.mem.fill_pattern(SRC, 4096, 9);
    b.mem.put_desc(DESC, desc(SRC, DST, 4096));
    sc_time done;
    b.run([&](Bench& b) {
        b.start(DESC);
        // Polled at the CPU's time: still busy 1 ns before the end.
        wait(expected_desc_time(4096, 1, cfg, kMemLatency) - NS);
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_BUSY_MASK));
        done = b.wait_idle();
    });
    EXPECT_EQ(done, expected_desc_time(4096, 1, cfg, kMemLatency));
    EXPECT_EQ(done, (14 + 64 * 28) * NS);
    ASSERT_EQ(b.mem.writes.size(), 64u);
    for (unsigned k = 0; k < 64; ++k) EXPECT_EQ(b.mem.writes[k].when, (14 + 28 * k + 20) * NS) << "burst " << k;
    EXPECT_EQ(bytes(b.mem, DST, 4096), bytes(b.mem, SRC, 4096));
}

// Gather: strided source rows packed into a contiguous destination.
TEST(DmaCopy, StridedSourceToPackedDestination) {
    Bench b("bench");
    const DmaConfig cfg;
    b.mem.fill_pattern(SRC, 500, 5);
    b.mem.fill(DST, 256, 0xCC);
    b.mem.put_desc(DESC, desc(SRC, DST, 40, 5, 100, 40));
    sc_time done;
    b.run([&](Bench& b) {
        b.start(DESC);
        done = b.wait_idle();
        EXPECT_EQ(b.rd(DMA_BYTES_COPIED), 200u);
    });
    EXPECT_EQ(done, expected_desc_time(40, 5, cfg, kMemLatency));
    for (unsigned r = 0; r < 5; ++r) EXPECT_EQ(bytes(b.mem, DST + 40 * r, 40), bytes(b.mem, SRC + 100 * r, 40));
    EXPECT_EQ(bytes(b.mem, DST + 200, 56), std::vector<uint8_t>(56, 0xCC));
}

// Scatter: a contiguous source spread over strided destination rows; the gaps stay intact.
TEST(DmaCopy, PackedSourceToStridedDestination) {
    Bench b("bench");
    const DmaConfig cfg;
    b.mem.fill_pattern(SRC, 96, 11);
    b.mem.fill(DST, 512, 0xCC);
    b.mem.put_desc(DESC, desc(SRC, DST, 24, 4, 24, 64));
    sc_time done;
    b.run([&](Bench& b) {
        b.start(DESC);
        done = b.wait_idle();
    });
    EXPECT_EQ(done, expected_desc_time(24, 4, cfg, kMemLatency));
    for (unsigned r = 0; r < 4; ++r) {
        EXPECT_EQ(bytes(b.mem, DST + 64 * r, 24), bytes(b.mem, SRC + 24 * r, 24)) << "row " << r;
        EXPECT_EQ(bytes(b.mem, DST + 64 * r + 24, 40), std::vector<uint8_t>(40, 0xCC)) << "gap after row " << r;
    }
    EXPECT_EQ(bytes(b.mem, DST + 256, 256), std::vector<uint8_t>(256, 0xCC));
}

// A source stride smaller than the row (here 0) is legal: rows re-read the same bytes.
TEST(DmaCopy, ZeroSourceStrideReplicatesARow) {
    Bench b("bench");
    b.mem.fill_pattern(SRC, 16, 21);
    b.mem.put_desc(DESC, desc(SRC, DST, 16, 3, 0, 16));
    b.run([&](Bench& b) {
        b.start(DESC);
        b.wait_idle();
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_DONE_MASK));
    });
    for (unsigned r = 0; r < 3; ++r) EXPECT_EQ(bytes(b.mem, DST + 16 * r, 16), bytes(b.mem, SRC, 16));
}

TEST(DmaChain, ThreeDescriptorsInterruptAtTheEnd) {
    Bench b("bench");
    const DmaConfig cfg;
    const uint32_t d0 = DESC, d1 = M + 0x800, d2 = M + 0x140;
    b.mem.fill_pattern(SRC, 1024, 31);
    b.mem.fill(DST, 2048, 0xCC);
    b.mem.put_desc(d0, desc(SRC, DST, 100, 1, 0, 0, d1));
    b.mem.put_desc(d1, desc(SRC + 200, DST + 256, 32, 4, 64, 128, d2));
    b.mem.put_desc(d2, desc(SRC + 512, DST + 1024, 64));
    std::vector<DmaDescriptorEvent> events;
    b.dma.on_descriptor([&](const DmaDescriptorEvent& e) { events.push_back(e); });
    const sc_time t0 = expected_desc_time(100, 1, cfg, kMemLatency);
    const sc_time t1 = expected_desc_time(32, 4, cfg, kMemLatency);
    const sc_time t2 = expected_desc_time(64, 1, cfg, kMemLatency);
    sc_time irq_at;
    b.run([&](Bench& b) {
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_DONE_MASK);
        b.start(d0);
        wait(b.irq.posedge_event());
        irq_at = sc_time_stamp();
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_DONE_MASK));
        EXPECT_EQ(b.rd(DMA_DESCS_DONE), 3u);
        EXPECT_EQ(b.rd(DMA_BYTES_COPIED), 100u + 128u + 64u);
        EXPECT_EQ(b.rd(DMA_CUR_DESC), d2);
        EXPECT_EQ(b.rd(DMA_INT_STATUS), uint32_t(DMA_INT_STATUS_DONE_MASK));
    });
    EXPECT_EQ(irq_at, t0 + t1 + t2) << "first rising edge only when the whole chain is done";
    EXPECT_EQ(bytes(b.mem, DST, 100), bytes(b.mem, SRC, 100));
    for (unsigned r = 0; r < 4; ++r)
        EXPECT_EQ(bytes(b.mem, DST + 256 + 128 * r, 32), bytes(b.mem, SRC + 200 + 64 * r, 32)) << "row " << r;
    EXPECT_EQ(bytes(b.mem, DST + 1024, 64), bytes(b.mem, SRC + 512, 64));
    EXPECT_EQ(*b.mem.at(DST + 100), 0xCC);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].address, d0);
    EXPECT_EQ(events[1].address, d1);
    EXPECT_EQ(events[2].address, d2);
    EXPECT_EQ(events[1].desc.rows, 4u);
    EXPECT_TRUE(events[2].fetched);
    EXPECT_EQ(events[0].start, SC_ZERO_TIME);
    EXPECT_EQ(events[0].end, t0);
    EXPECT_EQ(events[1].start, t0);
    EXPECT_EQ(events[2].end, t0 + t1 + t2);
    for (auto& e : events) EXPECT_EQ(e.error, uint32_t(STVP_DMA_ERR_NONE));
    EXPECT_EQ(b.dma.stats().descriptors, 3u);
}

// STVP_DMA_FLAG_IRQ raises INT_STATUS.DESC when that descriptor completes, mid-chain.
TEST(DmaChain, PerDescriptorInterrupt) {
    Bench b("bench");
    const DmaConfig cfg;
    const uint32_t d0 = DESC, d1 = DESC + 0x20;
    b.mem.put_desc(d0, desc(SRC, DST, 128, 1, 0, 0, d1, STVP_DMA_FLAG_IRQ));
    b.mem.put_desc(d1, desc(SRC, DST + 512, 256));
    const sc_time t0 = expected_desc_time(128, 1, cfg, kMemLatency);
    const sc_time t1 = expected_desc_time(256, 1, cfg, kMemLatency);
    b.run([&](Bench& b) {
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_DESC_MASK);
        b.start(d0);
        wait(b.irq.posedge_event());
        EXPECT_EQ(sc_time_stamp(), t0);
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_BUSY_MASK));
        EXPECT_EQ(b.rd(DMA_INT_STATUS), uint32_t(DMA_INT_STATUS_DESC_MASK));
        EXPECT_EQ(b.rd(DMA_DESCS_DONE), 1u);
        b.wr(DMA_INT_STATUS, DMA_INT_STATUS_DESC_MASK);
        wait(b.irq.negedge_event());
        EXPECT_EQ(sc_time_stamp(), t0);
        EXPECT_EQ(b.wait_idle(), t0 + t1);
        // DONE is recorded but not enabled: the line stays low.
        EXPECT_EQ(b.rd(DMA_INT_STATUS), uint32_t(DMA_INT_STATUS_DONE_MASK));
        wait(NS);
        EXPECT_FALSE(b.irq.read());
    });
}

}  // namespace
}  // namespace stvp::test
