/*
 * PLIC driver (register map and behaviour: stvp/hw/plic.def; source numbers STVP_IRQ_* in
 * stvp/hw/memmap.h). One context: hart 0, machine mode.
 * With a handler registered for a source, the BSP serves the machine external interrupt:
 * claim, call the handler, complete, until nothing is left to claim. A level-triggered device
 * must be quieted by its handler (or it interrupts again after the completion).
 */
#ifndef STVP_PLIC_H
#define STVP_PLIC_H

#include <stdint.h>

#include "stvp/hw/regs.h"
#include "stvp/mmio.h"
#include "stvp/trap.h"

static inline void stvp_plic_set_priority(unsigned source, unsigned level)
{
    stvp_write32(STVP_PLIC_BASE + PLIC_PRIORITY + PLIC_PRIORITY_STRIDE * source,
                 (level << PLIC_PRIORITY_LEVEL_SHIFT) & PLIC_PRIORITY_LEVEL_MASK);
}

static inline void stvp_plic_set_threshold(unsigned level)
{
    stvp_write32(STVP_PLIC_BASE + PLIC_THRESHOLD,
                 (level << PLIC_THRESHOLD_LEVEL_SHIFT) & PLIC_THRESHOLD_LEVEL_MASK);
}

static inline uint32_t stvp_plic_pending(void)
{
    return stvp_read32(STVP_PLIC_BASE + PLIC_PENDING);
}

static inline uint32_t stvp_plic_claim(void)
{
    return stvp_read32(STVP_PLIC_BASE + PLIC_CLAIM);
}

static inline void stvp_plic_complete(uint32_t source)
{
    stvp_write32(STVP_PLIC_BASE + PLIC_CLAIM, source);
}

/* Read-modify-write of ENABLE with interrupts masked. */
void stvp_plic_enable(unsigned source);
void stvp_plic_disable(unsigned source);

/* Registers fn(ctx) for a source (1..STVP_PLIC_NUM_SOURCES-1); NULL unregisters. Does not
   enable the source, set its priority or touch mie.MEIE. */
void stvp_plic_set_handler(unsigned source, stvp_irq_handler_t fn, void *ctx);

/* Serves the external interrupt as described above (what the BSP calls for mcause 11).
   Returns the number of sources served; 0 is a spurious interrupt (the source's line dropped
   between MEIP and the claim) and is ignored. A claimed source without a handler ends the run
   with STVP_EXIT_UNHANDLED_INTERRUPT. */
unsigned stvp_plic_dispatch(void);

#endif
