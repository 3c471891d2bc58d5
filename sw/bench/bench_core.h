/*
 * The work of sw/bench, in portable C (no BSP): the same source runs on stvp and natively on
 * the build machine (bench_host.c), so the native checksum checks the simulated one.
 */
#ifndef STVP_BENCH_CORE_H
#define STVP_BENCH_CORE_H

#include <stdint.h>

/* Rounds per million instructions on stvp's RV32IMAC (measured with minstret for this code
   built at -O2: about 18.4 thousand instructions per round); so that a run of --arg N executes
   roughly N million instructions (rounded up: slightly more, never fewer). */
#define BENCH_ROUNDS_PER_MILLION 55u

/* Sets up the benchmark's data (deterministic). */
void bench_init(void);

/* One round: integer arithmetic (mul/div/rem), branchy code (insertion sort and a state
   machine), memory work (copy, linked-list walk, matrix product). Returns the round's
   contribution to the checksum. */
uint32_t bench_round(uint32_t round);

/* init + `rounds` rounds: the checksum printed by the benchmark. */
uint32_t bench_run(uint32_t rounds);

#endif
