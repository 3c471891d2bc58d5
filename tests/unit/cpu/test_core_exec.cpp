// Per-instruction semantics of Rv32Core against a fake memory (no SystemC): RV32I, M, A,
// and every compressed form executing like its 32-bit expansion.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <initializer_list>
#include <memory>
#include <utility>

#include "core_harness.h"

namespace {

using namespace stvp;
using namespace stvp::test;

enum Reg : unsigned { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, s0 = 8, s1 = 9, a0 = 10, a1, a2, a3, a4, a5, a6, a7 };

using Regs = std::initializer_list<std::pair<unsigned, uint32_t>>;

// Runs `body; ecall` from kRamBase with the given registers preset.
std::unique_ptr<Machine> exec(const std::string& body, Regs regs = {}, bool dmi = true) {
    auto m = std::make_unique<Machine>(dmi);
    m->load(body + "; ecall");
    for (auto [r, v] : regs) m->core.set_reg(r, v);
    m->run_to_ecall();
    return m;
}

constexpr uint32_t kData = kRamBase + 0x8000;

// ---- RV32I ----

TEST(Rv32Exec, AddiSignExtendsImmediateAndWraps) {
    auto m = exec("addi a1, a0, 1; addi a2, zero, -1; addi a3, zero, -2048; addi a4, zero, 2047; addi a5, a0, -2048",
                  {{a0, 0x7fffffff}});
    EXPECT_EQ(m->x(a1), 0x80000000u);
    EXPECT_EQ(m->x(a2), 0xffffffffu);
    EXPECT_EQ(m->x(a3), 0xfffff800u);
    EXPECT_EQ(m->x(a4), 2047u);
    EXPECT_EQ(m->x(a5), 0x7ffff7ffu);
}

TEST(Rv32Exec, SetLessThanImmediate) {
    auto m = exec("slti a2, a0, -1; slti a3, a0, 0; sltiu a4, a1, -1; sltiu a5, a0, 1; sltiu a6, zero, 1",
                  {{a0, 0xfffffffe}, {a1, 0xfffffffe}});
    EXPECT_EQ(m->x(a2), 1u);  // -2 < -1
    EXPECT_EQ(m->x(a3), 1u);
    EXPECT_EQ(m->x(a4), 1u);  // 0xfffffffe < 0xffffffff (imm sign-extended, compared unsigned)
    EXPECT_EQ(m->x(a5), 0u);
    EXPECT_EQ(m->x(a6), 1u);  // seqz
}

TEST(Rv32Exec, LogicalImmediatesAreSignExtended) {
    auto m = exec("xori a1, a0, -1; ori a2, a0, -2048; andi a3, a0, -16; andi a4, a0, 0x7f", {{a0, 0x12345678}});
    EXPECT_EQ(m->x(a1), ~0x12345678u);
    EXPECT_EQ(m->x(a2), 0x12345678u | 0xfffff800u);
    EXPECT_EQ(m->x(a3), 0x12345670u);
    EXPECT_EQ(m->x(a4), 0x78u);
}

TEST(Rv32Exec, ImmediateShifts) {
    auto m = exec("slli a1, a0, 31; srli a2, a0, 31; srai a3, a0, 31; srai a4, a0, 0; srli a5, a0, 4",
                  {{a0, 0x80000001}});
    EXPECT_EQ(m->x(a1), 0x80000000u);
    EXPECT_EQ(m->x(a2), 1u);
    EXPECT_EQ(m->x(a3), 0xffffffffu);
    EXPECT_EQ(m->x(a4), 0x80000001u);
    EXPECT_EQ(m->x(a5), 0x08000000u);
}

TEST(Rv32Exec, RegisterShiftsUseLowFiveBits) {
    auto m = exec("sll a2, a0, a1; srl a3, a0, a1; sra a4, a0, a1; sll a5, a0, zero", {{a0, 0x80000010}, {a1, 0xffffffe1}});
    EXPECT_EQ(m->x(a2), 0x00000020u);  // shift by 1
    EXPECT_EQ(m->x(a3), 0x40000008u);
    EXPECT_EQ(m->x(a4), 0xc0000008u);
    EXPECT_EQ(m->x(a5), 0x80000010u);
}

TEST(Rv32Exec, RegisterArithmeticAndCompare) {
    auto m = exec("add a2, a0, a1; sub a3, a1, a0; slt a4, a0, a1; sltu a5, a0, a1; xor a6, a0, a1; or a7, a0, a1; "
                  "and t0, a0, a1; sub t1, zero, a0",
                  {{a0, 0xffffffff}, {a1, 1}});
    EXPECT_EQ(m->x(a2), 0u);           // wraps
    EXPECT_EQ(m->x(a3), 2u);
    EXPECT_EQ(m->x(a4), 1u);           // -1 < 1
    EXPECT_EQ(m->x(a5), 0u);           // 0xffffffff > 1 unsigned
    EXPECT_EQ(m->x(a6), 0xfffffffeu);
    EXPECT_EQ(m->x(a7), 0xffffffffu);
    EXPECT_EQ(m->x(t0), 1u);
    EXPECT_EQ(m->x(t1), 1u);
}

TEST(Rv32Exec, LuiAndAuipc) {
    auto m = exec("lui a0, 0xfffff; lui a1, 0x12345; auipc a2, 0x1; auipc a3, 0xfffff");
    EXPECT_EQ(m->x(a0), 0xfffff000u);
    EXPECT_EQ(m->x(a1), 0x12345000u);
    EXPECT_EQ(m->x(a2), kRamBase + 8 + 0x1000);
    EXPECT_EQ(m->x(a3), kRamBase + 12 - 0x1000);
}

TEST(Rv32Exec, WritesToX0AreDiscarded) {
    auto m = exec("addi zero, zero, 5; add zero, a0, a0; lui zero, 1; lw zero, 0(a1); jal zero, next; next: addi a2, zero, 0; "
                  "c.li zero, 3; c.mv zero, a0; add a3, zero, zero",
                  {{a0, 7}, {a1, kData}});
    EXPECT_EQ(m->x(zero), 0u);
    EXPECT_EQ(m->x(a2), 0u);
    EXPECT_EQ(m->x(a3), 0u);
}

TEST(Rv32Exec, LoadsSignAndZeroExtend) {
    auto m = std::make_unique<Machine>();
    m->load("lb a1, 0(a0); lbu a2, 0(a0); lh a3, 0(a0); lhu a4, 0(a0); lw a5, 0(a0); lb a6, 1(a0); lh a7, 2(a0); "
            "lw t0, -4(a0); lbu t1, 3(a0); ecall");
    m->set_mem32(kData, 0x01ff7f80);
    m->set_mem32(kData - 4, 0xdeadbeef);
    m->core.set_reg(a0, kData);
    m->run_to_ecall();
    EXPECT_EQ(m->x(a1), 0xffffff80u);
    EXPECT_EQ(m->x(a2), 0x80u);
    EXPECT_EQ(m->x(a3), 0x00007f80u);
    EXPECT_EQ(m->x(a4), 0x00007f80u);
    EXPECT_EQ(m->x(a5), 0x01ff7f80u);
    EXPECT_EQ(m->x(a6), 0x7fu);
    EXPECT_EQ(m->x(a7), 0x000001ffu);
    EXPECT_EQ(m->x(t0), 0xdeadbeefu);
    EXPECT_EQ(m->x(t1), 0x01u);

    auto n = std::make_unique<Machine>();
    n->load("lh a1, 0(a0); lhu a2, 0(a0); lh a3, 2(a0); ecall");
    n->set_mem32(kData, 0x7fff8001);
    n->core.set_reg(a0, kData);
    n->run_to_ecall();
    EXPECT_EQ(n->x(a1), 0xffff8001u);
    EXPECT_EQ(n->x(a2), 0x00008001u);
    EXPECT_EQ(n->x(a3), 0x00007fffu);
}

TEST(Rv32Exec, StoresWriteOnlyTheirBytes) {
    for (bool dmi : {true, false}) {
        auto m = std::make_unique<Machine>(dmi);
        m->load("sb a1, 0(a0); sh a1, 6(a0); sw a1, 8(a0); sb a1, -1(a0); ecall");
        for (uint32_t i = 0; i < 16; i += 4) m->set_mem32(kData + i, 0xaaaaaaaa);
        m->set_mem32(kData - 4, 0xaaaaaaaa);
        m->core.set_reg(a0, kData);
        m->core.set_reg(a1, 0x12345678);
        m->run_to_ecall();
        EXPECT_EQ(m->mem32(kData), 0xaaaaaa78u) << dmi;
        EXPECT_EQ(m->mem32(kData + 4), 0x5678aaaau) << dmi;
        EXPECT_EQ(m->mem32(kData + 8), 0x12345678u) << dmi;
        EXPECT_EQ(m->mem32(kData + 12), 0xaaaaaaaau) << dmi;
        EXPECT_EQ(m->mem32(kData - 4), 0x78aaaaaau) << dmi;
    }
}

TEST(Rv32Exec, BranchesCompareSignedAndUnsigned) {
    struct Case {
        const char* op;
        uint32_t a, b;
        bool taken;
    };
    const Case cases[] = {
        {"beq", 5, 5, true},           {"beq", 5, 6, false},        {"bne", 5, 6, true},
        {"bne", 5, 5, false},          {"blt", 0xffffffff, 1, true}, {"blt", 1, 0xffffffff, false},
        {"blt", 3, 3, false},          {"bge", 3, 3, true},          {"bge", 1, 0xffffffff, true},
        {"bge", 0xffffffff, 1, false}, {"bltu", 1, 0xffffffff, true}, {"bltu", 0xffffffff, 1, false},
        {"bgeu", 0xffffffff, 1, true}, {"bgeu", 1, 0xffffffff, false}, {"bgeu", 7, 7, true},
    };
    for (const Case& c : cases) {
        auto m = exec(std::string(c.op) + " a0, a1, taken; addi a2, zero, 1; ecall; taken: addi a2, zero, 2",
                      {{a0, c.a}, {a1, c.b}});
        EXPECT_EQ(m->x(a2), c.taken ? 2u : 1u) << c.op << " " << c.a << " " << c.b;
    }
}

TEST(Rv32Exec, BackwardBranchLoop) {
    auto m = exec("addi a0, zero, 10; loop: addi a0, a0, -1; addi a1, a1, 3; bne a0, zero, loop");
    EXPECT_EQ(m->x(a0), 0u);
    EXPECT_EQ(m->x(a1), 30u);
    EXPECT_EQ(m->core.instret(), 1u + 30u);
}

TEST(Rv32Exec, JalAndJalrLinkAndClearBitZero) {
    auto m = std::make_unique<Machine>();
    Asm p;
    p("jal ra, f; addi a1, zero, 1; ecall; f: addi a2, zero, 2; jalr a3, 1(a0); .word 0; g: jalr t0, 0(ra)");
    m->load(p);
    m->core.set_reg(a0, p.label("g") - 1);  // odd base + 1: bit 0 cleared by jalr
    m->run_to_ecall();
    EXPECT_EQ(m->x(ra), kRamBase + 4);
    EXPECT_EQ(m->x(a1), 1u);
    EXPECT_EQ(m->x(a2), 2u);
    EXPECT_EQ(m->x(a3), p.label("g") - 4);  // link past the jalr
    EXPECT_EQ(m->x(t0), p.label("g") + 4);

    // jalr with rd == rs1 jumps to the old value.
    auto n = exec("auipc ra, 0; addi ra, ra, 16; jalr ra, 0(ra); addi a0, zero, 9; addi a1, zero, 1");
    EXPECT_EQ(n->x(a0), 0u);
    EXPECT_EQ(n->x(a1), 1u);
    EXPECT_EQ(n->x(ra), kRamBase + 12);
}

TEST(Rv32Exec, FenceIsANopAndFenceIKeepsExecuting) {
    auto m = exec("addi a0, zero, 1; fence iorw, iorw; fence.tso; fence.i; addi a0, a0, 1");
    EXPECT_EQ(m->x(a0), 2u);
    EXPECT_EQ(m->core.instret(), 5u);
}

// ---- M ----

TEST(Rv32Exec, Multiply) {
    auto m = exec("mul a2, a0, a1; mulh a3, a0, a1; mulhu a4, a0, a1; mulhsu a5, a0, a1; mulh a6, a0, a0; "
                  "mulhsu a7, a1, a0",
                  {{a0, 0x80000000}, {a1, 0xffffffff}});
    EXPECT_EQ(m->x(a2), 0x80000000u);  // INT_MIN * -1 wraps
    EXPECT_EQ(m->x(a3), 0u);           // (-2^31 * -1) >> 32 = 2^31 >> 32 = 0
    EXPECT_EQ(m->x(a4), 0x7fffffffu);  // 2^31 * (2^32-1) >> 32
    EXPECT_EQ(m->x(a5), 0x80000000u);  // -2^31 * (2^32-1) >> 32
    EXPECT_EQ(m->x(a6), 0x40000000u);  // 2^62 >> 32
    EXPECT_EQ(m->x(a7), 0xffffffffu);  // -1 * 2^31 >> 32 = -1
    auto n = exec("mul a2, a0, a1; mulh a3, a0, a1; mulhu a4, a1, a1", {{a0, 7}, {a1, static_cast<uint32_t>(-3)}});
    EXPECT_EQ(n->x(a2), static_cast<uint32_t>(-21));
    EXPECT_EQ(n->x(a3), 0xffffffffu);
    EXPECT_EQ(n->x(a4), 0xfffffffau);  // (2^32-3)^2 >> 32
}

TEST(Rv32Exec, DivideAndRemainderEdgeCases) {
    const uint32_t kMin = 0x80000000;
    struct Case {
        uint32_t a, b, div, divu, rem, remu;
    };
    const Case cases[] = {
        {7, static_cast<uint32_t>(-2), static_cast<uint32_t>(-3), 0, 1, 7},
        {static_cast<uint32_t>(-7), 2, static_cast<uint32_t>(-3), 0x7ffffffc, static_cast<uint32_t>(-1), 1},
        {1234, 0, 0xffffffff, 0xffffffff, 1234, 1234},  // division by zero
        {kMin, 0xffffffff, kMin, 0, 0, kMin},            // overflow: INT_MIN / -1
        {0xffffffff, 10, 0, 0x19999999, 0xffffffff, 5},
    };
    for (const Case& c : cases) {
        auto m = exec("div a2, a0, a1; divu a3, a0, a1; rem a4, a0, a1; remu a5, a0, a1", {{a0, c.a}, {a1, c.b}});
        EXPECT_EQ(m->x(a2), c.div) << c.a << "/" << c.b;
        EXPECT_EQ(m->x(a3), c.divu) << c.a << "/" << c.b;
        EXPECT_EQ(m->x(a4), c.rem) << c.a << "%" << c.b;
        EXPECT_EQ(m->x(a5), c.remu) << c.a << "%" << c.b;
    }
}

// ---- A ----

TEST(Rv32Exec, LrScPairSucceedsOnceAndStores) {
    for (bool dmi : {true, false}) {
        auto m = std::make_unique<Machine>(dmi);
        m->load("lr.w a1, (a0); addi a1, a1, 1; sc.w a2, a1, (a0); sc.w a3, a1, (a0); ecall");
        m->set_mem32(kData, 41);
        m->core.set_reg(a0, kData);
        m->run_to_ecall();
        EXPECT_EQ(m->x(a2), 0u) << dmi;  // success
        EXPECT_EQ(m->x(a3), 1u) << dmi;  // the reservation was consumed
        EXPECT_EQ(m->mem32(kData), 42u) << dmi;
    }
}

TEST(Rv32Exec, ScFailsWithoutMatchingReservation) {
    auto n = std::make_unique<Machine>();
    n->load("sc.w a2, a1, (a0); lr.w a3, (a0); sc.w a4, a1, (a5); sc.w a6, a1, (a0); ecall");
    n->set_mem32(kData, 5);
    n->set_mem32(kData + 4, 6);
    n->core.set_reg(a0, kData);
    n->core.set_reg(a5, kData + 4);
    n->core.set_reg(a1, 99);
    n->run_to_ecall();
    EXPECT_EQ(n->x(a2), 1u);  // no reservation
    EXPECT_EQ(n->x(a3), 5u);
    EXPECT_EQ(n->x(a4), 1u);  // other address: fails and clears the reservation
    EXPECT_EQ(n->x(a6), 1u);
    EXPECT_EQ(n->mem32(kData), 5u);
    EXPECT_EQ(n->mem32(kData + 4), 6u);
}

TEST(Rv32Exec, EveryAmoReturnsOldValueAndStoresResult) {
    struct Case {
        const char* op;
        uint32_t old, src, result;
    };
    const Case cases[] = {
        {"amoswap.w", 1, 2, 2},
        {"amoadd.w", 0xffffffff, 2, 1},
        {"amoxor.w", 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0},
        {"amoand.w", 0xff00ff00, 0x0ff00ff0, 0x0f000f00},
        {"amoor.w", 0xff00ff00, 0x0ff00ff0, 0xfff0fff0},
        {"amomin.w", 0xffffffff, 1, 0xffffffff},
        {"amomin.w", 5, 3, 3},
        {"amomax.w", 0xffffffff, 1, 1},
        {"amomax.w", 0x7fffffff, 0x80000000, 0x7fffffff},
        {"amominu.w", 0xffffffff, 1, 1},
        {"amomaxu.w", 0xffffffff, 1, 0xffffffff},
        {"amomaxu.w", 3, 0x80000000, 0x80000000},
    };
    for (bool dmi : {true, false}) {
        for (const Case& c : cases) {
            for (const char* order : {"", ".aq", ".rl", ".aqrl"}) {
                auto m = std::make_unique<Machine>(dmi);
                m->load(std::string(c.op) + order + " a2, a1, (a0); ecall");
                m->set_mem32(kData, c.old);
                m->core.set_reg(a0, kData);
                m->core.set_reg(a1, c.src);
                m->run_to_ecall();
                EXPECT_EQ(m->x(a2), c.old) << c.op << order;
                EXPECT_EQ(m->mem32(kData), c.result) << c.op << order;
            }
        }
    }
}

TEST(Rv32Exec, AmoWithRdEqualRs2UsesTheOldSource) {
    auto m = std::make_unique<Machine>();
    m->load("amoadd.w a1, a1, (a0); ecall");
    m->set_mem32(kData, 10);
    m->core.set_reg(a0, kData);
    m->core.set_reg(a1, 5);
    m->run_to_ecall();
    EXPECT_EQ(m->x(a1), 10u);
    EXPECT_EQ(m->mem32(kData), 15u);
}

TEST(Rv32Exec, AmoReachesMmioThroughTheBus) {
    auto m = std::make_unique<Machine>();
    m->load("amoor.w a2, a1, (a0); ecall");
    m->bus.mmio[1] = 0x10;
    m->core.set_reg(a0, kMmioBase + 4);
    m->core.set_reg(a1, 0x3);
    m->run_to_ecall();
    EXPECT_EQ(m->x(a2), 0x10u);
    EXPECT_EQ(m->bus.mmio[1], 0x13u);
    EXPECT_EQ(m->bus.loads, 1u);
    EXPECT_EQ(m->bus.stores, 1u);
}

// ---- C: every compressed form has the effect of its 32-bit expansion ----

TEST(Rv32Exec, CompressedFormsExecuteLikeTheirExpansion) {
    const std::pair<const char*, const char*> twins[] = {
        {"c.addi4spn a0, sp, 1020", "addi a0, sp, 1020"},
        {"c.lw a5, 124(s1)", "lw a5, 124(s1)"},
        {"c.sw a5, 64(a0)", "sw a5, 64(a0)"},
        {"c.nop", "addi zero, zero, 0"},
        {"c.addi a0, -32", "addi a0, a0, -32"},
        {"c.jal 0x800007fe", "jal ra, 0x800007fe"},
        {"c.li t6, 31", "addi t6, zero, 31"},
        {"c.li a1, -1", "addi a1, zero, -1"},
        {"c.addi16sp sp, -512", "addi sp, sp, -512"},
        {"c.addi16sp sp, 496", "addi sp, sp, 496"},
        {"c.lui a0, 0xfffe0", "lui a0, 0xfffe0"},
        {"c.lui a0, 0x1f", "lui a0, 0x1f"},
        {"c.srli s0, 31", "srli s0, s0, 31"},
        {"c.srai a5, 3", "srai a5, a5, 3"},
        {"c.andi s1, -7", "andi s1, s1, -7"},
        {"c.sub a0, a1", "sub a0, a0, a1"},
        {"c.xor a0, a1", "xor a0, a0, a1"},
        {"c.or a0, a1", "or a0, a0, a1"},
        {"c.and a0, a1", "and a0, a0, a1"},
        {"c.j 0x80000100", "jal zero, 0x80000100"},
        {"c.beqz a0, 0x800000fe", "beq a0, zero, 0x800000fe"},
        {"c.bnez a0, 0x800000fe", "bne a0, zero, 0x800000fe"},
        {"c.beqz s0, 0x800000fe", "beq s0, zero, 0x800000fe"},
        {"c.bnez s0, 0x800000fe", "bne s0, zero, 0x800000fe"},
        {"c.slli t6, 31", "slli t6, t6, 31"},
        {"c.lwsp ra, 252(sp)", "lw ra, 252(sp)"},
        {"c.swsp s11, 4(sp)", "sw s11, 4(sp)"},
        {"c.jr a0", "jalr zero, 0(a0)"},
        {"c.jalr a0", "jalr ra, 0(a0)"},
        {"c.jalr ra", "jalr ra, 0(ra)"},
        {"c.mv a0, t6", "add a0, zero, t6"},
        {"c.add a0, t6", "add a0, a0, t6"},
        {"c.ebreak", "ebreak"},
    };
    // Two register seeds: all registers distinct in-RAM word addresses with a high bit set,
    // and one where a0 and s0 are zero (branches taken).
    for (int seed = 0; seed < 2; ++seed) {
        for (const auto& [c, full] : twins) {
            Machine mc, mf;
            for (Machine* m : {&mc, &mf}) {
                Asm p;
                p(m == &mc ? c : full);
                m->load(p);
                for (unsigned r = 1; r < 32; ++r) m->core.set_reg(r, kRamBase + 0x4000 + 0x100 * r + (r & 1) * 0x80);
                if (seed == 1) m->core.set_reg(a0, 0), m->core.set_reg(s0, 0);
                for (uint32_t off = 0; off < kRamSize - 0x400; off += 4) m->set_mem32(kRamBase + 0x400 + off, off * 2654435761u);
                m->core.write_csr(csr::kMtvec, kRamBase + 0x200);
                m->step();
            }
            const int len_c = 2, len_f = 4;
            const bool jump = std::string(full).rfind("jal", 0) == 0;
            const bool trap = mc.core.state() == CoreState::InTrap;
            EXPECT_EQ(trap, mf.core.state() == CoreState::InTrap) << c;
            if (trap) {
                EXPECT_EQ(mc.csr(csr::kMcause), mf.csr(csr::kMcause)) << c;
                EXPECT_EQ(mc.csr(csr::kMtval), mf.csr(csr::kMtval)) << c;
            } else if (!jump && mf.core.pc() == kRamBase + len_f) {
                EXPECT_EQ(mc.core.pc(), kRamBase + len_c) << c;
            } else {
                EXPECT_EQ(mc.core.pc(), mf.core.pc()) << c;  // same target
            }
            for (unsigned r = 1; r < 32; ++r) {
                uint32_t vc = mc.x(r), vf = mf.x(r);
                // Links hold the address after the instruction, which is 2 bytes earlier for RVC.
                if (jump && vf == kRamBase + len_f) vc += len_f - len_c;
                EXPECT_EQ(vc, vf) << c << " x" << r << " seed " << seed;
            }
            EXPECT_TRUE(std::equal(mc.bus.ram.begin() + 4, mc.bus.ram.end(), mf.bus.ram.begin() + 4)) << c;
            EXPECT_EQ(mc.core.instret(), mf.core.instret()) << c;
        }
    }
}

}  // namespace
