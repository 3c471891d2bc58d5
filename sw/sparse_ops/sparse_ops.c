/*
 * sparse_ops: every sparse mode of the training accelerator (stvp/hw/accel_desc.h, SPARSE
 * MODES) run through the driver and checked against a CPU reference computed here in plain C
 * (soft-float; small shapes):
 *   INIT_WEIGHTS  bit-exact against the W0 generator (splitmix64, Kaiming-uniform);
 *   DROPBACK      TOPK: the exact per-layer top-k of |W - d*W0|, the master's reset and the
 *                 block copy bit-exact; quantile estimator (FIRST over two layers): the
 *                 estimator replayed in double, tracked set and estimate exact;
 *   NM_PREGEN     2:4 forward and backward copies bit-exact (values and indices);
 *   GRAD_PRUNE    tau against mean|g|*sqrt(pi/2)*Phi^-1((1+p)/2), every element against the
 *                 per-lane xorshift32 rule with the device's tau;
 *   FC/CONV forward and input grad in BLOCK and NM formats against the dense reference on the
 *   decoded weights (tolerance REF_TOLERANCE), SKIP_ZEROS against the dense op (and MACs
 *   skipped). Outputs lie between guard words. Exit code 0 iff every check passed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ref_ops.h"
#include "stvp/accel.h"
#include "stvp/bsp.h"

static unsigned checks_run, checks_failed;
static stvp_accel_desc chain[4];

static void check(int ok, const char *name, const char *detail)
{
    ++checks_run;
    checks_failed += !ok;
    printf("%s %-40s %s\n", ok ? "PASS" : "FAIL", name, detail);
}

/* Runs `count` descriptors; 1 if the chain completed. Prints the device's error otherwise. */
static stvp_accel_counters_t delta;
static int run(unsigned count)
{
    stvp_accel_counters_t before, after;
    stvp_accel_result_t r;
    stvp_accel_read_counters(&before);
    int rc = stvp_accel_run(chain, count, &r);
    stvp_accel_read_counters(&after);
    stvp_accel_counters_delta(&before, &after, &delta);
    int ok = rc == 0 && r.err_code == STVP_ACCEL_ERR_NONE && r.descs_done == count;
    if (!ok) {
        char msg[200];
        stvp_accel_format_error(&r, chain, count, msg, sizeof msg);
        printf("     %s\n", msg);
    }
    return ok;
}

/* ---- W0 (models/accel/sparse/init_weights.cpp), bit for bit ---- */

static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void w0_fill(float *w, uint32_t layer, uint32_t count, uint32_t fan_in, uint64_t seed)
{
    const float b = (float)sqrt(6.0 / (double)fan_in);
    const uint64_t key = mix64(mix64(seed) ^ layer);
    for (uint32_t i = 0; i < count; ++i) {
        const float u = (float)(uint32_t)(mix64(key ^ (uint64_t)i) >> 40) * (1.0f / 16777216.0f);
        w[i] = (2.0f * u - 1.0f) * b;
    }
}

static int same_bits(const float *a, const float *b, uint32_t n)
{
    return memcmp(a, b, 4u * n) == 0;
}

/* ---- shapes and buffers ---- */

enum { FN = 8, FC_ = 16, FK = 12, FW = FK * FC_, CW = 4 * 3 * 3 * 3, CX = 2 * 3 * 8 * 8, CY = 2 * 4 * 8 * 8 };
enum { WMAX = FW > CW ? FW : CW };
static const stvp_accel_conv_shape_t cs = {2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1};
static const uint64_t kSeed = 0x5eed5eedull;
enum { LAYER_FC = 1, LAYER_CONV = 2 };

static float fc_x[FN * FC_], fc_dy[FN * FK], cv_x[CX], cv_dy[CY];
static float w_fc[FW], w_cv[CW], w0[WMAX], want[WMAX];
static uint8_t keep_fc[FW], keep_cv[CW];
static float dec_fc[FW], dec_cv[CW]; /* decoded weights (pruned = 0) */
static uint32_t blocks_fc[STVP_ACCEL_BLOCK_BYTES(FK, FC_, 1, 1) / 4], blocks_cv[STVP_ACCEL_BLOCK_BYTES(4, 3, 3, 3) / 4];
static uint32_t nmf_fc[STVP_ACCEL_NM_BYTES(FK, 1, FC_, 2, 4) / 4], nmb_fc[STVP_ACCEL_NM_BYTES(FC_, 1, FK, 2, 4) / 4];
static uint32_t nmf_cv[STVP_ACCEL_NM_BYTES(4, 9, 3, 2, 4) / 4], nmb_cv[STVP_ACCEL_NM_BYTES(3, 9, 4, 2, 4) / 4];
static stvp_accel_dropback_result db_res;
REF_AREA(out0, 1024);
static float ref0[1024];

/* ---- INIT_WEIGHTS ---- */

static void test_init(void)
{
    char msg[96];
    stvp_accel_init_weights(&chain[0], LAYER_FC, FK, FC_, 1, 1, kSeed, w_fc);
    stvp_accel_init_weights(&chain[1], LAYER_CONV, 4, 3, 3, 3, kSeed, w_cv);
    int ran = run(2);
    w0_fill(want, LAYER_FC, FW, FC_, kSeed);
    int ok = ran && same_bits(w_fc, want, FW);
    w0_fill(want, LAYER_CONV, CW, 27, kSeed);
    ok = ok && same_bits(w_cv, want, CW);
    snprintf(msg, sizeof msg, "FC 12x16 and CONV 4x3x3x3 bit-exact, %llu cycles", (unsigned long long)delta.cycles);
    check(ok, "INIT_WEIGHTS", msg);
}

/* ---- DROPBACK ---- */

/* Decodes a block copy (accel_desc.h, BLOCK COPY) into dense weights and a kept mask. */
static int decode_blocks(const uint32_t *copy, uint32_t k, uint32_t c, uint32_t r, uint32_t s, float *w,
                         uint8_t *keep)
{
    const stvp_accel_block_header *h = (const stvp_accel_block_header *)copy;
    const uint32_t rs = r * s, fc = rs == 1;
    const uint32_t bk = fc ? STVP_ACCEL_BLOCK_FC : 1, bc = fc ? STVP_ACCEL_BLOCK_FC : 1;
    const uint32_t nb = STVP_ACCEL_BLOCK_COUNT(k, c, r, s), cbs = STVP_ACCEL_DIV_UP(c, bc);
    if (h->blocks != nb || h->bk != bk || h->bc != bc)
        return 0;
    const uint32_t *mask = copy + 4, *ptr = mask + 2 * nb;
    const float *values = (const float *)(ptr + nb);
    memset(w, 0, 4u * k * c * rs);
    memset(keep, 0, k * c * rs);
    uint32_t seen = 0;
    for (uint32_t b = 0; b < nb; ++b) {
        const uint32_t kb = b / cbs, cb = b % cbs;
        if (ptr[b] != seen)
            return 0;
        for (uint32_t t = 0; t < bk * bc * rs; ++t) {
            if (!((t < 32 ? mask[2 * b] >> t : mask[2 * b + 1] >> (t - 32)) & 1u))
                continue;
            const uint32_t kk = t / (bc * rs), cc = t / rs % bc, x = t % rs;
            const uint32_t kw = kb * bk + kk, cw = cb * bc + cc;
            if (kw >= k || cw >= c)
                return 0;
            const uint32_t i = (kw * c + cw) * rs + x;
            w[i] = values[seen++];
            keep[i] = 1;
        }
    }
    return seen == h->nnz;
}

/* CPU top-k of scores (ties to the lower index): marks keep[]. Selection by repeated maxima
   (small layers). */
static void top_k(const float *score, uint32_t n, uint32_t k, uint8_t *keep)
{
    memset(keep, 0, n);
    for (uint32_t j = 0; j < k; ++j) {
        int best = -1;
        for (uint32_t i = 0; i < n; ++i)
            if (!keep[i] && (best < 0 || score[i] > score[best]))
                best = (int)i;
        keep[best] = 1;
    }
}

/* The expected master after DROPBACK (untracked -> d*W0) and the decoded copy. */
static void expect_dropback(const float *w_before, const float *w0v, const uint8_t *keep, uint32_t n, float d,
                            float *master, float *decoded)
{
    for (uint32_t i = 0; i < n; ++i) {
        master[i] = keep[i] ? w_before[i] : d * w0v[i];
        decoded[i] = keep[i] ? w_before[i] : 0.0f;
    }
}

static float w_before[WMAX], score_v[WMAX], dec_want[WMAX];
static uint8_t keep_want[WMAX];

/* One layer's DROPBACK TOPK against the CPU: the "trained" W is W0 plus a perturbation. */
static void test_dropback_topk(const char *name, uint32_t layer, uint32_t k, uint32_t c, uint32_t r, uint32_t s,
                               float *w, uint32_t *copy, uint8_t *keep, float *dec)
{
    char msg[128];
    const uint32_t n = k * c * r * s;
    const float d = 0.9f, f = 0.25f;
    w0_fill(w0, layer, n, c * r * s, kSeed);
    ref_fill(w, n, -0.2f, 0.2f);
    for (uint32_t i = 0; i < n; ++i)
        w[i] += w0[i];
    memcpy(w_before, w, 4u * n);
    stvp_accel_dropback(&chain[0], layer, k, c, r, s, kSeed, d, f, 1, 1, w, copy, &db_res);
    int ran = run(1);
    for (uint32_t i = 0; i < n; ++i)
        score_v[i] = fabsf(w_before[i] - d * w0[i]);
    const uint32_t kk = (uint32_t)(f * (float)n + 0.5f);
    top_k(score_v, n, kk, keep_want);
    expect_dropback(w_before, w0, keep_want, n, d, want, dec_want);
    int master_ok = same_bits(w, want, n);
    int copy_ok = decode_blocks(copy, k, c, r, s, dec, keep) && memcmp(keep, keep_want, n) == 0 &&
                  same_bits(dec, dec_want, n);
    int res_ok = db_res.tracked == kk && db_res.total == n;
    snprintf(msg, sizeof msg, "tracked %lu of %lu (want %lu), master %s, block copy %s", (unsigned long)db_res.tracked,
             (unsigned long)n, (unsigned long)kk, master_ok ? "exact" : "differs", copy_ok ? "exact" : "differs");
    check(ran && master_ok && copy_ok && res_ok, name, msg);
}

/* The Procrustes estimator (models/accel/sparse/dropback.h) over two layers in one step. */
static void test_dropback_quantile(void)
{
    static float wa[FW], wb[CW], w0a[FW], w0b[CW], ma[FW], mb[CW];
    static uint32_t ca[STVP_ACCEL_BLOCK_BYTES(FK, FC_, 1, 1) / 4], cb[STVP_ACCEL_BLOCK_BYTES(4, 3, 3, 3) / 4];
    static stvp_accel_dropback_result ra, rb;
    char msg[160];
    const float d = 0.95f, f = 0.3f;
    w0_fill(w0a, 11, FW, FC_, kSeed);
    w0_fill(w0b, 12, CW, 27, kSeed);
    /* Perturbations around the estimator's initial 1e-2 so that it selects some of each. */
    ref_fill(wa, FW, -0.03f, 0.03f);
    ref_fill(wb, CW, -0.03f, 0.03f);
    for (uint32_t i = 0; i < FW; ++i)
        wa[i] += d * w0a[i], ma[i] = wa[i];
    for (uint32_t i = 0; i < CW; ++i)
        wb[i] += d * w0b[i], mb[i] = wb[i];
    stvp_accel_soft_reset(); /* the estimator restarts from its configured initial estimate */
    stvp_accel_dropback(&chain[0], 11, FK, FC_, 1, 1, kSeed, d, f, 1, 0, wa, ca, &ra);
    stvp_accel_dropback(&chain[1], 12, 4, 3, 3, 3, kSeed, d, f, 0, 0, wb, cb, &rb);
    int ran = run(2);
    stvp_accel_sparse_counters_t sc;
    stvp_accel_read_sparse_counters(&sc);
    /* Replay: est starts at 1e-2 (default accel.sparse.quantile.initial), q = 1 - f. */
    const double q = 1.0 - (double)f, lambda = 1e-6;
    const double up = 1.0 + lambda * q, down = 1.0 - lambda * (1.0 - q);
    double est = 1e-2;
    uint32_t tracked = 0;
    int exact = 1;
    for (int layer = 0; layer < 2; ++layer) {
        const uint32_t n = layer ? CW : FW;
        float *m = layer ? mb : ma;
        const float *w0v = layer ? w0b : w0a, *got = layer ? wb : wa;
        for (uint32_t i = 0; i < n; ++i) {
            const double x = (double)fabsf(m[i] - d * w0v[i]);
            if (x > est) {
                est *= up;
                ++tracked;
            } else {
                est *= down;
                m[i] = d * w0v[i];
            }
        }
        exact = exact && same_bits(got, m, n);
    }
    int ok = ran && exact && ra.tracked + rb.tracked == tracked && sc.tracked == tracked &&
             sc.quantile_est == (float)est && tracked > 0 && tracked < FW + CW;
    snprintf(msg, sizeof msg, "2 layers, tracked %lu (cpu %lu) of %u, estimate %.6g (cpu %.6g), masters %s",
             (unsigned long)(ra.tracked + rb.tracked), (unsigned long)tracked, FW + CW, (double)sc.quantile_est, est,
             exact ? "exact" : "differ");
    check(ok, "DROPBACK quantile estimator", msg);
}

/* ---- NM_PREGEN ---- */

/* Expected N:M copy (accel_desc.h, N:M COPY) of w[K][C][R][S] grouped along C (forward) or K
   (backward); also marks the kept weights. */
static int nm_expect_check(const uint32_t *copy, const float *w, uint32_t k, uint32_t c, uint32_t rs, uint32_t n,
                           uint32_t m, int backward, uint8_t *keep)
{
    const uint32_t lines = backward ? c : k, len = backward ? k : c, groups = STVP_ACCEL_DIV_UP(len, m);
    const uint32_t slots = STVP_ACCEL_NM_SLOTS(lines, rs, len, n, m);
    const float *values = (const float *)copy;
    const uint8_t *index = (const uint8_t *)(values + slots);
    memset(keep, 0, k * c * rs);
    uint32_t slot = 0;
    for (uint32_t a = 0; a < lines; ++a)
        for (uint32_t x = 0; x < rs; ++x)
            for (uint32_t j = 0; j < groups; ++j) {
                const uint32_t g0 = j * m, gl = len - g0 < m ? len - g0 : m, nk = gl < n ? gl : n;
                uint8_t taken[256];
                memset(taken, 0, gl);
                for (uint32_t t = 0; t < nk; ++t) { /* the nk largest |w|, ties to the lower index */
                    int best = -1;
                    for (uint32_t p = 0; p < gl; ++p) {
                        const uint32_t kk = backward ? g0 + p : a, cc = backward ? a : g0 + p;
                        const float v = fabsf(w[(kk * c + cc) * rs + x]);
                        if (!taken[p]) {
                            if (best < 0)
                                best = (int)p;
                            else {
                                const uint32_t bk2 = backward ? g0 + best : a, bc2 = backward ? a : g0 + best;
                                if (v > fabsf(w[(bk2 * c + bc2) * rs + x]))
                                    best = (int)p;
                            }
                        }
                    }
                    taken[best] = 1;
                }
                uint32_t t = 0;
                for (uint32_t p = 0; p < gl; ++p) {
                    if (!taken[p])
                        continue;
                    const uint32_t kk = backward ? g0 + p : a, cc = backward ? a : g0 + p;
                    const uint32_t wi = (kk * c + cc) * rs + x;
                    if (index[slot + t] != p || memcmp(&values[slot + t], &w[wi], 4) != 0)
                        return 0;
                    keep[wi] = 1;
                    ++t;
                }
                for (; t < n; ++t)
                    if (index[slot + t] != 0 || values[slot + t] != 0.0f)
                        return 0;
                slot += n;
            }
    return slot == slots;
}

static uint8_t keep_b[WMAX];
static float dec_b_fc[FW], dec_b_cv[CW];

static void test_nm(void)
{
    char msg[96];
    ref_fill(w_fc, FW, -0.5f, 0.5f);
    ref_fill(w_cv, CW, -0.5f, 0.5f);
    stvp_accel_nm_pregen(&chain[0], LAYER_FC, FK, FC_, 1, 1, 2, 4, w_fc, nmf_fc, nmb_fc);
    stvp_accel_nm_pregen(&chain[1], LAYER_CONV, 4, 3, 3, 3, 2, 4, w_cv, nmf_cv, nmb_cv);
    int ran = run(2);
    int ok_fc = nm_expect_check(nmf_fc, w_fc, FK, FC_, 1, 2, 4, 0, keep_fc);
    for (uint32_t i = 0; i < FW; ++i)
        dec_fc[i] = keep_fc[i] ? w_fc[i] : 0.0f;
    ok_fc = ok_fc && nm_expect_check(nmb_fc, w_fc, FK, FC_, 1, 2, 4, 1, keep_b);
    for (uint32_t i = 0; i < FW; ++i)
        dec_b_fc[i] = keep_b[i] ? w_fc[i] : 0.0f;
    int ok_cv = nm_expect_check(nmf_cv, w_cv, 4, 3, 9, 2, 4, 0, keep_cv);
    for (uint32_t i = 0; i < CW; ++i)
        dec_cv[i] = keep_cv[i] ? w_cv[i] : 0.0f;
    ok_cv = ok_cv && nm_expect_check(nmb_cv, w_cv, 4, 3, 9, 2, 4, 1, keep_b);
    for (uint32_t i = 0; i < CW; ++i)
        dec_b_cv[i] = keep_b[i] ? w_cv[i] : 0.0f;
    snprintf(msg, sizeof msg, "2:4 fwd+bwd copies: FC %s, CONV (C=3: short groups) %s", ok_fc ? "exact" : "differ",
             ok_cv ? "exact" : "differ");
    check(ran && ok_fc && ok_cv, "NM_PREGEN", msg);
}

/* ---- FC/CONV on sparse formats ---- */

static void op_check(const char *name, unsigned count, const float *want_v, uint32_t n, int want_skipped)
{
    char msg[128];
    const float *got = (const float *)(out0.mem + REF_GUARD_WORDS);
    int ran = run(count);
    float e = ref_max_error(got, want_v, n);
    int ok = ran && e <= REF_TOLERANCE && ref_area_intact(&out0, n) && (!want_skipped || delta.macs_skipped > 0);
    snprintf(msg, sizeof msg, "max error %.2e, %llu cycles %llu MACs %llu skipped", (double)e,
             (unsigned long long)delta.cycles, (unsigned long long)delta.macs, (unsigned long long)delta.macs_skipped);
    check(ok, name, msg);
}

static void test_format_ops(void)
{
    /* BLOCK: the copies DROPBACK TOPK wrote (dec_* decoded and checked there). */
    float *y = ref_area_reset(&out0);
    stvp_accel_fc_fwd(&chain[0], FN, FC_, FK, fc_x, NULL, NULL, y, 0);
    stvp_accel_desc_block(&chain[0], blocks_fc);
    ref_fc_fwd(FN, FC_, FK, fc_x, dec_fc, NULL, ref0, 0);
    op_check("FC_FWD BLOCK 8x16x12", 1, ref0, FN * FK, 1);

    y = ref_area_reset(&out0);
    stvp_accel_fc_bwd_data(&chain[0], FN, FC_, FK, fc_dy, NULL, NULL, y);
    stvp_accel_desc_block(&chain[0], blocks_fc);
    ref_fc_bwd_data(FN, FC_, FK, fc_dy, dec_fc, NULL, ref0);
    op_check("FC_BWD_DATA BLOCK 8x16x12", 1, ref0, FN * FC_, 1);

    y = ref_area_reset(&out0);
    stvp_accel_conv_fwd(&chain[0], &cs, cv_x, NULL, NULL, y, 1);
    stvp_accel_desc_block(&chain[0], blocks_cv);
    ref_conv_fwd(&cs, cv_x, dec_cv, NULL, ref0, 1);
    op_check("CONV_FWD BLOCK relu", 1, ref0, CY, 1);

    y = ref_area_reset(&out0);
    stvp_accel_conv_bwd_data(&chain[0], &cs, cv_dy, NULL, cv_x, y);
    stvp_accel_desc_block(&chain[0], blocks_cv);
    ref_conv_bwd_data(&cs, cv_dy, dec_cv, cv_x, ref0);
    op_check("CONV_BWD_DATA BLOCK relu mask", 1, ref0, CX, 1);
}

static void test_nm_ops(void)
{
    float *y = ref_area_reset(&out0);
    stvp_accel_fc_fwd(&chain[0], FN, FC_, FK, fc_x, NULL, NULL, y, 0);
    stvp_accel_desc_nm(&chain[0], nmf_fc, 2, 4);
    ref_fc_fwd(FN, FC_, FK, fc_x, dec_fc, NULL, ref0, 0);
    op_check("FC_FWD NM 2:4", 1, ref0, FN * FK, 1);

    y = ref_area_reset(&out0);
    stvp_accel_fc_bwd_data(&chain[0], FN, FC_, FK, fc_dy, NULL, NULL, y);
    stvp_accel_desc_nm(&chain[0], nmb_fc, 2, 4);
    ref_fc_bwd_data(FN, FC_, FK, fc_dy, dec_b_fc, NULL, ref0);
    op_check("FC_BWD_DATA NM 2:4", 1, ref0, FN * FC_, 1);

    y = ref_area_reset(&out0);
    stvp_accel_conv_fwd(&chain[0], &cs, cv_x, NULL, NULL, y, 0);
    stvp_accel_desc_nm(&chain[0], nmf_cv, 2, 4);
    ref_conv_fwd(&cs, cv_x, dec_cv, NULL, ref0, 0);
    op_check("CONV_FWD NM 2:4", 1, ref0, CY, 1);

    y = ref_area_reset(&out0);
    stvp_accel_conv_bwd_data(&chain[0], &cs, cv_dy, NULL, NULL, y);
    stvp_accel_desc_nm(&chain[0], nmb_cv, 2, 4);
    ref_conv_bwd_data(&cs, cv_dy, dec_b_cv, NULL, ref0);
    op_check("CONV_BWD_DATA NM 2:4", 1, ref0, CX, 1);
}

static void test_skip_zeros(void)
{
    static float w[FW], cw[CW];
    ref_fill(w, FW, -0.5f, 0.5f);
    ref_fill(cw, CW, -0.5f, 0.5f);
    float *y = ref_area_reset(&out0);
    stvp_accel_fc_fwd(&chain[0], FN, FC_, FK, fc_x, w, NULL, y, 1);
    stvp_accel_desc_skip_zeros(&chain[0]);
    ref_fc_fwd(FN, FC_, FK, fc_x, w, NULL, ref0, 1);
    op_check("FC_FWD SKIP_ZEROS (X 1/5 zero)", 1, ref0, FN * FK, 1);

    y = ref_area_reset(&out0);
    stvp_accel_fc_bwd_weight(&chain[0], FN, FC_, FK, fc_dy, fc_x, y, NULL);
    stvp_accel_desc_skip_zeros(&chain[0]);
    ref_fc_bwd_weight(FN, FC_, FK, fc_dy, fc_x, ref0, NULL);
    op_check("FC_BWD_WEIGHT SKIP_ZEROS", 1, ref0, FW, 1);

    y = ref_area_reset(&out0);
    stvp_accel_conv_fwd(&chain[0], &cs, cv_x, cw, NULL, y, 0);
    stvp_accel_desc_skip_zeros(&chain[0]);
    ref_conv_fwd(&cs, cv_x, cw, NULL, ref0, 0);
    op_check("CONV_FWD SKIP_ZEROS", 1, ref0, CY, 1);
}

/* ---- GRAD_PRUNE ---- */

static const double kPi = 3.14159265358979323846;

/* Phi^-1 by bisection on erfc, as models/accel/sparse/gradient_pruner.cpp. */
static double inverse_normal_cdf(double p)
{
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static void test_grad_prune(void)
{
    enum { G = 512, LANES = 16 };
    static float g[G], g0[G];
    static stvp_accel_prune_result res;
    char msg[160];
    const float p = 0.8f;
    const uint32_t seed = 99;
    ref_fill(g, G, -1.0f, 1.0f);
    for (uint32_t i = 0; i < G; i += 4)
        g[i] = 0.0f; /* natural ReLU zeros */
    memcpy(g0, g, sizeof g);
    stvp_accel_grad_prune(&chain[0], 3, G, g, p, seed, &res);
    int ran = run(1);
    double sum = 0;
    uint32_t zeros_before = 0, zeros_after = 0;
    for (uint32_t i = 0; i < G; ++i)
        sum += fabs((double)g0[i]), zeros_before += g0[i] == 0.0f;
    const double tau_cpu = inverse_normal_cdf((1.0 + (double)p) / 2.0) * (sum / G * sqrt(kPi / 2.0));
    const float tau = res.tau;
    int tau_ok = fabs((double)tau - tau_cpu) <= 1e-6 * tau_cpu;
    /* Every element: per-lane xorshift32 (lane l seeded as accel_desc.h says, element i on
       lane i % 16). */
    uint32_t lane[LANES];
    for (uint32_t l = 0; l < LANES; ++l)
        lane[l] = stvp_accel_prune_lane_seed(seed, l);
    int elems_ok = 1;
    for (uint32_t i = 0; i < G; ++i) {
        float v = g0[i], a = fabsf(v), e = v;
        if (a < tau && v != 0.0f) {
            uint32_t *x = &lane[i % LANES];
            *x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
            const float u = (float)(*x >> 8) * (1.0f / 16777216.0f);
            e = u * tau < a ? copysignf(tau, v) : 0.0f;
        }
        zeros_after += e == 0.0f;
        elems_ok = elems_ok && memcmp(&e, &g[i], 4) == 0;
    }
    int ok = ran && tau_ok && elems_ok && res.elements == G && res.zeros_before == zeros_before &&
             res.zeros_after == zeros_after;
    snprintf(msg, sizeof msg, "p 0.8: tau %.6f (cpu %.6f), zeros %lu -> %lu of %u, elements %s", (double)tau, tau_cpu,
             (unsigned long)res.zeros_before, (unsigned long)res.zeros_after, G, elems_ok ? "exact" : "differ");
    check(ok, "GRAD_PRUNE", msg);
}

int main(void)
{
    if (stvp_accel_init(1) != 0) {
        printf("FAIL sparse_ops: no accelerator at 0x%08x\n", (unsigned)STVP_ACCEL_BASE);
        return 1;
    }
    stvp_plic_set_threshold(0);
    stvp_accel_info_t info;
    stvp_accel_read_info(&info);
    if (!(info.caps & ACCEL_CAPS_SPARSE_MASK)) {
        printf("FAIL sparse_ops: the accelerator has no sparse modes (caps 0x%lx)\n", (unsigned long)info.caps);
        return 1;
    }
    ref_seed(0x5eed0002u);
    ref_fill(fc_x, FN * FC_, -1.0f, 1.0f);
    ref_fill(fc_dy, FN * FK, -1.0f, 1.0f);
    ref_fill(cv_x, CX, -1.0f, 1.0f);
    ref_fill(cv_dy, CY, -1.0f, 1.0f);
    for (uint32_t i = 0; i < FN * FC_; i += 5)
        fc_x[i] = 0.0f;
    for (uint32_t i = 0; i < CX; i += 5)
        cv_x[i] = 0.0f;
    printf("     FC N 8, C 16, K 12 (8x8 blocks); CONV X 2x3x8x8, W 4x3x3x3, pad 1\n");

    test_init();
    test_dropback_topk("DROPBACK TOPK FC f 0.25", LAYER_FC, FK, FC_, 1, 1, w_fc, blocks_fc, keep_fc, dec_fc);
    test_dropback_topk("DROPBACK TOPK CONV f 0.25", LAYER_CONV, 4, 3, 3, 3, w_cv, blocks_cv, keep_cv, dec_cv);
    test_format_ops();
    test_dropback_quantile();
    test_nm();
    test_nm_ops();
    test_skip_zeros();
    test_grad_prune();

    printf("%s sparse_ops: %u checks, %u failed\n", checks_failed ? "FAIL" : "PASS", checks_run, checks_failed);
    return checks_failed ? 1 : 0;
}
