/*
 * Macros for the ISA self-tests (assembly, riscv-tests style, written for stvp).
 *
 * A suite is one function, isa_run(), between ISA_BEGIN(name) and ISA_END; the C harness
 * (isa_main.c) calls it and prints the verdict. Each TEST_* macro is one test: it numbers
 * itself (1, 2, ... in source order, kept in TESTNUM = gp while it runs), computes a value and
 * compares it with the expected one. On the first mismatch isa_run() returns the test number
 * and fills isa_failure (number, value got, value expected, "name, line N").
 *
 * Register use: gp holds the test number; sp stays valid (isa_run reserves a 256-byte scratch
 * area at sp for the stack-relative tests); every other register may be clobbered by a test.
 * The callee-saved registers of the C caller are saved in memory, not on the stack.
 * The suites are assembled with `.option norelax`: relaxation would turn `la` into gp-relative
 * addressing, and gp is the test number here.
 * The macros use x7 (expected value), x11/x12 (operands), x13 (scratch), x14 (result),
 * x15 (base address), a0/a1 on the failure path, and local labels 9990-9999.
 */
#ifndef STVP_ISA_TEST_H
#define STVP_ISA_TEST_H

#define TESTNUM gp
#define ISA_SCRATCH 256

#define ISA_STR_(x) #x
#define ISA_STR(x) ISA_STR_(x)

/* ---- suite frame ----------------------------------------------------------------------- */

#define ISA_BEGIN(suite)                                             \
    .option norelax;                                                 \
    .section .rodata.isa_suite, "a";                                 \
    .globl isa_suite;                                                \
isa_suite:                                                           \
    .asciz ISA_STR(suite);                                           \
    .section .text.isa_run, "ax", @progbits;                         \
    .globl isa_run;                                                  \
    .type isa_run, @function;                                        \
    .set isa_testnum, 0;                                             \
isa_run:                                                             \
    la t0, isa_saved;                                                \
    sw ra, 0(t0); sw sp, 4(t0); sw gp, 8(t0); sw tp, 12(t0);         \
    sw s0, 16(t0); sw s1, 20(t0); sw s2, 24(t0); sw s3, 28(t0);      \
    sw s4, 32(t0); sw s5, 36(t0); sw s6, 40(t0); sw s7, 44(t0);      \
    sw s8, 48(t0); sw s9, 52(t0); sw s10, 56(t0); sw s11, 60(t0);    \
    addi sp, sp, -ISA_SCRATCH;                                       \
    li TESTNUM, 0

#define ISA_END                                                      \
    li a0, 0;                                                        \
    j isa_return;                                                    \
    /* a0 = value got, x7 = expected, a1 = test name */              \
isa_fail:                                                            \
    la t0, isa_failure;                                              \
    sw TESTNUM, 0(t0); sw a0, 4(t0); sw x7, 8(t0); sw a1, 12(t0);    \
    mv a0, TESTNUM;                                                  \
isa_return:                                                          \
    la t0, isa_saved;                                                \
    lw ra, 0(t0); lw sp, 4(t0); lw gp, 8(t0); lw tp, 12(t0);         \
    lw s0, 16(t0); lw s1, 20(t0); lw s2, 24(t0); lw s3, 28(t0);      \
    lw s4, 32(t0); lw s5, 36(t0); lw s6, 40(t0); lw s7, 44(t0);      \
    lw s8, 48(t0); lw s9, 52(t0); lw s10, 56(t0); lw s11, 60(t0);    \
    ret;                                                             \
    .size isa_run, . - isa_run;                                      \
    .section .rodata.isa_count, "a";                                 \
    .balign 4;                                                       \
    .globl isa_test_count;                                           \
isa_test_count:                                                      \
    .word isa_testnum;                                               \
    .section .bss.isa_saved, "aw", @nobits;                          \
    .balign 4;                                                       \
isa_saved:                                                           \
    .space 64;                                                       \
    .section .bss.isa_failure, "aw", @nobits;                        \
    .balign 4;                                                       \
    .globl isa_failure;                                              \
isa_failure:                                                         \
    .space 16

/* Start of a test: next number into TESTNUM. */
#define ISA_NEXT_TEST                                                \
    .set isa_testnum, isa_testnum + 1;                               \
    li TESTNUM, isa_testnum

/* Failure path: reports `got` (a register) against x7 under `name`. */
#define ISA_FAIL(name, got)                                          \
    .pushsection .rodata.isa_names, "a";                             \
9990:                                                                \
    .asciz name;                                                     \
    .popsection;                                                     \
    mv a0, got;                                                      \
    la a1, 9990b;                                                    \
    j isa_fail

/* Unconditional failure (control flow went where it must not). */
#define ISA_FAIL_HERE(name)                                          \
    li x7, 1;                                                        \
    ISA_FAIL(name, zero)

#define ISA_NAME(inst) #inst ", line " ISA_STR(__LINE__)

/* ---- generic test: run code, compare testreg with correctval ---------------------------- */

#define TEST_CASE(name, testreg, correctval, code...)                \
    ISA_NEXT_TEST;                                                   \
    code;                                                            \
    li x7, correctval;                                               \
    beq testreg, x7, 9999f;                                          \
    ISA_FAIL(name, testreg);                                         \
9999:

/* Like TEST_CASE, but code leaves the expected value in x7 itself. */
#define TEST_CASE_X7(name, testreg, code...)                         \
    ISA_NEXT_TEST;                                                   \
    code;                                                            \
    beq testreg, x7, 9999f;                                          \
    ISA_FAIL(name, testreg);                                         \
9999:

/* ---- register-immediate ------------------------------------------------------------- */

#define TEST_IMM_OP(inst, result, val1, imm)                         \
    TEST_CASE(ISA_NAME(inst), x14, result,                           \
        li x11, val1; inst x14, x11, imm)

#define TEST_IMM_SRC1_EQ_DEST(inst, result, val1, imm)               \
    TEST_CASE(ISA_NAME(inst rd=rs1), x11, result,                    \
        li x11, val1; inst x11, x11, imm)

#define TEST_IMM_ZEROSRC1(inst, result, imm)                         \
    TEST_CASE(ISA_NAME(inst rs1=x0), x11, result,                    \
        li x11, 0x5a5a5a5a; inst x11, x0, imm)

/* Writing x0 is ignored. */
#define TEST_IMM_ZERODEST(inst, val1, imm)                           \
    TEST_CASE(ISA_NAME(inst rd=x0), x0, 0,                           \
        li x11, val1; inst x0, x11, imm)

/* ---- register-register ---------------------------------------------------------------- */

#define TEST_RR_OP(inst, result, val1, val2)                         \
    TEST_CASE(ISA_NAME(inst), x14, result,                           \
        li x11, val1; li x12, val2; inst x14, x11, x12)

#define TEST_RR_SRC1_EQ_DEST(inst, result, val1, val2)               \
    TEST_CASE(ISA_NAME(inst rd=rs1), x11, result,                    \
        li x11, val1; li x12, val2; inst x11, x11, x12)

#define TEST_RR_SRC2_EQ_DEST(inst, result, val1, val2)               \
    TEST_CASE(ISA_NAME(inst rd=rs2), x12, result,                    \
        li x11, val1; li x12, val2; inst x12, x11, x12)

#define TEST_RR_SRC12_EQ_DEST(inst, result, val1)                    \
    TEST_CASE(ISA_NAME(inst rd=rs1=rs2), x11, result,                \
        li x11, val1; inst x11, x11, x11)

#define TEST_RR_ZEROSRC1(inst, result, val)                          \
    TEST_CASE(ISA_NAME(inst rs1=x0), x14, result,                    \
        li x12, val; inst x14, x0, x12)

#define TEST_RR_ZEROSRC2(inst, result, val)                          \
    TEST_CASE(ISA_NAME(inst rs2=x0), x14, result,                    \
        li x11, val; inst x14, x11, x0)

#define TEST_RR_ZERODEST(inst, val1, val2)                           \
    TEST_CASE(ISA_NAME(inst rd=x0), x0, 0,                           \
        li x11, val1; li x12, val2; inst x0, x11, x12)

/* ---- loads and stores ----------------------------------------------------------------- */

#define TEST_LD_OP(inst, result, offset, base)                       \
    TEST_CASE(ISA_NAME(inst), x14, result,                           \
        la x15, base; inst x14, offset(x15))

/* Load into the base register itself. */
#define TEST_LD_DEST_EQ_BASE(inst, result, offset, base)             \
    TEST_CASE(ISA_NAME(inst rd=rs1), x15, result,                    \
        la x15, base; inst x15, offset(x15))

/* Store `result` with store_inst, read it back with load_inst. */
#define TEST_ST_OP(load_inst, store_inst, result, offset, base)      \
    TEST_CASE(ISA_NAME(store_inst), x14, result,                     \
        la x15, base; li x13, result;                                \
        store_inst x13, offset(x15); load_inst x14, offset(x15))

/* ---- branches --------------------------------------------------------------------------- */

/* Taken forwards, then backwards; falling through either is a failure. */
#define TEST_BR2_OP_TAKEN(inst, val1, val2)                          \
    ISA_NEXT_TEST;                                                   \
    li x11, val1; li x12, val2;                                      \
    inst x11, x12, 9992f;                                            \
    ISA_FAIL_HERE(ISA_NAME(inst taken fwd));                         \
9991:                                                                \
    j 9993f;                                                         \
9992:                                                                \
    inst x11, x12, 9991b;                                            \
    ISA_FAIL_HERE(ISA_NAME(inst taken back));                        \
9993:

/* Not taken forwards, then not taken backwards. */
#define TEST_BR2_OP_NOTTAKEN(inst, val1, val2)                       \
    ISA_NEXT_TEST;                                                   \
    li x11, val1; li x12, val2;                                      \
    inst x11, x12, 9991f;                                            \
    j 9992f;                                                         \
9991:                                                                \
    ISA_FAIL_HERE(ISA_NAME(inst not taken fwd));                     \
9992:                                                                \
    inst x11, x12, 9991b;                                            \
9993:

/* ---- AMOs ----------------------------------------------------------------------------- */

/* mem = init; rd = inst(rs2 = src) on mem; checks rd == init and mem == result. */
#define TEST_AMO(inst, init, src, result)                            \
    TEST_CASE(ISA_NAME(inst old value), x14, init,                   \
        la x15, amo_word; li x13, init; sw x13, 0(x15);              \
        li x12, src; inst x14, x12, (x15));                          \
    TEST_CASE(ISA_NAME(inst memory), x13, result,                    \
        lw x13, 0(x15))

#endif
