#include "accel/core/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <Eigen/Core>

namespace stvp::accel {
namespace {

// Eigen: its blocked, vectorised GEMM is several times faster than hand-written loops and is
// deterministic on one thread. Row-major maps let it work on the layouts in place.
using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapM = Eigen::Map<Mat>;
using CMapM = Eigen::Map<const Mat>;

void add_bias_relu(float* y, int64_t rows, int64_t cols, int64_t bias_stride_rows, const float* bias, bool relu) {
    // y is rows x cols; bias[k] applies to row block k if bias_stride_rows (CONV: per channel
    // row of P*Q), or to column k (FC) otherwise.
    for (int64_t i = 0; i < rows; ++i) {
        float* row = y + i * cols;
        if (bias) {
            if (bias_stride_rows) {
                const float b = bias[i % bias_stride_rows];
                for (int64_t j = 0; j < cols; ++j) row[j] += b;
            } else {
                for (int64_t j = 0; j < cols; ++j) row[j] += bias[j];
            }
        }
        if (relu) {
            for (int64_t j = 0; j < cols; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
        }
    }
}

void relu_mask(float* dx, const float* saved_input, int64_t n) {
    for (int64_t i = 0; i < n; ++i) dx[i] = saved_input[i] > 0.0f ? dx[i] : 0.0f;
}

struct ConvGeom {
    int64_t C, H, W, K, R, S, P, Q, sh, sw, ph, pw;
    explicit ConvGeom(const Conv2dShape& s)
        : C(s.in_channels), H(s.in_h), W(s.in_w), K(s.out_channels), R(s.kernel_h), S(s.kernel_w),
          P(s.out_h()), Q(s.out_w()), sh(s.stride_h), sw(s.stride_w), ph(s.pad_h), pw(s.pad_w) {}
    int64_t crs() const { return C * R * S; }
    int64_t pq() const { return P * Q; }
    // Output columns q whose input column q*sw + s - pw lies inside [0, W): [lo, hi).
    void q_range(int64_t s, int64_t& lo, int64_t& hi) const {
        lo = 0;
        while (lo < Q && lo * sw + s - pw < 0) ++lo;
        hi = Q;
        while (hi > lo && (hi - 1) * sw + s - pw >= W) --hi;
    }
};

// Output positions j = p*Q + q are processed in blocks [j0, j1) so that the im2col workspace
// (C*R*S x block floats) stays within kWorkspaceFloats whatever the (guest-chosen) shape; a
// block is at least one position, so the workspace never exceeds max(16 MiB, the W tensor).
constexpr int64_t kWorkspaceFloats = int64_t{1} << 22;

int64_t block_positions(const ConvGeom& g) {
    return std::max<int64_t>(1, std::min(g.pq(), kWorkspaceFloats / g.crs()));
}

// cols[(c*R + r)*S + s][j - j0] = x[c][p*sh + r - ph][q*sw + s - pw] for j = p*Q + q in
// [j0, j1) (0 outside the input).
void im2col(const ConvGeom& g, const float* x, float* cols, int64_t j0, int64_t j1) {
    const int64_t nb = j1 - j0;
    for (int64_t c = 0; c < g.C; ++c) {
        for (int64_t r = 0; r < g.R; ++r) {
            for (int64_t s = 0; s < g.S; ++s) {
                float* row = cols + ((c * g.R + r) * g.S + s) * nb;
                int64_t qlo, qhi;
                g.q_range(s, qlo, qhi);
                for (int64_t p = j0 / g.Q; p * g.Q < j1; ++p) {
                    // Columns [qa, qb) of output row p fall in the block, at row[off + q].
                    const int64_t qa = std::max<int64_t>(0, j0 - p * g.Q), qb = std::min(g.Q, j1 - p * g.Q);
                    const int64_t off = p * g.Q - j0;
                    const int64_t h = p * g.sh + r - g.ph;
                    if (h < 0 || h >= g.H) {
                        for (int64_t q = qa; q < qb; ++q) row[off + q] = 0.0f;
                        continue;
                    }
                    // Input column of output column q: base + q*sw (inside the row for q in [qlo, qhi)).
                    const float* src = x + (c * g.H + h) * g.W;
                    const int64_t base = s - g.pw;
                    const int64_t lo = std::max(qa, qlo), hi = std::min(qb, qhi);
                    for (int64_t q = qa; q < std::min(qb, lo); ++q) row[off + q] = 0.0f;
                    if (g.sw == 1) {
                        if (hi > lo) std::memcpy(row + (off + lo), src + (base + lo), sizeof(float) * (hi - lo));
                    } else {
                        for (int64_t q = lo; q < hi; ++q) row[off + q] = src[base + q * g.sw];
                    }
                    for (int64_t q = std::max(qa, hi); q < qb; ++q) row[off + q] = 0.0f;
                }
            }
        }
    }
}

// The adjoint of im2col: x[c][h][w] += cols[...] for every column entry inside the input, in a
// fixed (c, r, s, p, q) order.
void col2im_add(const ConvGeom& g, const float* cols, float* x, int64_t j0, int64_t j1) {
    const int64_t nb = j1 - j0;
    for (int64_t c = 0; c < g.C; ++c) {
        for (int64_t r = 0; r < g.R; ++r) {
            for (int64_t s = 0; s < g.S; ++s) {
                const float* row = cols + ((c * g.R + r) * g.S + s) * nb;
                int64_t qlo, qhi;
                g.q_range(s, qlo, qhi);
                for (int64_t p = j0 / g.Q; p * g.Q < j1; ++p) {
                    const int64_t h = p * g.sh + r - g.ph;
                    if (h < 0 || h >= g.H) continue;
                    const int64_t lo = std::max(std::max<int64_t>(0, j0 - p * g.Q), qlo);
                    const int64_t hi = std::min(std::min(g.Q, j1 - p * g.Q), qhi);
                    const int64_t off = p * g.Q - j0;  // row[off + q] holds output column q
                    float* dst = x + (c * g.H + h) * g.W;
                    const int64_t base = s - g.pw;
                    for (int64_t q = lo; q < hi; ++q) dst[base + q * g.sw] += row[off + q];
                }
            }
        }
    }
}

// A block of columns [j0, j0 + nb) of a row-major K x PQ matrix.
using StridedMap = Eigen::Map<Mat, 0, Eigen::OuterStride<>>;
using CStridedMap = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>;

}  // namespace

std::string fc_forward(const FcShape& s, const float* x, const float* w, const float* bias, float* y, bool relu) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const int64_t N = s.batch, C = s.in_features, K = s.out_features;
    MapM Y(y, N, K);
    Y.noalias() = CMapM(x, N, C) * CMapM(w, K, C).transpose();
    add_bias_relu(y, N, K, 0, bias, relu);
    return {};
}

std::string fc_input_grad(const FcShape& s, const float* dy, const float* w, const float* relu_mask_input,
                          float* dx) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const int64_t N = s.batch, C = s.in_features, K = s.out_features;
    MapM(dx, N, C).noalias() = CMapM(dy, N, K) * CMapM(w, K, C);
    if (relu_mask_input) relu_mask(dx, relu_mask_input, N * C);
    return {};
}

std::string fc_weight_grad(const FcShape& s, const float* dy, const float* x, float* dw, float* db) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const int64_t N = s.batch, C = s.in_features, K = s.out_features;
    MapM(dw, K, C).noalias() = CMapM(dy, N, K).transpose() * CMapM(x, N, C);
    if (db) {
        for (int64_t k = 0; k < K; ++k) db[k] = 0.0f;
        for (int64_t n = 0; n < N; ++n)
            for (int64_t k = 0; k < K; ++k) db[k] += dy[n * K + k];
    }
    return {};
}

std::string conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y,
                           bool relu) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const ConvGeom g(s);
    const int64_t B = block_positions(g);
    std::vector<float> cols(static_cast<size_t>(g.crs() * B));
    const CMapM Wm(w, g.K, g.crs());
    for (int64_t n = 0; n < s.batch; ++n) {
        float* yn = y + n * g.K * g.pq();
        for (int64_t j0 = 0; j0 < g.pq(); j0 += B) {
            const int64_t nb = std::min(B, g.pq() - j0);
            im2col(g, x + n * g.C * g.H * g.W, cols.data(), j0, j0 + nb);
            StridedMap(yn + j0, g.K, nb, Eigen::OuterStride<>(g.pq())).noalias() =
                Wm * CMapM(cols.data(), g.crs(), nb);
        }
        add_bias_relu(yn, g.K, g.pq(), g.K, bias, relu);
    }
    return {};
}

std::string conv2d_input_grad(const Conv2dShape& s, const float* dy, const float* w, const float* relu_mask_input,
                              float* dx) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const ConvGeom g(s);
    const int64_t B = block_positions(g);
    std::vector<float> cols(static_cast<size_t>(g.crs() * B));
    const CMapM Wm(w, g.K, g.crs());
    const int64_t chw = g.C * g.H * g.W;
    std::memset(dx, 0, sizeof(float) * static_cast<size_t>(s.x_elements()));
    for (int64_t n = 0; n < s.batch; ++n) {
        const float* dyn = dy + n * g.K * g.pq();
        for (int64_t j0 = 0; j0 < g.pq(); j0 += B) {
            const int64_t nb = std::min(B, g.pq() - j0);
            MapM(cols.data(), g.crs(), nb).noalias() =
                Wm.transpose() * CStridedMap(dyn + j0, g.K, nb, Eigen::OuterStride<>(g.pq()));
            col2im_add(g, cols.data(), dx + n * chw, j0, j0 + nb);
        }
    }
    if (relu_mask_input) relu_mask(dx, relu_mask_input, s.x_elements());
    return {};
}

std::string conv2d_weight_grad(const Conv2dShape& s, const float* dy, const float* x, float* dw, float* db) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const ConvGeom g(s);
    const int64_t B = block_positions(g);
    std::vector<float> cols(static_cast<size_t>(g.crs() * B));
    MapM dWm(dw, g.K, g.crs());
    dWm.setZero();
    for (int64_t n = 0; n < s.batch; ++n) {
        const float* dyn = dy + n * g.K * g.pq();
        for (int64_t j0 = 0; j0 < g.pq(); j0 += B) {
            const int64_t nb = std::min(B, g.pq() - j0);
            im2col(g, x + n * g.C * g.H * g.W, cols.data(), j0, j0 + nb);
            dWm.noalias() += CStridedMap(dyn + j0, g.K, nb, Eigen::OuterStride<>(g.pq())) *
                             CMapM(cols.data(), g.crs(), nb).transpose();
        }
    }
    if (db) {
        for (int64_t k = 0; k < g.K; ++k) {
            float acc = 0.0f;
            for (int64_t n = 0; n < s.batch; ++n) {
                const float* row = dy + (n * g.K + k) * g.pq();
                for (int64_t i = 0; i < g.pq(); ++i) acc += row[i];
            }
            db[k] = acc;
        }
    }
    return {};
}

namespace {

// Index (within one H x W plane) of the first maximum of the window at (p, q).
inline int64_t window_argmax(const float* plane, int64_t W, int64_t h0, int64_t w0, int64_t R, int64_t S) {
    int64_t best = h0 * W + w0;
    float bv = plane[best];
    for (int64_t r = 0; r < R; ++r) {
        const float* row = plane + (h0 + r) * W + w0;
        for (int64_t c = 0; c < S; ++c) {
            if (row[c] > bv) {
                bv = row[c];
                best = (h0 + r) * W + w0 + c;
            }
        }
    }
    return best;
}

}  // namespace

std::string maxpool2d_forward(const Pool2dShape& s, const float* x, float* y) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const int64_t H = s.in_h, W = s.in_w, P = s.out_h(), Q = s.out_w();
    const int64_t planes = int64_t{s.batch} * s.channels;
    for (int64_t i = 0; i < planes; ++i) {
        const float* plane = x + i * H * W;
        float* out = y + i * P * Q;
        for (int64_t p = 0; p < P; ++p)
            for (int64_t q = 0; q < Q; ++q)
                out[p * Q + q] = plane[window_argmax(plane, W, p * s.stride_h, q * s.stride_w, s.kernel_h, s.kernel_w)];
    }
    return {};
}

std::string maxpool2d_backward(const Pool2dShape& s, const float* x, const float* dy, float* dx, bool relu_mask) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const int64_t H = s.in_h, W = s.in_w, P = s.out_h(), Q = s.out_w();
    const int64_t planes = int64_t{s.batch} * s.channels;
    std::memset(dx, 0, sizeof(float) * static_cast<size_t>(s.x_elements()));
    for (int64_t i = 0; i < planes; ++i) {
        const float* plane = x + i * H * W;
        const float* g = dy + i * P * Q;
        float* d = dx + i * H * W;
        for (int64_t p = 0; p < P; ++p) {
            for (int64_t q = 0; q < Q; ++q) {
                const int64_t a = window_argmax(plane, W, p * s.stride_h, q * s.stride_w, s.kernel_h, s.kernel_w);
                if (relu_mask && !(plane[a] > 0.0f)) continue;
                d[a] += g[p * Q + q];
            }
        }
    }
    return {};
}

std::string softmax_xent(const SoftmaxXentShape& s, const float* logits, const int32_t* labels, float* dlogits,
                         XentResult* result) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    const int64_t N = s.batch, K = s.classes;
    for (int64_t n = 0; n < N; ++n) {
        if (labels[n] < 0 || labels[n] >= K)
            return "labels[" + std::to_string(n) + "] " + std::to_string(labels[n]) + " outside 0.." +
                   std::to_string(K - 1);
    }
    // Per sample, in double: a batch is small (N*K), and double keeps exp/log of large logits
    // accurate; max subtraction keeps exp in range.
    double loss_sum = 0.0;
    uint32_t correct = 0;
    const double inv_n = 1.0 / static_cast<double>(N);
    for (int64_t n = 0; n < N; ++n) {
        const float* l = logits + n * K;
        float* d = dlogits + n * K;
        int64_t arg = 0;
        for (int64_t k = 1; k < K; ++k)
            if (l[k] > l[arg]) arg = k;
        const double m = l[arg];
        double sum = 0.0;
        for (int64_t k = 0; k < K; ++k) sum += std::exp(static_cast<double>(l[k]) - m);
        const double log_sum = std::log(sum);
        for (int64_t k = 0; k < K; ++k) {
            const double p = std::exp(static_cast<double>(l[k]) - m - log_sum);
            d[k] = static_cast<float>((p - (k == labels[n] ? 1.0 : 0.0)) * inv_n);
        }
        loss_sum += log_sum - (static_cast<double>(l[labels[n]]) - m);
        if (arg == labels[n]) ++correct;
    }
    if (result) {
        result->loss = static_cast<float>(loss_sum * inv_n);
        result->correct = correct;
    }
    return {};
}

std::string sgd_update(const SgdShape& s, float* w, const float* g, float lr, float weight_decay) {
    std::string err = validate(s);
    if (!err.empty()) return err;
    if (!std::isfinite(lr)) return "lr " + std::to_string(lr) + " not finite";
    if (!std::isfinite(weight_decay)) return "weight_decay " + std::to_string(weight_decay) + " not finite";
    for (int64_t i = 0; i < s.count; ++i) w[i] -= lr * (g[i] + weight_decay * w[i]);
    return {};
}

}  // namespace stvp::accel
