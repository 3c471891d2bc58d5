/*
 * debug_demo: the program the debugging facilities are tested with (GDB stub, VCD, transaction
 * log, hang diagnosis). --arg 0 picks the scenario (see README.md); each prints what it does
 * and exits with a code its test expects, or deliberately never finishes.
 */
#include <stdio.h>
#include <string.h>

#include "stvp/bsp.h"
#include "stvp/dma.h"

/* ---- 0: a small computation to debug with gdb ---- */

volatile uint32_t demo_counter;
uint32_t demo_table[4] = {0x11111111u, 0x22222222u, 0x33333333u, 0x44444444u};

/* Sum of the first n table entries, wrapping around the table. */
__attribute__((noinline)) uint32_t demo_sum(unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < n; ++i)
        s += demo_table[i & 3];
    return s;
}

static int gdb_scenario(void)
{
    demo_counter = 1;
    uint32_t s = demo_sum(4);
    demo_counter = demo_counter + 1;
    printf("debug_demo: counter %lu sum 0x%08lx\n", (unsigned long)demo_counter, (unsigned long)s);
    return (int)demo_counter; /* 2 unless a debugger changed it */
}

/* ---- DMA helpers ---- */

static stvp_dma_desc desc;
static uint8_t src[4096], dst[4096];

static int copy(unsigned bytes, int irq)
{
    stvp_dma_result_t r;
    stvp_dma_desc_1d(&desc, (uintptr_t)dst, (uintptr_t)src, bytes);
    stvp_dma_start(&desc);
    uint32_t err = irq ? stvp_dma_wait(&r) : stvp_dma_wait_poll(&r);
    return err == STVP_DMA_ERR_NONE && memcmp(src, dst, bytes) == 0;
}

/* ---- 1: VCD scenario: phases, markers, a DMA copy with its interrupt, a closed window ---- */

static int vcd_scenario(void)
{
    for (unsigned i = 0; i < sizeof src; ++i)
        src[i] = (uint8_t)(i * 7u);
    stvp_dma_init(1);
    stvp_sim_phase(1);
    stvp_sim_marker(0x100);
    int ok = copy(4096, 1); /* dma.busy and irq.dma pulse in the window */
    stvp_sim_trace(0);
    ok &= copy(2048, 1); /* not in the VCD */
    stvp_sim_trace(1);
    stvp_sim_phase(2);
    stvp_sim_marker(0x200);
    stvp_delay_us(5); /* the timer: soc.irq.mtip rises while asleep */
    printf("debug_demo: vcd scenario %s\n", ok ? "done" : "FAILED");
    return ok ? 0 : 1;
}

/* ---- 2: polls DMA.STATUS for a chain that was never started ---- */

static int poll_forever(void)
{
    printf("debug_demo: polling DMA STATUS, nothing started\n");
    while (!(stvp_read32(STVP_DMA_BASE + DMA_STATUS) & DMA_STATUS_DONE_MASK)) {
    }
    return 3;
}

/* ---- 3: a descriptor that takes far longer than the hang timeout (64 MiB) ---- */

static int long_copy(void)
{
    static stvp_dma_desc big;
    stvp_dma_init(1);
    stvp_dma_desc_1d(&big, 0x88000000u, 0x84000000u, 64u << 20);
    printf("debug_demo: copying 64 MiB, asleep in WFI\n");
    stvp_dma_start(&big);
    stvp_dma_wait(NULL);
    return 4;
}

/* ---- 4: waits in WFI for a DMA interrupt that is not enabled ---- */

static _Noreturn void wfi_irq_disabled(void)
{
    stvp_dma_init(1);
    stvp_write32(STVP_DMA_BASE + DMA_INT_ENABLE, 0); /* the mistake */
    stvp_dma_desc_1d(&desc, (uintptr_t)dst, (uintptr_t)src, 256);
    printf("debug_demo: DMA interrupt disabled, waiting in WFI\n");
    stvp_dma_start(&desc);
    stvp_csr_set(mstatus, STVP_MSTATUS_MIE);
    for (;;)
        stvp_wfi();
}

/* ---- 5: sleeps 20 ms on the timer: not a hang, whatever the hang timeout ---- */

static int long_sleep(void)
{
    stvp_delay_us(20000);
    printf("debug_demo: slept 20 ms\n");
    return 0;
}

int main(void)
{
    switch (stvp_sim_arg(0, 0)) {
    case 0: return gdb_scenario();
    case 1: return vcd_scenario();
    case 2: return poll_forever();
    case 3: return long_copy();
    case 4: wfi_irq_disabled();
    case 5: return long_sleep();
    default: printf("debug_demo: unknown scenario\n"); return 100;
    }
}
