// The recorder (models/accel/capture/mask_recorder.h): only chosen steps, the first op of a
// step and layer, shapes from the ops, missing steps and inconsistent tags reported.
#include <gtest/gtest.h>

#include "accel/capture/mask_recorder.h"

using namespace stvp::capture;
using stvp::accel::Conv2dShape;
using stvp::accel::FcShape;

TEST(MaskRecorder, RecordsOnlyTheChosenSteps) {
    MaskRecorder r({2, 5});
    const FcShape s{2, 3, 2};  // batch 2, 3 -> 2
    const float x[6] = {1, 0, 2, 0, 0, 3}, w[6] = {0, 1, 1, 0, 0, 0}, dy[4] = {0, 1, 1, 1};
    EXPECT_FALSE(r.active());  // no step named yet
    r.forward_fc(1, s, x, w);
    for (uint32_t step : {0u, 1u, 2u, 3u}) {
        r.set_step(step);
        r.forward_fc(1, s, x, w);
        r.weight_grad_fc(1, s, dy);
    }
    r.set_step(kNoStep);
    r.forward_fc(1, s, x, w);  // evaluation
    const MaskFile f = r.file();
    EXPECT_EQ(f.steps(), std::vector<uint32_t>{2});
    EXPECT_EQ(r.missing_steps(), std::vector<uint32_t>{5});
    ASSERT_EQ(f.records.size(), 3u);
    EXPECT_EQ(f.batch, 2u);
    ASSERT_EQ(f.layers.size(), 1u);
    EXPECT_EQ(f.layers[0].describe(), "fc 3 -> 2");
    EXPECT_EQ(f.find(2, 1, MapKind::Weights)->map.unpack(6), (std::vector<uint8_t>{0, 1, 1, 0, 0, 0}));
    EXPECT_EQ(f.find(2, 1, MapKind::Inputs)->map.unpack(6), (std::vector<uint8_t>{1, 0, 1, 0, 0, 1}));
    EXPECT_EQ(f.find(2, 1, MapKind::OutputGrads)->map.dims, (std::vector<uint32_t>{2, 2, 1, 1}));
    EXPECT_EQ(f.find(2, 1, MapKind::OutputGrads)->map.ones(), 3u);
    EXPECT_EQ(f.validate(), "");
}

TEST(MaskRecorder, FirstOpOfAStepAndLayerWinsAndConvMapsHaveTheirShapes) {
    MaskRecorder r({0});
    r.set_step(0);
    Conv2dShape s;
    s.batch = 1, s.in_channels = 1, s.in_h = s.in_w = 3, s.out_channels = 2, s.kernel_h = s.kernel_w = 2;
    std::vector<float> x(9, 1.0f), w(8, 0.0f), w2(8, 1.0f), dy(8, 0.0f);
    w[5] = 2.0f;
    dy[7] = 1.0f;
    r.forward_conv(4, s, x.data(), w.data());
    r.forward_conv(4, s, x.data(), w2.data());  // ignored: the step's first forward of layer 4 is kept
    r.weight_grad_conv(4, s, dy.data());
    const MaskFile f = r.file();
    EXPECT_EQ(f.layers[0].describe(), "conv C1 H3 W3 -> K2 2x2 stride 1 pad 0");
    EXPECT_EQ(f.find(0, 4, MapKind::Weights)->map.ones(), 1u);
    EXPECT_TRUE(f.find(0, 4, MapKind::Weights)->map.get(5));
    EXPECT_EQ(f.find(0, 4, MapKind::OutputGrads)->map.dims, (std::vector<uint32_t>{1, 2, 2, 2}));
    EXPECT_EQ(f.validate(), "");
    EXPECT_EQ(r.error(), "");
}

TEST(MaskRecorder, ALayerTagWithTwoShapesIsAnError) {
    MaskRecorder r({1});
    r.set_step(1);
    const float v[64] = {};
    r.forward_fc(2, FcShape{1, 4, 4}, v, v);
    r.weight_grad_fc(2, FcShape{1, 4, 8}, v);
    EXPECT_EQ(r.error(), "layer tag 2 names two shapes (fc 4 -> 4 and fc 4 -> 8)");
    MaskRecorder b({1});
    b.set_step(1);
    b.forward_fc(1, FcShape{1, 4, 4}, v, v);
    b.forward_fc(2, FcShape{2, 4, 4}, v, v);
    EXPECT_NE(b.error().find("batch 2"), std::string::npos);
}
