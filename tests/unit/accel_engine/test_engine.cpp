// The engine driven alone (accel/engine/engine.h): one descriptor's values and cost, chains that
// stop at the first failing check with a structured error (code, descriptor index, field), and
// chains read from memory with the device's DESC_BASE / DESC_COUNT / DESC_FETCH checks.
#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "accel/engine/engine.h"
#include "../support/accel_host_memory.h"

namespace stvp::accel {
namespace {

constexpr uint32_t kMem = 0x80000000u, kMemSize = 1u << 20;
constexpr uint32_t kSpad = 0x12000000u, kSpadSize = 0x20000;

struct Bench {
    test::HostMemory mem{kMem, kMemSize, kSpad, kSpadSize};
    Engine engine;
    float* f(uint32_t addr) { return reinterpret_cast<float*>(mem.dram.data() + (addr - kMem)); }
    uint8_t* b(uint32_t addr) { return mem.dram.data() + (addr - kMem); }
};

TEST(AccelEngine, FcForwardValuesAndCost) {
    Bench t;
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_FC_FWD;
    d.flags = STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU;
    d.n = 2, d.c = 3, d.k = 2;
    d.src0 = kMem + 0x100, d.src1 = kMem + 0x200, d.src2 = kMem + 0x300, d.dst0 = kMem + 0x400;
    const float x[6] = {1, 2, 3, -1, 0, 1};
    const float w[6] = {1, 0, -1, 0.5f, 0.5f, 0.5f};
    const float bias[2] = {0.25f, -4};
    std::memcpy(t.f(d.src0), x, sizeof x);
    std::memcpy(t.f(d.src1), w, sizeof w);
    std::memcpy(t.f(d.src2), bias, sizeof bias);
    const OpResult r = t.engine.run(d, t.mem);
    ASSERT_TRUE(r) << error_name(r.error.code);
    EXPECT_TRUE(r.bound);
    EXPECT_EQ(r.opcode, uint32_t(STVP_ACCEL_OP_FC_FWD));
    EXPECT_EQ(r.phase, uint32_t(STVP_ACCEL_PHASE_FWD));
    // Y[n][k] = relu(sum_c X[n][c] W[k][c] + b[k]), by hand.
    const float* y = t.f(d.dst0);
    EXPECT_FLOAT_EQ(y[0], 0.0f);   // 1 - 3 + 0.25 = -1.75 -> 0
    EXPECT_FLOAT_EQ(y[1], 0.0f);   // 3 - 4 = -1 -> 0
    EXPECT_FLOAT_EQ(y[2], 0.0f);   // -1 - 1 + 0.25 = -1.75 -> 0
    EXPECT_FLOAT_EQ(y[3], 0.0f);   // 0 - 4 -> 0
    d.flags = STVP_ACCEL_FLAG_BIAS;
    ASSERT_TRUE(t.engine.run(d, t.mem));
    EXPECT_FLOAT_EQ(y[0], -1.75f);
    EXPECT_FLOAT_EQ(y[1], -1.0f);
    EXPECT_FLOAT_EQ(y[2], -1.75f);
    EXPECT_FLOAT_EQ(y[3], -4.0f);
    EXPECT_EQ(r.cost.macs, 12u);  // N*C*K
    EXPECT_GT(r.cost.cycles, 0u);
    EXPECT_EQ(r.nan + r.inf, 0u);
}

// COPY with MIRROR: each row of w words reversed, and the time and traffic of the plain COPY
// of the same bytes, derived here from the default array (500 MHz, 25.6 B/cycle DRAM after
// 30 cycles of latency per request, a 128 B/cycle GB port, double buffering: max of the two).
TEST(AccelEngine, CopyMirrorValuesAndCost) {
    Bench t;
    constexpr uint32_t kRow = 28, kRows = 28, kBytes = 4 * kRow * kRows;  // one 28x28 fp32 image
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_COPY;
    d.flags = STVP_ACCEL_FLAG_MIRROR;
    d.n = kBytes, d.w = kRow;
    d.src0 = kMem + 0x1000, d.dst0 = kMem + 0x4000;
    uint32_t* src = reinterpret_cast<uint32_t*>(t.b(d.src0));
    for (uint32_t i = 0; i < kRow * kRows; ++i) src[i] = 0xA0000000u + i;
    const OpResult r = t.engine.run(d, t.mem);
    ASSERT_TRUE(r) << error_name(r.error.code) << " " << field_name(r.error.field);
    const uint32_t* dst = reinterpret_cast<const uint32_t*>(t.b(d.dst0));
    for (uint32_t y = 0; y < kRows; ++y)
        for (uint32_t x = 0; x < kRow; ++x)
            ASSERT_EQ(dst[y * kRow + x], 0xA0000000u + y * kRow + (kRow - 1 - x)) << y << "," << x;
    EXPECT_EQ(dst[kRow * kRows], 0u) << "nothing past n";
    // DRAM -> DRAM: two requests, 2 x 3136 B / 25.6 = 245 cycles; the GB stages both (49 cycles).
    EXPECT_EQ(r.cost.cycles, 2u * 30u + 245u);
    EXPECT_EQ(r.cost.counts.dram_read_bytes, kBytes);
    EXPECT_EQ(r.cost.counts.dram_write_bytes, kBytes);
    EXPECT_EQ(r.cost.counts.gb_read_bytes, kBytes);
    EXPECT_EQ(r.cost.counts.gb_write_bytes, kBytes);
    EXPECT_EQ(r.sparse_pj, 0.0);
    // Into the scratchpad: one request, ceil(3136 / 25.6) = 123 cycles.
    d.dst0 = kSpad + 0x100;
    const OpResult s = t.engine.run(d, t.mem);
    ASSERT_TRUE(s);
    EXPECT_EQ(s.cost.cycles, 30u + 123u);
    EXPECT_EQ(s.cost.counts.dram_write_bytes, 0u);
    EXPECT_EQ(s.cost.counts.gb_write_bytes, kBytes);
    uint32_t first;
    std::memcpy(&first, t.mem.spad.data() + 0x100, 4);
    EXPECT_EQ(first, 0xA0000000u + kRow - 1);
    // A row of one word is a plain copy.
    d.dst0 = kMem + 0x8000, d.w = 1;
    ASSERT_TRUE(t.engine.run(d, t.mem));
    EXPECT_EQ(std::memcmp(t.b(d.dst0), t.b(d.src0), kBytes), 0);
}

TEST(AccelEngine, NonFiniteOutputsAreCounted) {
    Bench t;
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_SGD;
    d.n = 4;
    d.alpha = 1.0f;
    d.src0 = kMem + 0x100, d.dst0 = kMem + 0x200;
    const float g[4] = {0, INFINITY, NAN, 0};  // W - alpha g: -Inf and NaN
    const float w[4] = {1, 1, 1, 2};
    std::memcpy(t.f(d.src0), g, sizeof g);
    std::memcpy(t.f(d.dst0), w, sizeof w);
    const OpResult r = t.engine.run(d, t.mem);
    ASSERT_TRUE(r);
    EXPECT_EQ(r.nan, 1u);
    EXPECT_EQ(r.inf, 1u);
}

// A COPY of 16 bytes from `from` to `to`.
stvp_accel_desc copy(uint32_t from, uint32_t to) {
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_COPY;
    d.n = 16;
    d.src0 = from, d.dst0 = to;
    return d;
}

stvp_accel_desc fc_fwd() {
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_FC_FWD;
    d.n = 2, d.c = 4, d.k = 3;
    d.src0 = kMem + 0x1000, d.src1 = kMem + 0x2000, d.dst0 = kMem + 0x3000;
    return d;
}

struct Check {
    const char* what;
    std::function<stvp_accel_desc()> make;
    uint32_t code, field;
};

// Each check, failing at descriptor 2 of a chain: the error names the check's code, the
// descriptor index and the field; descriptors 0 and 1 ran, the failing one wrote nothing.
TEST(AccelEngine, ChainErrorNamesCodeIndexAndFieldPerCheck) {
    const std::vector<Check> checks = {
        {"opcode", [] { auto d = fc_fwd(); d.opcode = 16; return d; }, STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE},
        {"format", [] { auto d = fc_fwd(); d.format = 3; return d; }, STVP_ACCEL_ERR_FORMAT, STVP_ACCEL_FIELD_FORMAT},
        {"flags", [] { auto d = fc_fwd(); d.flags = STVP_ACCEL_FLAG_TOPK; return d; }, STVP_ACCEL_ERR_FLAGS,
         STVP_ACCEL_FIELD_FLAGS},
        {"unused", [] { auto d = fc_fwd(); d.h = 1; return d; }, STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_H},
        {"reserved", [] { auto d = fc_fwd(); d.reserved1[3] = 1; return d; }, STVP_ACCEL_ERR_UNUSED,
         STVP_ACCEL_FIELD_RESERVED1_3},
        {"shape", [] { auto d = fc_fwd(); d.c = 0; return d; }, STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_C},
        {"copy size", [] { auto d = copy(kMem, kMem + 0x100); d.n = 6; return d; }, STVP_ACCEL_ERR_SHAPE,
         STVP_ACCEL_FIELD_N},
        {"scalar",
         [] {
             stvp_accel_desc d{};
             d.opcode = STVP_ACCEL_OP_SGD, d.n = 4, d.src0 = kMem + 0x100, d.dst0 = kMem + 0x200;
             d.beta = NAN;
             return d;
         },
         STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_BETA},
        {"param",
         [] {
             stvp_accel_desc d{};
             d.opcode = STVP_ACCEL_OP_GRAD_PRUNE, d.n = 4, d.dst0 = kMem + 0x100;
             d.alpha = 1.0f;
             return d;
         },
         STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_ALPHA},
        {"align", [] { auto d = fc_fwd(); d.dst0 += 2; return d; }, STVP_ACCEL_ERR_ALIGN, STVP_ACCEL_FIELD_DST0},
        {"address", [] { auto d = fc_fwd(); d.src1 = 0x40000000u; return d; }, STVP_ACCEL_ERR_ADDRESS,
         STVP_ACCEL_FIELD_SRC1},
        {"capacity", [] { auto d = fc_fwd(); d.src0 = kSpad + kSpadSize - 8; return d; }, STVP_ACCEL_ERR_CAPACITY,
         STVP_ACCEL_FIELD_SRC0},
        {"overlap", [] { auto d = fc_fwd(); d.dst0 = d.src1 + 8; return d; }, STVP_ACCEL_ERR_OVERLAP,
         STVP_ACCEL_FIELD_DST0},
        {"label",
         [] {
             stvp_accel_desc d{};
             d.opcode = STVP_ACCEL_OP_SOFTMAX_XENT, d.n = 2, d.k = 3;
             d.src0 = kMem + 0x1000, d.src1 = kMem + 0x5000, d.dst0 = kMem + 0x3000, d.dst1 = kMem + 0x4000;
             return d;
         },
         STVP_ACCEL_ERR_LABEL, STVP_ACCEL_FIELD_SRC1},
        {"metadata", [] { auto d = fc_fwd(); d.format = STVP_ACCEL_FORMAT_BLOCK, d.src1 = 0, d.meta0 = kMem + 0x6000; return d; },
         STVP_ACCEL_ERR_METADATA, STVP_ACCEL_FIELD_META0},
    };
    for (const Check& k : checks) {
        SCOPED_TRACE(k.what);
        Bench t;
        for (uint32_t i = 0; i < 16; ++i) t.b(kMem)[i] = uint8_t(i + 1);
        const int32_t labels[2] = {1, 3};  // 3 is outside 0..2
        std::memcpy(t.b(kMem + 0x5000), labels, sizeof labels);
        std::memset(t.b(kMem + 0x3000), 0xAB, 64);  // outputs of the failing descriptors
        const stvp_accel_desc chain[3] = {copy(kMem, kMem + 0x100), copy(kMem + 0x100, kMem + 0x200), k.make()};
        const ChainResult c = t.engine.run_chain(chain, 3, t.mem);
        EXPECT_FALSE(c);
        EXPECT_EQ(c.error.code, k.code) << error_name(c.error.code);
        EXPECT_EQ(c.error.field, k.field) << field_name(c.error.field);
        EXPECT_EQ(c.index, 2u);
        EXPECT_EQ(c.done, 2u);
        ASSERT_EQ(c.ops.size(), 3u);
        EXPECT_EQ(std::memcmp(t.b(kMem), t.b(kMem + 0x200), 16), 0) << "descriptors 0 and 1 ran";
        for (int i = 0; i < 64; ++i) ASSERT_EQ(t.b(kMem + 0x3000)[i], 0xAB) << "nothing of the failing one written";
    }
}

TEST(AccelEngine, ChainTotalsAreTheSumOfItsOps) {
    Bench t;
    const stvp_accel_desc chain[2] = {copy(kMem, kMem + 0x100), copy(kMem + 0x100, kSpad)};
    const ChainResult c = t.engine.run_chain(chain, 2, t.mem);
    ASSERT_TRUE(c);
    EXPECT_EQ(c.done, 2u);
    EXPECT_EQ(c.total.cycles, c.ops[0].cost.cycles + c.ops[1].cost.cycles);
    // DRAM -> DRAM reads and writes DRAM; DRAM -> scratchpad only reads it.
    EXPECT_EQ(c.ops[0].cost.counts.dram_write_bytes, 16u);
    EXPECT_EQ(c.ops[1].cost.counts.dram_write_bytes, 0u);
    EXPECT_EQ(c.total.counts.dram_read_bytes, 32u);
}

TEST(AccelEngine, ChainFromMemoryChecksBaseCountAndFetch) {
    Bench t;
    const uint32_t base = kMem + 0x8000;
    const stvp_accel_desc chain[2] = {copy(kMem, kMem + 0x100), copy(kMem + 0x100, kMem + 0x200)};
    std::memcpy(t.b(base), chain, sizeof chain);
    for (uint32_t i = 0; i < 16; ++i) t.b(kMem)[i] = uint8_t(7 * i);

    ChainResult c = t.engine.run_chain(base, 2, t.mem, 4096);
    ASSERT_TRUE(c) << error_name(c.error.code);
    EXPECT_EQ(c.done, 2u);
    EXPECT_EQ(std::memcmp(t.b(kMem), t.b(kMem + 0x200), 16), 0);

    c = t.engine.run_chain(0, 2, t.mem, 4096);
    EXPECT_EQ(c.error.code, uint32_t(STVP_ACCEL_ERR_DESC_BASE));
    EXPECT_EQ(c.error.field, uint32_t(STVP_ACCEL_FIELD_NONE));
    c = t.engine.run_chain(base + 32, 2, t.mem, 4096);
    EXPECT_EQ(c.error.code, uint32_t(STVP_ACCEL_ERR_DESC_BASE));
    EXPECT_EQ(c.error.value, base + 32);
    c = t.engine.run_chain(base, 0, t.mem, 4096);
    EXPECT_EQ(c.error.code, uint32_t(STVP_ACCEL_ERR_DESC_COUNT));
    c = t.engine.run_chain(base, 5, t.mem, 4);
    EXPECT_EQ(c.error.code, uint32_t(STVP_ACCEL_ERR_DESC_COUNT));
    EXPECT_EQ(c.error.value, 5u);
    // The third descriptor lies past the end of memory: two run, the fetch of index 2 fails.
    const uint32_t end = kMem + kMemSize - 2 * STVP_ACCEL_DESC_SIZE;
    std::memcpy(t.b(end), chain, sizeof chain);
    c = t.engine.run_chain(end, 3, t.mem, 4096);
    EXPECT_EQ(c.error.code, uint32_t(STVP_ACCEL_ERR_DESC_FETCH));
    EXPECT_EQ(c.index, 2u);
    EXPECT_EQ(c.done, 2u);
    EXPECT_EQ(c.error.value, end + 2 * STVP_ACCEL_DESC_SIZE);
}

TEST(AccelEngine, OnExecuteSeesTheCheckedCommandBeforeOutputs) {
    Bench t;
    int calls = 0;
    t.engine.on_execute([&](const Command& c, const float* w) {
        ++calls;
        EXPECT_EQ(c.desc.opcode, uint32_t(STVP_ACCEL_OP_FC_FWD));
        EXPECT_EQ(w, reinterpret_cast<const float*>(c.operand(STVP_ACCEL_FIELD_SRC1)->host));
    });
    ASSERT_TRUE(t.engine.run(fc_fwd(), t.mem));
    stvp_accel_desc bad = fc_fwd();
    bad.src0 = 1;
    EXPECT_FALSE(t.engine.run(bad, t.mem));
    EXPECT_EQ(calls, 1) << "not called for a descriptor that fails a check";
}

}  // namespace
}  // namespace stvp::accel
