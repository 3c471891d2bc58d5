/* Shared by the drivers (not a public header): sleep until an interrupt handler clears a flag. */
#ifndef STVP_DRIVERS_IRQ_WAIT_H
#define STVP_DRIVERS_IRQ_WAIT_H

#include "stvp/csr.h"

/* Sleeps in WFI while *flag != 0. The flag is tested with mstatus.MIE off and the hart then
   sleeps: WFI wakes on a pending enabled interrupt even with MIE = 0 (privileged spec 1.12,
   3.3.3), so an interrupt arriving between the test and the WFI is not lost; it is taken in
   the short window where MIE is on. The caller's MIE is restored on return. The interrupt
   must be enabled in mie (and its source in the PLIC), or this sleeps forever (the platform
   then stops with its WFI-deadlock report). */
static inline void stvp_drv_sleep_while(volatile int *flag)
{
    uint32_t saved = stvp_irq_save();
    while (*flag) {
        stvp_wfi();
        stvp_irq_enable();
        stvp_irq_disable();
    }
    stvp_irq_restore(saved);
}

#endif
