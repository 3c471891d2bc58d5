/*
 * CLINT driver (register map: stvp/hw/clint.def): the 64-bit machine timer mtime, its compare
 * register mtimecmp (MTIP = mtime >= mtimecmp) and the software interrupt bit MSIP.
 */
#ifndef STVP_CLINT_H
#define STVP_CLINT_H

#include <stdint.h>

#include "stvp/hw/regs.h"
#include "stvp/hw/timebase.h"
#include "stvp/mmio.h"

/* Rate of mtime in Hz. It must match the platform's clint.timebase_hz (default:
   stvp/hw/timebase.h, 10 MHz); build with -DSTVP_CLINT_TIMEBASE_HZ=... for
   another configuration. */
#ifndef STVP_CLINT_TIMEBASE_HZ
#define STVP_CLINT_TIMEBASE_HZ STVP_CLINT_TIMEBASE_HZ_DEFAULT
#endif

/* mtime as one 64-bit value, free of tearing when the low word wraps between the two reads. */
uint64_t stvp_clint_mtime(void);

/* Programs mtimecmp without a spurious interrupt on the way: low word to all-ones first, then
   the high word, then the low word (privileged spec 1.12, section 3.2.1). */
void stvp_clint_set_mtimecmp(uint64_t when);

/* mtimecmp = the maximum: the timer interrupt never fires (and MTIP clears). */
static inline void stvp_clint_timer_off(void)
{
    stvp_clint_set_mtimecmp(UINT64_MAX);
}

static inline void stvp_clint_set_msip(int on)
{
    stvp_write32(STVP_CLINT_BASE + CLINT_MSIP, on ? 1u : 0u);
}

static inline uint32_t stvp_clint_msip(void)
{
    return stvp_read32(STVP_CLINT_BASE + CLINT_MSIP) & 1u;
}

/* Sleeps (WFI) until mtime >= deadline. Uses the timer: it leaves mtimecmp at the maximum and
   mie.MTIE, mstatus.MIE as it found them; a registered timer handler does not run for it. */
void stvp_clint_sleep_until(uint64_t deadline);
void stvp_delay_ticks(uint64_t ticks);
void stvp_delay_us(uint32_t us);

#endif
