/*
 * bench: a CPU-bound benchmark for stvp's ISS (bench_core.c: integer arithmetic with mul/div,
 * branchy code, memory work). Prints a deterministic checksum and the instructions (minstret)
 * and cycles (mcycle) it measured around the work. --arg N runs about N million instructions
 * (default 5); simctrl markers 1 and 2 bracket the measured part.
 */
#include <stdio.h>

#include "bench_core.h"
#include "stvp/bsp.h"

#define DEFAULT_MILLIONS 5u

int main(void)
{
    uint32_t millions = stvp_sim_arg(0, DEFAULT_MILLIONS);
    uint64_t rounds64 = (uint64_t)millions * BENCH_ROUNDS_PER_MILLION;
    uint32_t rounds = rounds64 > UINT32_MAX ? UINT32_MAX : (uint32_t)rounds64;
    printf("bench: %lu rounds (about %lu million instructions)\n", (unsigned long)rounds,
           (unsigned long)millions);

    stvp_sim_marker(1);
    uint64_t t0 = stvp_sim_time_ns();
    uint64_t c0 = stvp_read_mcycle();
    uint64_t i0 = stvp_read_minstret();
    uint32_t checksum = bench_run(rounds);
    uint64_t i1 = stvp_read_minstret();
    uint64_t c1 = stvp_read_mcycle();
    uint64_t t1 = stvp_sim_time_ns();
    stvp_sim_marker(2);

    uint64_t insns = i1 - i0, cycles = c1 - c0;
    uint64_t cpi_milli = insns ? cycles * 1000 / insns : 0;
    printf("bench: checksum 0x%08lx\n", (unsigned long)checksum);
    printf("bench: instructions %llu cycles %llu CPI %llu.%03llu simulated %llu ns\n",
           (unsigned long long)insns, (unsigned long long)cycles,
           (unsigned long long)(cpi_milli / 1000), (unsigned long long)(cpi_milli % 1000),
           (unsigned long long)(t1 - t0));
    return 0;
}
