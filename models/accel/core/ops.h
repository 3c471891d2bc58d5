// The accelerator's functional math: fp32 training operations on raw pointers, in the layouts
// of tensor_layout.h. The SystemC side hands in pointers into its memories; the host-native
// reference trainer calls the same functions.
//
// Contract of every function:
//  - It validates its shape (and scalar arguments) first and returns the error string of
//    validate() without touching any output if it is bad; "" means done.
//  - Outputs are overwritten, never accumulated into, and must not overlap any input (except
//    sgd_update, which updates W in place). Overlap does not corrupt memory outside the
//    buffers, but the result is unspecified: the command processor should reject it.
//  - Deterministic: one thread, a fixed summation order, so the same inputs give bit-identical
//    outputs run after run (on the same machine: Eigen's GEMM picks its blocking from the
//    host's cache sizes, so another host may round differently).
//
// Decisions the firmware relies on:
//  - Fused ReLU backward uses the saved forward INPUT of the layer (relu_mask_input): the input
//    of a layer is the ReLU output of the layer before it, and the firmware keeps it anyway for
//    the weight gradient, so no extra buffer is needed. dX[i] = 0 where input[i] <= 0, i.e. the
//    consumer's input-gradient op applies the producer's ReLU backward.
//  - Max pooling keeps no argmax indices: the backward pass recomputes them from the saved
//    forward input (one compare per window element; no index buffer or index layout). Ties go
//    to the first maximum in row-major window order; overlapping windows accumulate.
//  - Softmax cross-entropy runs on the accelerator (the CPU has no FPU). The loss is the mean
//    over the batch, and dlogits is the gradient of that mean: (softmax - onehot) / N.
#pragma once

#include <cstdint>
#include <string>

#include "accel/core/shapes.h"

namespace stvp::accel {

// Y = X * W^T + b, then ReLU if relu. bias may be nullptr (no bias).
std::string fc_forward(const FcShape& s, const float* x, const float* w, const float* bias, float* y, bool relu);

// dX = dY * W; if relu_mask_input != nullptr, dX[i] = 0 where relu_mask_input[i] <= 0 (it is the
// saved forward input X of this layer, layout X[N][C]).
std::string fc_input_grad(const FcShape& s, const float* dy, const float* w, const float* relu_mask_input,
                          float* dx);

// dW = dY^T * X; db[k] = sum_n dY[n][k] if db != nullptr.
std::string fc_weight_grad(const FcShape& s, const float* dy, const float* x, float* dw, float* db);

// Y = conv(X, W) + b, then ReLU if relu. Cross-correlation as in every DNN framework:
// Y[n][k][p][q] = b[k] + sum_{c,r,s} W[k][c][r][s] * X[n][c][p*stride_h + r - pad_h][q*stride_w + s - pad_w],
// with X = 0 outside the input.
std::string conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y,
                           bool relu);

// dX[n][c][h][w] = sum over (k, r, s, p, q) with h = p*stride_h + r - pad_h, w = q*stride_w + s - pad_w
// of W[k][c][r][s] * dY[n][k][p][q]; masked by relu_mask_input like fc_input_grad.
std::string conv2d_input_grad(const Conv2dShape& s, const float* dy, const float* w, const float* relu_mask_input,
                              float* dx);

// dW[k][c][r][s] = sum_{n,p,q} dY[n][k][p][q] * X[n][c][p*stride_h + r - pad_h][q*stride_w + s - pad_w];
// db[k] = sum_{n,p,q} dY[n][k][p][q] if db != nullptr.
std::string conv2d_weight_grad(const Conv2dShape& s, const float* dy, const float* x, float* dw, float* db);

// Y[n][c][p][q] = max over the window of X.
std::string maxpool2d_forward(const Pool2dShape& s, const float* x, float* y);

// dX = 0 except at each window's argmax (recomputed from x, the saved forward input), which
// receives dY. With relu_mask, an argmax whose x <= 0 gets nothing (the ReLU before the pool).
std::string maxpool2d_backward(const Pool2dShape& s, const float* x, const float* dy, float* dx, bool relu_mask);

struct XentResult {
    float loss = 0.0f;    // mean over the batch of -log softmax(logits)[label]
    uint32_t correct = 0;  // samples whose first maximal logit is the label
};

// Softmax cross-entropy: fills dlogits with (softmax(logits) - onehot(label)) / N and *result.
// A label outside [0, classes) is an error "labels[i] v outside 0..classes-1" (nothing written).
std::string softmax_xent(const SoftmaxXentShape& s, const float* logits, const int32_t* labels, float* dlogits,
                         XentResult* result);

// W -= lr * (g + weight_decay * W), in place. lr and weight_decay must be finite.
std::string sgd_update(const SgdShape& s, float* w, const float* g, float lr, float weight_decay);

}  // namespace stvp::accel
