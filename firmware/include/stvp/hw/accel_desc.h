/*
 * Training accelerator command descriptor: the in-memory layout the command processor
 * fetches, shared by the model (C++) and the firmware driver (C11). Registers are in
 * accel.def; tensor layouts in models/accel/core/tensor_layout.h (summarised below).
 *
 * CHAIN. The firmware writes DESC_COUNT descriptors back to back (an array, no `next`
 * pointers) starting at DESC_BASE, which must be STVP_ACCEL_DESC_ALIGN (64)-byte aligned.
 * Descriptor i is at DESC_BASE + i * STVP_ACCEL_DESC_SIZE (128 bytes). The accelerator
 * fetches, validates and executes them in order, one at a time; descriptor i + 1 sees every
 * output of descriptor i. All words are little-endian.
 *
 * FIELDS. A flat struct of 32-bit words. Each opcode uses the fields listed in its table
 * entry below; EVERY FIELD AN OPCODE DOES NOT USE MUST BE 0 (reserved words too), otherwise
 * the descriptor fails with STVP_ACCEL_ERR_UNUSED naming the field. So: clear the whole
 * descriptor (memset 0), then fill in what the op needs. This keeps room for the sparse
 * modes of a later version (format, meta0/meta1, param0/param1, the reserved words).
 *
 * TENSORS. Every tensor is fp32 (labels: int32), row-major, contiguous, no padding:
 *   FC    X[N][C], W[K][C], b[K], Y[N][K]
 *   CONV  X[N][C][H][W] (NCHW), W[K][C][R][S] (KCRS), b[K], Y[N][K][P][Q]
 *         with P = (H + 2*pad_h - R) / stride_h + 1, Q = (W + 2*pad_w - S) / stride_w + 1
 *   POOL  X[N][C][H][W] -> Y[N][C][P][Q], P = (H - R) / stride_h + 1 (no padding, floor)
 *   XENT  logits[N][K], labels int32[N] (0 <= label < K), dlogits[N][K]
 *   SGD   W[n], g[n] (any tensor seen as a flat array)
 * A gradient has the layout of its tensor (dX like X, ...). A tensor is named by its base
 * address only; its size follows from the shape. Tensor addresses must be 4-byte aligned and
 * each tensor must lie entirely inside ONE mapped memory (DRAM or the accelerator scratchpad
 * at STVP_SPAD_BASE). Outputs must not overlap any input or each other (SGD updates W in
 * place: dst0 is both, and g must not overlap it).
 *
 * OPCODES (operand slots src0/src1/src2 -> dst0/dst1; "-" = must be 0):
 *
 *  op               shape fields used                 src0    src1    src2       dst0     dst1    flags
 *  FC_FWD           n, c, k                           X       W       b (BIAS)   Y        -       RELU, BIAS
 *  FC_BWD_DATA      n, c, k                           dY      W       X (MASK)   dX       -       RELU_MASK
 *  FC_BWD_WEIGHT    n, c, k                           dY      X       -          dW       db (BIAS) BIAS
 *  CONV_FWD         n,c,h,w,k,r,s,stride_*,pad_*      X       W       b (BIAS)   Y        -       RELU, BIAS
 *  CONV_BWD_DATA    n,c,h,w,k,r,s,stride_*,pad_*      dY      W       X (MASK)   dX       -       RELU_MASK
 *  CONV_BWD_WEIGHT  n,c,h,w,k,r,s,stride_*,pad_*      dY      X       -          dW       db (BIAS) BIAS
 *  MAXPOOL_FWD      n, c, h, w, r, s, stride_*        X       -       -          Y        -       -
 *  MAXPOOL_BWD      n, c, h, w, r, s, stride_*        X       dY      -          dX       -       RELU_MASK
 *  SOFTMAX_XENT     n (batch), k (classes)            logits  labels  -          dlogits  result  -
 *  SGD              n (element count); alpha, beta    g       -       -          W (in/out) -     -
 *  COPY             n (bytes, multiple of 4)          src     -       -          dst      -       MIRROR
 *                   w (row words, with MIRROR only)
 * (every op also accepts STVP_ACCEL_FLAG_IRQ)
 *
 *  FC_FWD / CONV_FWD   Y = W·X (+ b if BIAS), then ReLU if RELU.
 *  *_BWD_DATA          dX = Wᵀ·dY; with RELU_MASK, dX[i] = 0 where the saved forward input
 *                      X[i] <= 0 (src2 = this layer's input X: the ReLU backward of the
 *                      layer before, fused). Strided convolutions are supported.
 *  *_BWD_WEIGHT        dW = dY·Xᵀ; with BIAS also db[k] = sum over n (and p, q) of dY.
 *                      Outputs are overwritten, never accumulated into.
 *  MAXPOOL_FWD         Y = max over each R x S window (stride_h, stride_w), no padding.
 *  MAXPOOL_BWD         dX = 0 except at each window's argmax, recomputed from the saved
 *                      forward input X (ties: first maximum in row-major window order),
 *                      which receives dY (overlapping windows accumulate). With RELU_MASK an
 *                      argmax whose X <= 0 receives nothing.
 *  SOFTMAX_XENT        dlogits = (softmax(logits) - onehot(label)) / N; writes
 *                      struct stvp_accel_xent_result at dst1 (8 bytes): the mean loss over the
 *                      batch and the number of samples whose first maximal logit is the
 *                      label. A label outside 0..K-1 fails with STVP_ACCEL_ERR_LABEL and
 *                      nothing is written.
 *  SGD                 W -= alpha * (g + beta * W) in place: alpha = learning rate,
 *                      beta = weight decay (fp32, finite).
 *  COPY                the accelerator's load/store engine: copies n bytes from src0 to
 *                      dst0, for example DRAM <-> scratchpad (charged DRAM latency and
 *                      bandwidth for each DRAM side, the buffer port for each scratchpad side).
 *                      MIRROR: the bytes are rows of w 4-byte words (w >= 1, n a multiple of
 *                      4 * w; w is used only with MIRROR) and each row is written in reverse
 *                      word order: dst word r*w + j = src word r*w + (w-1-j). An NCHW image of
 *                      fp32 with w = W is flipped left-right (the training's augmentation).
 *                      Same time and energy as the plain COPY of n bytes.
 *
 * Phases (for the stats and the VCD `phase` signal, fixed by the opcode): FWD for *_FWD,
 * BWD_DATA for *_BWD_DATA and MAXPOOL_BWD, BWD_WEIGHT for *_BWD_WEIGHT, UPDATE for SGD, LOSS
 * for SOFTMAX_XENT, COPY for COPY. `layer` is free for the firmware (a layer number): it
 * groups the stats and is shown in the VCD; the accelerator does not interpret it.
 *
 * SPARSE MODES (version 1.1; the OPS / FORMATS registers and CAPS.SPARSE tell whether the
 * device has them). The layer's weights W[K][C][R][S] (FC: R = S = 1) are named by k, c, r, s;
 * fan_in = c * r * s. Extra opcodes (shape fields used; "-" = must be 0):
 *
 *  op             shape       src0  dst0        dst1 (RESULT)  meta0        meta1        alpha  beta  param0  param1  flags
 *  INIT_WEIGHTS   k, c, r, s  -     W           -              -            -            -      -     seed lo seed hi -
 *  DROPBACK       k, c, r, s  -     W (in/out)  dropback res.  block copy   -            d      f     seed lo seed hi FIRST, TOPK, RESULT
 *  NM_PREGEN      k, c, r, s  W     -           -              fwd copy     bwd copy     -      -     N       M       -
 *  GRAD_PRUNE     n (count)   -     g (in/out)  prune res.     -            -            p      -     seed    -       RESULT
 *
 *  INIT_WEIGHTS  W[i] = W0(seed, layer, i) for i < K*C*R*S: the counter-based generator of
 *                models/accel/sparse/init_weights.h (seed = param1 << 32 | param0, key `layer`
 *                = the descriptor's layer field), Kaiming-uniform U(-b, b), b = sqrt(6 / fan_in)
 *                (the accelerator configuration may select another kind; the host trainer must
 *                use the same). Bit-identical to InitWeights::fill on any host.
 *  DROPBACK      Procrustes/DropBack selection of one layer, after its SGD update of the dense
 *                master W (dst0): score s_i = |W_i - d*W0_i| (W0 regenerated as INIT_WEIGHTS
 *                with the same seed and layer, d = alpha, the decay of this step, which the
 *                firmware computes: d_t = d_0 * factor^t), select, reset every untracked
 *                weight to d*W0_i in the master, and write the tracked weights to the block
 *                copy at meta0 (format below). beta = f, the tracked fraction budget / total
 *                weights of the model, in (0, 1].
 *                Selection, default: the Procrustes streaming quantile estimator, whose state
 *                persists in the device across layers and steps (SOFT_RESET restarts it):
 *                FIRST marks the first layer of a step (ends the previous step, begins one with
 *                target quantile q = 1 - f); then in layer order each weight is tracked iff its
 *                score exceeds the running estimate (models/accel/sparse/dropback.h). The
 *                estimate is global over the layers of a step, as WeightSelector.
 *                TOPK: exact top-k PER LAYER for comparison, k = round(f * K*C*R*S) (ties to
 *                the lower index); the estimator is not touched.
 *                RESULT: writes struct stvp_accel_dropback_result at dst1.
 *                DRAM traffic is charged as the compressed format (tracked values, bitmasks and
 *                packed 20-bit pointers), read and written, not the dense master.
 *  NM_PREGEN     from the dense master W (src0), the forward copy (groups of M consecutive c
 *                for each (k, r, s), keep the N largest |w|) at meta0 and the backward copy
 *                (groups of M consecutive k for each (c, r, s)) at meta1 (format below);
 *                2 <= M <= 256, 1 <= N < M. The master is not changed.
 *                NM_BWD_FROM_FWD: the backward copy is pruned from the forward copy (W with
 *                the weights it dropped set to 0), so it keeps only weights the forward copy
 *                keeps (Bi-Mask, docs/literature.md); without it, from W (the two copies'
 *                masks disagree, and the input gradient is not the forward function's).
 *  GRAD_PRUNE    SparseTrain stochastic pruning of g[0..n) in place (an output gradient dY):
 *                sigma = mean|g| * sqrt(pi/2), tau = Phi^-1((1 + p)/2) * sigma; |g| < tau
 *                becomes sign(g)*tau with probability |g|/tau, else 0 (unbiased); p = alpha in
 *                [0, 1). Random numbers: per-lane xorshift32, lane l seeded with
 *                stvp_accel_prune_lane_seed(seed, l) (seed = param0; element i uses lane
 *                i % lanes; lanes from the configuration, 16 by default) — fresh at every op,
 *                so the result depends only on (g, p, seed):
 *                models/accel/sparse/gradient_pruner.h. RESULT: writes struct
 *                stvp_accel_prune_result at dst1.
 *
 * Formats of the FC/CONV ops (`format`):
 *   DENSE (0)  as above.
 *   BLOCK (1)  *_FWD and *_BWD_DATA only: W is the block copy at meta0 (written by DROPBACK),
 *              src1 must be 0; the forward op reads it as W, the input-gradient op walks the
 *              same blocks as W^T (kernels flipped) without re-compression.
 *   NM (2)     *_FWD and *_BWD_DATA only: W is an N:M copy at meta0 (the forward copy for
 *              *_FWD, the backward copy for *_BWD_DATA, written by NM_PREGEN), src1 must be
 *              0, param0 = N, param1 = M as at NM_PREGEN.
 *   The result equals the dense op on the decoded weights (the pruned weights zero).
 *   *_BWD_WEIGHT stays dense over the weights (format DENSE).
 * SKIP_ZEROS (any FC/CONV op): the PEs skip MACs whose activation or gradient operand is zero
 * (natural ReLU zeros, pruned gradients): the op's time comes from the per-PE work of the real
 * non-zeros (the array waits for its busiest PE once per global-buffer tile, or every array
 * step with accel.sync: step; the load balancer follows the configuration), the zero checks
 * are charged. Numerics are unchanged. Without SKIP_ZEROS (the
 * dense baseline) only the weight format's zeros are skipped.
 *
 * BLOCK COPY (meta0, 4-byte aligned, STVP_ACCEL_BLOCK_BYTES(k, c, r, s) bytes reserved):
 *   struct stvp_accel_block_header   (blocks, nnz, bk, bc)
 *   uint32_t mask[2 * blocks]        block b's bitmask: lo word mask[2b], hi word mask[2b+1]
 *   uint32_t ptr[blocks]             index in values[] of block b's first kept weight
 *   float    values[nnz]             kept weights, block after block, inside a block in
 *                                    (k, c, r, s) order
 * Blocks are bk x bc x R x S: FC (R = S = 1) 8 x 8 tiles (STVP_ACCEL_BLOCK_FC), block
 * (kb, cb) is b = kb * ceil(C/8) + cb; CONV (R*S > 1) one R x S kernel per (k, c), b = k*C + c,
 * R*S <= 64. Bit t of a block's mask is the element (kk, cc, r, s) = in-block position
 * t = ((kk * bc + cc) * R + r) * S + s. The hardware's pointer is 20 bits (so K*C*R*S <= 2^20);
 * it is stored as a word here and charged as 20 bits of traffic.
 *
 * N:M COPY (meta0 / meta1, 4-byte aligned, STVP_ACCEL_NM_BYTES(lines, R*S, len, N, M) bytes:
 * forward copy lines = K, len = C; backward copy lines = C, len = K):
 *   float   values[slots]            slots = lines * R*S * ceil(len/M) * N
 *   uint8_t index[slots]             (then padding to a multiple of 4 bytes)
 * Groups are stored line by line: for each line a (k for forward, c for backward), each (r, s),
 * each group j along the grouped axis, N slots with ascending in-group indices; slot t keeps
 * the weight at grouped position j*M + index (a last, shorter group keeps min(N, its length)
 * weights, its padding slots hold value 0, index 0). Charged as ceil(log2 M)-bit indices.
 *
 * VALIDATION. Every field of a descriptor is checked before any byte of its outputs is
 * written; the first failing check, in the order of the error codes below (and within one
 * code in field order), stops the chain: STATUS.ERROR, ERR_CODE = the code, ERR_DESC = the
 * descriptor's index in the chain, ERR_FIELD = the field's STVP_ACCEL_FIELD_* id (its byte
 * offset in the descriptor; STVP_ACCEL_FIELD_NONE if no field is at fault), ERR_VALUE = the
 * field's value (for DESC_BASE/DESC_COUNT errors: the register value). Descriptors before
 * the failing one have completed; nothing of the failing one or later ones is written.
 */
#ifndef STVP_HW_ACCEL_DESC_H
#define STVP_HW_ACCEL_DESC_H

#ifdef __cplusplus
#include <cstddef>
#include <cstdint>
#define STVP_ACCEL_ALIGNAS(n) alignas(n)
#define STVP_ACCEL_STATIC_ASSERT(c, m) static_assert(c, m)
#define STVP_ACCEL_ENUM(tag) enum tag : uint32_t /* unsigned like the registers */
#define STVP_ACCEL_ALIGNOF(t) alignof(t)
#else
#include <stddef.h>
#include <stdint.h>
#define STVP_ACCEL_ALIGNAS(n) _Alignas(n)
#define STVP_ACCEL_STATIC_ASSERT(c, m) _Static_assert(c, m)
#define STVP_ACCEL_ENUM(tag) enum tag
#define STVP_ACCEL_ALIGNOF(t) _Alignof(t)
#endif

typedef struct stvp_accel_desc {
    /* 0x00 */ STVP_ACCEL_ALIGNAS(64) uint32_t opcode; /* STVP_ACCEL_OP_* */
    /* 0x04 */ uint32_t flags;    /* STVP_ACCEL_FLAG_*; only the flags listed for the opcode */
    /* 0x08 */ uint32_t layer;    /* firmware's layer id, for stats and the VCD (any value) */
    /* 0x0C */ uint32_t format;   /* operand format: STVP_ACCEL_FORMAT_* (DENSE = 0) */
    /* Shape (elements, not bytes, except COPY's n). Unused ones must be 0. */
    /* 0x10 */ uint32_t n;        /* batch N; SGD: element count; COPY: byte count */
    /* 0x14 */ uint32_t c;        /* input channels / in_features C; POOL: channels */
    /* 0x18 */ uint32_t h;        /* input height H (CONV, POOL) */
    /* 0x1C */ uint32_t w;        /* input width W (CONV, POOL) */
    /* 0x20 */ uint32_t k;        /* output channels / out_features K; XENT: classes */
    /* 0x24 */ uint32_t r;        /* kernel (window) height R (CONV, POOL) */
    /* 0x28 */ uint32_t s;        /* kernel (window) width S (CONV, POOL) */
    /* 0x2C */ uint32_t stride_h; /* >= 1 (CONV, POOL) */
    /* 0x30 */ uint32_t stride_w; /* >= 1 (CONV, POOL) */
    /* 0x34 */ uint32_t pad_h;    /* zero padding on top and bottom, < R (CONV only) */
    /* 0x38 */ uint32_t pad_w;    /* zero padding left and right, < S (CONV only) */
    /* 0x3C */ uint32_t reserved0;
    /* Operand addresses (bus addresses, 4-byte aligned). See the opcode table for the roles. */
    /* 0x40 */ uint32_t src0;
    /* 0x44 */ uint32_t src1;
    /* 0x48 */ uint32_t src2;
    /* 0x4C */ uint32_t dst0;
    /* 0x50 */ uint32_t dst1;
    /* Sparse-mode metadata addresses (block copy, N:M copies): see SPARSE MODES; else 0. */
    /* 0x54 */ uint32_t meta0;
    /* 0x58 */ uint32_t meta1;
    /* Scalars (IEEE-754 binary32). SGD: alpha = learning rate, beta = weight decay.
       DROPBACK: alpha = decay d, beta = tracked fraction f. GRAD_PRUNE: alpha = prune rate p. */
    /* 0x5C */ float alpha;
    /* 0x60 */ float beta;
    /* Sparse-mode parameters (seeds, N and M): see SPARSE MODES; else 0. */
    /* 0x64 */ uint32_t param0;
    /* 0x68 */ uint32_t param1;
    /* 0x6C */ uint32_t reserved1[5]; /* 0x6C..0x7F, must be 0 */
} stvp_accel_desc;

#define STVP_ACCEL_DESC_SIZE  128 /* bytes per descriptor; descriptor i is at DESC_BASE + i * 128 */
#define STVP_ACCEL_DESC_ALIGN 64  /* DESC_BASE alignment (so is the struct's, for static arrays) */

/* Written by SOFTMAX_XENT at dst1 (4-byte aligned). */
typedef struct stvp_accel_xent_result {
    float loss;       /* mean over the batch of -log softmax(logits)[label] */
    uint32_t correct; /* samples whose first maximal logit equals the label */
} stvp_accel_xent_result;

STVP_ACCEL_STATIC_ASSERT(sizeof(float) == 4, "float is IEEE-754 binary32");
STVP_ACCEL_STATIC_ASSERT(sizeof(stvp_accel_desc) == STVP_ACCEL_DESC_SIZE, "descriptor is 128 bytes");
STVP_ACCEL_STATIC_ASSERT(STVP_ACCEL_ALIGNOF(stvp_accel_desc) == STVP_ACCEL_DESC_ALIGN, "descriptor is 64-byte aligned");
STVP_ACCEL_STATIC_ASSERT(sizeof(stvp_accel_xent_result) == 8, "xent result is 8 bytes");

/* Opcodes. 0 is invalid (an all-zero descriptor is an error). Values up to
   STVP_ACCEL_OP_LIMIT - 1 may be added by later versions (the OPS register lists the
   supported ones as a bitmap: bit i = opcode i). */
STVP_ACCEL_ENUM(stvp_accel_opcode) {
#define STVP_ACCEL_OP(name, value, phase, kind, flags, formats, uses) STVP_ACCEL_OP_##name = value,
#include "accel_ops.def"
};
#define STVP_ACCEL_OP_LIMIT           32u

/* Flags (bits of `flags`). Which ones an opcode accepts: see the opcode table; any other set
   bit fails with STVP_ACCEL_ERR_FLAGS. */
#define STVP_ACCEL_FLAG_RELU      0x00000001u /* *_FWD: fused ReLU on the output */
#define STVP_ACCEL_FLAG_BIAS      0x00000002u /* *_FWD: add bias b (src2); *_BWD_WEIGHT: write db (dst1) */
#define STVP_ACCEL_FLAG_RELU_MASK 0x00000004u /* *_BWD_DATA: mask dX by saved input X (src2) > 0; MAXPOOL_BWD: by X (src0) */
#define STVP_ACCEL_FLAG_IRQ       0x00000008u /* any op: set INT_STATUS.DESC when this descriptor completes */
#define STVP_ACCEL_FLAG_FIRST     0x00000010u /* DROPBACK: first layer of a training step (quantile estimator) */
#define STVP_ACCEL_FLAG_TOPK      0x00000020u /* DROPBACK: exact per-layer top-k instead of the quantile estimator */
#define STVP_ACCEL_FLAG_RESULT    0x00000040u /* DROPBACK, GRAD_PRUNE: write the op's result struct at dst1 */
#define STVP_ACCEL_FLAG_SKIP_ZEROS 0x00000080u /* FC/CONV ops: skip MACs on zero activations / gradients */
#define STVP_ACCEL_FLAG_NM_BWD_FROM_FWD 0x00000100u /* NM_PREGEN: backward copy pruned from the forward copy, not W */
#define STVP_ACCEL_FLAG_MIRROR    0x00000200u /* COPY: every row of w words written in reverse word order */

/* Operand formats (`format`). Bit i of the FORMATS register = format i supported. */
#define STVP_ACCEL_FORMAT_DENSE 0u
#define STVP_ACCEL_FORMAT_BLOCK 1u /* W = the block copy at meta0 (*_FWD, *_BWD_DATA) */
#define STVP_ACCEL_FORMAT_NM    2u /* W = an N:M copy at meta0, param0 = N, param1 = M (*_FWD, *_BWD_DATA) */
#define STVP_ACCEL_FORMAT_BIT(f) (1u << STVP_ACCEL_FORMAT_##f) /* accel_ops.def, accepted formats */

/* Block copy layout (SPARSE MODES). */
#define STVP_ACCEL_BLOCK_FC 8u /* bk = bc of FC layers (R = S = 1) */
#define STVP_ACCEL_BLOCK_MAX_VALUES (1u << 20) /* 20-bit pointers: K*C*R*S at most */
typedef struct stvp_accel_block_header {
    uint32_t blocks; /* block count (must match the shape) */
    uint32_t nnz;    /* kept weights = entries of values[] */
    uint32_t bk, bc; /* block extent along K and C (8, 8 for FC; 1, 1 for CONV) */
} stvp_accel_block_header;
#define STVP_ACCEL_DIV_UP(a, b) (((a) + (b) - 1u) / (b))
#define STVP_ACCEL_BLOCK_COUNT(k, c, r, s) \
    ((r) * (s) == 1u ? STVP_ACCEL_DIV_UP(k, STVP_ACCEL_BLOCK_FC) * STVP_ACCEL_DIV_UP(c, STVP_ACCEL_BLOCK_FC) : (k) * (c))
/* Bytes to reserve for a block copy (all weights kept, the worst case). */
#define STVP_ACCEL_BLOCK_BYTES(k, c, r, s) \
    (sizeof(stvp_accel_block_header) + 12u * STVP_ACCEL_BLOCK_COUNT(k, c, r, s) + 4u * (k) * (c) * (r) * (s))
/* N:M copy layout (SPARSE MODES): lines = K (forward) or C (backward), len = C or K. */
#define STVP_ACCEL_NM_SLOTS(lines, rs, len, n, m) ((lines) * (rs) * STVP_ACCEL_DIV_UP(len, m) * (n))
/* 4-byte values, then one index byte per slot padded to a word (type-agnostic rounding, so the
   model's 64-bit sizes do not lose high bits). */
#define STVP_ACCEL_NM_BYTES(lines, rs, len, n, m) \
    (4u * STVP_ACCEL_NM_SLOTS(lines, rs, len, n, m) + (STVP_ACCEL_NM_SLOTS(lines, rs, len, n, m) + 3u) / 4u * 4u)

/* Written by DROPBACK (flag RESULT) at dst1. */
typedef struct stvp_accel_dropback_result {
    uint32_t tracked;  /* weights of this layer tracked (kept in the block copy) */
    uint32_t total;    /* weights of this layer */
    float threshold;   /* quantile estimate after this layer (TOPK: the k-th score) */
    float decay;       /* d used (alpha) */
} stvp_accel_dropback_result;

/* Seed of GRAD_PRUNE's lane l: a murmur3 finaliser of (seed, lane), so neighbouring lanes and
   small seeds start from unrelated states (seeding lane l with seed + l made the lanes' first
   draws small and correlated, and pruned too few gradients). Never 0 (xorshift's fixed point). */
static inline uint32_t stvp_accel_prune_lane_seed(uint32_t seed, uint32_t lane)
{
    uint32_t h = seed ^ (lane * 0x9E3779B9u);
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h ? h : 0x9E3779B9u;
}

/* Written by GRAD_PRUNE (flag RESULT) at dst1. */
typedef struct stvp_accel_prune_result {
    uint32_t elements;     /* n */
    uint32_t zeros_before; /* natural zeros (ReLU) */
    uint32_t zeros_after;  /* zeros after pruning */
    float tau;             /* threshold used */
} stvp_accel_prune_result;

STVP_ACCEL_STATIC_ASSERT(sizeof(stvp_accel_block_header) == 16, "block header is 16 bytes");
STVP_ACCEL_STATIC_ASSERT(sizeof(stvp_accel_dropback_result) == 16, "dropback result is 16 bytes");
STVP_ACCEL_STATIC_ASSERT(sizeof(stvp_accel_prune_result) == 16, "prune result is 16 bytes");

/* Phases (VCD `phase` signal and stats), fixed by the opcode; 0 = idle. */
STVP_ACCEL_ENUM(stvp_accel_phase) {
#define STVP_ACCEL_PHASE(name, value, text) STVP_ACCEL_PHASE_##name = value,
#include "accel_ops.def"
};

/* Field ids reported in ERR_FIELD: the field's byte offset in the descriptor. */
STVP_ACCEL_ENUM(stvp_accel_field) {
#define STVP_ACCEL_DESC_FIELD(id, member, offset) STVP_ACCEL_FIELD_##id = offset,
#include "accel_fields.def"
#undef STVP_ACCEL_DESC_FIELD
    STVP_ACCEL_FIELD_NONE = 0xFF /* the error is not about a descriptor field */
};
/* A bit per descriptor word (field id / 4): the fields an opcode uses (accel_ops.def). */
#define STVP_ACCEL_USES(id) (1u << (STVP_ACCEL_FIELD_##id / 4u))

#define STVP_ACCEL_DESC_FIELD(id, member, offset) \
    STVP_ACCEL_STATIC_ASSERT(offsetof(stvp_accel_desc, member) == (offset), #member " at " #offset);
#include "accel_fields.def"
#undef STVP_ACCEL_DESC_FIELD

/* The most work one descriptor may ask for: FC N*C*K, CONV (every phase) N*K*P*Q*C*R*S MACs,
   MAXPOOL N*C*P*Q*R*S compares. The simulator computes every op on the host; a larger op
   (minutes of host time for one descriptor) fails with STVP_ACCEL_ERR_SHAPE on FIELD_N: split
   the batch. Sizes are multiplied without wrapping (a product past 2^64 is over the bound). */
#define STVP_ACCEL_MAX_MACS (1ull << 32)

/* ERR_CODE values, in the order the checks run (accel_errors.def explains each). */
STVP_ACCEL_ENUM(stvp_accel_err) {
#define STVP_ACCEL_ERROR(name, value, text) STVP_ACCEL_ERR_##name = value,
#include "accel_errors.def"
#undef STVP_ACCEL_ERROR
};

#undef STVP_ACCEL_ALIGNAS
#undef STVP_ACCEL_STATIC_ASSERT
#undef STVP_ACCEL_ALIGNOF
#undef STVP_ACCEL_ENUM

#endif
