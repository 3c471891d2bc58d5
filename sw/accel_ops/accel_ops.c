/*
 * accel_ops: every operation of the training accelerator run on the accelerator (through
 * the driver, stvp/accel.h) and on the CPU (ref_ops.c) on the same deterministic inputs, in
 * the same program, compared with a tolerance (the accelerator may sum in another order).
 * Every output lies in an area with guard words on both sides that must stay untouched.
 * One line per op: PASS/FAIL, the max error relative to the tensor's scale, the accelerator's
 * counter deltas (cycles, MACs, skipped MACs) and the CPU's cycles for the same op (soft-float).
 * Exit 0 iff every op passed.
 */
#include <stdio.h>
#include <string.h>

#include "ref_ops.h"
#include "stvp/accel.h"
#include "stvp/bsp.h"

static unsigned ops_run, ops_failed;

static stvp_accel_desc chain[4];

/* Outputs of the accelerator (guarded) and of the CPU reference. */
REF_AREA(out0, 1024);
REF_AREA(out1, 64);
static float ref0[1024], ref1[64];

/* ---- shapes ---- */

enum { FN = 8, FC_ = 16, FK = 12 }; /* FC: batch, in, out */
static const stvp_accel_conv_shape_t conv_s1 = {2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1};
static const stvp_accel_conv_shape_t conv_s2 = {2, 3, 8, 8, 4, 3, 3, 2, 2, 1, 1};
static const stvp_accel_pool_shape_t pool_2x2 = {2, 4, 8, 8, 2, 2, 2, 2};
static const stvp_accel_pool_shape_t pool_3x3 = {2, 4, 8, 8, 3, 3, 2, 2}; /* overlapping windows */
enum { XN = 8, XK = 10 };                                                 /* softmax: batch, classes */
enum { SGD_COUNT = FK * FC_ };

/* ---- inputs ---- */

static float fc_x[FN * FC_], fc_w[FK * FC_], fc_b[FK], fc_dy[FN * FK];
static float cv_x[2 * 3 * 8 * 8], cv_w[4 * 3 * 3 * 3], cv_b[4], cv_dy[2 * 4 * 8 * 8];
static float pl_x[2 * 4 * 8 * 8], pl_dy[2 * 4 * 4 * 4];
static float xe_logits[XN * XK];
static int32_t xe_labels[XN];
static float sgd_w0[SGD_COUNT], sgd_g[SGD_COUNT];

/* Every fifth activation exactly 0 (a ReLU zero the accelerator may skip); the rest in [-1, 1). */
static void fill_activations(float *p, uint32_t count)
{
    ref_fill(p, count, -1.0f, 1.0f);
    for (uint32_t i = 0; i < count; i += 5)
        p[i] = 0.0f;
}

static void make_inputs(void)
{
    ref_seed(0x5eed0001u);
    fill_activations(fc_x, FN * FC_);
    ref_fill(fc_w, FK * FC_, -0.5f, 0.5f);
    ref_fill(fc_b, FK, -0.5f, 0.5f);
    ref_fill(fc_dy, FN * FK, -1.0f, 1.0f);
    fill_activations(cv_x, sizeof cv_x / sizeof cv_x[0]);
    ref_fill(cv_w, sizeof cv_w / sizeof cv_w[0], -0.5f, 0.5f);
    ref_fill(cv_b, 4, -0.5f, 0.5f);
    ref_fill(cv_dy, sizeof cv_dy / sizeof cv_dy[0], -1.0f, 1.0f);
    ref_fill(pl_x, sizeof pl_x / sizeof pl_x[0], -1.0f, 1.0f);
    ref_fill(pl_dy, sizeof pl_dy / sizeof pl_dy[0], -1.0f, 1.0f);
    ref_fill(xe_logits, XN * XK, -3.0f, 3.0f);
    /* Even samples labelled with their largest logit (counted correct), odd ones at random. */
    for (uint32_t i = 0; i < XN; ++i) {
        uint32_t arg = 0;
        for (uint32_t j = 1; j < XK; ++j)
            if (xe_logits[i * XK + j] > xe_logits[i * XK + arg])
                arg = j;
        xe_labels[i] = (int32_t)(i % 2 == 0 ? arg : ref_rand() % XK);
    }
    ref_fill(sgd_w0, SGD_COUNT, -1.0f, 1.0f);
    ref_fill(sgd_g, SGD_COUNT, -1.0f, 1.0f);
}

/* ---- running one op ---- */

typedef struct measure {
    stvp_accel_result_t result;
    stvp_accel_counters_t delta;
    uint64_t cpu_cycles;
    uint64_t mark;
} measure_t;

/* Runs the chain on the accelerator, measuring its counters. */
static uint32_t accel_run(measure_t *m, unsigned count)
{
    stvp_accel_counters_t before, after;
    stvp_accel_read_counters(&before);
    int rc = stvp_accel_run(chain, count, &m->result);
    stvp_accel_read_counters(&after);
    stvp_accel_counters_delta(&before, &after, &m->delta);
    if (rc == STVP_ACCEL_BUSY) {
        m->result.err_code = 0xFFFFFFFFu;
        return m->result.err_code;
    }
    return (uint32_t)rc;
}

static void cpu_begin(measure_t *m)
{
    m->mark = stvp_read_mcycle();
}

static void cpu_end(measure_t *m)
{
    m->cpu_cycles = stvp_read_mcycle() - m->mark;
}

/* Prints the op's line and counts it. ok covers the comparison; this adds the accelerator's
   status, the guards and the counters. */
static void report(const char *name, const measure_t *m, unsigned count, int ok, float err, int guards_ok)
{
    int ran = m->result.err_code == STVP_ACCEL_ERR_NONE && m->result.status == ACCEL_STATUS_DONE_MASK &&
              m->result.descs_done == count;
    int counted = m->delta.cycles > 0 && m->delta.ops_done == count;
    int pass = ran && ok && guards_ok && counted;
    ++ops_run;
    ops_failed += !pass;
    printf("%s %-36s max error %.2e, accel %llu cycles %llu MACs %llu skipped, cpu %llu cycles\n",
           pass ? "PASS" : "FAIL", name, (double)err, (unsigned long long)m->delta.cycles,
           (unsigned long long)m->delta.macs, (unsigned long long)m->delta.macs_skipped,
           (unsigned long long)m->cpu_cycles);
    if (!ran) {
        char msg[200];
        stvp_accel_format_error(&m->result, chain, count, msg, sizeof msg);
        printf("     %s\n", msg);
    }
    if (!guards_ok)
        printf("     guard words around an output were overwritten\n");
    if (!counted)
        printf("     counters: %llu cycles, %lu ops done (expected > 0 and %u)\n",
               (unsigned long long)m->delta.cycles, (unsigned long)m->delta.ops_done, count);
}

/* ---- FC ---- */

static void test_fc(void)
{
    measure_t m;
    const uint32_t ny = FN * FK, nx = FN * FC_, nw = FK * FC_;
    float *y = ref_area_reset(&out0);

    stvp_accel_fc_fwd(&chain[0], FN, FC_, FK, fc_x, fc_w, fc_b, y, 1);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_fc_fwd(FN, FC_, FK, fc_x, fc_w, fc_b, ref0, 1);
    cpu_end(&m);
    float e = ref_max_error(y, ref0, ny);
    report("FC_FWD 8x16x12 bias relu", &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, ny));

    y = ref_area_reset(&out0);
    stvp_accel_fc_fwd(&chain[0], FN, FC_, FK, fc_x, fc_w, NULL, y, 0);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_fc_fwd(FN, FC_, FK, fc_x, fc_w, NULL, ref0, 0);
    cpu_end(&m);
    e = ref_max_error(y, ref0, ny);
    report("FC_FWD 8x16x12 plain", &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, ny));

    float *dx = ref_area_reset(&out0);
    stvp_accel_fc_bwd_data(&chain[0], FN, FC_, FK, fc_dy, fc_w, fc_x, dx);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_fc_bwd_data(FN, FC_, FK, fc_dy, fc_w, fc_x, ref0);
    cpu_end(&m);
    e = ref_max_error(dx, ref0, nx);
    report("FC_BWD_DATA 8x16x12 relu mask", &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, nx));

    dx = ref_area_reset(&out0);
    stvp_accel_fc_bwd_data(&chain[0], FN, FC_, FK, fc_dy, fc_w, NULL, dx);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_fc_bwd_data(FN, FC_, FK, fc_dy, fc_w, NULL, ref0);
    cpu_end(&m);
    e = ref_max_error(dx, ref0, nx);
    report("FC_BWD_DATA 8x16x12 plain", &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, nx));

    float *dw = ref_area_reset(&out0), *db = ref_area_reset(&out1);
    stvp_accel_fc_bwd_weight(&chain[0], FN, FC_, FK, fc_dy, fc_x, dw, db);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_fc_bwd_weight(FN, FC_, FK, fc_dy, fc_x, ref0, ref1);
    cpu_end(&m);
    e = ref_max_error(dw, ref0, nw);
    float eb = ref_max_error(db, ref1, FK);
    if (eb > e)
        e = eb;
    report("FC_BWD_WEIGHT 8x16x12 bias", &m, 1, e <= REF_TOLERANCE, e,
           ref_area_intact(&out0, nw) && ref_area_intact(&out1, FK));
}

/* ---- CONV ---- */

static uint32_t conv_y_count(const stvp_accel_conv_shape_t *s)
{
    return s->n * s->k * stvp_accel_conv_out_h(s) * stvp_accel_conv_out_w(s);
}

static void test_conv(const stvp_accel_conv_shape_t *s, const char *tag)
{
    measure_t m;
    char name[48];
    const uint32_t ny = conv_y_count(s), nx = s->n * s->c * s->h * s->w, nw = s->k * s->c * s->r * s->s;

    float *y = ref_area_reset(&out0);
    stvp_accel_conv_fwd(&chain[0], s, cv_x, cv_w, cv_b, y, 1);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_conv_fwd(s, cv_x, cv_w, cv_b, ref0, 1);
    cpu_end(&m);
    float e = ref_max_error(y, ref0, ny);
    snprintf(name, sizeof name, "CONV_FWD %s bias relu", tag);
    report(name, &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, ny));

    float *dx = ref_area_reset(&out0);
    stvp_accel_conv_bwd_data(&chain[0], s, cv_dy, cv_w, cv_x, dx);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_conv_bwd_data(s, cv_dy, cv_w, cv_x, ref0);
    cpu_end(&m);
    e = ref_max_error(dx, ref0, nx);
    snprintf(name, sizeof name, "CONV_BWD_DATA %s relu mask", tag);
    report(name, &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, nx));

    float *dw = ref_area_reset(&out0), *db = ref_area_reset(&out1);
    stvp_accel_conv_bwd_weight(&chain[0], s, cv_dy, cv_x, dw, db);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_conv_bwd_weight(s, cv_dy, cv_x, ref0, ref1);
    cpu_end(&m);
    e = ref_max_error(dw, ref0, nw);
    float eb = ref_max_error(db, ref1, s->k);
    if (eb > e)
        e = eb;
    snprintf(name, sizeof name, "CONV_BWD_WEIGHT %s bias", tag);
    report(name, &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, nw) && ref_area_intact(&out1, s->k));
}

/* ---- pooling ---- */

static void test_pool(const stvp_accel_pool_shape_t *s, const char *tag, int relu_mask)
{
    measure_t m;
    char name[48];
    const uint32_t ny = s->n * s->c * stvp_accel_pool_out_h(s) * stvp_accel_pool_out_w(s);
    const uint32_t nx = s->n * s->c * s->h * s->w;

    float *y = ref_area_reset(&out0);
    stvp_accel_maxpool_fwd(&chain[0], s, pl_x, y);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_maxpool_fwd(s, pl_x, ref0);
    cpu_end(&m);
    float e = ref_max_error(y, ref0, ny);
    snprintf(name, sizeof name, "MAXPOOL_FWD %s", tag);
    report(name, &m, 1, e == 0.0f, e, ref_area_intact(&out0, ny));

    float *dx = ref_area_reset(&out0);
    stvp_accel_maxpool_bwd(&chain[0], s, pl_x, pl_dy, dx, relu_mask);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_maxpool_bwd(s, pl_x, pl_dy, ref0, relu_mask);
    cpu_end(&m);
    e = ref_max_error(dx, ref0, nx);
    snprintf(name, sizeof name, "MAXPOOL_BWD %s%s", tag, relu_mask ? " relu mask" : "");
    /* Overlapping windows accumulate: two additions in another order may round differently. */
    report(name, &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, nx));
}

/* ---- loss ---- */

static void test_xent(void)
{
    measure_t m;
    float *d = ref_area_reset(&out0);
    stvp_accel_xent_result *res = (stvp_accel_xent_result *)ref_area_reset(&out1);
    stvp_accel_xent_result want;
    stvp_accel_softmax_xent(&chain[0], XN, XK, xe_logits, xe_labels, d, res);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_softmax_xent(XN, XK, xe_logits, xe_labels, ref0, &want);
    cpu_end(&m);
    float e = ref_max_error(d, ref0, XN * XK);
    float el = ref_max_error(&res->loss, &want.loss, 1);
    if (el > e)
        e = el;
    int ok = e <= REF_TOLERANCE && res->correct == want.correct;
    report("SOFTMAX_XENT 8x10", &m, 1, ok, e, ref_area_intact(&out0, XN * XK) && ref_area_intact(&out1, 2));
    printf("     loss %.6f (cpu %.6f), correct %lu (cpu %lu)\n", (double)res->loss, (double)want.loss,
           (unsigned long)res->correct, (unsigned long)want.correct);
}

/* ---- update ---- */

static void test_sgd(void)
{
    measure_t m;
    float *w = ref_area_reset(&out0);
    memcpy(w, sgd_w0, sizeof sgd_w0);
    memcpy(ref0, sgd_w0, sizeof sgd_w0);
    stvp_accel_sgd(&chain[0], SGD_COUNT, w, sgd_g, 0.1f, 1e-3f);
    accel_run(&m, 1);
    cpu_begin(&m);
    ref_sgd(SGD_COUNT, ref0, sgd_g, 0.1f, 1e-3f);
    cpu_end(&m);
    float e = ref_max_error(w, ref0, SGD_COUNT);
    report("SGD 192 lr 0.1 wd 1e-3", &m, 1, e <= REF_TOLERANCE, e, ref_area_intact(&out0, SGD_COUNT));
}

/* ---- load/store engine and the scratchpad ---- */

static void test_copy(const stvp_accel_info_t *info)
{
    measure_t m;
    const uint32_t bytes = sizeof fc_x;

    /* DRAM -> DRAM. */
    float *y = ref_area_reset(&out0);
    stvp_accel_copy(&chain[0], y, fc_x, bytes);
    accel_run(&m, 1);
    m.cpu_cycles = 0;
    int same = memcmp(y, fc_x, bytes) == 0;
    report("COPY 512 bytes DRAM to DRAM", &m, 1, same, same ? 0.0f : 1.0f, ref_area_intact(&out0, bytes / 4));

    if (!(info->caps & ACCEL_CAPS_SCRATCHPAD_MASK) || info->spad_bytes < 4096) {
        printf("SKIP COPY and FC_FWD in the scratchpad (no scratchpad of 4 KiB)\n");
        return;
    }
    /* X and W into the scratchpad, FC there, Y back to DRAM: a chain of four, each step
       seeing the previous one's output. */
    float *sx = (float *)(uintptr_t)STVP_SPAD_BASE;
    float *sw = sx + FN * FC_;
    float *sy = sw + FK * FC_;
    y = ref_area_reset(&out0);
    stvp_accel_copy(&chain[0], sx, fc_x, sizeof fc_x);
    stvp_accel_copy(&chain[1], sw, fc_w, sizeof fc_w);
    stvp_accel_fc_fwd(&chain[2], FN, FC_, FK, sx, sw, NULL, sy, 1);
    stvp_accel_copy(&chain[3], y, sy, FN * FK * sizeof(float));
    accel_run(&m, 4);
    cpu_begin(&m);
    ref_fc_fwd(FN, FC_, FK, fc_x, fc_w, NULL, ref0, 1);
    cpu_end(&m);
    float e = ref_max_error(y, ref0, FN * FK);
    report("COPY, FC_FWD, COPY via scratchpad", &m, 4, e <= REF_TOLERANCE, e, ref_area_intact(&out0, FN * FK));
}

int main(void)
{
    if (stvp_accel_init(1) != 0) {
        printf("FAIL accel_ops: no accelerator at 0x%08x\n", (unsigned)STVP_ACCEL_BASE);
        return 1;
    }
    stvp_plic_set_threshold(0);
    stvp_accel_info_t info;
    stvp_accel_read_info(&info);
    printf("     accel: version 0x%08lx, %lux%lu PEs, %lu kHz, ops 0x%08lx, caps 0x%lx, scratchpad %lu bytes\n",
           (unsigned long)info.version, (unsigned long)info.rows, (unsigned long)info.cols,
           (unsigned long)info.clock_khz, (unsigned long)info.ops, (unsigned long)info.caps,
           (unsigned long)info.spad_bytes);

    make_inputs();
    test_fc();
    printf("     conv: X 2x3x8x8, W 4x3x3x3, pad 1; pool: X 2x4x8x8\n");
    test_conv(&conv_s1, "s1");
    test_conv(&conv_s2, "s2");
    test_pool(&pool_2x2, "2x2 s2", 1);
    test_pool(&pool_3x3, "3x3 s2", 0);
    test_xent();
    test_sgd();
    test_copy(&info);

    stvp_accel_counters_t total;
    stvp_accel_read_counters(&total);
    printf("     totals: %lu ops, %llu cycles, %llu MACs, %llu skipped, %llu DRAM bytes, %llu pJ\n",
           (unsigned long)total.ops_done, (unsigned long long)total.cycles, (unsigned long long)total.macs,
           (unsigned long long)total.macs_skipped, (unsigned long long)total.dram_bytes,
           (unsigned long long)total.energy_pj);
    printf("%s accel_ops: %u ops, %u failed\n", ops_failed ? "FAIL" : "PASS", ops_run, ops_failed);
    return ops_failed ? 1 : 0;
}
