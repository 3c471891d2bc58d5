/*
 * umode_demo: an M-mode driver protects its state with PMP and runs the application in
 * U-mode. The application calls the driver through ecall, then makes a stray store into the
 * driver's state: the store access fault is reported by the driver's trap handler (cause,
 * mtval, pc) and ends the run. See README.md for the output and exit codes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "stvp/bsp.h"
#include "stvp/user.h"

/* ---- the driver (M-mode) ---- */

enum { SYS_PUTS = 1, SYS_ADD = 2, SYS_EXIT = 3 };

#define SECRET 0x5EC2E700u

/* The driver's state: 64 bytes aligned to 64, so one NAPOT PMP entry covers it exactly. */
static struct driver_state {
    uint32_t secret;
    uint32_t total;
    uint32_t calls;
    uint32_t pad[13];
} drv __attribute__((aligned(64)));
_Static_assert(sizeof(struct driver_state) == 64, "one NAPOT region");

static uint8_t user_stack[4096] __attribute__((aligned(16)));

extern char __stack[]; /* link.ld.in: the top of the initial stack, the program's last address */

/* A user pointer is usable if it lies in the program and not in the driver's state. */
static int user_range_ok(uintptr_t p, uint32_t len)
{
    const uintptr_t d0 = (uintptr_t)&drv, d1 = d0 + sizeof drv;
    return p >= STVP_DRAM_BASE && p + len <= (uintptr_t)__stack && p + len >= p && (p + len <= d0 || p >= d1);
}

static void sys_puts(const char *s)
{
    uint32_t n = 0;
    while (n < 200 && user_range_ok((uintptr_t)(s + n), 1) && s[n])
        ++n;
    printf("[app] %.*s\n", (int)n, s);
}

static stvp_trap_action_t driver_trap(stvp_trap_frame_t *f)
{
    const int from_user = (f->mstatus & STVP_MSTATUS_MPP) == 0;
    if (from_user && f->mcause == STVP_EXC_ECALL_U) {
        ++drv.calls;
        switch (f->x[17]) { /* a7 */
        case SYS_PUTS: sys_puts((const char *)(uintptr_t)f->x[10]); break;
        case SYS_ADD:
            drv.total += f->x[10];
            printf("driver: add(%lu) -> %lu\n", (unsigned long)f->x[10], (unsigned long)drv.total);
            f->x[10] = drv.total;
            break;
        case SYS_EXIT:
            printf("FAIL umode_demo: the application ended with %lu: its store into driver memory went through "
                   "(secret 0x%08lx)\n",
                   (unsigned long)f->x[10], (unsigned long)drv.secret);
            exit(1);
        default: f->x[10] = (uint32_t)-1; break;
        }
        return STVP_TRAP_SKIP;
    }
    if (from_user && f->mcause == STVP_EXC_STORE_ACCESS) {
        printf("driver: user store access fault: mcause %lu (%s), mtval 0x%08lx, pc 0x%08lx\n",
               (unsigned long)f->mcause, stvp_exception_name(f->mcause), (unsigned long)f->mtval,
               (unsigned long)f->mepc);
        const int at_driver = f->mtval >= (uintptr_t)&drv && f->mtval < (uintptr_t)&drv + sizeof drv;
        const int intact = drv.secret == SECRET && drv.total == 42;
        printf("driver: mtval is %s the driver state at 0x%08lx; state %s (secret 0x%08lx, total %lu, %lu calls)\n",
               at_driver ? "in" : "NOT in", (unsigned long)(uintptr_t)&drv, intact ? "intact" : "CHANGED",
               (unsigned long)drv.secret, (unsigned long)drv.total, (unsigned long)drv.calls);
        if (at_driver && intact) {
            printf("PASS umode_demo: the stray user store was stopped by PMP\n");
            exit(0);
        }
        printf("FAIL umode_demo: unexpected fault\n");
        exit(1);
    }
    return STVP_TRAP_DEFAULT; /* anything else: the BSP reports it (exit 101) */
}

/* ---- the application (U-mode): reaches the driver through ecall only ---- */

static uint32_t ecall(uint32_t nr, uint32_t arg)
{
    register uint32_t a0 __asm__("a0") = arg;
    register uint32_t a7 __asm__("a7") = nr;
    __asm__ __volatile__("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}

static void app(void *arg)
{
    volatile uint32_t *stray = arg; /* the driver's state: a wrong pointer, as in a real bug */
    ecall(SYS_PUTS, (uint32_t)(uintptr_t)"hello from U-mode");
    ecall(SYS_ADD, 20);
    const uint32_t total = ecall(SYS_ADD, 22);
    const char *msg = total == 42 ? "total is 42; now a stray store into driver memory"
                                  : "wrong total; now a stray store into driver memory";
    ecall(SYS_PUTS, (uint32_t)(uintptr_t)msg);
    *stray = 0xBADu; /* store access fault: PMP entry 0 gives U-mode nothing there */
    ecall(SYS_EXIT, 2);
}

int main(void)
{
    drv.secret = SECRET;
    /* Entry 0: the driver's state, no permission for U-mode (M-mode is not bound: unlocked).
       Entry 1: all of DRAM for U-mode (code, data, stack). The devices get no entry: U-mode
       cannot reach them. The lowest-numbered matching entry wins, so entry 0 cuts its hole
       in entry 1. */
    if (stvp_pmp_napot(0, (uintptr_t)&drv, sizeof drv, 0) != 0 ||
        stvp_pmp_napot(1, STVP_DRAM_BASE, STVP_DRAM_SIZE, STVP_PMP_R | STVP_PMP_W | STVP_PMP_X) != 0) {
        printf("FAIL umode_demo: PMP region not expressible\n");
        return 1;
    }
    printf("umode_demo: PMP entry 0 guards the driver state at 0x%08lx (64 bytes, cfg 0x%02x), entry 1 "
           "gives U-mode DRAM (cfg 0x%02x)\n",
           (unsigned long)(uintptr_t)&drv, stvp_pmp_cfg(0), stvp_pmp_cfg(1));
    stvp_set_exception_hook(driver_trap);
    stvp_user_enter(app, (void *)&drv.secret, user_stack + sizeof user_stack);
}
