/* hello: the first program to run on a new platform build. Prints a greeting and what the
   hart reports about itself, then exits 0. */
#include <stdio.h>

#include "stvp/bsp.h"

/* misa's extension letters, A..Z from bit 0 (privileged spec 1.12, 3.1.1). */
static void isa_string(uint32_t misa, char *out)
{
    static const char *const xlen[] = {"RV?", "RV32", "RV64", "RV128"};
    const char *p = xlen[misa >> 30];
    while (*p)
        *out++ = *p++;
    for (int bit = 0; bit < 26; ++bit)
        if (misa & (1u << bit))
            *out++ = (char)('A' + bit);
    *out = '\0';
}

int main(void)
{
    char isa[40];
    uint32_t misa = stvp_csr_read(misa);
    isa_string(misa, isa);

    printf("Hello from stvp!\n");
    printf("  misa     0x%08lx (%s)\n", (unsigned long)misa, isa);
    printf("  mhartid  %lu\n", (unsigned long)stvp_csr_read(mhartid));
    printf("  mvendorid 0x%08lx marchid 0x%08lx mimpid 0x%08lx\n",
           (unsigned long)stvp_csr_read(mvendorid), (unsigned long)stvp_csr_read(marchid),
           (unsigned long)stvp_csr_read(mimpid));
    printf("  mtime    %llu ticks\n", (unsigned long long)stvp_clint_mtime());
    printf("  sim time %llu ns\n", (unsigned long long)stvp_sim_time_ns());
    printf("  minstret %llu, mcycle %llu\n", (unsigned long long)stvp_read_minstret(),
           (unsigned long long)stvp_read_mcycle());
    unsigned nargs = stvp_sim_nargs();
    printf("  %u argument%s", nargs, nargs == 1 ? "" : "s");
    for (unsigned i = 0; i < nargs && i < (unsigned)SIMCTRL_ARG_COUNT; ++i)
        printf(" %lu", (unsigned long)stvp_sim_arg(i, 0));
    printf("\nGoodbye.\n");
    return 0;
}
