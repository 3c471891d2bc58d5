/*
 * accel_health: the accelerator's NaN/Inf health counters through the driver (stvp/accel.h,
 * accel.def NAN_COUNT / INF_COUNT / NONFINITE_DESC, INT_STATUS.NONFINITE). A clean chain
 * leaves them 0; a chain whose second FC_FWD reads a NaN and an Inf counts the non-finite
 * outputs, names descriptor 1 and sets INT_STATUS.NONFINITE (seen by the interrupt-driven
 * wait); an SGD step with Inf gradients adds two Inf weights (seen by the polling wait); a
 * soft reset clears the counters. One PASS/FAIL line per check; exit 0 iff all passed.
 * Argument 1: stop before the soft reset and poll forever (for the hang diagnosis).
 */
#include <math.h>
#include <stdio.h>

#include "stvp/accel.h"
#include "stvp/bsp.h"

static unsigned checks, failures;

static void check(int ok, const char *what)
{
    ++checks;
    failures += !ok;
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
}

static stvp_accel_desc chain[2];

/* X[2][3] . W[2][3]^T: X row 0 starts with a NaN (both outputs of row 0 are NaN); row 1 ends
   with +Inf, weighted -1 and 0.5 (no zero weight, so no Inf x 0): -Inf and +Inf. */
static float x_clean[6] = {1, 2, 3, -1, 0, 1};
static float x_bad[6] = {0, 2, 3, -1, 0, 0};
static float w[6] = {1, 0, -1, 0.5f, 0.5f, 0.5f};
static float y0[4], y1[4];
static float sw_w[4] = {1, 1, 1, 1}, sw_g[4] = {0.5f, 0, 0, 0};

static void show(const char *when, const stvp_accel_health_t *h)
{
    printf("     %s: nan %lu, inf %lu, first descriptor 0x%08lx, NONFINITE acknowledged %u time(s)\n", when,
           (unsigned long)h->nan, (unsigned long)h->inf, (unsigned long)h->first_desc, stvp_accel_nonfinite_count());
}

int main(void)
{
    if (stvp_accel_init(1) != 0) {
        printf("FAIL accel_health: no accelerator at 0x%08x\n", (unsigned)STVP_ACCEL_BASE);
        return 1;
    }
    stvp_plic_set_threshold(0);
    /* Built at run time: the compiler must not fold them. */
    x_bad[0] = nanf("");
    x_bad[5] = INFINITY;
    sw_g[1] = INFINITY;
    sw_g[2] = INFINITY;

    stvp_accel_health_t h;
    stvp_accel_result_t r;

    stvp_accel_read_health(&h);
    check(h.nan == 0 && h.inf == 0 && h.first_desc == STVP_ACCEL_NO_DESC, "reset: counters 0, no descriptor");

    /* A clean chain. */
    stvp_accel_fc_fwd(&chain[0], 2, 3, 2, x_clean, w, NULL, y0, 0);
    int rc = stvp_accel_run(chain, 1, &r);
    stvp_accel_read_health(&h);
    show("clean chain", &h);
    check(rc == 0 && h.nan == 0 && h.inf == 0 && h.first_desc == STVP_ACCEL_NO_DESC &&
              stvp_accel_nonfinite_count() == 0,
          "clean FC_FWD: nothing counted");

    /* Descriptor 1 reads a NaN and an Inf. */
    stvp_accel_fc_fwd(&chain[0], 2, 3, 2, x_clean, w, NULL, y0, 0);
    stvp_accel_fc_fwd(&chain[1], 2, 3, 2, x_bad, w, NULL, y1, 0);
    rc = stvp_accel_run(chain, 2, &r);
    stvp_accel_read_health(&h);
    show("NaN/Inf chain", &h);
    check(rc == 0 && r.descs_done == 2, "NaN/Inf chain completes (non-finite values are not errors)");
    check(isnan(y1[0]) && isnan(y1[1]) && isinf(y1[2]) && y1[2] < 0 && isinf(y1[3]) && y1[3] > 0 && isfinite(y0[0]),
          "outputs: NaN NaN -Inf +Inf");
    check(h.nan == 2 && h.inf == 2, "NAN_COUNT 2, INF_COUNT 2");
    check(h.first_desc == 1, "NONFINITE_DESC names descriptor 1");
    check(stvp_accel_nonfinite_count() == 1, "INT_STATUS.NONFINITE seen by the interrupt handler");

    /* SGD with two Inf gradients, polling wait. */
    stvp_accel_sgd(&chain[0], 4, sw_w, sw_g, 0.1f, 0.0f);
    rc = stvp_accel_start(chain, 1);
    uint32_t err = stvp_accel_wait_poll(&r);
    stvp_accel_read_health(&h);
    show("SGD with Inf gradients", &h);
    check(rc == 0 && err == STVP_ACCEL_ERR_NONE && r.status == ACCEL_STATUS_DONE_MASK && h.nan == 2 && h.inf == 4 && h.first_desc == 0,
          "SGD: two -Inf weights counted (totals accumulate), descriptor 0 named");
    check(stvp_accel_nonfinite_count() == 2, "INT_STATUS.NONFINITE seen by the polling wait");

    /* Argument 1: hang here instead (poll STATUS forever) so the platform's hang diagnosis
       reports the counters as the device holds them. */
    if (stvp_sim_arg(0, 0) == 1) {
        printf("accel_health: polling forever with the counters set\n");
        for (;;)
            (void)stvp_accel_busy();
    }

    rc = stvp_accel_soft_reset();
    stvp_accel_read_health(&h);
    show("soft reset", &h);
    check(rc == 0 && h.nan == 0 && h.inf == 0 && h.first_desc == STVP_ACCEL_NO_DESC, "soft reset clears them");

    printf("%s accel_health: %u checks, %u failed\n", failures ? "FAIL" : "PASS", checks, failures);
    return failures ? 1 : 0;
}
