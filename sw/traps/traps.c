/*
 * traps: every synchronous exception an RV32IMAC machine-mode hart can take on stvp, each
 * raised on purpose and checked in the BSP's exception hook: mcause, mepc (the faulting
 * instruction), mtval (privileged spec 1.12, 3.1.16), the mstatus stacking, and resuming
 * (skip the instruction, or resume elsewhere). Prints one PASS/FAIL line per check; exits 0
 * if all passed, 1 otherwise.
 */
#include <stdio.h>

#include "stvp/bsp.h"

/* Nothing is mapped here (stvp/hw/memmap.h): accesses get a TLM address error. */
#define UNMAPPED 0x40000000u

static struct {
    unsigned count;
    uint32_t mcause, mepc, mtval, mstatus;
} seen;

static unsigned checks, failures;

/* Instruction fetch faults cannot be skipped (mepc is the bad target): resume at the return
   address the jump left in ra. Everything else: skip the faulting instruction. */
static stvp_trap_action_t hook(stvp_trap_frame_t *f)
{
    ++seen.count;
    seen.mcause = f->mcause;
    seen.mepc = f->mepc;
    seen.mtval = f->mtval;
    seen.mstatus = f->mstatus;
    if (f->mcause == STVP_EXC_INSN_ACCESS) {
        f->mepc = f->x[1];
        return STVP_TRAP_RESUME;
    }
    /* "Emulate" the custom instruction 0x0000000b (custom-0 opcode): a0 = 42. The frame is
       written back, so this shows a handler changing the interrupted registers. */
    if (f->mcause == STVP_EXC_ILLEGAL_INSN && f->mtval == 0x0000000bu) {
        f->x[10] = 42;
        return STVP_TRAP_SKIP;
    }
    return STVP_TRAP_SKIP;
}

static void verdict(int ok, const char *what)
{
    ++checks;
    if (!ok)
        ++failures;
    printf("%s %s: count=%u mcause=%lu mepc=0x%08lx mtval=0x%08lx\n", ok ? "PASS" : "FAIL", what,
           seen.count, (unsigned long)seen.mcause, (unsigned long)seen.mepc,
           (unsigned long)seen.mtval);
}

/* Exactly one trap with these values. cause2 is an alternative cause the spec allows. */
static void expect2(const char *what, uint32_t cause, uint32_t cause2, uint32_t epc, uint32_t tval)
{
    int ok = seen.count == 1 && (seen.mcause == cause || seen.mcause == cause2) &&
             seen.mepc == epc && seen.mtval == tval;
    verdict(ok, what);
    if (!ok)
        printf("     expected: count=1 mcause=%lu mepc=0x%08lx mtval=0x%08lx\n",
               (unsigned long)cause, (unsigned long)epc, (unsigned long)tval);
    seen.count = 0;
}

static void expect(const char *what, uint32_t cause, uint32_t epc, uint32_t tval)
{
    expect2(what, cause, cause, epc, tval);
}

/* Runs `insn` (which may use %1 = addr and clobber t1) and returns its address. */
#define FAULT_PC(insn, addr)                                                   \
    __extension__({                                                            \
        uint32_t pc_;                                                          \
        __asm__ __volatile__("la %0, 1f\n1:\t" insn                            \
                             : "=&r"(pc_) : "r"(addr) : "t1", "memory");       \
        pc_;                                                                   \
    })

static uint32_t buffer[4] __attribute__((aligned(16)));

static void illegal_instructions(void)
{
    uint32_t pc;
    /* csrrw x0, cycle, x0 (the 32-bit "unimp"; with C the assembler's unimp is c.unimp): a
       write to a read-only CSR */
    pc = FAULT_PC(".word 0xc0001073", 0);
    expect("illegal: unimp (write to cycle)", STVP_EXC_ILLEGAL_INSN, pc, 0xc0001073u);
    pc = FAULT_PC(".word 0xf1451073", 0); /* csrw mhartid, a0 */
    expect("illegal: write to mhartid", STVP_EXC_ILLEGAL_INSN, pc, 0xf1451073u);
    pc = FAULT_PC(".word 0x7c002573", 0); /* csrr a0, 0x7c0: no such CSR */
    expect("illegal: unimplemented CSR", STVP_EXC_ILLEGAL_INSN, pc, 0x7c002573u);
    pc = FAULT_PC(".word 0x00000053", 0); /* fadd.s: no F extension */
    expect("illegal: floating point", STVP_EXC_ILLEGAL_INSN, pc, 0x00000053u);
    pc = FAULT_PC(".hword 0x0000", 0); /* the defined-illegal all-zero parcel */
    expect("illegal: c.unimp (0x0000)", STVP_EXC_ILLEGAL_INSN, pc, 0);
    pc = FAULT_PC(".hword 0x6000", 0); /* c.flw on RV32 without F */
    expect("illegal: c.flw", STVP_EXC_ILLEGAL_INSN, pc, 0x6000);

    register uint32_t a0 __asm__("a0") = 0;
    __asm__ __volatile__(".word 0x0000000b" : "+r"(a0) : : "memory");
    ++checks;
    if (a0 != 42 || seen.count != 1)
        ++failures;
    printf("%s illegal: handler writes a register through the frame: a0=%lu\n",
           a0 == 42 && seen.count == 1 ? "PASS" : "FAIL", (unsigned long)a0);
    seen.count = 0;
}

static void misaligned(void)
{
    uintptr_t b = (uintptr_t)buffer;
    uint32_t pc;
    pc = FAULT_PC("lw t1, 0(%1)", b + 1);
    expect("misaligned: lw +1", STVP_EXC_LOAD_MISALIGNED, pc, b + 1);
    pc = FAULT_PC("lw t1, 2(%1)", b);
    expect("misaligned: lw +2", STVP_EXC_LOAD_MISALIGNED, pc, b + 2);
    pc = FAULT_PC("lh t1, 0(%1)", b + 3);
    expect("misaligned: lh +3", STVP_EXC_LOAD_MISALIGNED, pc, b + 3);
    pc = FAULT_PC("lhu t1, 0(%1)", b + 1);
    expect("misaligned: lhu +1", STVP_EXC_LOAD_MISALIGNED, pc, b + 1);
    pc = FAULT_PC("sw t1, 0(%1)", b + 2);
    expect("misaligned: sw +2", STVP_EXC_STORE_MISALIGNED, pc, b + 2);
    pc = FAULT_PC("sh t1, 0(%1)", b + 1);
    expect("misaligned: sh +1", STVP_EXC_STORE_MISALIGNED, pc, b + 1);
    /* AMOs and LR/SC: address-misaligned or access-fault (unprivileged spec 8.4) */
    pc = FAULT_PC("amoadd.w t1, t1, (%1)", b + 2);
    expect2("misaligned: amoadd.w", STVP_EXC_STORE_MISALIGNED, STVP_EXC_STORE_ACCESS, pc, b + 2);
    pc = FAULT_PC("lr.w t1, (%1)", b + 1);
    expect2("misaligned: lr.w", STVP_EXC_LOAD_MISALIGNED, STVP_EXC_LOAD_ACCESS, pc, b + 1);
    pc = FAULT_PC("sc.w t1, t1, (%1)", b + 3);
    expect2("misaligned: sc.w", STVP_EXC_STORE_MISALIGNED, STVP_EXC_STORE_ACCESS, pc, b + 3);
    /* nothing was written by the faulting stores */
    ++checks;
    int clean = buffer[0] == 0 && buffer[1] == 0;
    failures += !clean;
    printf("%s misaligned: faulting stores wrote nothing\n", clean ? "PASS" : "FAIL");
}

static void access_faults(void)
{
    uint32_t pc;
    uintptr_t status = STVP_UART_BASE + UART_STATUS;
    pc = FAULT_PC("lw t1, 0(%1)", UNMAPPED);
    expect("access: lw unmapped", STVP_EXC_LOAD_ACCESS, pc, UNMAPPED);
    pc = FAULT_PC("lbu t1, 7(%1)", UNMAPPED);
    expect("access: lbu unmapped", STVP_EXC_LOAD_ACCESS, pc, UNMAPPED + 7);
    pc = FAULT_PC("sw t1, 0(%1)", UNMAPPED);
    expect("access: sw unmapped", STVP_EXC_STORE_ACCESS, pc, UNMAPPED);
    pc = FAULT_PC("sb t1, 3(%1)", UNMAPPED);
    expect("access: sb unmapped", STVP_EXC_STORE_ACCESS, pc, UNMAPPED + 3);
    pc = FAULT_PC("amoswap.w t1, t1, (%1)", UNMAPPED);
    expect("access: amoswap.w unmapped", STVP_EXC_STORE_ACCESS, pc, UNMAPPED);
    /* device registers take aligned 32-bit accesses only (stvp/hw/README.md) */
    pc = FAULT_PC("lb t1, 0(%1)", status);
    expect("access: lb of a device register", STVP_EXC_LOAD_ACCESS, pc, status);
    pc = FAULT_PC("sh t1, 0(%1)", STVP_SIMCTRL_BASE + SIMCTRL_MARKER);
    expect("access: sh to a device register", STVP_EXC_STORE_ACCESS, pc,
           STVP_SIMCTRL_BASE + SIMCTRL_MARKER);
    /* a write to a read-only register */
    pc = FAULT_PC("sw t1, 0(%1)", status);
    expect("access: sw to read-only UART STATUS", STVP_EXC_STORE_ACCESS, pc, status);
    /* a hole inside a device's window */
    pc = FAULT_PC("lw t1, 0(%1)", STVP_UART_BASE + 0x100);
    expect("access: lw of an unused device offset", STVP_EXC_LOAD_ACCESS, pc, STVP_UART_BASE + 0x100);

    /* instruction fetch from unmapped memory: mepc = mtval = the target */
    __asm__ __volatile__("jalr ra, 0(%0)" : : "r"(UNMAPPED) : "ra", "memory");
    expect("access: fetch from unmapped", STVP_EXC_INSN_ACCESS, UNMAPPED, UNMAPPED);

    /* a 32-bit instruction whose second half lies beyond the end of DRAM: the fault names
       the missing half (mtval = end of DRAM), mepc the instruction */
    uint32_t last = STVP_DRAM_BASE + STVP_DRAM_SIZE - 2;
    *(volatile uint16_t *)(uintptr_t)last = 0x0513; /* low half of addi a0, x0, ... */
    __asm__ __volatile__("fence.i\n\tjalr ra, 0(%0)" : : "r"(last) : "ra", "memory");
    expect("access: fetch straddling the end of DRAM", STVP_EXC_INSN_ACCESS, last, last + 2);
}

static void environment(void)
{
    uint32_t pc;
    pc = FAULT_PC("ecall", 0);
    expect("ecall", STVP_EXC_ECALL_M, pc, 0);
    pc = FAULT_PC("ebreak", 0);
    /* mtval: 0 or the address of the ebreak (privileged spec 1.12, 3.1.16) */
    expect2("ebreak", STVP_EXC_BREAKPOINT, STVP_EXC_BREAKPOINT, pc, seen.mtval == 0 ? 0 : pc);
    pc = FAULT_PC("c.ebreak", 0);
    expect2("c.ebreak", STVP_EXC_BREAKPOINT, STVP_EXC_BREAKPOINT, pc, seen.mtval == 0 ? 0 : pc);

    /* trap stacking: MPIE <- MIE, MIE <- 0, MPP = M; mret restores MIE */
    stvp_csr_write(mie, 0); /* no interrupt can be taken while MIE is on */
    stvp_irq_enable();
    pc = FAULT_PC("ecall", 0);
    uint32_t after = stvp_csr_read(mstatus);
    stvp_irq_disable();
    int ok = (seen.mstatus & STVP_MSTATUS_MPIE) && !(seen.mstatus & STVP_MSTATUS_MIE) &&
             (seen.mstatus & STVP_MSTATUS_MPP) == STVP_MSTATUS_MPP && (after & STVP_MSTATUS_MIE);
    expect("ecall with MIE set", STVP_EXC_ECALL_M, pc, 0);
    ++checks;
    failures += !ok;
    printf("%s mstatus stacking: in trap 0x%08lx, after mret 0x%08lx\n", ok ? "PASS" : "FAIL",
           (unsigned long)seen.mstatus, (unsigned long)after);
}

/* Instruction-address-misaligned (cause 0) cannot happen on RV32IMAC: with C, instructions are
   2-byte aligned, jalr clears bit 0 of its target, branch/jal offsets are even, mepc bit 0
   is hardwired to 0 and misa.C cannot be cleared. Check the last two: mret to an odd mepc
   resumes at the even address, with no trap. */
static void no_misaligned_fetch(void)
{
    uint32_t landed;
    __asm__ __volatile__(
        "li t1, %1\n\t"
        "csrc mstatus, t1\n\t" /* MPIE = 0: mret leaves interrupts disabled */
        "li t1, %2\n\t"
        "csrs mstatus, t1\n\t" /* MPP = M: stay in machine mode (an earlier mret left U) */
        "la t1, 1f\n\t"
        "addi t1, t1, 1\n\t"
        "csrw mepc, t1\n\t"
        "li %0, 2\n\t"
        "mret\n\t"
        "li %0, 3\n"
        "1:\taddi %0, %0, -1\n"
        : "=&r"(landed) : "i"(STVP_MSTATUS_MPIE), "i"(STVP_MSTATUS_MPP) : "t1", "memory");
    uint32_t misa = stvp_csr_read(misa);
    stvp_csr_clear(misa, 1u << 2); /* try to turn C off (WARL: it stays) */
    int ok = landed == 1 && seen.count == 0 && (stvp_csr_read(misa) & (1u << 2));
    ++checks;
    failures += !ok;
    printf("%s no misaligned fetch: mret to odd mepc landed=%lu traps=%u misa=0x%08lx\n",
           ok ? "PASS" : "FAIL", (unsigned long)landed, seen.count, (unsigned long)misa);
    seen.count = 0;
}

int main(void)
{
    stvp_set_exception_hook(hook);
    illegal_instructions();
    misaligned();
    access_faults();
    environment();
    no_misaligned_fetch();
    stvp_set_exception_hook(NULL);
    printf("%s traps: %u checks, %u failed\n", failures ? "FAIL" : "PASS", checks, failures);
    return failures ? 1 : 0;
}
