// SparseTrain's pruner: threshold from the statistics, the rule against a plain reference with
// the same generator, the achieved sparsity near p on Gaussian gradients, and unbiasedness.
#include <gtest/gtest.h>

#include "stvp/hw/accel_desc.h"

#include <cmath>
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
