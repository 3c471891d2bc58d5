/* C side of trap handling: dispatch to registered handlers, default reports. See stvp/trap.h. */
#include "stvp/bsp.h"

#define STVP_NUM_IRQ_CODES 32

static struct {
    stvp_irq_handler_t fn;
    void *ctx;
} irq_handlers[STVP_NUM_IRQ_CODES];

static stvp_exception_hook_t exception_hook;

stvp_exception_hook_t stvp_set_exception_hook(stvp_exception_hook_t hook)
{
    stvp_exception_hook_t old = exception_hook;
    exception_hook = hook;
    return old;
}

void stvp_set_irq_handler(unsigned cause, stvp_irq_handler_t fn, void *ctx)
{
    if (cause >= STVP_NUM_IRQ_CODES)
        return;
    uint32_t saved = stvp_irq_save();
    irq_handlers[cause].fn = fn;
    irq_handlers[cause].ctx = ctx;
    stvp_irq_restore(saved);
}

unsigned stvp_insn_length(uint32_t pc)
{
    /* The two low bits of the first halfword are 11 for 32-bit instructions, anything else for
       16-bit ones (unprivileged spec 1.5; RV32IMAC has no longer encodings). */
    uint16_t first = *(const volatile uint16_t *)(uintptr_t)pc;
    return (first & 3u) == 3u ? 4u : 2u;
}

const char *stvp_exception_name(uint32_t code)
{
    /* Privileged spec 1.12, table 3.6. */
    static const char *const names[] = {
        "instruction address misaligned",
        "instruction access fault",
        "illegal instruction",
        "breakpoint",
        "load address misaligned",
        "load access fault",
        "store/AMO address misaligned",
        "store/AMO access fault",
        "environment call from U-mode",
        "environment call from S-mode",
        "reserved",
        "environment call from M-mode",
        "instruction page fault",
        "load page fault",
        "reserved",
        "store/AMO page fault",
    };
    return code < sizeof names / sizeof names[0] ? names[code] : "unknown";
}

static void put_reg(const char *name, uint32_t value)
{
    stvp_uart_puts(name);
    stvp_uart_putc('=');
    stvp_uart_put_hex32(value);
}

/* The register dump after a report: enough to find the failing code in the .lst file. */
static void dump_frame(const stvp_trap_frame_t *f)
{
    static const char *const abi[32] = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };
    for (unsigned i = 1; i < 32; ++i) {
        stvp_uart_puts(i % 4 == 1 ? "\n  " : "  ");
        put_reg(abi[i], f->x[i]);
    }
    stvp_uart_putc('\n');
}

_Noreturn void stvp_default_exception_handler(const stvp_trap_frame_t *f)
{
    /* Raw UART output: the fault may have happened inside stdio. */
    stvp_uart_puts("\n*** stvp: unhandled exception: ");
    stvp_uart_puts(stvp_exception_name(f->mcause & STVP_MCAUSE_CODE_MASK));
    stvp_uart_puts(" (mcause=");
    stvp_uart_put_hex32(f->mcause);
    stvp_uart_puts(")\n  ");
    put_reg("mepc", f->mepc);
    stvp_uart_puts("  ");
    put_reg("mtval", f->mtval);
    stvp_uart_puts("  ");
    put_reg("mstatus", f->mstatus);
    dump_frame(f);
    stvp_uart_flush();
    stvp_sim_exit(STVP_EXIT_UNHANDLED_EXCEPTION);
}

_Noreturn void stvp_unhandled_interrupt(const stvp_trap_frame_t *f)
{
    stvp_uart_puts("\n*** stvp: unhandled interrupt (mcause=");
    stvp_uart_put_hex32(f->mcause);
    stvp_uart_puts(")\n  ");
    put_reg("mepc", f->mepc);
    stvp_uart_puts("  ");
    put_reg("mip", stvp_csr_read(mip));
    stvp_uart_puts("  ");
    put_reg("mie", stvp_csr_read(mie));
    stvp_uart_putc('\n');
    stvp_uart_flush();
    stvp_sim_exit(STVP_EXIT_UNHANDLED_INTERRUPT);
}

void stvp_trap_dispatch(stvp_trap_frame_t *f)
{
    if (f->mcause & STVP_MCAUSE_INTERRUPT) {
        uint32_t code = f->mcause & STVP_MCAUSE_CODE_MASK;
        if (code < STVP_NUM_IRQ_CODES && irq_handlers[code].fn) {
            irq_handlers[code].fn(irq_handlers[code].ctx);
            return;
        }
        if (code == STVP_IRQ_M_EXT) {
            /* A claim may find nothing (the PLIC returns 0): the source's level dropped after
               MEIP was sampled. That is a spurious interrupt, not an error. */
            stvp_plic_dispatch();
            return;
        }
        stvp_unhandled_interrupt(f);
    }

    stvp_trap_action_t action = exception_hook ? exception_hook(f) : STVP_TRAP_DEFAULT;
    switch (action) {
    case STVP_TRAP_SKIP:
        f->mepc += stvp_insn_length(f->mepc);
        return;
    case STVP_TRAP_RESUME:
        return;
    case STVP_TRAP_DEFAULT:
        break;
    }
    stvp_default_exception_handler(f);
}
