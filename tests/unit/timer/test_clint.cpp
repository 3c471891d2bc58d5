#include <gtest/gtest.h>

#include "timer/clint.h"
#include "../support/tlm_stimulus.h"

using namespace stvp;
using stvp::test::ns;
using stvp::test::Recorder;
using stvp::test::Stimulus;
using stvp::test::us;

namespace {

// A CLINT driven by one stimulus, with both interrupt lines recorded.
struct Bench {
    Clint clint;
    Stimulus stim{"stim"};
    sc_core::sc_signal<bool> timer_line{"timer_line"}, soft_line{"soft_line"};
    Recorder timer{"timer"}, soft{"soft"};

    explicit Bench(const ClintConfig& cfg = {}) : clint("clint", cfg) {
        stim.socket.bind(clint.socket);
        clint.irq_timer(timer_line);
        clint.irq_software(soft_line);
        timer.in(timer_line);
        soft.in(soft_line);
    }
};

void set_cmp(Stimulus& st, uint64_t v) {
    // The privileged spec's glitch-free sequence for RV32 (3.2.1).
    EXPECT_EQ(st.write32(CLINT_MTIMECMP_LO, 0xFFFFFFFF), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(st.write32(CLINT_MTIMECMP_HI, uint32_t(v >> 32)), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(st.write32(CLINT_MTIMECMP_LO, uint32_t(v)), tlm::TLM_OK_RESPONSE);
}

}  // namespace

TEST(Clint, TimerInterruptRisesExactlyAtMtimecmp) {
    Bench b;  // 10 MHz
    b.stim.body = [&](Stimulus& st) { set_cmp(st, 1000); };
    sc_core::sc_start(us(500));
    ASSERT_EQ(b.timer.edges.size(), 1u);
    EXPECT_TRUE(b.timer.edges[0].value);
    EXPECT_EQ(b.timer.edges[0].time, us(100));  // 1000 ticks at 10 MHz
    EXPECT_EQ(b.clint.mtime_now(), 5000u);
}

TEST(Clint, NoEdgeBeforeTheAccessLocalTime) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        st.delay = us(50);  // the initiator runs 50 us ahead of the kernel
        set_cmp(st, 100);   // already passed at the access's local time (mtime = 500)
    };
    sc_core::sc_start(us(200));
    ASSERT_EQ(b.timer.edges.size(), 1u);
    EXPECT_EQ(b.timer.edges[0].time, us(50));
}

TEST(Clint, MovingMtimecmpBeyondMtimeClearsThenRearms) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        set_cmp(st, 1000);
        sc_core::wait(us(150));
        set_cmp(st, 2000);  // falls now, rises again at 200 us
    };
    sc_core::sc_start(us(300));
    ASSERT_EQ(b.timer.edges.size(), 3u);
    EXPECT_EQ(b.timer.edges[0].time, us(100));
    EXPECT_FALSE(b.timer.edges[1].value);
    EXPECT_EQ(b.timer.edges[1].time, us(150));
    EXPECT_TRUE(b.timer.edges[2].value);
    EXPECT_EQ(b.timer.edges[2].time, us(200));
}

TEST(Clint, MtimeReadsAtTheAccessTimeAndIsWritable) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        sc_core::wait(ns(12345));
        EXPECT_EQ(st.rd(CLINT_MTIME_LO), 123u);  // floor(12.345 us * 10 MHz)
        st.delay = ns(655);                      // local time 13 us
        EXPECT_EQ(st.rd(CLINT_MTIME_LO), 130u);
        EXPECT_EQ(st.rd(CLINT_MTIME_HI), 0u);
        st.sync();
        sc_core::wait(us(7));  // 20 us
        EXPECT_EQ(st.write32(CLINT_MTIME_HI, 1), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.write32(CLINT_MTIME_LO, 5000), tlm::TLM_OK_RESPONSE);
        sc_core::wait(us(10));  // 30 us
        EXPECT_EQ(st.rd(CLINT_MTIME_LO), 5100u);
        EXPECT_EQ(st.rd(CLINT_MTIME_HI), 1u);
        EXPECT_EQ(b.clint.mtime_now(), (uint64_t(1) << 32) + 5100);
        EXPECT_EQ(b.clint.mtime_at(us(31)), (uint64_t(1) << 32) + 5110);
        set_cmp(st, (uint64_t(1) << 32) + 5200);  // 100 ticks ahead
    };
    sc_core::sc_start(us(100));
    ASSERT_EQ(b.timer.edges.size(), 1u);
    EXPECT_EQ(b.timer.edges[0].time, us(40));
}

TEST(Clint, WritingMtimePastMtimecmpRaisesTheLine) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        set_cmp(st, 1'000'000);  // 100 ms away
        sc_core::wait(us(10));
        EXPECT_EQ(st.write32(CLINT_MTIME_LO, 999'990), tlm::TLM_OK_RESPONSE);  // 10 ticks before
    };
    sc_core::sc_start(us(100));
    ASSERT_EQ(b.timer.edges.size(), 1u);
    EXPECT_EQ(b.timer.edges[0].time, us(11));
}

TEST(Clint, ExactTickTimesForAnUnevenTimebase) {
    ClintConfig c;
    c.timebase_hz = 3e6;  // period 333333.33 ps
    Bench b(c);
    b.stim.body = [&](Stimulus& st) { set_cmp(st, 3); };
    sc_core::sc_start(us(2));
    EXPECT_EQ(b.clint.mtime_at(sc_core::sc_time(333333, sc_core::SC_PS)), 0u);
    EXPECT_EQ(b.clint.mtime_at(sc_core::sc_time(333334, sc_core::SC_PS)), 1u);
    ASSERT_EQ(b.timer.edges.size(), 1u);
    EXPECT_EQ(b.timer.edges[0].time, us(1));  // 3 ticks at 3 MHz
}

TEST(Clint, ResetStateKeepsTheTimerQuiet) {
    Bench b;
    sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_SEC));
    EXPECT_TRUE(b.timer.edges.empty());  // mtimecmp resets to all ones
    EXPECT_EQ(b.clint.mtimecmp(), ~uint64_t(0));
    EXPECT_EQ(b.clint.mtime_now(), 10'000'000u);
}

TEST(Clint, MsipDrivesSoftwareInterruptAtAccessTime) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        st.delay = us(3);
        EXPECT_EQ(st.write32(CLINT_MSIP, 0xFFFFFFFF), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.rd(CLINT_MSIP), 1u);  // only bit 0 exists
        EXPECT_EQ(sc_core::sc_time_stamp(), us(3));  // the write waited for its local time
        st.delay = us(2);                             // local time 5 us: within the same quantum
        EXPECT_EQ(st.write32(CLINT_MSIP, 0xFFFFFFFE), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.rd(CLINT_MSIP), 0u);
    };
    sc_core::sc_start(us(10));
    ASSERT_EQ(b.soft.edges.size(), 2u);
    EXPECT_TRUE(b.soft.edges[0].value);
    EXPECT_EQ(b.soft.edges[0].time, us(3));
    EXPECT_FALSE(b.soft.edges[1].value);
    EXPECT_EQ(b.soft.edges[1].time, us(5));
    EXPECT_TRUE(b.timer.edges.empty());
}

TEST(Clint, AccessRules) {
    ClintConfig c;
    c.access_latency = ns(2);
    Bench b(c);
    b.stim.body = [&](Stimulus& st) {
        uint8_t byte = 1;
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, CLINT_MSIP, &byte, 1), tlm::TLM_BURST_ERROR_RESPONSE);
        uint32_t w = 0;
        EXPECT_EQ(st.read32(CLINT_MTIME_LO + 2, w), tlm::TLM_BURST_ERROR_RESPONSE);  // misaligned
        EXPECT_EQ(st.read32(0x8, w), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no register there
        uint64_t dw = 0;  // 64-bit access: only 32-bit accesses are supported
        EXPECT_EQ(st.access(tlm::TLM_READ_COMMAND, CLINT_MTIME_LO, &dw, 8), tlm::TLM_BURST_ERROR_RESPONSE);
        EXPECT_EQ(st.rd(CLINT_MTIMECMP_HI), 0xFFFFFFFFu);
        EXPECT_EQ(st.delay, ns(10));  // every access pays the latency
    };
    sc_core::sc_start(us(1));
    EXPECT_TRUE(b.soft.edges.empty());
}

TEST(Clint, ConfigValidation) {
    ClintConfig c;
    EXPECT_EQ(c.timebase_hz, 10e6);  // the clint.* keys' default: 10 MHz, as the firmware assumes
    EXPECT_EQ(c.validate(), "");
    c.timebase_hz = 0;
    EXPECT_NE(c.validate(), "");
    c.timebase_hz = 1.5;
    EXPECT_NE(c.validate(), "");
    c.timebase_hz = 32768;
    EXPECT_EQ(c.validate(), "");
    c.timebase_hz = 1e13;  // finer than 1 ps
    EXPECT_NE(c.validate(), "");
    EXPECT_THROW(Clint("clint", c), std::invalid_argument);
}
