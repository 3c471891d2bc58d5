/*
 * train: trains a network (sw/train/train_defs.h) on the Fashion-MNIST data set the platform
 * preloads (stvp/hw/dataset.h), on the accelerator, and evaluates it on the test split after
 * every epoch. Run parameters come from the platform's workload.* keys in SIMCTRL WORKLOAD[i]
 * (stvp/hw/workload.def; train_defs.h, train_params_t).
 *
 * Work split: the CPU (no FPU) does integer work only on the hot path: the per-epoch shuffle
 * (train_epoch_order), the batch's labels (int32 loads/stores) and patching descriptor
 * addresses. Every float operation runs on the accelerator: a training step is ONE
 * descriptor chain (batch gather by COPY, forward, softmax cross-entropy, backward, SGD), an
 * evaluation a few chains of forward + softmax cross-entropy over the test split read in
 * place. The CPU prints a few floats per progress line (soft-float printf).
 *
 * Output: progress lines "epoch 1 step 200/937 loss 0.5123 acc 81.2%" (loss: mean over the
 * steps since the last line; acc: running over the epoch), one evaluation line per epoch,
 * with workload.print_every = 1 a "trace step <global step> loss <%.7f> <hex bits>" line per step (what the
 * reference-trainer comparison reads), and a summary block. Exit 0 on success, 1 if the
 * accelerator or the data set is missing or a chain fails, 2 for a bad workload.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stvp/accel.h"
#include "stvp/bsp.h"
#include "stvp/hw/dataset.h"
#include "train_defs.h"

/* ---- static memory: a bump arena in .bss for every tensor ---- */

#define ARENA_BYTES (40u << 20)
static uint8_t arena[ARENA_BYTES] __attribute__((aligned(64)));
static uint32_t arena_used;

static void *alloc(uint32_t bytes)
{
    uint32_t at = (arena_used + 63u) & ~63u;
    if (at + bytes > ARENA_BYTES) {
        printf("train: out of tensor memory (%lu bytes needed beyond %lu)\n", (unsigned long)bytes,
               (unsigned long)at);
        exit(1);
    }
    arena_used = at + bytes;
    return arena + at;
}

/* The training step's chain (built once, patched per step) and the evaluation's. */
#define STEP_CHAIN_MAX (TRAIN_MAX_BATCH + 6u * TRAIN_MAX_LAYERS + 8u)
#define EVAL_CHAIN_MAX 4096u
static stvp_accel_desc chain[STEP_CHAIN_MAX];
static stvp_accel_desc eval_chain[EVAL_CHAIN_MAX];

/* ---- the network's tensors ---- */

typedef struct layer_buf {
    float *w, *b, *dw, *db; /* NULL for pooling */
    float *out, *dout;      /* output and its gradient: [batch][out_size] */
} layer_buf_t;

static const train_net_t *net;
static layer_buf_t lb[TRAIN_MAX_LAYERS];
static float *x_batch;     /* gathered inputs [batch][in_size] */
static int32_t *y_batch;   /* gathered labels [batch] */
static stvp_accel_xent_result xent_train;
static stvp_accel_xent_result *xent_eval; /* one per evaluation batch */
static uint32_t *order;
static const stvp_dataset_header_t *ds;
static train_params_t P;

/* Procrustes: per weight layer, the block copy DROPBACK writes and the forward and
   input-gradient ops read once use_block is set (from the second step on: at step 0 every
   weight is W0 and nothing is tracked yet), and its result. */
static int use_block;
static void *blocks[TRAIN_MAX_LAYERS];
static stvp_accel_dropback_result db_res[TRAIN_MAX_LAYERS];

/* N:M: per weight layer, the forward and backward copies NM_PREGEN writes after every update
   (and once after W0); the forward and input-gradient ops read them from the first step on. */
static void *nm_fwd[TRAIN_MAX_LAYERS], *nm_bwd[TRAIN_MAX_LAYERS];

/* SparseTrain: GRAD_PRUNE's result per layer (the output gradients of the weight layers below
   the last; the logits' gradient is not pruned) and the zeros it left, summed over the run. */
static stvp_accel_prune_result prune_res[TRAIN_MAX_LAYERS];
static uint64_t grad_elements, grad_zeros_before, grad_zeros_after;

/* Where a forward / input-gradient op of layer i reads W: the dense master, or (NULL) a copy
   set by op_format. */
static const float *op_weights(uint32_t i)
{
    return use_block || (P.mode & TRAIN_MODE_NM) ? NULL : lb[i].w;
}
/* The weight copy of a forward (backward = 0) or input-gradient op, and SKIP_ZEROS under
   SparseTrain (any FC/CONV op: ReLU zeros and pruned gradients). */
static void op_format(stvp_accel_desc *d, uint32_t i, int backward)
{
    if (use_block)
        stvp_accel_desc_block(d, blocks[i]);
    else if (P.mode & TRAIN_MODE_NM)
        stvp_accel_desc_nm(d, backward ? nm_bwd[i] : nm_fwd[i], P.nm_n, P.nm_m);
    if (P.mode & TRAIN_MODE_SPARSETRAIN)
        stvp_accel_desc_skip_zeros(d);
}

/* ---- W0: DropBack's InitWeights (models/accel/sparse/init_weights.cpp), bit for bit ---- */

static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Kaiming-uniform W0 of one layer: (2u - 1) * sqrt(6 / fan_in), u 24-bit. Soft-float, once per
   run (a few hundred thousand multiplies); the same roundings as the host's float code. */
static void init_layer_weights(float *w, uint32_t layer_id, uint32_t count, uint32_t fan_in, uint64_t seed)
{
    const float b = (float)sqrt(6.0 / (double)fan_in);
    const uint64_t key = mix64(mix64(seed) ^ layer_id);
    for (uint32_t i = 0; i < count; ++i) {
        const float u = (float)(uint32_t)(mix64(key ^ (uint64_t)i) >> 40) * (1.0f / 16777216.0f);
        w[i] = (2.0f * u - 1.0f) * b;
    }
}

/* ---- descriptors per layer ---- */

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
static void forward_desc(stvp_accel_desc *d, uint32_t i, uint32_t n, const float *in)
{
    const train_layer_t *l = &net->layers[i];
    if (l->kind == TRAIN_FC) {
        stvp_accel_fc_fwd(d, n, l->c, l->k, in, op_weights(i), lb[i].b, lb[i].out, (int)l->relu);
        op_format(d, i, 0);
    } else if (l->kind == TRAIN_CONV) {
        stvp_accel_conv_shape_t s;
        conv_shape(l, n, &s);
        stvp_accel_conv_fwd(d, &s, in, op_weights(i), lb[i].b, lb[i].out, (int)l->relu);
        op_format(d, i, 0);
    } else {
        stvp_accel_pool_shape_t s;
        pool_shape(l, n, &s);
        stvp_accel_maxpool_fwd(d, &s, in, lb[i].out);
    }
    stvp_accel_desc_layer(d, i + 1);
}

static const float *layer_input(uint32_t i)
{
    return i == 0 ? x_batch : lb[i - 1].out;
}

/* SparseTrain prunes the output gradient of weight layer i before its backward ops: every
   weight layer but the last (its output gradient is the logits' one, 10 values per sample
   that every sample needs; SparseTrain prunes activation gradients). */
static int prunes_layer(uint32_t i)
{
    return (P.mode & TRAIN_MODE_SPARSETRAIN) && train_has_weights(&net->layers[i]) && i + 1 < net->layer_count;
}
static unsigned prune_at[TRAIN_MAX_LAYERS]; /* chain index of layer i's GRAD_PRUNE */

/* Backward of layer i (batch n): SparseTrain's gradient pruning, the weight gradient, then the
   input gradient unless i = 0. */
static unsigned backward_descs(stvp_accel_desc *d, uint32_t i, uint32_t n)
{
    const train_layer_t *l = &net->layers[i];
    const float *in = layer_input(i);
    const float *mask = i > 0 && train_out_relu(net, i - 1) ? in : NULL;
    float *din = i > 0 ? lb[i - 1].dout : NULL;
    unsigned k = 0;
    if (prunes_layer(i))
        stvp_accel_grad_prune(&d[k++], i + 1, n * train_out_size(l), lb[i].dout, train_prune_rate(&P), P.seed,
                              &prune_res[i]);
    if (l->kind == TRAIN_FC) {
        stvp_accel_fc_bwd_weight(&d[k], n, l->c, l->k, lb[i].dout, in, lb[i].dw, lb[i].db);
        if (P.mode & TRAIN_MODE_SPARSETRAIN)
            stvp_accel_desc_skip_zeros(&d[k]);
        ++k;
        if (din) {
            stvp_accel_fc_bwd_data(&d[k], n, l->c, l->k, lb[i].dout, op_weights(i), mask, din);
            op_format(&d[k++], i, 1);
        }
    } else if (l->kind == TRAIN_CONV) {
        stvp_accel_conv_shape_t s;
        conv_shape(l, n, &s);
        stvp_accel_conv_bwd_weight(&d[k], &s, lb[i].dout, in, lb[i].dw, lb[i].db);
        if (P.mode & TRAIN_MODE_SPARSETRAIN)
            stvp_accel_desc_skip_zeros(&d[k]);
        ++k;
        if (din) {
            stvp_accel_conv_bwd_data(&d[k], &s, lb[i].dout, op_weights(i), mask, din);
            op_format(&d[k++], i, 1);
        }
    } else if (din) {
        stvp_accel_pool_shape_t s;
        pool_shape(l, n, &s);
        stvp_accel_maxpool_bwd(&d[k++], &s, in, lb[i].dout, din, mask != NULL);
    }
    for (unsigned j = 0; j < k; ++j)
        stvp_accel_desc_layer(&d[j], i + 1);
    return k;
}

/* ---- the training step chain: built once, COPY sources and SGD rates patched ---- */

static unsigned step_len, sgd_first, sgd_count, dropback_first, dropback_count, nm_first, nm_count;

static void build_step_chain(void)
{
    const uint32_t B = P.batch, in_size = train_in_size(&net->layers[0]);
    const uint32_t L = net->layer_count;
    unsigned k = 0;
    for (uint32_t j = 0; j < B; ++j) {
        stvp_accel_copy(&chain[k], x_batch + j * in_size, (const void *)(uintptr_t)ds->train_images, in_size * 4u);
        stvp_accel_desc_layer(&chain[k++], 0);
    }
    for (uint32_t i = 0; i < L; ++i)
        forward_desc(&chain[k++], i, B, layer_input(i));
    stvp_accel_softmax_xent(&chain[k], B, net->layers[L - 1].k, lb[L - 1].out, y_batch, lb[L - 1].dout,
                            &xent_train);
    stvp_accel_desc_layer(&chain[k++], L);
    for (uint32_t i = L; i-- > 0;) {
        prune_at[i] = k;
        k += backward_descs(&chain[k], i, B);
    }
    sgd_first = k;
    for (uint32_t i = 0; i < L; ++i) {
        const train_layer_t *l = &net->layers[i];
        if (!train_has_weights(l))
            continue;
        stvp_accel_sgd(&chain[k], train_weight_count(l), lb[i].w, lb[i].dw, 0.0f, P.weight_decay);
        stvp_accel_desc_layer(&chain[k++], i + 1);
        stvp_accel_sgd(&chain[k], l->k, lb[i].b, lb[i].db, 0.0f, 0.0f);
        stvp_accel_desc_layer(&chain[k++], i + 1);
    }
    sgd_count = k - sgd_first;
    dropback_first = k;
    if (P.mode & TRAIN_MODE_PROCRUSTES) {
        const float f = train_keep_fraction(&P);
        int first = 1;
        for (uint32_t i = 0; i < L; ++i) {
            const train_layer_t *l = &net->layers[i];
            if (!train_has_weights(l))
                continue;
            uint32_t rs = l->kind == TRAIN_CONV ? l->r : 1u, ss = l->kind == TRAIN_CONV ? l->s : 1u;
            stvp_accel_dropback(&chain[k++], train_init_layer_id(i), l->k, l->c, rs, ss, P.seed, 1.0f, f, first, 0,
                                lb[i].w, blocks[i], &db_res[i]);
            first = 0;
        }
    }
    dropback_count = k - dropback_first;
    nm_first = k;
    if (P.mode & TRAIN_MODE_NM) {
        for (uint32_t i = 0; i < L; ++i) {
            const train_layer_t *l = &net->layers[i];
            if (!train_has_weights(l))
                continue;
            uint32_t rs = l->kind == TRAIN_CONV ? l->r : 1u, ss = l->kind == TRAIN_CONV ? l->s : 1u;
            stvp_accel_nm_pregen(&chain[k++], i + 1, l->k, l->c, rs, ss, P.nm_n, P.nm_m, lb[i].w, nm_fwd[i],
                                 nm_bwd[i]);
        }
    }
    nm_count = k - nm_first;
    step_len = k;
}

static void set_step_decay(float d)
{
    for (unsigned j = 0; j < dropback_count; ++j)
        chain[dropback_first + j].alpha = d;
}

/* GRAD_PRUNE's seeds of global step t (train_prune_seed). */
static void set_step_prune_seeds(uint32_t t)
{
    for (uint32_t i = 0; i < net->layer_count; ++i)
        if (prunes_layer(i))
            chain[prune_at[i]].param0 = train_prune_seed(P.seed, t, i);
}

static void set_step_lr(float lr)
{
    for (unsigned j = 0; j < sgd_count; ++j)
        chain[sgd_first + j].alpha = lr;
}

static void run_chain(const stvp_accel_desc *descs, unsigned count, const char *what)
{
    stvp_accel_result_t r;
    if (stvp_accel_run(descs, count, &r) != STVP_ACCEL_ERR_NONE) {
        char msg[200];
        stvp_accel_format_error(&r, descs, count, msg, sizeof msg);
        printf("train: %s failed: %s\n", what, msg);
        exit(1);
    }
}

/* ---- evaluation on the test split, read in place ---- */

typedef struct eval_result {
    uint32_t correct, count;
    float loss; /* mean over the samples */
} eval_result_t;

static void evaluate(eval_result_t *e)
{
    const uint32_t L = net->layer_count, in_size = train_in_size(&net->layers[0]);
    const uint32_t total = ds->test_count;
    const uint32_t batches = (total + TRAIN_EVAL_BATCH - 1) / TRAIN_EVAL_BATCH;
    const uint32_t per_batch = L + 1, per_chain = EVAL_CHAIN_MAX / per_batch;
    const float *images = (const float *)(uintptr_t)ds->test_images;
    const int32_t *labels = (const int32_t *)(uintptr_t)ds->test_labels;
    float loss_sum = 0.0f;
    e->correct = 0;
    e->count = total;
    for (uint32_t b0 = 0; b0 < batches; b0 += per_chain) {
        uint32_t nb = batches - b0 < per_chain ? batches - b0 : per_chain;
        unsigned k = 0;
        for (uint32_t b = b0; b < b0 + nb; ++b) {
            uint32_t first = b * TRAIN_EVAL_BATCH;
            uint32_t n = total - first < TRAIN_EVAL_BATCH ? total - first : TRAIN_EVAL_BATCH;
            for (uint32_t i = 0; i < L; ++i)
                forward_desc(&eval_chain[k++], i, n, i == 0 ? images + first * in_size : lb[i - 1].out);
            stvp_accel_softmax_xent(&eval_chain[k], n, net->layers[L - 1].k, lb[L - 1].out, labels + first,
                                    lb[L - 1].dout, &xent_eval[b]);
            stvp_accel_desc_layer(&eval_chain[k++], L);
        }
        run_chain(eval_chain, k, "evaluation");
        for (uint32_t b = b0; b < b0 + nb; ++b) {
            uint32_t first = b * TRAIN_EVAL_BATCH;
            uint32_t n = total - first < TRAIN_EVAL_BATCH ? total - first : TRAIN_EVAL_BATCH;
            e->correct += xent_eval[b].correct;
            loss_sum += xent_eval[b].loss * (float)n;
        }
    }
    e->loss = loss_sum / (float)total;
}

/* ---- set-up ---- */

/* W0 by the accelerator's INIT_WEIGHTS op when it has one (the same generator), else on the CPU. */
static int have_init_op;

static void allocate(void)
{
    unsigned init_count = 0;
    const uint32_t L = net->layer_count;
    const uint32_t nmax = P.batch > TRAIN_EVAL_BATCH ? P.batch : TRAIN_EVAL_BATCH;
    for (uint32_t i = 0; i < L; ++i) {
        const train_layer_t *l = &net->layers[i];
        if (train_has_weights(l)) {
            uint32_t wc = train_weight_count(l);
            lb[i].w = alloc(wc * 4u);
            lb[i].dw = alloc(wc * 4u);
            lb[i].b = alloc(l->k * 4u); /* zero: .bss */
            lb[i].db = alloc(l->k * 4u);
            uint32_t rs = l->kind == TRAIN_CONV ? l->r : 1u, ss = l->kind == TRAIN_CONV ? l->s : 1u;
            if (P.mode & TRAIN_MODE_PROCRUSTES)
                blocks[i] = alloc(STVP_ACCEL_BLOCK_BYTES(l->k, l->c, rs, ss));
            if (P.mode & TRAIN_MODE_NM) {
                nm_fwd[i] = alloc(STVP_ACCEL_NM_BYTES(l->k, rs * ss, l->c, P.nm_n, P.nm_m));
                nm_bwd[i] = alloc(STVP_ACCEL_NM_BYTES(l->c, rs * ss, l->k, P.nm_n, P.nm_m));
            }
            if (have_init_op) {
                stvp_accel_init_weights(&eval_chain[init_count++], train_init_layer_id(i), l->k, l->c, rs, ss, P.seed,
                                        lb[i].w);
            } else {
                init_layer_weights(lb[i].w, train_init_layer_id(i), wc, train_fan_in(l), P.seed);
            }
        }
        lb[i].out = alloc(nmax * train_out_size(l) * 4u);
        lb[i].dout = alloc(nmax * train_out_size(l) * 4u);
    }
    x_batch = alloc(P.batch * train_in_size(&net->layers[0]) * 4u);
    y_batch = alloc(P.batch * 4u);
    xent_eval = alloc(((ds->test_count + TRAIN_EVAL_BATCH - 1) / TRAIN_EVAL_BATCH) * sizeof *xent_eval);
    order = alloc(ds->train_count * 4u);
    if (init_count)
        run_chain(eval_chain, init_count, "weight initialisation");
}

static int dataset_ok(void)
{
    ds = (const stvp_dataset_header_t *)(uintptr_t)STVP_DRAM_DATA_BASE;
    if (ds->magic != STVP_DATASET_MAGIC || ds->version != STVP_DATASET_VERSION) {
        printf("train: no data set at 0x%08x (run stvp with --set dataset.name=fashion-mnist)\n",
               (unsigned)STVP_DRAM_DATA_BASE);
        return 0;
    }
    const train_layer_t *l0 = &net->layers[0];
    if (ds->channels * ds->rows * ds->cols != train_in_size(l0) ||
        ds->classes != net->layers[net->layer_count - 1].k || ds->train_count < P.batch || ds->test_count == 0) {
        printf("train: the data set (%lux%lux%lu, %lu classes, %lu/%lu samples) does not fit %s\n",
               (unsigned long)ds->channels, (unsigned long)ds->rows, (unsigned long)ds->cols,
               (unsigned long)ds->classes, (unsigned long)ds->train_count, (unsigned long)ds->test_count, net->name);
        return 0;
    }
    return 1;
}

/* Weights tracked by the last DROPBACK of every layer. */
static uint32_t tracked_weights(void)
{
    uint32_t t = 0;
    for (uint32_t i = 0; i < net->layer_count; ++i)
        if (train_has_weights(&net->layers[i]))
            t += db_res[i].tracked;
    return t;
}

static const char *mode_name(uint32_t mode)
{
    static const char *const names[8] = {"dense",           "procrustes",         "nm",
                                         "procrustes+nm",   "sparsetrain",        "procrustes+sparsetrain",
                                         "nm+sparsetrain",  "procrustes+nm+sparsetrain"};
    return names[mode & 7u];
}

static void print_counters(const char *label, const stvp_accel_counters_t *c)
{
    printf("%s cycles %llu, MACs %llu (skipped %llu), DRAM %llu bytes, energy %llu.%06llu mJ\n", label,
           (unsigned long long)c->cycles, (unsigned long long)c->macs, (unsigned long long)c->macs_skipped,
           (unsigned long long)c->dram_bytes, (unsigned long long)(c->energy_pj / 1000000000ull),
           (unsigned long long)(c->energy_pj / 1000ull % 1000000ull));
}

/* The run's results for the stats file's "training" block (SIMCTRL RESULT_*, simctrl_results.def). */
static void report_epoch(uint32_t epoch, float train_loss, uint32_t correct, uint32_t seen, const eval_result_t *ev,
                         uint64_t sim_ns)
{
    stvp_sim_result_u32(STVP_RESULT_EPOCH, epoch);
    stvp_sim_result_f32(STVP_RESULT_EPOCH_TRAIN_LOSS, train_loss);
    stvp_sim_result_f32(STVP_RESULT_EPOCH_TRAIN_ACCURACY, seen ? (float)correct / (float)seen : 0.0f);
    stvp_sim_result_f32(STVP_RESULT_EPOCH_TEST_LOSS, ev->loss);
    stvp_sim_result_f32(STVP_RESULT_EPOCH_TEST_ACCURACY, ev->count ? (float)ev->correct / (float)ev->count : 0.0f);
    stvp_sim_result_u64(STVP_RESULT_EPOCH_SIM_NS, sim_ns);
}

int main(void)
{
    uint32_t wl[STVP_WORKLOAD_KEYS];
    for (uint32_t i = 0; i < STVP_WORKLOAD_KEYS; ++i)
        wl[i] = stvp_sim_workload(i);
    train_params_from_workload(&P, wl);
    const char *bad = train_params_check(&P);
    if (*bad) {
        printf("train: %s\n", bad);
        return 2;
    }
    net = &train_nets[P.net];
    if (stvp_accel_init(1) != 0) {
        printf("train: no accelerator at 0x%08x\n", (unsigned)STVP_ACCEL_BASE);
        return 1;
    }
    stvp_accel_info_t info;
    stvp_accel_read_info(&info);
    have_init_op = (info.ops >> STVP_ACCEL_OP_INIT_WEIGHTS) & 1u;
    if ((P.mode & TRAIN_MODE_PROCRUSTES) && !((info.ops >> STVP_ACCEL_OP_DROPBACK) & 1u)) {
        printf("train: the accelerator has no DROPBACK op (mode procrustes)\n");
        return 1;
    }
    if ((P.mode & TRAIN_MODE_NM) && !((info.ops >> STVP_ACCEL_OP_NM_PREGEN) & 1u)) {
        printf("train: the accelerator has no NM_PREGEN op (mode nm)\n");
        return 1;
    }
    if ((P.mode & TRAIN_MODE_SPARSETRAIN) && !((info.ops >> STVP_ACCEL_OP_GRAD_PRUNE) & 1u)) {
        printf("train: the accelerator has no GRAD_PRUNE op (mode sparsetrain)\n");
        return 1;
    }
    stvp_plic_set_threshold(0);
    if (!dataset_ok())
        return 1;

    const uint32_t steps = train_steps_per_epoch(&P, ds->train_count);
    const uint32_t total_w = train_total_weights(net);
    printf("train: %s, mode %s, %lu epochs x %lu steps, batch %lu, lr %g x %d%%/epoch, seed %lu, "
           "%lu train / %lu test samples, %lu weights\n",
           net->name, mode_name(P.mode), (unsigned long)P.epochs, (unsigned long)steps, (unsigned long)P.batch,
           (double)P.lr, (int)(TRAIN_LR_DECAY * 100.0f + 0.5f), (unsigned long)P.seed,
           (unsigned long)ds->train_count, (unsigned long)ds->test_count, (unsigned long)total_w);

    if (P.mode & TRAIN_MODE_NM)
        printf("train: N:M %lu:%lu on every weight layer (forward along C, input gradient along K)\n",
               (unsigned long)P.nm_n, (unsigned long)P.nm_m);
    if (P.mode & TRAIN_MODE_PROCRUSTES)
        printf("train: Procrustes budget %lu%% of the weights (DROPBACK's quantile estimator targets q = %.2f)\n",
               (unsigned long)P.keep_pct, 1.0 - (double)train_keep_fraction(&P));
    if (P.mode & TRAIN_MODE_SPARSETRAIN)
        printf("train: SparseTrain prune rate %.2f, zero skipping on every FC/CONV op\n", (double)train_prune_rate(&P));

    /* Mask capture (stvp capture.* keys): name each step in SIMCTRL STEP. Read once; with
       capture off nothing more is written, so the run is the same. */
    const int capture = stvp_sim_capture_enabled();
    uint64_t t_start = stvp_sim_time_ns();
    stvp_sim_phase(TRAIN_PHASE_SETUP);
    allocate();
    build_step_chain();
    if (nm_count) /* the copies of W0, for the first step's forward and input-gradient ops */
        run_chain(chain + nm_first, nm_count, "N:M copies of W0");
    const int32_t *train_labels = (const int32_t *)(uintptr_t)ds->train_labels;
    const uint32_t in_bytes = train_in_size(&net->layers[0]) * 4u;

    stvp_accel_counters_t c0, c1, c_train = {0}, c_eval = {0}, d;
    uint64_t t_train = 0, t_eval = 0;
    uint32_t global_step = 0;
    float decay = 1.0f;
    eval_result_t ev = {0, 0, 0.0f};
    for (uint32_t epoch = 0; epoch < P.epochs; ++epoch) {
        train_epoch_order(order, ds->train_count, P.seed, epoch);
        const float lr = train_lr(&P, epoch);
        set_step_lr(lr);
        uint32_t seen = 0, correct = 0, since = 0;
        float loss_sum = 0.0f, epoch_loss_sum = 0.0f;
        stvp_accel_read_counters(&c0);
        uint64_t t0 = stvp_sim_time_ns();
        stvp_sim_phase(TRAIN_PHASE_TRAIN);
        for (uint32_t s = 0; s < steps; ++s) {
            if ((P.mode & TRAIN_MODE_PROCRUSTES) && global_step == 1 && !use_block) {
                use_block = 1; /* the first DROPBACK has written the block copies */
                build_step_chain();
                set_step_lr(lr);
            }
            set_step_decay(decay);
            set_step_prune_seeds(global_step);
            const uint32_t *idx = order + s * P.batch;
            for (uint32_t j = 0; j < P.batch; ++j) {
                chain[j].src0 = ds->train_images + idx[j] * in_bytes;
                y_batch[j] = train_labels[idx[j]];
            }
            if (capture)
                stvp_sim_step(global_step);
            run_chain(chain, step_len, "training step");
            ++global_step;
            decay *= TRAIN_DECAY_FACTOR;
            for (uint32_t i = 0; i < net->layer_count; ++i)
                if (prunes_layer(i)) {
                    grad_elements += prune_res[i].elements;
                    grad_zeros_before += prune_res[i].zeros_before;
                    grad_zeros_after += prune_res[i].zeros_after;
                }
            seen += P.batch;
            correct += xent_train.correct;
            loss_sum += xent_train.loss;
            epoch_loss_sum += xent_train.loss;
            ++since;
            if (P.print_every == 1) {
                union { float f; uint32_t u; } bits = {xent_train.loss};
                printf("trace step %lu loss %.7f 0x%08lx\n", (unsigned long)global_step, (double)xent_train.loss,
                       (unsigned long)bits.u);
            }
            if ((s + 1) % P.print_every == 0 || s + 1 == steps) {
                printf("epoch %lu step %lu/%lu loss %.4f acc %.1f%%", (unsigned long)epoch + 1,
                       (unsigned long)s + 1, (unsigned long)steps, (double)(loss_sum / (float)since),
                       100.0 * (double)correct / (double)seen);
                if (P.mode & TRAIN_MODE_PROCRUSTES) /* the budget as the estimator meets it */
                    printf(" kept %.4f", (double)tracked_weights() / (double)total_w);
                printf("\n");
                loss_sum = 0.0f;
                since = 0;
            }
        }
        uint64_t t1 = stvp_sim_time_ns();
        stvp_accel_read_counters(&c1);
        stvp_accel_counters_delta(&c0, &c1, &d);
        t_train += t1 - t0;
        c_train.cycles += d.cycles, c_train.macs += d.macs, c_train.macs_skipped += d.macs_skipped;
        c_train.dram_bytes += d.dram_bytes, c_train.energy_pj += d.energy_pj;

        stvp_sim_phase(TRAIN_PHASE_EVAL);
        if (capture)
            stvp_sim_step(STVP_SIM_NO_STEP); /* evaluation is no training step */
        evaluate(&ev);
        uint64_t t2 = stvp_sim_time_ns();
        stvp_accel_read_counters(&c0);
        stvp_accel_counters_delta(&c1, &c0, &d);
        t_eval += t2 - t1;
        c_eval.cycles += d.cycles, c_eval.macs += d.macs, c_eval.macs_skipped += d.macs_skipped;
        c_eval.dram_bytes += d.dram_bytes, c_eval.energy_pj += d.energy_pj;
        printf("epoch %lu test loss %.4f acc %.2f%% (%lu/%lu) lr %.5f, epoch simulated %llu us\n",
               (unsigned long)epoch + 1, (double)ev.loss, 100.0 * (double)ev.correct / (double)ev.count,
               (unsigned long)ev.correct, (unsigned long)ev.count, (double)lr,
               (unsigned long long)((t2 - t0) / 1000u));
        report_epoch(epoch + 1, epoch_loss_sum / (float)steps, correct, seen, &ev, t2 - t0);
    }
    uint64_t t_end = stvp_sim_time_ns();
    stvp_sim_phase(0);

    printf("== summary ==\n");
    printf("network         %s, mode %s, %lu epochs x %lu steps of %lu\n", net->name, mode_name(P.mode),
           (unsigned long)P.epochs, (unsigned long)steps, (unsigned long)P.batch);
    printf("test accuracy   %.2f%% (%lu/%lu), test loss %.4f\n", 100.0 * (double)ev.correct / (double)ev.count,
           (unsigned long)ev.correct, (unsigned long)ev.count, (double)ev.loss);
    uint32_t kept = total_w;
    if (P.mode & TRAIN_MODE_PROCRUSTES)
        kept = tracked_weights();
    if (P.mode & TRAIN_MODE_NM) {
        kept = 0;
        for (uint32_t i = 0; i < net->layer_count; ++i)
            kept += train_nm_kept(&net->layers[i], P.nm_n, P.nm_m);
    }
    printf("weights kept    %.4f (%lu of %lu)\n", (double)kept / (double)total_w, (unsigned long)kept,
           (unsigned long)total_w);
    if (P.mode & TRAIN_MODE_SPARSETRAIN)
        printf("grad zeros      %.4f after pruning at p = %.2f (%.4f before; output gradients of the pruned layers)\n",
               grad_elements ? (double)grad_zeros_after / (double)grad_elements : 0.0, (double)train_prune_rate(&P),
               grad_elements ? (double)grad_zeros_before / (double)grad_elements : 0.0);
    printf("simulated time  %llu.%06llu s (training %llu us, evaluation %llu us)\n",
           (unsigned long long)((t_end - t_start) / 1000000000ull),
           (unsigned long long)((t_end - t_start) / 1000ull % 1000000ull), (unsigned long long)(t_train / 1000u),
           (unsigned long long)(t_eval / 1000u));
    stvp_sim_result_u32(STVP_RESULT_MODE, P.mode);
    stvp_sim_result_u32(STVP_RESULT_EPOCHS, P.epochs);
    stvp_sim_result_u32(STVP_RESULT_STEPS, steps);
    stvp_sim_result_u32(STVP_RESULT_BATCH, P.batch);
    stvp_sim_result_f32(STVP_RESULT_FINAL_ACCURACY, ev.count ? (float)ev.correct / (float)ev.count : 0.0f);
    stvp_sim_result_f32(STVP_RESULT_FINAL_LOSS, ev.loss);
    stvp_sim_result_u32(STVP_RESULT_KEPT_WEIGHTS, kept);
    stvp_sim_result_u32(STVP_RESULT_TOTAL_WEIGHTS, total_w);
    stvp_sim_result_f32(STVP_RESULT_KEPT_FRACTION, (float)kept / (float)total_w);
    if ((P.mode & TRAIN_MODE_SPARSETRAIN) && grad_elements) {
        stvp_sim_result_f32(STVP_RESULT_GRAD_ZEROS, (float)((double)grad_zeros_after / (double)grad_elements));
        stvp_sim_result_f32(STVP_RESULT_GRAD_ZEROS_BEFORE, (float)((double)grad_zeros_before / (double)grad_elements));
    }
    stvp_sim_result_u64(STVP_RESULT_SIM_NS, t_end - t_start);
    stvp_sim_result_u64(STVP_RESULT_TRAIN_SIM_NS, t_train);
    stvp_sim_result_u64(STVP_RESULT_EVAL_SIM_NS, t_eval);
    stvp_sim_result_u64(STVP_RESULT_TRAIN_CYCLES, c_train.cycles);
    stvp_sim_result_u64(STVP_RESULT_TRAIN_ENERGY_PJ, c_train.energy_pj);
    print_counters("accel training ", &c_train);
    print_counters("accel evaluation", &c_eval);
    if (P.mode == TRAIN_MODE_DENSE)
        printf("vs dense        speedup 1.00x, energy ratio 1.00 (this run is dense)\n");
    else
        printf("vs dense        from a dense run of the same schedule (platform/reftrain/results.sh computes "
               "the ratios of training cycles and energy)\n");
    printf("train: done\n");
    return 0;
}
