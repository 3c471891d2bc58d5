// SparseTrain's pruner: threshold from the statistics, the rule against a plain reference with
// the same generator, the achieved sparsity near p on Gaussian gradients, and unbiasedness.
#include <gtest/gtest.h>

#include "stvp/hw/accel_desc.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "accel/sparse/gradient_pruner.h"

using namespace stvp::accel::sparse;

TEST(GradientPruner, InverseNormalAndXorshift) {
    EXPECT_NEAR(inverse_normal_cdf(0.975), 1.959964, 1e-6);
    EXPECT_NEAR(inverse_normal_cdf(0.5), 0.0, 1e-12);
    Xorshift32 x(1);
    EXPECT_EQ(x.next(), 270369u);  // Marsaglia's xorshift32 (13, 17, 5) from 1
}

TEST(GradientPruner, LaneSeedsAreMixed) {
    // Neighbouring lanes and small seeds must not start from small, correlated states: the
    // first draw of every lane of seed 1 is spread over the whole range.
    double first_draws = 0;
    for (uint32_t l = 0; l < 16; ++l) {
        Xorshift32 x(stvp_accel_prune_lane_seed(1, l));
        first_draws += x.unit();
    }
    EXPECT_NEAR(first_draws / 16, 0.5, 0.2);
    EXPECT_NE(stvp_accel_prune_lane_seed(0, 0), 0u);
}

TEST(GradientPruner, MatchesReferenceRuleAndThreshold) {
    std::mt19937 rng(1);
    std::normal_distribution<float> d(0, 0.01f);
    std::vector<float> g(10000);
    for (auto& v : g) v = std::max(0.0f, d(rng)) == 0.0f && (rng() & 1) ? 0.0f : d(rng);
    GradientPrunerConfig c;
    c.prune_rate = 0.7;
    c.lanes = 4;
    GradientPruner p(c);
    double mean = 0;
    for (float v : g) mean += std::abs(v);
    mean /= g.size();
    const double tau = inverse_normal_cdf(0.85) * mean * std::sqrt(M_PI / 2);
    EXPECT_NEAR(p.threshold(g.data(), 10000), tau, 1e-9);
    // Lane l starts from stvp_accel_prune_lane_seed(seed = 1, l) (accel_desc.h).
    std::vector<Xorshift32> lanes;
    for (uint32_t l = 0; l < 4; ++l) lanes.emplace_back(stvp_accel_prune_lane_seed(1, l));
    std::vector<float> ref = g;
    const float t = static_cast<float>(tau);
    for (size_t i = 0; i < ref.size(); ++i)
        if (std::abs(ref[i]) < t && ref[i] != 0.0f)
            ref[i] = lanes[i % 4].unit() * t < std::abs(ref[i]) ? std::copysign(t, ref[i]) : 0.0f;
    const PruneStats st = p.prune(g.data(), 10000);
    EXPECT_EQ(g, ref);
    EXPECT_FLOAT_EQ(static_cast<float>(st.tau), t);
    int64_t z = 0;
    for (float v : g) z += v == 0.0f;
    EXPECT_EQ(st.zeros_after, z);
}

TEST(GradientPruner, AchievedSparsityNearTarget) {
    std::mt19937 rng(2);
    std::normal_distribution<float> d(0, 1);
    for (double rate : {0.5, 0.9}) {
        std::vector<float> g(200000);
        for (auto& v : g) v = d(rng);
        GradientPrunerConfig c;
        c.prune_rate = rate;
        GradientPruner p(c);
        const PruneStats st = p.prune(g.data(), static_cast<int64_t>(g.size()));
        // A fraction p lies below tau = z*sigma; of those, E[|g|/tau] survive:
        // zeros = p - sqrt(2/pi) * (1 - exp(-z^2/2)) / z for N(0, 1).
        const double z = inverse_normal_cdf((1 + rate) / 2);
        const double expect = rate - std::sqrt(2 / M_PI) * (1 - std::exp(-z * z / 2)) / z;
        EXPECT_NEAR(st.sparsity(), expect, 0.01) << rate;
    }
}

// E[g'] = g: prune the same vector many times (the generators move on) and compare the mean of
// each element with its original value, within 5 standard errors of the Bernoulli rule.
TEST(GradientPruner, Unbiased) {
    std::mt19937 rng(3);
    std::normal_distribution<float> d(0, 1);
    const int n = 64, trials = 20000;
    std::vector<float> g0(n);
    for (auto& v : g0) v = d(rng);
    GradientPrunerConfig c;
    c.prune_rate = 0.9;
    c.lanes = 8;
    GradientPruner p(c);
    const double tau = p.threshold(g0.data(), n);
    std::vector<double> sum(n, 0.0);
    std::vector<float> g(n);
    for (int t = 0; t < trials; ++t) {
        g = g0;
        p.prune(g.data(), n);
        for (int i = 0; i < n; ++i) sum[i] += g[i];
    }
    int pruned = 0;
    for (int i = 0; i < n; ++i) {
        const double a = std::abs(g0[i]);
        const double var = a < tau ? tau * tau * (a / tau) * (1 - a / tau) : 0.0;
        const double se = std::sqrt(var / trials);
        EXPECT_NEAR(sum[i] / trials, g0[i], 5 * se + 1e-6) << i;
        pruned += a < tau;
    }
    EXPECT_GT(pruned, n / 2);  // the test exercised the stochastic branch
}

// The pruner's vector paths (a threshold sum that adds blocks in any order when no partial sum
// can round, 8 lanes at a time for lane counts that are multiples of 8) against the rule as
// written, term by term and element by element: tau, every output bit, the zero counts and the
// generators' states over two calls, on gradients built to defeat the block sum (tiny and
// subnormal terms next to large sums, zeros of both signs, NaN, Inf, huge values), for lane
// counts with and without the vector path and lengths around the vector and block sizes.
namespace {
struct RulePruner {  // the rule of gradient_pruner.h, one element at a time
    std::vector<Xorshift32> lanes;
    double prune_rate;
    RulePruner(const GradientPrunerConfig& c) : prune_rate(c.prune_rate) {
        for (uint32_t l = 0; l < c.lanes; ++l) lanes.emplace_back(stvp_accel_prune_lane_seed(c.seed, l));
    }
    double threshold(const std::vector<float>& g) const {
        double sum = 0;
        for (float v : g) sum += std::abs(v);
        return inverse_normal_cdf((1 + prune_rate) / 2) * (sum / static_cast<double>(g.size()) * std::sqrt(M_PI / 2));
    }
    PruneStats prune(std::vector<float>& g) {
        PruneStats st;
        st.tau = g.empty() ? 0 : threshold(g);
        const float t = static_cast<float>(st.tau);
        for (size_t i = 0; i < g.size(); ++i) {
            st.zeros_before += g[i] == 0.0f;
            if (std::abs(g[i]) < t && g[i] != 0.0f)
                g[i] = lanes[i % lanes.size()].unit() * t < std::abs(g[i]) ? std::copysign(t, g[i]) : 0.0f;
            st.zeros_after += g[i] == 0.0f;
        }
        return st;
    }
};

std::vector<float> hard_gradient(size_t n, uint32_t seed, int kind) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0, 1e-3f);
    std::uniform_real_distribution<float> u(0, 1);
    std::vector<float> g(n);
    for (auto& v : g) {
        const float r = u(rng);
        v = d(rng);
        if (r < 0.3f) v = 0.0f;                            // ReLU zeros
        else if (r < 0.32f) v = -0.0f;
        else if (r < 0.36f) v *= 1e-6f;                    // terms whose ulp is below the sum's
        else if (r < 0.37f) v = std::copysign(1e-42f, v);  // subnormal
        else if (r < 0.38f && kind == 1) v *= 1e20f;       // huge
    }
    if (kind == 2 && n > 40) g[n / 2] = NAN, g[n / 3] = -INFINITY;
    if (kind == 3) std::fill(g.begin(), g.begin() + std::min<size_t>(n, 100), 0.0f);  // a zero prefix
    if (kind == 4)  // a first block whose sum has bits far below those of the large terms after it
        for (size_t i = 0; i < n; ++i) g[i] = i == 0 ? 1.0f : i < 32 ? 3e-13f * u(rng) : 1000 + 1000 * u(rng);
    return g;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0);
}
}  // namespace

TEST(GradientPruner, VectorPathsMatchTheRuleBitForBit) {
    int cases = 0;
    for (uint32_t lanes : {1u, 3u, 8u, 16u, 24u})
        for (size_t n : {0u, 7u, 8u, 9u, 31u, 32u, 33u, 1000u, 4099u, 65536u})
            for (int kind = 0; kind < 5; ++kind) {
                GradientPrunerConfig c;
                c.prune_rate = 0.9;
                c.lanes = lanes;
                c.seed = 5 + lanes;
                GradientPruner p(c);
                RulePruner ref(c);
                std::vector<float> g = hard_gradient(n, uint32_t(n * 7 + kind), kind), r = g;
                for (int call = 0; call < 2; ++call) {  // the generators carry on
                    if (n) {
                        const double tau = p.threshold(g.data(), int64_t(n)), want = ref.threshold(r);
                        EXPECT_TRUE(std::memcmp(&tau, &want, 8) == 0) << lanes << " " << n << " " << kind << ": " << tau << " " << want;
                    }
                    const PruneStats a = p.prune(g.data(), int64_t(n)), b = ref.prune(r);
                    ASSERT_TRUE(same_bits(g, r)) << lanes << " " << n << " " << kind << " call " << call;
                    EXPECT_EQ(a.zeros_before, b.zeros_before);
                    EXPECT_EQ(a.zeros_after, b.zeros_after);
                    EXPECT_TRUE(std::memcmp(&a.tau, &b.tau, 8) == 0 || (std::isnan(a.tau) && std::isnan(b.tau)));
                    ++cases;
                }
            }
    EXPECT_EQ(cases, 5 * 10 * 5 * 2);
}

// The block sum must take its fast path on ordinary gradients (else the test above proves only
// the fallback): tau of a long gradient equals the rule's, and the gradient is one whose blocks
// qualify (no terms below 2^-30 of the sum).
TEST(GradientPruner, ThresholdOfOrdinaryGradientMatchesTheRule) {
    std::mt19937 rng(9);
    std::normal_distribution<float> d(0, 1);
    std::vector<float> g(1 << 16);
    for (auto& v : g) v = d(rng);
    GradientPrunerConfig c;
    RulePruner ref(c);
    GradientPruner p(c);
    const double tau = p.threshold(g.data(), int64_t(g.size())), want = ref.threshold(g);
    EXPECT_TRUE(std::memcmp(&tau, &want, 8) == 0) << tau << " " << want;
}

// A running sum with bits below the ulp of the next block's sum (1 + a tiny term) followed by a
// block whose terms all qualify: added in one go it rounds once, term by term it rounds 32 times,
// and here the two differ (found by search), so the block must not take the fast path.
TEST(GradientPruner, ThresholdKeepsTheRunningSumsRounding) {
    std::vector<float> g(32, 0.0f);
    g[0] = 1.0f, g[1] = 2.272744926284931e-12f;
    const float block[32] = {902.7554931640625f, 842.3876953125f, 700.7693481445312f, 773.9555053710938f, 917.7498168945312f, 616.3682250976562f, 664.943603515625f, 665.3778686523438f, 794.7867431640625f, 596.5714721679688f, 871.0532836914062f, 749.9664916992188f, 555.5062866210938f, 575.1008911132812f, 822.3258666992188f, 775.14306640625f, 705.125244140625f, 591.7589721679688f, 730.4974975585938f, 994.14697265625f, 880.4340209960938f, 912.5215454101562f, 765.4532470703125f, 713.5269165039062f, 838.130126953125f, 708.5960693359375f, 944.8780517578125f, 790.64208984375f, 1021.0872802734375f, 780.3770751953125f, 558.2857055664062f, 642.6541748046875f};
    g.insert(g.end(), block, block + 32);
    GradientPrunerConfig c;
    const double tau = GradientPruner(c).threshold(g.data(), int64_t(g.size())), want = RulePruner(c).threshold(g);
    EXPECT_TRUE(std::memcmp(&tau, &want, 8) == 0) << tau << " " << want;
}
