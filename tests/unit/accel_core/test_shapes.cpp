#include <gtest/gtest.h>

#include "accel/core/shapes.h"

using namespace stvp::accel;

TEST(AccelShapes, FcValidNamesZeroFields) {
    EXPECT_EQ(validate(FcShape{64, 784, 300}), "");
    EXPECT_EQ(validate(FcShape{0, 784, 300}), "batch 0 must be at least 1");
    EXPECT_EQ(validate(FcShape{1, 0, 300}), "in_features 0 must be at least 1");
    EXPECT_EQ(validate(FcShape{1, 2, 0}), "out_features 0 must be at least 1");
    EXPECT_EQ(validate(FcShape{1u << 16, 1u << 16, 1}), "input tensor larger than 2^31 elements");
}

TEST(AccelShapes, ConvKernelPadStride) {
    Conv2dShape s;
    s.batch = 2, s.in_channels = 3, s.in_h = 4, s.in_w = 6, s.out_channels = 5, s.kernel_h = 5, s.kernel_w = 3;
    EXPECT_EQ(validate(s), "kernel_h 5 larger than padded input_h 4");
    s.pad_h = 1;
    EXPECT_EQ(validate(s), "");
    EXPECT_EQ(s.out_h(), 2u);
    EXPECT_EQ(s.out_w(), 4u);
    s.pad_w = 3;
    EXPECT_EQ(validate(s), "pad_w 3 not smaller than kernel_w 3");
    s.pad_w = 0;
    s.stride_w = 0;
    EXPECT_EQ(validate(s), "stride_w 0 must be at least 1");
    s.stride_w = 2;
    EXPECT_EQ(validate(s), "");
    EXPECT_EQ(s.out_w(), 2u);
    EXPECT_EQ(s.macs(), 2 * 5 * 2 * 2 * 3 * 5 * 3);
    s.out_channels = 0;
    EXPECT_EQ(validate(s), "out_channels 0 must be at least 1");
}

TEST(AccelShapes, ConvHugeValuesDoNotOverflow) {
    Conv2dShape s;
    s.in_h = 0xffffffffu, s.kernel_h = 0xffffffffu, s.pad_h = 0xfffffffeu;
    // Would overflow 32-bit arithmetic; the check runs in 64 bits and then hits the size limit.
    EXPECT_EQ(validate(s), "input tensor larger than 2^31 elements");
}

TEST(AccelShapes, PoolSoftmaxSgd) {
    Pool2dShape p;
    p.in_h = 3, p.in_w = 8, p.kernel_h = 2, p.kernel_w = 2, p.stride_h = 2, p.stride_w = 2;
    EXPECT_EQ(validate(p), "");
    EXPECT_EQ(p.out_h(), 1u);
    EXPECT_EQ(p.out_w(), 4u);
    p.kernel_h = 4;
    EXPECT_EQ(validate(p), "kernel_h 4 larger than input_h 3");
    EXPECT_EQ(validate(SoftmaxXentShape{0, 10}), "batch 0 must be at least 1");
    EXPECT_EQ(validate(SoftmaxXentShape{4, 0}), "classes 0 must be at least 1");
    EXPECT_EQ(validate(SgdShape{0}), "count 0 must be at least 1");
}
