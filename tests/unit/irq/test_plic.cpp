#include <gtest/gtest.h>

#include "irq/plic.h"
#include "../support/tlm_stimulus.h"

using namespace stvp;
using stvp::test::ns;
using stvp::test::Recorder;
using stvp::test::Stimulus;
using stvp::test::us;

namespace {

constexpr uint32_t prio(unsigned i) { return PLIC_PRIORITY + 4 * i; }

// A PLIC with sources 1..5 driven by the stimulus (the others are left unbound, i.e. tied
// low) and its output recorded.
struct Bench {
    Plic plic{"plic"};
    Stimulus stim{"stim"};
    sc_core::sc_signal<bool> src[6];
    sc_core::sc_signal<bool> out{"out"};
    Recorder meip{"meip"};

    Bench() {
        stim.socket.bind(plic.socket);
        for (unsigned i = 1; i <= 5; ++i) plic.sources[i](src[i]);
        plic.irq_external(out);
        meip.in(out);
    }
};

// Drives a source line and lets the change settle.
void line(Bench& b, unsigned i, bool v) {
    b.src[i].write(v);
    sc_core::wait(ns(1));
}

}  // namespace

TEST(Plic, ClaimOrderIsPriorityThenLowestId) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.write32(prio(1), 1), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.write32(prio(2), 3), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.write32(prio(3), 3), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.write32(prio(4), 2), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.write32(PLIC_ENABLE, 0x1E), tlm::TLM_OK_RESPONSE);
        for (unsigned i = 1; i <= 4; ++i) b.src[i].write(true);
        sc_core::wait(ns(1));
        EXPECT_EQ(st.rd(PLIC_PENDING), 0x1Eu);
        EXPECT_TRUE(b.out.read());
        EXPECT_EQ(st.rd(PLIC_CLAIM), 2u);
        EXPECT_EQ(st.rd(PLIC_PENDING), 0x1Au);  // claimed: no longer pending
        EXPECT_EQ(st.rd(PLIC_CLAIM), 3u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 4u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 1u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 0u);  // nothing left
        EXPECT_EQ(b.plic.in_service(), 0x1Eu);
        sc_core::wait(ns(1));
        EXPECT_FALSE(b.out.read());
        // Completing 2 with its line still high makes it pending again.
        EXPECT_EQ(st.write32(PLIC_CLAIM, 2), tlm::TLM_OK_RESPONSE);
        sc_core::wait(ns(1));
        EXPECT_TRUE(b.out.read());
        EXPECT_EQ(st.rd(PLIC_PENDING), 0x04u);
        // Completing 3 after its line dropped leaves it idle.
        b.src[3].write(false);
        EXPECT_EQ(st.write32(PLIC_CLAIM, 3), tlm::TLM_OK_RESPONSE);
        sc_core::wait(ns(1));
        EXPECT_EQ(st.rd(PLIC_PENDING), 0x04u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 2u);
    };
    sc_core::sc_start();
    EXPECT_EQ(b.plic.claims(), 5u);
}

TEST(Plic, ThresholdMasksLowerOrEqualPriorities) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        st.write32(prio(1), 2);
        st.write32(prio(5), 3);
        st.write32(PLIC_ENABLE, 0x22);
        st.write32(PLIC_THRESHOLD, 3);
        line(b, 1, true);
        line(b, 5, true);
        EXPECT_FALSE(b.out.read());          // 3 is not above threshold 3
        EXPECT_EQ(st.rd(PLIC_CLAIM), 0u);    // and cannot be claimed
        EXPECT_EQ(st.rd(PLIC_PENDING), 0x22u);
        st.write32(PLIC_THRESHOLD, 2);
        sc_core::wait(ns(1));
        EXPECT_TRUE(b.out.read());
        EXPECT_EQ(st.rd(PLIC_CLAIM), 5u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 0u);  // source 1 (priority 2) is masked
        st.write32(PLIC_THRESHOLD, 0xFFFFFFF9);  // only the level bits are kept
        EXPECT_EQ(st.rd(PLIC_THRESHOLD), 1u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 1u);
    };
    sc_core::sc_start();
}

TEST(Plic, EnablesPrioritiesAndHardwiredSourceZero) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        st.write32(prio(0), 7);
        EXPECT_EQ(st.rd(prio(0)), 0u);
        st.write32(prio(1), 0xFF);
        EXPECT_EQ(st.rd(prio(1)), 7u);  // three level bits
        st.write32(PLIC_ENABLE, 0xFFFFFFFF);
        EXPECT_EQ(st.rd(PLIC_ENABLE), 0xFFFFFFFEu);
        st.write32(PLIC_ENABLE, 0);
        line(b, 1, true);
        EXPECT_EQ(st.rd(PLIC_PENDING), 0x2u);
        EXPECT_FALSE(b.out.read());  // pending but not enabled
        EXPECT_EQ(st.rd(PLIC_CLAIM), 0u);
        st.write32(PLIC_ENABLE, 0x2);
        st.write32(prio(1), 0);  // priority 0 never interrupts
        sc_core::wait(ns(1));
        EXPECT_FALSE(b.out.read());
        EXPECT_EQ(st.rd(PLIC_CLAIM), 0u);
        st.write32(prio(1), 1);
        sc_core::wait(ns(1));
        EXPECT_TRUE(b.out.read());
    };
    sc_core::sc_start();
}

TEST(Plic, CompletingAnUnclaimedSourceIsIgnored) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        st.write32(prio(4), 1);
        st.write32(prio(5), 1);
        st.write32(PLIC_ENABLE, 0x30);
        line(b, 4, true);
        line(b, 5, true);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 4u);
        EXPECT_EQ(st.write32(PLIC_CLAIM, 5), tlm::TLM_OK_RESPONSE);   // 5 was never claimed
        EXPECT_EQ(st.write32(PLIC_CLAIM, 40), tlm::TLM_OK_RESPONSE);  // no such source
        EXPECT_EQ(st.write32(PLIC_CLAIM, 0), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(b.plic.in_service(), 0x10u);
        EXPECT_EQ(st.rd(PLIC_PENDING), 0x20u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 5u);
        EXPECT_EQ(b.plic.in_service(), 0x30u);
    };
    sc_core::sc_start();
}

TEST(Plic, OutputFollowsLinesAndWritesAtTheirTimes) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        st.write32(prio(2), 5);
        sc_core::wait(us(5) - sc_core::sc_time_stamp());
        b.src[2].write(true);  // pending at 5 us, but not enabled
        sc_core::wait(us(1));
        st.delay = us(1);
        st.write32(PLIC_ENABLE, 0x4);  // at local time 7 us: the line rises then
        EXPECT_EQ(sc_core::sc_time_stamp(), us(7));
        sc_core::wait(us(3));
        b.src[2].write(false);  // level-triggered: dropping the line before a claim withdraws it
        sc_core::wait(us(1));
        EXPECT_EQ(st.rd(PLIC_PENDING), 0u);
        EXPECT_EQ(st.rd(PLIC_CLAIM), 0u);
    };
    sc_core::sc_start();
    ASSERT_EQ(b.meip.edges.size(), 2u);
    EXPECT_TRUE(b.meip.edges[0].value);
    EXPECT_EQ(b.meip.edges[0].time, us(7));
    EXPECT_FALSE(b.meip.edges[1].value);
    EXPECT_EQ(b.meip.edges[1].time, us(10));
}

TEST(Plic, AccessRules) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.write32(PLIC_PENDING, 0xFF), tlm::TLM_COMMAND_ERROR_RESPONSE);  // RO
        uint8_t byte = 1;
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, PLIC_ENABLE, &byte, 1), tlm::TLM_BURST_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(PLIC_THRESHOLD + 2, 1), tlm::TLM_BURST_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(prio(32), 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // past the last source
        EXPECT_EQ(st.rd(PLIC_ENABLE), 0u);
        // A debug read of CLAIM has no side effect.
        uint32_t v = 0;
        EXPECT_EQ(st.debug(tlm::TLM_READ_COMMAND, PLIC_CLAIM, &v, 4), 4u);
    };
    sc_core::sc_start();
    EXPECT_EQ(b.plic.claims(), 0u);
}
