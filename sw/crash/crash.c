/* crash: firmware that goes wrong on purpose, one way per argument, so the integration tests
   can check that the platform stops each cleanly with a clear message, a defined exit code
   and complete stats.

   --arg 0  execute garbage: jump into a data buffer of invalid instruction words
            (the BSP's default handler reports the illegal instruction: exit 101)
   --arg 1  load from an unmapped address (load access fault via the default handler: exit 101)
   --arg 2  trap loop: mtvec points at unmapped memory, then ecall (the platform stops: exit 125)
   --arg 3  WFI with every interrupt disabled and nothing scheduled (platform: exit 125)
   --arg 4  runaway: an endless loop (only --max-time/--max-instructions stop it: exit 124)
   --arg 5  jump to an unmapped address (instruction access fault via the default handler) */
#include <stdint.h>
#include <stdio.h>

#include "stvp/bsp.h"

/* All-ones words are reserved encodings (illegal); zero words too. */
static uint32_t garbage[4] = {0xffffffffu, 0x00000000u, 0xffffffffu, 0x00000000u};

#define UNMAPPED_ADDRESS 0x40000000u /* a hole in the default memory map */

int main(void)
{
    uint32_t mode = stvp_sim_arg(0, 0);
    printf("crash: mode %lu\n", (unsigned long)mode);
    switch (mode) {
    case 0: {
        void (*fn)(void) = (void (*)(void))(uintptr_t)garbage;
        fn();
        break;
    }
    case 1: {
        volatile uint32_t *p = (volatile uint32_t *)UNMAPPED_ADDRESS;
        printf("crash: read %lu\n", (unsigned long)*p);
        break;
    }
    case 2:
        stvp_csr_write(mtvec, UNMAPPED_ADDRESS);
        __asm__ volatile("ecall");
        break;
    case 3:
        stvp_csr_write(mie, 0);
        stvp_irq_disable();
        for (;;)
            __asm__ volatile("wfi");
    case 4:
        for (volatile uint32_t i = 0;; ++i) {
        }
    case 5: {
        void (*fn)(void) = (void (*)(void))(uintptr_t)UNMAPPED_ADDRESS;
        fn();
        break;
    }
    default:
        printf("crash: unknown mode\n");
        return 2;
    }
    printf("crash: still running after mode %lu\n", (unsigned long)mode);
    return 1;
}
