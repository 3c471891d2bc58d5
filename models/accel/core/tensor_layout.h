// Tensor layouts of the accelerator's operations. The firmware lays its buffers out the same way;
// a descriptor names a buffer by its base address only, so this file is the whole contract.
//
// Every tensor is fp32 (int32 for labels), row-major, contiguous, no padding or strides:
//
//   FC     X[N][C]        input activations      (N = batch, C = in_features)
//          W[K][C]        weights, out x in      (K = out_features)
//          b[K]           bias
//          Y[N][K]        output activations
//   CONV   X[N][C][H][W]  input activations (NCHW)
//          W[K][C][R][S]  weights (KCRS; R x S = kernel_h x kernel_w)
//          b[K]           bias
//          Y[N][K][P][Q]  output activations (P x Q = out_h x out_w)
//   POOL   X[N][C][H][W] -> Y[N][C][P][Q]
//   LOSS   logits[N][K], labels int32[N] (0 <= label < K), dlogits[N][K]
//   SGD    W[count], g[count] (any tensor seen as a flat array)
//
// A gradient has the layout of its tensor: dX like X, dW like W, db like b, dY like Y.
#pragma once

#include <cstdint>

namespace stvp::accel {

// Flat offsets of one element; the functions spell the layouts above in code.
inline int64_t offset_nc(int64_t n, int64_t c, int64_t C) { return n * C + c; }
inline int64_t offset_nchw(int64_t n, int64_t c, int64_t h, int64_t w, int64_t C, int64_t H, int64_t W) {
    return ((n * C + c) * H + h) * W + w;
}
inline int64_t offset_kcrs(int64_t k, int64_t c, int64_t r, int64_t s, int64_t C, int64_t R, int64_t S) {
    return ((k * C + c) * R + r) * S + s;
}

}  // namespace stvp::accel
