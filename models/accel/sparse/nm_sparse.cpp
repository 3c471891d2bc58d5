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

// The kept positions of G full groups of m weights at once, one group per lane (weight t of lane
// g at w[g * lane_step + t * t_step]): each |w| is inserted into a list of `keep` slots sorted
// by the same order as select_largest (magnitude descending, ties to the lower index), the
// displaced entry moving down. Branch-free compare-and-swap on lane arrays, which the compiler
// vectorises across lanes (the re-prune runs on every weight every training step). Sets bit t
// of kept[g] for each kept position t of lane g (m <= 32). False if a lane holds a NaN (no
// strict order: the caller selects those groups one by one).
constexpr int kLanes = 16;
__attribute__((target_clones("avx2", "default"))) bool select_lanes(const float* w, int64_t lane_step,
                                                                     int64_t t_step, int64_t m, int64_t keep,
                                                                     float* best, int32_t* best_at, uint32_t* kept) {
    constexpr int G = kLanes;
    for (int64_t q = 0; q < keep * G; ++q) best[q] = -1.0f, best_at[q] = 0;  // below every |w|
    int32_t nan = 0;
    for (int64_t t = 0; t < m; ++t) {
        float v[G];
        int32_t at[G];
        for (int g = 0; g < G; ++g) {
            v[g] = std::abs(w[g * lane_step + t * t_step]);
            at[g] = static_cast<int32_t>(t);
            nan |= v[g] != v[g];
        }
        for (int64_t q = 0; q < keep; ++q) {
            float* bv = best + q * G;
            int32_t* bi = best_at + q * G;
            for (int g = 0; g < G; ++g) {
                const bool before = v[g] > bv[g] || (v[g] == bv[g] && at[g] < bi[g]);
                const float ov = bv[g];
                const int32_t oi = bi[g];
                bv[g] = before ? v[g] : ov, bi[g] = before ? at[g] : oi;
                v[g] = before ? ov : v[g], at[g] = before ? oi : at[g];
            }
        }
    }
    if (nan) return false;
    for (int g = 0; g < G; ++g) kept[g] = 0;
    for (int64_t q = 0; q < keep; ++q)
        for (int g = 0; g < G; ++g) kept[g] |= uint32_t{1} << best_at[q * G + g];
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
    nm.values_.assign(slots, 0.0f), nm.idx_.assign(slots, 0), nm.valid_.assign(slots, 0);
    // Groups are selected kLanes at a time where kLanes full groups sit at a fixed stride:
    // along a line's groups (Input), or across lines at the same group (Output, where the lines
    // are consecutive c). done[] marks them; the rest go one by one below.
    const int64_t RS = R * S, full = L / nm.m_, keep_full = std::min<int64_t>(nm.n_, nm.m_);
    const int64_t t_step = axis == NmAxis::Input ? RS : C * RS;
    std::vector<uint8_t> done(static_cast<size_t>(lines * RS * per_line), 0);
    {
        std::vector<float> best(static_cast<size_t>(keep_full * kLanes));
        std::vector<int32_t> best_at(best.size());
        uint32_t kept[kLanes];
        for (int64_t a = 0; a < lines; ++a)
            for (int64_t rs = 0; rs < RS; ++rs)
                for (int64_t j = 0; j < per_line; ++j) {
                    // Lanes: Input walks j, Output walks a (only from lane-aligned a).
                    const bool input = axis == NmAxis::Input;
                    if (nm.m_ > 32 ||
                        (input ? (j % kLanes != 0 || j + kLanes > full) : (a % kLanes != 0 || a + kLanes > lines || j >= full)))
                        continue;
                    const float* w0 = w + (input ? (a * C + j * nm.m_) * RS + rs : (j * nm.m_ * C + a) * RS + rs);
                    const int64_t lane_step = input ? nm.m_ * RS : RS;
                    if (!select_lanes(w0, lane_step, t_step, nm.m_, keep_full, best.data(), best_at.data(),
                                      kept))
                        continue;
                    for (int g = 0; g < kLanes; ++g) {
                        const int64_t ga = input ? a : a + g, gj = input ? j + g : j;
                        const size_t group = static_cast<size_t>((ga * RS + rs) * per_line + gj);
                        done[group] = 1;
                        size_t slot = group * static_cast<size_t>(nm.n_);
                        for (uint32_t bits = kept[g]; bits; bits &= bits - 1, ++slot) {  // positions ascending
                            const int64_t pos = __builtin_ctz(bits);
                            nm.values_[slot] = w0[g * lane_step + pos * t_step];
                            nm.idx_[slot] = static_cast<uint8_t>(pos);
                            nm.valid_[slot] = 1;
                        }
                        nm.kept_ += keep_full;
                    }
                }
    }
    int64_t order[256];
    for (int64_t a = 0; a < lines; ++a)
        for (int64_t rs = 0; rs < R * S; ++rs)
            for (int64_t j = 0; j < per_line; ++j) {
                if (done[static_cast<size_t>((a * RS + rs) * per_line + j)]) continue;
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
                size_t slot = static_cast<size_t>(((a * RS + rs) * per_line + j) * nm.n_);
                for (int64_t t = 0; t < keep; ++t, ++slot) {  // padding slots stay 0, index 0
                    nm.values_[slot] = at(order[t]);
                    nm.idx_[slot] = static_cast<uint8_t>(order[t]);
                    nm.valid_[slot] = 1;
                    ++nm.kept_;
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
