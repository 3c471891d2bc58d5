// Every operation through a descriptor on the device: outputs equal the core numerics
// (accel/core/ops.h) on the same inputs, bit for bit; nothing else in DRAM changes (the whole
// DRAM image is compared, so the guard bands around outputs are checked); the descriptor
// takes exactly fetch + decode + the TimingModel's cycles.
#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

#include "accel/core/ops.h"
#include "accel/core/timing.h"
#include "accel/engine/load_store.h"
#include "accel_bench.h"

namespace stvp::test {
namespace {

using accel::Phase;

// Pointer into a DRAM image (a snapshot) at a bus address.
float* at(std::vector<uint8_t>& img, uint32_t addr) { return reinterpret_cast<float*>(img.data() + (addr - kDram)); }

// Runs one descriptor and checks memory and time. `reference` computes the expected outputs
// into the image with the core functions; `op_cycles` is the TimingModel's cost.
void check_single(Bench& b, const stvp_accel_desc& d, const std::function<void(std::vector<uint8_t>&)>& reference,
                  uint64_t op_cycles) {
    std::vector<uint8_t> expected = b.snapshot();
    reference(expected);
    b.put_desc(0, d);
    // The descriptor itself is in DRAM: it is part of the expected image.
    std::memcpy(expected.data() + (kDescBase - kDram), &d, sizeof d);
    const sc_time t = b.run_chain(1);
    EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK)) << "ERR_CODE " << b.rd(ACCEL_ERR_CODE);
    EXPECT_EQ(b.rd(ACCEL_ERR_CODE), 0u);
    EXPECT_EQ(b.rd(ACCEL_DESCS_DONE), 1u);
    EXPECT_EQ(t, double(overhead_cycles() + op_cycles) * kCycle);
    EXPECT_EQ(b.diff(expected), 0u) << "first differing byte (0 = none)";
}

TEST(AccelOps, FcForwardHandChecked) {
    Bench b("bench");
    // X[2][3], W[2][3], b[2]: Y = X W^T + b, then ReLU.
    const uint32_t x = b.alloc(24), w = b.alloc(24), bias = b.alloc(8), y = b.alloc(16);
    b.put_floats(x, {1, 2, 3, -1, 0, 1});
    b.put_floats(w, {1, 0, -1, 0.5f, 0.5f, 0.5f});
    b.put_floats(bias, {0.25f, 1});
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_FWD, STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU, 7);
    d.n = 2, d.c = 3, d.k = 2, d.src0 = x, d.src1 = w, d.src2 = bias, d.dst0 = y;
    b.put_desc(0, d);
    b.run([&](Bench& b) { b.run_chain(1); });
    // Row 0: [1 - 3 + 0.25, 3 + 1] = [-1.75, 4]; row 1: [-1 - 1 + 0.25, 0 + 1] = [-1.75, 1]; ReLU.
    EXPECT_EQ(b.floats(y, 4), (std::vector<float>{0, 4, 0, 1}));
    EXPECT_EQ(b.records.size(), 1u);
    EXPECT_EQ(b.records[0].layer, 7u);
    EXPECT_EQ(b.records[0].cost.macs, 12u);
}

TEST(AccelOps, FcForwardNoReluHandChecked) {
    Bench b("bench");
    const uint32_t x = b.alloc(24), w = b.alloc(24), y = b.alloc(16);
    b.put_floats(x, {1, 2, 3, -1, 0, 1});
    b.put_floats(w, {1, 0, -1, 0.5f, 0.5f, 0.5f});
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_FWD);
    d.n = 2, d.c = 3, d.k = 2, d.src0 = x, d.src1 = w, d.dst0 = y;
    b.put_desc(0, d);
    b.run([&](Bench& b) { b.run_chain(1); });
    EXPECT_EQ(b.floats(y, 4), (std::vector<float>{-2, 3, -2, 0}));
}

TEST(AccelOps, FcForwardBiasRelu) {
    Bench b("bench");
    const accel::FcShape s{5, 37, 19};
    const uint32_t x = b.alloc(4 * s.x_elements()), w = b.alloc(4 * s.w_elements()), bias = b.alloc(4 * 19),
                   y = b.alloc(4 * s.y_elements());
    b.put_floats(x, random_floats(s.x_elements(), 1));
    b.put_floats(w, random_floats(s.w_elements(), 2));
    b.put_floats(bias, random_floats(19, 3));
    b.put_floats(y, std::vector<float>(s.y_elements(), 99.0f));
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_FWD, STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU, 1);
    d.n = s.batch, d.c = s.in_features, d.k = s.out_features, d.src0 = x, d.src1 = w, d.src2 = bias, d.dst0 = y;
    accel::TimingModel tm(AccelConfig{}.array);
    accel::NestOptions opt;
    opt.bias = opt.relu = true;
    const uint64_t cyc = tm.fc(s, Phase::Forward, opt).cycles;
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::fc_forward(s, at(m, x), at(m, w), at(m, bias), at(m, y), true), "");
        }, cyc);
    });
}

TEST(AccelOps, FcInputGradWithReluMask) {
    Bench b("bench");
    const accel::FcShape s{4, 33, 10};
    const uint32_t dy = b.alloc(4 * s.y_elements()), w = b.alloc(4 * s.w_elements()), x = b.alloc(4 * s.x_elements()),
                   dx = b.alloc(4 * s.x_elements());
    b.put_floats(dy, random_floats(s.y_elements(), 4));
    b.put_floats(w, random_floats(s.w_elements(), 5));
    b.put_floats(x, random_floats(s.x_elements(), 6));  // about half <= 0: masked
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_BWD_DATA, STVP_ACCEL_FLAG_RELU_MASK, 2);
    d.n = s.batch, d.c = s.in_features, d.k = s.out_features, d.src0 = dy, d.src1 = w, d.src2 = x, d.dst0 = dx;
    accel::TimingModel tm(AccelConfig{}.array);
    accel::NestOptions opt;
    opt.relu_mask = true;
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::fc_input_grad(s, at(m, dy), at(m, w), at(m, x), at(m, dx)), "");
        }, tm.fc(s, Phase::InputGrad, opt).cycles);
    });
    EXPECT_EQ(b.records.at(0).phase, uint32_t(STVP_ACCEL_PHASE_BWD_DATA));
}

TEST(AccelOps, FcWeightGradWithBiasGrad) {
    Bench b("bench");
    const accel::FcShape s{8, 20, 12};
    const uint32_t dy = b.alloc(4 * s.y_elements()), x = b.alloc(4 * s.x_elements()), dw = b.alloc(4 * s.w_elements()),
                   db = b.alloc(4 * 12);
    b.put_floats(dy, random_floats(s.y_elements(), 7));
    b.put_floats(x, random_floats(s.x_elements(), 8));
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_BWD_WEIGHT, STVP_ACCEL_FLAG_BIAS, 2);
    d.n = s.batch, d.c = s.in_features, d.k = s.out_features, d.src0 = dy, d.src1 = x, d.dst0 = dw, d.dst1 = db;
    accel::TimingModel tm(AccelConfig{}.array);
    accel::NestOptions opt;
    opt.bias = true;
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::fc_weight_grad(s, at(m, dy), at(m, x), at(m, dw), at(m, db)), "");
        }, tm.fc(s, Phase::WeightGrad, opt).cycles);
    });
    EXPECT_EQ(b.records.at(0).phase, uint32_t(STVP_ACCEL_PHASE_BWD_WEIGHT));
}

accel::Conv2dShape conv_shape() {
    // Batch, stride 2 and padding 1 on a non-square input.
    return accel::Conv2dShape{2, 3, 9, 7, 5, 3, 3, 2, 2, 1, 1};
}

stvp_accel_desc conv_desc(uint32_t op, uint32_t flags, const accel::Conv2dShape& s) {
    stvp_accel_desc d = make_desc(op, flags, 3);
    d.n = s.batch, d.c = s.in_channels, d.h = s.in_h, d.w = s.in_w, d.k = s.out_channels, d.r = s.kernel_h,
    d.s = s.kernel_w, d.stride_h = s.stride_h, d.stride_w = s.stride_w, d.pad_h = s.pad_h, d.pad_w = s.pad_w;
    return d;
}

TEST(AccelOps, ConvForwardStridePaddingBatch) {
    Bench b("bench");
    const accel::Conv2dShape s = conv_shape();
    const uint32_t x = b.alloc(4 * s.x_elements()), w = b.alloc(4 * s.w_elements()), bias = b.alloc(4 * 5),
                   y = b.alloc(4 * s.y_elements());
    b.put_floats(x, random_floats(s.x_elements(), 9));
    b.put_floats(w, random_floats(s.w_elements(), 10));
    b.put_floats(bias, random_floats(5, 11));
    stvp_accel_desc d = conv_desc(STVP_ACCEL_OP_CONV_FWD, STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU, s);
    d.src0 = x, d.src1 = w, d.src2 = bias, d.dst0 = y;
    accel::TimingModel tm(AccelConfig{}.array);
    accel::NestOptions opt;
    opt.bias = opt.relu = true;
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::conv2d_forward(s, at(m, x), at(m, w), at(m, bias), at(m, y), true), "");
        }, tm.conv2d(s, Phase::Forward, opt).cycles);
    });
    EXPECT_EQ(s.out_h(), 5u);
    EXPECT_EQ(s.out_w(), 4u);
}

TEST(AccelOps, ConvInputGradStridedWithMask) {
    Bench b("bench");
    const accel::Conv2dShape s = conv_shape();
    const uint32_t dy = b.alloc(4 * s.y_elements()), w = b.alloc(4 * s.w_elements()), x = b.alloc(4 * s.x_elements()),
                   dx = b.alloc(4 * s.x_elements());
    b.put_floats(dy, random_floats(s.y_elements(), 12));
    b.put_floats(w, random_floats(s.w_elements(), 13));
    b.put_floats(x, random_floats(s.x_elements(), 14));
    stvp_accel_desc d = conv_desc(STVP_ACCEL_OP_CONV_BWD_DATA, STVP_ACCEL_FLAG_RELU_MASK, s);
    d.src0 = dy, d.src1 = w, d.src2 = x, d.dst0 = dx;
    accel::TimingModel tm(AccelConfig{}.array);
    accel::NestOptions opt;
    opt.relu_mask = true;
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::conv2d_input_grad(s, at(m, dy), at(m, w), at(m, x), at(m, dx)), "");
        }, tm.conv2d(s, Phase::InputGrad, opt).cycles);
    });
}

TEST(AccelOps, ConvWeightGradWithBiasGrad) {
    Bench b("bench");
    const accel::Conv2dShape s = conv_shape();
    const uint32_t dy = b.alloc(4 * s.y_elements()), x = b.alloc(4 * s.x_elements()), dw = b.alloc(4 * s.w_elements()),
                   db = b.alloc(4 * 5);
    b.put_floats(dy, random_floats(s.y_elements(), 15));
    b.put_floats(x, random_floats(s.x_elements(), 16));
    stvp_accel_desc d = conv_desc(STVP_ACCEL_OP_CONV_BWD_WEIGHT, STVP_ACCEL_FLAG_BIAS, s);
    d.src0 = dy, d.src1 = x, d.dst0 = dw, d.dst1 = db;
    accel::TimingModel tm(AccelConfig{}.array);
    accel::NestOptions opt;
    opt.bias = true;
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::conv2d_weight_grad(s, at(m, dy), at(m, x), at(m, dw), at(m, db)), "");
        }, tm.conv2d(s, Phase::WeightGrad, opt).cycles);
    });
}

accel::Pool2dShape pool_shape() { return accel::Pool2dShape{2, 3, 9, 8, 3, 2, 2, 2}; }

stvp_accel_desc pool_desc(uint32_t op, uint32_t flags, const accel::Pool2dShape& s) {
    stvp_accel_desc d = make_desc(op, flags, 4);
    d.n = s.batch, d.c = s.channels, d.h = s.in_h, d.w = s.in_w, d.r = s.kernel_h, d.s = s.kernel_w,
    d.stride_h = s.stride_h, d.stride_w = s.stride_w;
    return d;
}

TEST(AccelOps, MaxPoolForward) {
    Bench b("bench");
    const accel::Pool2dShape s = pool_shape();
    const uint32_t x = b.alloc(4 * s.x_elements()), y = b.alloc(4 * s.y_elements());
    b.put_floats(x, random_floats(s.x_elements(), 17));
    stvp_accel_desc d = pool_desc(STVP_ACCEL_OP_MAXPOOL_FWD, 0, s);
    d.src0 = x, d.dst0 = y;
    accel::TimingModel tm(AccelConfig{}.array);
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::maxpool2d_forward(s, at(m, x), at(m, y)), "");
        }, tm.maxpool2d_forward(s).cycles);
    });
    EXPECT_EQ(b.records.at(0).phase, uint32_t(STVP_ACCEL_PHASE_FWD));
}

TEST(AccelOps, MaxPoolBackwardWithReluMask) {
    Bench b("bench");
    const accel::Pool2dShape s = pool_shape();
    const uint32_t x = b.alloc(4 * s.x_elements()), dy = b.alloc(4 * s.y_elements()), dx = b.alloc(4 * s.x_elements());
    b.put_floats(x, random_floats(s.x_elements(), 18));
    b.put_floats(dy, random_floats(s.y_elements(), 19));
    stvp_accel_desc d = pool_desc(STVP_ACCEL_OP_MAXPOOL_BWD, STVP_ACCEL_FLAG_RELU_MASK, s);
    d.src0 = x, d.src1 = dy, d.dst0 = dx;
    accel::TimingModel tm(AccelConfig{}.array);
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::maxpool2d_backward(s, at(m, x), at(m, dy), at(m, dx), true), "");
        }, tm.maxpool2d_backward(s).cycles);
    });
    EXPECT_EQ(b.records.at(0).phase, uint32_t(STVP_ACCEL_PHASE_BWD_DATA));
}

TEST(AccelOps, SoftmaxCrossEntropy) {
    Bench b("bench");
    const accel::SoftmaxXentShape s{6, 10};
    const uint32_t logits = b.alloc(4 * 60), labels = b.alloc(4 * 6), dl = b.alloc(4 * 60), res = b.alloc(8);
    b.put_floats(logits, random_floats(60, 20, -3, 3));
    const int32_t lab[6] = {0, 9, 3, 3, 5, 1};
    b.put(labels, lab, sizeof lab);
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_SOFTMAX_XENT, 0, 9);
    d.n = 6, d.k = 10, d.src0 = logits, d.src1 = labels, d.dst0 = dl, d.dst1 = res;
    accel::TimingModel tm(AccelConfig{}.array);
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            accel::XentResult r;
            EXPECT_EQ(accel::softmax_xent(s, at(m, logits), reinterpret_cast<const int32_t*>(at(m, labels)),
                                          at(m, dl), &r), "");
            stvp_accel_xent_result out{r.loss, r.correct};
            std::memcpy(at(m, res), &out, 8);
        }, tm.softmax_xent(s).cycles);
    });
    stvp_accel_xent_result r;
    std::memcpy(&r, b.host(res), 8);
    EXPECT_GT(r.loss, 0.0f);
    EXPECT_LE(r.correct, 6u);
    EXPECT_EQ(b.records.at(0).phase, uint32_t(STVP_ACCEL_PHASE_LOSS));
}

TEST(AccelOps, SgdUpdateInPlace) {
    Bench b("bench");
    const uint32_t n = 1000;
    const uint32_t w = b.alloc(4 * n), g = b.alloc(4 * n);
    b.put_floats(w, random_floats(n, 21));
    b.put_floats(g, random_floats(n, 22));
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_SGD, 0, 5);
    d.n = n, d.src0 = g, d.dst0 = w, d.alpha = 0.05f, d.beta = 1e-3f;
    accel::TimingModel tm(AccelConfig{}.array);
    b.run([&](Bench& b) {
        check_single(b, d, [&](std::vector<uint8_t>& m) {
            EXPECT_EQ(accel::sgd_update(accel::SgdShape{n}, at(m, w), at(m, g), 0.05f, 1e-3f), "");
        }, tm.sgd(accel::SgdShape{n}).cycles);
    });
    EXPECT_EQ(b.records.at(0).phase, uint32_t(STVP_ACCEL_PHASE_UPDATE));
}

// The load/store engine: DRAM -> scratchpad -> DRAM, charged by load_store.h, visible to
// the CPU side of the scratchpad; an op may read its operands from the scratchpad.
TEST(AccelOps, CopyThroughScratchpadAndOpOnScratchpad) {
    Bench b("bench");
    const accel::FcShape s{2, 16, 4};
    const uint32_t x = b.alloc(4 * 32), w = b.alloc(4 * 64), y = b.alloc(4 * 8), back = b.alloc(4 * 32);
    const uint32_t sx = STVP_SPAD_BASE + 0x100, sy = STVP_SPAD_BASE + 0x400;
    const std::vector<float> xv = random_floats(32, 23), wv = random_floats(64, 24);
    b.put_floats(x, xv);
    b.put_floats(w, wv);
    stvp_accel_desc c1 = make_desc(STVP_ACCEL_OP_COPY, 0, 1);
    c1.n = 128, c1.src0 = x, c1.dst0 = sx;
    stvp_accel_desc fc = make_desc(STVP_ACCEL_OP_FC_FWD, 0, 1);
    fc.n = 2, fc.c = 16, fc.k = 4, fc.src0 = sx, fc.src1 = w, fc.dst0 = sy;
    stvp_accel_desc c2 = make_desc(STVP_ACCEL_OP_COPY, 0, 1);
    c2.n = 32, c2.src0 = sy, c2.dst0 = y;
    stvp_accel_desc c3 = make_desc(STVP_ACCEL_OP_COPY, 0, 1);
    c3.n = 128, c3.src0 = x, c3.dst0 = back;  // DRAM -> DRAM
    uint32_t i = 0;
    for (const auto& d : {c1, fc, c2, c3}) b.put_desc(i++, d);
    const AccelConfig cfg;
    accel::TimingModel tm(cfg.array);
    const uint64_t cycles = 4 * overhead_cycles() + accel::copy_cost(cfg.array, 128, false, true).cycles +
                            tm.fc(s, Phase::Forward).cycles + accel::copy_cost(cfg.array, 32, true, false).cycles +
                            accel::copy_cost(cfg.array, 128, false, false).cycles;
    b.run([&](Bench& b) {
        EXPECT_EQ(b.run_chain(4), double(cycles) * kCycle);
        EXPECT_EQ(b.rd(ACCEL_DESCS_DONE), 4u);
    });
    std::vector<float> ref(8);
    EXPECT_EQ(accel::fc_forward(s, xv.data(), wv.data(), nullptr, ref.data(), false), "");
    EXPECT_EQ(b.floats(y, 8), ref);
    EXPECT_EQ(b.floats(sy, 8), ref);
    EXPECT_EQ(b.floats(back, 32), xv);
    ASSERT_EQ(b.records.size(), 4u);
    EXPECT_EQ(b.records[0].phase, uint32_t(STVP_ACCEL_PHASE_COPY));
    EXPECT_EQ(b.records[0].cost.dram_bytes, 128u);
    EXPECT_EQ(b.records[0].cost.gb_bytes, 128u);
    EXPECT_EQ(b.records[3].cost.dram_bytes, 256u);
}

}  // namespace
}  // namespace stvp::test
