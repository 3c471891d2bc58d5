/*
 * The training step as a descriptor chain: one builder, in portable C, shared by train.elf
 * (sw/train, on the VP's CPU) and the host programs (tests/unit/chain, the reference trainer
 * stvp_reftrain on the engine, the explorer stvp_explore). Given a network table and the run parameters
 * (sw/train/train_defs.h) and the bus addresses of the step's tensors, it writes the chain
 * train.elf hands the accelerator:
 *
 *   B x COPY (batch gather; sources patched per step)
 *   forward of every layer (FC/CONV with bias and fused ReLU, max pooling)
 *   SOFTMAX_XENT (loss, correct count, dlogits)
 *   backward of every layer, last to first: [GRAD_PRUNE] weight gradient, input gradient
 *   SGD of every weight and bias tensor (learning rate patched per epoch)
 *   Procrustes: DROPBACK of every weight layer (decay patched per step)
 *   N:M: NM_PREGEN of every weight layer
 *
 * and records where the patched descriptors are (train_chain_t). The per-step patches are
 * static inline below: they run on the CPU between two chains, on the VP's hot path.
 *
 * Addresses are 32-bit bus addresses. On the VP they are the firmware's pointers; a host
 * program chooses them (e.g. offsets into one host buffer that stands for device memory).
 * The descriptors are filled by the driver's builders (firmware/drivers/accel_build.c,
 * compiled into both sides), so a field is never written here by hand.
 */
#ifndef STVP_TRAIN_CHAIN_H
#define STVP_TRAIN_CHAIN_H

#include <stdint.h>

#include "stvp/accel.h"
#include "stvp/hw/accel_desc.h"
#include "train_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bus addresses of one layer's tensors. Pooling layers have no w, b, dw, db. */
typedef struct train_chain_layer_bufs {
    uint32_t w, b, dw, db;     /* master weights W[K][C][R][S], bias, their gradients */
    uint32_t out, dout;        /* output [n][out_size] and its gradient (n <= max(batch, eval batch)) */
    uint32_t blocks;           /* Procrustes: the block copy (STVP_ACCEL_BLOCK_BYTES) */
    uint32_t dropback_result;  /* Procrustes: stvp_accel_dropback_result */
    uint32_t nm_fwd, nm_bwd;   /* N:M: forward / backward copies (STVP_ACCEL_NM_BYTES) */
    uint32_t prune_result;     /* SparseTrain: stvp_accel_prune_result */
} train_chain_layer_bufs_t;

/* Bus addresses of the step's other tensors. */
typedef struct train_chain_bufs {
    uint32_t x_batch;  /* gathered inputs [batch][in_size] */
    uint32_t y_batch;  /* gathered labels int32[batch] */
    uint32_t xent;     /* the step's stvp_accel_xent_result */
    uint32_t images;   /* training images: every COPY's source until the first patch */
    uint32_t image_cols; /* words per image row (the data set's columns): workload.augment = flip mirrors rows of it */
    train_chain_layer_bufs_t layer[TRAIN_MAX_LAYERS];
} train_chain_bufs_t;

#define TRAIN_CHAIN_NONE 0xFFFFFFFFu
/* Longest step chain: the batch's COPYs, then per weight layer at most forward, GRAD_PRUNE,
   weight gradient, input gradient, two SGDs and a DROPBACK or NM_PREGEN, plus SOFTMAX_XENT. */
#define TRAIN_CHAIN_STEP_MAX (TRAIN_MAX_BATCH + 7u * TRAIN_MAX_LAYERS + 1u)

/* A built step chain: what it was built for and where its patched descriptors are. */
typedef struct train_chain {
    const train_net_t *net;
    const train_params_t *p;
    const train_chain_bufs_t *bufs;
    int use_block;  /* Procrustes: forward and input-gradient ops read the block copies */
    uint32_t len;                               /* descriptors of the step */
    uint32_t copy_first, copy_count;            /* the batch gather (COPY src0 = a sample) */
    uint32_t sgd_first, sgd_count;              /* SGD (alpha = learning rate) */
    uint32_t dropback_first, dropback_count;    /* DROPBACK (alpha = decay d_t) */
    uint32_t nm_first, nm_count;                /* NM_PREGEN (also run alone once after W0) */
    uint32_t prune_at[TRAIN_MAX_LAYERS];        /* layer i's GRAD_PRUNE, or TRAIN_CHAIN_NONE */
} train_chain_t;

/* Whether SparseTrain prunes the output gradient of layer i before its backward ops: every
   weight layer but the last (its output gradient is the logits' one, 10 values per sample
   that every sample needs; SparseTrain prunes activation gradients). */
static inline int train_chain_prunes_layer(const train_net_t *net, const train_params_t *p, uint32_t i)
{
    return (p->mode & TRAIN_MODE_SPARSETRAIN) && train_has_weights(&net->layers[i]) && i + 1 < net->layer_count;
}

/* Descriptors train_chain_step writes for (net, p). */
uint32_t train_chain_step_count(const train_net_t *net, const train_params_t *p);

/* Builds the training step into d[0 .. c->len) and fills c. use_block: Procrustes from the
   second step on (step 0 runs on W0 and nothing is tracked yet). Returns c->len, or 0 (and
   writes nothing) if cap is too small, the parameters fail train_params_check or a tensor
   the chain needs has address 0. Rates, decay and prune seeds are the step-0 values
   (lr 0, d = 1, GRAD_PRUNE seeded with p->seed): patch them before running. */
uint32_t train_chain_step(train_chain_t *c, stvp_accel_desc *d, uint32_t cap, const train_net_t *net,
                          const train_params_t *p, const train_chain_bufs_t *bufs, int use_block);

/* Forward of every layer on n samples from `in`, then SOFTMAX_XENT against `labels` into
   `xent` (an evaluation batch, as the step's ops read the weights). Writes layer_count + 1
   descriptors, or none (returns 0) if cap is too small. */
uint32_t train_chain_eval_batch(const train_chain_t *c, stvp_accel_desc *d, uint32_t cap, uint32_t n, uint32_t in,
                                uint32_t labels, uint32_t xent);

/* INIT_WEIGHTS of every weight layer into its master W (W0 of the run's seed). Returns the
   count, 0 if cap is too small. */
uint32_t train_chain_init_weights(stvp_accel_desc *d, uint32_t cap, const train_net_t *net, const train_params_t *p,
                                  const train_chain_bufs_t *bufs);

/* ---- per-step patches (the CPU's work between two chains) ---- */

static inline void train_chain_set_lr(const train_chain_t *c, stvp_accel_desc *d, float lr)
{
    for (unsigned j = 0; j < c->sgd_count; ++j)
        d[c->sgd_first + j].alpha = lr;
}

static inline void train_chain_set_decay(const train_chain_t *c, stvp_accel_desc *d, float decay)
{
    for (unsigned j = 0; j < c->dropback_count; ++j)
        d[c->dropback_first + j].alpha = decay;
}

/* The batch gather's flips (workload.augment = flip): sample j of the step, the sample at
   `position` of epoch `epoch` (0-based), is mirrored left-right (COPY flag MIRROR, rows of
   bufs->image_cols words) when train_flip says so, else copied as it is. The COPY's source
   (src0) is patched apart: without flip this is never needed. */
static inline void train_chain_set_flip(const train_chain_t *c, stvp_accel_desc *d, uint32_t j, uint32_t epoch,
                                        uint32_t position)
{
    stvp_accel_copy_mirror(&d[c->copy_first + j], train_flip(c->p, epoch, position) ? c->bufs->image_cols : 0u);
}

/* GRAD_PRUNE's seeds of global step t (train_prune_seed). */
static inline void train_chain_set_prune_seeds(const train_chain_t *c, stvp_accel_desc *d, uint32_t t)
{
    for (uint32_t i = 0; i < c->net->layer_count; ++i)
        if (train_chain_prunes_layer(c->net, c->p, i))
            d[c->prune_at[i]].param0 = train_prune_seed(c->p->seed, t, i);
}

#ifdef __cplusplus
}
#endif

#endif
