// The shared training definitions (sw/train/train_defs.h) and the host reference trainer on a
// small synthetic data set.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "accel/sparse/init_weights.h"
#include "reftrain.h"
#include "simctrl/workload.h"
#include "train_defs.h"

namespace {

// The parameters train.elf reads with every workload key at its default (workload.def) but
// the given registers (STVP_WL_*, in the register's unit).
train_params_t params(std::initializer_list<std::pair<unsigned, uint32_t>> set = {}) {
    stvp::workload::Registers wl = stvp::workload::default_registers();
    for (const auto& [i, v] : set) wl[i] = v;
    train_params_t p;
    train_params_from_workload(&p, wl.data());
    return p;
}

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
    EXPECT_EQ(train_total_weights(&train_nets[TRAIN_NET_VGG5]), 16u * 9 + 32 * 16 * 9 + 64 * 32 * 9 + 576 * 128 + 128 * 10);
    EXPECT_EQ(train_total_weights(&train_nets[TRAIN_NET_VGG5P2]), 16u * 9 + 32 * 16 * 9 + 64 * 32 * 9 + 3136 * 128 + 128 * 10);
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
    train_params_t p = params();
    EXPECT_EQ(p.net, TRAIN_NET_LENET300);
    EXPECT_EQ(p.mode, TRAIN_MODE_DENSE);
    EXPECT_EQ(p.epochs, 1u);
    EXPECT_EQ(p.batch, 64u);
    EXPECT_EQ(p.seed, 1u);
    EXPECT_EQ(p.print_every, 100u);
    EXPECT_EQ(p.nm_n, 2u);
    EXPECT_EQ(p.nm_m, 4u);
    EXPECT_EQ(p.keep_pct, 10u);
    EXPECT_EQ(p.prune_pct, 90u);
    // Bit for bit the values of the former packed arguments (lr 1000 x 1e-4, the 5e-4f literal).
    EXPECT_EQ(p.lr, 1000.0f / 10000.0f);
    EXPECT_EQ(p.weight_decay, 5e-4f);
    EXPECT_STREQ(train_params_check(&p), "");
    EXPECT_EQ(train_lr(&p, 0), 0.1f);
    EXPECT_EQ(p.lr_decay, 0.8f);  // the former fixed factor, bit for bit
    EXPECT_EQ(train_lr(&p, 2), 0.1f * 0.8f * 0.8f);
    p = params({{STVP_WL_LR_DECAY, 0x3F59999Au}});  // 0.85f
    EXPECT_EQ(train_lr(&p, 0), 0.1f);
    EXPECT_EQ(train_lr(&p, 1), 0.1f * 0.85f);
    EXPECT_EQ(train_lr(&p, 3), 0.1f * 0.85f * 0.85f * 0.85f);
    p = params({{STVP_WL_LR_DECAY, 0x3F800000u}});  // 1.0f: a constant rate
    EXPECT_EQ(train_lr(&p, 5), 0.1f);
    EXPECT_EQ(train_steps_per_epoch(&p, 60000), 937u);
    p = params({{STVP_WL_NETWORK, 7}});
    EXPECT_NE(std::string(train_params_check(&p)).find("workload.network"), std::string::npos);
}

// Learning rates the studies use, as the platform passes them (binary32 of the YAML number),
// equal the former lr x 1e-4 integers' quotients bit for bit.
TEST(TrainDefs, LearningRatesMatchTheFormerIntegers) {
    const stvp::workload::Key& lr = stvp::workload::keys[STVP_WL_LR];
    for (uint32_t e4 : {500u, 1000u, 2000u, 4000u}) {
        const train_params_t p = params({{STVP_WL_LR, stvp::workload::register_value(lr, e4 / 10000.0)}});
        EXPECT_EQ(p.lr, float(e4) / 10000.0f) << e4;
    }
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
    train_params_t p = params();
    stvp::reftrain::RefTrainer t(d, p);
    ASSERT_EQ(t.validate(), "");
    stvp::accel::sparse::InitWeightsConfig ic;
    ic.seed = 1;
    const stvp::accel::sparse::InitWeights init(ic);
    EXPECT_EQ(t.weights(1)[123], init.value(2, 123, 300));
}

TEST(RefTrainer, LearnsASeparableProblem) {
    const stvp::Dataset d = synthetic(640, 100);
    const train_params_t p = params({{STVP_WL_EPOCHS, 3}, {STVP_WL_PRINT_EVERY, 1000}});
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
    train_params_t p = params();
    EXPECT_NE(stvp::reftrain::RefTrainer(d, p).validate(), "");
}

}  // namespace

// The sparse parameters come from their own keys, and the check names the key at fault.
TEST(TrainDefs, SparseParametersFromTheirKeys) {
    train_params_t p = params({{STVP_WL_MODE, 6}, {STVP_WL_NM_M, 8}, {STVP_WL_PRUNE_RATE, 50}});
    EXPECT_EQ(p.mode, TRAIN_MODE_NM | TRAIN_MODE_SPARSETRAIN);
    EXPECT_EQ(p.nm_n, 2u);
    EXPECT_EQ(p.nm_m, 8u);
    EXPECT_FLOAT_EQ(train_prune_rate(&p), 0.5f);
    EXPECT_STREQ(train_params_check(&p), "");
    p = params({{STVP_WL_MODE, 3}});  // Procrustes + N:M
    EXPECT_NE(std::string(train_params_check(&p)).find("workload.mode"), std::string::npos);
    p = params({{STVP_WL_MODE, 2}, {STVP_WL_NM_N, 4}});
    EXPECT_NE(std::string(train_params_check(&p)).find("workload.nm"), std::string::npos);
    p = params({{STVP_WL_MODE, 1}});
    EXPECT_EQ(train_keep_fraction(&p), 1.0f / 10.0f);  // bit-identical to the former fixed 1/10
    p = params({{STVP_WL_MODE, 5}, {STVP_WL_PROCRUSTES_BUDGET, 20}});
    EXPECT_FLOAT_EQ(train_keep_fraction(&p), 0.2f);
    EXPECT_STREQ(train_params_check(&p), "");
    p = params({{STVP_WL_PROCRUSTES_BUDGET, 100}});
    EXPECT_NE(std::string(train_params_check(&p)).find("workload.procrustes.budget"), std::string::npos);
    p = params({{STVP_WL_BATCH, 129}});
    EXPECT_NE(std::string(train_params_check(&p)).find("workload.batch"), std::string::npos);
    p = params({{STVP_WL_WEIGHT_DECAY, 0x3F800000u}});  // 1.0f
    EXPECT_NE(std::string(train_params_check(&p)).find("workload.weight_decay"), std::string::npos);
    for (uint32_t bad : {0u, 0x3F800001u, 0xBF000000u, 0x7FC00000u}) {  // 0, just above 1, -0.5, NaN
        p = params({{STVP_WL_LR_DECAY, bad}});
        EXPECT_NE(std::string(train_params_check(&p)).find("workload.lr_decay"), std::string::npos) << std::hex << bad;
    }
    // 2:4 keeps half of an FC layer; a pooling layer has no weights.
    EXPECT_EQ(train_nm_kept(&train_nets[TRAIN_NET_LENET300].layers[0], 2, 4), 300u * 392u);
    EXPECT_EQ(train_nm_kept(&train_nets[TRAIN_NET_LENET5].layers[1], 2, 4), 0u);
    EXPECT_NE(train_prune_seed(1, 0, 0), train_prune_seed(1, 1, 0));
    EXPECT_NE(train_prune_seed(1, 0, 0), train_prune_seed(1, 0, 1));
}

// The selection study's variants: each keeps its budget, the ramp shrinks it gradually, dense
// steps postpone the first selection, and the default is the VP's algorithm.
namespace {

using stvp::reftrain::SelectionVariant;

stvp::reftrain::RefTrainer procrustes_trainer(const stvp::Dataset& d, const SelectionVariant& v,
                                              uint32_t keep_pct = 10) {
    const train_params_t p = params({{STVP_WL_MODE, TRAIN_MODE_PROCRUSTES}, {STVP_WL_PROCRUSTES_BUDGET, keep_pct},
                                     {STVP_WL_PRINT_EVERY, 1000}});
    return stvp::reftrain::RefTrainer(d, p, {}, v);
}

// Weights of `layer` the last of `steps` selections tracked: DROPBACK resets every untracked
// weight to exactly d * W0 (binary32; d = TRAIN_DECAY_FACTOR^(steps - 1), multiplied up as the
// trainer does), which a trained weight does not hit.
uint32_t tracked_in(const stvp::reftrain::RefTrainer& t, uint32_t layer, uint32_t steps) {
    float d = 1.0f;
    for (uint32_t s = 1; s < steps; ++s) d *= TRAIN_DECAY_FACTOR;
    stvp::accel::sparse::InitWeightsConfig ic;
    ic.seed = t.params().seed;
    const stvp::accel::sparse::InitWeights init(ic);
    const train_layer_t& l = t.net().layers[layer];
    const std::vector<float> w = t.weights(layer);
    uint32_t n = 0;
    for (size_t j = 0; j < w.size(); ++j) n += w[j] != d * init.value(train_init_layer_id(layer), j, train_fan_in(&l));
    return n;
}

}  // namespace

TEST(SelectionVariant, DefaultIsTheVpAlgorithmAndNamesParse) {
    SelectionVariant v;
    EXPECT_TRUE(v.is_vp());
    EXPECT_TRUE(stvp::reftrain::parse_select("topk-per-layer", &v.select));
    EXPECT_EQ(v.select, SelectionVariant::Select::TopKPerLayer);
    EXPECT_FALSE(v.is_vp());
    EXPECT_EQ(v.describe(), "select topk-per-layer");
    EXPECT_FALSE(stvp::reftrain::parse_select("top-k", &v.select));
}

TEST(SelectionVariant, ExactSelectionsKeepTheirBudget) {
    const stvp::Dataset d = synthetic(64 * 20, 100);
    SelectionVariant topk, per_layer;
    topk.select = SelectionVariant::Select::TopK;
    per_layer.select = SelectionVariant::Select::TopKPerLayer;
    auto t = procrustes_trainer(d, topk), u = procrustes_trainer(d, per_layer);
    ASSERT_EQ(t.validate(), "");
    t.begin_epoch(0), u.begin_epoch(0);
    for (uint32_t s = 0; s < 20; ++s) t.step(s), u.step(s);
    EXPECT_NEAR(t.weights_kept(), 26620u, 1u);  // round(0.1 x 266200), float f
    EXPECT_EQ(tracked_in(t, 0, 20) + tracked_in(t, 1, 20) + tracked_in(t, 2, 20), t.weights_kept());
    EXPECT_EQ(tracked_in(u, 0, 20), 23520u);  // 10% of each layer
    EXPECT_EQ(tracked_in(u, 1, 20), 3000u);
    EXPECT_EQ(tracked_in(u, 2, 20), 100u);
}

TEST(SelectionVariant, RampAndDenseStepsShapeTheBudgetOverTime) {
    const stvp::Dataset d = synthetic(64 * 40, 100);
    SelectionVariant ramp;
    ramp.select = SelectionVariant::Select::TopK;
    ramp.ramp_steps = 20;
    auto t = procrustes_trainer(d, ramp, 20);
    t.begin_epoch(0);
    t.step(0);
    EXPECT_EQ(t.weights_kept(), 266200u);  // u = 1: everything tracked at the first selection
    for (uint32_t s = 1; s < 10; ++s) t.step(s);
    const double mid = 0.2 + 0.8 * 0.55 * 0.55 * 0.55;  // step 9 of 20: u = 11/20
    EXPECT_NEAR(t.weights_kept() / 266200.0, mid, 1e-4);
    for (uint32_t s = 10; s < 30; ++s) t.step(s);
    EXPECT_NEAR(t.weights_kept(), 53240u, 1u);

    SelectionVariant dense_first;
    dense_first.select = SelectionVariant::Select::TopK;
    dense_first.dense_steps = 5;
    auto u = procrustes_trainer(d, dense_first);
    u.begin_epoch(0);
    for (uint32_t s = 0; s < 5; ++s) u.step(s);
    EXPECT_EQ(u.weights_kept(), 0u);  // no selection yet
    u.step(5);
    EXPECT_NEAR(u.weights_kept(), 26620u, 1u);
}

TEST(SelectionVariant, RandomMaskIsFixedAndNearTheBudget) {
    const stvp::Dataset d = synthetic(64 * 8, 100);
    SelectionVariant v;
    v.select = SelectionVariant::Select::Random;
    auto t = procrustes_trainer(d, v);
    t.begin_epoch(0);
    t.step(0);
    const uint32_t first = t.weights_kept();
    EXPECT_NEAR(first / 266200.0, 0.1, 0.005);
    t.step(1);
    EXPECT_EQ(t.weights_kept(), first);
    v.ramp_steps = 4;  // from f = 1: every weight, then nested shrinking masks
    auto u = procrustes_trainer(d, v);
    u.begin_epoch(0);
    u.step(0);
    EXPECT_EQ(u.weights_kept(), 266200u);
    for (uint32_t s = 1; s < 5; ++s) u.step(s);  // the 5th selection is past the ramp
    EXPECT_EQ(u.weights_kept(), first);  // and lands on the same mask
}

TEST(SelectionVariant, RefusesNonsense) {
    const stvp::Dataset d = synthetic(256, 100);
    const train_params_t dense = params();
    SelectionVariant v;
    v.select = SelectionVariant::Select::TopK;
    EXPECT_NE(stvp::reftrain::RefTrainer(d, dense, {}, v).validate().find("need Procrustes"), std::string::npos);
    SelectionVariant q;
    q.ramp_steps = 10;
    EXPECT_NE(procrustes_trainer(d, q).validate().find("exact selection"), std::string::npos);
    train_params_t wd = params();
    wd.weight_decay = -1;
    EXPECT_NE(stvp::reftrain::RefTrainer(d, wd).validate().find("workload.weight_decay"), std::string::npos);
}

// The snapshot report: a fixed (random) mask keeps all of its set and admits no newcomers;
// the VP's selection admits some after step 2 on a learning problem.
TEST(SelectionVariant, SnapshotCountsTheSetsHistory) {
    const stvp::Dataset d = synthetic(64 * 12, 100);
    SelectionVariant fixed;
    fixed.select = SelectionVariant::Select::Random;
    auto t = procrustes_trainer(d, fixed);
    t.set_snapshot_step(2);
    t.begin_epoch(0);
    for (uint32_t s = 0; s < 12; ++s) t.step(s);
    EXPECT_EQ(t.tracked_since_snapshot(0) + t.tracked_since_snapshot(1) + t.tracked_since_snapshot(2), t.weights_kept());
    EXPECT_EQ(t.entered_after_snapshot(), 0u);

    auto u = procrustes_trainer(d, {});
    u.set_snapshot_step(2);
    u.begin_epoch(0);
    for (uint32_t s = 0; s < 12; ++s) u.step(s);
    const uint32_t kept_since = u.tracked_since_snapshot(0) + u.tracked_since_snapshot(1) + u.tracked_since_snapshot(2);
    EXPECT_LE(kept_since, u.weights_kept());
    EXPECT_GT(u.entered_after_snapshot(), 0u);
    EXPECT_LE(u.weights_kept() - kept_since, u.entered_after_snapshot());  // newcomers since step 2
}

// Asking for a batch past the shuffled split is refused, not read out of bounds.
TEST(RefTrainer, StepOutsideTheEpochThrows) {
    const stvp::Dataset d = synthetic(64 * 2, 100);
    train_params_t p = params();
    stvp::reftrain::RefTrainer t(d, p);
    t.begin_epoch(0);
    EXPECT_NO_THROW(t.step(1));
    EXPECT_THROW(t.step(2), std::out_of_range);
}
