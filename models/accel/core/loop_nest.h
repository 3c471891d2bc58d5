// Every FC/CONV phase as one generic loop nest (as Timeloop and the Procrustes model do):
//
//   for n < N, k < K, c < C, p < P, q < Q, r < R, s < S:
//     Out[n][k][p][q] += Wt[k][c][r][s] * In[n][c][p*stride_h + r*dilation_h - pad_h]
//                                              [q*stride_w + s*dilation_w - pad_w]
//
// with In = 0 outside [0, in_h) x [0, in_w). C, R, S are always the reduction dimensions; the
// three phases rename the real dimensions into this form and say which real tensor plays each
// operand role:
//
//   phase        Wt    In    Out   N     K     C     P x Q    R x S    stride  dilation
//   forward      W     X     Y     N     K     C     P x Q    R x S    stride  1
//   input grad   W^T*  dY    dX    N     C     K     H x W    R x S    1       1        (* kernel flipped)
//   weight grad  dY    X^T   dW^T  C     K     N     R x S    P x Q    1       stride
//
// A strided input gradient is split into stride_h x stride_w stride-1 nests (the sub-pixel
// decomposition of a transposed convolution): nest (a, b) computes the dX pixels with
// (h + pad_h) % stride_h == a and (w + pad_w) % stride_w == b from the kernel taps with the same
// residues, so no MAC is spent on the zeros a naive upsampling of dY would insert.
// FC is the 1x1 case (H = W = P = Q = R = S = 1).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "accel/core/shapes.h"

namespace stvp::accel {

enum class Dim : uint8_t { N = 0, K, C, P, Q, R, S };
inline constexpr int kDims = 7;
inline constexpr int idx(Dim d) { return static_cast<int>(d); }
using DimArray = std::array<int64_t, kDims>;  // one value per Dim
const char* to_string(Dim d);

enum class Phase : uint8_t { Forward, InputGrad, WeightGrad };
const char* to_string(Phase p);

// The real tensor that plays an operand role (for traffic reports and, later, for looking up
// the sparsity of the right tensor).
enum class Tensor : uint8_t { W, X, Y, dW, dX, dY };
const char* to_string(Tensor t);

enum class Role : uint8_t { Weight = 0, Input, Output };
inline constexpr int kRoles = 3;

struct OpShape {
    Phase phase = Phase::Forward;
    DimArray extent{1, 1, 1, 1, 1, 1, 1};  // loop bounds, indexed by Dim
    int64_t in_h = 1, in_w = 1;                              // size of the In operand's planes
    int64_t stride_h = 1, stride_w = 1;
    int64_t dilation_h = 1, dilation_w = 1;
    int64_t pad_h = 0, pad_w = 0;  // may be negative (an offset) in decomposed input-gradient nests
    std::array<Tensor, kRoles> tensor{Tensor::W, Tensor::X, Tensor::Y};  // indexed by Role

    // Fused epilogue work (element-wise, on the output path; costs traffic and vector ops).
    bool bias_read = false;       // forward: read bias[K] with each output tile
    bool relu = false;            // forward: ReLU on the outputs
    bool relu_mask = false;       // input grad: read the saved input (one word per output element)
    bool bias_grad = false;       // weight grad: db = sum of dY (the Wt operand), written once

    int64_t e(Dim d) const { return extent[idx(d)]; }
    int64_t macs() const;       // the dense walk: the product of the extents
    int64_t real_macs() const;  // MACs whose In element lies inside the input (not padding)
    int64_t elements(Role r) const;  // distinct elements of an operand (In: clipped to the input)
    std::string validate() const;
    bool operator==(const OpShape& o) const;
};

struct NestOptions {
    bool bias = false;       // forward: add bias; weight grad: compute db
    bool relu = false;       // forward: fused ReLU
    bool relu_mask = false;  // input grad: fused ReLU backward from the saved input
};

OpShape fc_nest(const FcShape& s, Phase phase, const NestOptions& opt = {});
// One nest, or stride_h*stride_w nests for a strided input gradient (empty ones left out).
std::vector<OpShape> conv_nests(const Conv2dShape& s, Phase phase, const NestOptions& opt = {});

// Distinct input rows p*stride + r*dilation - pad for outputs [p0, p0+np) and taps [r0, r0+nr),
// counting only rows inside [0, in): the In operand's footprint in the global buffer and DRAM.
// (Rows are not always contiguous: a dilation larger than the output tile leaves gaps.)
// Requires stride == 1 or dilation == 1 (OpShape::validate).
int64_t input_rows(int64_t p0, int64_t np, int64_t r0, int64_t nr, int64_t stride, int64_t dilation, int64_t pad,
                   int64_t in);
// The same without clipping: what the PEs consume, padding zeros included.
int64_t window(int64_t np, int64_t nr, int64_t stride, int64_t dilation);

}  // namespace stvp::accel
