#include "accel/sparse/nm_sparse.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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
// displaced entry moving down. Branch-free compare-and-swap on vectors of 8 lanes (the re-prune
// runs on every weight every training step). Lanes that are consecutive groups of 8 contiguous
// weights (the forward copy of an FC layer at 2:8) are loaded as 8 rows and transposed in
// registers instead of one weight at a time. Sets bit t of kept[g] for each kept position t of
// lane g (m <= 32). False if a lane holds a NaN (no strict order: the caller selects those
// groups one by one).
constexpr int kLanes = 16;
using F8 = float __attribute__((vector_size(32)));
using I8 = int32_t __attribute__((vector_size(32)));

// rows[r] = 8 contiguous floats; afterwards rows[t][g] = the old rows[g][t].
__attribute__((always_inline)) inline void transpose8(F8* rows) {
    F8 a[8], b[8];
    for (int i = 0; i < 8; i += 2) {
        a[i] = __builtin_shufflevector(rows[i], rows[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        a[i + 1] = __builtin_shufflevector(rows[i], rows[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int i = 0; i < 8; i += 4)
        for (int j = 0; j < 2; ++j) {
            b[i + j] = __builtin_shufflevector(a[i + j], a[i + j + 2], 0, 1, 8, 9, 4, 5, 12, 13);
            b[i + j + 2] = __builtin_shufflevector(a[i + j], a[i + j + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        }
    // b[i] holds columns {0, 2, 1, 3}[i] (low half) and that + 4 (high half) of rows 0-3, b[i + 4]
    // the same of rows 4-7.
    constexpr int col[4] = {0, 2, 1, 3};
    for (int i = 0; i < 4; ++i) {
        rows[col[i]] = __builtin_shufflevector(b[i], b[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        rows[col[i] + 4] = __builtin_shufflevector(b[i], b[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

// kKeep > 0: keep is that constant (the lists stay in registers); 0: keep_n, up to 32.
template <int kKeep>
__attribute__((always_inline)) inline bool select_lanes_of(const float* w, int64_t lane_step, int64_t t_step,
                                                           int64_t m, int64_t keep_n, uint32_t* kept) {
    constexpr int H = kLanes / 8;  // vectors per row of lanes
    const int64_t keep = kKeep > 0 ? kKeep : keep_n;
    F8 bv[kKeep > 0 ? kKeep : 32][H];
    I8 bi[kKeep > 0 ? kKeep : 32][H];
    for (int64_t q = 0; q < keep; ++q)
        for (int h = 0; h < H; ++h) bv[q][h] = F8{} - 1.0f, bi[q][h] = I8{};  // below every |w|
    const bool rows8 = m == 8 && lane_step == 8 && t_step == 1;
    F8 tr[H][8];
    if (rows8)
        for (int h = 0; h < H; ++h) {
            for (int g = 0; g < 8; ++g) std::memcpy(&tr[h][g], w + (h * 8 + g) * 8, sizeof(F8));
            transpose8(tr[h]);
        }
    const I8 magnitude = I8{} + 0x7fffffff;
    I8 nan = {};
    for (int64_t t = 0; t < m; ++t)
        for (int h = 0; h < H; ++h) {
            F8 v;
            if (rows8) {
                v = tr[h][t];
            } else if (lane_step == 1) {
                std::memcpy(&v, w + h * 8 + t * t_step, sizeof v);
            } else {
                for (int g = 0; g < 8; ++g) v[g] = w[(h * 8 + g) * lane_step + t * t_step];
            }
            v = reinterpret_cast<F8>(reinterpret_cast<I8>(v) & magnitude);
            nan |= v != v;
            I8 at = I8{} + static_cast<int32_t>(t);
            for (int64_t q = 0; q < keep; ++q) {
                const F8 ov = bv[q][h];
                const I8 oi = bi[q][h];
                const I8 before = (v > ov) | ((v == ov) & (at < oi));
                bv[q][h] = before ? v : ov, bi[q][h] = before ? at : oi;
                v = before ? ov : v, at = before ? oi : at;
            }
        }
    for (int g = 0; g < 8; ++g)
        if (nan[g]) return false;
    for (int g = 0; g < kLanes; ++g) kept[g] = 0;
    for (int64_t q = 0; q < keep; ++q)
        for (int h = 0; h < H; ++h)
            for (int g = 0; g < 8; ++g) kept[h * 8 + g] |= uint32_t{1} << bi[q][h][g];
    return true;
}

__attribute__((target_clones("avx2", "default"))) bool select_lanes(const float* w, int64_t lane_step,
                                                                     int64_t t_step, int64_t m, int64_t keep,
                                                                     uint32_t* kept) {
    return keep == 2 ? select_lanes_of<2>(w, lane_step, t_step, m, 2, kept)
                     : select_lanes_of<0>(w, lane_step, t_step, m, keep, kept);
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
    // are consecutive c). done[] marks them; the rest (a line's last groups, short groups,
    // lines past the last full set of kLanes) are copied kLanes at a time into rows of m
    // weights padded with zeros, which never displace a real weight (|w| >= 0, ties to the
    // lower index) when the group keeps n <= its length. What is left (groups shorter than n,
    // lanes holding a NaN) goes one by one below.
    const bool input = axis == NmAxis::Input;
    const int64_t RS = R * S, full = L / nm.m_, n = nm.n_, m = nm.m_;
    const int64_t t_step = input ? RS : C * RS;
    std::vector<uint8_t> done(static_cast<size_t>(lines * RS * per_line), 0);
    // Raw pointers: the byte stores below may alias the vectors' members, not these locals.
    float* values = nm.values_.data();
    uint8_t *index = nm.idx_.data(), *valid = nm.valid_.data(), *is_done = done.data();
    int64_t kept_total = 0, done_groups = 0;
    // Weight t of group j of line (a, rs). Captures by value: the byte stores below may alias
    // anything a reference reaches, which would reload it for every kept weight.
    auto at = [input, m, C, RS](int64_t a, int64_t rs, int64_t j, int64_t t) {
        const int64_t pos = j * m + t;
        return ((input ? a : pos) * C + (input ? pos : a)) * RS + rs;
    };
    // The kept positions (bits, ascending) of group j of line (a, rs) into its slots.
    auto take = [=](int64_t a, int64_t rs, int64_t j, uint32_t bits) {
        const size_t group = static_cast<size_t>((a * RS + rs) * per_line + j);
        is_done[group] = 1;
        const float* first = w + at(a, rs, j, 0);
        size_t slot = group * static_cast<size_t>(n);
        for (; bits; bits &= bits - 1, ++slot) {
            const int64_t pos = __builtin_ctz(bits);
            values[slot] = first[pos * t_step];
            index[slot] = static_cast<uint8_t>(pos);
            valid[slot] = 1;
        }
    };
    if (m <= 32) {
        uint32_t kept[kLanes];
        // Lanes: Input walks j (lines a, groups j < j_lanes), Output walks a (lines a < a_lanes,
        // groups j < full), from lane-aligned starts.
        const int64_t j_lanes = full / kLanes * kLanes, a_lanes = lines / kLanes * kLanes;
        bool lane_failed = false;  // a set of lanes held a NaN: its groups are left for below
        for (int64_t a = 0; a < (input ? lines : a_lanes); a += input ? 1 : kLanes)
            for (int64_t rs = 0; rs < RS; ++rs)
                for (int64_t j = 0; j < (input ? j_lanes : full); j += input ? kLanes : 1) {
                    const float* w0 = w + at(a, rs, j, 0);
                    const int64_t lane_step = input ? m * RS : RS;
                    if (!select_lanes(w0, lane_step, t_step, m, n, kept)) {
                        lane_failed = true;
                        continue;
                    }
                    if (n == 2) {
                        // Each lane kept exactly two positions (the common 2:M): its two slots
                        // written directly, lane by lane at a fixed group and weight stride.
                        const int64_t group_step = input ? 1 : RS * per_line;
                        size_t group = static_cast<size_t>((a * RS + rs) * per_line + j);
                        const float* first = w0;
                        for (int g = 0; g < kLanes; ++g, group += static_cast<size_t>(group_step), first += lane_step) {
                            const uint32_t bits = kept[g];
                            const int p0 = __builtin_ctz(bits), p1 = __builtin_ctz(bits & (bits - 1));
                            is_done[group] = 1;
                            values[2 * group] = first[p0 * t_step], values[2 * group + 1] = first[p1 * t_step];
                            index[2 * group] = static_cast<uint8_t>(p0), index[2 * group + 1] = static_cast<uint8_t>(p1);
                            valid[2 * group] = valid[2 * group + 1] = 1;
                        }
                    } else {
                        for (int g = 0; g < kLanes; ++g) take(input ? a : a + g, rs, input ? j + g : j, kept[g]);
                    }
                    kept_total += kLanes * n;
                    done_groups += kLanes;
                }
        // The rest, kLanes at a time through rows of m.
        std::vector<float> rows(static_cast<size_t>(kLanes * m));
        int64_t batch[kLanes][3];
        int filled = 0;
        auto flush = [&] {
            if (filled == 0) return;
            std::fill(rows.begin() + filled * m, rows.end(), 0.0f);  // unused lanes
            if (select_lanes(rows.data(), m, 1, m, n, kept)) {
                for (int g = 0; g < filled; ++g) take(batch[g][0], batch[g][1], batch[g][2], kept[g]);
                kept_total += filled * n;
                done_groups += filled;
            }
            filled = 0;
        };
        for (int64_t a = 0; a < lines; ++a)
            for (int64_t rs = 0; rs < RS; ++rs)
                // Unless a set of lanes failed, the groups the lanes took are known: start past them.
                for (int64_t j = lane_failed ? 0 : input ? j_lanes : a < a_lanes ? full : 0; j < per_line; ++j) {
                    const int64_t len = std::min(m, L - j * m);
                    if (is_done[(a * RS + rs) * per_line + j] || len < n) continue;
                    float* row = &rows[static_cast<size_t>(filled * m)];
                    for (int64_t t = 0; t < m; ++t) row[t] = t < len ? w[at(a, rs, j, t)] : 0.0f;
                    batch[filled][0] = a, batch[filled][1] = rs, batch[filled][2] = j;
                    if (++filled == kLanes) flush();
                }
        flush();
    }
    nm.kept_ = kept_total;
    int64_t order[256];
    // One by one: whatever the lanes left (nothing in the common case: the loop is skipped).
    for (int64_t a = 0; a < (done_groups == lines * RS * per_line ? 0 : lines); ++a)
        for (int64_t rs = 0; rs < R * S; ++rs)
            for (int64_t j = 0; j < per_line; ++j) {
                if (is_done[(a * RS + rs) * per_line + j]) continue;
                const int64_t len = std::min(nm.m_, L - j * nm.m_);
                auto wt = [&](int64_t t) { return w[at(a, rs, j, t)]; };
                const int64_t keep = std::min(nm.n_, len);
                // Kept: the `keep` largest magnitudes, ties to the lower index; listed by index
                // ascending, as a decoder streams them.
                if (!select_largest(wt, len, keep, order)) {
                    for (int64_t t = 0; t < len; ++t) order[t] = t;
                    std::partial_sort(order, order + keep, order + len, [&](int64_t x, int64_t y) {
                        const float ax = std::abs(wt(x)), ay = std::abs(wt(y));
                        return ax > ay || (ax == ay && x < y);
                    });
                    std::sort(order, order + keep);
                }
                size_t slot = static_cast<size_t>(((a * RS + rs) * per_line + j) * nm.n_);
                for (int64_t t = 0; t < keep; ++t, ++slot) {  // padding slots stay 0, index 0
                    nm.values_[slot] = wt(order[t]);
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
