/* Harness of the ISA self-tests: runs the suite's isa_run() and prints the verdict. The exit
   code is 0 when every test passed, 1 on the first failure (or an unexpected exception). */
#include <stdio.h>
#include <stdlib.h>

#include "stvp/bsp.h"

extern int isa_run(void);
extern const char isa_suite[];
extern const uint32_t isa_test_count;
extern const struct {
    uint32_t number, got, expected;
    const char *name;
} isa_failure;

/* An exception during a suite is a failure of the test that was running: the suites keep the
   test number in gp (the frame holds the interrupted gp). */
static stvp_trap_action_t unexpected_exception(stvp_trap_frame_t *f)
{
    printf("FAIL %s test %lu: unexpected exception: %s (mcause=%lu) mepc=0x%08lx mtval=0x%08lx\n",
           isa_suite, (unsigned long)f->x[3], stvp_exception_name(f->mcause),
           (unsigned long)f->mcause, (unsigned long)f->mepc, (unsigned long)f->mtval);
    exit(1);
}

int main(void)
{
    stvp_set_exception_hook(unexpected_exception);
    int failed = isa_run();
    if (failed) {
        printf("FAIL %s test %d (%s): got 0x%08lx, expected 0x%08lx\n", isa_suite, failed,
               isa_failure.name, (unsigned long)isa_failure.got,
               (unsigned long)isa_failure.expected);
        return 1;
    }
    printf("PASS %s: %lu tests\n", isa_suite, (unsigned long)isa_test_count);
    return 0;
}
