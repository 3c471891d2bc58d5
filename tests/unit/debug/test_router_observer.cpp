// Router observers: region filters (only the wanted regions and holes reach an observer) and
// the access/completion times, also through a target that synchronises.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "soc_bench.h"

namespace {

using namespace stvp;
using stvp::test::SocBench;
using stvp::test::Stimulus;
using sc_core::SC_NS;
using sc_core::sc_time;

struct Seen {
    int initiator;
    std::string region;
    uint64_t addr;
    sc_time start, end;
};

TEST(RouterObserver, FiltersAndTimes) {
    SocBench b;
    std::vector<Seen> all, dma_only, holes;
    auto into = [](std::vector<Seen>& v) {
        return [&v](int i, const tlm::tlm_generic_payload& t, const RouterRegion* r, const sc_time& s,
                    const sc_time& e) { v.push_back({i, r ? r->name : "hole", t.get_address(), s, e}); };
    };
    b.router.add_observer(into(all));
    b.router.add_observer(into(dma_only), [](const RouterRegion* r) { return r && r->name == "dma"; });
    b.router.add_observer(into(holes), [](const RouterRegion* r) { return r == nullptr; });
    b.cpu.body = [](Stimulus& s) {
        SocBench::until(s, 100);
        s.delay = sc_time(30, SC_NS);  // the initiator runs 30 ns ahead
        s.rd(STVP_DMA_BASE + DMA_STATUS);
        s.write32(STVP_SIMCTRL_BASE + SIMCTRL_PHASE, 3);  // simctrl synchronises to the access time
        s.rd(0x40000000);
        uint32_t word = 0;
        s.access(tlm::TLM_READ_COMMAND, STVP_DRAM_BASE, &word, 4);
    };
    sc_core::sc_start(sc_time(1, sc_core::SC_US));
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].region, "dma");
    EXPECT_EQ(all[0].initiator, 0);
    EXPECT_EQ(all[0].start, sc_time(130, SC_NS));
    EXPECT_EQ(all[1].region, "simctrl");
    EXPECT_EQ(all[1].start, sc_time(130, SC_NS));  // not moved by the target's wait
    EXPECT_EQ(all[1].end, sc_time(130, SC_NS));
    EXPECT_EQ(all[2].region, "hole");
    EXPECT_EQ(all[2].addr, 0x40000000u);
    EXPECT_EQ(all[3].region, "dram");
    ASSERT_EQ(dma_only.size(), 1u);
    EXPECT_EQ(dma_only[0].addr, STVP_DMA_BASE + DMA_STATUS);
    ASSERT_EQ(holes.size(), 1u);
    EXPECT_EQ(holes[0].start, sc_time(130, SC_NS));
}

}  // namespace
