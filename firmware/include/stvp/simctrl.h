/*
 * Simulation control (register map and behaviour: stvp/hw/simctrl.def): end the run with an
 * exit code, leave markers and phase labels in the logs and VCD, open/close the VCD window,
 * read the platform's --arg values and the simulated time, name training steps for mask capture.
 */
#ifndef STVP_SIMCTRL_H
#define STVP_SIMCTRL_H

#include <stdint.h>

#include "stvp/hw/regs.h"
#include "stvp/mmio.h"

/* Ends the simulation; the stvp process exits with code & 0xFF. Does not flush the UART
   (exit()/_exit() do). */
_Noreturn void stvp_sim_exit(int code);

static inline void stvp_sim_marker(uint32_t value)
{
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_MARKER, value);
}

static inline void stvp_sim_phase(uint32_t label)
{
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_PHASE, label);
}

static inline void stvp_sim_trace(int on)
{
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_TRACE, on ? SIMCTRL_TRACE_ENABLE_MASK : 0u);
}

/* Number of --arg values the platform was given (at most SIMCTRL_ARG_COUNT are readable). */
static inline unsigned stvp_sim_nargs(void)
{
    return stvp_read32(STVP_SIMCTRL_BASE + SIMCTRL_NARGS);
}

/* --arg number i, or fallback if there are not that many. */
uint32_t stvp_sim_arg(unsigned i, uint32_t fallback);

/* Mask capture (stvp capture.* keys): whether the platform records masks, and naming the
   training step the accelerator chains that follow belong to (STVP_SIM_NO_STEP: none). */
#define STVP_SIM_NO_STEP 0xFFFFFFFFu
static inline int stvp_sim_capture_enabled(void)
{
    return (stvp_read32(STVP_SIMCTRL_BASE + SIMCTRL_CAPTURE) & SIMCTRL_CAPTURE_ENABLE_MASK) != 0;
}
static inline void stvp_sim_step(uint32_t step)
{
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_STEP, step);
}

/* Simulated time in ns (TIME_LO latches TIME_HI, so the pair is consistent). */
uint64_t stvp_sim_time_ns(void);

#endif
