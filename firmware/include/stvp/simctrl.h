/*
 * Simulation control (register map and behaviour: stvp/hw/simctrl.def): end the run with an
 * exit code, leave markers and phase labels in the logs and VCD, open/close the VCD window,
 * read the platform's --arg values, the workload.* keys and the simulated time, name training
 * steps for mask capture.
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

/* The training workload's key i (stvp/hw/workload.h STVP_WL_*): the platform's workload.* value
   in the register's unit (workload.def). */
static inline uint32_t stvp_sim_workload(unsigned i)
{
    return stvp_read32(STVP_SIMCTRL_BASE + SIMCTRL_WORKLOAD + SIMCTRL_WORKLOAD_STRIDE * i);
}

/* Simulated time in ns (TIME_LO latches TIME_HI, so the pair is consistent). */
uint64_t stvp_sim_time_ns(void);

/* Training results for the stats file's "training" block: STVP_RESULT_<NAME> keys from
   stvp/hw/simctrl_results.def, each with its type (F32, U32, U64). A key of the wrong
   scope (an epoch field before STVP_RESULT_EPOCH), an unknown key or a non-finite float
   makes the store fault. */
#define STVP_RESULT(name, key, scope, type, json, doc) enum { STVP_RESULT_##name = (key) };
#include "stvp/hw/simctrl_results.def"
#undef STVP_RESULT

static inline void stvp_sim_result_u64(uint32_t key, uint64_t v)
{
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_RESULT_LO, (uint32_t)v);
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_RESULT_HI, (uint32_t)(v >> 32));
    stvp_write32(STVP_SIMCTRL_BASE + SIMCTRL_RESULT_PUT, key);
}

static inline void stvp_sim_result_u32(uint32_t key, uint32_t v)
{
    stvp_sim_result_u64(key, v);
}

static inline void stvp_sim_result_f32(uint32_t key, float v)
{
    union { float f; uint32_t u; } bits = {v};
    stvp_sim_result_u64(key, bits.u);
}

#endif
