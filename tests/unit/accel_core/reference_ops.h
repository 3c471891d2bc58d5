// Plain reference implementations of the accelerator's ops for the tests: naive loops straight
// from the definitions, double accumulation, no shared code with ops.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "accel/core/shapes.h"

namespace stvp::accel::ref {

std::vector<double> fc_forward(const FcShape& s, const float* x, const float* w, const float* b, bool relu);
std::vector<double> fc_input_grad(const FcShape& s, const float* dy, const float* w, const float* mask);
void fc_weight_grad(const FcShape& s, const float* dy, const float* x, std::vector<double>& dw,
                    std::vector<double>& db);

std::vector<double> conv_forward(const Conv2dShape& s, const float* x, const float* w, const float* b, bool relu);
std::vector<double> conv_input_grad(const Conv2dShape& s, const float* dy, const float* w, const float* mask);
void conv_weight_grad(const Conv2dShape& s, const float* dy, const float* x, std::vector<double>& dw,
                      std::vector<double>& db);

std::vector<double> maxpool_forward(const Pool2dShape& s, const float* x);
std::vector<double> maxpool_backward(const Pool2dShape& s, const float* x, const float* dy, bool relu_mask);

// Mean loss; dlogits of the mean; correct count.
double softmax_xent(const SoftmaxXentShape& s, const float* logits, const int32_t* labels, std::vector<double>& dl,
                    uint32_t& correct);

// The same computations in double throughout, for finite differences.
std::vector<double> conv_forward_d(const Conv2dShape& s, const std::vector<double>& x, const std::vector<double>& w);
double softmax_xent_loss_d(const SoftmaxXentShape& s, const std::vector<double>& logits, const int32_t* labels);

}  // namespace stvp::accel::ref
