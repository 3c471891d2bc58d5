// Shapes of the accelerator's operations and their validation. A command descriptor carries one
// of these; validate() names the first bad field so that the command processor can report it
// (for example "kernel_h 5 larger than padded input_h 4"). Layouts: tensor_layout.h.
#pragma once

#include <cstdint>
#include <string>

namespace stvp::accel {

// Largest element count of any one tensor (2^31: 8 GiB of fp32, more than any DRAM the SoC maps).
// Keeps every index and MAC count of a valid shape inside int64_t.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 31;

struct FcShape {
    uint32_t batch = 1;         // N
    uint32_t in_features = 1;   // C
    uint32_t out_features = 1;  // K

    int64_t x_elements() const { return int64_t{batch} * in_features; }
    int64_t w_elements() const { return int64_t{out_features} * in_features; }
    int64_t y_elements() const { return int64_t{batch} * out_features; }
    int64_t macs() const { return int64_t{batch} * in_features * out_features; }
};

struct Conv2dShape {
    uint32_t batch = 1;         // N
    uint32_t in_channels = 1;   // C
    uint32_t in_h = 1;          // H
    uint32_t in_w = 1;          // W
    uint32_t out_channels = 1;  // K
    uint32_t kernel_h = 1;      // R
    uint32_t kernel_w = 1;      // S
    uint32_t stride_h = 1;
    uint32_t stride_w = 1;
    uint32_t pad_h = 0;         // zero padding on each side
    uint32_t pad_w = 0;

    // Output size (P, Q); meaningful only for a shape that validates.
    uint32_t out_h() const {
        return static_cast<uint32_t>((int64_t{in_h} + 2 * int64_t{pad_h} - kernel_h) / stride_h + 1);
    }
    uint32_t out_w() const {
        return static_cast<uint32_t>((int64_t{in_w} + 2 * int64_t{pad_w} - kernel_w) / stride_w + 1);
    }
    int64_t x_elements() const { return int64_t{batch} * in_channels * in_h * in_w; }
    int64_t w_elements() const { return int64_t{out_channels} * in_channels * kernel_h * kernel_w; }
    int64_t y_elements() const { return int64_t{batch} * out_channels * out_h() * out_w(); }
    int64_t macs() const { return y_elements() * in_channels * kernel_h * kernel_w; }
};

// Max pooling without padding (floor mode: every window lies inside the input).
struct Pool2dShape {
    uint32_t batch = 1;
    uint32_t channels = 1;
    uint32_t in_h = 1;
    uint32_t in_w = 1;
    uint32_t kernel_h = 1;
    uint32_t kernel_w = 1;
    uint32_t stride_h = 1;
    uint32_t stride_w = 1;

    uint32_t out_h() const { return (in_h - kernel_h) / stride_h + 1; }
    uint32_t out_w() const { return (in_w - kernel_w) / stride_w + 1; }
    int64_t x_elements() const { return int64_t{batch} * channels * in_h * in_w; }
    int64_t y_elements() const { return int64_t{batch} * channels * out_h() * out_w(); }
};

struct SoftmaxXentShape {
    uint32_t batch = 1;    // N
    uint32_t classes = 1;  // K
    int64_t elements() const { return int64_t{batch} * classes; }
};

struct SgdShape {
    uint32_t count = 1;  // weights updated
};

// The shape field a failed check is about: a scalar field, or a tensor too large (Input: X,
// Y-sized logits too; Weight: W; Output: Y).
enum class ShapeField : uint8_t {
    None, Batch, InChannels, InH, InW, OutChannels, KernelH, KernelW, StrideH, StrideW, PadH, PadW,
    Input, Weight, Output
};

// The first failed check of a shape: which field, and "<field> <value> <reason>".
struct ShapeError {
    ShapeField field = ShapeField::None;
    std::string message;
    explicit operator bool() const { return field != ShapeField::None; }
};

// Each returns no error for a valid shape. FcShape: batch, in_features (InChannels),
// out_features (OutChannels); Pool2dShape: channels (InChannels); SoftmaxXentShape: classes
// (OutChannels); SgdShape: count (Batch).
ShapeError check(const FcShape& s);
ShapeError check(const Conv2dShape& s);
ShapeError check(const Pool2dShape& s);
ShapeError check(const SoftmaxXentShape& s);
ShapeError check(const SgdShape& s);

// check(s).message: "" for a valid shape, otherwise "<field> <value> <reason>".
std::string validate(const FcShape& s);
std::string validate(const Conv2dShape& s);
std::string validate(const Pool2dShape& s);
std::string validate(const SoftmaxXentShape& s);
std::string validate(const SgdShape& s);

}  // namespace stvp::accel
