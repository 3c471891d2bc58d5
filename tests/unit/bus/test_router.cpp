#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <tlm_utils/simple_target_socket.h>

#include "bus/router.h"
#include "../support/tlm_stimulus.h"

using namespace stvp;
using stvp::test::ns;
using stvp::test::Stimulus;

namespace {

// A target that records what reaches it, serves a small host array, and can grant DMI.
class Target : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Target> socket;
    std::vector<uint8_t> mem;
    sc_core::sc_time latency;
    std::vector<uint64_t> seen;  // local addresses of b_transport calls
    bool grant = true;
    uint64_t grant_lo = 0, grant_hi = ~uint64_t(0);  // local range granted (clipped to mem)

    Target(sc_core::sc_module_name n, std::size_t size, sc_core::sc_time lat = ns(10))
        : sc_core::sc_module(n), socket("socket"), mem(size, 0), latency(lat) {
        socket.register_b_transport(this, &Target::b_transport);
        socket.register_transport_dbg(this, &Target::transport_dbg);
        socket.register_get_direct_mem_ptr(this, &Target::get_dmi);
    }
    void invalidate(uint64_t s, uint64_t e) { socket->invalidate_direct_mem_ptr(s, e); }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d) {
        seen.push_back(gp.get_address());
        d += latency;
        if (gp.get_address() + gp.get_data_length() > mem.size()) {
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (gp.is_write())
            std::memcpy(&mem[gp.get_address()], gp.get_data_ptr(), gp.get_data_length());
        else
            std::memcpy(gp.get_data_ptr(), &mem[gp.get_address()], gp.get_data_length());
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    unsigned transport_dbg(tlm::tlm_generic_payload& gp) {
        seen.push_back(gp.get_address());
        unsigned n = gp.get_data_length();
        if (gp.is_read()) std::memcpy(gp.get_data_ptr(), &mem[gp.get_address()], n);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return n;
    }
    bool get_dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& d) {
        if (!grant) return false;
        const uint64_t hi = std::min<uint64_t>(grant_hi, mem.size() - 1);
        d.set_dmi_ptr(mem.data() + grant_lo);
        d.set_start_address(grant_lo);
        d.set_end_address(hi);
        d.allow_read_write();
        d.set_read_latency(ns(2));
        d.set_write_latency(ns(3));
        return true;
    }
};

RouterConfig two_regions() {
    RouterConfig c;
    c.hop_latency = ns(5);
    c.regions = {{"a", 0x1000, 0x100, 0}, {"b", 0x8000'0000, 0x1000, 1}};
    return c;
}

}  // namespace

TEST(Router, DecodesTranslatesAndRestoresAddress) {
    Router r("r", two_regions());
    Target a("a", 0x100), b("b", 0x2000);
    Stimulus s("s");
    s.socket.bind(r.target_socket);
    r.initiator_socket.bind(a.socket);
    r.initiator_socket.bind(b.socket);
    bool ran = false;
    s.body = [&](Stimulus& st) {
        tlm::tlm_generic_payload gp;
        uint32_t v = 0x11223344;
        gp.set_command(tlm::TLM_WRITE_COMMAND);
        gp.set_address(0x1004);
        gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        gp.set_data_length(4);
        gp.set_streaming_width(4);
        sc_core::sc_time d = ns(100);
        st.socket->b_transport(gp, d);
        EXPECT_EQ(gp.get_response_status(), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(gp.get_address(), 0x1004u);  // restored to the global address
        EXPECT_EQ(d, ns(115));                 // 100 + hop 5 + target 10
        EXPECT_EQ(st.write32(0x8000'0ffc, 0xCAFEF00D), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.rd(0x8000'0ffc), 0xCAFEF00Du);
        ran = true;
    };
    sc_core::sc_start();
    ASSERT_TRUE(ran);
    ASSERT_EQ(a.seen.size(), 1u);
    EXPECT_EQ(a.seen[0], 0x4u);
    ASSERT_EQ(b.seen.size(), 2u);
    EXPECT_EQ(b.seen[0], 0xffcu);
    uint32_t stored;
    std::memcpy(&stored, &a.mem[4], 4);
    EXPECT_EQ(stored, 0x11223344u);
    EXPECT_EQ(r.transactions("a"), 1u);
    EXPECT_EQ(r.transactions("b"), 2u);
}

TEST(Router, HolesAndCrossingAccessesAnswerAddressError) {
    Router r("r", two_regions());
    Target a("a", 0x100), b("b", 0x2000);
    Stimulus s("s");
    s.socket.bind(r.target_socket);
    r.initiator_socket.bind(a.socket);
    r.initiator_socket.bind(b.socket);
    std::vector<uint64_t> logged;
    r.on_decode_error([&](int init, tlm::tlm_command, uint64_t addr, unsigned) {
        EXPECT_EQ(init, 0);
        logged.push_back(addr);
    });
    s.body = [&](Stimulus& st) {
        uint32_t v = 0;
        EXPECT_EQ(st.read32(0x0, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(0x1100, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // one past "a"
        EXPECT_EQ(st.read32(0x10fe, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);   // crosses the end of "a"
        EXPECT_EQ(st.read32(0xffff'ffff'ffff'fffc, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(st.read32(0x10fc, v), tlm::TLM_OK_RESPONSE);  // last word of "a"
        // A hole costs the hop latency only.
        EXPECT_EQ(st.delay, ns(5 * 5 + 10));
    };
    sc_core::sc_start();
    EXPECT_EQ(r.decode_errors(), 4u);
    EXPECT_EQ((std::vector<uint64_t>{0x0, 0x1100, 0x10fe, 0xffff'ffff'ffff'fffc}), logged);
    EXPECT_EQ(a.seen.size(), 1u);  // only the good access reached the target
    EXPECT_TRUE(b.seen.empty());
}

TEST(Router, OverlapIsRejectedNamingBothRegions) {
    Router r("r");
    r.add_region("dram", 0x8000'0000, 0x2000'0000, 0);
    try {
        r.add_region("spad", 0x9fff'f000, 0x2000, 1);
        FAIL() << "overlap accepted";
    } catch (const std::invalid_argument& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("'spad' [0x9ffff000..0xa0000fff]"), std::string::npos) << m;
        EXPECT_NE(m.find("'dram' [0x80000000..0x9fffffff]"), std::string::npos) << m;
    }
    // Adjacent regions are fine; a region inside another is not.
    EXPECT_NO_THROW(r.add_region("next", 0xa000'0000, 0x1000, 1));
    EXPECT_THROW(r.add_region("inner", 0x8000'1000, 0x10, 1), std::invalid_argument);
    EXPECT_THROW(r.add_region("zero", 0x100, 0, 1), std::invalid_argument);
    EXPECT_THROW(r.add_region("wrap", 0xffff'ffff'ffff'f000, 0x2000, 1), std::invalid_argument);
    EXPECT_THROW(r.add_region("dram", 0x100, 0x10, 1), std::invalid_argument);  // duplicate name
    EXPECT_NO_THROW(r.add_region("top", 0xffff'ffff'ffff'f000, 0x1000, 1));      // ends at 2^64 - 1
    EXPECT_EQ(r.regions().size(), 3u);
    EXPECT_EQ(r.regions()[0].name, "dram");
}

TEST(Router, ConfigValidateReportsOverlap) {
    RouterConfig c;
    c.regions = {{"uart", 0x1000'0000, 0x1000, 0}, {"simctrl", 0x1000'0800, 0x1000, 1}};
    const std::string m = c.validate();
    EXPECT_NE(m.find("'simctrl' [0x10000800..0x100017ff]"), std::string::npos) << m;
    EXPECT_NE(m.find("'uart' [0x10000000..0x10000fff]"), std::string::npos) << m;
    EXPECT_THROW(Router("r", c), std::invalid_argument);
    EXPECT_EQ(two_regions().validate(), "");
}

TEST(Router, RegionNameLookup) {
    Router r("r", two_regions());
    EXPECT_EQ(r.region_name(0x1000), "a");
    EXPECT_EQ(r.region_name(0x10ff), "a");
    EXPECT_EQ(r.region_name(0x1100), "");
    EXPECT_EQ(r.region_name(0xfff), "");
    EXPECT_EQ(r.region_name(0x8000'0800), "b");
    ASSERT_NE(r.find_region(0x8000'0000), nullptr);
    EXPECT_EQ(r.find_region(0x8000'0000)->target_port, 1u);
}

TEST(Router, DmiRangesAreTranslatedToGlobalAndClipped) {
    Router r("r", two_regions());
    Target a("a", 0x100), b("b", 0x2000);  // b is bigger than its 0x1000 region
    Stimulus s("s");
    s.socket.bind(r.target_socket);
    r.initiator_socket.bind(a.socket);
    r.initiator_socket.bind(b.socket);
    s.body = [&](Stimulus& st) {
        tlm::tlm_dmi d;
        ASSERT_TRUE(st.dmi(0x8000'0010, d));
        EXPECT_EQ(d.get_start_address(), 0x8000'0000u);
        EXPECT_EQ(d.get_end_address(), 0x8000'0fffu);  // clipped to the region
        EXPECT_EQ(d.get_dmi_ptr(), b.mem.data());
        // Per byte (common/dmi.h): the target's figure plus the 5 ns hop spread over 4 bytes.
        EXPECT_EQ(d.get_read_latency(), ns(2 + 1.25));
        EXPECT_EQ(d.get_write_latency(), ns(3 + 1.25));

        b.grant_lo = 0x100;
        b.grant_hi = 0x1ff;
        ASSERT_TRUE(st.dmi(0x8000'0180, d));
        EXPECT_EQ(d.get_start_address(), 0x8000'0100u);
        EXPECT_EQ(d.get_end_address(), 0x8000'01ffu);
        EXPECT_EQ(d.get_dmi_ptr(), b.mem.data() + 0x100);

        // A hole: denied, and the denial covers the whole hole.
        EXPECT_FALSE(st.dmi(0x2000, d));
        EXPECT_EQ(d.get_start_address(), 0x1100u);
        EXPECT_EQ(d.get_end_address(), 0x7fff'ffffu);
        EXPECT_TRUE(d.is_none_allowed());

        a.grant = false;
        EXPECT_FALSE(st.dmi(0x1000, d));
        EXPECT_EQ(d.get_start_address(), 0x1000u);  // the target's full-range denial, clipped
        EXPECT_EQ(d.get_end_address(), 0x10ffu);
    };
    sc_core::sc_start();
}

TEST(Router, InvalidationIsTranslatedAndFannedOutToEveryInitiator) {
    RouterConfig c = two_regions();
    c.regions.push_back({"b_alias", 0x4000'0000, 0x800, 1});  // b is also visible here
    Router r("r", c);
    Target a("a", 0x100), b("b", 0x2000);
    Stimulus cpu("cpu"), dma("dma");
    cpu.socket.bind(r.target_socket);
    dma.socket.bind(r.target_socket);
    r.initiator_socket.bind(a.socket);
    r.initiator_socket.bind(b.socket);
    cpu.body = [&](Stimulus& st) {
        sc_core::wait(ns(1));
        (void)st;
        b.invalidate(0x10, 0x20);
        a.invalidate(0, ~uint64_t(0));
        b.invalidate(0x900, 0x1fff);  // beyond the alias window: only region "b" is affected
    };
    sc_core::sc_start();
    using R = std::vector<std::pair<uint64_t, uint64_t>>;
    const R expect{{0x4000'0010, 0x4000'0020},
                   {0x8000'0010, 0x8000'0020},
                   {0x1000, 0x10ff},
                   {0x8000'0900, 0x8000'0fff}};
    EXPECT_EQ(cpu.invalidations, expect);
    EXPECT_EQ(dma.invalidations, expect);
}

TEST(Router, DebugTransportIsRoutedAndClipped) {
    Router r("r", two_regions());
    Target a("a", 0x100), b("b", 0x2000);
    Stimulus s("s");
    s.socket.bind(r.target_socket);
    r.initiator_socket.bind(a.socket);
    r.initiator_socket.bind(b.socket);
    a.mem[0xfe] = 0xAB;
    s.body = [&](Stimulus& st) {
        uint8_t buf[8] = {};
        tlm::tlm_response_status status;
        EXPECT_EQ(st.debug(tlm::TLM_READ_COMMAND, 0x10fe, buf, 8, &status), 2u);  // clipped at the region end
        EXPECT_EQ(status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(buf[0], 0xAB);
        EXPECT_EQ(st.debug(tlm::TLM_READ_COMMAND, 0x5000, buf, 4, &status), 0u);
        EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(st.delay, sc_core::SC_ZERO_TIME);  // debug accesses take no time
    };
    sc_core::sc_start();
    ASSERT_EQ(a.seen.size(), 1u);
    EXPECT_EQ(a.seen[0], 0xfeu);
}

TEST(Router, RegionOnUnboundPortFailsElaboration) {
    RouterConfig c = two_regions();
    c.regions.push_back({"c", 0x3000, 0x100, 2});  // only two targets get bound
    Router r("r", c);
    Target a("a", 0x100), b("b", 0x2000);
    Stimulus s("s");
    s.socket.bind(r.target_socket);
    r.initiator_socket.bind(a.socket);
    r.initiator_socket.bind(b.socket);
    try {
        sc_core::sc_start();
        FAIL() << "elaboration accepted a region on an unbound port";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("'c'"), std::string::npos) << e.what();
    }
}

// The interconnect of the bus.* keys (bus_config.h): one hop of latency_ns, 1 ns by default
// (a registered crossbar hop); a router built alone stays ideal (0).
TEST(Router, HopLatencyFromTheBusKeys) {
    EXPECT_EQ(RouterConfig::bus(BusParams{}).hop_latency, ns(1));
    BusParams p;
    p.latency_ns = 7;
    EXPECT_EQ(RouterConfig::bus(p).hop_latency, ns(7));
    EXPECT_TRUE(RouterConfig::bus(p).regions.empty());
    EXPECT_EQ(RouterConfig{}.hop_latency, sc_core::SC_ZERO_TIME);
}
