// Backward ops against finite differences of the forward computation (in double) on tiny shapes.
#include "accel/core/ops.h"
#include "reference_ops.h"
#include "test_helpers.h"

using namespace stvp::accel;
using namespace stvp::accel::test;

namespace {

std::vector<double> to_d(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

double dot(const std::vector<double>& a, const std::vector<float>& g) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * g[i];
    return s;
}

// Central difference of f at every element of v.
template <typename F>
std::vector<double> numeric_grad(std::vector<double> v, F f, double h) {
    std::vector<double> g(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        const double keep = v[i];
        v[i] = keep + h;
        const double up = f(v);
        v[i] = keep - h;
        const double down = f(v);
        v[i] = keep;
        g[i] = (up - down) / (2 * h);
    }
    return g;
}

}  // namespace

TEST(AccelGradcheck, ConvInputAndWeightGradients) {
    std::mt19937 rng(21);
    for (int it = 0; it < 12; ++it) {
        const Conv2dShape s = random_conv(rng, 6, 3);
        auto x = random_vec(s.x_elements(), rng), w = random_vec(s.w_elements(), rng);
        auto g = random_vec(s.y_elements(), rng);  // L = sum(g * Y)
        const auto xd = to_d(x), wd = to_d(w);
        const auto num_dx = numeric_grad(xd, [&](const std::vector<double>& v) { return dot(ref::conv_forward_d(s, v, wd), g); }, 1e-3);
        const auto num_dw = numeric_grad(wd, [&](const std::vector<double>& v) { return dot(ref::conv_forward_d(s, xd, v), g); }, 1e-3);
        std::vector<float> dx(s.x_elements()), dw(s.w_elements()), db(s.out_channels);
        ASSERT_EQ(conv2d_input_grad(s, g.data(), w.data(), nullptr, dx.data()), "");
        ASSERT_EQ(conv2d_weight_grad(s, g.data(), x.data(), dw.data(), db.data()), "");
        EXPECT_LT(scaled_error(dx, num_dx), 1e-5);
        EXPECT_LT(scaled_error(dw, num_dw), 1e-5);
        // L depends on b[k] through every output of channel k.
        std::vector<double> num_db(s.out_channels, 0.0);
        const int64_t pq = int64_t{s.out_h()} * s.out_w();
        for (int64_t n = 0; n < s.batch; ++n)
            for (int64_t k = 0; k < s.out_channels; ++k)
                for (int64_t i = 0; i < pq; ++i) num_db[k] += g[(n * s.out_channels + k) * pq + i];
        EXPECT_LT(scaled_error(db, num_db), 1e-5);
    }
}

TEST(AccelGradcheck, TwoFcLayersWithFusedReluBackward) {
    // X0 -> FC1 + ReLU -> X1 -> FC2 -> Y, L = sum(g * Y). The ReLU of FC1 is undone by FC2's
    // input gradient, masked by FC2's saved input X1 (ops.h).
    std::mt19937 rng(22);
    const FcShape l1{3, 5, 4}, l2{3, 4, 2};
    auto x0 = random_vec(l1.x_elements(), rng), w1 = random_vec(l1.w_elements(), rng);
    auto b1 = random_vec(4, rng), w2 = random_vec(l2.w_elements(), rng), g = random_vec(l2.y_elements(), rng);
    auto loss = [&](const std::vector<double>& w1v) {
        double L = 0;
        for (int n = 0; n < 3; ++n) {
            double x1[4];
            for (int k = 0; k < 4; ++k) {
                double a = b1[k];
                for (int c = 0; c < 5; ++c) a += w1v[k * 5 + c] * x0[n * 5 + c];
                x1[k] = a > 0 ? a : 0;
            }
            for (int j = 0; j < 2; ++j) {
                double y = 0;
                for (int k = 0; k < 4; ++k) y += w2[j * 4 + k] * x1[k];
                L += g[n * 2 + j] * y;
            }
        }
        return L;
    };
    const auto num_dw1 = numeric_grad(to_d(w1), loss, 1e-4);
    std::vector<float> x1(l1.y_elements()), dx1(l2.x_elements()), dw1(l1.w_elements());
    ASSERT_EQ(fc_forward(l1, x0.data(), w1.data(), b1.data(), x1.data(), true), "");
    ASSERT_EQ(fc_input_grad(l2, g.data(), w2.data(), x1.data(), dx1.data()), "");
    ASSERT_EQ(fc_weight_grad(l1, dx1.data(), x0.data(), dw1.data(), nullptr), "");
    EXPECT_LT(scaled_error(dw1, num_dw1), 1e-4);
}

TEST(AccelGradcheck, SoftmaxXentGradientOfMeanLoss) {
    std::mt19937 rng(23);
    const SoftmaxXentShape s{4, 5};
    auto logits = random_vec(s.elements(), rng, -3.0f, 3.0f);
    const std::vector<int32_t> labels{0, 4, 2, 2};
    std::vector<float> dl(s.elements());
    XentResult r;
    ASSERT_EQ(softmax_xent(s, logits.data(), labels.data(), dl.data(), &r), "");
    const auto num = numeric_grad(to_d(logits), [&](const std::vector<double>& v) {
        return ref::softmax_xent_loss_d(s, v, labels.data());
    }, 1e-5);
    EXPECT_LT(scaled_error(dl, num), 1e-6);
    EXPECT_NEAR(r.loss, ref::softmax_xent_loss_d(s, to_d(logits), labels.data()), 1e-6);
}

TEST(AccelGradcheck, MaxPoolBackward) {
    Pool2dShape s;
    s.batch = 2, s.channels = 2, s.in_h = 5, s.in_w = 6, s.kernel_h = 3, s.kernel_w = 2, s.stride_h = 2,
    s.stride_w = 1;  // overlapping windows along h
    std::mt19937 rng(24);
    // Distinct values, spaced well beyond the finite-difference step: the argmax cannot flip.
    std::vector<float> x(s.x_elements());
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(i) * 0.1f;
    std::shuffle(x.begin(), x.end(), rng);
    auto g = random_vec(s.y_elements(), rng);
    const auto num = numeric_grad(to_d(x), [&](const std::vector<double>& v) {
        std::vector<float> vf(v.begin(), v.end());
        return dot(ref::maxpool_forward(s, vf.data()), g);
    }, 1e-3);
    std::vector<float> dx(s.x_elements());
    ASSERT_EQ(maxpool2d_backward(s, x.data(), g.data(), dx.data(), false), "");
    EXPECT_LT(scaled_error(dx, num), 1e-3);
}
