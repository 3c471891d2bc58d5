/* CLINT driver (stvp/clint.h). */
#include "stvp/clint.h"

#include "stvp/csr.h"

uint64_t stvp_clint_mtime(void)
{
    uint32_t hi, lo;
    do {
        hi = stvp_read32(STVP_CLINT_BASE + CLINT_MTIME_HI);
        lo = stvp_read32(STVP_CLINT_BASE + CLINT_MTIME_LO);
    } while (hi != stvp_read32(STVP_CLINT_BASE + CLINT_MTIME_HI));
    return ((uint64_t)hi << 32) | lo;
}

void stvp_clint_set_mtimecmp(uint64_t when)
{
    /* No intermediate value may be below both the old and the new compare value. */
    stvp_write32(STVP_CLINT_BASE + CLINT_MTIMECMP_LO, 0xFFFFFFFFu);
    stvp_write32(STVP_CLINT_BASE + CLINT_MTIMECMP_HI, (uint32_t)(when >> 32));
    stvp_write32(STVP_CLINT_BASE + CLINT_MTIMECMP_LO, (uint32_t)when);
}

void stvp_clint_sleep_until(uint64_t deadline)
{
    /* Global interrupts off, MTIE on: WFI wakes on the pending timer interrupt without taking
       it (privileged spec 1.12, 3.3.3), so no handler is involved. */
    uint32_t saved_mie_bit = stvp_irq_save();
    uint32_t saved_mtie = stvp_csr_read_set(mie, STVP_MIP_MTIP) & STVP_MIP_MTIP;
    stvp_clint_set_mtimecmp(deadline);
    while (stvp_clint_mtime() < deadline)
        stvp_wfi();
    stvp_clint_timer_off();
    if (!saved_mtie)
        stvp_csr_clear(mie, STVP_MIP_MTIP);
    stvp_irq_restore(saved_mie_bit);
}

void stvp_delay_ticks(uint64_t ticks)
{
    stvp_clint_sleep_until(stvp_clint_mtime() + ticks);
}

void stvp_delay_us(uint32_t us)
{
    stvp_delay_ticks((uint64_t)us * STVP_CLINT_TIMEBASE_HZ / 1000000u);
}
