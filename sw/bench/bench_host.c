/* Native build of the benchmark's work, to check the checksum stvp prints: the host build
   makes it (tests/unit/host; CTest runs host.bench_checksum_*):
     build/tests/bench_host [N]      # the checksum of `stvp ... --firmware bench.elf --arg N` */
#include <stdio.h>
#include <stdlib.h>

#include "bench_core.h"

int main(int argc, char **argv)
{
    unsigned long millions = argc > 1 ? strtoul(argv[1], NULL, 0) : 5;
    unsigned long long rounds = (unsigned long long)millions * BENCH_ROUNDS_PER_MILLION;
    if (rounds > 0xffffffffull)
        rounds = 0xffffffffull;
    printf("bench: checksum 0x%08lx\n", (unsigned long)bench_run((uint32_t)rounds));
    return 0;
}
