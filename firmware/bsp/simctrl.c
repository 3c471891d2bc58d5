/* Simulation control driver (stvp/simctrl.h). */
#include "stvp/simctrl.h"

#include "stvp/csr.h"

_Noreturn void stvp_sim_exit(int code)
{
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_EXIT, (uint32_t)code & 0xFFu);
    /* The platform stops at the write. Should it not, sleep with everything masked: the
       platform then reports a WFI nothing can wake instead of a silent spin. */
    stvp_irq_disable();
    stvp_csr_write(mie, 0);
    for (;;)
        stvp_wfi();
}

uint32_t stvp_sim_arg(unsigned i, uint32_t fallback)
{
    if (i >= stvp_sim_nargs() || i >= (unsigned)SIMCTRL_ARG_COUNT)
        return fallback;
    return stvp_read32(STVP_SIMCTRL_BASE + SIMCTRL_ARG + SIMCTRL_ARG_STRIDE * i);
}

uint64_t stvp_sim_time_ns(void)
{
    uint32_t lo = stvp_read32(STVP_SIMCTRL_BASE + SIMCTRL_TIME_LO); /* latches TIME_HI */
    uint32_t hi = stvp_read32(STVP_SIMCTRL_BASE + SIMCTRL_TIME_HI);
    return ((uint64_t)hi << 32) | lo;
}
