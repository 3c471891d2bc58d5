/* The training step's descriptor chain (train_chain.h). */
#include "train_chain.h"

#include <stddef.h>

#include "stvp/accel.h"

/* A bus address as the builders take it: they store (uint32_t)(uintptr_t) of the pointer, so
   the address comes back unchanged on both sides (nothing here dereferences it). */
#define PTR(a) ((void *)(uintptr_t)(a))
#define FPTR(a) ((float *)(uintptr_t)(a))

static uint32_t rs_of(const train_layer_t *l, int r)
{
    return l->kind == TRAIN_CONV ? (r ? l->r : l->s) : 1u;
}

/* Where a forward / input-gradient op of layer i reads W: the dense master, or (0) a copy set
   by op_format. */
static uint32_t op_weights(const train_chain_t *c, uint32_t i)
{
    return c->use_block || (c->p->mode & TRAIN_MODE_NM) ? 0u : c->bufs->layer[i].w;
}

/* The weight copy of a forward (backward = 0) or input-gradient op, and SKIP_ZEROS under
   SparseTrain (any FC/CONV op: ReLU zeros and pruned gradients). */
static void op_format(const train_chain_t *c, stvp_accel_desc *d, uint32_t i, int backward)
{
    const train_chain_layer_bufs_t *b = &c->bufs->layer[i];
    if (c->use_block)
        stvp_accel_desc_block(d, PTR(b->blocks));
    else if (c->p->mode & TRAIN_MODE_NM)
        stvp_accel_desc_nm(d, PTR(backward ? b->nm_bwd : b->nm_fwd), c->p->nm_n, c->p->nm_m);
    if (c->p->mode & TRAIN_MODE_SPARSETRAIN)
        stvp_accel_desc_skip_zeros(d);
}

static void conv_shape(const train_layer_t *l, uint32_t n, stvp_accel_conv_shape_t *s)
{
    s->n = n, s->c = l->c, s->h = l->h, s->w = l->w, s->k = l->k, s->r = l->r, s->s = l->s;
    s->stride_h = s->stride_w = l->stride;
    s->pad_h = s->pad_w = l->pad;
}

static void pool_shape(const train_layer_t *l, uint32_t n, stvp_accel_pool_shape_t *s)
{
    s->n = n, s->c = l->c, s->h = l->h, s->w = l->w, s->r = l->r, s->s = l->s;
    s->stride_h = s->stride_w = l->stride;
}

/* Forward of layer i on n samples from `in`. */
static void forward_desc(const train_chain_t *c, stvp_accel_desc *d, uint32_t i, uint32_t n, uint32_t in)
{
    const train_layer_t *l = &c->net->layers[i];
    const train_chain_layer_bufs_t *b = &c->bufs->layer[i];
    if (l->kind == TRAIN_FC) {
        stvp_accel_fc_fwd(d, n, l->c, l->k, FPTR(in), FPTR(op_weights(c, i)), FPTR(b->b), FPTR(b->out), (int)l->relu);
        op_format(c, d, i, 0);
    } else if (l->kind == TRAIN_CONV) {
        stvp_accel_conv_shape_t s;
        conv_shape(l, n, &s);
        stvp_accel_conv_fwd(d, &s, FPTR(in), FPTR(op_weights(c, i)), FPTR(b->b), FPTR(b->out), (int)l->relu);
        op_format(c, d, i, 0);
    } else {
        stvp_accel_pool_shape_t s;
        pool_shape(l, n, &s);
        stvp_accel_maxpool_fwd(d, &s, FPTR(in), FPTR(b->out));
    }
    stvp_accel_desc_layer(d, i + 1);
}

static uint32_t layer_input(const train_chain_t *c, uint32_t i)
{
    return i == 0 ? c->bufs->x_batch : c->bufs->layer[i - 1].out;
}

/* Backward of layer i (batch n): SparseTrain's gradient pruning, the weight gradient, then the
   input gradient unless i = 0. */
static unsigned backward_descs(train_chain_t *c, stvp_accel_desc *d, uint32_t i, uint32_t n)
{
    const train_net_t *net = c->net;
    const train_layer_t *l = &net->layers[i];
    const train_chain_layer_bufs_t *b = &c->bufs->layer[i];
    const uint32_t in = layer_input(c, i);
    const uint32_t mask = i > 0 && train_out_relu(net, i - 1) ? in : 0u;
    const uint32_t din = i > 0 ? c->bufs->layer[i - 1].dout : 0u;
    const int skip = (c->p->mode & TRAIN_MODE_SPARSETRAIN) != 0;
    unsigned k = 0;
    if (train_chain_prunes_layer(net, c->p, i))
        stvp_accel_grad_prune(&d[k++], i + 1, n * train_out_size(l), FPTR(b->dout), train_prune_rate(c->p),
                              c->p->seed, PTR(b->prune_result));
    if (l->kind == TRAIN_FC) {
        stvp_accel_fc_bwd_weight(&d[k], n, l->c, l->k, FPTR(b->dout), FPTR(in), FPTR(b->dw), FPTR(b->db));
        if (skip)
            stvp_accel_desc_skip_zeros(&d[k]);
        ++k;
        if (din) {
            stvp_accel_fc_bwd_data(&d[k], n, l->c, l->k, FPTR(b->dout), FPTR(op_weights(c, i)), FPTR(mask),
                                   FPTR(din));
            op_format(c, &d[k++], i, 1);
        }
    } else if (l->kind == TRAIN_CONV) {
        stvp_accel_conv_shape_t s;
        conv_shape(l, n, &s);
        stvp_accel_conv_bwd_weight(&d[k], &s, FPTR(b->dout), FPTR(in), FPTR(b->dw), FPTR(b->db));
        if (skip)
            stvp_accel_desc_skip_zeros(&d[k]);
        ++k;
        if (din) {
            stvp_accel_conv_bwd_data(&d[k], &s, FPTR(b->dout), FPTR(op_weights(c, i)), FPTR(mask), FPTR(din));
            op_format(c, &d[k++], i, 1);
        }
    } else if (din) {
        stvp_accel_pool_shape_t s;
        pool_shape(l, n, &s);
        stvp_accel_maxpool_bwd(&d[k++], &s, FPTR(in), FPTR(b->dout), FPTR(din), mask != 0u);
    }
    for (unsigned j = 0; j < k; ++j)
        stvp_accel_desc_layer(&d[j], i + 1);
    return k;
}

uint32_t train_chain_step_count(const train_net_t *net, const train_params_t *p)
{
    uint32_t k = p->batch + net->layer_count + 1u; /* COPYs, forward, SOFTMAX_XENT */
    for (uint32_t i = 0; i < net->layer_count; ++i) {
        const train_layer_t *l = &net->layers[i];
        k += i > 0; /* input gradient */
        if (!train_has_weights(l))
            continue;
        k += 1u + 2u; /* weight gradient, SGD of W and b */
        k += train_chain_prunes_layer(net, p, i);
        k += (p->mode & (TRAIN_MODE_PROCRUSTES | TRAIN_MODE_NM)) != 0; /* DROPBACK or NM_PREGEN */
    }
    return k;
}

/* Every tensor the step's descriptors name is set (a 0 would reach the device as a bad
   address: a bug of the caller, refused here). */
static int bufs_complete(const train_net_t *net, const train_params_t *p, const train_chain_bufs_t *b)
{
    if (!b->x_batch || !b->y_batch || !b->xent || !b->images)
        return 0;
    /* flip mirrors whole rows of the input image */
    if (p->augment == TRAIN_AUGMENT_FLIP && (!b->image_cols || train_in_size(&net->layers[0]) % b->image_cols))
        return 0;
    for (uint32_t i = 0; i < net->layer_count; ++i) {
        const train_chain_layer_bufs_t *lb = &b->layer[i];
        if (!lb->out || !lb->dout)
            return 0;
        if (!train_has_weights(&net->layers[i]))
            continue;
        if (!lb->w || !lb->b || !lb->dw || !lb->db)
            return 0;
        if ((p->mode & TRAIN_MODE_PROCRUSTES) && (!lb->blocks || !lb->dropback_result))
            return 0;
        if ((p->mode & TRAIN_MODE_NM) && (!lb->nm_fwd || !lb->nm_bwd))
            return 0;
        if (train_chain_prunes_layer(net, p, i) && !lb->prune_result)
            return 0;
    }
    return 1;
}

uint32_t train_chain_step(train_chain_t *c, stvp_accel_desc *d, uint32_t cap, const train_net_t *net,
                          const train_params_t *p, const train_chain_bufs_t *bufs, int use_block)
{
    if (*train_params_check(p) || net->layer_count == 0 || net->layer_count > TRAIN_MAX_LAYERS ||
        train_chain_step_count(net, p) > cap || !bufs_complete(net, p, bufs))
        return 0;
    c->net = net;
    c->p = p;
    c->bufs = bufs;
    c->use_block = use_block && (p->mode & TRAIN_MODE_PROCRUSTES);
    const uint32_t B = p->batch, in_size = train_in_size(&net->layers[0]);
    const uint32_t L = net->layer_count;
    unsigned k = 0;
    c->copy_first = 0;
    for (uint32_t j = 0; j < B; ++j) {
        stvp_accel_copy(&d[k], PTR(bufs->x_batch + j * in_size * 4u), PTR(bufs->images), in_size * 4u);
        stvp_accel_desc_layer(&d[k++], 0);
    }
    c->copy_count = k;
    for (uint32_t i = 0; i < L; ++i)
        forward_desc(c, &d[k++], i, B, layer_input(c, i));
    stvp_accel_softmax_xent(&d[k], B, net->layers[L - 1].k, FPTR(bufs->layer[L - 1].out), PTR(bufs->y_batch),
                            FPTR(bufs->layer[L - 1].dout), PTR(bufs->xent));
    stvp_accel_desc_layer(&d[k++], L);
    for (uint32_t i = 0; i < TRAIN_MAX_LAYERS; ++i)
        c->prune_at[i] = TRAIN_CHAIN_NONE;
    for (uint32_t i = L; i-- > 0;) {
        if (train_chain_prunes_layer(net, p, i))
            c->prune_at[i] = k;
        k += backward_descs(c, &d[k], i, B);
    }
    c->sgd_first = k;
    for (uint32_t i = 0; i < L; ++i) {
        const train_layer_t *l = &net->layers[i];
        const train_chain_layer_bufs_t *b = &bufs->layer[i];
        if (!train_has_weights(l))
            continue;
        stvp_accel_sgd(&d[k], train_weight_count(l), FPTR(b->w), FPTR(b->dw), 0.0f, p->weight_decay);
        stvp_accel_desc_layer(&d[k++], i + 1);
        stvp_accel_sgd(&d[k], l->k, FPTR(b->b), FPTR(b->db), 0.0f, 0.0f);
        stvp_accel_desc_layer(&d[k++], i + 1);
    }
    c->sgd_count = k - c->sgd_first;
    c->dropback_first = k;
    if (p->mode & TRAIN_MODE_PROCRUSTES) {
        const float f = train_keep_fraction(p);
        int first = 1;
        for (uint32_t i = 0; i < L; ++i) {
            const train_layer_t *l = &net->layers[i];
            const train_chain_layer_bufs_t *b = &bufs->layer[i];
            if (!train_has_weights(l))
                continue;
            stvp_accel_dropback(&d[k++], train_init_layer_id(i), l->k, l->c, rs_of(l, 1), rs_of(l, 0), p->seed, 1.0f,
                                f, first, 0, FPTR(b->w), PTR(b->blocks), PTR(b->dropback_result));
            first = 0;
        }
    }
    c->dropback_count = k - c->dropback_first;
    c->nm_first = k;
    if (p->mode & TRAIN_MODE_NM) {
        for (uint32_t i = 0; i < L; ++i) {
            const train_layer_t *l = &net->layers[i];
            const train_chain_layer_bufs_t *b = &bufs->layer[i];
            if (!train_has_weights(l))
                continue;
            stvp_accel_nm_pregen(&d[k], i + 1, l->k, l->c, rs_of(l, 1), rs_of(l, 0), p->nm_n, p->nm_m, FPTR(b->w),
                                 PTR(b->nm_fwd), PTR(b->nm_bwd));
            if (p->nm_bwd_from_fwd)
                stvp_accel_nm_bwd_from_fwd(&d[k]);
            ++k;
        }
    }
    c->nm_count = k - c->nm_first;
    c->len = k;
    return k;
}

uint32_t train_chain_eval_batch(const train_chain_t *c, stvp_accel_desc *d, uint32_t cap, uint32_t n, uint32_t in,
                                uint32_t labels, uint32_t xent)
{
    const uint32_t L = c->net->layer_count;
    if (cap < L + 1u)
        return 0;
    for (uint32_t i = 0; i < L; ++i)
        forward_desc(c, &d[i], i, n, i == 0 ? in : c->bufs->layer[i - 1].out);
    stvp_accel_softmax_xent(&d[L], n, c->net->layers[L - 1].k, FPTR(c->bufs->layer[L - 1].out), PTR(labels),
                            FPTR(c->bufs->layer[L - 1].dout), PTR(xent));
    stvp_accel_desc_layer(&d[L], L);
    return L + 1u;
}

uint32_t train_chain_init_weights(stvp_accel_desc *d, uint32_t cap, const train_net_t *net, const train_params_t *p,
                                  const train_chain_bufs_t *bufs)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < net->layer_count; ++i) {
        const train_layer_t *l = &net->layers[i];
        if (!train_has_weights(l))
            continue;
        if (k == cap)
            return 0;
        stvp_accel_init_weights(&d[k++], train_init_layer_id(i), l->k, l->c, rs_of(l, 1), rs_of(l, 0), p->seed,
                                FPTR(bufs->layer[i].w));
    }
    return k;
}
