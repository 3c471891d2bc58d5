// Command decoding without SystemC: every check of accel_desc.h names the right error code,
// field and value, in the documented order; operands get the right sizes; bind() resolves,
// checks overlaps and labels; the load/store engine's cost.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "accel/engine/command.h"
#include "accel/engine/handlers.h"
#include "accel/engine/sparse_engine.h"
#include "accel/engine/load_store.h"
#include "../support/accel_host_memory.h"

namespace stvp::accel {
namespace {

constexpr uint32_t kMem = 0x80000000u, kMemSize = 1u << 20;
constexpr uint32_t kSpad = 0x12000000u, kSpadSize = 0x20000;

// Two memories: "DRAM" at kMem and a "scratchpad" at kSpad.
struct FakeMemory : test::HostMemory {
    FakeMemory() : HostMemory(kMem, kMemSize, kSpad, kSpadSize) {}
};

stvp_accel_desc fc_fwd() {
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_FC_FWD;
    d.flags = STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU;
    d.n = 4, d.c = 8, d.k = 3;
    d.src0 = kMem + 0x1000, d.src1 = kMem + 0x2000, d.src2 = kMem + 0x3000, d.dst0 = kMem + 0x4000;
    return d;
}

stvp_accel_desc conv_fwd() {
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_CONV_FWD;
    d.n = 2, d.c = 3, d.h = 8, d.w = 8, d.k = 4, d.r = 3, d.s = 3, d.stride_h = 1, d.stride_w = 1, d.pad_h = 1,
    d.pad_w = 1;
    d.src0 = kMem + 0x1000, d.src1 = kMem + 0x2000, d.dst0 = kMem + 0x4000;
    return d;
}

CommandError decode_only(const stvp_accel_desc& d) {
    Command c;
    return decode(d, c);
}

void expect_error(const CommandError& e, uint32_t code, uint32_t field, uint32_t value) {
    EXPECT_EQ(e.code, code) << error_name(e.code);
    EXPECT_EQ(e.field, field) << field_name(e.field);
    EXPECT_EQ(e.value, value);
}

void set_word(stvp_accel_desc& d, uint32_t field, uint32_t v) {
    std::memcpy(reinterpret_cast<uint8_t*>(&d) + field, &v, 4);
}

TEST(AccelCommand, ValidDescriptorsDecode) {
    Command c;
    ASSERT_FALSE(decode(fc_fwd(), c));
    EXPECT_EQ(c.phase, uint32_t(STVP_ACCEL_PHASE_FWD));
    ASSERT_EQ(c.operands.size(), 4u);
    EXPECT_EQ(c.operands[0].bytes, 4u * 4 * 8);  // X
    EXPECT_EQ(c.operands[1].bytes, 4u * 3 * 8);  // W
    EXPECT_EQ(c.operands[2].bytes, 4u * 3);      // b
    EXPECT_EQ(c.operands[3].bytes, 4u * 4 * 3);  // Y
    EXPECT_TRUE(c.operands[3].is_output());
    EXPECT_FALSE(c.operands[0].is_output());
    ASSERT_FALSE(decode(conv_fwd(), c));
    EXPECT_EQ(c.operand(STVP_ACCEL_FIELD_DST0)->bytes, 4u * 2 * 4 * 8 * 8);
    EXPECT_EQ(c.operand(STVP_ACCEL_FIELD_SRC2), nullptr) << "no BIAS flag: no bias operand";
}

TEST(AccelCommand, OperandSizesOfEveryOpcode) {
    struct Case {
        uint32_t op, flags;
        std::vector<std::pair<uint32_t, uint64_t>> operands;  // field, bytes
    };
    // FC n=4 c=8 k=3; CONV n=2 c=3 8x8 k=4 3x3 stride 2 pad 1 -> 4x4; POOL n=2 c=3 8x8 2x2/2 -> 4x4.
    const uint64_t fx = 4 * 4 * 8, fw = 4 * 3 * 8, fy = 4 * 4 * 3, fb = 4 * 3;
    const uint64_t cx = 4 * 2 * 3 * 64, cw = 4 * 4 * 3 * 9, cy = 4 * 2 * 4 * 16, cb = 4 * 4;
    const uint64_t px = 4 * 2 * 3 * 64, py = 4 * 2 * 3 * 16;
    const std::vector<Case> cases = {
        {STVP_ACCEL_OP_FC_BWD_DATA, STVP_ACCEL_FLAG_RELU_MASK,
         {{STVP_ACCEL_FIELD_SRC0, fy}, {STVP_ACCEL_FIELD_SRC1, fw}, {STVP_ACCEL_FIELD_SRC2, fx}, {STVP_ACCEL_FIELD_DST0, fx}}},
        {STVP_ACCEL_OP_FC_BWD_WEIGHT, STVP_ACCEL_FLAG_BIAS,
         {{STVP_ACCEL_FIELD_SRC0, fy}, {STVP_ACCEL_FIELD_SRC1, fx}, {STVP_ACCEL_FIELD_DST0, fw}, {STVP_ACCEL_FIELD_DST1, fb}}},
        {STVP_ACCEL_OP_CONV_FWD, STVP_ACCEL_FLAG_BIAS,
         {{STVP_ACCEL_FIELD_SRC0, cx}, {STVP_ACCEL_FIELD_SRC1, cw}, {STVP_ACCEL_FIELD_SRC2, cb}, {STVP_ACCEL_FIELD_DST0, cy}}},
        {STVP_ACCEL_OP_CONV_BWD_DATA, STVP_ACCEL_FLAG_RELU_MASK,
         {{STVP_ACCEL_FIELD_SRC0, cy}, {STVP_ACCEL_FIELD_SRC1, cw}, {STVP_ACCEL_FIELD_SRC2, cx}, {STVP_ACCEL_FIELD_DST0, cx}}},
        {STVP_ACCEL_OP_CONV_BWD_WEIGHT, STVP_ACCEL_FLAG_BIAS,
         {{STVP_ACCEL_FIELD_SRC0, cy}, {STVP_ACCEL_FIELD_SRC1, cx}, {STVP_ACCEL_FIELD_DST0, cw}, {STVP_ACCEL_FIELD_DST1, cb}}},
        {STVP_ACCEL_OP_MAXPOOL_FWD, 0, {{STVP_ACCEL_FIELD_SRC0, px}, {STVP_ACCEL_FIELD_DST0, py}}},
        {STVP_ACCEL_OP_MAXPOOL_BWD, STVP_ACCEL_FLAG_RELU_MASK,
         {{STVP_ACCEL_FIELD_SRC0, px}, {STVP_ACCEL_FIELD_SRC1, py}, {STVP_ACCEL_FIELD_DST0, px}}},
        {STVP_ACCEL_OP_SOFTMAX_XENT, 0,
         {{STVP_ACCEL_FIELD_SRC0, 4 * 4 * 3}, {STVP_ACCEL_FIELD_SRC1, 4 * 4}, {STVP_ACCEL_FIELD_DST0, 4 * 4 * 3},
          {STVP_ACCEL_FIELD_DST1, 8}}},
        {STVP_ACCEL_OP_SGD, 0, {{STVP_ACCEL_FIELD_SRC0, 4 * 4}, {STVP_ACCEL_FIELD_DST0, 4 * 4}}},
        {STVP_ACCEL_OP_COPY, 0, {{STVP_ACCEL_FIELD_SRC0, 4}, {STVP_ACCEL_FIELD_DST0, 4}}},
    };
    for (const Case& k : cases) {
        stvp_accel_desc d{};
        d.opcode = k.op;
        d.flags = k.flags;
        switch (k.op) {
            case STVP_ACCEL_OP_FC_BWD_DATA:
            case STVP_ACCEL_OP_FC_BWD_WEIGHT: d.n = 4, d.c = 8, d.k = 3; break;
            case STVP_ACCEL_OP_CONV_FWD:
            case STVP_ACCEL_OP_CONV_BWD_DATA:
            case STVP_ACCEL_OP_CONV_BWD_WEIGHT:
                d.n = 2, d.c = 3, d.h = 8, d.w = 8, d.k = 4, d.r = 3, d.s = 3, d.stride_h = 2, d.stride_w = 2,
                d.pad_h = 1, d.pad_w = 1;
                break;
            case STVP_ACCEL_OP_MAXPOOL_FWD:
            case STVP_ACCEL_OP_MAXPOOL_BWD: d.n = 2, d.c = 3, d.h = 8, d.w = 8, d.r = 2, d.s = 2, d.stride_h = 2, d.stride_w = 2; break;
            case STVP_ACCEL_OP_SOFTMAX_XENT: d.n = 4, d.k = 3; break;
            default: d.n = 4; break;
        }
        for (const auto& [field, bytes] : k.operands) set_word(d, field, kMem + 0x1000 * (field - 0x3F));
        Command c;
        ASSERT_FALSE(decode(d, c)) << opcode_name(k.op) << ": " << error_name(decode(d, c).code);
        ASSERT_EQ(c.operands.size(), k.operands.size()) << opcode_name(k.op);
        for (size_t i = 0; i < k.operands.size(); ++i) {
            EXPECT_EQ(c.operands[i].field, k.operands[i].first) << opcode_name(k.op);
            EXPECT_EQ(c.operands[i].bytes, k.operands[i].second) << opcode_name(k.op) << " " << field_name(k.operands[i].first);
        }
    }
}

TEST(AccelCommand, OpcodeAndFormat) {
    for (uint32_t op : {0u, 16u, 31u, 0xFFFFFFFFu}) {
        stvp_accel_desc d = fc_fwd();
        d.opcode = op;
        expect_error(decode_only(d), STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, op);
    }
    expect_error(decode_only(stvp_accel_desc{}), STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, 0);
    for (uint32_t f : {3u, 31u, 32u, 0x80000000u}) {
        stvp_accel_desc d = fc_fwd();
        d.format = f;
        d.flags = 0x100;  // a bad flag too: the format is checked first
        expect_error(decode_only(d), STVP_ACCEL_ERR_FORMAT, STVP_ACCEL_FIELD_FORMAT, f);
    }
    EXPECT_EQ(supported_opcodes(), 0xFFFEu) << "opcodes 1..15";
    EXPECT_EQ(supported_formats(), 7u) << "dense, block, N:M";
}

TEST(AccelCommand, FlagsAcceptedPerOpcode) {
    const std::pair<uint32_t, uint32_t> accepted[] = {
        {STVP_ACCEL_OP_FC_FWD, STVP_ACCEL_FLAG_RELU | STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_SKIP_ZEROS},
        {STVP_ACCEL_OP_FC_BWD_DATA, STVP_ACCEL_FLAG_RELU_MASK | STVP_ACCEL_FLAG_SKIP_ZEROS},
        {STVP_ACCEL_OP_FC_BWD_WEIGHT, STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_SKIP_ZEROS},
        {STVP_ACCEL_OP_CONV_FWD, STVP_ACCEL_FLAG_RELU | STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_SKIP_ZEROS},
        {STVP_ACCEL_OP_CONV_BWD_DATA, STVP_ACCEL_FLAG_RELU_MASK | STVP_ACCEL_FLAG_SKIP_ZEROS},
        {STVP_ACCEL_OP_CONV_BWD_WEIGHT, STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_SKIP_ZEROS},
        {STVP_ACCEL_OP_MAXPOOL_FWD, 0},
        {STVP_ACCEL_OP_MAXPOOL_BWD, STVP_ACCEL_FLAG_RELU_MASK},
        {STVP_ACCEL_OP_SOFTMAX_XENT, 0},
        {STVP_ACCEL_OP_SGD, 0},
        {STVP_ACCEL_OP_COPY, STVP_ACCEL_FLAG_MIRROR},
        {STVP_ACCEL_OP_INIT_WEIGHTS, 0},
        {STVP_ACCEL_OP_DROPBACK, STVP_ACCEL_FLAG_FIRST | STVP_ACCEL_FLAG_TOPK | STVP_ACCEL_FLAG_RESULT},
        {STVP_ACCEL_OP_NM_PREGEN, STVP_ACCEL_FLAG_NM_BWD_FROM_FWD},
        {STVP_ACCEL_OP_GRAD_PRUNE, STVP_ACCEL_FLAG_RESULT},
    };
    for (const auto& [op, ok] : accepted) {
        for (uint32_t b = 0; b < 32; ++b) {
            const uint32_t flag = 1u << b;
            stvp_accel_desc d{};
            d.opcode = op;
            d.flags = flag;
            const CommandError e = decode_only(d);
            if ((ok | STVP_ACCEL_FLAG_IRQ) & flag)
                EXPECT_NE(e.code, uint32_t(STVP_ACCEL_ERR_FLAGS)) << opcode_name(op) << " flag " << flag;
            else
                expect_error(e, STVP_ACCEL_ERR_FLAGS, STVP_ACCEL_FIELD_FLAGS, flag);
        }
    }
}

// Every word an opcode does not use must be 0: set each in turn on a valid descriptor.
TEST(AccelCommand, UnusedFieldsMustBeZero) {
    struct Case {
        stvp_accel_desc d;
        std::vector<uint32_t> unused;
    };
    stvp_accel_desc fc_plain = fc_fwd();
    fc_plain.flags = 0;
    fc_plain.src2 = 0;
    stvp_accel_desc sgd{};
    sgd.opcode = STVP_ACCEL_OP_SGD;
    sgd.n = 16, sgd.src0 = kMem + 0x1000, sgd.dst0 = kMem + 0x2000, sgd.alpha = 0.1f, sgd.beta = 0.0f;
    const std::vector<uint32_t> reserved = {STVP_ACCEL_FIELD_RESERVED0, STVP_ACCEL_FIELD_META0, STVP_ACCEL_FIELD_META1,
                                            STVP_ACCEL_FIELD_PARAM0,    STVP_ACCEL_FIELD_PARAM1, 0x6C, 0x70, 0x74, 0x78, 0x7C};
    std::vector<Case> cases = {
        {fc_plain, {STVP_ACCEL_FIELD_H, STVP_ACCEL_FIELD_W, STVP_ACCEL_FIELD_R, STVP_ACCEL_FIELD_S,
                    STVP_ACCEL_FIELD_STRIDE_H, STVP_ACCEL_FIELD_STRIDE_W, STVP_ACCEL_FIELD_PAD_H, STVP_ACCEL_FIELD_PAD_W,
                    STVP_ACCEL_FIELD_SRC2 /* no BIAS */, STVP_ACCEL_FIELD_DST1, STVP_ACCEL_FIELD_ALPHA,
                    STVP_ACCEL_FIELD_BETA}},
        {conv_fwd(), {STVP_ACCEL_FIELD_SRC2, STVP_ACCEL_FIELD_DST1, STVP_ACCEL_FIELD_ALPHA, STVP_ACCEL_FIELD_BETA}},
        {sgd, {STVP_ACCEL_FIELD_C, STVP_ACCEL_FIELD_H, STVP_ACCEL_FIELD_K, STVP_ACCEL_FIELD_SRC1, STVP_ACCEL_FIELD_SRC2,
               STVP_ACCEL_FIELD_DST1}},
    };
    for (Case& k : cases) {
        ASSERT_FALSE(decode_only(k.d)) << opcode_name(k.d.opcode);
        k.unused.insert(k.unused.end(), reserved.begin(), reserved.end());
        for (uint32_t f : k.unused) {
            stvp_accel_desc d = k.d;
            set_word(d, f, 0x40);
            expect_error(decode_only(d), STVP_ACCEL_ERR_UNUSED, f, 0x40);
        }
    }
    // The first unused field in descriptor order is the one named.
    stvp_accel_desc d = fc_plain;
    d.param1 = 7;
    d.h = 5;
    expect_error(decode_only(d), STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_H, 5);
    // Unused is checked before the shape.
    d.n = 0;
    expect_error(decode_only(d), STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_H, 5);
}

TEST(AccelCommand, ShapeErrorsNameTheField) {
    struct Case {
        uint32_t field, value;
        uint32_t expect_field;
    };
    // CONV n=2 c=3 8x8 k=4 3x3 stride 1 pad 1.
    const Case cases[] = {
        {STVP_ACCEL_FIELD_N, 0, STVP_ACCEL_FIELD_N},           {STVP_ACCEL_FIELD_C, 0, STVP_ACCEL_FIELD_C},
        {STVP_ACCEL_FIELD_H, 0, STVP_ACCEL_FIELD_H},           {STVP_ACCEL_FIELD_W, 0, STVP_ACCEL_FIELD_W},
        {STVP_ACCEL_FIELD_K, 0, STVP_ACCEL_FIELD_K},           {STVP_ACCEL_FIELD_R, 0, STVP_ACCEL_FIELD_R},
        {STVP_ACCEL_FIELD_S, 0, STVP_ACCEL_FIELD_S},           {STVP_ACCEL_FIELD_STRIDE_H, 0, STVP_ACCEL_FIELD_STRIDE_H},
        {STVP_ACCEL_FIELD_STRIDE_W, 0, STVP_ACCEL_FIELD_STRIDE_W},
        {STVP_ACCEL_FIELD_PAD_H, 3, STVP_ACCEL_FIELD_PAD_H},   // pad >= kernel
        {STVP_ACCEL_FIELD_PAD_W, 5, STVP_ACCEL_FIELD_PAD_W},
        {STVP_ACCEL_FIELD_R, 11, STVP_ACCEL_FIELD_R},          // kernel larger than the padded input
        {STVP_ACCEL_FIELD_S, 11, STVP_ACCEL_FIELD_S},
        {STVP_ACCEL_FIELD_C, 0x40000000, STVP_ACCEL_FIELD_N},  // input tensor > 2^31 elements: first field of X
        {STVP_ACCEL_FIELD_K, 0x40000000, STVP_ACCEL_FIELD_K},  // weight tensor: first field of W is K
    };
    for (const Case& k : cases) {
        stvp_accel_desc d = conv_fwd();
        set_word(d, k.field, k.value);
        uint32_t v;
        std::memcpy(&v, reinterpret_cast<const uint8_t*>(&d) + k.expect_field, 4);
        expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, k.expect_field, v);
    }
    stvp_accel_desc d = fc_fwd();
    d.c = 0;
    expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_C, 0);
    d = stvp_accel_desc{};
    d.opcode = STVP_ACCEL_OP_MAXPOOL_FWD;
    d.n = 1, d.c = 1, d.h = 4, d.w = 4, d.r = 5, d.s = 2, d.stride_h = 1, d.stride_w = 1;
    expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_R, 5);
    d.r = 2, d.pad_h = 1;  // pooling has no padding
    expect_error(decode_only(d), STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_PAD_H, 1);
    d = stvp_accel_desc{};
    d.opcode = STVP_ACCEL_OP_SOFTMAX_XENT;
    d.n = 4;
    expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_K, 0);
    d = stvp_accel_desc{};
    d.opcode = STVP_ACCEL_OP_COPY;
    for (uint32_t n : {0u, 1u, 6u}) {
        d.n = n;
        expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, n);
    }
}

// COPY's MIRROR: w (the row length in words) is used only with the flag, must be >= 1 and
// divide n / 4; each failure names its field. The flag on any other opcode is refused by
// FlagsAcceptedPerOpcode.
TEST(AccelCommand, CopyMirrorRowChecks) {
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_COPY;
    d.n = 48, d.src0 = kMem + 0x100, d.dst0 = kMem + 0x200;
    d.w = 4;
    expect_error(decode_only(d), STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_W, 4);  // w without MIRROR
    d.flags = STVP_ACCEL_FLAG_MIRROR;
    EXPECT_FALSE(decode_only(d)) << "3 rows of 4 words";
    d.w = 12;
    EXPECT_FALSE(decode_only(d)) << "one row of 12 words";
    d.w = 0;
    expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_W, 0);
    for (uint32_t w : {5u, 24u, 0x40000000u, 0xFFFFFFFFu}) {  // 48 bytes are not whole rows of w words
        d.w = w;
        expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, 48);
    }
    d.w = 4, d.h = 3;  // MIRROR uses w only
    expect_error(decode_only(d), STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_H, 3);
    d.h = 0, d.n = 6;  // the multiple-of-4 check comes first
    expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, 6);
}

// Sizes of the sparse modes are multiplied without wrapping (each was found by fuzzing:
// 2^64 weights wrapped to 0 and passed): NM_PREGEN read past host memory, DROPBACK threw
// std::length_error out of the simulator, INIT_WEIGHTS silently wrote nothing.
TEST(AccelCommand, SparseWeightCountsNeverWrap) {
    struct Case {
        uint32_t op, k, c, r, s;
    };
    const Case cases[] = {
        {STVP_ACCEL_OP_NM_PREGEN, 1u << 16, 1u << 16, 1u << 16, 1u << 16},
        {STVP_ACCEL_OP_DROPBACK, 1u << 31, 1u << 31, 2, 2},
        {STVP_ACCEL_OP_INIT_WEIGHTS, 1u << 16, 1u << 16, 1u << 16, 1u << 16},
        {STVP_ACCEL_OP_INIT_WEIGHTS, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
        {STVP_ACCEL_OP_INIT_WEIGHTS, 1u << 31, 1, 1, 2},  // 2^32: no wrap, just too many
    };
    for (const Case& k : cases) {
        stvp_accel_desc d{};
        d.opcode = k.op;
        d.k = k.k, d.c = k.c, d.r = k.r, d.s = k.s;
        d.src0 = d.dst0 = kMem, d.meta0 = kMem + 0x1000, d.meta1 = kMem + 0x2000;
        if (k.op != STVP_ACCEL_OP_NM_PREGEN) d.src0 = 0, d.meta1 = 0;
        if (k.op == STVP_ACCEL_OP_NM_PREGEN) d.dst0 = 0, d.param0 = 2, d.param1 = 4;
        if (k.op == STVP_ACCEL_OP_INIT_WEIGHTS) d.meta0 = 0;
        if (k.op == STVP_ACCEL_OP_DROPBACK) d.alpha = 1, d.beta = 0.5f;
        SCOPED_TRACE(opcode_name(k.op));
        expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_K, k.k);
    }
}

// The work bound (accel_desc.h, STVP_ACCEL_MAX_MACS): an op whose tensors are each legal but
// whose MACs (or pooling compares) exceed it is refused on the batch field.
TEST(AccelCommand, WorkOfOneDescriptorIsBounded) {
    stvp_accel_desc d = fc_fwd();
    d.n = 1u << 11, d.c = 1u << 11, d.k = 1u << 10;  // exactly 2^32 MACs: accepted
    EXPECT_EQ(decode_only(d).code, uint32_t(STVP_ACCEL_ERR_NONE));
    d.k += 1;
    expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, d.n);

    d = conv_fwd();  // 2 x 4 x 8x8 outputs x 3x3 taps = 4608 MACs per input channel
    d.c = 1u << 20;  // X = 2^27 elements: legal; 4608 * 2^20 MACs > 2^32
    for (uint32_t op : {STVP_ACCEL_OP_CONV_FWD, STVP_ACCEL_OP_CONV_BWD_DATA, STVP_ACCEL_OP_CONV_BWD_WEIGHT}) {
        d.opcode = op, d.flags = 0, d.src2 = 0;
        expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, d.n);
    }

    d = stvp_accel_desc{};  // a 2048x2048 window slid over a 4096x4096 image: 1.8e13 compares
    d.opcode = STVP_ACCEL_OP_MAXPOOL_FWD;
    d.n = 1, d.c = 1, d.h = 4096, d.w = 4096, d.r = 2048, d.s = 2048, d.stride_h = 1, d.stride_w = 1;
    d.src0 = kMem, d.dst0 = kMem + 0x1000;
    expect_error(decode_only(d), STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, 1);
    d.stride_h = d.stride_w = 2048;  // 2x2 windows: 2^24 compares
    EXPECT_EQ(decode_only(d).code, uint32_t(STVP_ACCEL_ERR_NONE));
}

TEST(AccelCommand, ScalarsMustBeFinite) {
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_SGD;
    d.n = 4, d.src0 = kMem, d.dst0 = kMem + 16, d.alpha = 0.5f, d.beta = 1e-4f;
    EXPECT_FALSE(decode_only(d));
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                      -std::numeric_limits<float>::infinity()}) {
        stvp_accel_desc e = d;
        e.alpha = bad;
        uint32_t bits;
        std::memcpy(&bits, &bad, 4);
        expect_error(decode_only(e), STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_ALPHA, bits);
        e = d;
        e.beta = bad;
        expect_error(decode_only(e), STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_BETA, bits);
    }
    // Non-SGD ops must leave the scalars 0 (bit pattern): -0.0f is not 0.
    stvp_accel_desc f = fc_fwd();
    f.alpha = -0.0f;
    expect_error(decode_only(f), STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_ALPHA, 0x80000000u);
}

TEST(AccelCommand, AlignmentOfEveryUsedOperand) {
    for (uint32_t f : {STVP_ACCEL_FIELD_SRC0, STVP_ACCEL_FIELD_SRC1, STVP_ACCEL_FIELD_SRC2, STVP_ACCEL_FIELD_DST0}) {
        for (uint32_t off : {1u, 2u, 3u}) {
            stvp_accel_desc d = fc_fwd();
            uint32_t v;
            std::memcpy(&v, reinterpret_cast<const uint8_t*>(&d) + f, 4);
            set_word(d, f, v + off);
            expect_error(decode_only(d), STVP_ACCEL_ERR_ALIGN, f, v + off);
        }
    }
    // The first misaligned operand in field order.
    stvp_accel_desc d = fc_fwd();
    d.dst0 += 2;
    d.src1 += 1;
    expect_error(decode_only(d), STVP_ACCEL_ERR_ALIGN, STVP_ACCEL_FIELD_SRC1, kMem + 0x2001);
}

TEST(AccelCommand, BindAddressCapacityOverlap) {
    FakeMemory mem;
    auto bind_desc = [&](const stvp_accel_desc& d) {
        Command c;
        CommandError e = decode(d, c);
        EXPECT_FALSE(e) << error_name(e.code);
        return bind(c, mem);
    };
    EXPECT_FALSE(bind_desc(fc_fwd()));
    stvp_accel_desc d = fc_fwd();
    d.src1 = 0x1000;  // unmapped
    expect_error(bind_desc(d), STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_SRC1, 0x1000);
    d = fc_fwd();
    d.dst0 = kMem + kMemSize - 16;  // Y is 48 bytes: runs past the end
    expect_error(bind_desc(d), STVP_ACCEL_ERR_CAPACITY, STVP_ACCEL_FIELD_DST0, kMem + kMemSize - 16);
    // Every ADDRESS error comes before any CAPACITY error.
    d.src2 = 0x2000;
    expect_error(bind_desc(d), STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_SRC2, 0x2000);
    // Capacity of the scratchpad.
    d = fc_fwd();
    d.src0 = kSpad + kSpadSize - 64;  // X is 128 bytes
    expect_error(bind_desc(d), STVP_ACCEL_ERR_CAPACITY, STVP_ACCEL_FIELD_SRC0, kSpad + kSpadSize - 64);
    // Overlaps: output with an input, with the bias, partially, and outputs with each other.
    d = fc_fwd();
    d.dst0 = d.src0 + 124;  // X is [src0, src0 + 128)
    expect_error(bind_desc(d), STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, d.dst0);
    d.dst0 = d.src0 + 128;  // adjacent: fine
    EXPECT_FALSE(bind_desc(d));
    d = fc_fwd();
    d.dst0 = d.src2 - 40;  // Y [b-40, b+8) overlaps b [b, b+12)
    expect_error(bind_desc(d), STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, d.dst0);
    stvp_accel_desc w{};
    w.opcode = STVP_ACCEL_OP_FC_BWD_WEIGHT;
    w.flags = STVP_ACCEL_FLAG_BIAS;
    w.n = 4, w.c = 8, w.k = 3;
    w.src0 = kMem + 0x1000, w.src1 = kMem + 0x2000, w.dst0 = kMem + 0x3000, w.dst1 = kMem + 0x3000 + 92;
    expect_error(bind_desc(w), STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, kMem + 0x3000);
    // SGD: W (in/out) must not overlap g.
    stvp_accel_desc s{};
    s.opcode = STVP_ACCEL_OP_SGD;
    s.n = 8, s.src0 = kMem + 0x100, s.dst0 = kMem + 0x100 + 16, s.alpha = 0.1f;
    expect_error(bind_desc(s), STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, s.dst0);
}

TEST(AccelCommand, LabelsCheckedBeforeAnythingIsWritten) {
    FakeMemory mem;
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_SOFTMAX_XENT;
    d.n = 3, d.k = 5;
    d.src0 = kMem + 0x100, d.src1 = kMem + 0x200, d.dst0 = kMem + 0x300, d.dst1 = kMem + 0x400;
    const int32_t labels[3] = {4, 0, 5};
    std::memcpy(&mem.dram[0x200], labels, sizeof labels);
    Command c;
    ASSERT_FALSE(decode(d, c));
    expect_error(bind(c, mem), STVP_ACCEL_ERR_LABEL, STVP_ACCEL_FIELD_SRC1, 2);
    const int32_t negative[3] = {1, -1, 0};
    std::memcpy(&mem.dram[0x200], negative, sizeof negative);
    ASSERT_FALSE(decode(d, c));
    expect_error(bind(c, mem), STVP_ACCEL_ERR_LABEL, STVP_ACCEL_FIELD_SRC1, 1);
}

TEST(AccelCommand, ExecuteCopyAndScratchpadPlacement) {
    FakeMemory mem;
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_COPY;
    d.n = 64, d.src0 = kMem + 0x100, d.dst0 = kSpad + 0x40;
    for (int i = 0; i < 64; ++i) mem.dram[0x100 + i] = uint8_t(i * 3);
    Command c;
    ASSERT_FALSE(decode(d, c));
    ASSERT_FALSE(bind(c, mem));
    EXPECT_FALSE(c.operand(STVP_ACCEL_FIELD_SRC0)->in_scratchpad);
    EXPECT_TRUE(c.operand(STVP_ACCEL_FIELD_DST0)->in_scratchpad);
    SparseEngine units{AccelSparseConfig{}};
    OpWork work;
    EXPECT_EQ(op_handler(d.opcode)->execute(OpArgs{c, nullptr, units}, work), "");
    EXPECT_EQ(std::memcmp(&mem.spad[0x40], &mem.dram[0x100], 64), 0);
    EXPECT_EQ(mem.spad[0x3F], 0);
    EXPECT_EQ(mem.spad[0x80], 0);
}

// The load/store engine: DRAM requests pay latency + bytes / bandwidth, the GB port
// bytes / gb_bytes_per_cycle; the two overlap with double buffering.
TEST(AccelLoadStore, CopyCost) {
    ArrayConfig a;  // 500 MHz, 12.8 GB/s = 25.6 B/cycle, 60 ns = 30 cycles, GB port 128 B/cycle
    const uint64_t n = 4096;
    const uint64_t dram1 = 30 + 160;  // one request of 4096 B: 4096 / 25.6 = 160 cycles
    OpCost to_spad = copy_cost(a, n, false, true);
    EXPECT_EQ(to_spad.cycles, dram1) << "GB port (32 cycles) hidden under the DRAM stream";
    EXPECT_EQ(to_spad.counts.dram_read_bytes, n);
    EXPECT_EQ(to_spad.counts.dram_write_bytes, 0u);
    EXPECT_EQ(to_spad.counts.gb_write_bytes, n);
    EXPECT_EQ(to_spad.counts.gb_read_bytes, 0u);
    OpCost from_spad = copy_cost(a, n, true, false);
    EXPECT_EQ(from_spad.cycles, dram1);
    EXPECT_EQ(from_spad.counts.dram_write_bytes, n);
    EXPECT_EQ(from_spad.counts.gb_read_bytes, n);
    OpCost dram_dram = copy_cost(a, n, false, false);
    EXPECT_EQ(dram_dram.cycles, 2 * 30 + 320u);
    EXPECT_EQ(dram_dram.counts.gb_read_bytes + dram_dram.counts.gb_write_bytes, 2 * n) << "staged through the GB";
    OpCost spad_spad = copy_cost(a, n, true, true);
    EXPECT_EQ(spad_spad.cycles, 64u) << "2 x 4096 B over the 128 B/cycle port";
    EXPECT_EQ(spad_spad.counts.dram_read_bytes + spad_spad.counts.dram_write_bytes, 0u);
    a.double_buffering = false;
    EXPECT_EQ(copy_cost(a, n, false, true).cycles, dram1 + 32);
}

}  // namespace
}  // namespace stvp::accel
