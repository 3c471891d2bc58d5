/*
 * RV32A self-test: LR.W/SC.W (success, failure without a reservation, failure on another
 * address, aliasing) and every AMO (unprivileged spec 20191213, chapter 8), with the
 * .aq/.rl orderings (one hart: ordering only, same results).
 */
#include "isa_test.h"

ISA_BEGIN(isa_rv32a)

    /* ---- AMOs: old value to rd, op(old, rs2) to memory ---- */
    TEST_AMO(amoswap.w, 0x80000000, 0xfffff800, 0xfffff800)
    TEST_AMO(amoswap.w, 0x12345678, 0x00000000, 0x00000000)
    TEST_AMO(amoadd.w, 0x80000000, 0xfffff800, 0x7ffff800)
    TEST_AMO(amoadd.w, 0xffffffff, 0x00000001, 0x00000000)
    TEST_AMO(amoadd.w, 0x7fffffff, 0x00000001, 0x80000000)
    TEST_AMO(amoxor.w, 0x80000000, 0xfffff800, 0x7ffff800)
    TEST_AMO(amoxor.w, 0xf0f0f0f0, 0x0ff00ff0, 0xff00ff00)
    TEST_AMO(amoand.w, 0x80000000, 0xfffff800, 0x80000000)
    TEST_AMO(amoand.w, 0xf0f0f0f0, 0x0ff00ff0, 0x00f000f0)
    TEST_AMO(amoor.w, 0x80000000, 0xfffff800, 0xfffff800)
    TEST_AMO(amoor.w, 0xf0f0f0f0, 0x0ff00ff0, 0xfff0fff0)
    TEST_AMO(amomin.w, 0x80000000, 0xfffff800, 0x80000000)
    TEST_AMO(amomin.w, 0x00000001, 0xffffffff, 0xffffffff)
    TEST_AMO(amomin.w, 0x00000005, 0x00000007, 0x00000005)
    TEST_AMO(amomin.w, 0x7fffffff, 0x80000000, 0x80000000)
    TEST_AMO(amomax.w, 0x80000000, 0xfffff800, 0xfffff800)
    TEST_AMO(amomax.w, 0x00000001, 0xffffffff, 0x00000001)
    TEST_AMO(amomax.w, 0x7fffffff, 0x80000000, 0x7fffffff)
    TEST_AMO(amomax.w, 0x00000005, 0x00000007, 0x00000007)
    TEST_AMO(amominu.w, 0x80000000, 0xfffff800, 0x80000000)
    TEST_AMO(amominu.w, 0x00000001, 0xffffffff, 0x00000001)
    TEST_AMO(amominu.w, 0x00000000, 0x80000000, 0x00000000)
    TEST_AMO(amominu.w, 0x7fffffff, 0x80000000, 0x7fffffff)
    TEST_AMO(amomaxu.w, 0x80000000, 0xfffff800, 0xfffff800)
    TEST_AMO(amomaxu.w, 0x00000001, 0xffffffff, 0xffffffff)
    TEST_AMO(amomaxu.w, 0x7fffffff, 0x80000000, 0x80000000)
    TEST_AMO(amomaxu.w, 0x00000005, 0x00000003, 0x00000005)
    /* orderings */
    TEST_AMO(amoswap.w.aq, 0x11111111, 0x22222222, 0x22222222)
    TEST_AMO(amoadd.w.rl, 0x11111111, 0x22222222, 0x33333333)
    TEST_AMO(amoxor.w.aqrl, 0x11111111, 0x33333333, 0x22222222)
    TEST_AMO(amoand.w.aq, 0x11111111, 0x33333333, 0x11111111)
    TEST_AMO(amoor.w.rl, 0x11111111, 0x22222222, 0x33333333)
    TEST_AMO(amomin.w.aqrl, 0x11111111, 0xffffffff, 0xffffffff)
    TEST_AMO(amomax.w.aq, 0x11111111, 0xffffffff, 0x11111111)
    TEST_AMO(amominu.w.rl, 0x11111111, 0xffffffff, 0x11111111)
    TEST_AMO(amomaxu.w.aqrl, 0x11111111, 0xffffffff, 0xffffffff)

    /* rd = x0: memory still updated, x0 still zero */
    TEST_CASE(ISA_NAME(amoadd.w rd=x0 memory), x13, 0x00000123,
        la x15, amo_word; li x13, 0x100; sw x13, 0(x15); li x12, 0x23;
        amoadd.w x0, x12, (x15); lw x13, 0(x15))
    TEST_CASE(ISA_NAME(amoadd.w rd=x0), x0, 0,
        la x15, amo_word; li x12, 1; amoadd.w x0, x12, (x15))
    /* rd = rs2: rd gets the old value, memory the old rs2 */
    TEST_CASE(ISA_NAME(amoswap.w rd=rs2 old), x12, 0x0000aaaa,
        la x15, amo_word; li x13, 0xaaaa; sw x13, 0(x15); li x12, 0xbbbb;
        amoswap.w x12, x12, (x15))
    TEST_CASE(ISA_NAME(amoswap.w rd=rs2 memory), x13, 0x0000bbbb, lw x13, 0(x15))
    TEST_CASE(ISA_NAME(amoadd.w rd=rs2 memory), x13, 0x00000003,
        la x15, amo_word; li x13, 1; sw x13, 0(x15); li x12, 2;
        amoadd.w x12, x12, (x15); lw x13, 0(x15))
    /* rd = rs1: the address is used before rd is written */
    TEST_CASE(ISA_NAME(amoor.w rd=rs1 old), x15, 0x00000f00,
        la x15, amo_word; li x13, 0xf00; sw x13, 0(x15); li x12, 0x0f0;
        amoor.w x15, x12, (x15))
    TEST_CASE(ISA_NAME(amoor.w rd=rs1 memory), x13, 0x00000ff0,
        la x15, amo_word; lw x13, 0(x15))

    /* ---- LR/SC ---- */
    TEST_CASE(ISA_NAME(lr.w value), x14, 0x0badcafe,
        la x15, amo_word; li x13, 0x0badcafe; sw x13, 0(x15); lr.w x14, (x15))
    TEST_CASE(ISA_NAME(sc.w success), x13, 0,
        li x12, 0x600d; sc.w x13, x12, (x15))
    TEST_CASE(ISA_NAME(sc.w stored), x14, 0x0000600d, lw x14, 0(x15))
    /* An SC always ends the reservation: a second SC fails and stores nothing. */
    TEST_CASE(ISA_NAME(sc.w without reservation), x13, 1,
        li x12, 0xbad; sc.w x13, x12, (x15); snez x13, x13)
    TEST_CASE(ISA_NAME(failed sc.w stored nothing), x14, 0x0000600d, lw x14, 0(x15))
    /* A reservation on one word does not cover a word 4 KiB away. */
    TEST_CASE(ISA_NAME(sc.w other address), x13, 1,
        la x15, amo_word; la x11, amo_far; sw x0, 0(x11); lr.w x14, (x15);
        li x12, 0xbad; sc.w x13, x12, (x11); snez x13, x13)
    TEST_CASE(ISA_NAME(sc.w other address stored nothing), x14, 0,
        la x11, amo_far; lw x14, 0(x11))
    /* rd = rs2 on SC: memory gets the old rs2, rd the status */
    TEST_CASE(ISA_NAME(sc.w rd=rs2 status), x12, 0,
        la x15, amo_word; lr.w x14, (x15); li x12, 0x5eed; sc.w x12, x12, (x15))
    TEST_CASE(ISA_NAME(sc.w rd=rs2 stored), x14, 0x00005eed, lw x14, 0(x15))
    /* orderings */
    TEST_CASE(ISA_NAME(lr.w.aq sc.w.rl), x13, 0,
        la x15, amo_word; lr.w.aq x14, (x15); addi x14, x14, 1; sc.w.rl x13, x14, (x15))
    TEST_CASE(ISA_NAME(lr.w.aqrl sc.w.aqrl), x13, 0,
        lr.w.aqrl x14, (x15); addi x14, x14, 1; sc.w.aqrl x13, x14, (x15))
    TEST_CASE(ISA_NAME(lr/sc increments), x14, 0x00005eef, lw x14, 0(x15))
    /* the usual retry loop: atomic add of 100 by LR/SC, 10 times */
    TEST_CASE(ISA_NAME(lr/sc loop), x14, 1000,
        la x15, amo_word; sw x0, 0(x15); li x11, 10;
        9991: lr.w x14, (x15); addi x14, x14, 100; sc.w x13, x14, (x15); bnez x13, 9991b;
        addi x11, x11, -1; bnez x11, 9991b; lw x14, 0(x15))

ISA_END

    .section .data.isa_rv32a, "aw", @progbits
    .balign 4096
amo_word:
    .word 0
    .balign 4096
amo_far:
    .word 0
