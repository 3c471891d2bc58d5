#include "reference_ops.h"

#include <cmath>

namespace stvp::accel::ref {

std::vector<double> fc_forward(const FcShape& s, const float* x, const float* w, const float* b, bool relu) {
    const int64_t N = s.batch, C = s.in_features, K = s.out_features;
    std::vector<double> y(N * K);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < K; ++k) {
            double acc = b ? b[k] : 0.0;
            for (int64_t c = 0; c < C; ++c) acc += double(x[n * C + c]) * w[k * C + c];
            y[n * K + k] = relu && acc < 0 ? 0.0 : acc;
        }
    return y;
}

std::vector<double> fc_input_grad(const FcShape& s, const float* dy, const float* w, const float* mask) {
    const int64_t N = s.batch, C = s.in_features, K = s.out_features;
    std::vector<double> dx(N * C);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c) {
            double acc = 0;
            for (int64_t k = 0; k < K; ++k) acc += double(dy[n * K + k]) * w[k * C + c];
            dx[n * C + c] = mask && !(mask[n * C + c] > 0) ? 0.0 : acc;
        }
    return dx;
}

void fc_weight_grad(const FcShape& s, const float* dy, const float* x, std::vector<double>& dw,
                    std::vector<double>& db) {
    const int64_t N = s.batch, C = s.in_features, K = s.out_features;
    dw.assign(K * C, 0.0);
    db.assign(K, 0.0);
    for (int64_t k = 0; k < K; ++k) {
        for (int64_t c = 0; c < C; ++c) {
            double acc = 0;
            for (int64_t n = 0; n < N; ++n) acc += double(dy[n * K + k]) * x[n * C + c];
            dw[k * C + c] = acc;
        }
        for (int64_t n = 0; n < N; ++n) db[k] += dy[n * K + k];
    }
}

namespace {
template <typename T>
std::vector<double> conv_fwd_impl(const Conv2dShape& s, const T* x, const T* w, const float* b, bool relu) {
    const int64_t N = s.batch, C = s.in_channels, H = s.in_h, W = s.in_w, K = s.out_channels, R = s.kernel_h,
                  S = s.kernel_w, P = s.out_h(), Q = s.out_w();
    std::vector<double> y(N * K * P * Q);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < K; ++k)
            for (int64_t p = 0; p < P; ++p)
                for (int64_t q = 0; q < Q; ++q) {
                    double acc = b ? b[k] : 0.0;
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t r = 0; r < R; ++r)
                            for (int64_t t = 0; t < S; ++t) {
                                const int64_t h = p * s.stride_h + r - s.pad_h, ww = q * s.stride_w + t - s.pad_w;
                                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                                acc += double(x[((n * C + c) * H + h) * W + ww]) * double(w[((k * C + c) * R + r) * S + t]);
                            }
                    y[((n * K + k) * P + p) * Q + q] = relu && acc < 0 ? 0.0 : acc;
                }
    return y;
}
}  // namespace

std::vector<double> conv_forward(const Conv2dShape& s, const float* x, const float* w, const float* b, bool relu) {
    return conv_fwd_impl(s, x, w, b, relu);
}

std::vector<double> conv_forward_d(const Conv2dShape& s, const std::vector<double>& x, const std::vector<double>& w) {
    return conv_fwd_impl(s, x.data(), w.data(), nullptr, false);
}

std::vector<double> conv_input_grad(const Conv2dShape& s, const float* dy, const float* w, const float* mask) {
    const int64_t N = s.batch, C = s.in_channels, H = s.in_h, W = s.in_w, K = s.out_channels, R = s.kernel_h,
                  S = s.kernel_w, P = s.out_h(), Q = s.out_w();
    // Gather form (a different loop structure from the scatter in ops.cpp).
    std::vector<double> dx(N * C * H * W);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t h = 0; h < H; ++h)
                for (int64_t ww = 0; ww < W; ++ww) {
                    double acc = 0;
                    for (int64_t k = 0; k < K; ++k)
                        for (int64_t r = 0; r < R; ++r)
                            for (int64_t t = 0; t < S; ++t) {
                                const int64_t ph = h + s.pad_h - r, qw = ww + s.pad_w - t;
                                if (ph < 0 || qw < 0 || ph % s.stride_h || qw % s.stride_w) continue;
                                const int64_t p = ph / s.stride_h, q = qw / s.stride_w;
                                if (p >= P || q >= Q) continue;
                                acc += double(w[((k * C + c) * R + r) * S + t]) * dy[((n * K + k) * P + p) * Q + q];
                            }
                    const int64_t i = ((n * C + c) * H + h) * W + ww;
                    dx[i] = mask && !(mask[i] > 0) ? 0.0 : acc;
                }
    return dx;
}

void conv_weight_grad(const Conv2dShape& s, const float* dy, const float* x, std::vector<double>& dw,
                      std::vector<double>& db) {
    const int64_t N = s.batch, C = s.in_channels, H = s.in_h, W = s.in_w, K = s.out_channels, R = s.kernel_h,
                  S = s.kernel_w, P = s.out_h(), Q = s.out_w();
    dw.assign(K * C * R * S, 0.0);
    db.assign(K, 0.0);
    for (int64_t k = 0; k < K; ++k) {
        for (int64_t c = 0; c < C; ++c)
            for (int64_t r = 0; r < R; ++r)
                for (int64_t t = 0; t < S; ++t) {
                    double acc = 0;
                    for (int64_t n = 0; n < N; ++n)
                        for (int64_t p = 0; p < P; ++p)
                            for (int64_t q = 0; q < Q; ++q) {
                                const int64_t h = p * s.stride_h + r - s.pad_h, ww = q * s.stride_w + t - s.pad_w;
                                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                                acc += double(dy[((n * K + k) * P + p) * Q + q]) * x[((n * C + c) * H + h) * W + ww];
                            }
                    dw[((k * C + c) * R + r) * S + t] = acc;
                }
        for (int64_t n = 0; n < N; ++n)
            for (int64_t i = 0; i < P * Q; ++i) db[k] += dy[(n * K + k) * P * Q + i];
    }
}

std::vector<double> maxpool_forward(const Pool2dShape& s, const float* x) {
    const int64_t NC = int64_t{s.batch} * s.channels, H = s.in_h, W = s.in_w, P = s.out_h(), Q = s.out_w();
    std::vector<double> y(NC * P * Q);
    for (int64_t i = 0; i < NC; ++i)
        for (int64_t p = 0; p < P; ++p)
            for (int64_t q = 0; q < Q; ++q) {
                double m = -INFINITY;
                for (int64_t r = 0; r < s.kernel_h; ++r)
                    for (int64_t t = 0; t < s.kernel_w; ++t)
                        m = std::max<double>(m, x[(i * H + p * s.stride_h + r) * W + q * s.stride_w + t]);
                y[(i * P + p) * Q + q] = m;
            }
    return y;
}

std::vector<double> maxpool_backward(const Pool2dShape& s, const float* x, const float* dy, bool relu_mask) {
    const int64_t NC = int64_t{s.batch} * s.channels, H = s.in_h, W = s.in_w, P = s.out_h(), Q = s.out_w();
    std::vector<double> dx(NC * H * W);
    for (int64_t i = 0; i < NC; ++i)
        for (int64_t p = 0; p < P; ++p)
            for (int64_t q = 0; q < Q; ++q) {
                int64_t best = -1;
                for (int64_t r = 0; r < s.kernel_h; ++r)
                    for (int64_t t = 0; t < s.kernel_w; ++t) {
                        const int64_t j = (i * H + p * s.stride_h + r) * W + q * s.stride_w + t;
                        if (best < 0 || x[j] > x[best]) best = j;
                    }
                if (relu_mask && !(x[best] > 0)) continue;
                dx[best] += dy[(i * P + p) * Q + q];
            }
    return dx;
}

double softmax_xent(const SoftmaxXentShape& s, const float* logits, const int32_t* labels, std::vector<double>& dl,
                    uint32_t& correct) {
    const int64_t N = s.batch, K = s.classes;
    dl.assign(N * K, 0.0);
    correct = 0;
    double loss = 0;
    for (int64_t n = 0; n < N; ++n) {
        double m = logits[n * K];
        int64_t arg = 0;
        for (int64_t k = 1; k < K; ++k)
            if (logits[n * K + k] > m) m = logits[n * K + k], arg = k;
        double z = 0;
        for (int64_t k = 0; k < K; ++k) z += std::exp(double(logits[n * K + k]) - m);
        for (int64_t k = 0; k < K; ++k)
            dl[n * K + k] = (std::exp(double(logits[n * K + k]) - m) / z - (k == labels[n])) / double(N);
        loss += -(double(logits[n * K + labels[n]]) - m - std::log(z));
        correct += arg == labels[n];
    }
    return loss / double(N);
}

double softmax_xent_loss_d(const SoftmaxXentShape& s, const std::vector<double>& logits, const int32_t* labels) {
    const int64_t N = s.batch, K = s.classes;
    double loss = 0;
    for (int64_t n = 0; n < N; ++n) {
        double m = logits[n * K];
        for (int64_t k = 1; k < K; ++k) m = std::max(m, logits[n * K + k]);
        double z = 0;
        for (int64_t k = 0; k < K; ++k) z += std::exp(logits[n * K + k] - m);
        loss += -(logits[n * K + labels[n]] - m - std::log(z));
    }
    return loss / double(N);
}

}  // namespace stvp::accel::ref
