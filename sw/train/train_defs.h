/*
 * Training definitions shared, as one source, by the firmware runtime (sw/train, C11 on the
 * VP's RV32 CPU) and the host reference trainer (platform/reftrain, C++17): the networks'
 * layer tables, the run parameters read from the workload keys, the integer PRNG, the
 * per-epoch Fisher-Yates shuffle, the batch order and the learning-rate schedule. Everything
 * that decides WHAT is computed lives here; the two sides differ only in who executes the
 * ops (the accelerator through descriptors vs. models/accel/core/ops.h directly).
 *
 * Floating point here is limited to a few IEEE-754 binary32 operations per epoch (the LR
 * schedule), which round identically in the CPU's soft-float and on the host.
 */
#ifndef STVP_TRAIN_DEFS_H
#define STVP_TRAIN_DEFS_H

#include <stdint.h>

#include "stvp/hw/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SIMCTRL PHASE labels of the training program's parts (the VCD's soc.simctrl.phase signal;
   the build's GTKWave filter names them from this table). */
enum train_phase { TRAIN_PHASE_SETUP = 1, TRAIN_PHASE_TRAIN = 2, TRAIN_PHASE_EVAL = 3 };
static const char *const train_phase_names[] = {"none", "setup", "training", "evaluation"};
#define TRAIN_PHASE_COUNT 4u

/* ---- networks ---- */

enum train_layer_kind { TRAIN_FC = 1, TRAIN_CONV = 2, TRAIN_POOL = 3 };

/* One layer. FC: c -> k. CONV: input c x h x w, k output channels, r x s kernel, stride,
   pad. POOL (max): input c x h x w, r x s window, stride, no padding. relu: fused ReLU on the
   output (FC/CONV only). Weights of FC: W[k][c]; CONV: W[k][c][r][s]; both with a bias b[k]. */
typedef struct train_layer {
    uint32_t kind;
    uint32_t c, h, w, k, r, s, stride, pad;
    uint32_t relu;
} train_layer_t;

#define TRAIN_MAX_LAYERS 8

typedef struct train_net {
    const char *name;
    uint32_t layer_count;
    train_layer_t layers[TRAIN_MAX_LAYERS];
} train_net_t;

#define TRAIN_NET_LENET300 0u /* LeNet-300-100: 784-300-100-10 (LeCun et al. 1998) */
#define TRAIN_NET_LENET5   1u /* LeNet-5 style CNN: conv5x5(6, pad 2)-pool-conv5x5(16)-pool-120-84-10 */
#define TRAIN_NET_VGG5     2u /* VGG-style CNN: conv3x3(16)-pool-conv3x3(32)-pool-conv3x3(64)-pool-128-10, pad 1 */
#define TRAIN_NET_VGG5P2   3u /* vgg5 without its third pooling: ...-conv3x3(64)-3136-128-10 */
#define TRAIN_NET_COUNT    4u

/* vgg5: VGG-style stages (3x3, pad 1, ReLU; 2x2 max pooling) of 16, 32 and 64 channels, sized so
   that a dense VP epoch stays within a minute of host CPU: 1.99 M forward MACs per sample
   (LeNet-5: 0.42 M; configs/results/cnn_vgg5.md has the measured host time and why the third stage
   is 64 wide, not the first session's 32). The last pooling reads 7x7 and keeps 3x3 (the 7th row
   and column are dropped, as floor pooling does).
   vgg5p2: vgg5 with pooling after the first two stages only, so FC 3136-128 sees all of conv3's
   7x7x64 map (425 872 weights, 2.32 M forward MACs per sample): the 3x3 bottleneck held vgg5's
   dense accuracy below 91.5% and its sparse budgets further below (configs/results/cnn_vgg5.md). */

static const train_net_t train_nets[TRAIN_NET_COUNT] = {
    {"lenet300", 3,
     {{TRAIN_FC, 784, 1, 1, 300, 1, 1, 1, 0, 1},
      {TRAIN_FC, 300, 1, 1, 100, 1, 1, 1, 0, 1},
      {TRAIN_FC, 100, 1, 1, 10, 1, 1, 1, 0, 0}}},
    {"lenet5", 7,
     {{TRAIN_CONV, 1, 28, 28, 6, 5, 5, 1, 2, 1},
      {TRAIN_POOL, 6, 28, 28, 6, 2, 2, 2, 0, 0},
      {TRAIN_CONV, 6, 14, 14, 16, 5, 5, 1, 0, 1},
      {TRAIN_POOL, 16, 10, 10, 16, 2, 2, 2, 0, 0},
      {TRAIN_FC, 400, 1, 1, 120, 1, 1, 1, 0, 1},
      {TRAIN_FC, 120, 1, 1, 84, 1, 1, 1, 0, 1},
      {TRAIN_FC, 84, 1, 1, 10, 1, 1, 1, 0, 0}}},
    {"vgg5", 8,
     {{TRAIN_CONV, 1, 28, 28, 16, 3, 3, 1, 1, 1},
      {TRAIN_POOL, 16, 28, 28, 16, 2, 2, 2, 0, 0},
      {TRAIN_CONV, 16, 14, 14, 32, 3, 3, 1, 1, 1},
      {TRAIN_POOL, 32, 14, 14, 32, 2, 2, 2, 0, 0},
      {TRAIN_CONV, 32, 7, 7, 64, 3, 3, 1, 1, 1},
      {TRAIN_POOL, 64, 7, 7, 64, 2, 2, 2, 0, 0},
      {TRAIN_FC, 576, 1, 1, 128, 1, 1, 1, 0, 1},
      {TRAIN_FC, 128, 1, 1, 10, 1, 1, 1, 0, 0}}},
    {"vgg5p2", 7,
     {{TRAIN_CONV, 1, 28, 28, 16, 3, 3, 1, 1, 1},
      {TRAIN_POOL, 16, 28, 28, 16, 2, 2, 2, 0, 0},
      {TRAIN_CONV, 16, 14, 14, 32, 3, 3, 1, 1, 1},
      {TRAIN_POOL, 32, 14, 14, 32, 2, 2, 2, 0, 0},
      {TRAIN_CONV, 32, 7, 7, 64, 3, 3, 1, 1, 1},
      {TRAIN_FC, 3136, 1, 1, 128, 1, 1, 1, 0, 1},
      {TRAIN_FC, 128, 1, 1, 10, 1, 1, 1, 0, 0}}},
};

/* Output height/width/channels of a layer (FC: k x 1 x 1). */
static inline uint32_t train_out_h(const train_layer_t *l)
{
    if (l->kind == TRAIN_CONV)
        return (l->h + 2 * l->pad - l->r) / l->stride + 1;
    if (l->kind == TRAIN_POOL)
        return (l->h - l->r) / l->stride + 1;
    return 1;
}
static inline uint32_t train_out_w(const train_layer_t *l)
{
    if (l->kind == TRAIN_CONV)
        return (l->w + 2 * l->pad - l->s) / l->stride + 1;
    if (l->kind == TRAIN_POOL)
        return (l->w - l->s) / l->stride + 1;
    return 1;
}
static inline uint32_t train_out_c(const train_layer_t *l)
{
    return l->kind == TRAIN_POOL ? l->c : l->k;
}
/* Elements per sample of the layer's input and output. */
static inline uint32_t train_in_size(const train_layer_t *l)
{
    return l->c * l->h * l->w;
}
static inline uint32_t train_out_size(const train_layer_t *l)
{
    return train_out_c(l) * train_out_h(l) * train_out_w(l);
}
/* Weights (without bias) and fan-in; 0 for a pooling layer. */
static inline uint32_t train_weight_count(const train_layer_t *l)
{
    if (l->kind == TRAIN_FC)
        return l->k * l->c;
    if (l->kind == TRAIN_CONV)
        return l->k * l->c * l->r * l->s;
    return 0;
}
static inline uint32_t train_fan_in(const train_layer_t *l)
{
    return l->kind == TRAIN_FC ? l->c : l->c * l->r * l->s;
}
static inline int train_has_weights(const train_layer_t *l)
{
    return l->kind != TRAIN_POOL;
}
/* Whether a layer's output has passed a ReLU (a pool of ReLU outputs has too): the backward
   pass of the NEXT layer masks its input gradient by this output > 0 (accel_desc.h RELU_MASK). */
static inline int train_out_relu(const train_net_t *n, uint32_t i)
{
    while (n->layers[i].kind == TRAIN_POOL && i > 0)
        --i;
    return n->layers[i].kind != TRAIN_POOL && n->layers[i].relu;
}
static inline uint32_t train_total_weights(const train_net_t *n)
{
    uint32_t t = 0;
    for (uint32_t i = 0; i < n->layer_count; ++i)
        t += train_weight_count(&n->layers[i]);
    return t;
}
/* The InitWeights layer id of layer i (models/accel/sparse/init_weights.h): i + 1. */
static inline uint32_t train_init_layer_id(uint32_t i)
{
    return i + 1;
}

/* The murmur3 32-bit finaliser: mixes seeds (the PRNG's below, the pruning seeds). */
static inline uint32_t train_mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x;
}

/* ---- run parameters: the workload.* keys, SIMCTRL WORKLOAD[i] (stvp/hw/workload.def) ---- */

/* Mode bits (combinable; workload.mode's names by value: stvp/hw/workload.def). */
#define TRAIN_MODE_DENSE       0u
#define TRAIN_MODE_PROCRUSTES  1u /* DropBack/Procrustes: keep only the top-k weights, others d*W0 */
#define TRAIN_MODE_NM          2u /* bidirectional N:M weight sparsity */
#define TRAIN_MODE_SPARSETRAIN 4u /* SparseTrain gradient pruning */

/* Training-image augmentation (workload.augment's names by value). */
#define TRAIN_AUGMENT_NONE 0u
#define TRAIN_AUGMENT_FLIP 1u /* random left-right flips of the training images */

/* The defaults (workload.def) are 2:4 N:M (the BDWP/Ampere pattern), a Procrustes budget of 10%
   (the papers' "about 10x fewer weights", docs/literature.md) and SparseTrain p = 0.9
   (models/accel/sparse/gradient_pruner.h's default). */
typedef struct train_params {
    uint32_t net;          /* workload.network: TRAIN_NET_* */
    uint32_t mode;         /* workload.mode: TRAIN_MODE_* bits */
    uint32_t nm_n, nm_m;   /* workload.nm.n, workload.nm.m: the N:M pattern */
    uint32_t nm_bwd_from_fwd; /* workload.nm.backward: 1 = forward (the backward copy pruned from the forward copy) */
    uint32_t keep_pct;     /* workload.procrustes.budget: weights kept, in % */
    uint32_t prune_pct;    /* workload.sparsetrain.prune_rate: in % */
    uint32_t epochs;       /* workload.epochs */
    uint32_t max_steps;    /* workload.max_steps: steps per epoch, at most (0 = the whole training split) */
    uint32_t seed;         /* workload.seed: shuffle, W0 and pruning seed */
    uint32_t print_every;  /* workload.print_every: progress line every N steps; 1 also prints every loss */
    uint32_t batch;        /* workload.batch */
    float lr;              /* workload.lr: the initial learning rate */
    float weight_decay;    /* workload.weight_decay: L2 on weights (not biases), the SGD op's beta */
    float lr_decay;        /* workload.lr_decay: the learning rate's factor per epoch */
    uint32_t augment;      /* workload.augment: TRAIN_AUGMENT_* */
} train_params_t;

#define TRAIN_MAX_BATCH 128u
#define TRAIN_EVAL_BATCH 100u /* test samples per evaluation batch (the last one may be smaller) */
#define TRAIN_DECAY_FACTOR 0.9f /* Procrustes d_t = 0.9^t (docs/literature.md [code]) */

static inline float train_f32_of_bits(uint32_t bits)
{
    union { uint32_t u; float f; } v = {bits};
    return v.f;
}

/* The parameters from the WORKLOAD registers' contents wl[STVP_WL_*] (the firmware reads
   them from SIMCTRL; the host reference trainer gets them from the same configuration). */
static inline void train_params_from_workload(train_params_t *p, const uint32_t *wl)
{
    p->net = wl[STVP_WL_NETWORK];
    p->mode = wl[STVP_WL_MODE];
    p->nm_n = wl[STVP_WL_NM_N];
    p->nm_m = wl[STVP_WL_NM_M];
    p->nm_bwd_from_fwd = wl[STVP_WL_NM_BACKWARD];
    p->keep_pct = wl[STVP_WL_PROCRUSTES_BUDGET];
    p->prune_pct = wl[STVP_WL_PRUNE_RATE];
    p->epochs = wl[STVP_WL_EPOCHS];
    p->max_steps = wl[STVP_WL_MAX_STEPS];
    p->seed = wl[STVP_WL_SEED];
    p->print_every = wl[STVP_WL_PRINT_EVERY];
    p->batch = wl[STVP_WL_BATCH];
    p->lr = train_f32_of_bits(wl[STVP_WL_LR]);
    p->weight_decay = train_f32_of_bits(wl[STVP_WL_WEIGHT_DECAY]);
    p->lr_decay = train_f32_of_bits(wl[STVP_WL_LR_DECAY]);
    p->augment = wl[STVP_WL_AUGMENT];
}

/* "" if usable, else why not (the platform checks the keys already; this guards against
   registers another platform left at nonsense). */
static inline const char *train_params_check(const train_params_t *p)
{
    if (p->net >= TRAIN_NET_COUNT)
        return "workload.network must be lenet300, lenet5, vgg5 or vgg5p2";
    if (p->mode > 7u)
        return "workload.mode has unknown bits (1 Procrustes, 2 N:M, 4 SparseTrain)";
    if ((p->mode & TRAIN_MODE_PROCRUSTES) && (p->mode & TRAIN_MODE_NM))
        return "workload.mode: Procrustes and N:M both choose the kept weights; combine either with SparseTrain";
    if (p->keep_pct < 1u || p->keep_pct > 99u)
        return "workload.procrustes.budget must be 0.01..0.99 of the weights";
    if (p->nm_m < 2u || p->nm_m > 255u || p->nm_n < 1u || p->nm_n >= p->nm_m)
        return "workload.nm: N:M needs 2 <= M <= 255 and 1 <= N < M";
    if (p->nm_bwd_from_fwd > 1u)
        return "workload.nm.backward must be master or forward";
    if (p->prune_pct < 1u || p->prune_pct > 99u)
        return "workload.sparsetrain.prune_rate must be 0.01..0.99";
    if (p->epochs < 1u || p->seed < 1u || p->print_every < 1u)
        return "workload.epochs, workload.seed and workload.print_every must be at least 1";
    if (p->batch < 1u || p->batch > TRAIN_MAX_BATCH)
        return "workload.batch must be 1..128";
    if (!(p->lr > 0.0f && p->lr <= 10.0f))
        return "workload.lr must be in (0, 10]";
    if (!(p->weight_decay >= 0.0f && p->weight_decay < 1.0f))
        return "workload.weight_decay must be in [0, 1)";
    if (!(p->lr_decay > 0.0f && p->lr_decay <= 1.0f))
        return "workload.lr_decay must be in (0, 1]";
    if (p->augment > TRAIN_AUGMENT_FLIP)
        return "workload.augment must be none or flip";
    return "";
}

/* The SparseTrain prune rate p as the GRAD_PRUNE descriptor carries it (binary32). */
static inline float train_prune_rate(const train_params_t *p)
{
    return (float)p->prune_pct / 100.0f;
}

/* The Procrustes budget as the DROPBACK descriptor carries it: the fraction f of the weights
   to track (binary32; q = 1 - f is the estimator's target quantile). 10% gives 0.1f, the value
   of the former fixed 1/10. */
static inline float train_keep_fraction(const train_params_t *p)
{
    return (float)p->keep_pct / 100.0f;
}

/* GRAD_PRUNE's seed for layer i at global step t (the pruner's lanes restart at every op, so
   each op gets its own seed). */
static inline uint32_t train_prune_seed(uint32_t seed, uint32_t step, uint32_t layer)
{
    uint32_t s = train_mix32(seed * 0x9E3779B9u ^ train_mix32(step * 16u + layer + 1u));
    return s ? s : 1u;
}

/* workload.augment = flip: whether the training sample at `position` of epoch `epoch` (0-based;
   step t's sample j is position t*batch + j) is mirrored left-right. Probability 1/2, from the
   top bit of a hash of (seed, epoch, position): no state, so any step can be redone alone, and a
   stream apart from the shuffle's (its own constant). Always 0 without flip. */
static inline int train_flip(const train_params_t *p, uint32_t epoch, uint32_t position)
{
    if (p->augment != TRAIN_AUGMENT_FLIP)
        return 0;
    return (int)(train_mix32(train_mix32(p->seed ^ 0x464C4950u) ^ train_mix32(epoch * 0x9E3779B9u + position)) >> 31);
}

/* Weights the forward op uses under N:M: per (k, r, s) line, ceil(c/M) groups keeping N
   (a last shorter group keeps min(N, its length)). */
static inline uint32_t train_nm_kept(const train_layer_t *l, uint32_t n, uint32_t m)
{
    if (!train_has_weights(l))
        return 0;
    uint32_t rs = l->kind == TRAIN_CONV ? l->r * l->s : 1u;
    uint32_t full = l->c / m, rem = l->c % m;
    return l->k * rs * (full * n + (rem < n ? rem : n));
}

/* Steps of one epoch: whole batches only (the remainder of the shuffled split is dropped). */
static inline uint32_t train_steps_per_epoch(const train_params_t *p, uint32_t train_count)
{
    uint32_t s = train_count / p->batch;
    return p->max_steps && p->max_steps < s ? p->max_steps : s;
}

/* Learning rate of epoch e (0-based): lr0 * lr_decay^e, one binary32 multiply per epoch (the
   default 0.8 is the former fixed factor 0.8f, bit for bit). */
static inline float train_lr(const train_params_t *p, uint32_t epoch)
{
    float lr = p->lr;
    for (uint32_t e = 0; e < epoch; ++e)
        lr *= p->lr_decay;
    return lr;
}

/* ---- PRNG and shuffle ---- */

/* xorshift32 (Marsaglia 2003) seeded through train_mix32 (never 0). 32-bit integer math
   only: cheap on RV32. */
static inline uint32_t train_rng_seed(uint32_t seed, uint32_t stream)
{
    uint32_t s = train_mix32(train_mix32(seed) ^ (stream * 0x9E3779B9u + 0x7F4A7C15u));
    return s ? s : 0x6C078965u;
}
static inline uint32_t train_rng_next(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* The sample order of epoch e: the identity permutation shuffled by Fisher-Yates (Durstenfeld)
   with the stream (seed, e). j = rand % (i + 1): the modulo bias (< 60000 / 2^32) is
   irrelevant here and keeps it one division. Step t of the epoch trains on
   order[t*batch .. t*batch + batch - 1]. */
static inline void train_epoch_order(uint32_t *order, uint32_t count, uint32_t seed, uint32_t epoch)
{
    uint32_t st = train_rng_seed(seed, epoch);
    for (uint32_t i = 0; i < count; ++i)
        order[i] = i;
    for (uint32_t i = count - 1; i > 0; --i) {
        uint32_t j = train_rng_next(&st) % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

#ifdef __cplusplus
}
#endif

#endif
