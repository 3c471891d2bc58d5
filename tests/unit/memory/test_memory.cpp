#include <cstring>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "memory/memory.h"
#include "../support/tlm_stimulus.h"

using namespace stvp;
using stvp::test::ns;
using stvp::test::Stimulus;

namespace {

MemoryConfig small() {
    MemoryConfig c;
    c.size = 0x10000;
    c.read_latency = ns(50);
    c.write_latency = ns(40);
    c.bandwidth = 1e9;  // 1 byte per ns
    return c;
}

uint32_t word_at(const Memory& m, uint64_t off) {
    uint32_t v;
    std::memcpy(&v, m.data() + off, 4);
    return v;
}

}  // namespace

TEST(Memory, LatencyPlusBytesOverBandwidth) {
    Memory m("m", small());
    Stimulus s("s");
    s.socket.bind(m.socket);
    s.body = [&](Stimulus& st) {
        std::vector<uint8_t> buf(64, 0x5A);
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, 0x100, buf.data(), 64), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.delay, ns(40 + 64));
        EXPECT_TRUE(st.last_dmi_allowed);
        st.sync();
        EXPECT_EQ(sc_core::sc_time_stamp(), ns(104));
        uint32_t v = 0;
        EXPECT_EQ(st.read32(0x13c, v), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(v, 0x5A5A5A5Au);
        EXPECT_EQ(st.delay, ns(50 + 4));
    };
    sc_core::sc_start();
    EXPECT_EQ(m.stats().writes, 1u);
    EXPECT_EQ(m.stats().reads, 1u);
    EXPECT_EQ(m.stats().bytes_written, 64u);
    EXPECT_EQ(m.stats().bytes_read, 4u);
    EXPECT_EQ(m.read_time(1000), ns(1050));
}

TEST(Memory, OutOfRangeIsAnErrorAndMovesNoData) {
    Memory m("m", small());
    Stimulus s("s");
    s.socket.bind(m.socket);
    std::memset(m.data() + 0xfff0, 0x11, 0x10);
    s.body = [&](Stimulus& st) {
        uint32_t w = 0xAABBCCDD;
        EXPECT_EQ(st.write32(0xfffe, w), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // straddles the end
        EXPECT_EQ(st.write32(0x10000, w), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(~uint64_t(0) - 1, w), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // wraps
        uint32_t r = 0x12345678;
        EXPECT_EQ(st.read32(0xfffd, r), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(r, 0x12345678u);  // the initiator's buffer is untouched
        EXPECT_EQ(st.delay, sc_core::SC_ZERO_TIME);
        EXPECT_EQ(st.write32(0xfffc, w), tlm::TLM_OK_RESPONSE);  // the last word is fine
    };
    sc_core::sc_start();
    EXPECT_EQ(word_at(m, 0xfff8), 0x11111111u);  // nothing below the end was written
    EXPECT_EQ(word_at(m, 0xfffc), 0xAABBCCDDu);
    EXPECT_EQ(m.stats().errors, 4u);
    EXPECT_EQ(m.stats().writes, 1u);
    EXPECT_EQ(m.stats().bytes_written, 4u);
}

TEST(Memory, ByteEnablesAndStreaming) {
    Memory m("m", small());
    Stimulus s("s");
    s.socket.bind(m.socket);
    s.body = [&](Stimulus& st) {
        uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        unsigned char be[2] = {0xff, 0x00};  // pattern repeats: bytes 0, 2, 4, 6
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, 0x20, data, 8, be, 2), tlm::TLM_OK_RESPONSE);
        unsigned char bad[1] = {0x0f};
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, 0x40, data, 4, bad, 1), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, 0x40, data, 4, be, 0), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        // Streaming width 4: an 8-byte write lands twice on the same 4 bytes.
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, 0x60, data, 8, nullptr, 0, 4), tlm::TLM_OK_RESPONSE);
    };
    sc_core::sc_start();
    const uint8_t expect[8] = {1, 0, 3, 0, 5, 0, 7, 0};
    EXPECT_EQ(std::memcmp(m.data() + 0x20, expect, 8), 0);
    EXPECT_EQ(word_at(m, 0x40), 0u);  // refused writes moved nothing
    EXPECT_EQ(word_at(m, 0x60), 0x08070605u);
    EXPECT_EQ(word_at(m, 0x64), 0u);
}

TEST(Memory, DmiGrantCoversMemoryWithPerByteLatency) {
    Memory m("m", small());
    Stimulus s("s");
    s.socket.bind(m.socket);
    s.body = [&](Stimulus& st) {
        tlm::tlm_dmi d;
        ASSERT_TRUE(st.dmi(0x1234, d));
        EXPECT_EQ(d.get_dmi_ptr(), m.data());
        EXPECT_EQ(d.get_start_address(), 0u);
        EXPECT_EQ(d.get_end_address(), 0xffffu);
        EXPECT_TRUE(d.is_read_write_allowed());
        // (50 ns + 4 bytes at 1 byte/ns) / 4 bytes: a word costs the same as through b_transport.
        EXPECT_EQ(d.get_read_latency(), ns(13.5));
        EXPECT_EQ(d.get_write_latency(), ns(11));
        EXPECT_FALSE(st.dmi(0x10000, d));
    };
    sc_core::sc_start();
    EXPECT_EQ(m.stats().dmi_grants, 1u);
}

TEST(Memory, DmiCanBeDisabled) {
    MemoryConfig c = small();
    c.dmi_allowed = false;
    Memory m("m", c);
    Stimulus s("s");
    s.socket.bind(m.socket);
    s.body = [&](Stimulus& st) {
        EXPECT_EQ(st.write32(0, 1), tlm::TLM_OK_RESPONSE);
        EXPECT_FALSE(st.last_dmi_allowed);
        tlm::tlm_dmi d;
        EXPECT_FALSE(st.dmi(0, d));
        EXPECT_EQ(d.get_end_address(), 0xffffu);  // denied for the whole memory
    };
    sc_core::sc_start();
}

TEST(Memory, DmiExcludesWatchesAndWatchInvalidatesGrants) {
    Memory m("m", small());
    Stimulus s("s");
    s.socket.bind(m.socket);
    s.body = [&](Stimulus& st) {
        tlm::tlm_dmi d;
        ASSERT_TRUE(st.dmi(0x10, d));
        EXPECT_TRUE(st.invalidations.empty());
        m.watch(0x100, 8, nullptr);
        ASSERT_EQ(st.invalidations.size(), 1u);  // the earlier grant covered the watch
        EXPECT_EQ(st.invalidations[0].first, 0u);
        EXPECT_EQ(st.invalidations[0].second, ~uint64_t(0));

        ASSERT_TRUE(st.dmi(0x10, d));  // below the watch
        EXPECT_EQ(d.get_start_address(), 0u);
        EXPECT_EQ(d.get_end_address(), 0xffu);
        EXPECT_EQ(d.get_dmi_ptr(), m.data());
        ASSERT_TRUE(st.dmi(0x200, d));  // above it
        EXPECT_EQ(d.get_start_address(), 0x108u);
        EXPECT_EQ(d.get_end_address(), 0xffffu);
        EXPECT_EQ(d.get_dmi_ptr(), m.data() + 0x108);
        EXPECT_FALSE(st.dmi(0x104, d));  // inside: denied for the watched range
        EXPECT_EQ(d.get_start_address(), 0x100u);
        EXPECT_EQ(d.get_end_address(), 0x107u);

        m.watch(0x1000, 4, nullptr);  // a second watch narrows the upper range
        ASSERT_TRUE(st.dmi(0x200, d));
        EXPECT_EQ(d.get_start_address(), 0x108u);
        EXPECT_EQ(d.get_end_address(), 0xfffu);
    };
    sc_core::sc_start();
    EXPECT_THROW(m.watch(0xfffe, 4, nullptr), std::invalid_argument);
    EXPECT_THROW(m.watch(0, 0, nullptr), std::invalid_argument);
}

TEST(Memory, WatchedWriteStoresThenCalls) {
    Memory m("m", small());
    Stimulus s("s");
    s.socket.bind(m.socket);
    struct Hit {
        uint64_t off;
        uint32_t value;
        uint32_t stored;
        sc_core::sc_time t;
    };
    std::vector<Hit> hits;
    m.watch(0x100, 8, [&](uint64_t off, uint32_t v) {
        hits.push_back({off, v, word_at(m, off), sc_core::sc_time_stamp()});
    });
    s.body = [&](Stimulus& st) {
        EXPECT_EQ(st.write32(0x0fc, 7), tlm::TLM_OK_RESPONSE);  // next to the watch: no call
        EXPECT_EQ(st.write32(0x100, 0x21), tlm::TLM_OK_RESPONSE);
        uint32_t two[2] = {0x31, 0x32};
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, 0x100, two, 8), tlm::TLM_OK_RESPONSE);
        uint32_t r = 0;
        EXPECT_EQ(st.read32(0x100, r), tlm::TLM_OK_RESPONSE);  // reads do not call
        uint32_t dbg = 0x99;
        EXPECT_EQ(st.debug(tlm::TLM_WRITE_COMMAND, 0x104, &dbg, 4), 4u);  // nor do debug writes
    };
    sc_core::sc_start();
    ASSERT_EQ(hits.size(), 3u);
    EXPECT_EQ(hits[0].off, 0x100u);
    EXPECT_EQ(hits[0].value, 0x21u);
    EXPECT_EQ(hits[0].stored, 0x21u);  // data was stored before the callback
    EXPECT_EQ(hits[1].off, 0x100u);
    EXPECT_EQ(hits[1].value, 0x31u);
    EXPECT_EQ(hits[2].off, 0x104u);
    EXPECT_EQ(hits[2].value, 0x32u);
    EXPECT_EQ(word_at(m, 0x104), 0x99u);
}

TEST(Memory, DebugTransportIsClippedAndNotCounted) {
    Memory m("m", small());
    Stimulus s("s");
    s.socket.bind(m.socket);
    s.body = [&](Stimulus& st) {
        uint8_t buf[16];
        std::memset(buf, 0xEE, sizeof buf);
        EXPECT_EQ(st.debug(tlm::TLM_WRITE_COMMAND, 0xfff8, buf, 16), 8u);
        tlm::tlm_response_status status;
        EXPECT_EQ(st.debug(tlm::TLM_READ_COMMAND, 0x10000, buf, 4, &status), 0u);
        EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(st.delay, sc_core::SC_ZERO_TIME);
    };
    sc_core::sc_start();
    EXPECT_EQ(word_at(m, 0xfffc), 0xEEEEEEEEu);
    EXPECT_EQ(m.stats().writes + m.stats().reads, 0u);
}

namespace {
// Resident set size of this process in bytes (Linux).
uint64_t rss_bytes() {
    std::ifstream f("/proc/self/statm");
    uint64_t total = 0, resident = 0;
    f >> total >> resident;
    return resident * 4096;
}
}  // namespace

TEST(Memory, LargeMemoryIsZeroAndCostsOnlyTouchedPages) {
    const uint64_t before = rss_bytes();
    MemoryConfig c;  // default: 512 MiB
    EXPECT_EQ(c.size, 512ull << 20);
    Memory big("big", c);
    MemoryConfig c4 = c;
    c4.size = 4ull << 30;
    Memory huge("huge", c4);
    huge.data()[c4.size - 1] = 1;
    big.data()[12345] = 2;
    EXPECT_EQ(huge.data()[c4.size - 2], 0);
    EXPECT_EQ(big.data()[(512u << 20) - 1], 0);
    EXPECT_LT(rss_bytes() - before, uint64_t(64) << 20);
}

TEST(Memory, ConfigValidation) {
    MemoryConfig c;
    EXPECT_EQ(c.validate(), "");
    c.size = 0;
    EXPECT_NE(c.validate(), "");
    EXPECT_THROW(Memory("m", c), std::invalid_argument);
    c.size = 4096;
    c.bandwidth = -1;
    EXPECT_NE(c.validate(), "");
    c.bandwidth = 0;  // unlimited
    EXPECT_EQ(c.validate(), "");
}

// A DRAM built from the dram.* keys (memory_config.h): latency in ns, bandwidth in GB/s; the
// default is LPDDR4's 60 ns and 3200 MT/s x 4 bytes = 12.8 GB/s.
TEST(Memory, DramFromItsKeys) {
    const MemoryConfig d = MemoryConfig{};
    EXPECT_EQ(d.read_latency, ns(60));
    EXPECT_EQ(d.write_latency, ns(60));
    EXPECT_DOUBLE_EQ(d.bandwidth, 3200e6 * 4);
    DramParams p;
    p.latency_ns = 30;
    p.bandwidth_gbps = 2;  // 2 bytes per ns
    Memory m("m", MemoryConfig::dram(p, 0x10000));
    EXPECT_EQ(m.size(), 0x10000u);
    Stimulus s("s");
    s.socket.bind(m.socket);
    s.body = [&](Stimulus& st) {
        std::vector<uint8_t> buf(64, 1);
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, 0, buf.data(), 64), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.delay, ns(30 + 32));
    };
    sc_core::sc_start();
}
