#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "accel/core/energy.h"
#include "accel/core/timing.h"
#include "config_schema.h"
#include "explore_config.h"
#include "network.h"
#include "timing_only.h"
#include "train_chain_ops.h"

#include <cstring>

using namespace stvp::explore;
using namespace stvp::accel;

namespace {
const std::string kDir = STVP_SOURCE_DIR "/configs/";

// The row of (layer, phase); fails the test if there is none.
const OpRow& row(const Estimate& e, const std::string& layer, const std::string& phase) {
    for (const OpRow& r : e.ops)
        if (r.layer == layer && r.phase == phase) return r;
    ADD_FAILURE() << "no row " << layer << " " << phase;
    static const OpRow none;
    return none;
}
}  // namespace

// Timing-only LeNet-300-100 dense equals the device's charges for train.elf's step chain
// (sw/lib/chain; stvp_explore costs that chain for the networks train.elf can train): the device
// (models/accel/command.cpp) calls TimingModel::fc with the descriptor's flags, which the chain
// sets as below (bias and ReLU on forward, bias gradient on weight grad, ReLU mask on the input
// grad of layers after a ReLU, no input grad for the first layer), and TimingModel::sgd per
// weight and bias tensor. The gather COPYs are not charged.
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
    NestOptions fw[3], wg, ig;
    wg.bias = true;
    ig.relu_mask = true;
    for (int i = 0; i < 3; ++i) {
        fw[i].bias = true, fw[i].relu = i < 2;
        add(tm.fc(FcShape{64, dims[i], dims[i + 1]}, Phase::Forward, fw[i]));
    }
    add(tm.softmax_xent({64, 10}));
    for (int i = 3; i-- > 0;) {
        const FcShape f{64, dims[i], dims[i + 1]};
        add(tm.fc(f, Phase::WeightGrad, wg));
        if (i > 0) add(tm.fc(f, Phase::InputGrad, ig));
    }
    for (int i = 0; i < 3; ++i) {
        SgdShape w, b;
        w.count = dims[i] * dims[i + 1];
        b.count = dims[i + 1];
        add(tm.sgd(w));
        add(tm.sgd(b));
    }
    EXPECT_DOUBLE_EQ(e.total.cycles, cycles);
    EXPECT_NEAR(e.total.energy.total(), pj, pj * 1e-12);
    EXPECT_DOUBLE_EQ(e.speedup(), 1.0);
    EXPECT_EQ(e.ops.size(), 15u);
    EXPECT_EQ(e.ops[3].layer, "softmax_xent");
    EXPECT_EQ(e.ops[4].layer, "fc3");
    EXPECT_EQ(e.ops[4].phase, "weight_grad");
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
    const OpRow& fwd = row(e, "fc1", "forward");
    EXPECT_GT(fwd.dense_cycles / fwd.cycles, 1.5);  // forward at density 0.1 (memory-bound below 10x)
    EXPECT_FALSE(fwd.sampled);
    const OpRow& wg = row(e, "fc1", "weight_grad");
    EXPECT_DOUBLE_EQ(wg.cycles, wg.dense_cycles);  // fc1's input is the image: dense X
    EXPECT_GT(wg.energy.sparse, 0);                // quantile unit on every weight
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
    const OpRow& fc1 = row(e, "fc1", "forward");
    EXPECT_NEAR(fc1.macs, fc1.dense_macs, 1e-9 * fc1.dense_macs);  // fc1 dense
    const OpRow& fc2 = row(e, "fc2", "forward");
    EXPECT_LT(fc2.macs, 0.2 * fc2.dense_macs);  // fc2 at the preset's 0.1
}

// The explorer costs train.elf's step chain for the networks train.elf trains: their YAML files
// convert to exactly the train table's rows; the others (branches, more layers, depthwise or
// average pooling) and batches train.elf cannot run keep the explorer's own op list.
TEST(ExploreTrainChain, OnlyTheTrainTablesNetworksAreChains) {
    struct Case {
        const char* file;
        uint32_t train_net;
    };
    for (const Case c : {Case{"lenet300", TRAIN_NET_LENET300}, Case{"lenet5", TRAIN_NET_LENET5},
                         Case{"vgg5", TRAIN_NET_VGG5}, Case{"vgg5p2", TRAIN_NET_VGG5P2}}) {
        train_net_t tn;
        std::string why;
        ASSERT_TRUE(as_train_net(load_network(kDir + "networks/" + c.file + ".yaml"), 64, &tn, &why)) << why;
        const train_net_t& want = train_nets[c.train_net];
        ASSERT_EQ(tn.layer_count, want.layer_count);
        for (uint32_t i = 0; i < tn.layer_count; ++i)
            EXPECT_EQ(std::memcmp(&tn.layers[i], &want.layers[i], sizeof tn.layers[i]), 0) << c.file << " layer " << i;
        EXPECT_FALSE(as_train_net(load_network(kDir + "networks/" + c.file + ".yaml"), 129, &tn, &why));
        EXPECT_NE(why.find("batch 129"), std::string::npos) << why;
    }
    for (const char* f : {"alexnet", "resnet18", "mobilenetv2", "vgg_s", "densenet_bc100", "wrn28_10"}) {
        train_net_t tn;
        std::string why;
        EXPECT_FALSE(as_train_net(load_network(kDir + "networks/" + f + ".yaml"), 64, &tn, &why)) << f;
        EXPECT_FALSE(why.empty()) << f;
    }
}

// The chain's op list for LeNet-5 under SparseTrain: every FC/CONV/pool op of the chain, the
// loss and the ten SGDs, and none of the gather or GRAD_PRUNE descriptors.
TEST(ExploreTrainChain, Lenet5RowsFollowTheChain) {
    const Network net = load_network(kDir + "networks/lenet5.yaml");
    const ExploreSetup s = load_setup(kDir + "presets/sparsetrain.yaml", {"batch=8"});
    const Estimate e = estimate(net, s.workload, s.array, s.energy, s.sparse);
    std::vector<std::string> got;
    for (const OpRow& r : e.ops) got.push_back(r.layer + " " + r.phase);
    const std::vector<std::string> want = {
        "conv1 forward", "pool1 forward", "conv2 forward", "pool2 forward", "fc1 forward", "fc2 forward",
        "fc3 forward", "softmax_xent forward", "fc3 weight_grad", "fc3 input_grad", "fc2 weight_grad",
        "fc2 input_grad", "fc1 weight_grad", "fc1 input_grad", "pool2 input_grad", "conv2 weight_grad",
        "conv2 input_grad", "pool1 input_grad", "conv1 weight_grad", "conv1 update", "conv1 update",
        "conv2 update", "conv2 update", "fc1 update", "fc1 update", "fc2 update", "fc2 update", "fc3 update",
        "fc3 update"};
    EXPECT_EQ(got, want);
}
