#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "network.h"

using namespace stvp::explore;

namespace {
std::string error_of(const std::string& yaml) {
    try {
        parse_network(YAML::Load(yaml), "net.yaml");
    } catch (const ExploreError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(ExploreNetwork, ErrorsNameFileLayerAndKey) {
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: c1, type: conv, in: [3, 8, 8], out: 4}\n"),
              "net.yaml: layers[0] (c1).kernel: missing");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: f, type: fc, in: 10, out: 0}\n"),
              "net.yaml: layers[0] (f).out: 0 out of range [1, 65536]");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {type: fc, in: 10, out: 2}\n  - {name: q, type: lstm}\n"),
              "net.yaml: layers[1] (q).type: 'lstm' is not conv, fc or pool");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: c, type: conv, in: [3, 8], out: 4, kernel: 3}\n"),
              "net.yaml: layers[0] (c).in: must be [channels, height, width]");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: c, type: conv, in: [3, 8, 8], out: 4, kernel: 3, strid: 2}\n"),
              "net.yaml: layers[0] (c).strid: unknown key for a conv layer");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: d, type: conv, in: [8, 8, 8], out: 4, kernel: 3, depthwise: true}\n"),
              "net.yaml: layers[0] (d).out: 4 must equal the input channels 8 for a depthwise conv");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: p, type: pool, in: [8, 2, 2], kernel: 3}\n"),
              "net.yaml: layers[0] (p).kernel: 3 larger than the input");
    EXPECT_EQ(error_of("name: x\nlayers: []\n"), "net.yaml: layers: missing or not a non-empty list");
    EXPECT_EQ(error_of("name: x\nlayer: []\n"), "net.yaml: layer: unknown key");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: f, type: fc, in: ten, out: 2}\n"),
              "net.yaml: layers[0] (f).in: must be an integer");
}

// Found by fuzzing (tests/fuzz/fuzz_explore): a list or map where a name is expected ended in
// yaml-cpp's uncaught "bad conversion" instead of an error naming the key.
TEST(ExploreNetwork, NonScalarNamesAndKeysAreErrors) {
    EXPECT_EQ(error_of("name: [x]\nlayers:\n  - {type: fc, in: 10, out: 2}\n"), "net.yaml: name: must be a scalar");
    EXPECT_EQ(error_of("[name]: x\n"), "net.yaml: a key: must be a scalar");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: : 0, type: fc, in: 10, out: 2}\n"),
              "net.yaml: layers[0].name: must be a scalar");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: f, type: [fc], in: 10, out: 2}\n"),
              "net.yaml: layers[0] (f).type: must be a scalar");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: f, type: fc, in: 10, out: 2, [a]: 1}\n"),
              "net.yaml: layers[0] (f): a key: must be a scalar");
    EXPECT_EQ(error_of("name: x\nlayers:\n  - {name: p, type: pool, in: [8, 4, 4], kernel: 2, kind: {a: 1}}\n"),
              "net.yaml: layers[0] (p).kind: must be a scalar");
}

TEST(ExploreNetwork, ShippedTablesLoadWithKnownWeightCounts) {
    const std::string dir = STVP_SOURCE_DIR "/configs/networks/";
    // Weight counts without biases and batch norm.
    EXPECT_EQ(load_network(dir + "lenet300.yaml").weights(), 266200u);  // the VP's summary count
    EXPECT_EQ(load_network(dir + "lenet5.yaml").weights(), 61470u);
    EXPECT_EQ(load_network(dir + "vgg5.yaml").weights(), 98192u);  // train_defs.h vgg5
    EXPECT_EQ(load_network(dir + "vgg5p2.yaml").weights(), 425872u);  // train_defs.h vgg5p2
    EXPECT_NEAR(double(load_network(dir + "resnet18.yaml").weights()), 11.68e6, 0.02e6);
    EXPECT_NEAR(double(load_network(dir + "mobilenetv2.yaml").weights()), 3.47e6, 0.05e6);
    EXPECT_NEAR(double(load_network(dir + "alexnet.yaml").weights()), 61.1e6, 0.1e6);
    EXPECT_NEAR(double(load_network(dir + "wrn28_10.yaml").weights()), 36.5e6, 0.1e6);
    EXPECT_NEAR(double(load_network(dir + "densenet_bc100.yaml").weights()), 0.77e6, 0.03e6);
    EXPECT_GT(load_network(dir + "vgg_s.yaml").weights(), 9e6);
    // Every layer's declared input matches something: the output of ResNet-18's last conv.
    const Network r = load_network(dir + "resnet18.yaml");
    EXPECT_EQ(r.layers.back().in_c, 512u);
    EXPECT_EQ(r.classes(), 1000u);
}

TEST(ExploreNetwork, MissingFileIsAnError) {
    EXPECT_THROW(load_network("/nonexistent/net.yaml"), ExploreError);
}
