/* PMP and user mode (stvp/user.h). */
#include "stvp/user.h"

#include "stvp/csr.h"

/* pmpaddr<i> and pmpcfg<n> by index: CSR numbers are immediates, so one case per register. */
#define PMPADDR_CASE(n) case n: stvp_csr_write_at(pmpaddr, n, v); break;

static void write_pmpaddr(unsigned i, uint32_t v)
{
    switch (i) {
        PMPADDR_CASE(0) PMPADDR_CASE(1) PMPADDR_CASE(2) PMPADDR_CASE(3)
        PMPADDR_CASE(4) PMPADDR_CASE(5) PMPADDR_CASE(6) PMPADDR_CASE(7)
        PMPADDR_CASE(8) PMPADDR_CASE(9) PMPADDR_CASE(10) PMPADDR_CASE(11)
        PMPADDR_CASE(12) PMPADDR_CASE(13) PMPADDR_CASE(14) PMPADDR_CASE(15)
    default: break;
    }
}

static uint32_t read_pmpcfg(unsigned n)
{
    switch (n) {
    case 0: return stvp_csr_read_at(pmpcfg, 0);
    case 1: return stvp_csr_read_at(pmpcfg, 1);
    case 2: return stvp_csr_read_at(pmpcfg, 2);
    default: return stvp_csr_read_at(pmpcfg, 3);
    }
}

static void write_pmpcfg(unsigned n, uint32_t v)
{
    switch (n) {
    case 0: stvp_csr_write_at(pmpcfg, 0, v); break;
    case 1: stvp_csr_write_at(pmpcfg, 1, v); break;
    case 2: stvp_csr_write_at(pmpcfg, 2, v); break;
    default: stvp_csr_write_at(pmpcfg, 3, v); break;
    }
}

void stvp_pmp_set(unsigned i, uint32_t addr_field, unsigned cfg)
{
    if (i >= STVP_PMP_ENTRIES)
        return;
    write_pmpaddr(i, addr_field);
    const unsigned shift = 8 * (i % 4);
    const uint32_t word = read_pmpcfg(i / 4);
    write_pmpcfg(i / 4, (word & ~(0xFFu << shift)) | ((uint32_t)(cfg & 0xFFu) << shift));
}

unsigned stvp_pmp_cfg(unsigned i)
{
    return i < STVP_PMP_ENTRIES ? (read_pmpcfg(i / 4) >> (8 * (i % 4))) & 0xFFu : 0;
}

int stvp_pmp_napot(unsigned i, uintptr_t base, uint32_t size, unsigned perm)
{
    if (i >= STVP_PMP_ENTRIES || size < 8 || (size & (size - 1)) || (base & (size - 1)))
        return -1;
    stvp_pmp_set(i, (uint32_t)(base >> 2) | ((size >> 3) - 1), STVP_PMP_NAPOT | (perm & (STVP_PMP_L | 7u)));
    return 0;
}

int stvp_pmp_tor(unsigned i, uintptr_t top, unsigned perm)
{
    if (i >= STVP_PMP_ENTRIES || (top & 3))
        return -1;
    stvp_pmp_set(i, (uint32_t)(top >> 2), STVP_PMP_TOR | (perm & (STVP_PMP_L | 7u)));
    return 0;
}

_Noreturn void stvp_user_enter(void (*entry)(void *), void *arg, void *user_sp)
{
    /* mscratch = this stack (the handler's, below the caller's frame), mtvec = the entry
       that switches to it, then mret into U-mode with MPIE = MIE. */
    stvp_csr_write(mtvec, (uint32_t)(uintptr_t)stvp_trap_entry_user);
    const uint32_t mie = stvp_csr_read(mstatus) & STVP_MSTATUS_MIE;
    stvp_csr_clear(mstatus, STVP_MSTATUS_MIE | STVP_MSTATUS_MPIE | STVP_MSTATUS_MPP | STVP_MSTATUS_MPRV);
    if (mie)
        stvp_csr_set(mstatus, STVP_MSTATUS_MPIE);
    stvp_csr_write(mepc, (uint32_t)(uintptr_t)entry);
    __asm__ __volatile__(
        "csrw mscratch, sp\n\t"
        "mv a0, %0\n\t"
        "mv sp, %1\n\t"
        "mret"
        : : "r"(arg), "r"(user_sp) : "a0", "memory");
    __builtin_unreachable();
}
