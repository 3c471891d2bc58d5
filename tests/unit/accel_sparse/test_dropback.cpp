// InitWeights, the decay schedule, the quantile estimator, exact top-k and WeightSelector, each
// against a plain reference written straight from docs/literature.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "accel/sparse/dropback.h"
#include "accel/sparse/init_weights.h"

using namespace stvp::accel::sparse;

TEST(InitWeights, DeterministicKeyedAndPinned) {
    InitWeights a, b;
    EXPECT_EQ(a.bits(3, 12345), b.bits(3, 12345));
    EXPECT_NE(a.bits(3, 12345), a.bits(4, 12345));
    EXPECT_NE(a.bits(3, 12345), a.bits(3, 12346));
    InitWeightsConfig c;
    c.seed = 2;
    EXPECT_NE(InitWeights(c).bits(3, 12345), a.bits(3, 12345));
    // Pinned values: a change of the generator changes every model's W0.
    EXPECT_EQ(a.bits(0, 0), 0xb18a02f46d8d86c3ull) << std::hex << a.bits(0, 0);
    std::vector<float> f(100);
    a.fill(7, 50, 100, 300, f.data());
    for (int i = 0; i < 100; ++i) EXPECT_EQ(f[i], a.value(7, 50 + i, 300));
}

// The cache returns exactly what fill() writes for every key it is asked (layer, size, fan-in,
// seed, kind, bound each change the values), the same values on a repeat, and stays correct
// across the eviction at its size limit.
TEST(W0Cache, EqualsFillForEveryKey) {
    W0Cache cache(1000);
    auto fill = [](const InitWeights& init, uint32_t layer, uint64_t count, uint64_t fan_in) {
        std::vector<float> v(count);
        init.fill(layer, 0, count, fan_in, v.data());
        return v;
    };
    InitWeightsConfig a, b = a, u = a;
    b.seed = 2;
    u.kind = InitKind::Uniform;  // the same bound field as a: only the kind differs
    InitWeightsConfig u2 = u;
    u2.uniform_bound = 0.2;
    for (int round = 0; round < 2; ++round)
        for (const InitWeightsConfig& cfg : {a, b, u, u2})
            for (uint32_t layer : {0u, 3u})
                for (uint64_t count : {uint64_t{1}, uint64_t{100}})
                    for (uint64_t fan_in : {uint64_t{1}, uint64_t{50}}) {
                        const InitWeights init(cfg);
                        ASSERT_EQ(cache.get(init, layer, count, fan_in), fill(init, layer, count, fan_in))
                            << "round " << round << " seed " << cfg.seed << " layer " << layer << " count " << count;
                    }
    const InitWeights init(a);
    EXPECT_EQ(cache.get(init, 1, 990, 9), fill(init, 1, 990, 9));  // evicts
    EXPECT_EQ(cache.get(init, 3, 100, 50), fill(init, 3, 100, 50));
}

TEST(InitWeights, KaimingUniformDistribution) {
    InitWeights g;
    const uint64_t fan_in = 784;
    const double b = std::sqrt(6.0 / fan_in);
    EXPECT_FLOAT_EQ(g.bound(fan_in), static_cast<float>(b));
    const int n = 200000;
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) {
        const double v = g.value(1, i, fan_in);
        ASSERT_GE(v, -b);
        ASSERT_LT(v, b);
        sum += v, sq += v * v;
    }
    // U(-b, b): mean 0, variance b^2/3; bounds at 5 standard errors.
    EXPECT_NEAR(sum / n, 0.0, 5 * b / std::sqrt(3.0 * n));
    EXPECT_NEAR(sq / n, b * b / 3, 5 * b * b * 0.3 / std::sqrt(n));
    InitWeightsConfig c;
    c.kind = InitKind::Uniform;
    c.uniform_bound = 0.25;
    EXPECT_EQ(InitWeights(c).bound(784), 0.25f);
    c.uniform_bound = 0;
    EXPECT_NE(c.validate(), "");
}

TEST(Decay, StartsAtOneTimesFactor) {
    DecaySchedule d;
    EXPECT_EQ(d.value(), 1.0);
    for (int i = 0; i < 110; ++i) d.advance();
    EXPECT_NEAR(d.value(), std::pow(0.9, 110), 1e-12);
    EXPECT_LT(d.value(), 1e-5);  // docs/literature.md: effectively zero after about 110 steps
    DecayConfig c;
    c.factor = 1.5;
    EXPECT_NE(c.validate(), "");
}

// The rule of docs/literature.md written out plainly.
struct RefQe {
    double est = 1e-2;
    double lambda = 1e-6;
    bool observe(double x, double q) {
        if (x > est) {
            est = est * (1 + lambda * q);
            return true;
        }
        est = est * (1 - lambda * (1 - q));
        return false;
    }
};

TEST(QuantileEstimator, MatchesRuleStepByStepAndCarriesOver) {
    std::mt19937 rng(5);
    std::exponential_distribution<double> dist(50.0);
    QuantileEstimator qe;
    RefQe ref;
    for (int step = 0; step < 3; ++step) {
        const double q = 0.9;
        qe.begin_step(q);
        for (int i = 0; i < 50000; ++i) {
            const double x = dist(rng);
            ASSERT_EQ(qe.observe(x), ref.observe(x, q));
            ASSERT_DOUBLE_EQ(qe.estimate(), ref.est);
        }
        qe.end_step();
        EXPECT_DOUBLE_EQ(qe.start_estimate(), ref.est);
    }
    EXPECT_EQ(qe.updates(), 150000u);
}

// The whole-layer pass (observe_scores: both products computed, one selected by a mask) against
// observe() score by score: every tracked flag and the estimate bit for bit after each layer,
// over steps with the estimate carried, a large lambda (estimates move fast, many crossings),
// infinite and NaN scores, an empty layer.
TEST(QuantileEstimator, LayerPassEqualsScoreByScore) {
    std::mt19937 rng(31);
    std::normal_distribution<float> wd(0.0f, 0.05f);
    QuantileConfig c;
    c.lambda = 1e-2;
    QuantileEstimator fast(c), slow(c);
    for (int step = 0; step < 6; ++step) {
        const double q = 0.5 + 0.08 * step;
        const float d = 0.9f - 0.1f * static_cast<float>(step);
        fast.begin_step(q), slow.begin_step(q);
        for (int64_t count : {int64_t{5000}, int64_t{0}, int64_t{777}}) {
            std::vector<float> w(static_cast<size_t>(count)), w0(w.size());
            for (size_t i = 0; i < w.size(); ++i) w[i] = wd(rng), w0[i] = wd(rng);
            if (count > 100) w[17] = std::numeric_limits<float>::infinity(), w[42] = std::nanf("");
            std::vector<uint8_t> got(w.size(), 9), want(w.size(), 9);
            fast.observe_scores(w.data(), w0.data(), count, d, got.data());
            for (size_t i = 0; i < w.size(); ++i) want[i] = slow.observe(score(w[i], w0[i], d));
            ASSERT_EQ(got, want) << "step " << step << " count " << count;
            const double a = fast.estimate(), b = slow.estimate();
            ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "step " << step << " count " << count;
        }
        fast.end_step(), slow.end_step();
    }
    EXPECT_EQ(fast.updates(), slow.updates());
}

// The decided-block path at the device's lambda: scores drawn around the running estimate (many
// blocks with a score inside the range the estimate can reach, many clear of it), target
// quantiles outside [0, 1] (a factor below 1 going up, above 1 going down, a negative factor),
// an estimate driven towards the subnormal range: every flag and the estimate bit for bit
// against observe() score by score.
TEST(QuantileEstimator, DecidedBlocksEqualScoreByScore) {
    std::mt19937 rng(33);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (const double q : {0.9, 0.0, 1.0, 1.5, -0.5, -2e6}) {
        for (const double lambda : {1e-6, 0.9}) {
            QuantileConfig c;
            c.lambda = lambda;
            QuantileEstimator fast(c), slow(c);
            fast.begin_step(q), slow.begin_step(q);
            int64_t near_blocks = 0;
            for (int layer = 0; layer < 4; ++layer) {
                const int64_t count = 4099;
                std::vector<float> w(static_cast<size_t>(count)), w0(w.size(), 0.0f);
                const float est = static_cast<float>(fast.estimate());
                for (size_t i = 0; i < w.size(); ++i) {
                    // A quarter of the 16-score blocks sit within 1e-5 of the estimate.
                    const bool near = (i / 16) % 4 == 1;
                    w[i] = near ? est * (1.0f + 2e-5f * (u(rng) - 0.5f)) : est * 4.0f * u(rng);
                    near_blocks += near && i % 16 == 0;
                }
                std::vector<uint8_t> got(w.size(), 9), want(w.size(), 9);
                fast.observe_scores(w.data(), w0.data(), count, 1.0f, got.data());
                for (size_t i = 0; i < w.size(); ++i) want[i] = slow.observe(score(w[i], w0[i], 1.0f));
                ASSERT_EQ(got, want) << "q " << q << " lambda " << lambda << " layer " << layer;
                const double a = fast.estimate(), b = slow.estimate();
                ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "q " << q << " lambda " << lambda << " layer " << layer;
            }
            EXPECT_GT(near_blocks, 0);
        }
    }
}

// Scores built against the rule as it runs: runs of clear decisions of every length up to 100
// (far above, so the estimate climbs at each, or zero, so it falls), each followed by a score
// just below the estimate it meets after a climb (not tracked) or just above it after a fall
// (tracked). A block decided from a range narrower than what the estimate can reach by then
// (e.g. one block's products instead of the two since the range's reference) gets such a score
// wrong. Every flag and the estimate bit for bit against observe() score by score.
TEST(QuantileEstimator, ScoresAtTheMovingEstimateEqualScoreByScore) {
    for (const double lambda : {1e-3, 0.05}) {
        QuantileConfig c;
        c.lambda = lambda;
        QuantileEstimator fast(c), slow(c), gen(c);
        fast.begin_step(0.5), slow.begin_step(0.5), gen.begin_step(0.5);
        std::vector<float> w;
        for (int run = 1; run <= 100; ++run)
            for (const bool climb : {true, false}) {
                for (int r = 0; r < run; ++r) {
                    w.push_back(climb ? 1e30f : 0.0f);
                    gen.observe(w.back());
                }
                const double e = gen.estimate();
                w.push_back(static_cast<float>(climb ? e * (1 - 1e-6) : e * (1 + 1e-6)));
                EXPECT_EQ(gen.observe(w.back()), !climb);
            }
        const std::vector<float> w0(w.size(), 0.0f);
        std::vector<uint8_t> got(w.size(), 9), want(w.size(), 9);
        fast.observe_scores(w.data(), w0.data(), static_cast<int64_t>(w.size()), 1.0f, got.data());
        for (size_t i = 0; i < w.size(); ++i) want[i] = slow.observe(score(w[i], w0[i], 1.0f));
        ASSERT_EQ(got, want) << "lambda " << lambda;
        const double a = fast.estimate(), b = slow.estimate();
        ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "lambda " << lambda;
    }
}

// reset_untracked (a select, not a branch) against the plain rule: untracked weights become
// d*W0, tracked ones keep their bits, the count is the tracked number.
TEST(ResetUntracked, EqualsThePlainRule) {
    std::mt19937 rng(32);
    std::normal_distribution<float> wd(0.0f, 0.05f);
    std::bernoulli_distribution tr(0.1);
    std::vector<float> w(3001), w0(w.size());
    std::vector<uint8_t> t(w.size());
    for (size_t i = 0; i < w.size(); ++i) w[i] = wd(rng), w0[i] = wd(rng), t[i] = tr(rng) ? uint8_t(1 + i % 3) : 0;
    std::vector<float> want = w;
    int64_t n = 0;
    for (size_t i = 0; i < w.size(); ++i) t[i] ? static_cast<void>(++n) : static_cast<void>(want[i] = 0.7f * w0[i]);
    EXPECT_EQ(reset_untracked(w.data(), w0.data(), t.data(), static_cast<int64_t>(w.size()), 0.7f), n);
    EXPECT_EQ(std::memcmp(w.data(), want.data(), 4 * w.size()), 0);
}

TEST(QuantileEstimator, ConvergesToQuantileWithLargeLambda) {
    QuantileConfig c;
    c.lambda = 1e-3;
    QuantileEstimator qe(c);
    std::mt19937 rng(9);
    std::uniform_real_distribution<double> u(0, 1);
    qe.begin_step(0.9);
    for (int i = 0; i < 400000; ++i) qe.observe(u(rng));
    EXPECT_NEAR(qe.estimate(), 0.9, 0.02);
}

TEST(QuantileEstimator, MovingAverageOfStarts) {
    QuantileConfig c;
    c.moving_average = 0.5;
    c.lambda = 0.1;
    QuantileEstimator qe(c);
    qe.begin_step(0.5);
    qe.observe(1.0);  // est 0.01 * 1.05
    qe.end_step();    // first step: the average starts at the estimate
    EXPECT_DOUBLE_EQ(qe.start_estimate(), 0.0105);
    qe.begin_step(0.5);
    qe.observe(1.0);  // 0.0105 * 1.05
    qe.end_step();
    EXPECT_DOUBLE_EQ(qe.start_estimate(), 0.5 * 0.0105 + 0.5 * 0.0105 * 1.05);
}

TEST(TopK, DeterministicTieBreak) {
    std::vector<float> s{0.5f, 0.9f, 0.5f, 0.1f, 0.5f, 0.9f};
    EXPECT_EQ(exact_top_k(s, 3), (std::vector<int64_t>{0, 1, 5}));
    EXPECT_EQ(exact_top_k(s, 4), (std::vector<int64_t>{0, 1, 2, 5}));
    EXPECT_EQ(exact_top_k(s, 0).size(), 0u);
    EXPECT_EQ(exact_top_k(s, 99).size(), 6u);
}

namespace {
struct Model {
    std::vector<std::vector<float>> w;
    std::vector<SelectorLayer> layers;
    Model(const InitWeights& init, std::vector<int64_t> counts, std::vector<uint64_t> fan_in, uint32_t seed) {
        std::mt19937 rng(seed);
        std::normal_distribution<float> noise(0, 0.05f);
        w.resize(counts.size());
        for (size_t l = 0; l < counts.size(); ++l) {
            w[l].resize(static_cast<size_t>(counts[l]));
            for (int64_t i = 0; i < counts[l]; ++i) w[l][i] = init.value(static_cast<uint32_t>(l), i, fan_in[l]) + noise(rng);
            layers.push_back({w[l].data(), counts[l], fan_in[l], static_cast<uint32_t>(l)});
        }
    }
};
}  // namespace

TEST(WeightSelector, TopKMatchesReferenceAndResets) {
    InitWeights init;
    Model m(init, {3000, 500}, {100, 30}, 1);
    Model ref(init, {3000, 500}, {100, 30}, 1);
    WeightSelectorConfig c;
    c.mode = SelectMode::TopK;
    c.budget = 400;
    WeightSelector sel(c, init);
    std::vector<std::vector<uint8_t>> masks;
    for (int step = 0; step < 3; ++step) {
        const float d = static_cast<float>(std::pow(0.9, step));
        // Reference: global sort by (score desc, index asc).
        std::vector<std::pair<float, int64_t>> all;
        int64_t g = 0;
        for (size_t l = 0; l < 2; ++l)
            for (size_t i = 0; i < ref.w[l].size(); ++i, ++g)
                all.push_back({std::abs(ref.w[l][i] - d * init.value(static_cast<uint32_t>(l), i, ref.layers[l].fan_in)), g});
        std::sort(all.begin(), all.end(), [](auto a, auto b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        std::vector<uint8_t> keep(all.size(), 0);
        for (int i = 0; i < 400; ++i) keep[all[i].second] = 1;
        g = 0;
        for (size_t l = 0; l < 2; ++l)
            for (size_t i = 0; i < ref.w[l].size(); ++i, ++g)
                if (!keep[g]) ref.w[l][i] = d * init.value(static_cast<uint32_t>(l), i, ref.layers[l].fan_in);

        const SelectStats st = sel.step(m.layers, &masks);
        EXPECT_EQ(st.tracked, 400);
        EXPECT_EQ(st.total, 3500);
        EXPECT_FLOAT_EQ(static_cast<float>(st.decay), d);
        g = 0;
        for (size_t l = 0; l < 2; ++l)
            for (size_t i = 0; i < m.w[l].size(); ++i, ++g) {
                ASSERT_EQ(masks[l][i], keep[g]);
                ASSERT_EQ(m.w[l][i], ref.w[l][i]);
            }
        // Perturb both equally, as an SGD step would.
        for (size_t l = 0; l < 2; ++l)
            for (size_t i = 0; i < m.w[l].size(); i += 7) m.w[l][i] += 0.01f, ref.w[l][i] += 0.01f;
    }
}

TEST(WeightSelector, QuantileModeFollowsEstimatorAndApproximatesBudget) {
    InitWeights init;
    Model m(init, {20000, 5000}, {100, 50}, 2);
    Model ref(init, {20000, 5000}, {100, 50}, 2);
    WeightSelectorConfig c;
    c.budget = 2500;
    c.quantile.lambda = 1e-3;  // fast enough to settle within one small model
    WeightSelector sel(c, init);
    QuantileConfig qc = c.quantile;
    QuantileEstimator qe(qc);
    std::vector<std::vector<uint8_t>> masks;
    SelectStats st;
    for (int step = 0; step < 4; ++step) {
        const float d = static_cast<float>(std::pow(0.9, step));
        qe.begin_step(1.0 - 2500.0 / 25000.0);
        std::vector<std::vector<uint8_t>> rmask(2);
        for (size_t l = 0; l < 2; ++l)
            for (size_t i = 0; i < ref.w[l].size(); ++i) {
                const float w0 = init.value(static_cast<uint32_t>(l), i, ref.layers[l].fan_in);
                const bool t = qe.observe(std::abs(ref.w[l][i] - d * w0));
                rmask[l].push_back(t);
                if (!t) ref.w[l][i] = d * w0;
            }
        qe.end_step();
        st = sel.step(m.layers, &masks);
        for (size_t l = 0; l < 2; ++l) {
            ASSERT_EQ(masks[l], rmask[l]);
            ASSERT_EQ(m.w[l], ref.w[l]);
        }
        EXPECT_EQ(st.quantile_updates, 25000u);
        std::mt19937 rng(step);
        std::normal_distribution<float> g(0, 0.05f);
        for (size_t l = 0; l < 2; ++l)
            for (size_t i = 0; i < m.w[l].size(); ++i) {
                const float x = g(rng);
                m.w[l][i] += x, ref.w[l][i] += x;
            }
    }
    // Only approximately k (docs/literature.md): within 30% after a few steps at this lambda.
    EXPECT_NEAR(st.tracked, 2500, 750);
}
