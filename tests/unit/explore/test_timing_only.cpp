#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "accel/core/energy.h"
#include "accel/core/timing.h"
#include "config_schema.h"
#include "explore_config.h"
#include "network.h"
#include "timing_only.h"

using namespace stvp::explore;
using namespace stvp::accel;

namespace {
const std::string kDir = STVP_SOURCE_DIR "/configs/";
}

// Timing-only LeNet-300-100 dense equals the device's charges for the same op sequence: the
// device (models/accel/command.cpp) calls TimingModel::fc with the descriptor's flags, which
// sw/train sets as below (bias and ReLU on forward, bias gradient on weight grad, ReLU mask on
// the input grad of layers after a ReLU, no input grad for the first layer).
TEST(ExploreTimingOnly, DenseLenet300AgreesWithTheDeviceOps) {
    const Network net = load_network(kDir + "networks/lenet300.yaml");
    const ExploreSetup s = load_setup(kDir + "presets/dense.yaml", {"batch=64"});
    const Estimate e = estimate(net, s.workload, s.array, s.energy, s.sparse);

    TimingModel tm(s.array);
    double cycles = 0, pj = 0;
    auto add = [&](const OpCost& c) {
        cycles += double(c.cycles);
        pj += energy_of(c.counts, s.energy).total_pj();
    };
    const uint32_t dims[4] = {784, 300, 100, 10};
    for (int i = 0; i < 3; ++i) {
        FcShape f{64, dims[i], dims[i + 1]};
        NestOptions fw, wg, ig;
        fw.bias = true, fw.relu = i < 2;
        wg.bias = true;
        ig.relu_mask = true;
        add(tm.fc(f, Phase::Forward, fw));
        add(tm.fc(f, Phase::WeightGrad, wg));
        if (i > 0) add(tm.fc(f, Phase::InputGrad, ig));
    }
    add(tm.softmax_xent({64, 10}));
    SgdShape sg;
    sg.count = 266200;
    add(tm.sgd(sg));
    EXPECT_DOUBLE_EQ(e.total.cycles, cycles);
    EXPECT_NEAR(e.total.energy.total(), pj, pj * 1e-12);
    EXPECT_DOUBLE_EQ(e.speedup(), 1.0);
    EXPECT_EQ(e.ops.size(), 10u);
    // The same preset parsed by the platform: 16x16 at 500 MHz, DRAM from dram.*.
    EXPECT_EQ(s.array.rows, 16u);
    EXPECT_DOUBLE_EQ(s.array.dram_bytes_per_s, 12.8e9);
}

// Unsampled Procrustes: every sparse op is costed at the full batch, with the weight-gradient
// phase dense over weights (docs/literature.md) and forward faster at density 0.1.
TEST(ExploreTimingOnly, ProcrustesExactRowsBehaveAsThePaperDescribes) {
    const Network net = load_network(kDir + "networks/lenet300.yaml");
    const ExploreSetup s = load_setup(kDir + "presets/procrustes.yaml", {"batch=64", "sample_batch=0"});
    EXPECT_EQ(s.workload.scheme, Scheme::Procrustes);
    EXPECT_DOUBLE_EQ(s.workload.weight_density, 0.1);
    const Estimate e = estimate(net, s.workload, s.array, s.energy, s.sparse);
    ASSERT_EQ(e.ops[0].layer, "fc1");
    EXPECT_GT(e.ops[0].dense_cycles / e.ops[0].cycles, 1.5);  // forward at density 0.1 (memory-bound below 10x)
    EXPECT_FALSE(e.ops[0].sampled);
    EXPECT_EQ(e.ops[1].phase, "weight_grad");
    EXPECT_DOUBLE_EQ(e.ops[1].cycles, e.ops[1].dense_cycles);  // fc1's input is the image: dense X
    EXPECT_GT(e.ops[1].energy.sparse, 0);                     // quantile unit on every weight
    EXPECT_GT(e.speedup(), 1.1);
    EXPECT_GT(e.energy_ratio(), 1.5);
    // Deterministic: the same seed gives the same estimate.
    const Estimate e2 = estimate(net, s.workload, s.array, s.energy, s.sparse);
    EXPECT_DOUBLE_EQ(e.total.cycles, e2.total.cycles);
}

TEST(ExploreTimingOnly, DensityOneProcrustesCostsLikeDenseCompute) {
    const Network net = load_network(kDir + "networks/lenet5.yaml");
    const ExploreSetup s = load_setup(kDir + "presets/procrustes.yaml", {"batch=16", "weight_density=1", "act_density=1"});
    const Estimate e = estimate(net, s.workload, s.array, s.energy, s.sparse);
    EXPECT_NEAR(e.total.macs, e.total.dense_macs, 1e-9 * e.total.dense_macs);
}

TEST(ExploreTimingOnly, SetupErrorsNameTheKey) {
    try {
        load_setup(kDir + "presets/dense.yaml", {"weight_density=2"});
        FAIL();
    } catch (const ExploreError& e) {
        EXPECT_NE(std::string(e.what()).find("'weight_density'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(load_setup(kDir + "presets/dense.yaml", {"accel.rowz=3"}), stvp::ConfigError);
    EXPECT_THROW(load_setup(kDir + "presets/dense.yaml", {"scheme=magic"}), ExploreError);
}

TEST(ExploreTimingOnly, SparseTrainKeepFractionFollowsThePruneRate) {
    EXPECT_DOUBLE_EQ(sparsetrain_keep_fraction(0.0, 1), 1.0);
    const double k5 = sparsetrain_keep_fraction(0.5, 1), k9 = sparsetrain_keep_fraction(0.9, 1);
    EXPECT_LT(k9, k5);
    EXPECT_GT(k9, 0.1);  // pruned values below tau survive as +-tau with probability |g|/tau
    EXPECT_LT(k9, 0.6);
}

// A depthwise conv is charged as C single-channel convolutions (the core has no grouped conv).
TEST(ExploreTimingOnly, DepthwiseIsCSingleChannelConvs) {
    const Network dw = parse_network(
        YAML::Load("name: dw\nlayers:\n  - {name: d, type: conv, in: [8, 6, 6], out: 8, kernel: 3, pad: 1, "
                   "depthwise: true}\n"),
        "dw.yaml");
    const Network one = parse_network(
        YAML::Load("name: one\nlayers:\n  - {name: d, type: conv, in: [1, 6, 6], out: 1, kernel: 3, pad: 1}\n"),
        "one.yaml");
    const ExploreSetup s = load_setup(kDir + "presets/dense.yaml", {"batch=4"});
    const Estimate a = estimate(dw, s.workload, s.array, s.energy, s.sparse);
    const Estimate b = estimate(one, s.workload, s.array, s.energy, s.sparse);
    EXPECT_EQ(dw.weights(), 72u);
    ASSERT_EQ(a.ops[0].phase, "forward");
    EXPECT_DOUBLE_EQ(a.ops[0].cycles, 8 * b.ops[0].cycles);
    EXPECT_DOUBLE_EQ(a.ops[0].macs, 8 * b.ops[0].macs);
}

// Per-layer densities override the preset's for that layer only.
TEST(ExploreTimingOnly, PerLayerWeightDensity) {
    const Network net = load_network(kDir + "networks/lenet300.yaml");
    const ExploreSetup s = load_setup(kDir + "presets/procrustes.yaml", {"batch=16", "weight_density.fc1=1"});
    const Estimate e = estimate(net, s.workload, s.array, s.energy, s.sparse);
    ASSERT_EQ(e.ops[0].layer, "fc1");
    EXPECT_NEAR(e.ops[0].macs, e.ops[0].dense_macs, 1e-9 * e.ops[0].dense_macs);  // fc1 dense
    ASSERT_EQ(e.ops[2].layer, "fc2");
    EXPECT_LT(e.ops[2].macs, 0.2 * e.ops[2].dense_macs);  // fc2 at the preset's 0.1
}
