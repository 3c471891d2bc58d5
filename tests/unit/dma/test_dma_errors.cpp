// DMA errors: bus errors on source, destination and descriptor fetch; every invalid
// descriptor field; bad DESC_HEAD; descriptor loops. Each checks ERR_CODE/ADDR/DESC, the
// interrupt, and that nothing is written past the failure.
#include <array>
#include <cstddef>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "dma_bench.h"

namespace stvp::test {
namespace {

constexpr uint32_t M = static_cast<uint32_t>(kMemBase);
constexpr uint32_t END = static_cast<uint32_t>(kMemBase + kMemSize);
constexpr uint32_t SRC = M + 0x1000;
constexpr uint32_t DST = M + 0x4000;
constexpr uint32_t DESC = M + 0x100;
const sc_time NS(1, SC_NS);

std::vector<uint8_t> bytes(TestMemory& m, uint64_t a, std::size_t n) { return {m.at(a), m.at(a) + n}; }

struct ErrorSeen {
    uint32_t status, int_status, code, addr, desc, bytes, descs;
    bool irq;
    sc_time at;
};

// Starts the chain at `head` with the error interrupt enabled, waits for the end, reads
// the error registers.
ErrorSeen run_to_error(Bench& b, uint32_t head) {
    ErrorSeen e{};
    b.run([&](Bench& b) {
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_DONE_MASK | DMA_INT_ENABLE_ERROR_MASK);
        b.start(head);
        e.at = b.wait_idle();
        wait(SC_ZERO_TIME);
        wait(SC_ZERO_TIME);  // the irq method, then the signal update
        e.irq = b.irq.read();
        e.status = b.rd(DMA_STATUS);
        e.int_status = b.rd(DMA_INT_STATUS);
        e.code = b.rd(DMA_ERR_CODE);
        e.addr = b.rd(DMA_ERR_ADDR);
        e.desc = b.rd(DMA_ERR_DESC);
        e.bytes = b.rd(DMA_BYTES_COPIED);
        e.descs = b.rd(DMA_DESCS_DONE);
    });
    return e;
}

void expect_error_state(const ErrorSeen& e) {
    EXPECT_EQ(e.status, uint32_t(DMA_STATUS_ERROR_MASK));
    EXPECT_EQ(e.int_status, uint32_t(DMA_INT_STATUS_ERROR_MASK));
    EXPECT_TRUE(e.irq);
}

TEST(DmaBusError, UnmappedSource) {
    Bench b("bench");
    b.mem.fill(DST, 256, 0xCC);
    b.mem.put_desc(DESC, desc(0x1000, DST, 256));
    auto e = run_to_error(b, DESC);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_SRC_BUS));
    EXPECT_EQ(e.addr, 0x1000u);
    EXPECT_EQ(e.desc, DESC);
    EXPECT_EQ(e.bytes, 0u);
    EXPECT_EQ(e.descs, 0u);
    EXPECT_EQ(e.at, (14 + 10) * NS) << "stops after the fetch and the failed read";
    EXPECT_TRUE(b.mem.writes.empty());
    EXPECT_EQ(bytes(b.mem, DST, 256), std::vector<uint8_t>(256, 0xCC));
    EXPECT_EQ(b.dma.stats().chains_failed, 1u);
}

// The source runs off the end of memory: the bursts before the failing one are copied,
// nothing from the failing burst on is written.
TEST(DmaBusError, SourceRunsOffMappedMemory) {
    Bench b("bench");
    const uint32_t src = END - 100;  // bursts at END-100 (ok) and END-36 (partly unmapped)
    b.mem.fill_pattern(src, 100, 17);
    b.mem.fill(DST, 512, 0xCC);
    b.mem.put_desc(DESC, desc(src, DST, 256));
    auto e = run_to_error(b, DESC);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_SRC_BUS));
    EXPECT_EQ(e.addr, END - 36);
    EXPECT_EQ(e.desc, DESC);
    EXPECT_EQ(e.bytes, 64u);
    ASSERT_EQ(b.mem.writes.size(), 1u);
    EXPECT_EQ(b.mem.writes[0].addr, DST);
    EXPECT_EQ(bytes(b.mem, DST, 64), bytes(b.mem, src, 64));
    EXPECT_EQ(bytes(b.mem, DST + 64, 448), std::vector<uint8_t>(448, 0xCC));
}

// The second descriptor's destination runs off the end of memory.
TEST(DmaBusError, DestinationRunsOffMappedMemoryInSecondDescriptor) {
    Bench b("bench");
    const uint32_t d0 = DESC, d1 = DESC + 0x40;
    const uint32_t dst = END - 100;
    b.mem.fill_pattern(SRC, 512, 23);
    b.mem.fill(dst, 100, 0xCC);
    b.mem.put_desc(d0, desc(SRC, DST, 64, 1, 0, 0, d1));
    b.mem.put_desc(d1, desc(SRC + 256, dst, 256));
    auto e = run_to_error(b, d0);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_DST_BUS));
    EXPECT_EQ(e.addr, END - 36);
    EXPECT_EQ(e.desc, d1);
    EXPECT_EQ(e.descs, 1u);
    EXPECT_EQ(e.bytes, 128u);
    ASSERT_EQ(b.mem.writes.size(), 2u);
    EXPECT_EQ(b.mem.writes[1].addr, dst);
    EXPECT_EQ(bytes(b.mem, dst, 64), bytes(b.mem, SRC + 256, 64));
    EXPECT_EQ(bytes(b.mem, END - 36, 36), std::vector<uint8_t>(36, 0xCC));
}

// With only DONE enabled an error is recorded but the line stays low; enabling ERROR
// afterwards raises it (level-triggered).
TEST(DmaBusError, UnmappedDestinationWithErrorInterruptMasked) {
    Bench b("bench");
    b.mem.fill_pattern(SRC, 64, 29);
    b.mem.put_desc(DESC, desc(SRC, 0x20000000, 64));
    b.run([&](Bench& b) {
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_DONE_MASK);
        b.start(DESC);
        const sc_time t = b.wait_idle();
        EXPECT_EQ(t, (14 + 20) * NS);
        wait(NS);
        EXPECT_FALSE(b.irq.read());
        EXPECT_EQ(b.rd(DMA_INT_STATUS), uint32_t(DMA_INT_STATUS_ERROR_MASK));
        EXPECT_EQ(b.rd(DMA_ERR_CODE), uint32_t(STVP_DMA_ERR_DST_BUS));
        EXPECT_EQ(b.rd(DMA_ERR_ADDR), 0x20000000u);
        b.wr(DMA_INT_ENABLE, DMA_INT_ENABLE_ERROR_MASK);
        wait(b.irq.posedge_event());
        EXPECT_EQ(sc_time_stamp(), t + NS);
    });
    EXPECT_TRUE(b.mem.writes.empty());
}

TEST(DmaBusError, DescriptorFetchFromUnmappedHead) {
    Bench b("bench");
    auto e = run_to_error(b, 0x40000000);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_DESC_FETCH));
    EXPECT_EQ(e.addr, 0x40000000u);
    EXPECT_EQ(e.desc, 0x40000000u);
    EXPECT_EQ(e.at, 10 * NS);
    EXPECT_TRUE(b.mem.writes.empty());
}

TEST(DmaBusError, NextDescriptorUnmapped) {
    Bench b("bench");
    b.mem.put_desc(DESC, desc(SRC, DST, 32, 1, 0, 0, 0x40000000));
    auto e = run_to_error(b, DESC);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_DESC_FETCH));
    EXPECT_EQ(e.addr, 0x40000000u);
    EXPECT_EQ(e.desc, 0x40000000u);
    EXPECT_EQ(e.descs, 1u);
    EXPECT_EQ(e.bytes, 32u);
}

// ---- every invalid field: the bad descriptor is second in a chain; the first is copied,
// the bad one moves no byte, and the error names the field.

// The descriptor is kept as words: a 32-byte-aligned struct passed by value through
// GoogleTest's parameter machinery draws a GCC ABI note.
using DescWords = std::array<uint32_t, 8>;
DescWords words(const stvp_dma_desc& d) {
    DescWords w;
    std::memcpy(w.data(), &d, sizeof d);
    return w;
}

struct BadField {
    const char* name;
    DescWords d;
    uint32_t code;
    std::size_t field;  // offset of the named field in the descriptor
};

void PrintTo(const BadField& c, std::ostream* os) { *os << c.name; }

class DmaInvalidDescriptor : public ::testing::TestWithParam<BadField> {};

TEST_P(DmaInvalidDescriptor, StopsBeforeMovingAnyByte) {
    const BadField& c = GetParam();
    const DmaConfig cfg;
    Bench b("bench");
    const uint32_t d0 = DESC, d1 = DESC + 0x100;
    b.mem.fill_pattern(SRC, 64, 37);
    b.mem.put_desc(d0, desc(SRC, DST, 64, 1, 0, 0, d1));
    b.mem.put(d1, c.d.data(), sizeof(stvp_dma_desc));
    std::vector<DmaDescriptorEvent> events;
    b.dma.on_descriptor([&](const DmaDescriptorEvent& e) { events.push_back(e); });
    auto e = run_to_error(b, d0);
    expect_error_state(e);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.addr, d1 + c.field);
    EXPECT_EQ(e.desc, d1);
    EXPECT_EQ(e.descs, 1u);
    EXPECT_EQ(e.bytes, 64u);
    // Validation takes no time: the chain stops right after the bad descriptor's fetch.
    EXPECT_EQ(e.at, expected_desc_time(64, 1, cfg, kMemLatency) + 14 * NS);
    ASSERT_EQ(b.mem.writes.size(), 1u);
    EXPECT_EQ(b.mem.writes[0].addr, DST);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].error, c.code);
    EXPECT_EQ(events[1].error_address, d1 + c.field);
    EXPECT_TRUE(events[1].fetched);
}

constexpr uint32_t OK_SRC = SRC + 0x800, OK_DST = DST + 0x800;

const BadField kBadFields[] = {
        BadField{"RowBytesZero", words(desc(OK_SRC, OK_DST, 0)), STVP_DMA_ERR_ROW_BYTES, offsetof(stvp_dma_desc, row_bytes)},
        BadField{"RowsZero", words(desc(OK_SRC, OK_DST, 16, 0)), STVP_DMA_ERR_ROWS, offsetof(stvp_dma_desc, rows)},
        BadField{"DstRowsOverlap", words(desc(OK_SRC, OK_DST, 64, 2, 64, 63)), STVP_DMA_ERR_DST_STRIDE,
                 offsetof(stvp_dma_desc, dst_stride)},
        BadField{"DstStrideZero", words(desc(OK_SRC, OK_DST, 8, 3, 8, 0)), STVP_DMA_ERR_DST_STRIDE,
                 offsetof(stvp_dma_desc, dst_stride)},
        BadField{"SrcWrapsAddressSpace", words(desc(0xFFFFFF00, OK_DST, 0x101)), STVP_DMA_ERR_SRC_RANGE,
                 offsetof(stvp_dma_desc, src)},
        BadField{"SrcStridesWrapAddressSpace", words(desc(OK_SRC, OK_DST, 16, 0x10000, 0x10000, 16)),
                 STVP_DMA_ERR_SRC_RANGE, offsetof(stvp_dma_desc, src)},
        BadField{"AbsurdRowBytes", words(desc(OK_SRC, OK_DST, 0xFFFFFFFF)), STVP_DMA_ERR_SRC_RANGE,
                 offsetof(stvp_dma_desc, src)},
        BadField{"DstWrapsAddressSpace", words(desc(OK_SRC, 0xFFFFFFF0, 32)), STVP_DMA_ERR_DST_RANGE,
                 offsetof(stvp_dma_desc, dst)},
        BadField{"DstStridesWrapAddressSpace", words(desc(OK_SRC, OK_DST, 16, 0x20000, 16, 0x10000)),
                 STVP_DMA_ERR_DST_RANGE, offsetof(stvp_dma_desc, dst)},
        BadField{"ReservedFlagBit1", words(desc(OK_SRC, OK_DST, 16, 1, 0, 0, 0, 0x2)), STVP_DMA_ERR_FLAGS,
                 offsetof(stvp_dma_desc, flags)},
        BadField{"ReservedFlagBit31", words(desc(OK_SRC, OK_DST, 16, 1, 0, 0, 0, 0x80000000u)), STVP_DMA_ERR_FLAGS,
                 offsetof(stvp_dma_desc, flags)},
        BadField{"NextMisaligned", words(desc(OK_SRC, OK_DST, 16, 1, 0, 0, DESC + 0x204)), STVP_DMA_ERR_NEXT,
                 offsetof(stvp_dma_desc, next)},
        BadField{"FirstBadFieldIsNamed", words(desc(OK_SRC, OK_DST, 0, 0, 0, 0, 3, 0xF0)), STVP_DMA_ERR_ROW_BYTES,
                 offsetof(stvp_dma_desc, row_bytes)},
};

INSTANTIATE_TEST_SUITE_P(
    Fields, DmaInvalidDescriptor, ::testing::ValuesIn(kBadFields),
    [](const ::testing::TestParamInfo<BadField>& i) { return std::string(i.param.name); });

// A footprint ending exactly at 4 GiB is valid (and then fails on the bus here).
TEST(DmaInvalidDescriptorEdge, FootprintEndingAtFourGiBIsValid) {
    Bench b("bench");
    b.mem.put_desc(DESC, desc(0xFFFFFF00, DST, 0x100));
    auto e = run_to_error(b, DESC);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_SRC_BUS));
    EXPECT_EQ(e.addr, 0xFFFFFF00u);
}

TEST(DmaBadHead, ZeroHead) {
    Bench b("bench");
    auto e = run_to_error(b, 0);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_DESC_ADDR));
    EXPECT_EQ(e.addr, 0u);
    EXPECT_EQ(e.desc, 0u);
    EXPECT_EQ(e.at, SC_ZERO_TIME);
}

TEST(DmaBadHead, MisalignedHead) {
    Bench b("bench");
    b.mem.put_desc(DESC, desc(SRC, DST, 64));
    auto e = run_to_error(b, DESC + 0x10);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_DESC_ADDR));
    EXPECT_EQ(e.addr, DESC + 0x10);
    EXPECT_EQ(e.desc, DESC + 0x10);
    EXPECT_TRUE(b.mem.writes.empty());
}

// ---- descriptor loops end with an error instead of hanging the simulator.

TEST(DmaChainLoop, SelfLoopStopsAtMaxChain) {
    DmaConfig cfg;
    cfg.max_chain = 100;
    Bench b("bench", cfg);
    b.mem.put_desc(DESC, desc(SRC, DST, 16, 1, 0, 0, DESC));
    auto e = run_to_error(b, DESC);
    expect_error_state(e);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_CHAIN_LENGTH));
    EXPECT_EQ(e.addr, DESC);
    EXPECT_EQ(e.desc, DESC);
    EXPECT_EQ(e.descs, 100u);
    EXPECT_EQ(e.bytes, 1600u);
    EXPECT_EQ(e.at, 100 * expected_desc_time(16, 1, cfg, kMemLatency));
}

TEST(DmaChainLoop, TwoDescriptorLoopStopsAtDefaultBound) {
    Bench b("bench");
    const uint32_t d0 = DESC, d1 = DESC + 0x20;
    b.mem.put_desc(d0, desc(SRC, DST, 4, 1, 0, 0, d1));
    b.mem.put_desc(d1, desc(SRC, DST + 4, 4, 1, 0, 0, d0));
    auto e = run_to_error(b, d0);
    expect_error_state(e);
    EXPECT_EQ(DmaConfig{}.max_chain, 65536u);
    EXPECT_EQ(e.code, uint32_t(STVP_DMA_ERR_CHAIN_LENGTH));
    EXPECT_EQ(e.descs, 65536u);
    EXPECT_EQ(e.desc, d0) << "65536 is even: the next descriptor would be d0 again";
}

}  // namespace
}  // namespace stvp::test
