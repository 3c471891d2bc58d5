// The functional math against the plain reference (reference_ops.cpp) on seeded random shapes.
#include <cstring>

#include "accel/core/ops.h"
#include "reference_ops.h"
#include "test_helpers.h"

using namespace stvp::accel;
using namespace stvp::accel::test;

namespace {
constexpr double kTol = 2e-5;  // fp32 accumulation against double, relative to the result's scale
}

TEST(AccelOps, FcAllPhasesMatchReference) {
    std::mt19937 rng(11);
    for (int it = 0; it < 30; ++it) {
        const FcShape s{uint32_t(rand_int(rng, 1, 20)), uint32_t(rand_int(rng, 1, 70)), uint32_t(rand_int(rng, 1, 40))};
        auto x = random_vec(s.x_elements(), rng), w = random_vec(s.w_elements(), rng);
        auto b = random_vec(s.out_features, rng), dy = random_vec(s.y_elements(), rng);
        const bool relu = it % 2 == 0;
        std::vector<float> y(s.y_elements()), dx(s.x_elements()), dw(s.w_elements()), db(s.out_features);
        ASSERT_EQ(fc_forward(s, x.data(), w.data(), relu ? b.data() : nullptr, y.data(), relu), "");
        EXPECT_LT(scaled_error(y, ref::fc_forward(s, x.data(), w.data(), relu ? b.data() : nullptr, relu)), kTol);
        const float* mask = relu ? x.data() : nullptr;
        ASSERT_EQ(fc_input_grad(s, dy.data(), w.data(), mask, dx.data()), "");
        EXPECT_LT(scaled_error(dx, ref::fc_input_grad(s, dy.data(), w.data(), mask)), kTol);
        ASSERT_EQ(fc_weight_grad(s, dy.data(), x.data(), dw.data(), db.data()), "");
        std::vector<double> rdw, rdb;
        ref::fc_weight_grad(s, dy.data(), x.data(), rdw, rdb);
        EXPECT_LT(scaled_error(dw, rdw), kTol);
        EXPECT_LT(scaled_error(db, rdb), kTol);
    }
}

TEST(AccelOps, ConvAllPhasesMatchReference) {
    std::mt19937 rng(12);
    for (int it = 0; it < 60; ++it) {
        const Conv2dShape s = random_conv(rng);
        SCOPED_TRACE(testing::Message() << "N" << s.batch << " C" << s.in_channels << " H" << s.in_h << " W" << s.in_w
                                        << " K" << s.out_channels << " R" << s.kernel_h << " S" << s.kernel_w << " st"
                                        << s.stride_h << "," << s.stride_w << " pad" << s.pad_h << "," << s.pad_w);
        auto x = random_vec(s.x_elements(), rng), w = random_vec(s.w_elements(), rng);
        auto b = random_vec(s.out_channels, rng), dy = random_vec(s.y_elements(), rng);
        const bool relu = it % 2 == 1;
        std::vector<float> y(s.y_elements()), dx(s.x_elements(), 7.0f), dw(s.w_elements()), db(s.out_channels);
        ASSERT_EQ(conv2d_forward(s, x.data(), w.data(), b.data(), y.data(), relu), "");
        EXPECT_LT(scaled_error(y, ref::conv_forward(s, x.data(), w.data(), b.data(), relu)), kTol);
        const float* mask = relu ? x.data() : nullptr;
        ASSERT_EQ(conv2d_input_grad(s, dy.data(), w.data(), mask, dx.data()), "");
        EXPECT_LT(scaled_error(dx, ref::conv_input_grad(s, dy.data(), w.data(), mask)), kTol);
        ASSERT_EQ(conv2d_weight_grad(s, dy.data(), x.data(), dw.data(), relu ? db.data() : nullptr), "");
        std::vector<double> rdw, rdb;
        ref::conv_weight_grad(s, dy.data(), x.data(), rdw, rdb);
        EXPECT_LT(scaled_error(dw, rdw), kTol);
        if (relu) {
            EXPECT_LT(scaled_error(db, rdb), kTol);
        }
    }
}

TEST(AccelOps, ConvWithLargeWorkspaceIsComputedInBlocks) {
    // C*R*S x P*Q = 4096 x 1600 floats exceeds the 2^22-float im2col workspace: the ops split
    // the output positions into blocks (here 1024 + 576, the second starting mid-row).
    std::mt19937 rng(16);
    Conv2dShape s;
    s.batch = 1, s.in_channels = 64, s.in_h = 45, s.in_w = 45, s.out_channels = 2, s.kernel_h = 8, s.kernel_w = 8;
    s.pad_h = s.pad_w = 1;
    ASSERT_EQ(s.out_h(), 40u);
    auto x = random_vec(s.x_elements(), rng), w = random_vec(s.w_elements(), rng), dy = random_vec(s.y_elements(), rng);
    std::vector<float> y(s.y_elements()), dx(s.x_elements()), dw(s.w_elements()), db(2);
    ASSERT_EQ(conv2d_forward(s, x.data(), w.data(), nullptr, y.data(), false), "");
    EXPECT_LT(scaled_error(y, ref::conv_forward(s, x.data(), w.data(), nullptr, false)), kTol);
    ASSERT_EQ(conv2d_input_grad(s, dy.data(), w.data(), nullptr, dx.data()), "");
    EXPECT_LT(scaled_error(dx, ref::conv_input_grad(s, dy.data(), w.data(), nullptr)), kTol);
    ASSERT_EQ(conv2d_weight_grad(s, dy.data(), x.data(), dw.data(), db.data()), "");
    std::vector<double> rdw, rdb;
    ref::conv_weight_grad(s, dy.data(), x.data(), rdw, rdb);
    EXPECT_LT(scaled_error(dw, rdw), kTol);
}

TEST(AccelOps, MaxPoolMatchesReferenceIncludingOverlapAndMask) {
    std::mt19937 rng(13);
    for (int it = 0; it < 40; ++it) {
        Pool2dShape s;
        s.batch = rand_int(rng, 1, 3), s.channels = rand_int(rng, 1, 4);
        s.in_h = rand_int(rng, 1, 9), s.in_w = rand_int(rng, 1, 9);
        s.kernel_h = rand_int(rng, 1, s.in_h), s.kernel_w = rand_int(rng, 1, s.in_w);
        s.stride_h = rand_int(rng, 1, 3), s.stride_w = rand_int(rng, 1, 3);
        ASSERT_EQ(validate(s), "");
        auto x = random_vec(s.x_elements(), rng), dy = random_vec(s.y_elements(), rng);
        // Quantised values make ties common: the first maximum must win, as in the reference.
        for (float& v : x) v = std::round(v * 3.0f) / 3.0f;
        std::vector<float> y(s.y_elements()), dx(s.x_elements(), 5.0f);
        ASSERT_EQ(maxpool2d_forward(s, x.data(), y.data()), "");
        EXPECT_EQ(scaled_error(y, ref::maxpool_forward(s, x.data())), 0.0);
        const bool mask = it % 2 == 0;
        ASSERT_EQ(maxpool2d_backward(s, x.data(), dy.data(), dx.data(), mask), "");
        EXPECT_LT(scaled_error(dx, ref::maxpool_backward(s, x.data(), dy.data(), mask)), 1e-6);
    }
}

TEST(AccelOps, SoftmaxXentMatchesReference) {
    std::mt19937 rng(14);
    for (int it = 0; it < 20; ++it) {
        const SoftmaxXentShape s{uint32_t(rand_int(rng, 1, 70)), uint32_t(rand_int(rng, 1, 12))};
        auto logits = random_vec(s.elements(), rng, -30.0f, 30.0f);  // large: needs the max subtraction
        std::vector<int32_t> labels(s.batch);
        for (auto& l : labels) l = int32_t(rand_int(rng, 0, s.classes - 1));
        std::vector<float> dl(s.elements());
        XentResult r;
        ASSERT_EQ(softmax_xent(s, logits.data(), labels.data(), dl.data(), &r), "");
        std::vector<double> rdl;
        uint32_t correct = 0;
        const double loss = ref::softmax_xent(s, logits.data(), labels.data(), rdl, correct);
        EXPECT_NEAR(r.loss, loss, 1e-5 * std::max(1.0, std::abs(loss)));
        EXPECT_EQ(r.correct, correct);
        EXPECT_LT(scaled_error(dl, rdl), 1e-6);
    }
}

TEST(AccelOps, SoftmaxXentRejectsBadLabelWithoutWriting) {
    const SoftmaxXentShape s{3, 4};
    std::vector<float> logits(12, 0.5f), dl(12, 9.0f);
    std::vector<int32_t> labels{0, 4, 1};
    XentResult r{1.5f, 7};
    EXPECT_EQ(softmax_xent(s, logits.data(), labels.data(), dl.data(), &r), "labels[1] 4 outside 0..3");
    labels[1] = -1;
    EXPECT_EQ(softmax_xent(s, logits.data(), labels.data(), dl.data(), &r), "labels[1] -1 outside 0..3");
    for (float v : dl) EXPECT_EQ(v, 9.0f);
    EXPECT_EQ(r.loss, 1.5f);
    EXPECT_EQ(r.correct, 7u);
}

TEST(AccelOps, SgdUpdateWithWeightDecay) {
    std::vector<float> w{1.0f, -2.0f, 0.5f}, g{0.5f, 0.25f, -1.0f};
    ASSERT_EQ(sgd_update(SgdShape{3}, w.data(), g.data(), 0.1f, 0.01f), "");
    EXPECT_FLOAT_EQ(w[0], 1.0f - 0.1f * (0.5f + 0.01f * 1.0f));
    EXPECT_FLOAT_EQ(w[1], -2.0f - 0.1f * (0.25f + 0.01f * -2.0f));
    EXPECT_FLOAT_EQ(w[2], 0.5f - 0.1f * (-1.0f + 0.01f * 0.5f));
    EXPECT_EQ(sgd_update(SgdShape{3}, w.data(), g.data(), NAN, 0.0f), "lr nan not finite");
    EXPECT_EQ(sgd_update(SgdShape{3}, w.data(), g.data(), 0.1f, INFINITY), "weight_decay inf not finite");
}

TEST(AccelOps, InvalidShapeIsReportedAndNothingWritten) {
    Conv2dShape s;
    s.in_h = 2, s.in_w = 2, s.kernel_h = 3;
    float x[4] = {1, 2, 3, 4}, w[3] = {1, 1, 1}, y[4] = {9, 9, 9, 9};
    EXPECT_EQ(conv2d_forward(s, x, w, nullptr, y, false), "kernel_h 3 larger than padded input_h 2");
    EXPECT_EQ(y[0], 9.0f);
    EXPECT_EQ(fc_forward(FcShape{1, 0, 1}, x, w, nullptr, y, false), "in_features 0 must be at least 1");
}

TEST(AccelOps, BitIdenticalAcrossRuns) {
    std::mt19937 rng(15);
    Conv2dShape s;
    s.batch = 4, s.in_channels = 6, s.in_h = 12, s.in_w = 12, s.out_channels = 16, s.kernel_h = 5, s.kernel_w = 5;
    auto x = random_vec(s.x_elements(), rng), w = random_vec(s.w_elements(), rng), dy = random_vec(s.y_elements(), rng);
    auto run = [&] {
        std::vector<float> y(s.y_elements()), dx(s.x_elements()), dw(s.w_elements());
        conv2d_forward(s, x.data(), w.data(), nullptr, y.data(), true);
        conv2d_input_grad(s, dy.data(), w.data(), x.data(), dx.data());
        conv2d_weight_grad(s, dy.data(), x.data(), dw.data(), nullptr);
        y.insert(y.end(), dx.begin(), dx.end());
        y.insert(y.end(), dw.begin(), dw.end());
        return y;
    };
    const auto a = run(), b = run();
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
}
