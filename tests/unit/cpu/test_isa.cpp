// The encoding table: no overlaps, decoder and disassembler against golden data taken from
// GNU binutils 2.40 (riscv64-unknown-elf-objdump -M no-aliases), and the test assembler
// round-tripping the same data.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cpu/rv32_isa.h"
#include "rv32_asm.h"

namespace {

using namespace stvp::rv32;
using stvp::test::Asm;

TEST(Rv32Isa, NoTwoEncodingsOverlap) {
    const InsnSpec* t = insn_table();
    const std::size_t n = insn_table_size();
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const InsnSpec &a = t[i], &b = t[j];
            // Some word matches both masks iff the matches agree on the bits both masks fix.
            const bool masks_overlap = ((a.match ^ b.match) & a.mask & b.mask) == 0;
            if (!masks_overlap) continue;
            // Only RVC rows carry exclusions; they must separate the pair. Check all 2^16 words.
            ASSERT_TRUE(a.compressed() && b.compressed() && (a.excl[0].mask || b.excl[0].mask))
                << a.name << " and " << b.name << " overlap";
            for (uint32_t w = 0; w < 0x10000; ++w)
                ASSERT_FALSE(a.matches(w) && b.matches(w)) << a.name << " and " << b.name << " both match " << w;
        }
    }
}

TEST(Rv32Isa, EveryCompressedWordMatchesAtMostOneRow) {
    for (uint32_t w = 0; w < 0x10000; ++w) {
        if ((w & 3) == 3) continue;
        int matches = 0;
        for (std::size_t i = 0; i < insn_table_size(); ++i) matches += insn_table()[i].matches(w);
        ASSERT_LE(matches, 1) << std::hex << w;
        EXPECT_EQ(matches == 1, lookup(w) >= 0) << std::hex << w;
    }
}

TEST(Rv32Isa, TableCoversTheWholeIsa) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < insn_table_size(); ++i) names.insert(insn_table()[i].name);
    for (const char* n :
         {"lui", "auipc", "jal", "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu", "lb", "lh", "lw", "lbu", "lhu",
          "sb", "sh", "sw", "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai", "add", "sub",
          "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "fence", "fence.i", "ecall", "ebreak", "mret", "wfi",
          "csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci", "mul", "mulh", "mulhsu", "mulhu", "div", "divu",
          "rem", "remu", "lr.w", "sc.w", "amoswap.w", "amoadd.w", "amoxor.w", "amoand.w", "amoor.w", "amomin.w",
          "amomax.w", "amominu.w", "amomaxu.w", "c.addi4spn", "c.lw", "c.sw", "c.nop", "c.addi", "c.jal", "c.li",
          "c.addi16sp", "c.lui", "c.srli", "c.srai", "c.andi", "c.sub", "c.xor", "c.or", "c.and", "c.j", "c.beqz",
          "c.bnez", "c.slli", "c.lwsp", "c.jr", "c.mv", "c.ebreak", "c.jalr", "c.add", "c.swsp"})
        EXPECT_TRUE(names.count(n)) << n;
    EXPECT_EQ(names.size(), insn_table_size());  // names are unique
}

struct Golden {
    uint32_t pc;
    uint32_t word;
    const char* text;
};

// Generated once from GNU as/objdump output (no-aliases), normalised to ", " separators and
// absolute "0x" targets. objdump says "c.addi zero,0" where the spec (and we) say c.nop.
const Golden kGolden[] = {
    {0x0, 0x0505, "c.addi a0, 1"},
    {0x2, 0x4515, "c.li a0, 5"},
    {0x4, 0x5501, "c.li a0, -32"},
    {0x6, 0x415c, "c.lw a5, 4(a0)"},
    {0x8, 0x5fe0, "c.lw s0, 124(a5)"},
    {0xa, 0xc13c, "c.sw a5, 64(a0)"},
    {0xc, 0x852e, "c.mv a0, a1"},
    {0xe, 0x952e, "c.add a0, a1"},
    {0x10, 0x8082, "c.jr ra"},
    {0x12, 0x9502, "c.jalr a0"},
    {0x14, 0x717d, "c.addi16sp sp, -16"},
    {0x16, 0x617d, "c.addi16sp sp, 496"},
    {0x18, 0x7101, "c.addi16sp sp, -512"},
    {0x1a, 0x0800, "c.addi4spn s0, sp, 16"},
    {0x1c, 0x1ffc, "c.addi4spn a5, sp, 1020"},
    {0x1e, 0xc606, "c.swsp ra, 12(sp)"},
    {0x20, 0xdfee, "c.swsp s11, 252(sp)"},
    {0x22, 0x40b2, "c.lwsp ra, 12(sp)"},
    {0x24, 0x5ffe, "c.lwsp t6, 252(sp)"},
    {0x26, 0x0001, "c.nop"},
    {0x28, 0x9002, "c.ebreak"},
    {0x2a, 0xbfd9, "c.j 0x0"},
    {0x2c, 0x3fd1, "c.jal 0x0"},
    {0x2e, 0xd969, "c.beqz a0, 0x0"},
    {0x30, 0xe085, "c.bnez s1, 0x50"},
    {0x32, 0x657d, "c.lui a0, 0x1f"},
    {0x34, 0x7281, "c.lui t0, 0xfffe0"},
    {0x36, 0x810d, "c.srli a0, 0x3"},
    {0x38, 0x87fd, "c.srai a5, 0x1f"},
    {0x3a, 0x997d, "c.andi a0, -1"},
    {0x3c, 0x88fd, "c.andi s1, 31"},
    {0x3e, 0x8d0d, "c.sub a0, a1"},
    {0x40, 0x8c25, "c.xor s0, s1"},
    {0x42, 0x8f5d, "c.or a4, a5"},
    {0x44, 0x8e75, "c.and a2, a3"},
    {0x46, 0x057e, "c.slli a0, 0x1f"},
    {0x48, 0x0f86, "c.slli t6, 0x1"},
    {0x4a, 0xa019, "c.j 0x50"},
    {0x4c, 0x2011, "c.jal 0x50"},
    {0x4e, 0xc109, "c.beqz a0, 0x50"},
    {0xa4, 0x757d, "c.lui a0, 0xfffff"},
    {0x50, 0x00150513, "addi a0, a0, 1"},
    {0x58, 0x800d8f93, "addi t6, s11, -2048"},
    {0x5c, 0x7ff5a513, "slti a0, a1, 2047"},
    {0x60, 0xfff5b513, "sltiu a0, a1, -1"},
    {0x64, 0x0055c513, "xori a0, a1, 5"},
    {0x68, 0x0055e513, "ori a0, a1, 5"},
    {0x6c, 0x0055f513, "andi a0, a1, 5"},
    {0x70, 0x01f59513, "slli a0, a1, 0x1f"},
    {0x74, 0x0015d513, "srli a0, a1, 0x1"},
    {0x78, 0x4115d513, "srai a0, a1, 0x11"},
    {0x7c, 0x00c58533, "add a0, a1, a2"},
    {0x80, 0x40c58533, "sub a0, a1, a2"},
    {0x84, 0x00c59533, "sll a0, a1, a2"},
    {0x88, 0x00c5a533, "slt a0, a1, a2"},
    {0x8c, 0x00c5b533, "sltu a0, a1, a2"},
    {0x90, 0x00c5c533, "xor a0, a1, a2"},
    {0x94, 0x00c5d533, "srl a0, a1, a2"},
    {0x98, 0x40c5d533, "sra a0, a1, a2"},
    {0x9c, 0x00c5e533, "or a0, a1, a2"},
    {0xa0, 0x00c5f533, "and a0, a1, a2"},
    {0xa4, 0x12345537, "lui a0, 0x12345"},
    {0xa8, 0xfffff537, "lui a0, 0xfffff"},
    {0xb0, 0xf51ff0ef, "jal ra, 0x0"},
    {0xb4, 0x0e00006f, "jal zero, 0x194"},
    {0xb8, 0x000500e7, "jalr ra, 0(a0)"},
    {0xbc, 0xffc30067, "jalr zero, -4(t1)"},
    {0xc0, 0xf4b500e3, "beq a0, a1, 0x0"},
    {0xc4, 0x0cb51863, "bne a0, a1, 0x194"},
    {0xc8, 0x0cb54663, "blt a0, a1, 0x194"},
    {0xcc, 0xf2b55ae3, "bge a0, a1, 0x0"},
    {0xd0, 0x0cb56263, "bltu a0, a1, 0x194"},
    {0xd4, 0x0cb57063, "bgeu a0, a1, 0x194"},
    {0xd8, 0xfff10503, "lb a0, -1(sp)"},
    {0xdc, 0x00211503, "lh a0, 2(sp)"},
    {0xe0, 0x7ff12503, "lw a0, 2047(sp)"},
    {0xe4, 0x80014503, "lbu a0, -2048(sp)"},
    {0xe8, 0x00015503, "lhu a0, 0(sp)"},
    {0xec, 0xfea10fa3, "sb a0, -1(sp)"},
    {0xf0, 0x00a11123, "sh a0, 2(sp)"},
    {0xf4, 0x7ea12fa3, "sw a0, 2047(sp)"},
    {0xf8, 0x0ff0000f, "fence iorw, iorw"},
    {0xfc, 0x0310000f, "fence rw, w"},
    {0x100, 0x8330000f, "fence.tso"},
    {0x10c, 0x00100073, "ebreak"},
    {0x110, 0x30200073, "mret"},
    {0x114, 0x10500073, "wfi"},
    {0x118, 0x30529073, "csrrw zero, mtvec, t0"},
    {0x11c, 0x30002573, "csrrs a0, mstatus, zero"},
    {0x120, 0x3045b573, "csrrc a0, mie, a1"},
    {0x124, 0x30045073, "csrrwi zero, mstatus, 8"},
    {0x128, 0x344fe573, "csrrsi a0, mip, 31"},
    {0x12c, 0x3400f573, "csrrci a0, mscratch, 1"},
    {0x130, 0xc0002573, "csrrs a0, cycle, zero"},
    {0x134, 0x7c002573, "csrrs a0, 0x7c0, zero"},
    {0x138, 0xb8002573, "csrrs a0, mcycleh, zero"},
    {0x13c, 0xc8202573, "csrrs a0, instreth, zero"},
    {0x140, 0x02c58533, "mul a0, a1, a2"},
    {0x144, 0x02c59533, "mulh a0, a1, a2"},
    {0x148, 0x02c5a533, "mulhsu a0, a1, a2"},
    {0x14c, 0x02c5b533, "mulhu a0, a1, a2"},
    {0x150, 0x02c5c533, "div a0, a1, a2"},
    {0x154, 0x02c5d533, "divu a0, a1, a2"},
    {0x158, 0x02c5e533, "rem a0, a1, a2"},
    {0x15c, 0x02c5f533, "remu a0, a1, a2"},
    {0x160, 0x1005a52f, "lr.w a0, (a1)"},
    {0x164, 0x1405a52f, "lr.w.aq a0, (a1)"},
    {0x168, 0x18c5a52f, "sc.w a0, a2, (a1)"},
    {0x16c, 0x1ac5a52f, "sc.w.rl a0, a2, (a1)"},
    {0x170, 0x08c5a52f, "amoswap.w a0, a2, (a1)"},
    {0x174, 0x06c5a52f, "amoadd.w.aqrl a0, a2, (a1)"},
    {0x178, 0x20c5a52f, "amoxor.w a0, a2, (a1)"},
    {0x17c, 0x60c5a52f, "amoand.w a0, a2, (a1)"},
    {0x180, 0x40c5a52f, "amoor.w a0, a2, (a1)"},
    {0x184, 0x80c5a52f, "amomin.w a0, a2, (a1)"},
    {0x188, 0xa0c5a52f, "amomax.w a0, a2, (a1)"},
    {0x18c, 0xc0c5a52f, "amominu.w a0, a2, (a1)"},
    {0x190, 0xe0c5a52f, "amomaxu.w a0, a2, (a1)"},
};

TEST(Rv32Isa, DisassemblesLikeObjdump) {
    for (const Golden& g : kGolden) EXPECT_EQ(disassemble(g.word, g.pc), g.text) << std::hex << g.word;
}

TEST(Rv32Isa, AssemblerRoundTripsGoldenData) {
    for (const Golden& g : kGolden) {
        EXPECT_EQ(Asm::encode(g.text, g.pc), g.word) << g.text;
        EXPECT_EQ(Asm::size_of(g.text), insn_length(g.word)) << g.text;
    }
}

TEST(Rv32Isa, ReservedAndUnsupportedEncodingsAreIllegal) {
    for (uint32_t w : {0x0000u,        // c.addi4spn with nzuimm = 0: the defined illegal instruction
                       0x6101u,        // c.addi16sp sp, 0
                       0x6081u,        // c.lui ra, 0
                       0x8002u,        // c.jr zero
                       0x4002u,        // c.lwsp zero, 0(sp)
                       0x1002u,        // c.slli zero, 32 (shamt[5] reserved on RV32)
                       0x9001u,        // c.srli s0, 32
                       0x2000u,        // c.fld (no D)
                       0x6002u,        // c.flwsp (no F)
                       0x9c01u,        // c.subw (RV64 only)
                       0xffffffffu,    // >32-bit encoding space
                       0x02051513u,    // slli with shamt[5] = 1
                       0x12000073u,    // sfence.vma (no S mode)
                       0x00200073u,    // uret-like system encoding
                       0x10200073u,    // sret
                       0x0000702fu,    // AMO with funct3 = 7
                       0x1010252fu,    // lr.w with rs2 != 0
                       0x0000003bu,    // addw (RV64)
                       0x00003003u}) { // ld (RV64)
        const DecodedInsn d = decode(w);
        EXPECT_EQ(d.op, Op::Illegal) << std::hex << w << " " << disassemble(w);
        EXPECT_EQ(d.len, insn_length(w));
    }
    EXPECT_EQ(disassemble(0x0000), ".2byte 0x0000");
    EXPECT_EQ(disassemble(0xffffffff), ".4byte 0xffffffff");
}

TEST(Rv32Isa, DecodedFieldsAndSinkRegister) {
    DecodedInsn d = decode(Asm::encode("addi zero, a1, -5", 0));
    EXPECT_EQ(d.op, Op::Addi);
    EXPECT_EQ(d.rd, kSinkReg);  // writes to x0 land in the sink
    EXPECT_EQ(d.rs1, 11);
    EXPECT_EQ(d.imm, -5);
    EXPECT_EQ(d.len, 4);
    d = decode(Asm::encode("csrrsi a0, mip, 31", 0));
    EXPECT_EQ(d.op, Op::Csrrsi);
    EXPECT_EQ(d.imm, 0x344);
    EXPECT_EQ(d.rs1, 31);  // the uimm
    d = decode(Asm::encode("c.jal 0x7fe", 0));
    EXPECT_EQ(d.op, Op::Jal);
    EXPECT_EQ(d.rd, 1);
    EXPECT_EQ(d.imm, 0x7fe);
    EXPECT_EQ(d.len, 2);
}

// Every RVC form decodes to exactly what its 32-bit expansion decodes to (spec 16.3-16.7).
TEST(Rv32Isa, CompressedFormsDecodeLikeTheirExpansion) {
    const std::pair<const char*, const char*> twins[] = {
        {"c.addi4spn a0, sp, 1020", "addi a0, sp, 1020"},
        {"c.lw a5, 124(s1)", "lw a5, 124(s1)"},
        {"c.sw a5, 64(a0)", "sw a5, 64(a0)"},
        {"c.nop", "addi zero, zero, 0"},
        {"c.addi a0, -32", "addi a0, a0, -32"},
        {"c.jal 0x17fe", "jal ra, 0x17fe"},
        {"c.li t6, 31", "addi t6, zero, 31"},
        {"c.addi16sp sp, -512", "addi sp, sp, -512"},
        {"c.lui a0, 0xfffe0", "lui a0, 0xfffe0"},
        {"c.lui a0, 0x1f", "lui a0, 0x1f"},
        {"c.srli s0, 31", "srli s0, s0, 31"},
        {"c.srai a5, 1", "srai a5, a5, 1"},
        {"c.andi s1, -1", "andi s1, s1, -1"},
        {"c.sub a0, a1", "sub a0, a0, a1"},
        {"c.xor a0, a1", "xor a0, a0, a1"},
        {"c.or a0, a1", "or a0, a0, a1"},
        {"c.and a0, a1", "and a0, a0, a1"},
        {"c.j 0x900", "jal zero, 0x900"},
        {"c.beqz a0, 0xf02", "beq a0, zero, 0xf02"},
        {"c.bnez s0, 0x10fe", "bne s0, zero, 0x10fe"},
        {"c.slli t6, 31", "slli t6, t6, 31"},
        {"c.lwsp ra, 252(sp)", "lw ra, 252(sp)"},
        {"c.swsp s11, 0(sp)", "sw s11, 0(sp)"},
        {"c.jr ra", "jalr zero, 0(ra)"},
        {"c.jalr a0", "jalr ra, 0(a0)"},
        {"c.mv a0, t6", "add a0, zero, t6"},
        {"c.add a0, t6", "add a0, a0, t6"},
        {"c.ebreak", "ebreak"},
    };
    const uint32_t pc = 0x1000;
    for (const auto& [c, full] : twins) {
        const DecodedInsn dc = decode(Asm::encode(c, pc)), df = decode(Asm::encode(full, pc));
        EXPECT_EQ(dc.len, 2) << c;
        EXPECT_EQ(dc.op, df.op) << c;
        EXPECT_EQ(dc.rd, df.rd) << c;
        EXPECT_EQ(dc.imm, df.imm) << c;
        // Registers the expansion does not read may differ in unused fields.
        const OpClass cls = op_class(df.op);
        if (df.op != Op::Lui && df.op != Op::Jal && df.op != Op::Ebreak) {
            EXPECT_EQ(dc.rs1, df.rs1) << c;
        }
        if (cls == OpClass::Store || cls == OpClass::Branch || df.op == Op::Add || df.op == Op::Sub ||
            df.op == Op::Xor || df.op == Op::Or || df.op == Op::And) {
            EXPECT_EQ(dc.rs2, df.rs2) << c;
        }
    }
}

}  // namespace
