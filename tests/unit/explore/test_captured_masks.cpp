// stvp_explore --masks (platform/explore/captured_masks.h): a tiny two-layer network with a
// hand-made masks file; the MACs each op performs are counted by hand from the masks, and
// every mismatch between file and network is refused naming the layer and both shapes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>

#include "accel/capture/mask_file.h"
#include "captured_masks.h"
#include "explore_config.h"
#include "network.h"
#include "timing_only.h"

using namespace stvp::explore;
using namespace stvp::capture;

namespace {

const std::string kDir = STVP_SOURCE_DIR "/configs/";

Network tiny(uint32_t fc1_out = 4) {
    return parse_network(YAML::Load("name: tiny\nlayers:\n"
                                    "  - {name: fc1, type: fc, in: 6, out: " +
                                    std::to_string(fc1_out) +
                                    ", relu: true}\n"
                                    "  - {name: fc2, type: fc, in: " +
                                    std::to_string(fc1_out) + ", out: 3, relu: false}\n"),
                         "tiny.yaml");
}

// W1 [4][6] keeps 5 weights, W2 [3][4] keeps 4; fc2's input X2 [2][4] has 3 non-zeros; batch 2.
const uint8_t kW1[24] = {1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0};
const uint8_t kW2[12] = {0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0};
const uint8_t kX2[8] = {1, 0, 0, 1, 0, 0, 1, 0};

std::string tiny_masks() {
    MaskFile f;
    f.batch = 2;
    LayerShape a, b;
    a.id = 1, a.c = 6, a.k = 4;
    b.id = 2, b.c = 4, b.k = 3;
    f.layers = {a, b};
    std::vector<uint8_t> ones(64, 1);
    f.records = {{5, 1, MapKind::Weights, BitMap::from_bytes({4, 6, 1, 1}, kW1)},
                 {5, 1, MapKind::Inputs, BitMap::from_bytes({2, 6, 1, 1}, ones.data())},
                 {5, 1, MapKind::OutputGrads, BitMap::from_bytes({2, 4, 1, 1}, ones.data())},
                 {5, 2, MapKind::Weights, BitMap::from_bytes({3, 4, 1, 1}, kW2)},
                 {5, 2, MapKind::Inputs, BitMap::from_bytes({2, 4, 1, 1}, kX2)},
                 {5, 2, MapKind::OutputGrads, BitMap::from_bytes({2, 3, 1, 1}, ones.data())},
                 {3, 1, MapKind::Weights, BitMap::from_bytes({4, 6, 1, 1}, ones.data())}};
    // One file per test: CTest runs the tests of this binary as parallel processes.
    const std::string path =
        testing::TempDir() + testing::UnitTest::GetInstance()->current_test_info()->name() + ".masks";
    write_mask_file(path, f);
    return path;
}

const OpRow& op(const Estimate& e, const std::string& layer, const std::string& phase) {
    for (const OpRow& r : e.ops)
        if (r.layer == layer && r.phase == phase) return r;
    throw std::runtime_error("no op " + layer + " " + phase);
}

std::string refusal(const std::string& spec, const Network& net, uint32_t batch = 2) {
    ExploreSetup s = load_setup(kDir + "presets/procrustes.yaml", {"batch=" + std::to_string(batch)});
    try {
        attach_masks(spec, net, false, &s.workload);
    } catch (const ExploreError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ExploreCapturedMasks, MacsFollowTheCapturedMapsCountedByHand) {
    const std::string path = tiny_masks();
    const Network net = tiny();
    ExploreSetup s = load_setup(kDir + "presets/procrustes.yaml", {"batch=2"});
    attach_masks(path, net, false, &s.workload);  // the last step: 5
    EXPECT_DOUBLE_EQ(s.workload.layer_act_density.at("fc2"), 3.0 / 8.0);
    EXPECT_DOUBLE_EQ(s.workload.layer_weight_density.at("fc1"), 5.0 / 24.0);
    const Estimate e = estimate(net, s.workload, s.array, s.energy, s.sparse);
    // Procrustes: forward and input gradient skip pruned weights (batch x kept weights); the
    // weight gradient skips zero inputs where the input passed a ReLU (K x non-zero inputs).
    EXPECT_NEAR(op(e, "fc1", "forward").macs, 2 * 5, 1e-9);
    EXPECT_NEAR(op(e, "fc1", "weight_grad").macs, 2 * 6 * 4, 1e-9);  // raw input: dense
    EXPECT_NEAR(op(e, "fc2", "forward").macs, 2 * 4, 1e-9);
    EXPECT_NEAR(op(e, "fc2", "weight_grad").macs, 3 * 3, 1e-9);
    EXPECT_NEAR(op(e, "fc2", "input_grad").macs, 2 * 4, 1e-9);
    // Step 3 keeps every weight of fc1: its forward is dense.
    ExploreSetup s3 = load_setup(kDir + "presets/procrustes.yaml", {"batch=2"});
    attach_masks(path + ":3", net, false, &s3.workload);
    EXPECT_NEAR(op(estimate(net, s3.workload, s3.array, s3.energy, s3.sparse), "fc1", "forward").macs, 2 * 24, 1e-9);
    std::remove(path.c_str());
}

TEST(ExploreCapturedMasks, TheBernoulliTwinKeepsTheDensitiesNotThePositions) {
    const std::string path = tiny_masks();
    const Network net = tiny();
    const CapturedMasks real(path, net, false), twin(path, net, true);
    std::vector<uint8_t> a, b;
    ASSERT_TRUE(real.weights("fc1", &a));
    EXPECT_EQ(a, std::vector<uint8_t>(kW1, kW1 + 24));
    ASSERT_TRUE(real.inputs("fc2", 1, &a));  // the first sample only
    EXPECT_EQ(a, std::vector<uint8_t>(kX2, kX2 + 4));
    ASSERT_TRUE(twin.weights("fc1", &b));
    EXPECT_EQ(b.size(), 24u);
    EXPECT_DOUBLE_EQ(twin.density("fc1", MapKind::Weights), 5.0 / 24.0);
    EXPECT_FALSE(real.weights("nope", &a));
    std::remove(path.c_str());
}

TEST(ExploreCapturedMasks, MismatchesAreRefusedNamingLayerAndShapes) {
    const std::string path = tiny_masks();
    EXPECT_EQ(refusal(path, tiny(5)), "--masks: " + path +
                                          " does not match tiny.yaml: layer fc1 (weight layer 1) is fc 6 -> 5, the "
                                          "file's layer 1 is fc 6 -> 4");
    const Network one = parse_network(YAML::Load("name: one\nlayers:\n  - {name: fc1, type: fc, in: 6, out: 4}\n"),
                                      "one.yaml");
    EXPECT_EQ(refusal(path, one), "--masks: " + path + " does not match one.yaml: the network has 1 conv/fc layers, the file 2");
    EXPECT_EQ(refusal(path, tiny(), 8),
              "--masks: " + path + " was captured at batch 2, the estimate is at batch 8 (give --batch 2)");
    EXPECT_EQ(refusal(path + ":4", tiny()), "--masks: " + path + ": step 4 is not in the file (steps 3, 5)");
    EXPECT_NE(refusal(kDir + "networks/lenet5.yaml", tiny()).find("not a masks file"), std::string::npos);
    std::remove(path.c_str());
}
