#include "cpu/rv32_isa.h"

#include <array>
#include <cstdio>
#include <vector>

namespace stvp::rv32 {

namespace {

// Encodings: RISC-V unprivileged spec 20191213, chapter 24 (RV32I, M, A, Zicsr, Zifencei
// listings) and chapter 16 (RVC); mret/wfi from the privileged spec 1.12, table 9.
// Exclusions mark the reserved and overlapping code points of RVC (spec 16.8, "nz"/"!=0").
constexpr uint32_t kRdMask = 0x0f80;    // RVC bits 11:7 (rd / rs1)
constexpr uint32_t kRs2Mask = 0x007c;   // RVC bits 6:2
constexpr uint32_t kCiImmMask = 0x107c; // RVC bits 12 and 6:2

const InsnSpec kTable[] = {
    // RV32I
    {"lui", 0x00000037, 0x0000007f, Fmt::U, Op::Lui, {}},
    {"auipc", 0x00000017, 0x0000007f, Fmt::U, Op::Auipc, {}},
    {"jal", 0x0000006f, 0x0000007f, Fmt::J, Op::Jal, {}},
    {"jalr", 0x00000067, 0x0000707f, Fmt::Jalr, Op::Jalr, {}},
    {"beq", 0x00000063, 0x0000707f, Fmt::Branch, Op::Beq, {}},
    {"bne", 0x00001063, 0x0000707f, Fmt::Branch, Op::Bne, {}},
    {"blt", 0x00004063, 0x0000707f, Fmt::Branch, Op::Blt, {}},
    {"bge", 0x00005063, 0x0000707f, Fmt::Branch, Op::Bge, {}},
    {"bltu", 0x00006063, 0x0000707f, Fmt::Branch, Op::Bltu, {}},
    {"bgeu", 0x00007063, 0x0000707f, Fmt::Branch, Op::Bgeu, {}},
    {"lb", 0x00000003, 0x0000707f, Fmt::Load, Op::Lb, {}},
    {"lh", 0x00001003, 0x0000707f, Fmt::Load, Op::Lh, {}},
    {"lw", 0x00002003, 0x0000707f, Fmt::Load, Op::Lw, {}},
    {"lbu", 0x00004003, 0x0000707f, Fmt::Load, Op::Lbu, {}},
    {"lhu", 0x00005003, 0x0000707f, Fmt::Load, Op::Lhu, {}},
    {"sb", 0x00000023, 0x0000707f, Fmt::Store, Op::Sb, {}},
    {"sh", 0x00001023, 0x0000707f, Fmt::Store, Op::Sh, {}},
    {"sw", 0x00002023, 0x0000707f, Fmt::Store, Op::Sw, {}},
    {"addi", 0x00000013, 0x0000707f, Fmt::I, Op::Addi, {}},
    {"slti", 0x00002013, 0x0000707f, Fmt::I, Op::Slti, {}},
    {"sltiu", 0x00003013, 0x0000707f, Fmt::I, Op::Sltiu, {}},
    {"xori", 0x00004013, 0x0000707f, Fmt::I, Op::Xori, {}},
    {"ori", 0x00006013, 0x0000707f, Fmt::I, Op::Ori, {}},
    {"andi", 0x00007013, 0x0000707f, Fmt::I, Op::Andi, {}},
    // RV32 shifts: shamt[5] (bit 25) must be 0, so it is part of the mask.
    {"slli", 0x00001013, 0xfe00707f, Fmt::IShift, Op::Slli, {}},
    {"srli", 0x00005013, 0xfe00707f, Fmt::IShift, Op::Srli, {}},
    {"srai", 0x40005013, 0xfe00707f, Fmt::IShift, Op::Srai, {}},
    {"add", 0x00000033, 0xfe00707f, Fmt::R, Op::Add, {}},
    {"sub", 0x40000033, 0xfe00707f, Fmt::R, Op::Sub, {}},
    {"sll", 0x00001033, 0xfe00707f, Fmt::R, Op::Sll, {}},
    {"slt", 0x00002033, 0xfe00707f, Fmt::R, Op::Slt, {}},
    {"sltu", 0x00003033, 0xfe00707f, Fmt::R, Op::Sltu, {}},
    {"xor", 0x00004033, 0xfe00707f, Fmt::R, Op::Xor, {}},
    {"srl", 0x00005033, 0xfe00707f, Fmt::R, Op::Srl, {}},
    {"sra", 0x40005033, 0xfe00707f, Fmt::R, Op::Sra, {}},
    {"or", 0x00006033, 0xfe00707f, Fmt::R, Op::Or, {}},
    {"and", 0x00007033, 0xfe00707f, Fmt::R, Op::And, {}},
    // fm, pred, succ, rs1 and rd of FENCE are ignored for forward compatibility (spec 2.7).
    {"fence", 0x0000000f, 0x0000707f, Fmt::Fence, Op::Fence, {}},
    {"ecall", 0x00000073, 0xffffffff, Fmt::None, Op::Ecall, {}},
    {"ebreak", 0x00100073, 0xffffffff, Fmt::None, Op::Ebreak, {}},
    // Zifencei: imm, rs1 and rd are reserved for future use and ignored (spec 3.1).
    {"fence.i", 0x0000100f, 0x0000707f, Fmt::None, Op::FenceI, {}},
    // Privileged
    {"mret", 0x30200073, 0xffffffff, Fmt::None, Op::Mret, {}},
    {"wfi", 0x10500073, 0xffffffff, Fmt::None, Op::Wfi, {}},
    // Zicsr
    {"csrrw", 0x00001073, 0x0000707f, Fmt::Csr, Op::Csrrw, {}},
    {"csrrs", 0x00002073, 0x0000707f, Fmt::Csr, Op::Csrrs, {}},
    {"csrrc", 0x00003073, 0x0000707f, Fmt::Csr, Op::Csrrc, {}},
    {"csrrwi", 0x00005073, 0x0000707f, Fmt::CsrI, Op::Csrrwi, {}},
    {"csrrsi", 0x00006073, 0x0000707f, Fmt::CsrI, Op::Csrrsi, {}},
    {"csrrci", 0x00007073, 0x0000707f, Fmt::CsrI, Op::Csrrci, {}},
    // M
    {"mul", 0x02000033, 0xfe00707f, Fmt::R, Op::Mul, {}},
    {"mulh", 0x02001033, 0xfe00707f, Fmt::R, Op::Mulh, {}},
    {"mulhsu", 0x02002033, 0xfe00707f, Fmt::R, Op::Mulhsu, {}},
    {"mulhu", 0x02003033, 0xfe00707f, Fmt::R, Op::Mulhu, {}},
    {"div", 0x02004033, 0xfe00707f, Fmt::R, Op::Div, {}},
    {"divu", 0x02005033, 0xfe00707f, Fmt::R, Op::Divu, {}},
    {"rem", 0x02006033, 0xfe00707f, Fmt::R, Op::Rem, {}},
    {"remu", 0x02007033, 0xfe00707f, Fmt::R, Op::Remu, {}},
    // A: aq/rl (bits 26:25) are free; lr.w requires rs2 = 0.
    {"lr.w", 0x1000202f, 0xf9f0707f, Fmt::Lr, Op::LrW, {}},
    {"sc.w", 0x1800202f, 0xf800707f, Fmt::Amo, Op::ScW, {}},
    {"amoswap.w", 0x0800202f, 0xf800707f, Fmt::Amo, Op::AmoswapW, {}},
    {"amoadd.w", 0x0000202f, 0xf800707f, Fmt::Amo, Op::AmoaddW, {}},
    {"amoxor.w", 0x2000202f, 0xf800707f, Fmt::Amo, Op::AmoxorW, {}},
    {"amoand.w", 0x6000202f, 0xf800707f, Fmt::Amo, Op::AmoandW, {}},
    {"amoor.w", 0x4000202f, 0xf800707f, Fmt::Amo, Op::AmoorW, {}},
    {"amomin.w", 0x8000202f, 0xf800707f, Fmt::Amo, Op::AmominW, {}},
    {"amomax.w", 0xa000202f, 0xf800707f, Fmt::Amo, Op::AmomaxW, {}},
    {"amominu.w", 0xc000202f, 0xf800707f, Fmt::Amo, Op::AmominuW, {}},
    {"amomaxu.w", 0xe000202f, 0xf800707f, Fmt::Amo, Op::AmomaxuW, {}},

    // RVC quadrant 0. c.addi4spn with nzuimm = 0 is reserved (0x0000 is the illegal word).
    {"c.addi4spn", 0x0000, 0xe003, Fmt::CAddi4spn, Op::Addi, {{0x1fe0, 0}}},
    {"c.lw", 0x4000, 0xe003, Fmt::CLw, Op::Lw, {}},
    {"c.sw", 0xc000, 0xe003, Fmt::CSw, Op::Sw, {}},
    // RVC quadrant 1. c.nop with nzimm != 0 and c.addi with imm = 0 are HINTs (legal no-ops).
    {"c.nop", 0x0001, 0xef83, Fmt::CNop, Op::Addi, {}},
    {"c.addi", 0x0001, 0xe003, Fmt::CAddi, Op::Addi, {{kRdMask, 0}}},
    {"c.jal", 0x2001, 0xe003, Fmt::CJal, Op::Jal, {}},
    {"c.li", 0x4001, 0xe003, Fmt::CLi, Op::Addi, {}},
    {"c.addi16sp", 0x6101, 0xef83, Fmt::CAddi16sp, Op::Addi, {{kCiImmMask, 0}}},
    // c.lui: rd = x2 is c.addi16sp, nzimm = 0 is reserved, rd = x0 is a HINT.
    {"c.lui", 0x6001, 0xe003, Fmt::CLui, Op::Lui, {{kRdMask, 0x0100}, {kCiImmMask, 0}}},
    // RV32C shifts: shamt[5] (bit 12) = 1 is reserved (NSE), so it is part of the mask.
    {"c.srli", 0x8001, 0xfc03, Fmt::CShift, Op::Srli, {}},
    {"c.srai", 0x8401, 0xfc03, Fmt::CShift, Op::Srai, {}},
    {"c.andi", 0x8801, 0xec03, Fmt::CAndi, Op::Andi, {}},
    {"c.sub", 0x8c01, 0xfc63, Fmt::CAlu, Op::Sub, {}},
    {"c.xor", 0x8c21, 0xfc63, Fmt::CAlu, Op::Xor, {}},
    {"c.or", 0x8c41, 0xfc63, Fmt::CAlu, Op::Or, {}},
    {"c.and", 0x8c61, 0xfc63, Fmt::CAlu, Op::And, {}},
    {"c.j", 0xa001, 0xe003, Fmt::CJ, Op::Jal, {}},
    {"c.beqz", 0xc001, 0xe003, Fmt::CBranch, Op::Beq, {}},
    {"c.bnez", 0xe001, 0xe003, Fmt::CBranch, Op::Bne, {}},
    // RVC quadrant 2.
    {"c.slli", 0x0002, 0xf003, Fmt::CSlli, Op::Slli, {}},
    {"c.lwsp", 0x4002, 0xe003, Fmt::CLwsp, Op::Lw, {{kRdMask, 0}}},
    {"c.jr", 0x8002, 0xf07f, Fmt::CJr, Op::Jalr, {{kRdMask, 0}}},
    {"c.mv", 0x8002, 0xf003, Fmt::CMv, Op::Add, {{kRs2Mask, 0}}},
    {"c.ebreak", 0x9002, 0xffff, Fmt::CNone, Op::Ebreak, {}},
    {"c.jalr", 0x9002, 0xf07f, Fmt::CJalr, Op::Jalr, {{kRdMask, 0}}},
    {"c.add", 0x9002, 0xf003, Fmt::CAdd, Op::Add, {{kRs2Mask, 0}}},
    {"c.swsp", 0xc002, 0xe003, Fmt::CSwsp, Op::Sw, {}},
};
constexpr std::size_t kTableSize = sizeof(kTable) / sizeof(kTable[0]);

inline uint32_t bits(uint32_t w, int hi, int lo) { return (w >> lo) & ((1u << (hi - lo + 1)) - 1); }
inline uint32_t bit(uint32_t w, int b) { return (w >> b) & 1; }
inline int32_t sext(uint32_t v, int width) {
    return static_cast<int32_t>(v << (32 - width)) >> (32 - width);
}

// Buckets of candidate rows: 32-bit words by major opcode (bits 6:0), RVC words by
// quadrant and funct3 (bits 1:0 and 15:13).
struct Buckets {
    std::array<std::vector<uint16_t>, 128> wide;
    std::array<std::vector<uint16_t>, 32> narrow;
    Buckets() {
        for (std::size_t i = 0; i < kTableSize; ++i) {
            const InsnSpec& s = kTable[i];
            if (s.compressed()) {
                // Every RVC row fixes bits 1:0 and 15:13.
                narrow[((s.match & 3) << 3) | bits(s.match, 15, 13)].push_back(static_cast<uint16_t>(i));
            } else {
                wide[s.match & 0x7f].push_back(static_cast<uint16_t>(i));
            }
        }
    }
};
const Buckets& buckets() {
    static const Buckets b;
    return b;
}

inline uint8_t rd_of(uint32_t r) { return r == 0 ? kSinkReg : static_cast<uint8_t>(r); }

// Fills the operands of `d` for row `s` from the instruction bits.
void extract(const InsnSpec& s, uint32_t w, DecodedInsn& d) {
    const uint32_t rd = bits(w, 11, 7), rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20);
    const uint32_t crd = bits(w, 11, 7), crs2 = bits(w, 6, 2);        // full RVC registers
    const uint32_t crs1p = 8 + bits(w, 9, 7), crs2p = 8 + bits(w, 4, 2);  // x8..x15 (rs1', rs2', rd')
    const int32_t ci_imm = sext((bit(w, 12) << 5) | bits(w, 6, 2), 6);
    switch (s.fmt) {
    case Fmt::R:
    case Fmt::Amo:
        d.rd = rd_of(rd), d.rs1 = rs1, d.rs2 = rs2;
        break;
    case Fmt::Lr:
        d.rd = rd_of(rd), d.rs1 = rs1;
        break;
    case Fmt::I:
    case Fmt::Load:
    case Fmt::Jalr:
        d.rd = rd_of(rd), d.rs1 = rs1, d.imm = static_cast<int32_t>(w) >> 20;
        break;
    case Fmt::IShift:
        d.rd = rd_of(rd), d.rs1 = rs1, d.imm = static_cast<int32_t>(bits(w, 24, 20));
        break;
    case Fmt::Store:
        d.rs1 = rs1, d.rs2 = rs2;
        d.imm = sext((bits(w, 31, 25) << 5) | bits(w, 11, 7), 12);
        break;
    case Fmt::Branch:
        d.rs1 = rs1, d.rs2 = rs2;
        d.imm = sext((bit(w, 31) << 12) | (bit(w, 7) << 11) | (bits(w, 30, 25) << 5) | (bits(w, 11, 8) << 1), 13);
        break;
    case Fmt::U:
        d.rd = rd_of(rd), d.imm = static_cast<int32_t>(w & 0xfffff000u);
        break;
    case Fmt::J:
        d.rd = rd_of(rd);
        d.imm = sext((bit(w, 31) << 20) | (bits(w, 19, 12) << 12) | (bit(w, 20) << 11) | (bits(w, 30, 21) << 1), 21);
        break;
    case Fmt::Csr:
    case Fmt::CsrI:
        d.rd = rd_of(rd), d.rs1 = rs1, d.imm = static_cast<int32_t>(bits(w, 31, 20));
        break;
    case Fmt::Fence:
        d.imm = static_cast<int32_t>(bits(w, 31, 20));  // fm, pred, succ (disassembly only)
        break;
    case Fmt::None:
    case Fmt::CNone:
        break;
    case Fmt::CAddi4spn:
        d.rd = crs2p, d.rs1 = 2;
        d.imm = static_cast<int32_t>((bits(w, 12, 11) << 4) | (bits(w, 10, 7) << 6) | (bit(w, 6) << 2) | (bit(w, 5) << 3));
        break;
    case Fmt::CLw:
        d.rd = crs2p, d.rs1 = crs1p;
        d.imm = static_cast<int32_t>((bits(w, 12, 10) << 3) | (bit(w, 6) << 2) | (bit(w, 5) << 6));
        break;
    case Fmt::CSw:
        d.rs2 = crs2p, d.rs1 = crs1p;
        d.imm = static_cast<int32_t>((bits(w, 12, 10) << 3) | (bit(w, 6) << 2) | (bit(w, 5) << 6));
        break;
    case Fmt::CNop:
        d.rd = kSinkReg, d.rs1 = 0, d.imm = ci_imm;
        break;
    case Fmt::CAddi:
        d.rd = rd_of(crd), d.rs1 = crd, d.imm = ci_imm;
        break;
    case Fmt::CLi:
        d.rd = rd_of(crd), d.rs1 = 0, d.imm = ci_imm;
        break;
    case Fmt::CJal:
    case Fmt::CJ:
        d.rd = s.fmt == Fmt::CJal ? 1 : kSinkReg;
        d.imm = sext((bit(w, 12) << 11) | (bit(w, 11) << 4) | (bits(w, 10, 9) << 8) | (bit(w, 8) << 10) |
                         (bit(w, 7) << 6) | (bit(w, 6) << 7) | (bits(w, 5, 3) << 1) | (bit(w, 2) << 5),
                     12);
        break;
    case Fmt::CAddi16sp:
        d.rd = 2, d.rs1 = 2;
        d.imm = sext((bit(w, 12) << 9) | (bit(w, 6) << 4) | (bit(w, 5) << 6) | (bits(w, 4, 3) << 7) | (bit(w, 2) << 5),
                     10);
        break;
    case Fmt::CLui:
        d.rd = rd_of(crd), d.imm = static_cast<int32_t>(static_cast<uint32_t>(ci_imm) << 12);
        break;
    case Fmt::CShift:
        d.rd = crs1p, d.rs1 = crs1p, d.imm = static_cast<int32_t>(bits(w, 6, 2));
        break;
    case Fmt::CAndi:
        d.rd = crs1p, d.rs1 = crs1p, d.imm = ci_imm;
        break;
    case Fmt::CAlu:
        d.rd = crs1p, d.rs1 = crs1p, d.rs2 = crs2p;
        break;
    case Fmt::CBranch:
        d.rs1 = crs1p, d.rs2 = 0;
        d.imm = sext((bit(w, 12) << 8) | (bits(w, 11, 10) << 3) | (bits(w, 6, 5) << 6) | (bits(w, 4, 3) << 1) |
                         (bit(w, 2) << 5),
                     9);
        break;
    case Fmt::CSlli:
        d.rd = rd_of(crd), d.rs1 = crd, d.imm = static_cast<int32_t>(bits(w, 6, 2));
        break;
    case Fmt::CLwsp:
        d.rd = rd_of(crd), d.rs1 = 2;
        d.imm = static_cast<int32_t>((bit(w, 12) << 5) | (bits(w, 6, 4) << 2) | (bits(w, 3, 2) << 6));
        break;
    case Fmt::CSwsp:
        d.rs2 = crs2, d.rs1 = 2;
        d.imm = static_cast<int32_t>((bits(w, 12, 9) << 2) | (bits(w, 8, 7) << 6));
        break;
    case Fmt::CJr:
    case Fmt::CJalr:
        d.rd = s.fmt == Fmt::CJalr ? 1 : kSinkReg, d.rs1 = crd, d.imm = 0;
        break;
    case Fmt::CMv:
        d.rd = rd_of(crd), d.rs1 = 0, d.rs2 = crs2;
        break;
    case Fmt::CAdd:
        d.rd = rd_of(crd), d.rs1 = crd, d.rs2 = crs2;
        break;
    }
}

const char* const kRegNames[33] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
                                   "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                   "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6", "zero"};

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

std::string fence_set(uint32_t s) {
    std::string r;
    if (s & 8) r += 'i';
    if (s & 4) r += 'o';
    if (s & 2) r += 'r';
    if (s & 1) r += 'w';
    return r.empty() ? "0" : r;
}

std::string csr_text(uint32_t csr) {
    const char* n = csr_name(csr);
    return n ? n : hex(csr);
}

}  // namespace

const char* op_name(Op op) {
    static const char* const names[] = {
#define STVP_RV32_OP_NAME(name) #name,
        STVP_RV32_OPS(STVP_RV32_OP_NAME)
#undef STVP_RV32_OP_NAME
    };
    const auto i = static_cast<std::size_t>(op);
    return i < static_cast<std::size_t>(Op::Count) ? names[i] : "?";
}

OpClass op_class(Op op) {
    switch (op) {
    case Op::Lb: case Op::Lh: case Op::Lw: case Op::Lbu: case Op::Lhu: case Op::LrW:
        return OpClass::Load;
    case Op::Sb: case Op::Sh: case Op::Sw: case Op::ScW:
        return OpClass::Store;
    case Op::Beq: case Op::Bne: case Op::Blt: case Op::Bge: case Op::Bltu: case Op::Bgeu:
        return OpClass::Branch;
    case Op::Jal: case Op::Jalr:
        return OpClass::Jump;
    case Op::Mul: case Op::Mulh: case Op::Mulhsu: case Op::Mulhu:
        return OpClass::Mul;
    case Op::Div: case Op::Divu: case Op::Rem: case Op::Remu:
        return OpClass::Div;
    case Op::AmoswapW: case Op::AmoaddW: case Op::AmoxorW: case Op::AmoandW: case Op::AmoorW:
    case Op::AmominW: case Op::AmomaxW: case Op::AmominuW: case Op::AmomaxuW:
        return OpClass::Amo;
    case Op::Fence: case Op::FenceI: case Op::Ecall: case Op::Ebreak: case Op::Mret: case Op::Wfi:
    case Op::Csrrw: case Op::Csrrs: case Op::Csrrc: case Op::Csrrwi: case Op::Csrrsi: case Op::Csrrci:
        return OpClass::System;
    default:
        return OpClass::Alu;
    }
}

const InsnSpec* insn_table() { return kTable; }
std::size_t insn_table_size() { return kTableSize; }

int lookup(uint32_t raw) {
    const Buckets& b = buckets();
    const std::vector<uint16_t>* cands;
    if ((raw & 3) == 3) {
        cands = &b.wide[raw & 0x7f];
    } else {
        raw &= 0xffff;
        cands = &b.narrow[((raw & 3) << 3) | bits(raw, 15, 13)];
    }
    for (uint16_t i : *cands)
        if (kTable[i].matches(raw)) return i;
    return -1;
}

DecodedInsn decode(uint32_t raw) {
    DecodedInsn d{};
    d.len = static_cast<uint8_t>(insn_length(raw));
    d.raw = d.len == 2 ? (raw & 0xffff) : raw;
    const int i = lookup(d.raw);
    if (i < 0) {
        d.op = Op::Illegal;
        d.spec = 0xffff;
        return d;
    }
    d.op = kTable[i].op;
    d.spec = static_cast<uint16_t>(i);
    extract(kTable[i], d.raw, d);
    return d;
}

const char* reg_name(unsigned r) { return r <= kSinkReg ? kRegNames[r] : "?"; }

std::string disassemble(uint32_t raw, uint32_t pc) {
    const DecodedInsn d = decode(raw);
    if (d.op == Op::Illegal) {
        char buf[32];
        std::snprintf(buf, sizeof buf, d.len == 2 ? ".2byte 0x%04x" : ".4byte 0x%08x", d.raw);
        return buf;
    }
    const InsnSpec& s = kTable[d.spec];
    const std::string rd = reg_name(d.rd), rs1 = reg_name(d.rs1), rs2 = reg_name(d.rs2);
    const std::string imm = std::to_string(d.imm);
    const std::string target = hex(pc + static_cast<uint32_t>(d.imm));
    std::string n = s.name;
    switch (s.fmt) {
    case Fmt::R: return n + " " + rd + ", " + rs1 + ", " + rs2;
    case Fmt::I: return n + " " + rd + ", " + rs1 + ", " + imm;
    case Fmt::IShift: return n + " " + rd + ", " + rs1 + ", " + hex(static_cast<uint32_t>(d.imm));
    case Fmt::Load:
    case Fmt::Jalr: return n + " " + rd + ", " + imm + "(" + rs1 + ")";
    case Fmt::Store: return n + " " + rs2 + ", " + imm + "(" + rs1 + ")";
    case Fmt::Branch: return n + " " + rs1 + ", " + rs2 + ", " + target;
    case Fmt::U: return n + " " + rd + ", " + hex(static_cast<uint32_t>(d.imm) >> 12);
    case Fmt::J: return n + " " + rd + ", " + target;
    case Fmt::Csr: return n + " " + rd + ", " + csr_text(static_cast<uint32_t>(d.imm)) + ", " + rs1;
    case Fmt::CsrI:
        return n + " " + rd + ", " + csr_text(static_cast<uint32_t>(d.imm)) + ", " + std::to_string(d.rs1);
    case Fmt::Fence: {
        const uint32_t fm = static_cast<uint32_t>(d.imm) >> 8, pred = (d.imm >> 4) & 15, succ = d.imm & 15;
        if (fm == 8 && pred == 3 && succ == 3) return "fence.tso";
        return n + " " + fence_set(pred) + ", " + fence_set(succ);
    }
    case Fmt::None:
    case Fmt::CNone:
    case Fmt::CNop: return n;
    case Fmt::Amo:
    case Fmt::Lr: {
        static const char* const kOrder[] = {"", ".rl", ".aq", ".aqrl"};
        n += kOrder[bits(d.raw, 26, 25)];
        if (s.fmt == Fmt::Lr) return n + " " + rd + ", (" + rs1 + ")";
        return n + " " + rd + ", " + rs2 + ", (" + rs1 + ")";
    }
    case Fmt::CAddi4spn: return n + " " + rd + ", sp, " + imm;
    case Fmt::CLw:
    case Fmt::CLwsp: return n + " " + rd + ", " + imm + "(" + rs1 + ")";
    case Fmt::CSw:
    case Fmt::CSwsp: return n + " " + rs2 + ", " + imm + "(" + rs1 + ")";
    case Fmt::CAddi:
    case Fmt::CLi:
    case Fmt::CAndi: return n + " " + rd + ", " + imm;
    case Fmt::CShift:
    case Fmt::CSlli: return n + " " + rd + ", " + hex(static_cast<uint32_t>(d.imm));
    case Fmt::CJal:
    case Fmt::CJ: return n + " " + target;
    case Fmt::CAddi16sp: return n + " sp, " + imm;
    case Fmt::CLui: return n + " " + rd + ", " + hex(static_cast<uint32_t>(d.imm) >> 12);
    case Fmt::CAlu:
    case Fmt::CMv:
    case Fmt::CAdd: return n + " " + rd + ", " + rs2;
    case Fmt::CBranch: return n + " " + rs1 + ", " + target;
    case Fmt::CJr:
    case Fmt::CJalr: return n + " " + rs1;
    }
    return n;
}

}  // namespace stvp::rv32
