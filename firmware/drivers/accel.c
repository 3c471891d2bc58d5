/* Training accelerator driver (stvp/accel.h). */
#include "stvp/accel.h"

#include <stdio.h>
#include <string.h>

#include "stvp/bsp.h"

#include "irq_wait.h"
#include "stvp/hw/accel_names.h"

#define ACC_REG(off) (STVP_ACCEL_BASE + (off))
#define ADDR(p) ((uint32_t)(uintptr_t)(p))

/* Written by the interrupt handler, read by the waits. */
static struct {
    volatile int running;         /* a chain was started and its end not seen yet */
    volatile unsigned end_irqs;   /* handler calls that saw DONE or ERROR */
    volatile unsigned error_irqs; /* ... of which ERROR */
    volatile unsigned desc_irqs;  /* handler calls that saw DESC */
    volatile unsigned nonfinite;  /* INT_STATUS.NONFINITE acknowledgements (handler or poll) */
} acc_state;

/* ---- device ---- */

/* The probe's exception hook: a load access fault on the ID register means nothing is mapped
   there; the load is skipped. Anything else goes to the hook that was installed before. */
static stvp_exception_hook_t probe_prev_hook;
static volatile int probe_faulted;

static stvp_trap_action_t probe_hook(stvp_trap_frame_t *f)
{
    if ((f->mcause & STVP_MCAUSE_CODE_MASK) == STVP_EXC_LOAD_ACCESS && f->mtval == ACC_REG(ACCEL_ID)) {
        probe_faulted = 1;
        return STVP_TRAP_SKIP;
    }
    return probe_prev_hook ? probe_prev_hook(f) : STVP_TRAP_DEFAULT;
}

static void acc_isr(void *ctx)
{
    (void)ctx;
    uint32_t s = stvp_read32(ACC_REG(ACCEL_INT_STATUS));
    if (!s)
        return; /* re-pended by the PLIC before the line fell: nothing new */
    stvp_write32(ACC_REG(ACCEL_INT_STATUS), s);
    if (s & ACCEL_INT_STATUS_DESC_MASK)
        ++acc_state.desc_irqs;
    if (s & ACCEL_INT_STATUS_NONFINITE_MASK)
        ++acc_state.nonfinite;
    if (s & ACCEL_INT_STATUS_ERROR_MASK)
        ++acc_state.error_irqs;
    if (s & (ACCEL_INT_STATUS_DONE_MASK | ACCEL_INT_STATUS_ERROR_MASK)) {
        ++acc_state.end_irqs;
        acc_state.running = 0;
    }
}

int stvp_accel_init(unsigned plic_priority)
{
    probe_faulted = 0;
    probe_prev_hook = stvp_set_exception_hook(probe_hook);
    uint32_t id = stvp_read32(ACC_REG(ACCEL_ID));
    stvp_set_exception_hook(probe_prev_hook);
    if (probe_faulted || id != (uint32_t)ACCEL_ID_RESET)
        return STVP_ACCEL_ABSENT;

    uint32_t saved = stvp_irq_save();
    /* A clean device (ignored while a chain runs; a wait then sees it end). */
    stvp_write32(ACC_REG(ACCEL_CTRL), ACCEL_CTRL_SOFT_RESET_MASK);
    stvp_write32(ACC_REG(ACCEL_INT_ENABLE),
                 ACCEL_INT_ENABLE_DONE_MASK | ACCEL_INT_ENABLE_ERROR_MASK | ACCEL_INT_ENABLE_DESC_MASK);
    acc_state.running = stvp_accel_busy();
    acc_state.end_irqs = acc_state.error_irqs = acc_state.desc_irqs = 0;
    stvp_plic_set_handler(STVP_IRQ_ACCEL, acc_isr, NULL);
    stvp_plic_set_priority(STVP_IRQ_ACCEL, plic_priority);
    stvp_plic_enable(STVP_IRQ_ACCEL);
    stvp_csr_set(mie, STVP_MIP_MEIP);
    stvp_irq_restore(saved);
    return 0;
}

void stvp_accel_read_info(stvp_accel_info_t *info)
{
    info->id = stvp_read32(ACC_REG(ACCEL_ID));
    info->version = stvp_read32(ACC_REG(ACCEL_VERSION));
    info->caps = stvp_read32(ACC_REG(ACCEL_CAPS));
    info->ops = stvp_read32(ACC_REG(ACCEL_OPS));
    info->formats = stvp_read32(ACC_REG(ACCEL_FORMATS));
    uint32_t array = stvp_read32(ACC_REG(ACCEL_ARRAY));
    info->rows = (array & ACCEL_ARRAY_ROWS_MASK) >> ACCEL_ARRAY_ROWS_SHIFT;
    info->cols = (array & (uint32_t)ACCEL_ARRAY_COLS_MASK) >> ACCEL_ARRAY_COLS_SHIFT;
    info->macs_per_pe = stvp_read32(ACC_REG(ACCEL_MACS_PER_PE));
    info->rf_bytes = stvp_read32(ACC_REG(ACCEL_RF_BYTES));
    info->gb_bytes = stvp_read32(ACC_REG(ACCEL_GB_BYTES));
    info->spad_bytes = stvp_read32(ACC_REG(ACCEL_SPAD_BYTES));
    info->clock_khz = stvp_read32(ACC_REG(ACCEL_CLOCK_KHZ));
    info->max_chain = stvp_read32(ACC_REG(ACCEL_MAX_CHAIN));
}

int stvp_accel_busy(void)
{
    return (stvp_read32(ACC_REG(ACCEL_STATUS)) & ACCEL_STATUS_BUSY_MASK) != 0;
}

int stvp_accel_start(const stvp_accel_desc *descs, unsigned count)
{
    uint32_t saved = stvp_irq_save();
    if (stvp_accel_busy()) {
        stvp_irq_restore(saved);
        return STVP_ACCEL_BUSY;
    }
    /* The descriptors and input tensors are plain stores to memory, done before these device
       stores on this in-order hart (accel.def step 1); the fence states the ordering. */
    __asm__ __volatile__("fence w, o" ::: "memory");
    acc_state.running = 1;
    stvp_write32(ACC_REG(ACCEL_DESC_BASE), ADDR(descs));
    stvp_write32(ACC_REG(ACCEL_DESC_COUNT), count);
    stvp_write32(ACC_REG(ACCEL_CTRL), ACCEL_CTRL_START_MASK);
    stvp_irq_restore(saved);
    return 0;
}

int stvp_accel_soft_reset(void)
{
    uint32_t saved = stvp_irq_save();
    if (stvp_accel_busy()) {
        stvp_irq_restore(saved);
        return STVP_ACCEL_BUSY;
    }
    stvp_write32(ACC_REG(ACCEL_CTRL), ACCEL_CTRL_SOFT_RESET_MASK);
    acc_state.running = 0;
    stvp_irq_restore(saved);
    return 0;
}

static uint32_t read_result(stvp_accel_result_t *r)
{
    stvp_accel_result_t local;
    if (!r)
        r = &local;
    r->status = stvp_read32(ACC_REG(ACCEL_STATUS));
    r->err_code = stvp_read32(ACC_REG(ACCEL_ERR_CODE));
    r->err_desc = stvp_read32(ACC_REG(ACCEL_ERR_DESC));
    r->err_field = stvp_read32(ACC_REG(ACCEL_ERR_FIELD));
    r->err_value = stvp_read32(ACC_REG(ACCEL_ERR_VALUE));
    r->descs_done = stvp_read32(ACC_REG(ACCEL_DESCS_DONE));
    return r->err_code;
}

uint32_t stvp_accel_wait(stvp_accel_result_t *r)
{
    stvp_drv_sleep_while(&acc_state.running);
    /* The outputs were written by the device behind the CPU's back: the compiler must not
       reuse values it loaded before the wait (the "memory" clobbers of the CSR and WFI asm
       statements in the sleep already ensure this). */
    return read_result(r);
}

uint32_t stvp_accel_wait_poll(stvp_accel_result_t *r)
{
    while (stvp_accel_busy()) {
    }
    uint32_t saved = stvp_irq_save();
    uint32_t s = stvp_read32(ACC_REG(ACCEL_INT_STATUS));
    stvp_write32(ACC_REG(ACCEL_INT_STATUS), s);
    if (s & ACCEL_INT_STATUS_NONFINITE_MASK)
        ++acc_state.nonfinite;
    acc_state.running = 0;
    stvp_irq_restore(saved);
    __asm__ __volatile__("" ::: "memory");
    return read_result(r);
}

int stvp_accel_run(const stvp_accel_desc *descs, unsigned count, stvp_accel_result_t *r)
{
    if (stvp_accel_start(descs, count) != 0)
        return STVP_ACCEL_BUSY;
    return (int)stvp_accel_wait(r);
}

unsigned stvp_accel_irq_count(void)
{
    return acc_state.end_irqs;
}

unsigned stvp_accel_error_irq_count(void)
{
    return acc_state.error_irqs;
}

unsigned stvp_accel_desc_irq_count(void)
{
    return acc_state.desc_irqs;
}

unsigned stvp_accel_nonfinite_count(void)
{
    return acc_state.nonfinite;
}

uint32_t stvp_accel_cmd_rejected(void)
{
    return stvp_read32(ACC_REG(ACCEL_CMD_REJECTED));
}

/* ---- counters ---- */

static uint64_t read64(uint32_t lo_offset)
{
    /* Reading _LO latches the counter; _HI (the next register) returns the latched half. */
    uint32_t lo = stvp_read32(ACC_REG(lo_offset));
    uint32_t hi = stvp_read32(ACC_REG(lo_offset + 4));
    return ((uint64_t)hi << 32) | lo;
}

void stvp_accel_read_counters(stvp_accel_counters_t *c)
{
    /* No interrupt handler reads the counters, but keep each _LO/_HI pair together anyway. */
    uint32_t saved = stvp_irq_save();
    c->cycles = read64(ACCEL_CYCLES_LO);
    c->macs = read64(ACCEL_MACS_LO);
    c->macs_skipped = read64(ACCEL_MACS_SKIPPED_LO);
    c->dram_bytes = read64(ACCEL_DRAM_BYTES_LO);
    c->gb_bytes = read64(ACCEL_GB_BYTES_LO);
    c->energy_pj = read64(ACCEL_ENERGY_PJ_LO);
    c->ops_done = stvp_read32(ACC_REG(ACCEL_OPS_DONE));
    stvp_irq_restore(saved);
}

void stvp_accel_read_sparse_counters(stvp_accel_sparse_counters_t *c)
{
    uint32_t saved = stvp_irq_save();
    uint32_t est = stvp_read32(ACC_REG(ACCEL_QUANTILE_EST));
    c->pruned = read64(ACCEL_PRUNED_LO);
    c->meta_bytes = read64(ACCEL_META_BYTES_LO);
    c->tracked = stvp_read32(ACC_REG(ACCEL_TRACKED));
    stvp_irq_restore(saved);
    memcpy(&c->quantile_est, &est, sizeof est);
}

void stvp_accel_read_health(stvp_accel_health_t *h)
{
    uint32_t saved = stvp_irq_save();
    h->nan = read64(ACCEL_NAN_COUNT_LO);
    h->inf = read64(ACCEL_INF_COUNT_LO);
    h->first_desc = stvp_read32(ACC_REG(ACCEL_NONFINITE_DESC));
    stvp_irq_restore(saved);
}

void stvp_accel_counters_delta(const stvp_accel_counters_t *before, const stvp_accel_counters_t *after,
                               stvp_accel_counters_t *out)
{
    out->cycles = after->cycles - before->cycles;
    out->macs = after->macs - before->macs;
    out->macs_skipped = after->macs_skipped - before->macs_skipped;
    out->dram_bytes = after->dram_bytes - before->dram_bytes;
    out->gb_bytes = after->gb_bytes - before->gb_bytes;
    out->energy_pj = after->energy_pj - before->energy_pj;
    out->ops_done = after->ops_done - before->ops_done;
}

/* ---- error decoding ---- */

/* The texts come from the .def tables through stvp/hw/accel_names.h (the model prints the same). */
const char *stvp_accel_strerror(uint32_t code)
{
    const char *t = stvp_accel_error_text(code);
    return t ? t : "unknown error code";
}

const char *stvp_accel_op_name(uint32_t opcode)
{
    const char *t = stvp_accel_opcode_text(opcode);
    return t ? t : "invalid";
}

const char *stvp_accel_field_name(uint32_t field)
{
    if (field == STVP_ACCEL_FIELD_NONE)
        return "none";
    const char *t = stvp_accel_field_text(field);
    return t ? t : "?";
}

const char *stvp_accel_operand_role(uint32_t opcode, uint32_t field)
{
    return stvp_accel_role_text(opcode, field);
}

int stvp_accel_format_error(const stvp_accel_result_t *r, const stvp_accel_desc *descs, unsigned count, char *buf,
                            unsigned size)
{
    if (r->err_code == STVP_ACCEL_ERR_NONE)
        return snprintf(buf, size, "accel ok, %lu descriptors done", (unsigned long)r->descs_done);

    const char *err = stvp_accel_strerror(r->err_code);
    if (r->err_field == STVP_ACCEL_FIELD_NONE) {
        /* DESC_BASE / DESC_COUNT / fetch errors: the value is a register value or an address. */
        return snprintf(buf, size, "accel error %lu (%s) in descriptor %lu: value 0x%08lx, %lu descriptors done",
                        (unsigned long)r->err_code, err, (unsigned long)r->err_desc, (unsigned long)r->err_value,
                        (unsigned long)r->descs_done);
    }
    uint32_t opcode = descs && r->err_desc < count ? descs[r->err_desc].opcode : 0;
    const char *op = descs && r->err_desc < count ? stvp_accel_op_name(opcode) : "?";
    unsigned long code = r->err_code, index = r->err_desc, value = r->err_value, done = r->descs_done;
    if (r->err_code == STVP_ACCEL_ERR_LABEL)
        return snprintf(buf, size, "accel error %lu (%s) in descriptor %lu (%s): labels[%lu], %lu descriptors done",
                        code, err, index, op, value, done);
    const char *role = stvp_accel_operand_role(opcode, r->err_field);
    char what[24] = "";
    if (role)
        snprintf(what, sizeof what, " (%s)", role);
    const char *field = stvp_accel_field_name(r->err_field);
    /* Addresses, flags and float bit patterns read best in hex; shapes and opcodes in decimal. */
    int hex = r->err_field == STVP_ACCEL_FIELD_FLAGS || (r->err_field == STVP_ACCEL_FIELD_OPCODE && value > 255) || r->err_field == STVP_ACCEL_FIELD_ALPHA ||
              r->err_field == STVP_ACCEL_FIELD_BETA ||
              (r->err_field >= STVP_ACCEL_FIELD_SRC0 && r->err_field <= STVP_ACCEL_FIELD_META1);
    if (hex)
        return snprintf(buf, size, "accel error %lu (%s) in descriptor %lu (%s): field %s%s = 0x%08lx, %lu descriptors done",
                        code, err, index, op, field, what, value, done);
    return snprintf(buf, size, "accel error %lu (%s) in descriptor %lu (%s): field %s%s = %lu, %lu descriptors done",
                    code, err, index, op, field, what, value, done);
}
