/*
 * accel_errors: the accelerator's error paths through the driver (stvp/accel.h). Each bad
 * chain must stop with the documented ERR_CODE, ERR_DESC (descriptor index), ERR_FIELD and
 * ERR_VALUE (stvp/hw/accel_desc.h), STATUS.ERROR, the error interrupt, and must not write
 * anything: the outputs and the guard words around them stay untouched (descriptors before
 * the failing one complete). Then: control writes while busy are refused and counted in
 * CMD_REJECTED without disturbing the running chain, SOFT_RESET clears the error state, the
 * polling wait works, and the device runs a good chain correctly afterwards.
 * One PASS/FAIL line per check; exit 0 iff all passed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ref_ops.h"
#include "stvp/accel.h"
#include "stvp/bsp.h"

static unsigned checks, failures;

static void check(int ok, const char *what)
{
    ++checks;
    failures += !ok;
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
}

#define ADDR(p) ((uint32_t)(uintptr_t)(p))
#define UNMAPPED 0x40000000u /* a hole in the default memory map */
#define DRAM_END ((uint32_t)STVP_DRAM_BASE + (uint32_t)STVP_DRAM_SIZE)

static stvp_accel_info_t info;
static stvp_accel_desc chain[4];

/* A small FC layer: the good descriptor every field case starts from. */
enum { EN = 4, EC = 8, EK = 6 };
static float ex[EN * EC], ew[EK * EC], eb[EK], edy[EN * EK];
static float ref_y[EN * EK];
static float lg[8 * 10];
static int32_t lab[8];

REF_AREA(out0, 256);
REF_AREA(out1, 256);
REF_AREA(out2, 256);

static void fc_good(stvp_accel_desc *d, float *y)
{
    stvp_accel_fc_fwd(d, EN, EC, EK, ex, ew, eb, y, 1);
}

static float *fresh(void)
{
    ref_area_reset(&out1);
    ref_area_reset(&out2);
    return ref_area_reset(&out0);
}

static int areas_untouched(void)
{
    return ref_area_untouched(&out0, out0.words) && ref_area_intact(&out0, 0) &&
           ref_area_untouched(&out1, out1.words) && ref_area_intact(&out1, 0) &&
           ref_area_untouched(&out2, out2.words) && ref_area_intact(&out2, 0);
}

/* Starts `count` descriptors at `base` and checks the error the device reports. */
static void expect_at(const char *what, const stvp_accel_desc *base, unsigned count, uint32_t code, uint32_t index,
                      uint32_t field, uint32_t value, int check_areas)
{
    stvp_accel_result_t r;
    unsigned errs = stvp_accel_error_irq_count();
    int rc = stvp_accel_run(base, count, &r);
    char msg[220], line[320];
    stvp_accel_format_error(&r, base == chain ? chain : NULL, count, msg, sizeof msg);
    int ok = rc == (int)code && r.status == ACCEL_STATUS_ERROR_MASK && r.err_code == code && r.err_desc == index &&
             r.err_field == field && r.err_value == value && r.descs_done == index &&
             stvp_accel_error_irq_count() == errs + 1;
    if (!ok)
        printf("     expected code %lu, descriptor %lu, field %s, value 0x%08lx; got code %lu, descriptor %lu, "
               "field %s, value 0x%08lx, %lu done, error interrupts +%u\n",
               (unsigned long)code, (unsigned long)index, stvp_accel_field_name(field), (unsigned long)value,
               (unsigned long)r.err_code, (unsigned long)r.err_desc, stvp_accel_field_name(r.err_field),
               (unsigned long)r.err_value, (unsigned long)r.descs_done, stvp_accel_error_irq_count() - errs);
    snprintf(line, sizeof line, "%s: %s", what, msg);
    check(ok, line);
    if (check_areas) {
        snprintf(line, sizeof line, "%s: outputs and guard words untouched", what);
        check(areas_untouched(), line);
    }
}

static void expect(const char *what, uint32_t code, uint32_t field, uint32_t value)
{
    expect_at(what, chain, 1, code, 0, field, value, 1);
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* ---- the chain registers ---- */

static void test_chain_registers(void)
{
    fc_good(&chain[0], fresh());
    const stvp_accel_desc *misaligned = (const stvp_accel_desc *)((uintptr_t)chain + 32);
    expect_at("DESC_BASE not 64-byte aligned", misaligned, 1, STVP_ACCEL_ERR_DESC_BASE, 0, STVP_ACCEL_FIELD_NONE,
              ADDR(misaligned), 1);
    expect_at("DESC_BASE 0", NULL, 1, STVP_ACCEL_ERR_DESC_BASE, 0, STVP_ACCEL_FIELD_NONE, 0, 1);
    expect_at("DESC_COUNT 0", chain, 0, STVP_ACCEL_ERR_DESC_COUNT, 0, STVP_ACCEL_FIELD_NONE, 0, 1);
    expect_at("DESC_COUNT above MAX_CHAIN", chain, info.max_chain + 1, STVP_ACCEL_ERR_DESC_COUNT, 0,
              STVP_ACCEL_FIELD_NONE, info.max_chain + 1, 1);
    expect_at("descriptor in unmapped memory", (const stvp_accel_desc *)UNMAPPED, 1, STVP_ACCEL_ERR_DESC_FETCH, 0,
              STVP_ACCEL_FIELD_NONE, UNMAPPED, 1);

    /* Descriptor 0 in the last 128 bytes of DRAM, descriptor 1 past its end: the first runs,
       the fetch of the second fails. */
    stvp_accel_desc *last = (stvp_accel_desc *)(uintptr_t)(DRAM_END - STVP_ACCEL_DESC_SIZE);
    float *y = fresh();
    fc_good(last, y);
    expect_at("descriptor 1 past the end of DRAM", last, 2, STVP_ACCEL_ERR_DESC_FETCH, 1, STVP_ACCEL_FIELD_NONE,
              DRAM_END, 0);
    check(ref_max_error(y, ref_y, EN * EK) <= REF_TOLERANCE && ref_area_intact(&out0, EN * EK),
          "descriptor 1 past the end of DRAM: descriptor 0 completed, guards untouched");
}

/* ---- descriptor fields, in the order of the error codes ---- */

static void test_fields(void)
{
    stvp_accel_desc *d = &chain[0];

    fc_good(d, fresh());
    d->opcode = 0;
    expect("opcode 0", STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, 0);
    fc_good(d, fresh());
    d->opcode = 0x1234;
    expect("opcode 0x1234", STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, 0x1234);
    for (uint32_t op = 1; op < STVP_ACCEL_OP_LIMIT; ++op)
        if (!(info.ops & (1u << op))) {
            fc_good(d, fresh());
            d->opcode = op;
            expect("opcode missing from OPS", STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, op);
            break;
        }

    fc_good(d, fresh());
    d->format = 3; /* 1 (BLOCK) and 2 (NM) exist since version 1.1 */
    expect("format 3", STVP_ACCEL_ERR_FORMAT, STVP_ACCEL_FIELD_FORMAT, 3);

    fc_good(d, fresh());
    d->flags |= STVP_ACCEL_FLAG_RELU_MASK;
    expect("FC_FWD with RELU_MASK", STVP_ACCEL_ERR_FLAGS, STVP_ACCEL_FIELD_FLAGS,
           STVP_ACCEL_FLAG_RELU | STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU_MASK);
    fresh();
    stvp_accel_sgd(d, EK, (float *)out0.mem + REF_GUARD_WORDS, eb, 0.1f, 0.0f);
    d->flags = STVP_ACCEL_FLAG_RELU;
    expect("SGD with RELU", STVP_ACCEL_ERR_FLAGS, STVP_ACCEL_FIELD_FLAGS, STVP_ACCEL_FLAG_RELU);

    fc_good(d, fresh());
    d->h = 3;
    expect("FC_FWD with h 3", STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_H, 3);
    stvp_accel_fc_fwd(d, EN, EC, EK, ex, ew, NULL, fresh(), 1);
    d->src2 = ADDR(eb);
    expect("bias address without FLAG_BIAS", STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_SRC2, ADDR(eb));
    fc_good(d, fresh());
    d->meta0 = 0x80000000u;
    expect("meta0 set (reserved for sparse modes)", STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_META0, 0x80000000u);
    fc_good(d, fresh());
    d->reserved1[2] = 1;
    expect("reserved1[2] set", STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_RESERVED1 + 8, 1);

    fc_good(d, fresh());
    d->n = 0;
    expect("zero batch", STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, 0);
    {
        static const stvp_accel_conv_shape_t s = {1, 2, 8, 8, 2, 3, 3, 1, 1, 1, 1};
        stvp_accel_conv_fwd(d, &s, ex, ew, NULL, fresh(), 0);
        d->r = 11;
        expect("conv kernel 11 larger than padded input 10", STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_R, 11);
        stvp_accel_conv_fwd(d, &s, ex, ew, NULL, fresh(), 0);
        d->pad_h = 3;
        expect("conv pad_h 3 not smaller than kernel 3", STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_PAD_H, 3);
        stvp_accel_conv_fwd(d, &s, ex, ew, NULL, fresh(), 0);
        d->stride_w = 0;
        expect("conv stride_w 0", STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_STRIDE_W, 0);
    }
    {
        static const stvp_accel_pool_shape_t s = {1, 1, 4, 4, 5, 2, 2, 2};
        stvp_accel_maxpool_fwd(d, &s, ex, fresh());
        expect("pool window 5 taller than input 4", STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_R, 5);
    }
    stvp_accel_copy(d, fresh(), ex, 6);
    expect("COPY of 6 bytes", STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, 6);

    {
        float *w = fresh();
        stvp_accel_sgd(d, EK, w, eb, nanf(""), 0.0f);
        expect("SGD learning rate NaN", STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_ALPHA, float_bits(d->alpha));
        stvp_accel_sgd(d, EK, w, eb, 0.1f, INFINITY);
        expect("SGD weight decay infinite", STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_BETA, 0x7F800000u);
    }

    fc_good(d, fresh());
    d->src1 += 2;
    expect("W misaligned", STVP_ACCEL_ERR_ALIGN, STVP_ACCEL_FIELD_SRC1, ADDR(ew) + 2);
    fc_good(d, fresh());
    d->dst0 += 1;
    expect("Y misaligned", STVP_ACCEL_ERR_ALIGN, STVP_ACCEL_FIELD_DST0, ADDR(out0.mem + REF_GUARD_WORDS) + 1);

    fc_good(d, fresh());
    d->src0 = UNMAPPED;
    expect("X unmapped", STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_SRC0, UNMAPPED);
    fc_good(d, fresh());
    d->dst0 = UNMAPPED;
    expect("Y unmapped", STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_DST0, UNMAPPED);
    fc_good(d, fresh());
    d->dst0 = STVP_UART_BASE;
    expect("Y on the UART's registers", STVP_ACCEL_ERR_ADDRESS, STVP_ACCEL_FIELD_DST0, STVP_UART_BASE);

    fc_good(d, fresh());
    d->dst0 = DRAM_END - 16;
    expect("Y running past the end of DRAM", STVP_ACCEL_ERR_CAPACITY, STVP_ACCEL_FIELD_DST0, DRAM_END - 16);
    if (info.caps & ACCEL_CAPS_SCRATCHPAD_MASK) {
        fc_good(d, fresh());
        d->dst0 = STVP_SPAD_BASE + info.spad_bytes - 16;
        expect("Y running past the end of the scratchpad", STVP_ACCEL_ERR_CAPACITY, STVP_ACCEL_FIELD_DST0,
               STVP_SPAD_BASE + info.spad_bytes - 16);
    }

    fc_good(d, fresh());
    d->dst0 = ADDR(ex);
    expect("Y on top of X", STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, ADDR(ex));
    fc_good(d, fresh());
    d->dst0 = ADDR(ew + EK * EC - 4);
    expect("Y overlapping the end of W", STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, ADDR(ew + EK * EC - 4));
    {
        float *dw = fresh();
        stvp_accel_fc_bwd_weight(d, EN, EC, EK, edy, ex, dw, dw + 8);
        expect("db inside dW", STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, ADDR(dw));
        float *w = fresh();
        stvp_accel_sgd(d, 16, w, w + 8, 0.1f, 0.0f);
        expect("SGD gradient overlapping W", STVP_ACCEL_ERR_OVERLAP, STVP_ACCEL_FIELD_DST0, ADDR(w));
    }

    {
        float *dl = fresh();
        stvp_accel_xent_result *res = (stvp_accel_xent_result *)(out1.mem + REF_GUARD_WORDS);
        for (int i = 0; i < 8; ++i)
            lab[i] = i % 10;
        lab[5] = 10;
        stvp_accel_softmax_xent(d, 8, 10, lg, lab, dl, res);
        expect("label 10 of 10 classes at sample 5", STVP_ACCEL_ERR_LABEL, STVP_ACCEL_FIELD_SRC1, 5);
        lab[5] = 5;
        lab[0] = -1;
        fresh();
        expect("label -1 at sample 0", STVP_ACCEL_ERR_LABEL, STVP_ACCEL_FIELD_SRC1, 0);
        lab[0] = 0;
    }
}

/* ---- a failure inside a chain ---- */

static void test_chain_index(void)
{
    float *y2 = fresh();
    float *y0 = (float *)(out1.mem + REF_GUARD_WORDS), *y1 = (float *)(out2.mem + REF_GUARD_WORDS);
    fc_good(&chain[0], y0);
    fc_good(&chain[1], y1);
    fc_good(&chain[2], y2);
    chain[2].src1 += 2;
    stvp_accel_result_t r;
    unsigned errs = stvp_accel_error_irq_count();
    stvp_accel_run(chain, 3, &r);
    char msg[220];
    stvp_accel_format_error(&r, chain, 3, msg, sizeof msg);
    printf("     %s\n", msg);
    check(r.err_code == STVP_ACCEL_ERR_ALIGN && r.err_desc == 2 && r.err_field == STVP_ACCEL_FIELD_SRC1 &&
              r.descs_done == 2 && stvp_accel_error_irq_count() == errs + 1,
          "chain of 3, descriptor 2 bad: ERR_DESC 2, DESCS_DONE 2");
    check(ref_max_error(y0, ref_y, EN * EK) <= REF_TOLERANCE && ref_max_error(y1, ref_y, EN * EK) <= REF_TOLERANCE &&
              ref_area_intact(&out1, EN * EK) && ref_area_intact(&out2, EN * EK),
          "chain of 3: descriptors 0 and 1 wrote their outputs, nothing else");
    check(ref_area_untouched(&out0, out0.words) && ref_area_intact(&out0, 0),
          "chain of 3: descriptor 2's output and guards untouched");
}

/* ---- control writes while busy ---- */

/* A chain that keeps the accelerator busy for a while: four 16->16 channel 3x3 convolutions
   on 4 x 16 x 16 inputs (2.4 M MACs each). Inputs are 1.0 (stored as bits: no soft-float). */
static const stvp_accel_conv_shape_t busy_s = {4, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1};
static uint32_t busy_x[4 * 16 * 16 * 16], busy_w[16 * 16 * 3 * 3];
static float busy_y[4][4 * 16 * 16 * 16];

static void test_busy(void)
{
    for (uint32_t i = 0; i < sizeof busy_x / 4; ++i)
        busy_x[i] = 0x3F800000u;
    for (uint32_t i = 0; i < sizeof busy_w / 4; ++i)
        busy_w[i] = 0x3C000000u; /* 1/128 */
    for (int i = 0; i < 4; ++i)
        stvp_accel_conv_fwd(&chain[i], &busy_s, (const float *)busy_x, (const float *)busy_w, NULL, busy_y[i], 0);

    uint32_t rejected0 = stvp_accel_cmd_rejected();
    stvp_accel_result_t r;
    /* Record first, print after the chain ended. */
    int started = stvp_accel_start(chain, 4) == 0;
    int refused = stvp_accel_start(chain, 1) == STVP_ACCEL_BUSY && stvp_accel_soft_reset() == STVP_ACCEL_BUSY;
    /* Raw writes, bypassing the driver: the device must ignore and count each. */
    stvp_write32(STVP_ACCEL_BASE + ACCEL_DESC_BASE, ADDR(&chain[1]));
    stvp_write32(STVP_ACCEL_BASE + ACCEL_DESC_COUNT, 1);
    stvp_write32(STVP_ACCEL_BASE + ACCEL_CTRL, ACCEL_CTRL_START_MASK);
    stvp_write32(STVP_ACCEL_BASE + ACCEL_CTRL, ACCEL_CTRL_SOFT_RESET_MASK);
    uint32_t base = stvp_read32(STVP_ACCEL_BASE + ACCEL_DESC_BASE);
    uint32_t count = stvp_read32(STVP_ACCEL_BASE + ACCEL_DESC_COUNT);
    int still_busy = stvp_accel_busy();
    uint32_t rejected1 = stvp_accel_cmd_rejected();
    uint64_t t0 = stvp_sim_time_ns(), i0 = stvp_read_minstret();
    uint32_t code = stvp_accel_wait(&r);
    uint64_t i1 = stvp_read_minstret(), t1 = stvp_sim_time_ns();

    check(started && refused, "busy: the driver refuses a second start and a soft reset");
    check(still_busy && rejected1 == rejected0 + 4,
          "busy: DESC_BASE, DESC_COUNT, START and SOFT_RESET written while busy counted in CMD_REJECTED");
    check(base == ADDR(chain) && count == 4, "busy: DESC_BASE and DESC_COUNT kept their values");
    int right = 1;
    /* Each output is 16 channels x 9 taps x 1/128 inside, less at the padded border. */
    for (int i = 0; i < 4; ++i)
        right &= busy_y[i][16 * 16 + 16 + 1] == 16.0f * 9.0f / 128.0f && busy_y[i][0] == 16.0f * 4.0f / 128.0f;
    check(code == 0 && r.descs_done == 4 && right, "busy: the running chain completed undisturbed");
    printf("     busy: waited %llu ns, %llu instructions retired meanwhile\n", (unsigned long long)(t1 - t0),
           (unsigned long long)(i1 - i0));
    /* Polling would retire thousands of instructions; a WFI sleep costs the trap entry, the
       PLIC claim/complete and the handler. */
    check(t1 - t0 > 1000 && i1 - i0 < 1000, "busy: the driver slept in WFI until the interrupt (< 1000 instructions)");
}

/* ---- soft reset, polling, recovery ---- */

static void test_recovery(void)
{
    /* Leave an error behind, then SOFT_RESET clears the state. */
    fc_good(&chain[0], fresh());
    chain[0].opcode = 0;
    stvp_accel_run(chain, 1, NULL);
    stvp_accel_counters_t c;
    check(stvp_accel_soft_reset() == 0, "soft reset: accepted while idle");
    stvp_accel_read_counters(&c);
    check(stvp_read32(STVP_ACCEL_BASE + ACCEL_STATUS) == 0 && stvp_read32(STVP_ACCEL_BASE + ACCEL_ERR_CODE) == 0 &&
              stvp_read32(STVP_ACCEL_BASE + ACCEL_INT_STATUS) == 0 && stvp_accel_cmd_rejected() == 0 &&
              c.cycles == 0 && c.macs == 0,
          "soft reset: STATUS, ERR_CODE, INT_STATUS, CMD_REJECTED and counters cleared");
    check(stvp_read32(STVP_ACCEL_BASE + ACCEL_DESC_BASE) == ADDR(chain) &&
              stvp_read32(STVP_ACCEL_BASE + ACCEL_DESC_COUNT) == 1 &&
              stvp_read32(STVP_ACCEL_BASE + ACCEL_INT_ENABLE) ==
                  (ACCEL_INT_ENABLE_DONE_MASK | ACCEL_INT_ENABLE_ERROR_MASK | ACCEL_INT_ENABLE_DESC_MASK),
          "soft reset: DESC_BASE, DESC_COUNT and INT_ENABLE kept");

    /* The polling fallback. */
    stvp_accel_result_t r;
    float *y = fresh();
    fc_good(&chain[0], y);
    int rc = stvp_accel_start(chain, 1);
    uint32_t code = stvp_accel_wait_poll(&r);
    check(rc == 0 && code == 0 && r.status == ACCEL_STATUS_DONE_MASK &&
              ref_max_error(y, ref_y, EN * EK) <= REF_TOLERANCE && ref_area_intact(&out0, EN * EK) &&
              stvp_read32(STVP_ACCEL_BASE + ACCEL_INT_STATUS) == 0,
          "polling wait: chain done, result right, INT_STATUS acknowledged");

    /* A good chain of two after everything. */
    y = fresh();
    float *dx = (float *)(out1.mem + REF_GUARD_WORDS);
    static float ref_dx[EN * EC];
    unsigned dones = stvp_accel_irq_count();
    fc_good(&chain[0], y);
    stvp_accel_fc_bwd_data(&chain[1], EN, EC, EK, edy, ew, ex, dx);
    code = (uint32_t)stvp_accel_run(chain, 2, &r);
    ref_fc_bwd_data(EN, EC, EK, edy, ew, ex, ref_dx);
    check(code == 0 && r.status == ACCEL_STATUS_DONE_MASK && r.descs_done == 2 && stvp_accel_irq_count() == dones + 1 &&
              ref_max_error(y, ref_y, EN * EK) <= REF_TOLERANCE && ref_max_error(dx, ref_dx, EN * EC) <= REF_TOLERANCE &&
              ref_area_intact(&out0, EN * EK) && ref_area_intact(&out1, EN * EC),
          "recovery: a good chain of two runs correctly after the errors");
}

int main(void)
{
    if (stvp_accel_init(1) != 0) {
        printf("FAIL accel_errors: no accelerator at 0x%08x\n", (unsigned)STVP_ACCEL_BASE);
        return 1;
    }
    stvp_plic_set_threshold(0);
    stvp_accel_read_info(&info);

    ref_seed(0xe4404u);
    ref_fill(ex, EN * EC, -1.0f, 1.0f);
    ref_fill(ew, EK * EC, -0.5f, 0.5f);
    ref_fill(eb, EK, -0.5f, 0.5f);
    ref_fill(edy, EN * EK, -1.0f, 1.0f);
    ref_fill(lg, 80, -2.0f, 2.0f);
    ref_fc_fwd(EN, EC, EK, ex, ew, eb, ref_y, 1);

    test_chain_registers();
    test_fields();
    test_chain_index();
    test_busy();
    test_recovery();

    printf("%s accel_errors: %u checks, %u failed\n", failures ? "FAIL" : "PASS", checks, failures);
    return failures ? 1 : 0;
}
