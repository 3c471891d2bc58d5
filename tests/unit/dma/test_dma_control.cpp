// DMA control: register access rules, doorbell timing, start while busy, soft reset, W1C
// interrupt acknowledge, busy observable, configuration checks.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "dma_bench.h"

namespace stvp::test {
namespace {

constexpr uint32_t M = static_cast<uint32_t>(kMemBase);
constexpr uint32_t SRC = M + 0x1000;
constexpr uint32_t DST = M + 0x4000;
constexpr uint32_t DESC = M + 0x100;
const sc_time NS(1, SC_NS);

TEST(DmaRegisters, ResetValuesAndAccessRules) {
    DmaConfig cfg;
    cfg.reg_latency = 3 * NS;
    Bench b("bench", cfg);
    b.run([](Bench& b) {
        EXPECT_EQ(b.rd(DMA_ID), 0x444D4131u);
        EXPECT_EQ(b.rd(DMA_VERSION), 0x00010000u);
        EXPECT_EQ(sc_time_stamp(), 6 * NS) << "each register access costs reg_latency";
        for (uint32_t off : {uint32_t(DMA_CTRL), uint32_t(DMA_STATUS), uint32_t(DMA_INT_STATUS),
                             uint32_t(DMA_INT_ENABLE), uint32_t(DMA_DESC_HEAD), uint32_t(DMA_CUR_DESC),
                             uint32_t(DMA_ERR_CODE), uint32_t(DMA_ERR_ADDR), uint32_t(DMA_ERR_DESC),
                             uint32_t(DMA_BYTES_COPIED), uint32_t(DMA_DESCS_DONE), uint32_t(DMA_CMD_IGNORED)})
            EXPECT_EQ(b.rd(off), 0u) << "offset " << off;
        uint32_t v = 1;
        EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, DMA_STATUS, v), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, DMA_ID, v), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, DMA_BYTES_COPIED, v), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, 0x200, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, DMA_STATUS + 2, v), tlm::TLM_BURST_ERROR_RESPONSE);
        b.wr(DMA_INT_ENABLE, 0xFFFFFFFF);
        EXPECT_EQ(b.rd(DMA_INT_ENABLE), 7u) << "only DONE, ERROR and DESC exist";
        b.wr(DMA_DESC_HEAD, DESC);
        EXPECT_EQ(b.rd(DMA_DESC_HEAD), DESC);
        b.wr(DMA_CTRL, 0xFFFFFFFC);  // reserved bits only: no command
        EXPECT_EQ(b.rd(DMA_STATUS), 0u);
        wait(NS);
        EXPECT_FALSE(b.irq.read());
    });
    EXPECT_EQ(b.dma.stats().chains, 0u);
}

// A CPU running ahead of the kernel (temporal decoupling) rings the doorbell at its local
// time; the write returns at once and the engine starts at that time.
TEST(DmaTiming, DoorbellAndPollingAtCpuLocalTime) {
    Bench b("bench");
    const DmaConfig cfg;
    b.mem.put_desc(DESC, desc(SRC, DST, 256));
    const sc_time t = expected_desc_time(256, 1, cfg, kMemLatency);
    b.run([&](Bench& b) {
        b.wr(DMA_DESC_HEAD, DESC);
        uint32_t v = DMA_CTRL_START_MASK;
        sc_time d;
        EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, DMA_CTRL, v, 200 * NS, &d), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(sc_time_stamp(), SC_ZERO_TIME) << "the doorbell does not block the CPU";
        EXPECT_EQ(d, 200 * NS);
        // A status read is answered at the CPU's local time (the DMA syncs it first).
        v = 0;
        b.access(tlm::TLM_READ_COMMAND, DMA_STATUS, v, 200 * NS + t - NS);
        EXPECT_EQ(sc_time_stamp(), 200 * NS + t - NS);
        EXPECT_EQ(v, uint32_t(DMA_STATUS_BUSY_MASK));
        b.access(tlm::TLM_READ_COMMAND, DMA_STATUS, v, 2 * NS);
        EXPECT_EQ(v, uint32_t(DMA_STATUS_DONE_MASK));
    });
    EXPECT_EQ(b.mem.writes.front().when, (200 + 14 + 20) * NS);
    EXPECT_EQ(b.dma.stats().busy_time, t);
}

// Policy: START (and SOFT_RESET) while busy is ignored and counted in CMD_IGNORED; the
// access itself succeeds and the running chain is not disturbed.
TEST(DmaControl, StartWhileBusyIsIgnoredAndCounted) {
    Bench b("bench");
    const DmaConfig cfg;
    const uint32_t other = DESC + 0x20;
    b.mem.fill_pattern(SRC, 4096, 41);
    b.mem.fill(DST + 0x2000, 64, 0xCC);
    b.mem.put_desc(DESC, desc(SRC, DST, 4096));
    b.mem.put_desc(other, desc(SRC, DST + 0x2000, 64));
    const sc_time t = expected_desc_time(4096, 1, cfg, kMemLatency);
    b.run([&](Bench& b) {
        b.start(DESC);
        wait(100 * NS);
        b.wr(DMA_DESC_HEAD, other);  // allowed: the engine latched DESC_HEAD at START
        uint32_t v = DMA_CTRL_START_MASK;
        EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, DMA_CTRL, v), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(b.rd(DMA_CMD_IGNORED), 1u);
        b.wr(DMA_CTRL, DMA_CTRL_SOFT_RESET_MASK);
        EXPECT_EQ(b.rd(DMA_CMD_IGNORED), 2u);
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_BUSY_MASK));
        EXPECT_EQ(b.rd(DMA_CUR_DESC), DESC);
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_DONE_MASK);  // enables may change while busy
        EXPECT_EQ(b.wait_idle(), t);
        wait(b.irq.posedge_event() | b.dma.done_event());
        EXPECT_TRUE(b.irq.read());
        EXPECT_EQ(b.rd(DMA_DESCS_DONE), 1u);
        EXPECT_EQ(b.rd(DMA_BYTES_COPIED), 4096u);
        EXPECT_EQ(b.rd(DMA_DESC_HEAD), other);
        // Idle again: the next START runs the chain now at DESC_HEAD.
        b.wr(DMA_INT_STATUS, DMA_INT_STATUS_DONE_MASK);
        b.wr(DMA_CTRL, DMA_CTRL_START_MASK);
        EXPECT_EQ(b.wait_idle(), t + expected_desc_time(64, 1, cfg, kMemLatency));
        EXPECT_EQ(b.rd(DMA_CMD_IGNORED), 2u);
    });
    EXPECT_EQ(b.mem.writes.size(), 64u + 1u);
    EXPECT_EQ(b.dma.stats().commands_ignored, 2u);
    EXPECT_EQ(b.dma.stats().chains, 2u);
    EXPECT_EQ(b.dma.stats().bytes, 4096u + 64u);
    EXPECT_EQ(b.dma.stats().busy_time, t + expected_desc_time(64, 1, cfg, kMemLatency));
}

// Soft reset while idle clears the state (status, error, interrupt, counters) and lowers
// the line, keeps INT_ENABLE and DESC_HEAD; SOFT_RESET | START is a clean start.
TEST(DmaControl, SoftResetWhileIdle) {
    Bench b("bench");
    const DmaConfig cfg;
    b.mem.put_desc(DESC, desc(0x1000, DST, 64));  // unmapped source
    b.mem.put_desc(DESC + 0x20, desc(SRC, DST, 64));
    b.run([&](Bench& b) {
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_ERROR_MASK | DMA_INT_ENABLE_DONE_MASK);
        b.start(DESC);
        wait(b.irq.posedge_event());
        EXPECT_EQ(b.rd(DMA_ERR_CODE), uint32_t(STVP_DMA_ERR_SRC_BUS));
        wait(5 * NS);
        const sc_time t = sc_time_stamp();
        b.wr(DMA_CTRL, DMA_CTRL_SOFT_RESET_MASK);
        wait(b.irq.negedge_event());
        EXPECT_EQ(sc_time_stamp(), t);
        for (uint32_t off : {uint32_t(DMA_STATUS), uint32_t(DMA_INT_STATUS), uint32_t(DMA_CUR_DESC),
                             uint32_t(DMA_ERR_CODE), uint32_t(DMA_ERR_ADDR), uint32_t(DMA_ERR_DESC),
                             uint32_t(DMA_BYTES_COPIED), uint32_t(DMA_DESCS_DONE), uint32_t(DMA_CMD_IGNORED)})
            EXPECT_EQ(b.rd(off), 0u) << "offset " << off;
        EXPECT_EQ(b.rd(DMA_INT_ENABLE), uint32_t(DMA_INT_ENABLE_ERROR_MASK | DMA_INT_ENABLE_DONE_MASK));
        EXPECT_EQ(b.rd(DMA_DESC_HEAD), DESC);
        EXPECT_EQ(b.rd(DMA_ID), 0x444D4131u);
        // Reset and start in one write, on a fixed chain.
        b.wr(DMA_DESC_HEAD, DESC + 0x20);
        b.wr(DMA_CTRL, DMA_CTRL_SOFT_RESET_MASK | DMA_CTRL_START_MASK);
        EXPECT_EQ(b.wait_idle(), t + expected_desc_time(64, 1, cfg, kMemLatency));
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_DONE_MASK));
    });
    EXPECT_EQ(b.dma.stats().chains_failed, 1u) << "stats are cumulative across soft resets";
    EXPECT_EQ(b.dma.stats().chains, 2u);
}

// INT_STATUS is write-1-to-clear; the line falls when the last enabled cause is cleared,
// at the CPU's local time of the write.
TEST(DmaInterrupt, W1CClearingLowersTheLine) {
    Bench b("bench");
    b.mem.put_desc(DESC, desc(SRC, DST, 64, 1, 0, 0, 0, STVP_DMA_FLAG_IRQ));
    b.run([&](Bench& b) {
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_DONE_MASK | DMA_INT_ENABLE_DESC_MASK);
        b.start(DESC);
        wait(b.irq.posedge_event());
        const sc_time t = sc_time_stamp();
        EXPECT_EQ(b.rd(DMA_INT_STATUS), uint32_t(DMA_INT_STATUS_DONE_MASK | DMA_INT_STATUS_DESC_MASK));
        b.wr(DMA_INT_STATUS, 0);
        b.wr(DMA_INT_STATUS, DMA_INT_STATUS_ERROR_MASK);
        b.wr(DMA_INT_STATUS, DMA_INT_STATUS_DESC_MASK);
        wait(NS);
        EXPECT_TRUE(b.irq.read()) << "DONE still pending";
        EXPECT_EQ(b.rd(DMA_INT_STATUS), uint32_t(DMA_INT_STATUS_DONE_MASK));
        uint32_t v = DMA_INT_STATUS_DONE_MASK;
        b.access(tlm::TLM_WRITE_COMMAND, DMA_INT_STATUS, v, 50 * NS);  // issued 50 ns ahead
        wait(b.irq.negedge_event());
        EXPECT_EQ(sc_time_stamp(), t + 51 * NS);
        EXPECT_EQ(b.rd(DMA_INT_STATUS), 0u);
        EXPECT_EQ(b.rd(DMA_STATUS), uint32_t(DMA_STATUS_DONE_MASK)) << "STATUS is not acknowledged by W1C";
    });
}

TEST(DmaObservability, BusySignalFollowsTheChain) {
    Bench b("bench");
    const DmaConfig cfg;
    b.mem.put_desc(DESC, desc(SRC, DST, 128));
    const sc_time t = expected_desc_time(128, 1, cfg, kMemLatency);
    std::vector<std::pair<sc_time, bool>> edges;
    b.run([&](Bench& b) {
        wait(10 * NS);
        b.start(DESC);
        for (int i = 0; i < 2; ++i) {
            wait(b.dma.busy().value_changed_event());
            edges.emplace_back(sc_time_stamp(), b.dma.busy().read());
        }
    });
    ASSERT_EQ(edges.size(), 2u);
    EXPECT_EQ(edges[0], std::make_pair(10 * NS, true));
    EXPECT_EQ(edges[1], std::make_pair(10 * NS + t, false));
    EXPECT_EQ(b.dma.stats().busy_time, t);
}

TEST(DmaConfigCheck, ValidateNamesImpossibleValues) {
    EXPECT_EQ(DmaConfig{}.validate(), "");
    auto with = [](auto f) {
        DmaConfig c;
        f(c);
        return c.validate();
    };
    EXPECT_NE(with([](DmaConfig& c) { c.bandwidth_gbps = 0; }), "");
    EXPECT_NE(with([](DmaConfig& c) { c.bandwidth_gbps = -1; }), "");
    EXPECT_NE(with([](DmaConfig& c) { c.bandwidth_gbps = std::nan(""); }), "");
    EXPECT_NE(with([](DmaConfig& c) { c.bandwidth_gbps = std::numeric_limits<double>::infinity(); }), "");
    EXPECT_NE(with([](DmaConfig& c) { c.burst_bytes = 0; }), "");
    EXPECT_NE(with([](DmaConfig& c) { c.burst_bytes = (1u << 20) + 1; }), "");
    EXPECT_NE(with([](DmaConfig& c) { c.max_chain = 0; }), "");
    EXPECT_EQ(with([](DmaConfig& c) { c.burst_bytes = 1; }), "");
    EXPECT_NE(with([](DmaConfig& c) { c.burst_bytes = 0; }).find("burst_bytes"), std::string::npos);
}

TEST(DmaConfigCheck, ConstructorRejectsInvalidConfig) {
    DmaConfig c;
    c.max_chain = 0;
    EXPECT_THROW(Dma("dma", c), std::invalid_argument);
}

// Byte-sized bursts: the smallest legal burst still copies correctly and costs per byte.
TEST(DmaTiming, OneByteBursts) {
    DmaConfig cfg;
    cfg.burst_bytes = 1;
    cfg.bandwidth_gbps = 1.0;
    Bench b("bench", cfg, SC_ZERO_TIME);
    b.mem.fill_pattern(SRC, 10, 51);
    b.mem.put_desc(DESC, desc(SRC, DST, 10));
    sc_time done;
    b.run([&](Bench& b) {
        b.start(DESC);
        done = b.wait_idle();
    });
    EXPECT_EQ(done, (32 + 10) * NS);
    EXPECT_EQ(b.mem.writes.size(), 10u);
    EXPECT_EQ(0, std::memcmp(b.mem.at(DST), b.mem.at(SRC), 10));
}

}  // namespace
}  // namespace stvp::test
