/*
 * interrupts: the three machine interrupts of stvp through the BSP: the CLINT timer (arrives
 * at the programmed mtime, not before), WFI sleeping until it, the CLINT software interrupt,
 * an external interrupt through the PLIC (the UART's level-triggered TXIDLE source, with
 * priority and threshold), masking by mstatus.MIE and mie, the priority order of pending
 * interrupts, vectored mtvec mode, and mcycle/minstret advancing. One PASS/FAIL line per
 * check; exit 0 if all passed, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "stvp/bsp.h"

/* mtime ticks allowed between the programmed time and the handler's reading of mtime: the
   CPU runs ahead of SystemC time by up to a quantum (10 us = 100 ticks by default) and
   notices an interrupt between quanta. */
#define LATE_TICKS 1000u

extern void irq_vector_table(void);
extern volatile uint32_t vector_hits[16];

static unsigned checks, failures;

static void check(int ok, const char *what)
{
    ++checks;
    failures += !ok;
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
}

/* ---- handlers: they record what they saw and quiet their source ---- */

static volatile unsigned timer_count, soft_count, uart_count;
static volatile uint64_t timer_seen_at;
static volatile uint32_t soft_seen_mip;
static volatile char order[8];
static volatile unsigned order_len;

static void note(char c)
{
    if (order_len < sizeof order - 1)
        order[order_len++] = c;
}

static void on_timer(void *ctx)
{
    (void)ctx;
    timer_seen_at = stvp_clint_mtime();
    ++timer_count;
    note('T');
    stvp_clint_timer_off();
}

static void on_soft(void *ctx)
{
    (void)ctx;
    soft_seen_mip = stvp_csr_read(mip);
    ++soft_count;
    note('S');
    stvp_clint_set_msip(0);
}

static void on_uart(void *ctx)
{
    (void)ctx;
    ++uart_count;
    note('E');
    stvp_uart_set_ie(0);
}

static void reset_counts(void)
{
    timer_count = soft_count = uart_count = 0;
    order_len = 0;
    memset((void *)order, 0, sizeof order);
}

/* An interrupt raised by a device store reaches the CPU through SystemC signals; a
   loosely-timed CPU may run up to a quantum (cpu.quantum_ns, 10 us by default) before it
   notices. So wait in mtime, not in instructions: settle() spins (interrupts may be taken)
   for SETTLE_TICKS, enough for any pending interrupt to arrive with quanta up to 200 us;
   wait_count() until a handler count is reached or that long. */
#define SETTLE_TICKS 2500u /* 250 us at 10 MHz */

static void settle(void)
{
    uint64_t end = stvp_clint_mtime() + SETTLE_TICKS;
    while (stvp_clint_mtime() < end) {
    }
}

static void wait_count(volatile unsigned *count, unsigned n)
{
    uint64_t end = stvp_clint_mtime() + SETTLE_TICKS;
    while (*count < n && stvp_clint_mtime() < end) {
    }
}

/* The UART's TXIDLE line is high only once the output so far has left (uart.baud > 0). */
static void uart_irq_on(void)
{
    stvp_uart_flush();
    stvp_uart_set_ie(UART_IE_TXIDLE_MASK);
}

static void test_timer(void)
{
    reset_counts();
    stvp_csr_set(mie, STVP_MIP_MTIP);
    stvp_irq_enable();

    /* 200 us ahead; sleep in WFI until the handler has run */
    uint64_t now = stvp_clint_mtime();
    uint64_t target = now + 2000;
    uint64_t instret0 = stvp_read_minstret();
    stvp_clint_set_mtimecmp(target);
    unsigned wakeups = 0;
    while (!timer_count) {
        stvp_wfi();
        ++wakeups;
    }
    uint64_t instret1 = stvp_read_minstret();
    uint64_t late = timer_seen_at - target;
    printf("     timer: programmed at %llu for %llu, handled at %llu (%llu ticks late), "
           "%llu instructions while waiting\n",
           (unsigned long long)now, (unsigned long long)target,
           (unsigned long long)timer_seen_at, (unsigned long long)late,
           (unsigned long long)(instret1 - instret0));
    check(timer_count == 1, "timer: exactly one interrupt");
    check(timer_seen_at >= target, "timer: not before mtimecmp");
    check(timer_seen_at < target + LATE_TICKS, "timer: within LATE_TICKS after mtimecmp");
    /* WFI sleeps: the 2000 ticks (about 100k cycles at 500 MHz) pass in few instructions */
    check(instret1 - instret0 < 1000 && wakeups >= 1, "timer: WFI slept instead of spinning");
    check(!(stvp_csr_read(mip) & STVP_MIP_MTIP), "timer: MTIP clear after the handler moved mtimecmp");

    /* a compare value already in the past fires at once */
    reset_counts();
    stvp_clint_set_mtimecmp(stvp_clint_mtime() - 1);
    wait_count(&timer_count, 1);
    check(timer_count == 1, "timer: mtimecmp in the past fires at once");

    stvp_irq_disable();
    stvp_csr_clear(mie, STVP_MIP_MTIP);
}

static void test_wfi_delay(void)
{
    /* stvp_delay_ticks: WFI with MIE off wakes on the pending MTIP without trapping */
    reset_counts();
    uint64_t t0 = stvp_clint_mtime();
    uint64_t ns0 = stvp_sim_time_ns();
    uint64_t i0 = stvp_read_minstret();
    stvp_delay_ticks(10000); /* 1 ms at 10 MHz */
    uint64_t i1 = stvp_read_minstret();
    uint64_t t1 = stvp_clint_mtime();
    uint64_t ns1 = stvp_sim_time_ns();
    printf("     delay: %llu ticks, %llu ns of simulated time, %llu instructions\n",
           (unsigned long long)(t1 - t0), (unsigned long long)(ns1 - ns0),
           (unsigned long long)(i1 - i0));
    check(t1 - t0 >= 10000, "wfi: delay of 10000 ticks took at least 10000 ticks");
    check(ns1 - ns0 >= 10000ull * 1000000000ull / STVP_CLINT_TIMEBASE_HZ,
          "wfi: simulated time advanced by the delay");
    check(i1 - i0 < 1000, "wfi: the delay slept (few instructions)");
    check(timer_count == 0, "wfi: no handler ran (MIE was off)");
    check(!(stvp_csr_read(mie) & STVP_MIP_MTIP), "wfi: mie.MTIE restored");
}

static void test_software(void)
{
    reset_counts();
    stvp_csr_set(mie, STVP_MIP_MSIP);
    stvp_irq_enable();
    stvp_clint_set_msip(1);
    wait_count(&soft_count, 1);
    check(soft_count == 1, "software: one interrupt after MSIP = 1");
    check((soft_seen_mip & STVP_MIP_MSIP) != 0, "software: mip.MSIP was set in the handler");
    check(!(stvp_csr_read(mip) & STVP_MIP_MSIP) && stvp_clint_msip() == 0,
          "software: MSIP clear after the handler");
    stvp_irq_disable();
    stvp_csr_clear(mie, STVP_MIP_MSIP);
}

static void test_masking(void)
{
    /* mstatus.MIE off: pending and enabled, but not taken */
    reset_counts();
    stvp_csr_set(mie, STVP_MIP_MSIP);
    stvp_clint_set_msip(1);
    settle();
    check(soft_count == 0 && (stvp_csr_read(mip) & STVP_MIP_MSIP), "masking: MIE = 0 holds a pending interrupt");
    stvp_irq_enable();
    __asm__ __volatile__("nop" ::: "memory");
    check(soft_count == 1, "masking: taken as soon as MIE = 1");
    stvp_irq_disable();

    /* mie bit off: not taken even with MIE on */
    reset_counts();
    stvp_csr_clear(mie, STVP_MIP_MSIP);
    stvp_irq_enable();
    stvp_clint_set_msip(1);
    settle();
    check(soft_count == 0, "masking: mie.MSIE = 0 holds it");
    stvp_csr_set(mie, STVP_MIP_MSIP);
    __asm__ __volatile__("nop" ::: "memory");
    check(soft_count == 1, "masking: taken as soon as mie.MSIE = 1");
    stvp_irq_disable();
    stvp_csr_clear(mie, STVP_MIP_MSIP);
}

static void test_external(void)
{
    reset_counts();
    stvp_plic_set_priority(STVP_IRQ_UART, 1);
    stvp_plic_set_threshold(0);
    stvp_plic_enable(STVP_IRQ_UART);
    check(stvp_plic_claim() == 0, "external: claim with nothing pending returns 0");
    stvp_csr_set(mie, STVP_MIP_MEIP);
    stvp_irq_enable();

    /* the UART is idle, so enabling TXIDLE raises its line at once */
    uart_irq_on();
    wait_count(&uart_count, 1);
    check(uart_count == 1, "external: UART TXIDLE interrupt through the PLIC");
    check(!(stvp_csr_read(mip) & STVP_MIP_MEIP), "external: MEIP clear after claim/complete");
    check(!(stvp_plic_pending() & (1u << STVP_IRQ_UART)), "external: source no longer pending");

    /* priority <= threshold: pending in the PLIC but no interrupt */
    reset_counts();
    stvp_plic_set_threshold(1);
    uart_irq_on();
    settle();
    check(uart_count == 0 && (stvp_plic_pending() & (1u << STVP_IRQ_UART)) &&
              !(stvp_csr_read(mip) & STVP_MIP_MEIP),
          "external: threshold 1 masks priority 1 (pending, MEIP low)");
    stvp_uart_flush(); /* the line is low while the check's output is on the wire */
    stvp_plic_set_priority(STVP_IRQ_UART, 2);
    wait_count(&uart_count, 1);
    check(uart_count == 1, "external: priority 2 above threshold 1 interrupts");

    /* priority 0 never interrupts */
    reset_counts();
    stvp_plic_set_threshold(0);
    stvp_plic_set_priority(STVP_IRQ_UART, 0);
    uart_irq_on();
    settle();
    check(uart_count == 0 && !(stvp_csr_read(mip) & STVP_MIP_MEIP), "external: priority 0 never interrupts");
    stvp_uart_set_ie(0);

    /* disabled in the PLIC: no interrupt */
    stvp_plic_set_priority(STVP_IRQ_UART, 1);
    stvp_plic_disable(STVP_IRQ_UART);
    uart_irq_on();
    settle();
    check(uart_count == 0, "external: a disabled source does not interrupt");
    stvp_uart_set_ie(0);
    stvp_plic_enable(STVP_IRQ_UART);

    stvp_irq_disable();
    stvp_csr_clear(mie, STVP_MIP_MEIP);
}

static void test_priority_order(void)
{
    /* all three pending at once: taken in the order MEI, MSI, MTI (privileged spec 3.1.9) */
    reset_counts();
    stvp_csr_set(mie, STVP_MIP_MEIP | STVP_MIP_MSIP | STVP_MIP_MTIP);
    stvp_clint_set_mtimecmp(0);
    stvp_clint_set_msip(1);
    uart_irq_on();
    settle();
    unsigned before = order_len; /* no output until the end: it would lower the UART line */
    stvp_irq_enable();
    settle();
    stvp_irq_disable();
    check(before == 0, "order: nothing taken while MIE = 0");
    printf("     order: %s\n", (const char *)order);
    check(strcmp((const char *)order, "EST") == 0, "order: external, software, timer");
    stvp_csr_clear(mie, STVP_MIP_MEIP | STVP_MIP_MSIP | STVP_MIP_MTIP);
}

static stvp_trap_action_t skip_ecall(stvp_trap_frame_t *f)
{
    return f->mcause == STVP_EXC_ECALL_M ? STVP_TRAP_SKIP : STVP_TRAP_DEFAULT;
}

static void test_vectored(void)
{
    uint32_t base = (uint32_t)(uintptr_t)irq_vector_table;
    uint32_t old = stvp_csr_swap(mtvec, base | STVP_MTVEC_VECTORED);
    check(stvp_csr_read(mtvec) == (base | STVP_MTVEC_VECTORED), "vectored: mtvec accepts MODE = 1");
    for (unsigned i = 0; i < 16; ++i)
        vector_hits[i] = 0;
    reset_counts();
    stvp_set_exception_hook(skip_ecall);
    stvp_csr_set(mie, STVP_MIP_MEIP | STVP_MIP_MSIP | STVP_MIP_MTIP);
    stvp_irq_enable();

    stvp_clint_set_msip(1);
    wait_count(&soft_count, 1);
    stvp_clint_set_mtimecmp(0);
    wait_count(&timer_count, 1);
    uart_irq_on();
    wait_count(&uart_count, 1);
    __asm__ __volatile__("ecall" ::: "memory");

    stvp_irq_disable();
    stvp_csr_clear(mie, STVP_MIP_MEIP | STVP_MIP_MSIP | STVP_MIP_MTIP);
    stvp_set_exception_hook(NULL);
    stvp_csr_write(mtvec, old);
    printf("     vector hits: 0:%lu 3:%lu 7:%lu 11:%lu\n", (unsigned long)vector_hits[0],
           (unsigned long)vector_hits[3], (unsigned long)vector_hits[7], (unsigned long)vector_hits[11]);
    check(vector_hits[3] == 1 && soft_count == 1, "vectored: software interrupt at base + 12");
    check(vector_hits[7] == 1 && timer_count == 1, "vectored: timer interrupt at base + 28");
    check(vector_hits[11] == 1 && uart_count == 1, "vectored: external interrupt at base + 44");
    check(vector_hits[0] == 1, "vectored: exception (ecall) at base");
    unsigned others = 0;
    for (unsigned i = 0; i < 16; ++i)
        if (i != 0 && i != 3 && i != 7 && i != 11)
            others += vector_hits[i];
    check(others == 0, "vectored: no other slot used");
}

static void test_counters(void)
{
    uint64_t c0 = stvp_read_mcycle(), i0 = stvp_read_minstret();
    for (volatile unsigned i = 0; i < 1000; ++i) {
    }
    uint64_t c1 = stvp_read_mcycle(), i1 = stvp_read_minstret();
    printf("     counters: 1000-iteration loop: %llu instructions, %llu cycles\n",
           (unsigned long long)(i1 - i0), (unsigned long long)(c1 - c0));
    check(i1 - i0 >= 3000, "counters: minstret advanced by the loop");
    check(c1 - c0 >= i1 - i0, "counters: mcycle advanced at least as much (CPI >= 1)");
}

int main(void)
{
    stvp_set_irq_handler(STVP_IRQ_M_TIMER, on_timer, NULL);
    stvp_set_irq_handler(STVP_IRQ_M_SOFT, on_soft, NULL);
    stvp_plic_set_handler(STVP_IRQ_UART, on_uart, NULL);

    test_timer();
    test_wfi_delay();
    test_software();
    test_masking();
    test_external();
    test_priority_order();
    test_vectored();
    test_counters();

    printf("%s interrupts: %u checks, %u failed\n", failures ? "FAIL" : "PASS", checks, failures);
    return failures ? 1 : 0;
}
