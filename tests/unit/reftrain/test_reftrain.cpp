// The shared training definitions (sw/train/train_defs.h) and the host reference trainer on a
// small synthetic data set.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "accel/sparse/init_weights.h"
#include "reftrain.h"
#include "train_defs.h"

namespace {

TEST(TrainDefs, LayerShapesChain) {
    for (uint32_t n = 0; n < TRAIN_NET_COUNT; ++n) {
        const train_net_t& net = train_nets[n];
        for (uint32_t i = 0; i + 1 < net.layer_count; ++i)
            EXPECT_EQ(train_out_size(&net.layers[i]), train_in_size(&net.layers[i + 1])) << net.name << " " << i;
        EXPECT_EQ(train_in_size(&net.layers[0]), 784u);
        EXPECT_EQ(train_out_size(&net.layers[net.layer_count - 1]), 10u);
    }
    EXPECT_EQ(train_total_weights(&train_nets[TRAIN_NET_LENET300]), 784u * 300 + 300 * 100 + 100 * 10);
    EXPECT_EQ(train_total_weights(&train_nets[TRAIN_NET_LENET5]), 6u * 25 + 16 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10);
}

TEST(TrainDefs, ShuffleIsASeededPermutation) {
    std::vector<uint32_t> a(1000), b(1000), c(1000);
    train_epoch_order(a.data(), 1000, 1, 0);
    train_epoch_order(b.data(), 1000, 1, 0);
    train_epoch_order(c.data(), 1000, 1, 1);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    std::vector<uint32_t> s = a;
    std::sort(s.begin(), s.end());
    std::vector<uint32_t> id(1000);
    std::iota(id.begin(), id.end(), 0u);
    EXPECT_EQ(s, id);
    EXPECT_NE(a, id);
}

TEST(TrainDefs, ParamsDefaultsAndSchedule) {
    train_params_t p;
    train_params_from_args(&p, nullptr, 0);
    EXPECT_EQ(p.net, TRAIN_NET_LENET300);
    EXPECT_EQ(p.epochs, 1u);
    EXPECT_EQ(p.batch, 64u);
    EXPECT_EQ(p.lr_e4, 1000u);
    EXPECT_STREQ(train_params_check(&p), "");
    EXPECT_FLOAT_EQ(train_lr(&p, 0), 0.1f);
    EXPECT_FLOAT_EQ(train_lr(&p, 2), 0.1f * 0.8f * 0.8f);
    EXPECT_EQ(train_steps_per_epoch(&p, 60000), 937u);
    const uint32_t args[] = {7};
    train_params_from_args(&p, args, 1);
    EXPECT_STRNE(train_params_check(&p), "");
}

// A separable synthetic problem: class = which quarter of the image is bright.
stvp::Dataset synthetic(uint32_t train, uint32_t test) {
    stvp::Dataset d;
    d.rows = d.cols = 28, d.channels = 1, d.classes = 10;
    auto fill = [](std::vector<float>& x, std::vector<int32_t>& y, uint32_t n) {
        x.assign(size_t{n} * 784, -0.5f);
        y.resize(n);
        for (uint32_t i = 0; i < n; ++i) {
            y[i] = int32_t(i % 10);
            for (uint32_t p = 0; p < 78; ++p) x[size_t{i} * 784 + uint32_t(y[i]) * 78 + p] = 1.5f;
        }
    };
    fill(d.train_x, d.train_y, train);
    fill(d.test_x, d.test_y, test);
    return d;
}

TEST(RefTrainer, InitialWeightsAreInitWeights) {
    const stvp::Dataset d = synthetic(256, 100);
    train_params_t p;
    train_params_from_args(&p, nullptr, 0);
    stvp::reftrain::RefTrainer t(d, p);
    ASSERT_EQ(t.validate(), "");
    stvp::accel::sparse::InitWeightsConfig ic;
    ic.seed = 1;
    const stvp::accel::sparse::InitWeights init(ic);
    EXPECT_EQ(t.weights(1)[123], init.value(2, 123, 300));
}

TEST(RefTrainer, LearnsASeparableProblem) {
    const stvp::Dataset d = synthetic(640, 100);
    const uint32_t args[] = {0, 0, 3, 0, 1, 1000};
    train_params_t p;
    train_params_from_args(&p, args, 6);
    stvp::reftrain::RefTrainer t(d, p);
    ASSERT_EQ(t.validate(), "");
    t.begin_epoch(0);
    const float first = t.step(0).loss;
    float last = first;
    for (uint32_t e = 0; e < 3; ++e) {
        t.begin_epoch(e);
        for (uint32_t s = 0; s < t.steps_per_epoch(); ++s) last = t.step(s).loss;
    }
    EXPECT_LT(last, first * 0.5f);
    EXPECT_GE(t.evaluate().correct, 95u);
}

TEST(RefTrainer, RefusesAMismatchedDataSet) {
    stvp::Dataset d = synthetic(256, 100);
    d.classes = 5;
    train_params_t p;
    train_params_from_args(&p, nullptr, 0);
    EXPECT_NE(stvp::reftrain::RefTrainer(d, p).validate(), "");
}

}  // namespace

// ARG[1] packs the mode with N, M and the prune rate; zeros select 2:4 and p = 0.9.
TEST(TrainDefs, ModeArgumentPacksSparseParameters) {
    train_params_t p;
    const uint32_t plain[2] = {0, 6};
    train_params_from_args(&p, plain, 2);
    EXPECT_EQ(p.mode, 6u);
    EXPECT_EQ(p.nm_n, 2u);
    EXPECT_EQ(p.nm_m, 4u);
    EXPECT_EQ(p.prune_pct, 90u);
    EXPECT_STREQ(train_params_check(&p), "");
    EXPECT_EQ(train_mode_arg(6, 2, 8, 50), 0x32080206u);
    const uint32_t packed[2] = {0, train_mode_arg(6, 1, 8, 50)};
    train_params_from_args(&p, packed, 2);
    EXPECT_EQ(p.mode, 6u);
    EXPECT_EQ(p.nm_n, 1u);
    EXPECT_EQ(p.nm_m, 8u);
    EXPECT_FLOAT_EQ(train_prune_rate(&p), 0.5f);
    const uint32_t both[2] = {0, 3};  // Procrustes + N:M
    train_params_from_args(&p, both, 2);
    EXPECT_STRNE(train_params_check(&p), "");
    const uint32_t bad_nm[2] = {0, train_mode_arg(2, 4, 4, 0)};
    train_params_from_args(&p, bad_nm, 2);
    EXPECT_STRNE(train_params_check(&p), "");
    // 2:4 keeps half of an FC layer; a pooling layer has no weights.
    EXPECT_EQ(train_nm_kept(&train_nets[TRAIN_NET_LENET300].layers[0], 2, 4), 300u * 392u);
    EXPECT_EQ(train_nm_kept(&train_nets[TRAIN_NET_LENET5].layers[1], 2, 4), 0u);
    EXPECT_NE(train_prune_seed(1, 0, 0), train_prune_seed(1, 1, 0));
    EXPECT_NE(train_prune_seed(1, 0, 0), train_prune_seed(1, 0, 1));
}
