#include "accel/core/shapes.h"

#include <initializer_list>

namespace stvp::accel {
namespace {

using F = ShapeField;

ShapeError at_least_one(F f, const char* field, uint32_t v) {
    if (v != 0) return {};
    return {f, std::string(field) + " 0 must be at least 1"};
}

// Product of the factors, saturated just above kMaxTensorElements (no overflow on any input).
int64_t bounded_product(std::initializer_list<int64_t> factors) {
    int64_t p = 1;
    for (int64_t f : factors) {
        p *= f;
        if (p > kMaxTensorElements) return kMaxTensorElements + 1;
    }
    return p;
}

ShapeError too_large(F f, const char* tensor, int64_t elements) {
    if (elements <= kMaxTensorElements) return {};
    return {f, std::string(tensor) + " tensor larger than 2^31 elements"};
}

#define STVP_CHECK(expr)          \
    do {                          \
        ShapeError e_ = (expr);   \
        if (e_) return e_;        \
    } while (0)

ShapeError kernel_fits(F f, const char* kfield, uint32_t kernel, const char* infield, uint32_t in, uint32_t pad,
                       bool padded) {
    const int64_t avail = int64_t{in} + 2 * int64_t{pad};
    if (kernel <= avail) return {};
    return {f, std::string(kfield) + " " + std::to_string(kernel) + " larger than " + (padded ? "padded " : "") +
                   infield + " " + std::to_string(avail)};
}

ShapeError pad_below_kernel(F f, const char* pfield, uint32_t pad, const char* kfield, uint32_t kernel) {
    // A pad of a whole kernel would create outputs that see only padding.
    if (pad < kernel) return {};
    return {f, std::string(pfield) + " " + std::to_string(pad) + " not smaller than " + kfield + " " +
                   std::to_string(kernel)};
}

}  // namespace

ShapeError check(const FcShape& s) {
    STVP_CHECK(at_least_one(F::Batch, "batch", s.batch));
    STVP_CHECK(at_least_one(F::InChannels, "in_features", s.in_features));
    STVP_CHECK(at_least_one(F::OutChannels, "out_features", s.out_features));
    STVP_CHECK(too_large(F::Input, "input", bounded_product({s.batch, s.in_features})));
    STVP_CHECK(too_large(F::Weight, "weight", bounded_product({s.out_features, s.in_features})));
    STVP_CHECK(too_large(F::Output, "output", bounded_product({s.batch, s.out_features})));
    return {};
}

ShapeError check(const Conv2dShape& s) {
    STVP_CHECK(at_least_one(F::Batch, "batch", s.batch));
    STVP_CHECK(at_least_one(F::InChannels, "in_channels", s.in_channels));
    STVP_CHECK(at_least_one(F::InH, "in_h", s.in_h));
    STVP_CHECK(at_least_one(F::InW, "in_w", s.in_w));
    STVP_CHECK(at_least_one(F::OutChannels, "out_channels", s.out_channels));
    STVP_CHECK(at_least_one(F::KernelH, "kernel_h", s.kernel_h));
    STVP_CHECK(at_least_one(F::KernelW, "kernel_w", s.kernel_w));
    STVP_CHECK(at_least_one(F::StrideH, "stride_h", s.stride_h));
    STVP_CHECK(at_least_one(F::StrideW, "stride_w", s.stride_w));
    STVP_CHECK(pad_below_kernel(F::PadH, "pad_h", s.pad_h, "kernel_h", s.kernel_h));
    STVP_CHECK(pad_below_kernel(F::PadW, "pad_w", s.pad_w, "kernel_w", s.kernel_w));
    STVP_CHECK(kernel_fits(F::KernelH, "kernel_h", s.kernel_h, "input_h", s.in_h, s.pad_h, true));
    STVP_CHECK(kernel_fits(F::KernelW, "kernel_w", s.kernel_w, "input_w", s.in_w, s.pad_w, true));
    STVP_CHECK(too_large(F::Input, "input", bounded_product({s.batch, s.in_channels, s.in_h, s.in_w})));
    STVP_CHECK(too_large(F::Weight, "weight", bounded_product({s.out_channels, s.in_channels, s.kernel_h, s.kernel_w})));
    STVP_CHECK(too_large(F::Output, "output", bounded_product({s.batch, s.out_channels, s.out_h(), s.out_w()})));
    return {};
}

ShapeError check(const Pool2dShape& s) {
    STVP_CHECK(at_least_one(F::Batch, "batch", s.batch));
    STVP_CHECK(at_least_one(F::InChannels, "channels", s.channels));
    STVP_CHECK(at_least_one(F::InH, "in_h", s.in_h));
    STVP_CHECK(at_least_one(F::InW, "in_w", s.in_w));
    STVP_CHECK(at_least_one(F::KernelH, "kernel_h", s.kernel_h));
    STVP_CHECK(at_least_one(F::KernelW, "kernel_w", s.kernel_w));
    STVP_CHECK(at_least_one(F::StrideH, "stride_h", s.stride_h));
    STVP_CHECK(at_least_one(F::StrideW, "stride_w", s.stride_w));
    STVP_CHECK(kernel_fits(F::KernelH, "kernel_h", s.kernel_h, "input_h", s.in_h, 0, false));
    STVP_CHECK(kernel_fits(F::KernelW, "kernel_w", s.kernel_w, "input_w", s.in_w, 0, false));
    STVP_CHECK(too_large(F::Input, "input", bounded_product({s.batch, s.channels, s.in_h, s.in_w})));
    return {};
}

ShapeError check(const SoftmaxXentShape& s) {
    STVP_CHECK(at_least_one(F::Batch, "batch", s.batch));
    STVP_CHECK(at_least_one(F::OutChannels, "classes", s.classes));
    STVP_CHECK(too_large(F::Input, "logits", bounded_product({s.batch, s.classes})));
    return {};
}

ShapeError check(const SgdShape& s) {
    STVP_CHECK(at_least_one(F::Batch, "count", s.count));
    return {};
}

#undef STVP_CHECK

std::string validate(const FcShape& s) { return check(s).message; }
std::string validate(const Conv2dShape& s) { return check(s).message; }
std::string validate(const Pool2dShape& s) { return check(s).message; }
std::string validate(const SoftmaxXentShape& s) { return check(s).message; }
std::string validate(const SgdShape& s) { return check(s).message; }

}  // namespace stvp::accel
