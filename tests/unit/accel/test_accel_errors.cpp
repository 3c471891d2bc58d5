// Bad descriptors and bad chains on the device: every check gives the right ERR_CODE,
// ERR_FIELD, ERR_DESC and ERR_VALUE with the error interrupt, and nothing in memory changes
// (the whole DRAM image is compared, so guard bands around the outputs are covered); a chain
// stops at its first bad descriptor after the earlier ones completed.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "accel/core/timing.h"
#include "accel/engine/load_store.h"
#include "accel_bench.h"

namespace stvp::test {
namespace {

struct Expect {
    uint32_t code, field, value;
};

// Runs the chain at kDescBase and checks the error registers and the interrupt.
void expect_chain_error(Bench& b, uint32_t count, uint32_t desc, const Expect& e, const std::string& what,
                        uint32_t base = kDescBase) {
    b.wr(ACCEL_INT_STATUS, 0xFFFFFFFF);
    b.start(count, base);
    b.wait_idle();
    wait(SC_ZERO_TIME);
    wait(SC_ZERO_TIME);
    EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_ERROR_MASK)) << what;
    EXPECT_EQ(b.rd(ACCEL_ERR_CODE), e.code) << what;
    EXPECT_EQ(b.rd(ACCEL_ERR_FIELD), e.field) << what;
    EXPECT_EQ(b.rd(ACCEL_ERR_VALUE), e.value) << what;
    EXPECT_EQ(b.rd(ACCEL_ERR_DESC), desc) << what;
    EXPECT_EQ(b.rd(ACCEL_DESCS_DONE), desc) << what;
    EXPECT_EQ(b.rd(ACCEL_INT_STATUS), uint32_t(ACCEL_INT_STATUS_ERROR_MASK)) << what;
    EXPECT_TRUE(b.irq.read()) << what;
}

TEST(AccelErrors, DescBaseAndCount) {
    AccelConfig cfg;
    cfg.max_chain = 8;
    Bench b("bench", cfg);
    b.run([](Bench& b) {
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_ERROR_MASK);
        const sc_time t0 = sc_time_stamp();
        expect_chain_error(b, 1, 0, {STVP_ACCEL_ERR_DESC_BASE, STVP_ACCEL_FIELD_NONE, 0}, "base 0", 0);
        EXPECT_EQ(sc_time_stamp(), t0) << "rejected without a fetch";
        expect_chain_error(b, 1, 0, {STVP_ACCEL_ERR_DESC_BASE, STVP_ACCEL_FIELD_NONE, kDescBase + 32}, "base + 32",
                           kDescBase + 32);
        expect_chain_error(b, 0, 0, {STVP_ACCEL_ERR_DESC_COUNT, STVP_ACCEL_FIELD_NONE, 0}, "count 0");
        expect_chain_error(b, 9, 0, {STVP_ACCEL_ERR_DESC_COUNT, STVP_ACCEL_FIELD_NONE, 9}, "count > MAX_CHAIN");
    });
    EXPECT_EQ(b.accel.stats().chains_failed, 4u);
    EXPECT_TRUE(b.records.empty()) << "no descriptor was fetched";
}

// Descriptors in a hole, in a memory without DMI (fetch uses b_transport: fine), or past
// the end of DRAM.
TEST(AccelErrors, DescriptorFetch) {
    Bench b("bench");
    b.run([](Bench& b) {
        b.wr(ACCEL_DESC_BASE, 0x1000);
        b.wr(ACCEL_DESC_COUNT, 1);
        b.wr(ACCEL_CTRL, ACCEL_CTRL_START_MASK);
        b.wait_idle();
        EXPECT_EQ(b.rd(ACCEL_ERR_CODE), uint32_t(STVP_ACCEL_ERR_DESC_FETCH));
        EXPECT_EQ(b.rd(ACCEL_ERR_FIELD), uint32_t(STVP_ACCEL_FIELD_NONE));
        EXPECT_EQ(b.rd(ACCEL_ERR_VALUE), 0x1000u);
        // A chain whose third descriptor lies past the end of DRAM: the first two complete.
        const uint32_t base = uint32_t(kDram + kDramSize - 2 * STVP_ACCEL_DESC_SIZE);
        stvp_accel_desc d = make_desc(STVP_ACCEL_OP_COPY);
        d.n = 16, d.src0 = kHeap, d.dst0 = kHeap + 64;
        b.put(base, &d, sizeof d);
        b.put(base + STVP_ACCEL_DESC_SIZE, &d, sizeof d);
        b.wr(ACCEL_DESC_BASE, base);
        b.wr(ACCEL_DESC_COUNT, 3);
        b.wr(ACCEL_CTRL, ACCEL_CTRL_START_MASK);
        b.wait_idle();
        EXPECT_EQ(b.rd(ACCEL_ERR_CODE), uint32_t(STVP_ACCEL_ERR_DESC_FETCH));
        EXPECT_EQ(b.rd(ACCEL_ERR_DESC), 2u);
        EXPECT_EQ(b.rd(ACCEL_ERR_VALUE), uint32_t(kDram + kDramSize));
        EXPECT_EQ(b.rd(ACCEL_DESCS_DONE), 2u);
        // The very end of the address space: the fetch would wrap.
        b.wr(ACCEL_DESC_BASE, 0xFFFFFFC0u);
        b.wr(ACCEL_DESC_COUNT, 1);
        b.wr(ACCEL_CTRL, ACCEL_CTRL_START_MASK);
        b.wait_idle();
        EXPECT_EQ(b.rd(ACCEL_ERR_CODE), uint32_t(STVP_ACCEL_ERR_DESC_FETCH));
        EXPECT_EQ(b.rd(ACCEL_ERR_VALUE), 0xFFFFFFC0u);
    });
    ASSERT_EQ(b.records.size(), 5u);
    EXPECT_FALSE(b.records[0].fetched);
    EXPECT_TRUE(b.records[1].fetched);
    EXPECT_FALSE(b.records[3].fetched);
    EXPECT_FALSE(b.records[4].fetched);
}

// One valid FC_FWD (bias, ReLU) descriptor, mutated one field at a time: every check through
// the device names its field, and memory is untouched.
TEST(AccelErrors, EveryBadFieldThroughTheDevice) {
    Bench b("bench");
    const uint32_t x = b.alloc(4 * 4 * 8), w = b.alloc(4 * 3 * 8), bias = b.alloc(12), y = b.alloc(48);
    b.put_floats(x, random_floats(32, 1));
    b.put_floats(w, random_floats(24, 2));
    b.put_floats(bias, random_floats(3, 3));
    b.put_floats(y, std::vector<float>(12, 7.0f));
    stvp_accel_desc good = make_desc(STVP_ACCEL_OP_FC_FWD, STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU, 1);
    good.n = 4, good.c = 8, good.k = 3, good.src0 = x, good.src1 = w, good.src2 = bias, good.dst0 = y;
    const uint32_t spad_end = STVP_SPAD_BASE + uint32_t(AccelConfig{}.spad_bytes);

    struct Case {
        const char* what;
        void (*mutate)(stvp_accel_desc&, uint32_t spad_end);
        Expect e;
    };
    const Case cases[] = {
        {"opcode 0", [](stvp_accel_desc& d, uint32_t) { d.opcode = 0; }, {STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, 0}},
        {"opcode 200", [](stvp_accel_desc& d, uint32_t) { d.opcode = 200; }, {STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, 200}},
        {"format", [](stvp_accel_desc& d, uint32_t) { d.format = 3; }, {STVP_ACCEL_ERR_FORMAT, STVP_ACCEL_FIELD_FORMAT, 3}},
        {"flags", [](stvp_accel_desc& d, uint32_t) { d.flags |= STVP_ACCEL_FLAG_RELU_MASK; },
         {STVP_ACCEL_ERR_FLAGS, STVP_ACCEL_FIELD_FLAGS, 7}},
        {"unused h", [](stvp_accel_desc& d, uint32_t) { d.h = 1; }, {STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_H, 1}},
        {"unused dst1", [](stvp_accel_desc& d, uint32_t) { d.dst1 = 0x80000000; },
         {STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_DST1, 0x80000000}},
        {"meta0", [](stvp_accel_desc& d, uint32_t) { d.meta0 = 4; }, {STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_META0, 4}},
        {"reserved1[4]", [](stvp_accel_desc& d, uint32_t) { d.reserved1[4] = 9; }, {STVP_ACCEL_ERR_UNUSED, 0x7C, 9}},
        {"n 0", [](stvp_accel_desc& d, uint32_t) { d.n = 0; }, {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, 0}},
        {"k 0", [](stvp_accel_desc& d, uint32_t) { d.k = 0; }, {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_K, 0}},
        {"src1 misaligned", [](stvp_accel_desc& d, uint32_t) { d.src1 += 2; },
         {STVP_ACCEL_ERR_ALIGN, STVP_ACCEL_FIELD_SRC1, 0}},
        {"src0 in a hole", [](stvp_accel_desc& d, uint32_t) { d.src0 = 0x2000; },
         {STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_SRC0, 0x2000}},
        {"src2 in a memory without DMI", [](stvp_accel_desc& d, uint32_t) { d.src2 = kNoDmi; },
         {STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_SRC2, kNoDmi}},
        {"dst0 in the spad region beyond the scratchpad RAM",
         [](stvp_accel_desc& d, uint32_t e) { d.dst0 = e + 0x1000; }, {STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_DST0, 0}},
        {"dst0 past the end of DRAM", [](stvp_accel_desc& d, uint32_t) { d.dst0 = uint32_t(kDram + kDramSize - 32); },
         {STVP_ACCEL_ERR_CAPACITY, STVP_ACCEL_FIELD_DST0, uint32_t(kDram + kDramSize - 32)}},
        {"dst0 past the end of the scratchpad", [](stvp_accel_desc& d, uint32_t e) { d.dst0 = e - 16; },
         {STVP_ACCEL_ERR_CAPACITY, STVP_ACCEL_FIELD_DST0, 0}},
        {"dst0 overlaps W", [](stvp_accel_desc& d, uint32_t) { d.dst0 = d.src1 + 8; },
         {STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, 0}},
        {"dst0 overlaps the bias", [](stvp_accel_desc& d, uint32_t) { d.dst0 = d.src2 - 44; },
         {STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, 0}},
    };
    b.run([&](Bench& b) {
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_ERROR_MASK);
        for (const Case& k : cases) {
            stvp_accel_desc d = good;
            k.mutate(d, spad_end);
            b.put_desc(0, d);
            std::vector<uint8_t> img = b.snapshot();
            Expect e = k.e;
            if (e.value == 0 && e.code >= STVP_ACCEL_ERR_ALIGN) {  // the field's (address) value
                std::memcpy(&e.value, reinterpret_cast<const uint8_t*>(&d) + e.field, 4);
            }
            const sc_time t0 = sc_time_stamp();
            expect_chain_error(b, 1, 0, e, k.what);
            EXPECT_EQ(sc_time_stamp() - t0, double(overhead_cycles()) * kCycle) << k.what << ": fetch + decode only";
            EXPECT_EQ(b.diff(img), 0u) << k.what << ": memory changed";
        }
        // The good descriptor works, after all that.
        b.put_desc(0, good);
        b.wr(ACCEL_INT_STATUS, 0xFFFFFFFF);
        b.start(1);
        b.wait_idle();
        EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK));
    });
    EXPECT_NE(b.floats(y, 12), std::vector<float>(12, 7.0f));
    EXPECT_EQ(b.accel.stats().chains_failed, std::size(cases));
    EXPECT_EQ(b.accel.stats().per_layer_phase.at({1, STVP_ACCEL_PHASE_IDLE}).overhead_cycles,
              std::size(cases) * overhead_cycles())
        << "failed descriptors are charged fetch and decode under phase 0";
}

TEST(AccelErrors, SgdScalarAndXentLabelThroughTheDevice) {
    Bench b("bench");
    const uint32_t w = b.alloc(64), g = b.alloc(64);
    const uint32_t logits = b.alloc(4 * 12), labels = b.alloc(12), dl = b.alloc(4 * 12), res = b.alloc(8);
    b.put_floats(w, random_floats(16, 1));
    b.put_floats(g, random_floats(16, 2));
    b.put_floats(logits, random_floats(12, 3));
    const int32_t lab[3] = {1, 2, 4};  // 4 is outside 0..3
    b.put(labels, lab, sizeof lab);
    stvp_accel_desc sgd = make_desc(STVP_ACCEL_OP_SGD);
    sgd.n = 16, sgd.src0 = g, sgd.dst0 = w, sgd.alpha = std::numeric_limits<float>::quiet_NaN();
    stvp_accel_desc xent = make_desc(STVP_ACCEL_OP_SOFTMAX_XENT);
    xent.n = 3, xent.k = 4, xent.src0 = logits, xent.src1 = labels, xent.dst0 = dl, xent.dst1 = res;
    b.run([&](Bench& b) {
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_ERROR_MASK);
        b.put_desc(0, sgd);
        std::vector<uint8_t> img = b.snapshot();
        uint32_t nan_bits;
        std::memcpy(&nan_bits, &sgd.alpha, 4);
        expect_chain_error(b, 1, 0, {STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_ALPHA, nan_bits}, "alpha NaN");
        EXPECT_EQ(b.diff(img), 0u);
        b.put_desc(0, xent);
        img = b.snapshot();
        expect_chain_error(b, 1, 0, {STVP_ACCEL_ERR_LABEL, STVP_ACCEL_FIELD_SRC1, 2}, "label 4 of 4 classes");
        EXPECT_EQ(b.diff(img), 0u) << "neither dlogits nor the result written";
    });
}

// A chain stops at its first bad descriptor: the ones before completed (their outputs are
// written), the bad one and the ones after wrote nothing; the time is the good descriptors
// plus the bad one's fetch and decode.
TEST(AccelErrors, ChainStopsAtFirstBadDescriptor) {
    Bench b("bench");
    auto copy = [&](uint32_t src, uint32_t dst, uint32_t n) {
        stvp_accel_desc d = make_desc(STVP_ACCEL_OP_COPY, 0, 5);
        d.n = n, d.src0 = src, d.dst0 = dst;
        return d;
    };
    const uint32_t a = b.alloc(256), o0 = b.alloc(256), o1 = b.alloc(256), o2 = b.alloc(256), o3 = b.alloc(256);
    std::vector<float> av = random_floats(64, 9);
    b.put_floats(a, av);
    for (uint32_t o : {o0, o1, o2, o3}) b.put_floats(o, std::vector<float>(64, -1.0f));
    b.put_desc(0, copy(a, o0, 256));
    b.put_desc(1, copy(a, o1, 256));
    stvp_accel_desc bad = copy(a, o2, 256);
    bad.param0 = 1;
    b.put_desc(2, bad);
    b.put_desc(3, copy(a, o3, 256));
    const AccelConfig cfg;
    const uint64_t good = overhead_cycles() + accel::copy_cost(cfg.array, 256, false, false).cycles;
    b.run([&](Bench& b) {
        std::vector<uint8_t> expected = b.snapshot();
        std::memcpy(expected.data() + (o0 - kDram), av.data(), 256);
        std::memcpy(expected.data() + (o1 - kDram), av.data(), 256);
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_ERROR_MASK);
        expect_chain_error(b, 4, 2, {STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_PARAM0, 1}, "param0");
        EXPECT_EQ(b.diff(expected), 0u);
        EXPECT_EQ(b.rd(ACCEL_CUR_DESC), 2u);
    });
    ASSERT_EQ(b.records.size(), 3u);
    EXPECT_EQ(b.records[2].end - b.records[0].start, double(2 * good + overhead_cycles()) * kCycle);
    EXPECT_EQ(b.records[2].error.code, uint32_t(STVP_ACCEL_ERR_UNUSED));
    EXPECT_EQ(b.accel.stats().descriptors, 2u);
}

}  // namespace
}  // namespace stvp::test
