#include "accel/sparse/nm_sparse.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace stvp::accel::sparse {

std::string NmConfig::validate() const {
    if (m < 2 || m > 256) return "m " + std::to_string(m) + " must be 2..256";
    if (n < 1 || n >= m) return "n " + std::to_string(n) + " must be 1..m-1";
    return {};
}

uint32_t NmConfig::index_bits() const {
    uint32_t b = 0;
    while ((uint32_t{1} << b) < m) ++b;
    return b;
}

// Group g covers, along the grouped axis, [j*M, min(L, j*M + M)) of a line; a line is one
// (k, r, s) for Input and one (c, r, s) for Output. Groups are stored line by line.
template <class F> void NmWeights::for_each_slot(F&& f) const {
    const int64_t L = axis_ == NmAxis::Input ? C_ : K_;
    const int64_t lines = axis_ == NmAxis::Input ? K_ : C_;
    const int64_t per_line = (L + m_ - 1) / m_;
    size_t slot = 0;
    for (int64_t a = 0; a < lines; ++a)
        for (int64_t rs = 0; rs < R_ * S_; ++rs)
            for (int64_t j = 0; j < per_line; ++j)
                for (int64_t t = 0; t < n_; ++t, ++slot) {
                    if (!valid_[slot]) continue;
                    const int64_t pos = j * m_ + idx_[slot];
                    const int64_t k = axis_ == NmAxis::Input ? a : pos, c = axis_ == NmAxis::Input ? pos : a;
                    f((k * C_ + c) * R_ * S_ + rs, values_[slot]);
                }
}

namespace {
// The kept positions of a group of len <= 32 weights: `keep` times the largest magnitude not yet
// taken, ties to the lower index (the order the partial sort below establishes), then listed by
// index ascending. keep x len compares without a sort (the N:M re-prune runs on every weight
// every training step). False for a longer group or one holding a NaN (no strict order; the
// partial sort decides as before).
template <class At>
bool select_largest(const At& at, int64_t len, int64_t keep, int64_t* order) {
    if (len > 32) return false;
    float a[32];
    for (int64_t t = 0; t < len; ++t) {
        a[t] = std::abs(at(t));
        if (std::isnan(a[t])) return false;
    }
    uint32_t taken = 0;
    for (int64_t q = 0; q < keep; ++q) {
        int64_t best = -1;
        for (int64_t t = 0; t < len; ++t)
            if (!(taken >> t & 1u) && (best < 0 || a[t] > a[best])) best = t;
        taken |= 1u << best;
    }
    int64_t kept = 0;
    for (int64_t t = 0; t < len; ++t)
        if (taken >> t & 1u) order[kept++] = t;
    return true;
}
}  // namespace

std::string NmWeights::prune(const float* w, int64_t K, int64_t C, int64_t R, int64_t S, const NmConfig& cfg,
                             NmAxis axis, NmWeights* out) {
    std::string e = cfg.validate();
    if (!e.empty()) return e;
    if (K < 1 || C < 1 || R < 1 || S < 1) return "extents must be >= 1";
    // Every index below is a product of the extents: bounded first, so none can overflow.
    int64_t count = 1;
    for (int64_t e : {K, C, R, S})
        if (__builtin_mul_overflow(count, e, &count) || count > kMaxWeights)
            return "more than 2^31 weights (K*C*R*S)";
    NmWeights nm;
    nm.K_ = K, nm.C_ = C, nm.R_ = R, nm.S_ = S, nm.n_ = cfg.n, nm.m_ = cfg.m, nm.axis_ = axis;
    nm.index_bits_ = cfg.index_bits();
    const int64_t L = axis == NmAxis::Input ? C : K;
    const int64_t lines = axis == NmAxis::Input ? K : C;
    const int64_t per_line = (L + nm.m_ - 1) / nm.m_;
    const size_t slots = static_cast<size_t>(lines * R * S * per_line * nm.n_);
    nm.values_.reserve(slots), nm.idx_.reserve(slots), nm.valid_.reserve(slots);
    int64_t order[256];
    for (int64_t a = 0; a < lines; ++a)
        for (int64_t rs = 0; rs < R * S; ++rs)
            for (int64_t j = 0; j < per_line; ++j) {
                const int64_t len = std::min(nm.m_, L - j * nm.m_);
                auto at = [&](int64_t t) {
                    const int64_t pos = j * nm.m_ + t;
                    const int64_t k = axis == NmAxis::Input ? a : pos, c = axis == NmAxis::Input ? pos : a;
                    return w[(k * C + c) * R * S + rs];
                };
                const int64_t keep = std::min(nm.n_, len);
                // Kept: the `keep` largest magnitudes, ties to the lower index; listed by index
                // ascending, as a decoder streams them.
                if (!select_largest(at, len, keep, order)) {
                    for (int64_t t = 0; t < len; ++t) order[t] = t;
                    std::partial_sort(order, order + keep, order + len, [&](int64_t x, int64_t y) {
                        const float ax = std::abs(at(x)), ay = std::abs(at(y));
                        return ax > ay || (ax == ay && x < y);
                    });
                    std::sort(order, order + keep);
                }
                for (int64_t t = 0; t < nm.n_; ++t) {
                    const bool v = t < keep;
                    nm.values_.push_back(v ? at(order[t]) : 0.0f);
                    nm.idx_.push_back(static_cast<uint8_t>(v ? order[t] : 0));
                    nm.valid_.push_back(v);
                    nm.kept_ += v;
                }
            }
    *out = std::move(nm);
    return {};
}

void NmWeights::decode(float* w) const {
    std::fill(w, w + elements(), 0.0f);
    for_each_slot([&](int64_t i, float v) { w[i] = v; });
}

void NmWeights::kept_mask(uint8_t* m) const {
    std::fill(m, m + elements(), uint8_t{0});
    for_each_slot([&](int64_t i, float) { m[i] = 1; });
}

}  // namespace stvp::accel::sparse
