#include "accel/core/shapes.h"

#include <initializer_list>

namespace stvp::accel {
namespace {

std::string at_least_one(const char* field, uint32_t v) {
    return v == 0 ? std::string(field) + " 0 must be at least 1" : std::string();
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

std::string too_large(const char* tensor, int64_t elements) {
    if (elements <= kMaxTensorElements) return {};
    return std::string(tensor) + " tensor larger than 2^31 elements";
}

#define STVP_CHECK(expr)               \
    do {                               \
        std::string e_ = (expr);       \
        if (!e_.empty()) return e_;    \
    } while (0)

std::string kernel_fits(const char* kfield, uint32_t kernel, const char* infield, uint32_t in, uint32_t pad,
                        bool padded) {
    const int64_t avail = int64_t{in} + 2 * int64_t{pad};
    if (kernel <= avail) return {};
    return std::string(kfield) + " " + std::to_string(kernel) + " larger than " + (padded ? "padded " : "") +
           infield + " " + std::to_string(avail);
}

std::string pad_below_kernel(const char* pfield, uint32_t pad, const char* kfield, uint32_t kernel) {
    // A pad of a whole kernel would create outputs that see only padding.
    if (pad < kernel) return {};
    return std::string(pfield) + " " + std::to_string(pad) + " not smaller than " + kfield + " " +
           std::to_string(kernel);
}

}  // namespace

std::string validate(const FcShape& s) {
    STVP_CHECK(at_least_one("batch", s.batch));
    STVP_CHECK(at_least_one("in_features", s.in_features));
    STVP_CHECK(at_least_one("out_features", s.out_features));
    STVP_CHECK(too_large("input", bounded_product({s.batch, s.in_features})));
    STVP_CHECK(too_large("weight", bounded_product({s.out_features, s.in_features})));
    STVP_CHECK(too_large("output", bounded_product({s.batch, s.out_features})));
    return {};
}

std::string validate(const Conv2dShape& s) {
    STVP_CHECK(at_least_one("batch", s.batch));
    STVP_CHECK(at_least_one("in_channels", s.in_channels));
    STVP_CHECK(at_least_one("in_h", s.in_h));
    STVP_CHECK(at_least_one("in_w", s.in_w));
    STVP_CHECK(at_least_one("out_channels", s.out_channels));
    STVP_CHECK(at_least_one("kernel_h", s.kernel_h));
    STVP_CHECK(at_least_one("kernel_w", s.kernel_w));
    STVP_CHECK(at_least_one("stride_h", s.stride_h));
    STVP_CHECK(at_least_one("stride_w", s.stride_w));
    STVP_CHECK(pad_below_kernel("pad_h", s.pad_h, "kernel_h", s.kernel_h));
    STVP_CHECK(pad_below_kernel("pad_w", s.pad_w, "kernel_w", s.kernel_w));
    STVP_CHECK(kernel_fits("kernel_h", s.kernel_h, "input_h", s.in_h, s.pad_h, true));
    STVP_CHECK(kernel_fits("kernel_w", s.kernel_w, "input_w", s.in_w, s.pad_w, true));
    STVP_CHECK(too_large("input", bounded_product({s.batch, s.in_channels, s.in_h, s.in_w})));
    STVP_CHECK(too_large("weight", bounded_product({s.out_channels, s.in_channels, s.kernel_h, s.kernel_w})));
    STVP_CHECK(too_large("output", bounded_product({s.batch, s.out_channels, s.out_h(), s.out_w()})));
    return {};
}

std::string validate(const Pool2dShape& s) {
    STVP_CHECK(at_least_one("batch", s.batch));
    STVP_CHECK(at_least_one("channels", s.channels));
    STVP_CHECK(at_least_one("in_h", s.in_h));
    STVP_CHECK(at_least_one("in_w", s.in_w));
    STVP_CHECK(at_least_one("kernel_h", s.kernel_h));
    STVP_CHECK(at_least_one("kernel_w", s.kernel_w));
    STVP_CHECK(at_least_one("stride_h", s.stride_h));
    STVP_CHECK(at_least_one("stride_w", s.stride_w));
    STVP_CHECK(kernel_fits("kernel_h", s.kernel_h, "input_h", s.in_h, 0, false));
    STVP_CHECK(kernel_fits("kernel_w", s.kernel_w, "input_w", s.in_w, 0, false));
    STVP_CHECK(too_large("input", bounded_product({s.batch, s.channels, s.in_h, s.in_w})));
    return {};
}

std::string validate(const SoftmaxXentShape& s) {
    STVP_CHECK(at_least_one("batch", s.batch));
    STVP_CHECK(at_least_one("classes", s.classes));
    STVP_CHECK(too_large("logits", bounded_product({s.batch, s.classes})));
    return {};
}

std::string validate(const SgdShape& s) {
    STVP_CHECK(at_least_one("count", s.count));
    return {};
}

#undef STVP_CHECK

}  // namespace stvp::accel
