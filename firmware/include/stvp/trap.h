/*
 * Traps: the BSP's trap entry (firmware/bsp/trap_entry.S) saves every register into a
 * stvp_trap_frame on the stack and calls the C dispatcher, which
 *  - for an interrupt, calls the handler registered for its cause (stvp_set_irq_handler);
 *    the machine external interrupt is served by the PLIC dispatcher unless a handler is
 *    registered for it: it claims each pending source, calls the handler registered with
 *    stvp_plic_set_handler() and completes the source (stvp/plic.h);
 *  - for an exception, asks the installed exception hook (stvp_set_exception_hook) what to do.
 * (a claim that finds nothing is a spurious interrupt and is ignored).
 * Without a handler the BSP prints the cause, mepc and mtval on the UART and ends the run with
 * STVP_EXIT_UNHANDLED_EXCEPTION or STVP_EXIT_UNHANDLED_INTERRUPT (stvp/bsp.h).
 * The frame is restored on return: a handler may change registers, mepc and mstatus in it.
 * Handlers run with interrupts disabled (no nesting).
 */
#ifndef STVP_TRAP_H
#define STVP_TRAP_H

/* Frame layout, shared with the assembly entry. */
#define STVP_TRAP_FRAME_X       0   /* x0..x31, 4 bytes each (x2 = sp before the trap) */
#define STVP_TRAP_FRAME_MEPC    128
#define STVP_TRAP_FRAME_MCAUSE  132
#define STVP_TRAP_FRAME_MTVAL   136
#define STVP_TRAP_FRAME_MSTATUS 140
#define STVP_TRAP_FRAME_SIZE    144 /* a multiple of 16: the ABI's stack alignment */

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef struct stvp_trap_frame {
    uint32_t x[32];   /* integer registers at the trap; x[0] is 0, x[2] the interrupted sp */
    uint32_t mepc;    /* where execution resumes (mret); an exception hook may change it */
    uint32_t mcause;
    uint32_t mtval;
    uint32_t mstatus; /* written back before mret */
} stvp_trap_frame_t;

_Static_assert(sizeof(stvp_trap_frame_t) == STVP_TRAP_FRAME_SIZE, "trap frame layout");

/* What to do after an exception hook returns. */
typedef enum stvp_trap_action {
    STVP_TRAP_SKIP,    /* resume after the faulting instruction (mepc + its length, 2 or 4) */
    STVP_TRAP_RESUME,  /* resume at frame->mepc as the hook left it (retry, or elsewhere) */
    STVP_TRAP_DEFAULT, /* not mine: run the default handler (report and exit) */
} stvp_trap_action_t;

typedef stvp_trap_action_t (*stvp_exception_hook_t)(stvp_trap_frame_t *frame);
typedef void (*stvp_irq_handler_t)(void *ctx);

/* Installs the hook asked about every exception; NULL removes it. Returns the previous one. */
stvp_exception_hook_t stvp_set_exception_hook(stvp_exception_hook_t hook);

/* Registers fn(ctx) for interrupt code `cause` (STVP_IRQ_M_SOFT/TIMER/EXT, or any code below
   32); fn = NULL unregisters. It does not touch mie: enable the interrupt yourself. The
   handler must clear its source (for example move mtimecmp, clear MSIP). */
void stvp_set_irq_handler(unsigned cause, stvp_irq_handler_t fn, void *ctx);

/* Length in bytes (2 or 4) of the instruction at pc. */
unsigned stvp_insn_length(uint32_t pc);

/* Name of an exception code ("illegal instruction", ...), or "unknown". */
const char *stvp_exception_name(uint32_t code);

/* The default handlers: print the trap on the UART and end the run. */
_Noreturn void stvp_default_exception_handler(const stvp_trap_frame_t *frame);
_Noreturn void stvp_unhandled_interrupt(const stvp_trap_frame_t *frame);

/* The C side of the trap entry (called from trap_entry.S only). */
void stvp_trap_dispatch(stvp_trap_frame_t *frame);

/* The trap entry: 4-byte aligned, usable as mtvec in direct mode, and as the target of every
   slot of a vectored table (it reads mcause). crt0 installs it in direct mode. */
void stvp_trap_entry(void);

#endif /* __ASSEMBLER__ */

#endif
