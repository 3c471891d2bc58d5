// The renaming of the three phases into one loop nest, checked by evaluating the generic nest
// with the documented operand transformations and comparing with the reference ops.
#include "accel/core/loop_nest.h"

#include <chrono>
#include <future>
#include <thread>

#include "reference_ops.h"
#include "test_helpers.h"

using namespace stvp::accel;
using namespace stvp::accel::test;

namespace {

// Out[n][k][p][q] = sum Wt[k][c][r][s] * In[n][c][p*st + r*dil - pad][q*st + s*dil - pad], straight
// from the loop_nest.h definition, with the operands given as accessor functions.
template <typename WtF, typename InF, typename OutF>
void eval_nest(const OpShape& o, WtF wt, InF in, OutF out) {
    for (int64_t n = 0; n < o.e(Dim::N); ++n)
        for (int64_t k = 0; k < o.e(Dim::K); ++k)
            for (int64_t p = 0; p < o.e(Dim::P); ++p)
                for (int64_t q = 0; q < o.e(Dim::Q); ++q) {
                    double acc = 0;
                    for (int64_t c = 0; c < o.e(Dim::C); ++c)
                        for (int64_t r = 0; r < o.e(Dim::R); ++r)
                            for (int64_t s = 0; s < o.e(Dim::S); ++s) {
                                const int64_t h = p * o.stride_h + r * o.dilation_h - o.pad_h;
                                const int64_t w = q * o.stride_w + s * o.dilation_w - o.pad_w;
                                if (h < 0 || h >= o.in_h || w < 0 || w >= o.in_w) continue;
                                acc += wt(k, c, r, s) * in(n, c, h, w);
                            }
                    out(n, k, p, q, acc);
                }
}

}  // namespace

TEST(AccelLoopNest, FcPhasesRenameDimensions) {
    const FcShape s{8, 20, 5};
    const OpShape f = fc_nest(s, Phase::Forward), i = fc_nest(s, Phase::InputGrad), w = fc_nest(s, Phase::WeightGrad);
    EXPECT_EQ(f.extent, (DimArray{8, 5, 20, 1, 1, 1, 1}));
    EXPECT_EQ(i.extent, (DimArray{8, 20, 5, 1, 1, 1, 1}));
    EXPECT_EQ(w.extent, (DimArray{20, 5, 8, 1, 1, 1, 1}));
    EXPECT_EQ(f.macs(), s.macs());
    EXPECT_EQ(i.macs(), s.macs());
    EXPECT_EQ(w.macs(), s.macs());
    EXPECT_EQ(w.tensor[int(Role::Weight)], Tensor::dY);
    EXPECT_EQ(w.tensor[int(Role::Input)], Tensor::X);
    EXPECT_EQ(w.tensor[int(Role::Output)], Tensor::dW);
    EXPECT_EQ(i.tensor[int(Role::Input)], Tensor::dY);
    EXPECT_EQ(i.tensor[int(Role::Output)], Tensor::dX);
}

TEST(AccelLoopNest, ConvPhasesEvaluateToTheReferenceOps) {
    std::mt19937 rng(31);
    for (int it = 0; it < 25; ++it) {
        const Conv2dShape s = random_conv(rng, 8, 3);
        const int64_t C = s.in_channels, H = s.in_h, W = s.in_w, K = s.out_channels, R = s.kernel_h, S = s.kernel_w,
                      P = s.out_h(), Q = s.out_w();
        auto x = random_vec(s.x_elements(), rng), w = random_vec(s.w_elements(), rng), dy = random_vec(s.y_elements(), rng);
        auto X = [&](int64_t n, int64_t c, int64_t h, int64_t ww) { return double(x[((n * C + c) * H + h) * W + ww]); };
        auto Wf = [&](int64_t k, int64_t c, int64_t r, int64_t t) { return double(w[((k * C + c) * R + r) * S + t]); };
        auto DY = [&](int64_t n, int64_t k, int64_t p, int64_t q) { return double(dy[((n * K + k) * P + p) * Q + q]); };

        // Forward: Wt = W, In = X, Out = Y.
        const auto fwd = conv_nests(s, Phase::Forward);
        ASSERT_EQ(fwd.size(), 1u);
        std::vector<float> y(s.y_elements());
        eval_nest(fwd[0], Wf, X, [&](int64_t n, int64_t k, int64_t p, int64_t q, double v) {
            y[((n * K + k) * P + p) * Q + q] = float(v);
        });
        EXPECT_LT(scaled_error(y, ref::conv_forward(s, x.data(), w.data(), nullptr, false)), 1e-5);

        // Weight gradient: Wt[k][c'][r'][s'] = dY[c'][k][r'][s'], In[n'][c'] = X[c'][n'], Out[n'][k][p'][q'] = dW[k][n'][p'][q'].
        const auto wg = conv_nests(s, Phase::WeightGrad);
        ASSERT_EQ(wg.size(), 1u);
        std::vector<float> dw(s.w_elements());
        eval_nest(wg[0], [&](int64_t k, int64_t c, int64_t r, int64_t t) { return DY(c, k, r, t); },
                  [&](int64_t n, int64_t c, int64_t h, int64_t ww) { return X(c, n, h, ww); },
                  [&](int64_t n, int64_t k, int64_t p, int64_t q, double v) { dw[((k * C + n) * R + p) * S + q] = float(v); });
        std::vector<double> rdw, rdb;
        ref::conv_weight_grad(s, dy.data(), x.data(), rdw, rdb);
        EXPECT_LT(scaled_error(dw, rdw), 1e-5);

        // Input gradient: stride_h*stride_w sub-nests; nest (a, b) holds the dX pixels with
        // (h + pad_h) % stride_h == a (the i-th is h0 + i*stride_h) and the taps r % stride_h == a,
        // flipped; Wt = W transposed, In = dY.
        std::vector<float> dx(s.x_elements(), 0.0f);
        const auto ig = conv_nests(s, Phase::InputGrad);
        size_t next = 0;
        for (int64_t a = 0; a < s.stride_h; ++a) {
            const int64_t h0 = ((a - int64_t(s.pad_h)) % s.stride_h + s.stride_h) % s.stride_h;
            const int64_t ta = a < R ? (R - 1 - a) / s.stride_h + 1 : 0;
            if (h0 >= H || ta == 0) continue;
            for (int64_t b = 0; b < s.stride_w; ++b) {
                const int64_t w0 = ((b - int64_t(s.pad_w)) % s.stride_w + s.stride_w) % s.stride_w;
                const int64_t tb = b < S ? (S - 1 - b) / s.stride_w + 1 : 0;
                if (w0 >= W || tb == 0) continue;
                ASSERT_LT(next, ig.size());
                const OpShape& o = ig[next++];
                EXPECT_EQ(o.e(Dim::R), ta);
                EXPECT_EQ(o.e(Dim::S), tb);
                eval_nest(o,
                          [&](int64_t k, int64_t c, int64_t r, int64_t t) {
                              return Wf(c, k, a + (ta - 1 - r) * s.stride_h, b + (tb - 1 - t) * s.stride_w);
                          },
                          DY,
                          [&](int64_t n, int64_t k, int64_t p, int64_t q, double v) {
                              dx[((n * C + k) * H + h0 + p * s.stride_h) * W + w0 + q * s.stride_w] += float(v);
                          });
            }
        }
        EXPECT_EQ(next, ig.size());
        EXPECT_LT(scaled_error(dx, ref::conv_input_grad(s, dy.data(), w.data(), nullptr)), 1e-5);

        // Real (non-padding) MACs are the same work in every phase.
        int64_t ig_real = 0;
        for (const OpShape& o : ig) ig_real += o.real_macs();
        EXPECT_EQ(fwd[0].real_macs(), wg[0].real_macs());
        EXPECT_EQ(fwd[0].real_macs(), ig_real);
        EXPECT_EQ(fwd[0].macs(), s.macs());
        EXPECT_LE(fwd[0].real_macs(), fwd[0].macs());
    }
}

TEST(AccelLoopNest, InputRowsWithGapsAndClipping) {
    // stride 1, dilation 3: outputs 0..1, taps 0..2 -> rows {0,1,3,4,6,7}
    EXPECT_EQ(input_rows(0, 2, 0, 3, 1, 3, 0, 100), 6);
    EXPECT_EQ(window(2, 3, 1, 3), 6);
    // outputs 0..3 cover the gaps: contiguous 0..9
    EXPECT_EQ(input_rows(0, 4, 0, 3, 1, 3, 0, 100), 10);
    // stride 2, 2 taps: rows {2p, 2p+1}: contiguous; padding 1 clips row -1
    EXPECT_EQ(input_rows(0, 3, 0, 2, 2, 1, 1, 100), 5);
    EXPECT_EQ(window(3, 2, 2, 1), 6);
    // stride 3, 1 tap: rows {0, 3, 6}, clipped to [0, 5)
    EXPECT_EQ(input_rows(0, 3, 0, 1, 3, 1, 0, 5), 2);
}

TEST(AccelLoopNest, ElementsOfOperands) {
    Conv2dShape s;
    s.batch = 2, s.in_channels = 3, s.in_h = 7, s.in_w = 7, s.out_channels = 4, s.kernel_h = 3, s.kernel_w = 3;
    s.pad_h = s.pad_w = 1;
    const OpShape f = conv_nests(s, Phase::Forward)[0];
    EXPECT_EQ(f.elements(Role::Weight), s.w_elements());
    EXPECT_EQ(f.elements(Role::Input), s.x_elements());
    EXPECT_EQ(f.elements(Role::Output), s.y_elements());
}

// A stride far larger than the kernel (a firmware's garbage stride_h = 0xdd117b4d) has the same
// sub-nests as any stride >= H + pad: the input gradient's nests are built in time that follows
// the kernel, not the stride's value (it once looped 3.7e9 times: 15 s of host CPU). The
// watchdog only catches that hang; it is seconds above the microseconds the call takes.
TEST(AccelLoopNest, HugeStrideInputGradIsBoundedAndEqualsAnyLargeStride) {
    Conv2dShape s{1, 2, 5, 5, 3, 3, 3, 0xdd117b4du, 0xffffffffu, 1, 1};
    std::promise<std::vector<OpShape>> done;
    std::future<std::vector<OpShape>> result = done.get_future();
    std::thread([p = std::move(done), s]() mutable { p.set_value(conv_nests(s, Phase::InputGrad)); }).detach();
    ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready)
        << "conv_nests loops once per stride value";
    const std::vector<OpShape> huge = result.get();
    // Residues a = 1, 2 (h0 = 0, 1) each hold one output row and one tap; a = 0 starts past H.
    ASSERT_EQ(huge.size(), 4u);
    Conv2dShape small = s;
    small.stride_h = small.stride_w = 6;
    const std::vector<OpShape> ref = conv_nests(small, Phase::InputGrad);
    ASSERT_EQ(ref.size(), huge.size());
    for (size_t i = 0; i < huge.size(); ++i) {
        EXPECT_EQ(huge[i].extent, ref[i].extent);
        EXPECT_EQ(huge[i].extent, (DimArray{1, 2, 3, 1, 1, 1, 1}));
        EXPECT_EQ(huge[i].pad_h, ref[i].pad_h);
        EXPECT_EQ(huge[i].pad_w, ref[i].pad_w);
    }
}
