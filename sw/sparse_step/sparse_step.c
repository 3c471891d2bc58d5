/*
 * sparse_step: a few training steps of a small FC net (32 -> 32 ReLU -> 10, batch 16, one
 * fixed batch) on the accelerator in each sparse training mode, one descriptor chain per step:
 *   Procrustes   (DROPBACK after SGD with the quantile estimator, forward and input grad on the
 *                block copy; the first step runs on the dense W0),
 *   N:M 2:4, 2:8 (NM_PREGEN after SGD, forward on the forward copy, input grad on the backward
 *                copy),
 *   SparseTrain  (GRAD_PRUNE of the hidden layer's output gradient, SKIP_ZEROS on the ops that
 *                read it),
 *   and the combinations Procrustes + SparseTrain, N:M 2:4 + SparseTrain.
 * Per mode it checks: the loss stays finite and falls; Procrustes: the tracked count of the
 * last step is within 25% of the budget and equals the block copies' kept weights (the
 * estimator needs a step size for this small model: accel.sparse.quantile.lambda=0.01); N:M: every
 * group of every copy holds N ascending in-group indices, and its values are the master's;
 * SparseTrain: every gradient inside the prune band (|g| < tau) became 0 or +-tau, the others
 * are unchanged, and the number zeroed matches its expectation sum(1 - |g|/tau) within 4
 * standard deviations (the band's share of the non-zeros is printed next to the rate: the
 * rate is that share for Gaussian gradients; these are heavier-tailed).
 * `--arg S` runs S steps per mode (default 6). Exit code 0 iff every mode passed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ref_ops.h"
#include "stvp/accel.h"
#include "stvp/bsp.h"

enum { N = 16, D_IN = 32, D_HID = 32, D_OUT = 10, W1N = D_HID * D_IN, W2N = D_OUT * D_HID, WTOT = W1N + W2N };
enum { MODE_PROCRUSTES = 1, MODE_NM = 2, MODE_SPARSETRAIN = 4 };
enum { MAX_STEPS = 32 };

static const uint64_t kSeed = 0x0123456789abcdefull;
static const float kLr = 0.1f, kBudget = 0.25f, kPruneRate = 0.8f;

typedef struct mode {
    const char *name;
    unsigned flags;
    uint32_t n, m; /* N:M */
} sparse_mode_t;

static const sparse_mode_t modes[] = {
    {"Procrustes f 0.25", MODE_PROCRUSTES, 0, 0},
    {"N:M 2:4", MODE_NM, 2, 4},
    {"N:M 2:8", MODE_NM, 2, 8},
    {"SparseTrain p 0.8", MODE_SPARSETRAIN, 0, 0},
    {"Procrustes + SparseTrain", MODE_PROCRUSTES | MODE_SPARSETRAIN, 0, 0},
    {"N:M 2:4 + SparseTrain", MODE_NM | MODE_SPARSETRAIN, 2, 4},
};

/* ---- data and state ---- */

static float x[N * D_IN];
static int32_t labels[N];
static float w1[W1N], b1[D_HID], w2[W2N], b2[D_OUT];
static float h[N * D_HID], logits[N * D_OUT], dlogits[N * D_OUT], dh[N * D_HID], dh_pre[N * D_HID];
static float dw1[W1N], db1[D_HID], dw2[W2N], db2[D_OUT];
static uint32_t blk1[STVP_ACCEL_BLOCK_BYTES(D_HID, D_IN, 1, 1) / 4], blk2[STVP_ACCEL_BLOCK_BYTES(D_OUT, D_HID, 1, 1) / 4];
/* N:M copies sized for the densest pattern used (2:4). */
static uint32_t nmf1[STVP_ACCEL_NM_BYTES(D_HID, 1, D_IN, 2, 4) / 4], nmb1[STVP_ACCEL_NM_BYTES(D_IN, 1, D_HID, 2, 4) / 4];
static uint32_t nmf2[STVP_ACCEL_NM_BYTES(D_OUT, 1, D_HID, 2, 4) / 4], nmb2[STVP_ACCEL_NM_BYTES(D_HID, 1, D_OUT, 2, 4) / 4];
static stvp_accel_xent_result xres;
static stvp_accel_dropback_result dbres[2];
static stvp_accel_prune_result pres;
static stvp_accel_desc chain[16];

static void make_data(void)
{
    static float templ[D_OUT * D_IN];
    ref_seed(0x5eed0003u);
    ref_fill(templ, D_OUT * D_IN, -1.0f, 1.0f);
    for (uint32_t i = 0; i < N; ++i) {
        labels[i] = (int32_t)(i % D_OUT);
        ref_fill(&x[i * D_IN], D_IN, -0.3f, 0.3f);
        for (uint32_t j = 0; j < D_IN; ++j)
            x[i * D_IN + j] += templ[(i % D_OUT) * D_IN + j];
    }
}

static int run(unsigned count)
{
    stvp_accel_result_t r;
    int rc = stvp_accel_run(chain, count, &r);
    if (rc != 0 || r.err_code != STVP_ACCEL_ERR_NONE || r.descs_done != count) {
        char msg[200];
        stvp_accel_format_error(&r, chain, count, msg, sizeof msg);
        printf("     %s\n", msg);
        return 0;
    }
    return 1;
}

/* Weight operand of an FC op: the dense master at step 0 of Procrustes or without a sparse
   weight mode, else the mode's copy. */
static void weights(stvp_accel_desc *d, const sparse_mode_t *md, int layer, int backward, unsigned step)
{
    if ((md->flags & MODE_PROCRUSTES) && step > 0)
        stvp_accel_desc_block(d, layer == 1 ? (void *)blk1 : (void *)blk2);
    else if (md->flags & MODE_NM)
        stvp_accel_desc_nm(d, layer == 1 ? (backward ? (void *)nmb1 : (void *)nmf1) : (backward ? (void *)nmb2 : (void *)nmf2),
                           md->n, md->m);
    else
        d->src1 = (uint32_t)(uintptr_t)(layer == 1 ? w1 : w2);
}

static float decay(unsigned step)
{
    float d = 1.0f;
    for (unsigned i = 0; i < step; ++i)
        d *= 0.9f;
    return d;
}

/* One step as one chain. */
static int step(const sparse_mode_t *md, unsigned s)
{
    const int st = (md->flags & MODE_SPARSETRAIN) != 0;
    const int sparse_w = (md->flags & MODE_NM) || ((md->flags & MODE_PROCRUSTES) && s > 0);
    unsigned k = 0;
    stvp_accel_fc_fwd(&chain[k], N, D_IN, D_HID, x, sparse_w ? NULL : w1, b1, h, 1);
    weights(&chain[k++], md, 1, 0, s);
    stvp_accel_fc_fwd(&chain[k], N, D_HID, D_OUT, h, sparse_w ? NULL : w2, b2, logits, 0);
    weights(&chain[k++], md, 2, 0, s);
    stvp_accel_softmax_xent(&chain[k++], N, D_OUT, logits, labels, dlogits, &xres);
    stvp_accel_fc_bwd_weight(&chain[k++], N, D_HID, D_OUT, dlogits, h, dw2, db2);
    stvp_accel_fc_bwd_data(&chain[k], N, D_HID, D_OUT, dlogits, sparse_w ? NULL : w2, h, dh);
    weights(&chain[k++], md, 2, 1, s);
    if (st) {
        stvp_accel_copy(&chain[k++], dh_pre, dh, sizeof dh);
        stvp_accel_grad_prune(&chain[k++], 1, N * D_HID, dh, kPruneRate, s + 1, &pres);
    }
    stvp_accel_fc_bwd_weight(&chain[k], N, D_IN, D_HID, dh, x, dw1, db1);
    if (st)
        stvp_accel_desc_skip_zeros(&chain[k]);
    ++k;
    stvp_accel_sgd(&chain[k++], W1N, w1, dw1, kLr, 0.0f);
    stvp_accel_sgd(&chain[k++], D_HID, b1, db1, kLr, 0.0f);
    stvp_accel_sgd(&chain[k++], W2N, w2, dw2, kLr, 0.0f);
    stvp_accel_sgd(&chain[k++], D_OUT, b2, db2, kLr, 0.0f);
    if (md->flags & MODE_PROCRUSTES) {
        const float d = decay(s + 1);
        stvp_accel_dropback(&chain[k++], 1, D_HID, D_IN, 1, 1, kSeed, d, kBudget, 1, 0, w1, blk1, &dbres[0]);
        stvp_accel_dropback(&chain[k++], 2, D_OUT, D_HID, 1, 1, kSeed, d, kBudget, 0, 0, w2, blk2, &dbres[1]);
    }
    if (md->flags & MODE_NM) {
        stvp_accel_nm_pregen(&chain[k++], 1, D_HID, D_IN, 1, 1, md->n, md->m, w1, nmf1, nmb1);
        stvp_accel_nm_pregen(&chain[k++], 2, D_OUT, D_HID, 1, 1, md->n, md->m, w2, nmf2, nmb2);
    }
    return run(k);
}

/* ---- checks ---- */

/* An N:M copy of w[K][C] (accel_desc.h, N:M COPY): every group holds min(N, length) ascending
   in-group indices whose values are the master's, then zero padding. */
static int nm_copy_ok(const uint32_t *copy, const float *w, uint32_t k, uint32_t c, uint32_t n, uint32_t m, int bwd)
{
    const uint32_t lines = bwd ? c : k, len = bwd ? k : c, groups = STVP_ACCEL_DIV_UP(len, m);
    const uint32_t slots = STVP_ACCEL_NM_SLOTS(lines, 1, len, n, m);
    const float *values = (const float *)copy;
    const uint8_t *index = (const uint8_t *)(values + slots);
    uint32_t slot = 0;
    for (uint32_t a = 0; a < lines; ++a)
        for (uint32_t j = 0; j < groups; ++j, slot += n) {
            const uint32_t gl = len - j * m < m ? len - j * m : m, nk = gl < n ? gl : n;
            for (uint32_t t = 0; t < n; ++t) {
                const uint32_t p = index[slot + t];
                if (t >= nk) {
                    if (p != 0 || values[slot + t] != 0.0f)
                        return 0;
                    continue;
                }
                if (p >= gl || (t > 0 && p <= index[slot + t - 1]))
                    return 0;
                const uint32_t g = j * m + p, wi = bwd ? g * c + a : a * c + g;
                if (memcmp(&values[slot + t], &w[wi], 4) != 0)
                    return 0;
            }
        }
    return 1;
}

static int run_mode(const sparse_mode_t *md, unsigned steps)
{
    char detail[200] = "";
    float loss[MAX_STEPS];
    /* Same start for every mode: W0 from the generator (Procrustes' implicit initial weights). */
    memset(b1, 0, sizeof b1);
    memset(b2, 0, sizeof b2);
    stvp_accel_soft_reset(); /* the quantile estimator starts afresh */
    unsigned k = 0;
    stvp_accel_init_weights(&chain[k++], 1, D_HID, D_IN, 1, 1, kSeed, w1);
    stvp_accel_init_weights(&chain[k++], 2, D_OUT, D_HID, 1, 1, kSeed, w2);
    if (md->flags & MODE_NM) {
        stvp_accel_nm_pregen(&chain[k++], 1, D_HID, D_IN, 1, 1, md->n, md->m, w1, nmf1, nmb1);
        stvp_accel_nm_pregen(&chain[k++], 2, D_OUT, D_HID, 1, 1, md->n, md->m, w2, nmf2, nmb2);
    }
    int ok = run(k);
    stvp_accel_counters_t before, after, dlt;
    stvp_accel_read_counters(&before);
    for (unsigned s = 0; ok && s < steps; ++s) {
        ok = step(md, s);
        loss[s] = xres.loss;
        ok = ok && isfinite(loss[s]);
    }
    stvp_accel_read_counters(&after);
    stvp_accel_counters_delta(&before, &after, &dlt);
    int learned = ok && loss[steps - 1] < loss[0];
    ok = learned;
    size_t len = 0;
    if (ok) {
        if (md->flags & MODE_PROCRUSTES) {
            stvp_accel_sparse_counters_t sc;
            stvp_accel_read_sparse_counters(&sc);
            const uint32_t tracked = dbres[0].tracked + dbres[1].tracked;
            const float budget = kBudget * (float)WTOT;
            const stvp_accel_block_header *h1 = (const stvp_accel_block_header *)blk1;
            const stvp_accel_block_header *h2 = (const stvp_accel_block_header *)blk2;
            int p_ok = sc.tracked == tracked && h1->nnz + h2->nnz == tracked &&
                       fabsf((float)tracked - budget) <= 0.25f * budget;
            ok = ok && p_ok;
            len += (size_t)snprintf(detail + len, sizeof detail - len, "tracked %lu (budget %.0f); ",
                                    (unsigned long)tracked, (double)budget);
        }
        if (md->flags & MODE_NM) {
            int nm_ok = nm_copy_ok(nmf1, w1, D_HID, D_IN, md->n, md->m, 0) &&
                        nm_copy_ok(nmb1, w1, D_HID, D_IN, md->n, md->m, 1) &&
                        nm_copy_ok(nmf2, w2, D_OUT, D_HID, md->n, md->m, 0) &&
                        nm_copy_ok(nmb2, w2, D_OUT, D_HID, md->n, md->m, 1);
            ok = ok && nm_ok;
            len += (size_t)snprintf(detail + len, sizeof detail - len, "%lu:%lu pattern %s; ", (unsigned long)md->n,
                                    (unsigned long)md->m, nm_ok ? "holds" : "BROKEN");
        }
        if (md->flags & MODE_SPARSETRAIN) {
            /* The last step's gradient before (dh_pre) and after (dh) pruning. Inside the band
               |g| < tau an element survives (as +-tau) with probability |g|/tau: the new zeros
               must match their expectation within 4 standard deviations. */
            const float tau = pres.tau;
            uint32_t nonzero = 0, band = 0, wrong = 0, new_zeros = 0;
            double expect = 0, var = 0;
            for (uint32_t i = 0; i < N * D_HID; ++i) {
                const float g = dh_pre[i], a = fabsf(g);
                if (g == 0.0f) {
                    wrong += dh[i] != 0.0f;
                    continue;
                }
                ++nonzero;
                if (a < tau) {
                    const double pz = 1.0 - (double)a / (double)tau;
                    ++band;
                    expect += pz, var += pz * (1.0 - pz);
                    new_zeros += dh[i] == 0.0f;
                    wrong += !(dh[i] == 0.0f || dh[i] == copysignf(tau, g));
                } else {
                    wrong += dh[i] != g;
                }
            }
            const float in_band = nonzero ? (float)band / (float)nonzero : 0.0f;
            const float sparsity = (float)pres.zeros_after / (float)pres.elements;
            const int stat_ok = fabs((double)new_zeros - expect) <= 4.0 * sqrt(var) + 1.0;
            int st_ok = wrong == 0 && stat_ok && pres.zeros_after == pres.zeros_before + new_zeros;
            ok = ok && st_ok;
            len += (size_t)snprintf(detail + len, sizeof detail - len,
                                    "dh sparsity %.2f (ReLU %.2f), %.2f of non-zeros in band (rate %.2f), %lu pruned "
                                    "(expected %.1f)%s; ",
                                    (double)sparsity, (double)pres.zeros_before / (double)pres.elements,
                                    (double)in_band, (double)kPruneRate, (unsigned long)new_zeros, expect,
                                    wrong ? ", RULE BROKEN" : "");
        }
    }
    printf("%s %-26s loss %.4f -> %.4f over %u steps; %s%llu cycles, %llu MACs, %llu skipped\n",
           ok ? "PASS" : "FAIL", md->name, (double)(steps ? loss[0] : 0), (double)(steps ? loss[steps - 1] : 0),
           steps, detail, (unsigned long long)dlt.cycles, (unsigned long long)dlt.macs,
           (unsigned long long)dlt.macs_skipped);
    return ok;
}

int main(void)
{
    if (stvp_accel_init(1) != 0) {
        printf("FAIL sparse_step: no accelerator at 0x%08x\n", (unsigned)STVP_ACCEL_BASE);
        return 1;
    }
    stvp_plic_set_threshold(0);
    stvp_accel_info_t info;
    stvp_accel_read_info(&info);
    if (!(info.caps & ACCEL_CAPS_SPARSE_MASK)) {
        printf("FAIL sparse_step: the accelerator has no sparse modes (caps 0x%lx)\n", (unsigned long)info.caps);
        return 1;
    }
    unsigned steps = stvp_sim_arg(0, 6);
    if (steps < 2)
        steps = 2;
    if (steps > MAX_STEPS)
        steps = MAX_STEPS;
    make_data();
    printf("     FC 32 -> 32 ReLU -> 10, batch 16, lr %.2f, %u steps per mode\n", (double)kLr, steps);
    unsigned failed = 0, count = sizeof modes / sizeof modes[0];
    for (unsigned i = 0; i < count; ++i)
        failed += !run_mode(&modes[i], steps);
    printf("%s sparse_step: %u modes, %u failed\n", failed ? "FAIL" : "PASS", count, failed);
    return failed ? 1 : 0;
}
