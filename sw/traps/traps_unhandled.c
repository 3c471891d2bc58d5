/*
 * traps_unhandled: the BSP's default handlers. With no argument (or --arg 0) it executes an
 * illegal instruction with no exception hook installed: the BSP prints
 * "*** stvp: unhandled exception: illegal instruction ..." and exits with
 * STVP_EXIT_UNHANDLED_EXCEPTION (101). With --arg 1 it raises a machine software interrupt
 * that has no handler: "*** stvp: unhandled interrupt ..." and STVP_EXIT_UNHANDLED_INTERRUPT
 * (102). Reaching the end is a failure (exit 1).
 */
#include <stdio.h>

#include "stvp/bsp.h"

int main(void)
{
    uint32_t mode = stvp_sim_arg(0, 0);
    printf("traps_unhandled: mode %lu\n", (unsigned long)mode);
    if (mode == 0) {
        __asm__ __volatile__("unimp");
    } else {
        stvp_csr_set(mie, STVP_MIP_MSIP);
        stvp_irq_enable();
        stvp_clint_set_msip(1);
        for (int i = 0; i < 1000; ++i)
            __asm__ __volatile__("nop");
    }
    printf("FAIL traps_unhandled: still running\n");
    return 1;
}
