/*
 * RV32C self-test: every compressed instruction of RV32C without F/D (unprivileged spec
 * 20191213, chapter 16) except C.EBREAK (sw/traps), each written with its explicit `c.`
 * mnemonic so that the assembler must emit the 16-bit form. Immediates at their limits,
 * sign extension, the 3-bit register fields (x8-x15) and the full register fields (x1-x31).
 * Reference values come from 32-bit instructions.
 */
#include "isa_test.h"

#define CNAME(what) ISA_NAME(what)

ISA_BEGIN(isa_rv32c)

    /* ---- C.ADDI4SPN, C.ADDI16SP (sp-relative arithmetic) ---- */
    TEST_CASE_X7(CNAME(c.addi4spn 4), x14, addi x7, sp, 4; c.addi4spn x14, sp, 4)
    TEST_CASE_X7(CNAME(c.addi4spn 1020), x8, addi x7, sp, 1020; c.addi4spn x8, sp, 1020)
    TEST_CASE_X7(CNAME(c.addi4spn 512), x15, addi x7, sp, 512; c.addi4spn x15, sp, 512)
    TEST_CASE_X7(CNAME(c.addi16sp -64), x14,
        addi x7, sp, -64; c.addi16sp sp, -64; mv x14, sp; c.addi16sp sp, 64)
    TEST_CASE_X7(CNAME(c.addi16sp -512), x14,
        addi x7, sp, -512; c.addi16sp sp, -512; mv x14, sp; c.addi16sp sp, 496; c.addi16sp sp, 16)
    TEST_CASE_X7(CNAME(c.addi16sp 496 and back), x14,
        mv x7, sp; c.addi16sp sp, 496; c.addi16sp sp, -496; mv x14, sp)

    /* ---- C.LWSP, C.SWSP (the scratch area at sp) ---- */
    TEST_CASE(CNAME(c.lwsp 0), x14, 0x13579bdf,
        li x13, 0x13579bdf; sw x13, 0(sp); c.lwsp x14, 0(sp))
    TEST_CASE(CNAME(c.lwsp 252), x31, 0x2468ace0,
        li x13, 0x2468ace0; sw x13, 252(sp); c.lwsp x31, 252(sp))
    TEST_CASE(CNAME(c.lwsp 124 to x1), x1, 0xfedcba98,
        li x13, 0xfedcba98; sw x13, 124(sp); c.lwsp x1, 124(sp))
    TEST_CASE(CNAME(c.swsp 0), x14, 0x11223344,
        li x13, 0x11223344; c.swsp x13, 0(sp); lw x14, 0(sp))
    TEST_CASE(CNAME(c.swsp 252), x14, 0x55667788,
        li x30, 0x55667788; c.swsp x30, 252(sp); lw x14, 252(sp))
    TEST_CASE(CNAME(c.swsp x0), x14, 0,
        li x13, -1; sw x13, 64(sp); c.swsp x0, 64(sp); lw x14, 64(sp))

    /* ---- C.LW, C.SW (3-bit register fields) ---- */
    TEST_CASE(CNAME(c.lw 0), x14, 0x00ff00ff, la x15, tdat_w; c.lw x14, 0(x15))
    TEST_CASE(CNAME(c.lw 4), x8, 0xff00ff00, la x15, tdat_w; c.lw x8, 4(x15))
    TEST_CASE(CNAME(c.lw 124), x9, 0xcafef00d, la x10, tdat_w; c.lw x9, 124(x10))
    TEST_CASE(CNAME(c.lw rd=rs1), x15, 0xf00ff00f, la x15, tdat_w; c.lw x15, 12(x15))
    TEST_CASE(CNAME(c.sw 0), x14, 0x0aa00aa0,
        la x15, sdat; li x13, 0x0aa00aa0; c.sw x13, 0(x15); lw x14, 0(x15))
    TEST_CASE(CNAME(c.sw 124), x14, 0xa00aa00a,
        la x8, sdat; li x9, 0xa00aa00a; c.sw x9, 124(x8); lw x14, 124(x8))
    TEST_CASE_X7(CNAME(c.sw rs2=rs1), x14,
        la x12, sdat; c.sw x12, 8(x12); lw x14, 8(x12); mv x7, x12)

    /* ---- C.NOP, C.LI, C.LUI, C.ADDI, C.MV, C.ADD ---- */
    TEST_CASE(CNAME(c.nop), x14, 5, li x14, 5; c.nop)
    TEST_CASE(CNAME(c.li 31), x14, 31, li x14, -1; c.li x14, 31)
    TEST_CASE(CNAME(c.li -32), x14, 0xffffffe0, c.li x14, -32)
    TEST_CASE(CNAME(c.li -1 x31), x31, 0xffffffff, c.li x31, -1)
    TEST_CASE(CNAME(c.li 0 x1), x1, 0, li x1, 7; c.li x1, 0)
    TEST_CASE(CNAME(c.lui 1), x14, 0x00001000, li x14, -1; c.lui x14, 1)
    TEST_CASE(CNAME(c.lui 31), x14, 0x0001f000, c.lui x14, 31)
    TEST_CASE(CNAME(c.lui -32), x14, 0xfffe0000, c.lui x14, 0xfffe0)
    TEST_CASE(CNAME(c.lui -1 x31), x31, 0xfffff000, c.lui x31, 0xfffff)
    TEST_CASE(CNAME(c.addi 31), x14, 41, li x14, 10; c.addi x14, 31)
    TEST_CASE(CNAME(c.addi -32), x14, 0xffffffea, li x14, 10; c.addi x14, -32)
    TEST_CASE(CNAME(c.addi wrap), x14, 0x80000000, li x14, 0x7fffffff; c.addi x14, 1)
    TEST_CASE(CNAME(c.addi x30), x30, 0, li x30, 1; c.addi x30, -1)
    TEST_CASE(CNAME(c.mv), x14, 0x00001234, li x13, 0x1234; c.mv x14, x13)
    TEST_CASE(CNAME(c.mv x31 x1), x31, 0x87654321, li x1, 0x87654321; c.mv x31, x1)
    TEST_CASE(CNAME(c.add), x14, 0x00000003, li x14, 1; li x13, 2; c.add x14, x13)
    TEST_CASE(CNAME(c.add wrap), x14, 0x7fffffff, li x14, 0x80000000; li x13, -1; c.add x14, x13)
    TEST_CASE(CNAME(c.add rd=rs2), x20, 0x00000010, li x20, 8; c.add x20, x20)

    /* ---- C.SLLI, C.SRLI, C.SRAI, C.ANDI ---- */
    TEST_CASE(CNAME(c.slli 1), x14, 0x00000002, li x14, 1; c.slli x14, 1)
    TEST_CASE(CNAME(c.slli 31), x14, 0x80000000, li x14, 1; c.slli x14, 31)
    TEST_CASE(CNAME(c.slli 7 x31), x31, 0x90909080, li x31, 0x21212121; c.slli x31, 7)
    TEST_CASE(CNAME(c.srli 1), x14, 0x7fffffff, li x14, -1; c.srli x14, 1)
    TEST_CASE(CNAME(c.srli 31), x14, 0x00000001, li x14, 0x80000000; c.srli x14, 31)
    TEST_CASE(CNAME(c.srli 7 x8), x8, 0x00424242, li x8, 0x21212121; c.srli x8, 7)
    TEST_CASE(CNAME(c.srai 1), x14, 0xc0000000, li x14, 0x80000000; c.srai x14, 1)
    TEST_CASE(CNAME(c.srai 31), x14, 0xffffffff, li x14, 0x80000000; c.srai x14, 31)
    TEST_CASE(CNAME(c.srai 7), x15, 0xff030303, li x15, 0x81818181; c.srai x15, 7)
    TEST_CASE(CNAME(c.srai positive), x14, 0x00ffffff, li x14, 0x7fffffff; c.srai x14, 7)
    TEST_CASE(CNAME(c.andi -32), x14, 0xffffffe0, li x14, -1; c.andi x14, -32)
    TEST_CASE(CNAME(c.andi 31), x14, 0x00000018, li x14, 0x12345678; c.andi x14, 31)
    TEST_CASE(CNAME(c.andi 0), x9, 0, li x9, -1; c.andi x9, 0)

    /* ---- C.SUB, C.XOR, C.OR, C.AND ---- */
    TEST_CASE(CNAME(c.sub), x14, 0xfffffffc, li x14, 3; li x13, 7; c.sub x14, x13)
    TEST_CASE(CNAME(c.sub wrap), x8, 0x7fffffff, li x8, 0x80000000; li x15, 1; c.sub x8, x15)
    TEST_CASE(CNAME(c.sub rd=rs2), x14, 0, li x14, 12345; c.sub x14, x14)
    TEST_CASE(CNAME(c.xor), x14, 0xf00ff00f, li x14, 0xff00ff00; li x13, 0x0f0f0f0f; c.xor x14, x13)
    TEST_CASE(CNAME(c.or), x14, 0xff0fff0f, li x14, 0xff00ff00; li x13, 0x0f0f0f0f; c.or x14, x13)
    TEST_CASE(CNAME(c.and), x14, 0x0f000f00, li x14, 0xff00ff00; li x13, 0x0f0f0f0f; c.and x14, x13)
    TEST_CASE(CNAME(c.and x8 x15), x8, 0x00f000f0, li x8, 0x0ff00ff0; li x15, 0xf0f0f0f0; c.and x8, x15)

    /* ---- C.J, C.JAL, C.JR, C.JALR ---- */
    /* forwards and backwards; 1 if the jump went where it should */
    TEST_CASE(CNAME(c.j forward), x14, 1,
        li x14, 0; c.j 9991f; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.j backward), x14, 1,
        li x14, 0; j 9992f; 9991: addi x14, x14, 1; j 9993f; 9992: c.j 9991b; li x14, 5; 9993:)
    /* near the limits of the 12-bit offset (+-2 KiB); the gap is illegal code (zeros) */
    TEST_CASE(CNAME(c.j far forward), x14, 1,
        li x14, 0; c.j 9991f; .skip 2000; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.j far backward), x14, 1,
        li x14, 0; j 9992f; 9991: addi x14, x14, 1; j 9993f; .skip 2000; 9992: c.j 9991b; 9993:)
    TEST_CASE_X7(CNAME(c.jal link), ra,
        li ra, 0; c.jal 9991f; 9990: li ra, 0; 9991: la x7, 9990b)
    TEST_CASE_X7(CNAME(c.jal backward link), ra,
        j 9992f; 9991: la x7, 9990f; j 9993f; 9992: c.jal 9991b; 9990: li ra, 0; 9993:)
    TEST_CASE(CNAME(c.jr), x14, 1,
        li x14, 0; la x13, 9991f; c.jr x13; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.jr x31), x14, 1,
        li x14, 0; la x31, 9991f; c.jr x31; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE_X7(CNAME(c.jalr link), ra,
        la x13, 9991f; c.jalr x13; 9990: li ra, 0; 9991: la x7, 9990b)
    /* rs1 = ra: the target is the old ra, the link the new one */
    TEST_CASE_X7(CNAME(c.jalr ra), ra,
        la ra, 9991f; c.jalr ra; 9990: li ra, 0; 9991: la x7, 9990b)

    /* ---- C.BEQZ, C.BNEZ ---- */
    TEST_CASE(CNAME(c.beqz taken), x14, 1,
        li x14, 0; li x13, 0; c.beqz x13, 9991f; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.beqz not taken), x14, 3,
        li x14, 0; li x13, 0x80000000; c.beqz x13, 9991f; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.beqz taken backward), x14, 1,
        li x14, 0; li x8, 0; j 9992f; 9991: addi x14, x14, 1; j 9993f;
        9992: c.beqz x8, 9991b; li x14, 5; 9993:)
    TEST_CASE(CNAME(c.bnez taken), x14, 1,
        li x14, 0; li x13, 1; c.bnez x13, 9991f; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.bnez negative taken), x14, 1,
        li x14, 0; li x15, -1; c.bnez x15, 9991f; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.bnez not taken), x14, 3,
        li x14, 0; li x13, 0; c.bnez x13, 9991f; li x14, 2; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.bnez taken backward), x14, 1,
        li x14, 0; li x9, 7; j 9992f; 9991: addi x14, x14, 1; j 9993f;
        9992: c.bnez x9, 9991b; li x14, 5; 9993:)
    /* near the limits of the 9-bit offset (+-256 bytes) */
    TEST_CASE(CNAME(c.beqz far forward), x14, 1,
        li x14, 0; li x13, 0; c.beqz x13, 9991f; .skip 250; 9991: addi x14, x14, 1)
    TEST_CASE(CNAME(c.bnez far backward), x14, 1,
        li x14, 0; li x13, 1; j 9992f; 9991: addi x14, x14, 1; j 9993f; .skip 240;
        9992: c.bnez x13, 9991b; 9993:)
    /* a loop of compressed instructions: sum 1..10 */
    TEST_CASE(CNAME(compressed loop), x14, 55,
        c.li x14, 0; c.li x13, 10; 9991: c.add x14, x13; c.addi x13, -1; c.bnez x13, 9991b)

ISA_END

    .section .data.isa_rv32c, "aw", @progbits
    .balign 16
tdat_w:
    .word 0x00ff00ff, 0xff00ff00, 0x0ff00ff0, 0xf00ff00f
    .fill 27, 4, 0
    .word 0xcafef00d              /* at offset 124 */
    .balign 16
sdat:
    .space 128
