/*
 * htif: a bare program in the style of riscv-tests (env/p: machine mode, no BSP, no simctrl)
 * that reports through the HTIF `tohost` word: 1 = pass, (n << 1) | 1 = test n failed, as
 * riscv-tests' RVTEST_PASS/RVTEST_FAIL do (through ecall and the trap vector, which writes
 * tohost and its high word in a loop until the host stops the hart).
 * The start-up sequence does what riscv-tests' reset_vector does, including writes to CSRs
 * stvp does not implement (satp, medeleg/mideleg): they trap, and mtvec points just
 * past them, exactly as in riscv-tests, so such programs run unmodified.
 */
#define TESTNUM gp

    .section .text.init, "ax", @progbits
    .option norelax
    .globl _start
_start:
    j       reset_vector

    .balign 4
trap_vector:
    /* an ecall is the pass/fail report; anything else is a failure (riscv-tests: 1337) */
    csrr    t5, mcause
    li      t6, 11                  /* ecall from M-mode */
    beq     t5, t6, write_tohost
    li      t6, 8                   /* ecall from U-mode */
    beq     t5, t6, write_tohost
    ori     TESTNUM, TESTNUM, 1337
write_tohost:
    la      t5, tohost
    sw      TESTNUM, 0(t5)
    sw      zero, 4(t5)
    j       write_tohost

reset_vector:
    li      x1, 0
    li      x2, 0
    li      x3, 0
    li      x4, 0
    li      x5, 0
    li      x6, 0
    li      x7, 0
    li      x8, 0
    li      x9, 0
    li      x10, 0
    li      x11, 0
    li      x12, 0
    li      x13, 0
    li      x14, 0
    li      x15, 0
    li      x16, 0
    li      x17, 0
    li      x18, 0
    li      x19, 0
    li      x20, 0
    li      x21, 0
    li      x22, 0
    li      x23, 0
    li      x24, 0
    li      x25, 0
    li      x26, 0
    li      x27, 0
    li      x28, 0
    li      x29, 0
    li      x30, 0
    li      x31, 0
    csrr    a0, mhartid
1:  bnez    a0, 1b                  /* only hart 0 runs the test */
    /* no virtual memory: satp may not exist (it does not on stvp) */
    la      t0, 1f
    csrw    mtvec, t0
    csrwi   satp, 0
    .balign 4
1:
    /* PMP: give the program all of memory, if PMP exists (it does on stvp: no trap) */
    la      t0, 1f
    csrw    mtvec, t0
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f                /* NAPOT | X | W | R */
    csrw    pmpcfg0, t0
    .balign 4
1:
    /* no delegation (there is no S-mode on stvp, so these trap too) */
    csrwi   mie, 0
    la      t0, 1f
    csrw    mtvec, t0
    csrwi   medeleg, 0
    csrwi   mideleg, 0
    .balign 4
1:
    li      TESTNUM, 0
    la      t0, trap_vector
    csrw    mtvec, t0
    /* enter the test in machine mode through mret, as riscv-tests do */
    li      t0, 0x1800              /* mstatus.MPP = M */
    csrs    mstatus, t0
    la      t0, tests
    csrw    mepc, t0
    csrr    a0, mhartid
    mret

    .text
tests:
#ifdef HTIF_FAIL_TEST
    /* the failing variants (htif_fail<N>.elf): test N fails at once */
    li      TESTNUM, HTIF_FAIL_TEST
    j       fail
#endif
    /* 1: add */
    li      TESTNUM, 1
    li      a1, 0x7fffffff
    li      a2, 1
    add     a3, a1, a2
    li      a4, 0x80000000
    bne     a3, a4, fail
    /* 2: mul and div */
    li      TESTNUM, 2
    li      a1, -7
    li      a2, 6
    mul     a3, a1, a2
    li      a4, -42
    bne     a3, a4, fail
    div     a3, a3, a1
    bne     a3, a2, fail
    /* 3: store and load back, byte order */
    li      TESTNUM, 3
    la      a1, data
    li      a2, 0x12345678
    sw      a2, 0(a1)
    lbu     a3, 0(a1)
    li      a4, 0x78
    bne     a3, a4, fail
    lw      a3, 0(a1)
    bne     a3, a2, fail
    /* 4: an AMO */
    li      TESTNUM, 4
    li      a2, 0x11111111
    amoadd.w a3, a2, (a1)
    li      a4, 0x12345678
    bne     a3, a4, fail
    lw      a3, 0(a1)
    li      a4, 0x23456789
    bne     a3, a4, fail
    /* 5: compressed code */
    li      TESTNUM, 5
    c.li    a3, 10
    c.addi  a3, -3
    c.slli  a3, 2
    li      a4, 28
    bne     a3, a4, fail
    /* 6: a CSR round trip */
    li      TESTNUM, 6
    li      a2, 0xcafe
    csrw    mscratch, a2
    csrr    a3, mscratch
    bne     a3, a2, fail
    /* 7: the start-up's writes to missing CSRs trapped and were skipped: mcause says illegal */
    li      TESTNUM, 7
    csrr    a3, mcause
    li      a4, 2
    bne     a3, a4, fail

pass:
    fence
    li      TESTNUM, 1
    li      a7, 93
    li      a0, 0
    ecall

fail:
    fence
1:  beqz    TESTNUM, 1b
    sll     TESTNUM, TESTNUM, 1
    or      TESTNUM, TESTNUM, 1
    li      a7, 93
    addi    a0, TESTNUM, 0
    ecall

    .section .tohost, "aw", @progbits
    .balign 64
    .globl tohost
tohost:
    .dword 0
    .balign 64
    .globl fromhost
fromhost:
    .dword 0

    .data
    .balign 4
data:
    .word 0
