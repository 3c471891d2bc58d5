/*
 * Indices of the training workload's keys in SIMCTRL WORKLOAD[i], expanded from workload.def
 * (plain C: the firmware and the host programs both include it).
 */
#ifndef STVP_HW_WORKLOAD_H
#define STVP_HW_WORKLOAD_H

#define STVP_WORKLOAD(name, index, key, type, def, lo, hi, choices, doc) STVP_WL_##name = (index),
enum stvp_workload_key {
#include "workload.def"
};
#undef STVP_WORKLOAD

/* Rows of workload.def (their indices are 0 .. STVP_WORKLOAD_KEYS - 1). */
#define STVP_WORKLOAD(name, index, key, type, def, lo, hi, choices, doc) +1
enum { STVP_WORKLOAD_KEYS = 0
#include "workload.def"
};
#undef STVP_WORKLOAD

/* Key i's default in its register's unit (a position, percent, number); 0 for no key. */
static inline double stvp_workload_default(unsigned i)
{
    switch (i) {
#define STVP_WORKLOAD(name, index, key, type, def, lo, hi, choices, doc) case (index): return (def);
#include "workload.def"
#undef STVP_WORKLOAD
    default:
        return 0.0;
    }
}

#endif
