/* The accelerator's descriptor builders (stvp/accel.h): plain C that touches no device, so the
   host's chain builder (sw/lib/chain) compiles the same file and builds the same descriptors.
   An address is the bus address the pointer names (a 32-bit pointer on the VP's CPU; on the
   host the chain builder passes device addresses cast to pointers). */
#include "stvp/accel.h"

#include <stdint.h>
#include <string.h>

#define ADDR(p) ((uint32_t)(uintptr_t)(p))

/* ---- builders ---- */

static void begin(stvp_accel_desc *d, uint32_t opcode)
{
    memset(d, 0, sizeof *d);
    d->opcode = opcode;
    d->format = STVP_ACCEL_FORMAT_DENSE;
}

static void conv_shape(stvp_accel_desc *d, const stvp_accel_conv_shape_t *s)
{
    d->n = s->n;
    d->c = s->c;
    d->h = s->h;
    d->w = s->w;
    d->k = s->k;
    d->r = s->r;
    d->s = s->s;
    d->stride_h = s->stride_h;
    d->stride_w = s->stride_w;
    d->pad_h = s->pad_h;
    d->pad_w = s->pad_w;
}

static void pool_shape(stvp_accel_desc *d, const stvp_accel_pool_shape_t *s)
{
    d->n = s->n;
    d->c = s->c;
    d->h = s->h;
    d->w = s->w;
    d->r = s->r;
    d->s = s->s;
    d->stride_h = s->stride_h;
    d->stride_w = s->stride_w;
}

/* The forward ops: src2 = bias only with FLAG_BIAS (an unused field must be 0). */
static void fwd_operands(stvp_accel_desc *d, const float *x, const float *w, const float *bias, float *y, int relu)
{
    d->src0 = ADDR(x);
    d->src1 = ADDR(w);
    d->dst0 = ADDR(y);
    if (bias) {
        d->flags |= STVP_ACCEL_FLAG_BIAS;
        d->src2 = ADDR(bias);
    }
    if (relu)
        d->flags |= STVP_ACCEL_FLAG_RELU;
}

static void bwd_data_operands(stvp_accel_desc *d, const float *dy, const float *w, const float *mask, float *dx)
{
    d->src0 = ADDR(dy);
    d->src1 = ADDR(w);
    d->dst0 = ADDR(dx);
    if (mask) {
        d->flags |= STVP_ACCEL_FLAG_RELU_MASK;
        d->src2 = ADDR(mask);
    }
}

static void bwd_weight_operands(stvp_accel_desc *d, const float *dy, const float *x, float *dw, float *db)
{
    d->src0 = ADDR(dy);
    d->src1 = ADDR(x);
    d->dst0 = ADDR(dw);
    if (db) {
        d->flags |= STVP_ACCEL_FLAG_BIAS;
        d->dst1 = ADDR(db);
    }
}

void stvp_accel_fc_fwd(stvp_accel_desc *d, uint32_t n, uint32_t c, uint32_t k, const float *x, const float *w,
                       const float *bias, float *y, int relu)
{
    begin(d, STVP_ACCEL_OP_FC_FWD);
    d->n = n;
    d->c = c;
    d->k = k;
    fwd_operands(d, x, w, bias, y, relu);
}

void stvp_accel_fc_bwd_data(stvp_accel_desc *d, uint32_t n, uint32_t c, uint32_t k, const float *dy,
                            const float *w, const float *relu_mask_x, float *dx)
{
    begin(d, STVP_ACCEL_OP_FC_BWD_DATA);
    d->n = n;
    d->c = c;
    d->k = k;
    bwd_data_operands(d, dy, w, relu_mask_x, dx);
}

void stvp_accel_fc_bwd_weight(stvp_accel_desc *d, uint32_t n, uint32_t c, uint32_t k, const float *dy,
                              const float *x, float *dw, float *db)
{
    begin(d, STVP_ACCEL_OP_FC_BWD_WEIGHT);
    d->n = n;
    d->c = c;
    d->k = k;
    bwd_weight_operands(d, dy, x, dw, db);
}

void stvp_accel_conv_fwd(stvp_accel_desc *d, const stvp_accel_conv_shape_t *s, const float *x, const float *w,
                         const float *bias, float *y, int relu)
{
    begin(d, STVP_ACCEL_OP_CONV_FWD);
    conv_shape(d, s);
    fwd_operands(d, x, w, bias, y, relu);
}

void stvp_accel_conv_bwd_data(stvp_accel_desc *d, const stvp_accel_conv_shape_t *s, const float *dy,
                              const float *w, const float *relu_mask_x, float *dx)
{
    begin(d, STVP_ACCEL_OP_CONV_BWD_DATA);
    conv_shape(d, s);
    bwd_data_operands(d, dy, w, relu_mask_x, dx);
}

void stvp_accel_conv_bwd_weight(stvp_accel_desc *d, const stvp_accel_conv_shape_t *s, const float *dy,
                                const float *x, float *dw, float *db)
{
    begin(d, STVP_ACCEL_OP_CONV_BWD_WEIGHT);
    conv_shape(d, s);
    bwd_weight_operands(d, dy, x, dw, db);
}

void stvp_accel_maxpool_fwd(stvp_accel_desc *d, const stvp_accel_pool_shape_t *s, const float *x, float *y)
{
    begin(d, STVP_ACCEL_OP_MAXPOOL_FWD);
    pool_shape(d, s);
    d->src0 = ADDR(x);
    d->dst0 = ADDR(y);
}

void stvp_accel_maxpool_bwd(stvp_accel_desc *d, const stvp_accel_pool_shape_t *s, const float *x,
                            const float *dy, float *dx, int relu_mask)
{
    begin(d, STVP_ACCEL_OP_MAXPOOL_BWD);
    pool_shape(d, s);
    d->src0 = ADDR(x);
    d->src1 = ADDR(dy);
    d->dst0 = ADDR(dx);
    if (relu_mask)
        d->flags |= STVP_ACCEL_FLAG_RELU_MASK;
}

void stvp_accel_softmax_xent(stvp_accel_desc *d, uint32_t n, uint32_t classes, const float *logits,
                             const int32_t *labels, float *dlogits, stvp_accel_xent_result *result)
{
    begin(d, STVP_ACCEL_OP_SOFTMAX_XENT);
    d->n = n;
    d->k = classes;
    d->src0 = ADDR(logits);
    d->src1 = ADDR(labels);
    d->dst0 = ADDR(dlogits);
    d->dst1 = ADDR(result);
}

void stvp_accel_sgd(stvp_accel_desc *d, uint32_t count, float *w, const float *g, float lr, float weight_decay)
{
    begin(d, STVP_ACCEL_OP_SGD);
    d->n = count;
    d->src0 = ADDR(g);
    d->dst0 = ADDR(w);
    d->alpha = lr;
    d->beta = weight_decay;
}

void stvp_accel_copy(stvp_accel_desc *d, void *dst, const void *src, uint32_t bytes)
{
    begin(d, STVP_ACCEL_OP_COPY);
    d->n = bytes;
    d->src0 = ADDR(src);
    d->dst0 = ADDR(dst);
}

/* ---- sparse modes ---- */

static void weight_shape(stvp_accel_desc *d, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s)
{
    d->layer = layer;
    d->k = k;
    d->c = c;
    d->r = r;
    d->s = s;
}

void stvp_accel_init_weights(stvp_accel_desc *d, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s,
                             uint64_t seed, float *w)
{
    begin(d, STVP_ACCEL_OP_INIT_WEIGHTS);
    weight_shape(d, layer, k, c, r, s);
    d->dst0 = ADDR(w);
    d->param0 = (uint32_t)seed;
    d->param1 = (uint32_t)(seed >> 32);
}

void stvp_accel_dropback(stvp_accel_desc *d, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s,
                         uint64_t seed, float decay, float tracked_fraction, int first, int topk, float *w,
                         void *blocks, stvp_accel_dropback_result *result)
{
    begin(d, STVP_ACCEL_OP_DROPBACK);
    weight_shape(d, layer, k, c, r, s);
    d->dst0 = ADDR(w);
    d->meta0 = ADDR(blocks);
    d->alpha = decay;
    d->beta = tracked_fraction;
    d->param0 = (uint32_t)seed;
    d->param1 = (uint32_t)(seed >> 32);
    if (first)
        d->flags |= STVP_ACCEL_FLAG_FIRST;
    if (topk)
        d->flags |= STVP_ACCEL_FLAG_TOPK;
    if (result) {
        d->flags |= STVP_ACCEL_FLAG_RESULT;
        d->dst1 = ADDR(result);
    }
}

void stvp_accel_nm_pregen(stvp_accel_desc *d, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s,
                          uint32_t n, uint32_t m, const float *w, void *fwd_copy, void *bwd_copy)
{
    begin(d, STVP_ACCEL_OP_NM_PREGEN);
    weight_shape(d, layer, k, c, r, s);
    d->src0 = ADDR(w);
    d->meta0 = ADDR(fwd_copy);
    d->meta1 = ADDR(bwd_copy);
    d->param0 = n;
    d->param1 = m;
}

void stvp_accel_grad_prune(stvp_accel_desc *d, uint32_t layer, uint32_t count, float *g, float p, uint32_t seed,
                           stvp_accel_prune_result *result)
{
    begin(d, STVP_ACCEL_OP_GRAD_PRUNE);
    d->layer = layer;
    d->n = count;
    d->dst0 = ADDR(g);
    d->alpha = p;
    d->param0 = seed;
    if (result) {
        d->flags |= STVP_ACCEL_FLAG_RESULT;
        d->dst1 = ADDR(result);
    }
}

void stvp_accel_desc_block(stvp_accel_desc *d, const void *blocks)
{
    d->format = STVP_ACCEL_FORMAT_BLOCK;
    d->src1 = 0;
    d->meta0 = ADDR(blocks);
}

void stvp_accel_desc_nm(stvp_accel_desc *d, const void *copy, uint32_t n, uint32_t m)
{
    d->format = STVP_ACCEL_FORMAT_NM;
    d->src1 = 0;
    d->meta0 = ADDR(copy);
    d->param0 = n;
    d->param1 = m;
}
