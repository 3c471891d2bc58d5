/*
 * Zicsr self-test: CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI (unprivileged spec 20191213,
 * chapter 9) with their no-write forms (rs1 = x0 / uimm = 0 never write, so they may read
 * read-only CSRs), on the machine-mode CSRs of the privileged spec 1.12: WARL fields
 * (mepc bit 0, mie/mip bits, mtvec modes), the identification CSRs, the 64-bit counters
 * (exact instret deltas, carries into the high words) and their user-level shadows.
 */
#include "isa_test.h"
#include "stvp/regs_asm.h"

ISA_BEGIN(isa_zicsr)

    /* ---- the six instructions, on mscratch (all 32 bits writable) ---- */
    TEST_CASE(ISA_NAME(csrrw old), x14, 0x12345678,
        li x12, 0x12345678; csrw mscratch, x12; li x13, 0x9abcdef0; csrrw x14, mscratch, x13)
    TEST_CASE(ISA_NAME(csrrw new), x14, 0x9abcdef0, csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrw all ones), x14, 0xffffffff,
        li x13, -1; csrw mscratch, x13; csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrw rd=rs1 old), x13, 0xffffffff, li x13, 0xaaaa; csrrw x13, mscratch, x13)
    TEST_CASE(ISA_NAME(csrrw rd=rs1 new), x14, 0x0000aaaa, csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrw rd=x0), x14, 0x00005555,
        li x12, 0x5555; csrrw x0, mscratch, x12; csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrw rs1=x0), x14, 0, csrrw x0, mscratch, x0; csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrs old), x14, 0x00000f0f,
        li x12, 0x0f0f; csrw mscratch, x12; li x13, 0xf000f000; csrrs x14, mscratch, x13)
    TEST_CASE(ISA_NAME(csrrs new), x14, 0xf000ff0f, csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrs rs1=x0 reads), x14, 0xf000ff0f, csrrs x14, mscratch, x0)
    TEST_CASE(ISA_NAME(csrrs rs1=x0 no write), x14, 0xf000ff0f, csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrc old), x14, 0xf000ff0f, li x13, 0xf0000f00; csrrc x14, mscratch, x13)
    TEST_CASE(ISA_NAME(csrrc new), x14, 0x0000f00f, csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrc rs1=x0), x14, 0x0000f00f, csrrc x14, mscratch, x0; csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrwi old), x14, 0x0000f00f, csrrwi x14, mscratch, 31)
    TEST_CASE(ISA_NAME(csrrwi zero-extends), x14, 31, csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrwi 0), x14, 0, csrrwi x0, mscratch, 0; csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrsi old), x14, 0, csrrsi x14, mscratch, 0x15)
    TEST_CASE(ISA_NAME(csrrsi new), x14, 0x1f, csrrsi x14, mscratch, 0x0a; csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrci old), x14, 0x1f, csrrci x14, mscratch, 0x11)
    TEST_CASE(ISA_NAME(csrrci new), x14, 0x0e, csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrsi 0 no write), x14, 0x0e, csrrsi x14, mscratch, 0; csrr x14, mscratch)
    TEST_CASE(ISA_NAME(csrrci 0 no write), x14, 0x0e, csrrci x14, mscratch, 0; csrr x14, mscratch)

    /* ---- the no-write forms on read-only CSRs do not trap ---- */
    TEST_CASE(ISA_NAME(csrrs mhartid x0), x14, 0, li x14, -1; csrrs x14, mhartid, x0)
    TEST_CASE(ISA_NAME(csrrc mhartid x0), x14, 0, li x14, -1; csrrc x14, mhartid, x0)
    TEST_CASE(ISA_NAME(csrrsi mhartid 0), x14, 0, li x14, -1; csrrsi x14, mhartid, 0)
    TEST_CASE(ISA_NAME(csrrci mhartid 0), x14, 0, li x14, -1; csrrci x14, mhartid, 0)

    /* ---- identification ---- */
    /* misa: MXL = 1 (RV32) and exactly the extensions A, C, I, M and U (no S: machine and user modes) */
    TEST_CASE(ISA_NAME(misa), x14, 0x40101105, csrr x14, misa)
    TEST_CASE(ISA_NAME(mvendorid readable), x14, 1,
        li x14, 1; csrr x13, mvendorid; csrr x13, marchid; csrr x13, mimpid; csrr x13, mconfigptr)

    /* ---- mstatus, mstatush ---- */
    TEST_CASE(ISA_NAME(mstatus.MPP is M), x14, 0x1800, csrr x14, mstatus; li x13, 0x1800; and x14, x14, x13)
    /* MPP is WARL over M (3) and U (0): S (1) reads back as U; set back to M afterwards */
    TEST_CASE(ISA_NAME(mstatus.MPP of S reads U), x14, 0,
        li x13, 0x1800; csrc mstatus, x13; li x13, 0x800; csrs mstatus, x13; csrr x14, mstatus;
        li x13, 0x1800; and x14, x14, x13; csrs mstatus, x13)
    TEST_CASE(ISA_NAME(mstatus.MIE set), x14, 0x8,
        csrsi mstatus, 8; csrr x14, mstatus; andi x14, x14, 8)
    TEST_CASE(ISA_NAME(mstatus.MIE clear), x14, 0,
        csrci mstatus, 8; csrr x14, mstatus; andi x14, x14, 8)
    TEST_CASE(ISA_NAME(mstatus.MPIE set), x14, 0x80,
        li x13, 0x80; csrs mstatus, x13; csrr x14, mstatus; and x14, x14, x13)
    TEST_CASE(ISA_NAME(mstatus.MPIE clear), x14, 0,
        li x13, 0x80; csrc mstatus, x13; csrr x14, mstatus; and x14, x14, x13)
    TEST_CASE(ISA_NAME(mstatush), x14, 0, li x14, -1; csrr x14, mstatush)

    /* ---- mtvec: direct and vectored modes, restored afterwards ---- */
    TEST_CASE(ISA_NAME(mtvec vectored), x14, 0x80000101,
        csrr x20, mtvec; li x13, 0x80000101; csrw mtvec, x13; csrr x14, mtvec; csrw mtvec, x20)
    TEST_CASE(ISA_NAME(mtvec direct), x14, 0x80000100,
        li x13, 0x80000100; csrw mtvec, x13; csrr x14, mtvec; csrw mtvec, x20)

    /* ---- mepc: bit 0 always zero (IALIGN = 16) ---- */
    TEST_CASE(ISA_NAME(mepc bit 0), x14, 0x80001234, li x13, 0x80001235; csrw mepc, x13; csrr x14, mepc)
    TEST_CASE(ISA_NAME(mepc bit 1), x14, 0xfffffffe, li x13, -1; csrw mepc, x13; csrr x14, mepc)
    TEST_CASE(ISA_NAME(mcause), x14, 0x8000000b, li x13, 0x8000000b; csrw mcause, x13; csrr x14, mcause)
    TEST_CASE(ISA_NAME(mcause exception), x14, 2, csrwi mcause, 2; csrr x14, mcause)
    TEST_CASE(ISA_NAME(mtval), x14, 0x12345678, li x13, 0x12345678; csrw mtval, x13; csrr x14, mtval)

    /* ---- mie: exactly MSIE, MTIE, MEIE writable; mip: those bits are read-only ---- */
    TEST_CASE(ISA_NAME(mie bits), x14, 0x888, li x13, 0x888; csrw mie, x13; csrr x14, mie)
    TEST_CASE(ISA_NAME(mie WARL), x14, 0x888, li x13, -1; csrw mie, x13; csrr x14, mie)
    TEST_CASE(ISA_NAME(mie clear), x14, 0, csrw mie, x0; csrr x14, mie)
    TEST_CASE(ISA_NAME(mip read-only), x14, 0, li x13, 0x888; csrs mip, x13; csrr x14, mip; and x14, x14, x13)

    /* ---- counters ---- */
    /* minstret counts every retired instruction: csrr + 3 instructions between two reads
       (the same delta whether a read counts its own instruction or not) */
    TEST_CASE(ISA_NAME(minstret delta), x14, 4,
        csrr x12, minstret; addi x13, x0, 1; addi x13, x0, 2; addi x13, x0, 3;
        csrr x14, minstret; sub x14, x14, x12)
    TEST_CASE(ISA_NAME(instret shadows minstret), x14, 1,
        csrr x12, minstret; csrr x14, instret; sub x14, x14, x12)
    TEST_CASE(ISA_NAME(instreth shadows minstreth), x14, 0,
        csrr x12, minstreth; csrr x14, instreth; sub x14, x14, x12)
    /* every instruction takes at least one cycle */
    TEST_CASE(ISA_NAME(mcycle advances), x14, 1,
        csrr x12, mcycle; addi x13, x0, 1; addi x13, x0, 2; addi x13, x0, 3;
        csrr x14, mcycle; sub x14, x14, x12; sltiu x14, x14, 4; xori x14, x14, 1)
    TEST_CASE(ISA_NAME(cycle shadows mcycle), x14, 1,
        csrr x12, mcycle; csrr x14, cycle; sub x14, x14, x12; sltiu x14, x14, 100)
    TEST_CASE(ISA_NAME(cycleh readable), x14, 1, li x14, 1; csrr x13, cycleh; csrr x13, mcycleh)
    /* writable, with the carry from the low word into the high word */
    TEST_CASE(ISA_NAME(minstret write), x14, 1,
        li x13, 1000; csrw minstret, x13; csrr x14, minstret; addi x14, x14, -1000;
        sltiu x14, x14, 3)
    TEST_CASE(ISA_NAME(minstret carry), x14, 8,
        li x13, 7; csrw minstreth, x13; li x13, -2; csrw minstret, x13;
        addi x13, x0, 1; addi x13, x0, 2; addi x13, x0, 3; csrr x14, minstreth)
    TEST_CASE(ISA_NAME(mcycle write), x14, 1,
        csrw mcycle, x0; csrr x14, mcycle; sltiu x14, x14, 100)
    TEST_CASE(ISA_NAME(mcycle carry), x14, 4,
        li x13, 3; csrw mcycleh, x13; li x13, -2; csrw mcycle, x13;
        addi x13, x0, 1; addi x13, x0, 2; addi x13, x0, 3; csrr x14, mcycleh)
    /* time shadows the CLINT's mtime (read through the bus just before and after; within
       2000 ticks, since a loosely-timed CPU may run ahead of the bus by a quantum) */
    TEST_CASE(ISA_NAME(time >= mtime before), x14, 1,
        li x15, STVP_CLINT_BASE + CLINT_MTIME_LO; lw x12, 0(x15); csrr x13, time;
        sub x14, x13, x12; sltiu x14, x14, 2000)
    TEST_CASE(ISA_NAME(time <= mtime after), x14, 1,
        csrr x13, time; lw x12, 0(x15); sub x14, x12, x13; sltiu x14, x14, 2000)
    TEST_CASE(ISA_NAME(timeh), x14, 0,
        li x15, STVP_CLINT_BASE + CLINT_MTIME_HI; lw x12, 0(x15); csrr x13, timeh; sub x14, x13, x12)

ISA_END
