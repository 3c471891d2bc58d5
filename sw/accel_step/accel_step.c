/*
 * accel_step: one full training step of a two-layer fully connected network
 * (16 -> 12 ReLU -> 4, softmax cross-entropy, batch 8, plain SGD with weight decay) as ONE
 * descriptor chain on the accelerator, and the same step on the CPU (ref_ops.c); the updated
 * weights and biases, the loss and the correct count must agree (every intermediate tensor
 * is compared too, to locate a mismatch). `--arg N` runs N steps on the same batch (default
 * 1); with N > 1 the loss must also go down. Exit 0 iff everything agreed.
 *
 * The chain (descriptor: op, layer):
 *   0 FC_FWD        1  H = relu(X W1^T + b1)
 *   1 FC_FWD        2  L = H W2^T + b2
 *   2 SOFTMAX_XENT  2  dL = (softmax(L) - onehot) / N, loss, correct   (FLAG_IRQ)
 *   3 FC_BWD_WEIGHT 2  dW2 = dL^T H, db2 = colsum dL
 *   4 FC_BWD_DATA   2  dH = dL W2, masked where H <= 0 (layer 1's ReLU backward)
 *   5 FC_BWD_WEIGHT 1  dW1 = dH^T X, db1 = colsum dH
 *   6..9 SGD       1,1,2,2  W1, b1, W2, b2 -= lr (g + wd W)
 * (layer 1 needs no input gradient: X is data.)
 */
#include <stdio.h>
#include <string.h>

#include "ref_ops.h"
#include "stvp/accel.h"
#include "stvp/bsp.h"

enum { N = 8, D_IN = 16, D_HID = 12, D_OUT = 4, CHAIN = 10 };
static const float LR = 0.5f, WD = 1e-4f;

/* One copy of the network's tensors: the accelerator's and the CPU's. */
typedef struct net {
    float w1[D_HID * D_IN], b1[D_HID], w2[D_OUT * D_HID], b2[D_OUT];
    float h[N * D_HID], l[N * D_OUT], dl[N * D_OUT];
    float dw2[D_OUT * D_HID], db2[D_OUT], dh[N * D_HID], dw1[D_HID * D_IN], db1[D_HID];
    stvp_accel_xent_result res;
} net_t;

static net_t acc __attribute__((aligned(64)));
static net_t cpu;
static float x[N * D_IN];
static int32_t labels[N];
static stvp_accel_desc chain[CHAIN];

static unsigned checks, failures;

static void compare(const char *name, const float *got, const float *want, uint32_t count, int print)
{
    float e = ref_max_error(got, want, count);
    int ok = e <= REF_TOLERANCE;
    ++checks;
    failures += !ok;
    if (print || !ok)
        printf("%s %-6s max error %.2e\n", ok ? "PASS" : "FAIL", name, (double)e);
}

static void init(void)
{
    ref_seed(0x57e9u);
    ref_fill(x, N * D_IN, -1.0f, 1.0f);
    for (uint32_t i = 0; i < N; ++i)
        labels[i] = (int32_t)(ref_rand() % D_OUT);
    /* Uniform in +-1/sqrt(fan_in)-ish ranges, biases small. */
    ref_fill(acc.w1, D_HID * D_IN, -0.25f, 0.25f);
    ref_fill(acc.b1, D_HID, -0.1f, 0.1f);
    ref_fill(acc.w2, D_OUT * D_HID, -0.3f, 0.3f);
    ref_fill(acc.b2, D_OUT, -0.1f, 0.1f);
    memcpy(cpu.w1, acc.w1, sizeof cpu.w1);
    memcpy(cpu.b1, acc.b1, sizeof cpu.b1);
    memcpy(cpu.w2, acc.w2, sizeof cpu.w2);
    memcpy(cpu.b2, acc.b2, sizeof cpu.b2);
}

static void build_chain(net_t *a)
{
    stvp_accel_fc_fwd(&chain[0], N, D_IN, D_HID, x, a->w1, a->b1, a->h, 1);
    stvp_accel_fc_fwd(&chain[1], N, D_HID, D_OUT, a->h, a->w2, a->b2, a->l, 0);
    stvp_accel_softmax_xent(&chain[2], N, D_OUT, a->l, labels, a->dl, &a->res);
    stvp_accel_desc_irq(&chain[2]);
    stvp_accel_fc_bwd_weight(&chain[3], N, D_HID, D_OUT, a->dl, a->h, a->dw2, a->db2);
    stvp_accel_fc_bwd_data(&chain[4], N, D_HID, D_OUT, a->dl, a->w2, a->h, a->dh);
    stvp_accel_fc_bwd_weight(&chain[5], N, D_IN, D_HID, a->dh, x, a->dw1, a->db1);
    stvp_accel_sgd(&chain[6], D_HID * D_IN, a->w1, a->dw1, LR, WD);
    stvp_accel_sgd(&chain[7], D_HID, a->b1, a->db1, LR, WD);
    stvp_accel_sgd(&chain[8], D_OUT * D_HID, a->w2, a->dw2, LR, WD);
    stvp_accel_sgd(&chain[9], D_OUT, a->b2, a->db2, LR, WD);
    static const uint32_t layer[CHAIN] = {1, 2, 2, 2, 2, 1, 1, 1, 2, 2};
    for (unsigned i = 0; i < CHAIN; ++i)
        stvp_accel_desc_layer(&chain[i], layer[i]);
}

static void cpu_step(net_t *c)
{
    ref_fc_fwd(N, D_IN, D_HID, x, c->w1, c->b1, c->h, 1);
    ref_fc_fwd(N, D_HID, D_OUT, c->h, c->w2, c->b2, c->l, 0);
    ref_softmax_xent(N, D_OUT, c->l, labels, c->dl, &c->res);
    ref_fc_bwd_weight(N, D_HID, D_OUT, c->dl, c->h, c->dw2, c->db2);
    ref_fc_bwd_data(N, D_HID, D_OUT, c->dl, c->w2, c->h, c->dh);
    ref_fc_bwd_weight(N, D_IN, D_HID, c->dh, x, c->dw1, c->db1);
    ref_sgd(D_HID * D_IN, c->w1, c->dw1, LR, WD);
    ref_sgd(D_HID, c->b1, c->db1, LR, WD);
    ref_sgd(D_OUT * D_HID, c->w2, c->dw2, LR, WD);
    ref_sgd(D_OUT, c->b2, c->db2, LR, WD);
}

/* One step on both; returns 0 if the accelerator's chain failed (nothing to compare). */
static int step(unsigned index, int verbose)
{
    stvp_accel_result_t r;
    stvp_accel_counters_t before, after, d;
    unsigned desc_irqs = stvp_accel_desc_irq_count();

    build_chain(&acc);
    stvp_accel_read_counters(&before);
    uint64_t t0 = stvp_sim_time_ns();
    int rc = stvp_accel_run(chain, CHAIN, &r);
    uint64_t t1 = stvp_sim_time_ns();
    stvp_accel_read_counters(&after);
    stvp_accel_counters_delta(&before, &after, &d);
    if (rc != STVP_ACCEL_ERR_NONE) {
        char msg[200];
        stvp_accel_format_error(&r, chain, CHAIN, msg, sizeof msg);
        printf("FAIL step %u: %s\n", index, msg);
        ++checks;
        ++failures;
        return 0;
    }
    uint64_t c0 = stvp_read_mcycle();
    cpu_step(&cpu);
    uint64_t c1 = stvp_read_mcycle();

    printf("     step %u: loss %.6f (cpu %.6f), correct %lu/%u (cpu %lu); accel %llu cycles, %llu MACs, "
           "%llu skipped, %llu pJ, %llu ns; cpu %llu cycles\n",
           index, (double)acc.res.loss, (double)cpu.res.loss, (unsigned long)acc.res.correct, (unsigned)N,
           (unsigned long)cpu.res.correct, (unsigned long long)d.cycles, (unsigned long long)d.macs,
           (unsigned long long)d.macs_skipped, (unsigned long long)d.energy_pj, (unsigned long long)(t1 - t0),
           (unsigned long long)(c1 - c0));

    ++checks;
    int chain_ok = r.descs_done == CHAIN && d.ops_done == CHAIN && stvp_accel_desc_irq_count() == desc_irqs + 1;
    failures += !chain_ok;
    if (verbose || !chain_ok)
        printf("%s chain: %lu of %u descriptors, DESC interrupt of the loss descriptor %s\n", chain_ok ? "PASS" : "FAIL",
               (unsigned long)r.descs_done, (unsigned)CHAIN,
               stvp_accel_desc_irq_count() == desc_irqs + 1 ? "taken" : "missing");

    compare("H", acc.h, cpu.h, N * D_HID, verbose);
    compare("logits", acc.l, cpu.l, N * D_OUT, verbose);
    compare("dL", acc.dl, cpu.dl, N * D_OUT, verbose);
    compare("loss", &acc.res.loss, &cpu.res.loss, 1, verbose);
    ++checks;
    failures += acc.res.correct != cpu.res.correct;
    if (verbose || acc.res.correct != cpu.res.correct)
        printf("%s correct %lu (cpu %lu)\n", acc.res.correct == cpu.res.correct ? "PASS" : "FAIL",
               (unsigned long)acc.res.correct, (unsigned long)cpu.res.correct);
    compare("dW2", acc.dw2, cpu.dw2, D_OUT * D_HID, verbose);
    compare("db2", acc.db2, cpu.db2, D_OUT, verbose);
    compare("dH", acc.dh, cpu.dh, N * D_HID, verbose);
    compare("dW1", acc.dw1, cpu.dw1, D_HID * D_IN, verbose);
    compare("db1", acc.db1, cpu.db1, D_HID, verbose);
    compare("W1", acc.w1, cpu.w1, D_HID * D_IN, verbose);
    compare("b1", acc.b1, cpu.b1, D_HID, verbose);
    compare("W2", acc.w2, cpu.w2, D_OUT * D_HID, verbose);
    compare("b2", acc.b2, cpu.b2, D_OUT, verbose);
    return 1;
}

int main(void)
{
    if (stvp_accel_init(1) != 0) {
        printf("FAIL accel_step: no accelerator at 0x%08x\n", (unsigned)STVP_ACCEL_BASE);
        return 1;
    }
    stvp_plic_set_threshold(0);
    unsigned steps = stvp_sim_arg(0, 1);
    if (steps < 1)
        steps = 1;

    init();
    float first_loss = 0.0f, last_loss = 0.0f;
    for (unsigned s = 1; s <= steps; ++s) {
        if (!step(s, s == 1))
            break;
        if (s == 1)
            first_loss = acc.res.loss;
        last_loss = acc.res.loss;
    }
    if (steps > 1) {
        int learns = last_loss < first_loss;
        ++checks;
        failures += !learns;
        printf("%s learning: loss %.6f after %u steps, %.6f at step 1\n", learns ? "PASS" : "FAIL", (double)last_loss,
               steps, (double)first_loss);
    }
    printf("%s accel_step: %u steps, %u checks, %u failed\n", failures ? "FAIL" : "PASS", steps, checks, failures);
    return failures ? 1 : 0;
}
