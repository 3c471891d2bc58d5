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
#include "stvp/hw/accel_w0.h"
#include "stvp/hw/dataset.h"
#include "train_chain.h"
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

/* The training step's chain (sw/lib/chain: built once, patched per step) and the evaluation's. */
#define EVAL_CHAIN_MAX 4096u
static stvp_accel_desc chain[TRAIN_CHAIN_STEP_MAX];
static stvp_accel_desc eval_chain[EVAL_CHAIN_MAX];
static train_chain_t step;       /* what `chain` holds and where its patched descriptors are */
static train_chain_bufs_t bufs;  /* the tensors' addresses the chains name */

/* ---- the network's tensors ---- */

static const train_net_t *net;
static int32_t *y_batch;   /* gathered labels [batch] */
static stvp_accel_xent_result xent_train;
static stvp_accel_xent_result *xent_eval; /* one per evaluation batch */
static uint32_t *order;
static const stvp_dataset_header_t *ds;
static train_params_t P;

/* Procrustes: from the second step on (at step 0 every weight is W0 and nothing is tracked
   yet) the forward and input-gradient ops read the block copies DROPBACK writes; its results. */
static int use_block;
static stvp_accel_dropback_result db_res[TRAIN_MAX_LAYERS];

/* SparseTrain: GRAD_PRUNE's result per pruned layer (train_chain_prunes_layer) and the zeros it
   left, summed over the run. */
static stvp_accel_prune_result prune_res[TRAIN_MAX_LAYERS];
static uint64_t grad_elements, grad_zeros_before, grad_zeros_after;

#define ADDR(p) ((uint32_t)(uintptr_t)(p))

/* The training step chain (train_chain.h): built once, rebuilt when Procrustes switches to the
   block copies; COPY sources, SGD rates, decay and prune seeds patched. */
static void build_step_chain(void)
{
    if (!train_chain_step(&step, chain, TRAIN_CHAIN_STEP_MAX, net, &P, &bufs, use_block)) {
        printf("train: cannot build the training step's chain\n");
        exit(1);
    }
}

/* A training step's work beyond the gather, only when there is some (main's step_extras):
   workload.augment = flip's MIRROR patches of the step's COPYs, mask capture's step number.
   Out of line, so the step loop of a run with neither is the code it was without them. */
static void __attribute__((noinline)) step_extras_run(int extras, uint32_t epoch, uint32_t s, uint32_t global_step)
{
    if (extras & 2)
        for (uint32_t j = 0; j < P.batch; ++j)
            train_chain_set_flip(&step, chain, j, epoch, s * P.batch + j);
    if (extras & 1)
        stvp_sim_step(global_step);
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
    const uint32_t images = ds->test_images, labels = ds->test_labels;
    const uint32_t batches = (total + TRAIN_EVAL_BATCH - 1) / TRAIN_EVAL_BATCH;
    const uint32_t per_batch = L + 1, per_chain = EVAL_CHAIN_MAX / per_batch;
    float loss_sum = 0.0f;
    e->correct = 0;
    e->count = total;
    for (uint32_t b0 = 0; b0 < batches; b0 += per_chain) {
        uint32_t nb = batches - b0 < per_chain ? batches - b0 : per_chain;
        unsigned k = 0;
        for (uint32_t b = b0; b < b0 + nb; ++b) {
            uint32_t first = b * TRAIN_EVAL_BATCH;
            uint32_t n = total - first < TRAIN_EVAL_BATCH ? total - first : TRAIN_EVAL_BATCH;
            k += train_chain_eval_batch(&step, &eval_chain[k], per_batch, n, images + first * in_size * 4u,
                                        labels + first * 4u, ADDR(&xent_eval[b]));
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
    const uint32_t L = net->layer_count;
    const uint32_t nmax = P.batch > TRAIN_EVAL_BATCH ? P.batch : TRAIN_EVAL_BATCH;
    for (uint32_t i = 0; i < L; ++i) {
        const train_layer_t *l = &net->layers[i];
        train_chain_layer_bufs_t *lb = &bufs.layer[i];
        if (train_has_weights(l)) {
            uint32_t wc = train_weight_count(l);
            float *w = alloc(wc * 4u);
            lb->w = ADDR(w);
            lb->dw = ADDR(alloc(wc * 4u));
            lb->b = ADDR(alloc(l->k * 4u)); /* zero: .bss */
            lb->db = ADDR(alloc(l->k * 4u));
            uint32_t rs = l->kind == TRAIN_CONV ? l->r : 1u, ss = l->kind == TRAIN_CONV ? l->s : 1u;
            if (P.mode & TRAIN_MODE_PROCRUSTES) {
                lb->blocks = ADDR(alloc(STVP_ACCEL_BLOCK_BYTES(l->k, l->c, rs, ss)));
                lb->dropback_result = ADDR(&db_res[i]);
            }
            if (P.mode & TRAIN_MODE_NM) {
                lb->nm_fwd = ADDR(alloc(STVP_ACCEL_NM_BYTES(l->k, rs * ss, l->c, P.nm_n, P.nm_m)));
                lb->nm_bwd = ADDR(alloc(STVP_ACCEL_NM_BYTES(l->c, rs * ss, l->k, P.nm_n, P.nm_m)));
            }
            if (train_chain_prunes_layer(net, &P, i))
                lb->prune_result = ADDR(&prune_res[i]);
            if (!have_init_op) /* the generator of the device's INIT_WEIGHTS, on the CPU */
                stvp_w0_fill(w, P.seed, train_init_layer_id(i), 0, wc, stvp_w0_kaiming_bound(train_fan_in(l)));
        }
        lb->out = ADDR(alloc(nmax * train_out_size(l) * 4u));
        lb->dout = ADDR(alloc(nmax * train_out_size(l) * 4u));
    }
    bufs.x_batch = ADDR(alloc(P.batch * train_in_size(&net->layers[0]) * 4u));
    y_batch = alloc(P.batch * 4u);
    bufs.y_batch = ADDR(y_batch);
    bufs.xent = ADDR(&xent_train);
    bufs.images = ds->train_images;
    bufs.image_cols = ds->cols;
    xent_eval = alloc(((ds->test_count + TRAIN_EVAL_BATCH - 1) / TRAIN_EVAL_BATCH) * sizeof *xent_eval);
    order = alloc(ds->train_count * 4u);
    unsigned init_count = have_init_op ? train_chain_init_weights(eval_chain, EVAL_CHAIN_MAX, net, &P, &bufs) : 0u;
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
           (double)P.lr, (int)(P.lr_decay * 100.0f + 0.5f), (unsigned long)P.seed,
           (unsigned long)ds->train_count, (unsigned long)ds->test_count, (unsigned long)total_w);

    if (P.mode & TRAIN_MODE_NM)
        printf("train: N:M %lu:%lu on every weight layer (forward along C, input gradient along K)\n",
               (unsigned long)P.nm_n, (unsigned long)P.nm_m);
    if ((P.mode & TRAIN_MODE_NM) && P.nm_bwd_from_fwd)
        printf("train: N:M backward copy pruned from the forward copy (workload.nm.backward=forward)\n");
    if (P.mode & TRAIN_MODE_PROCRUSTES)
        printf("train: Procrustes budget %lu%% of the weights (DROPBACK's quantile estimator targets q = %.2f)\n",
               (unsigned long)P.keep_pct, 1.0 - (double)train_keep_fraction(&P));
    if (P.mode & TRAIN_MODE_SPARSETRAIN)
        printf("train: SparseTrain prune rate %.2f, zero skipping on every FC/CONV op\n", (double)train_prune_rate(&P));
    if (P.augment == TRAIN_AUGMENT_FLIP)
        printf("train: training images flipped left-right with probability 1/2 (workload.augment=flip)\n");

    /* Per-step work beyond the gather behind ONE test per step, as capture alone had (the
       CPU's instructions are simulated time): bit 0 mask capture (stvp capture.* keys: name
       each step in SIMCTRL STEP; read once, with capture off nothing more is written, so the
       run is the same), bit 1 workload.augment = flip. */
    const int step_extras = stvp_sim_capture_enabled() | (P.augment == TRAIN_AUGMENT_FLIP) << 1;
    uint64_t t_start = stvp_sim_time_ns();
    stvp_sim_phase(TRAIN_PHASE_SETUP);
    allocate();
    build_step_chain();
    if (step.nm_count) /* the copies of W0, for the first step's forward and input-gradient ops */
        run_chain(chain + step.nm_first, step.nm_count, "N:M copies of W0");
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
        train_chain_set_lr(&step, chain, lr);
        uint32_t seen = 0, correct = 0, since = 0;
        float loss_sum = 0.0f, epoch_loss_sum = 0.0f;
        stvp_accel_read_counters(&c0);
        uint64_t t0 = stvp_sim_time_ns();
        stvp_sim_phase(TRAIN_PHASE_TRAIN);
        for (uint32_t s = 0; s < steps; ++s) {
            if ((P.mode & TRAIN_MODE_PROCRUSTES) && global_step == 1 && !use_block) {
                use_block = 1; /* the first DROPBACK has written the block copies */
                build_step_chain();
                train_chain_set_lr(&step, chain, lr);
            }
            train_chain_set_decay(&step, chain, decay);
            train_chain_set_prune_seeds(&step, chain, global_step);
            const uint32_t *idx = order + s * P.batch;
            for (uint32_t j = 0; j < P.batch; ++j) {
                chain[j].src0 = ds->train_images + idx[j] * in_bytes;
                y_batch[j] = train_labels[idx[j]];
            }
            if (step_extras)
                step_extras_run(step_extras, epoch, s, global_step);
            run_chain(chain, step.len, "training step");
            ++global_step;
            decay *= TRAIN_DECAY_FACTOR;
            for (uint32_t i = 0; i < net->layer_count; ++i)
                if (train_chain_prunes_layer(net, &P, i)) {
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
        if (step_extras & 1)
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
        printf("vs dense        from a dense run of the same schedule (configs/sweeps/training.yaml computes "
               "the ratios of training cycles and energy)\n");
    printf("train: done\n");
    return 0;
}
