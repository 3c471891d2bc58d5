#include "accel/sparse/gradient_pruner.h"

#include <cmath>
#include <cstring>

#include "stvp/hw/accel_desc.h"  // the lane seeding, shared with firmware references

namespace stvp::accel::sparse {

double inverse_normal_cdf(double p) {
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

std::string GradientPrunerConfig::validate() const {
    if (!(prune_rate >= 0 && prune_rate < 1)) return "prune_rate must be in [0, 1)";
    if (lanes < 1) return "lanes must be >= 1";
    return {};
}

GradientPruner::GradientPruner(const GradientPrunerConfig& cfg) : cfg_(cfg) {
    for (uint32_t l = 0; l < cfg.lanes; ++l) lanes_.emplace_back(stvp_accel_prune_lane_seed(cfg.seed, l));
}

namespace {

using F8 = float __attribute__((vector_size(32)));
using I8 = int32_t __attribute__((vector_size(32)));
using U8 = uint32_t __attribute__((vector_size(32)));
using D4 = double __attribute__((vector_size(32)));

uint64_t bits_of(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
}

// sum + |g[i]| + ... + |g[end - 1]| in double, one term at a time (the rule's order).
double add_serial(double sum, const float* g, int64_t i, int64_t end) {
    for (; i < end; ++i) sum += std::abs(g[i]);
    return sum;
}

// The same sum as add_serial over [0, n), bit for bit, without its chain of dependent adds in
// most places: a block of kBlock terms is added in any order when no partial sum of it can
// round. With 2^E above every partial sum (bounded from the block's sum in any order), a sum
// of non-negative multiples of q = 2^(E - 53) below 2^E is exact whatever the order; the
// block qualifies when the running sum is such a multiple and every term is 0 or a float of
// at least 2^(E - 30) (whose ulp is then >= q). Any other block (tiny terms next to a large
// sum, NaN, Inf, a sum near the ends of the range) is added term by term.
__attribute__((target_clones("avx2", "default"))) double sum_magnitudes(const float* g, int64_t n) {
    constexpr int64_t kBlock = 32;
    const I8 magnitude = I8{} + 0x7fffffff;
    double sum = 0;
    int64_t i = 0;
    for (; i + kBlock <= n; i += kBlock) {
        F8 a[kBlock / 8];
        D4 acc = D4{};
        for (int v = 0; v < kBlock / 8; ++v) {
            std::memcpy(&a[v], g + i + 8 * v, sizeof a[v]);
            a[v] = reinterpret_cast<F8>(reinterpret_cast<I8>(a[v]) & magnitude);
            const D4 lo = __builtin_convertvector(__builtin_shufflevector(a[v], a[v], 0, 1, 2, 3), D4);
            const D4 hi = __builtin_convertvector(__builtin_shufflevector(a[v], a[v], 4, 5, 6, 7), D4);
            acc += lo + hi;
        }
        const double total = sum + ((acc[0] + acc[1]) + (acc[2] + acc[3]));
        // An upper bound of the exact sum (the block's rounding is far below 2^-30 relative).
        const uint64_t ub = bits_of(total * (1.0 + 0x1p-30));
        const int e = static_cast<int>(ub >> 52 & 0x7ff) - 1022;  // 2^e > ub (ub >= 0, normal)
        if (total == 0) continue;  // every term and the sum 0: the serial sum is 0 as well
        bool exact = e > -96 && e < 150;  // 2^(e - 30) a normal float, 2^(e - 53) a normal double
        if (exact && sum != 0) {
            // sum = M * 2^(es - 52) (M: 53 bits, implicit one): a multiple of 2^(e - 53)?
            const uint64_t sb = bits_of(sum);
            const int es = static_cast<int>(sb >> 52 & 0x7ff) - 1023;
            const uint64_t mant = (sb & ((uint64_t{1} << 52) - 1)) | uint64_t{1} << 52;
            exact = es > -1000 && es - 52 + __builtin_ctzll(mant) >= e - 53;
        }
        if (exact) {
            const uint32_t tb = static_cast<uint32_t>(e - 30 + 127) << 23;
            F8 t;
            std::memcpy(&t, &tb, 4);
            t = F8{} + t[0];
            I8 ok = ~I8{};
            for (int v = 0; v < kBlock / 8; ++v) ok &= (a[v] == 0.0f) | (a[v] >= t);  // false for NaN
            for (int l = 0; l < 8; ++l) exact = exact && ok[l];
        }
        sum = exact ? total : add_serial(sum, g, i, i + kBlock);
    }
    return add_serial(sum, g, i, n);
}

// The rule over [0, n) with L lanes, L a multiple of 8: 8 elements (8 lanes) at a time; a
// lane's generator moves only where its element is pruned, as in the rule. Adds the zeros
// before and after to z0, z1.
__attribute__((target_clones("avx2", "default"))) void prune_lanes8(float* g, int64_t n, float tau, uint32_t* state,
                                                                     int64_t lanes, int64_t* z0, int64_t* z1) {
    const F8 tv = F8{} + tau;
    const I8 magnitude = I8{} + 0x7fffffff;
    uint32_t tb;
    std::memcpy(&tb, &tau, 4);
    const I8 tau_mag = I8{} + static_cast<int32_t>(tb & 0x7fffffffu);
    const I8 sign = I8{} + static_cast<int32_t>(0x80000000u);
    I8 zb = {}, za = {};
    int64_t lane = 0;
    for (int64_t i = 0; i + 8 <= n; i += 8, lane = lane + 8 == lanes ? 0 : lane + 8) {
        F8 v;
        std::memcpy(&v, g + i, sizeof v);
        const I8 vb = reinterpret_cast<I8>(v);
        const F8 a = reinterpret_cast<F8>(vb & magnitude);
        const I8 small = (a < tv) & (v != 0.0f);
        U8 x;
        std::memcpy(&x, state + lane, sizeof x);
        U8 x1 = x ^ (x << 13);
        x1 ^= x1 >> 17;
        x1 ^= x1 << 5;
        const U8 moved = reinterpret_cast<U8>(small);
        x = (x1 & moved) | (x & ~moved);
        std::memcpy(state + lane, &x, sizeof x);
        const F8 u = __builtin_convertvector(reinterpret_cast<I8>(x1 >> 8), F8) * (1.0f / 16777216.0f);
        const I8 keep = u * tv < a;
        const I8 out = (small & keep & ((vb & sign) | tau_mag)) | (~small & vb);
        std::memcpy(g + i, &out, sizeof out);
        zb -= v == 0.0f;
        za -= reinterpret_cast<F8>(out) == 0.0f;
    }
    for (int l = 0; l < 8; ++l) *z0 += zb[l], *z1 += za[l];
}

}  // namespace

double GradientPruner::threshold(const float* g, int64_t n) const {
    if (n <= 0 || cfg_.prune_rate <= 0) return 0;
    const double sum = sum_magnitudes(g, n);
    const double sigma = sum / static_cast<double>(n) * std::sqrt(M_PI / 2);
    return inverse_normal_cdf((1 + cfg_.prune_rate) / 2) * sigma;
}

PruneStats GradientPruner::prune(float* g, int64_t n) {
    PruneStats st;
    st.elements = n;
    st.tau = threshold(g, n);
    const float tau = static_cast<float>(st.tau);
    const size_t L = lanes_.size();
    int64_t i = 0;
    size_t lane = 0;  // i % L, counted instead of divided
    if (L % 8 == 0 && n >= 8) {
        // Whole vectors of 8 lanes (the generators' states in and out), the rest below.
        std::vector<uint32_t> state(L);
        for (size_t l = 0; l < L; ++l) state[l] = lanes_[l].state();
        i = n / 8 * 8;
        prune_lanes8(g, i, tau, state.data(), static_cast<int64_t>(L), &st.zeros_before, &st.zeros_after);
        for (size_t l = 0; l < L; ++l) lanes_[l] = Xorshift32(state[l]);
        lane = static_cast<size_t>(i) % L;
    }
    for (; i < n; ++i, lane = lane + 1 == L ? 0 : lane + 1) {
        const float v = g[i];
        st.zeros_before += v == 0.0f;
        const float a = std::abs(v);
        if (a < tau && v != 0.0f) {
            // Keep with probability |g|/tau: u * tau < |g|.
            const bool keep = lanes_[lane].unit() * tau < a;
            g[i] = keep ? std::copysign(tau, v) : 0.0f;
        }
        st.zeros_after += g[i] == 0.0f;
    }
    return st;
}

}  // namespace stvp::accel::sparse
