// The hang monitor on the small SoC: a stimulus polling a device register is hung exactly one
// timeout after its polling began; progress (a device-register write) restarts the wait; a
// zero timeout never ends the run; the diagnosis names what the poller waits on.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "health.h"
#include "soc_bench.h"

namespace {

using namespace stvp;
using stvp::test::SocBench;
using stvp::test::Stimulus;
using sc_core::SC_NS;
using sc_core::sc_time;

struct Verdict {
    bool fired = false;
    sc_time at;
    std::string message;
};

HangMonitor::FinishFn record(Verdict& v) {
    return [&v](const std::string& msg) {
        v.fired = true;
        v.at = sc_core::sc_time_stamp();
        v.message = msg;
        sc_core::sc_stop();
    };
}

std::string where(uint32_t) { return "pc ?"; }

// Polls DMA.STATUS every 100 ns from `from` ns on; writes a marker at each time in `writes`.
// It never returns (the tests mark their Stimulus body_may_be_cut_short).
// The marker times stay where the caller put them (no copy on the heap): the thread never
// returns, and memory held only by a suspended SystemC thread's frame is a leak to
// LeakSanitizer at exit.
void poller(Stimulus& s, double from, std::initializer_list<double> writes) {
    SocBench::until(s, from);
    auto next = writes.begin();
    for (double t = from;; t += 100) {
        SocBench::until(s, t);
        if (next != writes.end() && t >= *next) {
            s.write32(STVP_SIMCTRL_BASE + SIMCTRL_MARKER, 1);
            ++next;
        }
        s.rd(STVP_DMA_BASE + DMA_STATUS);
    }
}

TEST(HangMonitor, PollingWithoutProgressIsAHangOneTimeoutLater) {
    SocBench b;
    Verdict v;
    HangMonitor m("monitor", b.parts, *b.events, sc_time(10, sc_core::SC_US), record(v), where);
    b.cpu.body_may_be_cut_short = true;
    b.cpu.body = [](Stimulus& s) { poller(s, 1000, {}); };
    sc_core::sc_start(sc_time(1, sc_core::SC_MS));
    ASSERT_TRUE(v.fired);
    EXPECT_TRUE(m.fired());
    EXPECT_EQ(v.at, sc_time(11000, SC_NS));
    EXPECT_NE(v.message.find("polls DMA.STATUS since 1.000 us"), std::string::npos) << v.message;
    const std::vector<std::string> d = m.diagnosis();
    std::string all;
    for (auto& l : d) all += l + "\n";
    EXPECT_NE(all.find("cpu: polls DMA.STATUS (0x1001000c) since 1.000 us: 10"), std::string::npos) << all;
    EXPECT_NE(all.find("dma: idle"), std::string::npos) << all;
    EXPECT_NE(all.find("last progress at 0 ns: start of the run"), std::string::npos) << all;
}

TEST(HangMonitor, ProgressRestartsTheWait) {
    SocBench b;
    Verdict v;
    HangMonitor m("monitor", b.parts, *b.events, sc_time(10, sc_core::SC_US), record(v), where);
    b.cpu.body_may_be_cut_short = true;
    b.cpu.body = [](Stimulus& s) { poller(s, 1000, {5000}); };
    sc_core::sc_start(sc_time(1, sc_core::SC_MS));
    ASSERT_TRUE(v.fired);
    // The marker write at 5000 ns is progress; the reads from 5000 ns on are a new wait.
    EXPECT_EQ(v.at, sc_time(15000, SC_NS));
    EXPECT_EQ(m.last_progress(), sc_time(5000, SC_NS));
    std::string all;
    for (auto& l : m.diagnosis()) all += l + "\n";
    EXPECT_NE(all.find("last progress at 5.000 us: write to SIMCTRL.MARKER by cpu"), std::string::npos) << all;
}

TEST(HangMonitor, DmaDescriptorsAreProgressAndZeroTimeoutNeverFires) {
    SocBench b;
    Verdict v;
    HangMonitor m("monitor", b.parts, *b.events, sc_core::SC_ZERO_TIME, record(v), where);
    b.descriptor(0x80001000, 0x80003000, 0x80002000, 256);
    b.cpu.body_may_be_cut_short = true;
    b.cpu.body = [](Stimulus& s) {
        SocBench::until(s, 100);
        s.write32(STVP_DMA_BASE + DMA_DESC_HEAD, 0x80001000);
        s.write32(STVP_DMA_BASE + DMA_CTRL, DMA_CTRL_START_MASK);
        poller(s, 200, {});
    };
    sc_core::sc_start(sc_time(100, sc_core::SC_US));
    EXPECT_FALSE(v.fired);
    EXPECT_EQ(sc_core::sc_time_stamp(), sc_time(100, sc_core::SC_US));
    // Two register writes, then the descriptor (fetch 4 ns + 4 bursts x 8 ns after 100 ns).
    EXPECT_EQ(m.progress_events(), 3u);
    EXPECT_EQ(m.last_progress(), sc_time(136, SC_NS));
}

}  // namespace
