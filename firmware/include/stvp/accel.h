/*
 * Training accelerator driver (registers and programming sequence: stvp/hw/accel.def;
 * descriptor layout, opcodes, flags, field ids, error codes and tensor layouts:
 * stvp/hw/accel_desc.h).
 *
 * Usage:
 *     static stvp_accel_desc chain[3];           // 64-byte aligned by its type; static storage
 *     if (stvp_accel_init(1) != 0) ...           // no accelerator mapped
 *     stvp_accel_fc_fwd(&chain[0], N, C, K, x, w, b, y, 1);   // with bias and ReLU
 *     stvp_accel_fc_fwd(&chain[1], ...);
 *     stvp_accel_softmax_xent(&chain[2], N, K, logits, labels, dlogits, &result);
 *     stvp_accel_result_t r;
 *     if (stvp_accel_run(chain, 3, &r) != STVP_ACCEL_ERR_NONE) {
 *         char msg[200];
 *         stvp_accel_format_error(&r, chain, msg, sizeof msg);
 *         puts(msg);   // "accel error 10 (operand address not 4-byte aligned) in descriptor 1 ..."
 *     }
 *
 * Builders clear the whole descriptor first (unused fields must be 0) and then fill in the
 * opcode's fields; tweak fields afterwards if needed (layer, or deliberately bad values in
 * tests). Buffers are named by pointer; the accelerator reads and writes them directly, so
 * they must stay in place until the chain ends. The wait sleeps in WFI on the accelerator's
 * PLIC interrupt (stvp_accel_wait); stvp_accel_wait_poll() is the polling fallback for code
 * that cannot take interrupts. No dynamic allocation anywhere.
 */
#ifndef STVP_ACCEL_H
#define STVP_ACCEL_H

#include <stdint.h>

#include "stvp/hw/accel_desc.h"

/* ---- shapes (element counts) ---- */

typedef struct stvp_accel_conv_shape {
    uint32_t n, c, h, w;        /* input X[N][C][H][W] */
    uint32_t k, r, s;           /* K output channels, R x S kernel */
    uint32_t stride_h, stride_w;
    uint32_t pad_h, pad_w;      /* zero padding on each side, < kernel */
} stvp_accel_conv_shape_t;

typedef struct stvp_accel_pool_shape {
    uint32_t n, c, h, w;        /* input X[N][C][H][W] */
    uint32_t r, s;              /* window R x S, no padding */
    uint32_t stride_h, stride_w;
} stvp_accel_pool_shape_t;

/* Output sizes (P, Q) of a valid shape, for sizing buffers. */
static inline uint32_t stvp_accel_conv_out_h(const stvp_accel_conv_shape_t *s)
{
    return (s->h + 2 * s->pad_h - s->r) / s->stride_h + 1;
}
static inline uint32_t stvp_accel_conv_out_w(const stvp_accel_conv_shape_t *s)
{
    return (s->w + 2 * s->pad_w - s->s) / s->stride_w + 1;
}
static inline uint32_t stvp_accel_pool_out_h(const stvp_accel_pool_shape_t *s)
{
    return (s->h - s->r) / s->stride_h + 1;
}
static inline uint32_t stvp_accel_pool_out_w(const stvp_accel_pool_shape_t *s)
{
    return (s->w - s->s) / s->stride_w + 1;
}

/* ---- descriptor builders: one per opcode (accel_desc.h's table) ---- */

/* Y[N][K] = X[N][C] * W[K][C]^T (+ b) (ReLU if relu). bias NULL = no bias. */
void stvp_accel_fc_fwd(stvp_accel_desc *d, uint32_t n, uint32_t c, uint32_t k, const float *x, const float *w,
                       const float *bias, float *y, int relu);
/* dX[N][C] = dY[N][K] * W[K][C]; relu_mask_x (the layer's saved input X, or NULL): dX = 0 where X <= 0. */
void stvp_accel_fc_bwd_data(stvp_accel_desc *d, uint32_t n, uint32_t c, uint32_t k, const float *dy,
                            const float *w, const float *relu_mask_x, float *dx);
/* dW[K][C] = dY^T * X; db[K] = column sums of dY if db != NULL. */
void stvp_accel_fc_bwd_weight(stvp_accel_desc *d, uint32_t n, uint32_t c, uint32_t k, const float *dy,
                              const float *x, float *dw, float *db);

void stvp_accel_conv_fwd(stvp_accel_desc *d, const stvp_accel_conv_shape_t *s, const float *x, const float *w,
                         const float *bias, float *y, int relu);
void stvp_accel_conv_bwd_data(stvp_accel_desc *d, const stvp_accel_conv_shape_t *s, const float *dy,
                              const float *w, const float *relu_mask_x, float *dx);
void stvp_accel_conv_bwd_weight(stvp_accel_desc *d, const stvp_accel_conv_shape_t *s, const float *dy,
                                const float *x, float *dw, float *db);

void stvp_accel_maxpool_fwd(stvp_accel_desc *d, const stvp_accel_pool_shape_t *s, const float *x, float *y);
/* x is the saved forward input (argmax recomputed); relu_mask: an argmax with x <= 0 gets nothing. */
void stvp_accel_maxpool_bwd(stvp_accel_desc *d, const stvp_accel_pool_shape_t *s, const float *x,
                            const float *dy, float *dx, int relu_mask);

/* dlogits = (softmax(logits) - onehot(labels)) / N; *result = mean loss, correct count. */
void stvp_accel_softmax_xent(stvp_accel_desc *d, uint32_t n, uint32_t classes, const float *logits,
                             const int32_t *labels, float *dlogits, stvp_accel_xent_result *result);

/* w[i] -= lr * (g[i] + weight_decay * w[i]), i < count, in place. */
void stvp_accel_sgd(stvp_accel_desc *d, uint32_t count, float *w, const float *g, float lr, float weight_decay);

/* The accelerator's load/store engine: `bytes` (a multiple of 4) from src to dst. */
void stvp_accel_copy(stvp_accel_desc *d, void *dst, const void *src, uint32_t bytes);

/* ---- sparse modes (accel_desc.h, SPARSE MODES; present if CAPS.SPARSE) ----
   A layer's weights are W[K][C][R][S]; FC layers pass r = s = 1. `layer` keys the implicit
   initial weights W0 (and goes into the descriptor's layer field, as for the stats). */
/* W[i] = W0(seed, layer, i), Kaiming-uniform with fan_in = c*r*s (the generator of
   models/accel/sparse/init_weights.h, which the host trainer shares). */
void stvp_accel_init_weights(stvp_accel_desc *d, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s,
                             uint64_t seed, float *w);
/* DropBack/Procrustes selection of one layer after its SGD update: scores |W - decay*W0|,
   resets the untracked weights of the master w to decay*W0, writes the tracked ones to the
   block copy `blocks` (STVP_ACCEL_BLOCK_BYTES(k, c, r, s) bytes, 4-byte aligned).
   tracked_fraction = budget / total weights of the model, in (0, 1]. first: this is the first
   layer of the step (flag FIRST). topk: exact per-layer top-k instead of the quantile
   estimator (flag TOPK). result may be NULL (else flag RESULT). */
void stvp_accel_dropback(stvp_accel_desc *d, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s,
                         uint64_t seed, float decay, float tracked_fraction, int first, int topk, float *w,
                         void *blocks, stvp_accel_dropback_result *result);
/* Forward (N:M along C) and backward (N:M along K) copies of the dense master w, written to
   fwd_copy (STVP_ACCEL_NM_BYTES(k, r*s, c, n, m) bytes) and bwd_copy
   (STVP_ACCEL_NM_BYTES(c, r*s, k, n, m) bytes). */
void stvp_accel_nm_pregen(stvp_accel_desc *d, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s,
                          uint32_t n, uint32_t m, const float *w, void *fwd_copy, void *bwd_copy);
/* SparseTrain pruning of g[0..count) in place with prune rate p in [0, 1) and seed; result may
   be NULL (else flag RESULT). */
void stvp_accel_grad_prune(stvp_accel_desc *d, uint32_t layer, uint32_t count, float *g, float p, uint32_t seed,
                           stvp_accel_prune_result *result);
/* Turn a built FC/CONV *_FWD or *_BWD_DATA descriptor (built with w = NULL) into one reading
   its weights from a block copy (format BLOCK) or an N:M copy (format NM: the forward copy for
   *_FWD, the backward copy for *_BWD_DATA; n, m as at NM_PREGEN). */
void stvp_accel_desc_block(stvp_accel_desc *d, const void *blocks);
void stvp_accel_desc_nm(stvp_accel_desc *d, const void *copy, uint32_t n, uint32_t m);
/* Prune a built NM_PREGEN's backward copy from its forward copy instead of from W (flag
   NM_BWD_FROM_FWD, Bi-Mask): the input gradient then uses only weights the forward pass used. */
static inline void stvp_accel_nm_bwd_from_fwd(stvp_accel_desc *d)
{
    d->flags |= STVP_ACCEL_FLAG_NM_BWD_FROM_FWD;
}

/* Make a built COPY mirror its data: every row of row_words 4-byte words written in reverse
   word order (flag MIRROR, w = row_words; the byte count must be whole rows). row_words = 0
   makes it a plain copy again. */
static inline void stvp_accel_copy_mirror(stvp_accel_desc *d, uint32_t row_words)
{
    d->flags = row_words ? d->flags | STVP_ACCEL_FLAG_MIRROR : d->flags & ~STVP_ACCEL_FLAG_MIRROR;
    d->w = row_words;
}

/* Skip MACs on zero activations / gradients (flag SKIP_ZEROS; any FC/CONV op). */
static inline void stvp_accel_desc_skip_zeros(stvp_accel_desc *d)
{
    d->flags |= STVP_ACCEL_FLAG_SKIP_ZEROS;
}

/* Interrupt (INT_STATUS.DESC, counted by the handler) when this descriptor completes. */
static inline void stvp_accel_desc_irq(stvp_accel_desc *d)
{
    d->flags |= STVP_ACCEL_FLAG_IRQ;
}

/* Layer id for the stats and the VCD (not interpreted by the accelerator). */
static inline void stvp_accel_desc_layer(stvp_accel_desc *d, uint32_t layer)
{
    d->layer = layer;
}

/* ---- device ---- */

/* The identification registers. */
typedef struct stvp_accel_info {
    uint32_t id, version, caps, ops, formats;
    uint32_t rows, cols, macs_per_pe;
    uint32_t rf_bytes, gb_bytes, spad_bytes;
    uint32_t clock_khz, max_chain;
} stvp_accel_info_t;

/* Returned by stvp_accel_init() when nothing answers at STVP_ACCEL_BASE (the access faults)
   or the ID register is not 'ACC1'. */
#define STVP_ACCEL_ABSENT (-2)
/* Returned by stvp_accel_start() while a chain runs (the doorbell would be ignored). */
#define STVP_ACCEL_BUSY (-1)

/* Probes the ID register (an access fault is caught, not fatal), soft-resets the device,
   enables its DONE/ERROR/DESC interrupts, registers the driver's PLIC handler for
   STVP_IRQ_ACCEL with the given priority (1..7, above the PLIC threshold, which the driver
   leaves alone), enables the source and mie.MEIE. Returns 0 or STVP_ACCEL_ABSENT. */
int stvp_accel_init(unsigned plic_priority);

void stvp_accel_read_info(stvp_accel_info_t *info);

/* STATUS.BUSY. */
int stvp_accel_busy(void);

/* Writes DESC_BASE, DESC_COUNT and rings the doorbell (CTRL = START). Returns 0, or
   STVP_ACCEL_BUSY without touching the device. descs must be 64-byte aligned (it is, as a
   stvp_accel_desc array) and stay unchanged until the chain ends. */
int stvp_accel_start(const stvp_accel_desc *descs, unsigned count);

/* CTRL = SOFT_RESET: clears STATUS, INT_STATUS, ERR_*, CMD_REJECTED and the performance
   counters, keeps INT_ENABLE, DESC_BASE and DESC_COUNT. Returns 0, or STVP_ACCEL_BUSY without
   writing (the device would ignore it and count it in CMD_REJECTED). */
int stvp_accel_soft_reset(void);

/* What a finished chain left in the registers. */
typedef struct stvp_accel_result {
    uint32_t status;     /* STATUS: ACCEL_STATUS_DONE_MASK or ACCEL_STATUS_ERROR_MASK */
    uint32_t err_code;   /* STVP_ACCEL_ERR_* */
    uint32_t err_desc;   /* index of the failing descriptor */
    uint32_t err_field;  /* STVP_ACCEL_FIELD_* (byte offset in the descriptor) or _NONE */
    uint32_t err_value;  /* the failing field's value */
    uint32_t descs_done; /* descriptors completed by the chain */
} stvp_accel_result_t;

/* Sleeps in WFI until the chain started last has ended, fills *r (may be NULL) and returns
   ERR_CODE (STVP_ACCEL_ERR_NONE on success). Enables mstatus.MIE while asleep and restores
   it before returning. Returns at once if no chain was started. */
uint32_t stvp_accel_wait(stvp_accel_result_t *r);

/* The same, polling STATUS until BUSY = 0 (no interrupt needed; acknowledges INT_STATUS). */
uint32_t stvp_accel_wait_poll(stvp_accel_result_t *r);

/* stvp_accel_start() then stvp_accel_wait(); STVP_ACCEL_BUSY if the start was refused. */
int stvp_accel_run(const stvp_accel_desc *descs, unsigned count, stvp_accel_result_t *r);

/* Interrupts seen by the handler since init: chain ends (DONE or ERROR) and DESC events (a
   sticky bit: two descriptors completing before the handler runs count once). */
unsigned stvp_accel_irq_count(void);
unsigned stvp_accel_error_irq_count(void);
unsigned stvp_accel_desc_irq_count(void);
/* Acknowledgements of INT_STATUS.NONFINITE (an op wrote a NaN/Inf) by the driver's handler or
   polling wait: the driver clears every cause it sees, so this is how to learn that the bit
   was set. Counts chains' acknowledgements, not values (see stvp_accel_read_health). */
unsigned stvp_accel_nonfinite_count(void);

/* CMD_REJECTED: writes to CTRL/DESC_BASE/DESC_COUNT the device ignored while busy. */
uint32_t stvp_accel_cmd_rejected(void);

/* ---- performance counters ---- */

typedef struct stvp_accel_counters {
    uint64_t cycles;       /* accelerator cycles (clock: info.clock_khz) */
    uint64_t macs;         /* MACs performed */
    uint64_t macs_skipped; /* MACs gated (zero operands, padding) */
    uint64_t dram_bytes;   /* DRAM bytes read + written by ops */
    uint64_t gb_bytes;     /* global buffer / scratchpad bytes */
    uint64_t energy_pj;    /* energy, pJ */
    uint32_t ops_done;     /* descriptors completed since reset */
} stvp_accel_counters_t;

/* Reads every counter (each 64-bit pair _LO first: the _LO read latches the counter). */
void stvp_accel_read_counters(stvp_accel_counters_t *c);

/* The sparse-mode counters (CAPS.SPARSE). */
typedef struct stvp_accel_sparse_counters {
    uint64_t pruned;      /* gradients zeroed by GRAD_PRUNE (natural zeros excluded) */
    uint64_t meta_bytes;  /* sparse metadata DRAM bytes (also inside dram_bytes) */
    uint32_t tracked;     /* weights tracked by DROPBACK since the last FIRST */
    float quantile_est;   /* the quantile estimator's current estimate */
} stvp_accel_sparse_counters_t;
void stvp_accel_read_sparse_counters(stvp_accel_sparse_counters_t *c);

/* Health counters (accel.def): NaN / Inf values the ops wrote to their fp32 outputs since reset
   or soft reset, and the index in the current/last chain of the first descriptor that wrote
   one (0xFFFFFFFF = none). */
typedef struct stvp_accel_health {
    uint64_t nan;
    uint64_t inf;
    uint32_t first_desc;
} stvp_accel_health_t;
#define STVP_ACCEL_NO_DESC 0xFFFFFFFFu
void stvp_accel_read_health(stvp_accel_health_t *h);

/* *out = *after - *before, field by field. */
void stvp_accel_counters_delta(const stvp_accel_counters_t *before, const stvp_accel_counters_t *after,
                               stvp_accel_counters_t *out);

/* ---- error decoding ---- */

/* "operand address not 4-byte aligned", ... for STVP_ACCEL_ERR_*; "no error" for 0. */
const char *stvp_accel_strerror(uint32_t code);
/* "FC_FWD", ... ; "invalid" for an unknown opcode. */
const char *stvp_accel_op_name(uint32_t opcode);
/* "src1", "stride_h", "reserved1[2]", "none" (STVP_ACCEL_FIELD_NONE), "?" otherwise. */
const char *stvp_accel_field_name(uint32_t field);
/* What an operand field holds for an opcode ("W", "dY", "labels", "W copy", ...), NULL if the
   field is not an operand of that opcode. Names, messages and roles are the rows of
   stvp/hw/accel_ops.def, accel_fields.def and accel_errors.def (the model prints the same). */
const char *stvp_accel_operand_role(uint32_t opcode, uint32_t field);

/* One line into buf (always terminated), for example
   "accel error 10 (operand address not 4-byte aligned) in descriptor 1 (FC_FWD): field src1 (W) = 0x80001232, 1 descriptors done".
   descs (the chain that was run, or NULL) names the failing descriptor's opcode. Returns
   the length snprintf would have written. */
int stvp_accel_format_error(const stvp_accel_result_t *r, const stvp_accel_desc *descs, unsigned count, char *buf,
                            unsigned size);

#endif
