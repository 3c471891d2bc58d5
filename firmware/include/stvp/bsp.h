/*
 * The stvp board support package: include this for everything.
 *
 * A program linked with stvp_bsp starts in firmware/bsp/crt0.S: gp, sp and tp set, .bss
 * zeroed, mtvec pointing at the trap entry (direct mode, interrupts disabled), constructors
 * run, then exit(main()). exit() flushes the UART and writes the code to simctrl EXIT.
 * printf() and friends write to the UART.
 */
#ifndef STVP_BSP_H
#define STVP_BSP_H

#include "stvp/clint.h"
#include "stvp/csr.h"
#include "stvp/hw/memmap.h"
#include "stvp/hw/regs.h"
#include "stvp/mmio.h"
#include "stvp/plic.h"
#include "stvp/simctrl.h"
#include "stvp/trap.h"
#include "stvp/uart.h"

/* Exit codes of the BSP's own failure paths. They avoid the codes the stvp program uses for
   its own verdicts (2, 3, 70, 124, 125, 130; see the top-level README). */
#define STVP_EXIT_UNHANDLED_EXCEPTION 101 /* an exception no hook took */
#define STVP_EXIT_UNHANDLED_INTERRUPT 102 /* an interrupt (or PLIC source) without a handler */

#endif
