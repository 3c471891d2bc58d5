// RV32IMAC + Zicsr + Zifencei instruction encodings: one table feeds the decoder, the
// disassembler and the encoding-overlap test (tests/unit/cpu).
//
// Compressed (RVC) instructions are rows of the same table. Each row names the handler
// (the 32-bit instruction whose semantics it has, e.g. c.addi -> Op::Addi) and a format
// that extracts the operands, so a compressed instruction decodes to the same DecodedInsn
// as its 32-bit twin (RISC-V unprivileged spec 20191213, chapter 16, table 16.5-16.7).
#pragma once

#include <cstdint>
#include <string>

#include "cpu/rv32_csr.h"  // csr_name()

namespace stvp::rv32 {

// Handlers. Undecoded must be 0: a zero-filled decode-cache slot means "decode me".
#define STVP_RV32_OPS(X)                                                                        \
    X(Undecoded) X(Illegal)                                                                     \
    X(Lui) X(Auipc) X(Jal) X(Jalr)                                                              \
    X(Beq) X(Bne) X(Blt) X(Bge) X(Bltu) X(Bgeu)                                                 \
    X(Lb) X(Lh) X(Lw) X(Lbu) X(Lhu) X(Sb) X(Sh) X(Sw)                                           \
    X(Addi) X(Slti) X(Sltiu) X(Xori) X(Ori) X(Andi) X(Slli) X(Srli) X(Srai)                     \
    X(Add) X(Sub) X(Sll) X(Slt) X(Sltu) X(Xor) X(Srl) X(Sra) X(Or) X(And)                       \
    X(Fence) X(FenceI) X(Ecall) X(Ebreak) X(Mret) X(Wfi)                                        \
    X(Csrrw) X(Csrrs) X(Csrrc) X(Csrrwi) X(Csrrsi) X(Csrrci)                                    \
    X(Mul) X(Mulh) X(Mulhsu) X(Mulhu) X(Div) X(Divu) X(Rem) X(Remu)                             \
    X(LrW) X(ScW) X(AmoswapW) X(AmoaddW) X(AmoxorW) X(AmoandW) X(AmoorW)                        \
    X(AmominW) X(AmomaxW) X(AmominuW) X(AmomaxuW)

enum class Op : uint8_t {
#define STVP_RV32_OP_ENUM(name) name,
    STVP_RV32_OPS(STVP_RV32_OP_ENUM)
#undef STVP_RV32_OP_ENUM
    Count
};

const char* op_name(Op op);

// Timing class of a handler (the core maps each class to a configurable cycle count).
enum class OpClass : uint8_t { Alu, Load, Store, Branch, Jump, Mul, Div, Amo, System };
OpClass op_class(Op op);

// Operand layouts. The 32-bit formats follow the spec's base formats (with variants where
// the disassembly differs); each compressed format also fixes the registers the 32-bit
// twin implies (c.jal writes ra, c.addi4spn reads sp, ...).
enum class Fmt : uint8_t {
    R, I, IShift, Load, Store, Branch, U, J, Jalr, Csr, CsrI, Fence, None, Amo, Lr,
    CAddi4spn, CLw, CSw, CNop, CAddi, CJal, CJ, CLi, CAddi16sp, CLui, CShift, CAndi, CAlu,
    CBranch, CSlli, CLwsp, CSwsp, CJr, CJalr, CMv, CAdd, CNone,
};

// A word w is this instruction if (w & mask) == match and, for each used exclusion,
// (w & excl.mask) != excl.value. Exclusions express the spec's "rd != 0" / "nzimm != 0"
// constraints that a single mask cannot (c.mv vs c.jr, c.lui vs c.addi16sp, ...).
struct Exclusion {
    uint32_t mask = 0;  // 0: unused
    uint32_t value = 0;
};

struct InsnSpec {
    const char* name;
    uint32_t match;
    uint32_t mask;
    Fmt fmt;
    Op op;
    Exclusion excl[2];
    bool compressed() const { return (match & 3) != 3; }
    bool matches(uint32_t w) const {
        if ((w & mask) != match) return false;
        for (const auto& e : excl)
            if (e.mask && (w & e.mask) == e.value) return false;
        return true;
    }
};

// The encoding table.
const InsnSpec* insn_table();
std::size_t insn_table_size();

// Length in bytes of the instruction whose first 16-bit parcel is `low`: 2 (RVC) or 4.
// Longer encodings (bits [4:2] = 111) are not supported and decode as illegal 4-byte words.
inline unsigned insn_length(uint32_t low) { return (low & 3) == 3 ? 4 : 2; }

// Register index a decoded instruction writes when the encoding says x0: writes go to a
// sink register past x31, so x0 needs no branch and stays zero.
constexpr uint8_t kSinkReg = 32;

// Compact decoded form (the core caches a copy of it per PC).
struct DecodedInsn {
    Op op;
    uint8_t rd;    // kSinkReg when the encoding names x0
    uint8_t rs1;
    uint8_t rs2;
    int32_t imm;   // sign-extended immediate; CSR number for Zicsr, uimm in rs1 for csr*i
    uint32_t raw;  // instruction bits (16 significant bits for RVC)
    uint8_t len;   // 2 or 4
    uint16_t spec; // index of the table row (for the disassembler)
};

// Index of the table row that `raw` matches (raw's low 16 bits only for RVC), or -1.
int lookup(uint32_t raw);

// Decodes `raw` (fills op, registers, imm, raw, len, spec). Unknown or
// reserved encodings give Op::Illegal with the length from the low two bits.
DecodedInsn decode(uint32_t raw);

// objdump-like text without pseudo-instructions ("addi a0, a0, 1", "c.lw a5, 4(a0)",
// "csrrw zero, mtvec, t0"). Branch and jump targets are absolute (pc + offset).
std::string disassemble(uint32_t raw, uint32_t pc = 0);

const char* reg_name(unsigned r);       // ABI name: zero, ra, sp, ...

}  // namespace stvp::rv32
