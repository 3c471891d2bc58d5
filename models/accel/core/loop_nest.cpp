#include "accel/core/loop_nest.h"

#include <algorithm>
#include <limits>

namespace stvp::accel {

const char* to_string(Dim d) {
    static const char* const names[kDims] = {"N", "K", "C", "P", "Q", "R", "S"};
    return names[idx(d)];
}

const char* to_string(Phase p) {
    switch (p) {
        case Phase::Forward: return "forward";
        case Phase::InputGrad: return "input_grad";
        case Phase::WeightGrad: return "weight_grad";
    }
    return "?";
}

const char* to_string(Tensor t) {
    switch (t) {
        case Tensor::W: return "W";
        case Tensor::X: return "X";
        case Tensor::Y: return "Y";
        case Tensor::dW: return "dW";
        case Tensor::dX: return "dX";
        case Tensor::dY: return "dY";
    }
    return "?";
}

namespace {

// Distinct values of x + y*g for x in [x0, x0+na), y in [y0, y0+ng), offset by off and clipped
// to [lo, hi] (inclusive).
int64_t distinct(int64_t x0, int64_t na, int64_t y0, int64_t ng, int64_t g, int64_t off, int64_t lo, int64_t hi) {
    auto clipped = [&](int64_t a, int64_t b) { return std::max<int64_t>(0, std::min(b, hi) - std::max(a, lo) + 1); };
    if (na >= g || ng == 1) return clipped(x0 + y0 * g + off, x0 + na - 1 + (y0 + ng - 1) * g + off);
    int64_t n = 0;
    for (int64_t y = y0; y < y0 + ng; ++y) n += clipped(x0 + y * g + off, x0 + na - 1 + y * g + off);
    return n;
}

int64_t rows_impl(int64_t p0, int64_t np, int64_t r0, int64_t nr, int64_t stride, int64_t dilation, int64_t pad,
                  int64_t lo, int64_t hi) {
    if (stride == 1) return distinct(p0, np, r0, nr, dilation, -pad, lo, hi);
    return distinct(r0, nr, p0, np, stride, -pad, lo, hi);
}

}  // namespace

int64_t input_rows(int64_t p0, int64_t np, int64_t r0, int64_t nr, int64_t stride, int64_t dilation, int64_t pad,
                   int64_t in) {
    return rows_impl(p0, np, r0, nr, stride, dilation, pad, 0, in - 1);
}

int64_t window(int64_t np, int64_t nr, int64_t stride, int64_t dilation) {
    return rows_impl(0, np, 0, nr, stride, dilation, 0, std::numeric_limits<int64_t>::min() / 4,
                     std::numeric_limits<int64_t>::max() / 4);
}

int64_t OpShape::macs() const {
    int64_t m = 1;
    for (int64_t x : extent) m *= x;
    return m;
}

namespace {
// Output/tap pairs (p, r) whose input row p*stride + r*dilation - pad lies in [0, in).
int64_t inside_pairs(int64_t P, int64_t R, int64_t stride, int64_t dilation, int64_t pad, int64_t in) {
    int64_t n = 0;
    for (int64_t r = 0; r < R; ++r) {
        // p*stride in [pad - r*dilation, in - 1 + pad - r*dilation]
        const int64_t lo = pad - r * dilation, hi = in - 1 + pad - r * dilation;
        const int64_t p_lo = std::max<int64_t>(0, lo <= 0 ? 0 : (lo + stride - 1) / stride);
        const int64_t p_hi = hi < 0 ? -1 : std::min(P - 1, hi / stride);
        n += std::max<int64_t>(0, p_hi - p_lo + 1);
    }
    return n;
}
}  // namespace

int64_t OpShape::real_macs() const {
    return e(Dim::N) * e(Dim::K) * e(Dim::C) *
           inside_pairs(e(Dim::P), e(Dim::R), stride_h, dilation_h, pad_h, in_h) *
           inside_pairs(e(Dim::Q), e(Dim::S), stride_w, dilation_w, pad_w, in_w);
}

int64_t OpShape::elements(Role r) const {
    switch (r) {
        case Role::Weight: return e(Dim::K) * e(Dim::C) * e(Dim::R) * e(Dim::S);
        case Role::Output: return e(Dim::N) * e(Dim::K) * e(Dim::P) * e(Dim::Q);
        case Role::Input:
            return e(Dim::N) * e(Dim::C) *
                   input_rows(0, e(Dim::P), 0, e(Dim::R), stride_h, dilation_h, pad_h, in_h) *
                   input_rows(0, e(Dim::Q), 0, e(Dim::S), stride_w, dilation_w, pad_w, in_w);
    }
    return 0;
}

std::string OpShape::validate() const {
    for (int d = 0; d < kDims; ++d)
        if (extent[d] < 1) return std::string("extent ") + to_string(static_cast<Dim>(d)) + " must be at least 1";
    if (in_h < 1 || in_w < 1) return "in_h/in_w must be at least 1";
    if (stride_h < 1 || stride_w < 1 || dilation_h < 1 || dilation_w < 1) return "stride/dilation must be at least 1";
    if (stride_h > 1 && dilation_h > 1) return "stride_h and dilation_h both above 1";
    if (stride_w > 1 && dilation_w > 1) return "stride_w and dilation_w both above 1";
    return {};
}

bool OpShape::operator==(const OpShape& o) const {
    return phase == o.phase && extent == o.extent && in_h == o.in_h && in_w == o.in_w && stride_h == o.stride_h &&
           stride_w == o.stride_w && dilation_h == o.dilation_h && dilation_w == o.dilation_w && pad_h == o.pad_h &&
           pad_w == o.pad_w && tensor == o.tensor && bias_read == o.bias_read && relu == o.relu &&
           relu_mask == o.relu_mask && bias_grad == o.bias_grad;
}

namespace {

OpShape base_nest(Phase phase, const NestOptions& opt) {
    OpShape o;
    o.phase = phase;
    switch (phase) {
        case Phase::Forward:
            o.tensor = {Tensor::W, Tensor::X, Tensor::Y};
            o.bias_read = opt.bias;
            o.relu = opt.relu;
            break;
        case Phase::InputGrad:
            o.tensor = {Tensor::W, Tensor::dY, Tensor::dX};
            o.relu_mask = opt.relu_mask;
            break;
        case Phase::WeightGrad:
            o.tensor = {Tensor::dY, Tensor::X, Tensor::dW};
            o.bias_grad = opt.bias;
            break;
    }
    return o;
}

void set(OpShape& o, int64_t n, int64_t k, int64_t c, int64_t p, int64_t q, int64_t r, int64_t s) {
    o.extent = {n, k, c, p, q, r, s};
}

// One spatial axis of the sub-pixel decomposition of a strided input gradient: residue a.
struct SubAxis {
    int64_t out = 0;   // dX pixels with (h + pad) % stride == a
    int64_t taps = 0;  // kernel taps with r % stride == a
    int64_t pad = 0;   // the generic nest's pad (input = dY)
};

SubAxis sub_axis(int64_t a, int64_t H, int64_t R, int64_t stride, int64_t pad) {
    SubAxis x;
    const int64_t h0 = ((a - pad) % stride + stride) % stride;
    x.out = h0 < H ? (H - 1 - h0) / stride + 1 : 0;
    x.taps = a < R ? (R - 1 - a) / stride + 1 : 0;
    // dX[h0 + i*stride] takes dY[base + i - j] * W[a + j*stride]; with the taps flipped
    // (r' = taps-1-j) the dY row is i + r' - (taps - 1 - base).
    const int64_t base = (h0 + pad - a) / stride;
    x.pad = x.taps - 1 - base;
    return x;
}

}  // namespace

OpShape fc_nest(const FcShape& s, Phase phase, const NestOptions& opt) {
    OpShape o = base_nest(phase, opt);
    const int64_t N = s.batch, C = s.in_features, K = s.out_features;
    switch (phase) {
        case Phase::Forward: set(o, N, K, C, 1, 1, 1, 1); break;
        case Phase::InputGrad: set(o, N, C, K, 1, 1, 1, 1); break;
        case Phase::WeightGrad: set(o, C, K, N, 1, 1, 1, 1); break;
    }
    return o;
}

std::vector<OpShape> conv_nests(const Conv2dShape& s, Phase phase, const NestOptions& opt) {
    const int64_t N = s.batch, C = s.in_channels, H = s.in_h, W = s.in_w, K = s.out_channels, R = s.kernel_h,
                  S = s.kernel_w, P = s.out_h(), Q = s.out_w();
    std::vector<OpShape> out;
    OpShape o = base_nest(phase, opt);
    switch (phase) {
        case Phase::Forward:
            set(o, N, K, C, P, Q, R, S);
            o.in_h = H, o.in_w = W;
            o.stride_h = s.stride_h, o.stride_w = s.stride_w;
            o.pad_h = s.pad_h, o.pad_w = s.pad_w;
            out.push_back(o);
            break;
        case Phase::WeightGrad:
            set(o, C, K, N, R, S, P, Q);
            o.in_h = H, o.in_w = W;
            o.dilation_h = s.stride_h, o.dilation_w = s.stride_w;
            o.pad_h = s.pad_h, o.pad_w = s.pad_w;
            out.push_back(o);
            break;
        case Phase::InputGrad:
            o.in_h = P, o.in_w = Q;
            // Only residues a < R (b < S) have taps: the loops run over min(stride, kernel)
            // values, so a huge stride costs no host time (the nests are the same).
            for (int64_t a = 0; a < std::min<int64_t>(s.stride_h, R); ++a) {
                const SubAxis y = sub_axis(a, H, R, s.stride_h, s.pad_h);
                if (y.out == 0 || y.taps == 0) continue;
                for (int64_t b = 0; b < std::min<int64_t>(s.stride_w, S); ++b) {
                    const SubAxis x = sub_axis(b, W, S, s.stride_w, s.pad_w);
                    if (x.out == 0 || x.taps == 0) continue;
                    set(o, N, C, K, y.out, x.out, y.taps, x.taps);
                    o.pad_h = y.pad, o.pad_w = x.pad;
                    out.push_back(o);
                }
            }
            break;
    }
    return out;
}

}  // namespace stvp::accel
