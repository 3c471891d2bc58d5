// Machine-mode behaviour of Rv32Core: traps (cause, mepc, mtval), CSRs, mret, interrupts,
// WFI, counters, run control, the decode cache and DMI vs bus equivalence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <sstream>
#include <vector>

#include "core_harness.h"

namespace {

using namespace stvp;
using namespace stvp::test;

enum Reg : unsigned { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, s0 = 8, s1 = 9, a0 = 10, a1, a2, a3, a4, a5, a6, a7 };

constexpr uint32_t kData = kRamBase + 0x8000;
constexpr uint32_t kHandler = kRamBase + 0x1000;

struct Trap {
    uint32_t mcause, mepc, mtval;
};

// Runs `program` (at kRamBase) until the first trap and returns what it recorded.
Trap first_trap(Machine& m, const std::string& program) {
    m.load(program);
    EXPECT_TRUE(m.run_to_trap()) << program;
    return {m.csr(csr::kMcause), m.csr(csr::kMepc), m.csr(csr::kMtval)};
}

#define EXPECT_TRAP(t, cause_, epc_, tval_)                             \
    do {                                                                \
        const Trap trap_ = (t);                                         \
        EXPECT_EQ(trap_.mcause, (cause_)) << cause_name(trap_.mcause);  \
        EXPECT_EQ(trap_.mepc, (epc_));                                  \
        EXPECT_EQ(trap_.mtval, (tval_));                                \
    } while (0)

// ---- exceptions ----

TEST(Rv32Trap, IllegalInstructionReportsItsBits) {
    Machine m;
    EXPECT_TRAP(first_trap(m, "addi a0, zero, 1; .word 0xffffffff"), cause::kIllegalInsn, kRamBase + 4, 0xffffffffu);
    Machine n;
    EXPECT_TRAP(first_trap(n, ".half 0x0000"), cause::kIllegalInsn, kRamBase, 0u);  // 16-bit: only 16 bits
    Machine o;
    EXPECT_TRAP(first_trap(o, "c.nop; .half 0x6101"), cause::kIllegalInsn, kRamBase + 2, 0x6101u);
    Machine p;  // a CSR that does not exist
    EXPECT_TRAP(first_trap(p, "csrrs a0, 0x7c0, zero"), cause::kIllegalInsn, kRamBase, 0x7c002573u);
}

TEST(Rv32Trap, WritingAReadOnlyCsrIsIllegal) {
    for (const char* insn : {"csrrw zero, cycle, a0", "csrrwi zero, mhartid, 0", "csrrs a0, mvendorid, a1",
                             "csrrci a0, instret, 1", "csrrw a0, time, zero"}) {
        Machine m;
        m.core.set_reg(a1, 1);
        m.core.time_source = [] { return uint64_t{5}; };
        const Trap t = first_trap(m, insn);
        EXPECT_TRAP(t, cause::kIllegalInsn, kRamBase, Asm::encode(insn, kRamBase));
    }
    // Reading one without writing is fine: csrrs/csrrc with rs1 = x0, csrrsi/csrrci with 0.
    Machine m;
    m.load("csrrs a0, mhartid, zero; csrrsi a1, misa, 0; csrrc a2, cycle, zero; csrrci a3, marchid, 0; ecall");
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), kMisaRv32imacu);
    EXPECT_EQ(m.x(a2), 2u);  // two instructions of 1 cycle before it
}

TEST(Rv32Trap, MisalignedLoadsAndStoresTrapWithTheAddress) {
    struct Case {
        const char* insn;
        uint32_t cause, offset;
    };
    const Case cases[] = {
        {"lw a1, 2(a0)", cause::kLoadMisaligned, 2},   {"lw a1, 1(a0)", cause::kLoadMisaligned, 1},
        {"lh a1, 1(a0)", cause::kLoadMisaligned, 1},   {"lhu a1, 3(a0)", cause::kLoadMisaligned, 3},
        {"sw a1, 2(a0)", cause::kStoreMisaligned, 2},  {"sh a1, -1(a0)", cause::kStoreMisaligned, 0xffffffff},
        {"lr.w a1, (a2)", cause::kLoadMisaligned, 2},  {"sc.w a1, a1, (a2)", cause::kStoreMisaligned, 2},
        {"amoadd.w a1, a1, (a2)", cause::kStoreMisaligned, 2}, {"amoswap.w a1, a1, (a2)", cause::kStoreMisaligned, 2},
    };
    for (const Case& c : cases) {
        for (bool dmi : {true, false}) {
            Machine m(dmi);
            m.core.set_reg(a0, kData);
            m.core.set_reg(a2, kData + 2);
            const Trap t = first_trap(m, c.insn);
            EXPECT_TRAP(t, c.cause, kRamBase, kData + c.offset);
            EXPECT_EQ(m.bus.loads + m.bus.stores, 0u) << c.insn;  // no access was made
        }
    }
    Machine m;  // byte accesses are never misaligned
    m.load("lb a1, 1(a0); sb a1, 3(a0); lbu a2, 3(a0); ecall");
    m.core.set_reg(a0, kData);
    m.run_to_ecall();
}

TEST(Rv32Trap, AccessFaultsFromTheBus) {
    struct Case {
        const char* insn;
        uint32_t cause;
    };
    const Case cases[] = {
        {"lw a1, 0(a0)", cause::kLoadAccessFault},       {"lb a1, 0(a0)", cause::kLoadAccessFault},
        {"sw a1, 0(a0)", cause::kStoreAccessFault},      {"sb a1, 0(a0)", cause::kStoreAccessFault},
        {"lr.w a1, (a0)", cause::kLoadAccessFault},      {"amoadd.w a1, a1, (a0)", cause::kStoreAccessFault},
        {"c.lw a1, 4(a0)", cause::kLoadAccessFault},
    };
    for (const Case& c : cases) {
        Machine m;
        m.core.set_reg(a0, kHole);
        const uint32_t off = std::string(c.insn).rfind("c.lw", 0) == 0 ? 4 : 0;
        EXPECT_TRAP(first_trap(m, c.insn), c.cause, kRamBase, kHole + off);
    }
    // sc.w only touches memory when it would succeed.
    Machine m;
    m.core.set_reg(a0, kHole);
    m.load("sc.w a1, a1, (a0); ecall");
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), 1u);
}

TEST(Rv32Trap, InstructionFetchFaults) {
    Machine m;  // jump into a hole: the jump retires, the fetch at the target faults
    m.core.set_reg(a0, kHole);
    EXPECT_TRAP(first_trap(m, "jalr ra, 0(a0)"), cause::kInsnAccessFault, kHole, kHole);
    EXPECT_EQ(m.x(ra), kRamBase + 4);

    // A 32-bit instruction whose second half is past the end of RAM: mtval names that half.
    Machine n;
    const uint32_t last = kRamBase + kRamSize - 2;
    n.bus.ram[kRamSize - 2] = 0x13;  // low half of an addi
    n.bus.ram[kRamSize - 1] = 0x05;
    n.core.set_pc(last);
    ASSERT_TRUE(n.run_to_trap());
    EXPECT_EQ(n.csr(csr::kMcause), cause::kInsnAccessFault);
    EXPECT_EQ(n.csr(csr::kMepc), last);
    EXPECT_EQ(n.csr(csr::kMtval), last + 2);

    // With C, jumps cannot misalign the pc; only a debugger/loader can.
    Machine o;
    o.load("c.nop; c.nop");
    o.core.set_pc(kRamBase + 1);
    ASSERT_TRUE(o.run_to_trap());
    EXPECT_EQ(o.csr(csr::kMcause), cause::kInsnMisaligned);
    EXPECT_EQ(o.csr(csr::kMtval), kRamBase + 1);
}

TEST(Rv32Trap, EcallAndEbreak) {
    Machine m;
    EXPECT_TRAP(first_trap(m, "c.nop; ecall"), cause::kEcallM, kRamBase + 2, 0u);
    Machine n;
    EXPECT_TRAP(first_trap(n, "c.nop; ebreak"), cause::kBreakpoint, kRamBase + 2, kRamBase + 2);
    Machine o;
    EXPECT_TRAP(first_trap(o, "addi a0, a0, 1; c.ebreak"), cause::kBreakpoint, kRamBase + 4, kRamBase + 4);
    EXPECT_EQ(o.core.stats().exceptions[cause::kBreakpoint], 1u);
}

TEST(Rv32Trap, TrapEntryAndMretUpdateMstatus) {
    Machine m;
    Asm p;
    p("csrrw zero, mtvec, a0; csrrsi zero, mstatus, 8; ecall; addi a1, zero, 7; ecall");
    p("handler: csrrs t0, mstatus, zero; csrrs t1, mepc, zero; addi t1, t1, 4; csrrw zero, mepc, t1; mret");
    m.load(p);
    m.core.set_reg(a0, p.label("handler"));
    ASSERT_TRUE(m.run_to_trap());
    EXPECT_EQ(m.core.pc(), p.label("handler"));
    EXPECT_EQ(m.csr(csr::kMstatus), kMstatusMpie | kMstatusMpp);  // MIE -> MPIE, MIE = 0, MPP = M
    EXPECT_EQ(m.core.state(), CoreState::InTrap);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);      // runs the handler up to mret
    EXPECT_EQ(m.core.state(), CoreState::Running);
    EXPECT_EQ(m.core.pc(), kRamBase + 12);
    EXPECT_EQ(m.core.privilege(), Priv::Machine);              // MPP was M
    EXPECT_EQ(m.csr(csr::kMstatus), kMstatusMie | kMstatusMpie);  // MPP <- U, the least-privileged mode
    EXPECT_EQ(m.x(t0), kMstatusMpie | kMstatusMpp);
    ASSERT_TRUE(m.run_to_trap());
    EXPECT_EQ(m.x(a1), 7u);
    EXPECT_EQ(m.csr(csr::kMepc), kRamBase + 16);
}

TEST(Rv32Trap, MretRestoresDisabledInterrupts) {
    Machine m;
    m.load("mret");
    m.core.write_csr(csr::kMepc, kRamBase + 0x100);
    m.core.write_csr(csr::kMstatus, kMstatusMie | kMstatusMpp);  // MPIE = 0
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(m.core.pc(), kRamBase + 0x100);
    EXPECT_EQ(m.csr(csr::kMstatus), kMstatusMpie);  // MIE <- MPIE (0), MPIE <- 1, MPP <- U
}

TEST(Rv32Trap, MretBreaksAnLrScReservation) {
    Machine m;
    Asm p;
    p("lr.w a1, (a0); auipc t0, 0; addi t0, t0, 16; csrrw zero, mepc, t0; mret; sc.w a2, a1, (a0); ecall");
    m.load(p);
    m.core.set_reg(a0, kData);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a2), 1u);
}

TEST(Rv32Trap, TrapLoopWhenTheHandlerIsUnmapped) {
    Machine m;
    m.load("c.nop; ecall");
    m.core.write_csr(csr::kMtvec, kHole);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);  // entered the trap
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::TrapLoop);     // the handler cannot be fetched
    EXPECT_TRUE(m.core.halted());
    EXPECT_EQ(m.core.state(), CoreState::Halted);
    EXPECT_EQ(m.core.trap_loop_first().cause, cause::kEcallM);
    EXPECT_EQ(m.core.trap_loop_first().epc, kRamBase + 2);
    EXPECT_EQ(m.core.trap_loop_second().cause, cause::kInsnAccessFault);
    EXPECT_EQ(m.core.trap_loop_second().epc, kHole);
    const std::string msg = m.core.trap_loop_message();
    EXPECT_NE(msg.find("environment call from M-mode at pc 0x80000002"), std::string::npos) << msg;
    EXPECT_NE(msg.find("instruction access fault"), std::string::npos) << msg;
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::TrapLoop);  // stays halted
    EXPECT_EQ(m.csr(csr::kMepc), kRamBase + 2);             // the original trap's state is kept
}

TEST(Rv32Trap, TrapLoopWhenTheHandlersFirstInstructionTraps) {
    Machine m;
    Asm p;
    p("lw a0, 0(a1); handler: .word 0");  // mtvec is 4-byte aligned
    m.load(p);
    m.core.set_reg(a1, kHole);
    m.core.write_csr(csr::kMtvec, p.label("handler"));
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::TrapLoop);
    EXPECT_EQ(m.core.trap_loop_first().cause, cause::kLoadAccessFault);
    EXPECT_EQ(m.core.trap_loop_first().tval, kHole);
    EXPECT_EQ(m.core.trap_loop_second().cause, cause::kIllegalInsn);
}

TEST(Rv32Trap, NestedTrapAfterProgressIsNotALoop) {
    Machine m;
    Asm p;
    p("ecall; handler: c.nop; ecall");
    m.load(p);
    m.core.write_csr(csr::kMtvec, p.label("handler"));
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);  // c.nop retired, then ecall traps again
    EXPECT_FALSE(m.core.halted());
    EXPECT_EQ(m.core.stats().exceptions[cause::kEcallM], 2u);
}

// ---- CSRs ----

TEST(Rv32Csr, IdentificationAndWarlFields) {
    Machine m;
    EXPECT_EQ(m.csr(csr::kMisa), 0x40101105u);  // RV32 A C I M U
    for (uint32_t c : {csr::kMvendorid, csr::kMarchid, csr::kMimpid, csr::kMhartid, csr::kMconfigptr, csr::kMstatush})
        EXPECT_EQ(m.csr(c), 0u);
    m.load("csrrw zero, mstatus, a0; csrrw zero, mie, a0; csrrw zero, mip, a0; csrrw zero, misa, zero; "
           "csrrw zero, mepc, a1; csrrw zero, mtvec, a2; csrrw zero, mscratch, a0; csrrw zero, mcause, a0; "
           "csrrw zero, mtval, a1; csrrw zero, 0x323, a0; csrrs a3, 0xb03, zero; csrrs a4, 0xc1f, zero; ecall");
    m.core.set_reg(a0, 0xffffffff);
    m.core.set_reg(a1, 0x80000003);
    m.core.set_reg(a2, 0x80000103);
    m.core.set_reg(a3, 1);
    m.core.set_reg(a4, 1);
    m.step(12);
    EXPECT_EQ(m.csr(csr::kMstatus), kMstatusMie | kMstatusMpie | kMstatusMpp | kMstatusMprv | kMstatusTw);
    EXPECT_EQ(m.csr(csr::kMie), kMipMsip | kMipMtip | kMipMeip);
    EXPECT_EQ(m.csr(csr::kMip), 0u);  // driven by the interrupt lines only
    EXPECT_EQ(m.csr(csr::kMisa), 0x40101105u);
    EXPECT_EQ(m.csr(csr::kMepc), 0x80000002u);  // bit 0 cleared, bit 1 kept (IALIGN = 16)
    EXPECT_EQ(m.csr(csr::kMtvec), 0x80000101u);  // reserved mode 3 -> vectored
    EXPECT_EQ(m.csr(csr::kMscratch), 0xffffffffu);
    EXPECT_EQ(m.csr(csr::kMcause), 0xffffffffu);
    EXPECT_EQ(m.csr(csr::kMtval), 0x80000003u);
    EXPECT_EQ(m.csr(0x323), 0u);  // mhpmevent3: read-only zero
    EXPECT_EQ(m.x(a3), 0u);       // mhpmcounter3
    EXPECT_EQ(m.x(a4), 0u);       // hpmcounter31
}

TEST(Rv32Csr, CsrInstructionsReadOldValueAndSetClearBits) {
    Machine m;
    m.load("csrrw a1, mscratch, a0; csrrs a2, mscratch, a3; csrrc a4, mscratch, a5; csrrwi a6, mscratch, 17; "
           "csrrsi a7, mscratch, 8; csrrci t0, mscratch, 1; csrrs t1, mscratch, zero; ecall");
    m.core.write_csr(csr::kMscratch, 0x11);
    m.core.set_reg(a0, 0xf0);
    m.core.set_reg(a3, 0x0f);
    m.core.set_reg(a5, 0x3c);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), 0x11u);
    EXPECT_EQ(m.x(a2), 0xf0u);
    EXPECT_EQ(m.x(a4), 0xffu);
    EXPECT_EQ(m.x(a6), 0xc3u);
    EXPECT_EQ(m.x(a7), 17u);
    EXPECT_EQ(m.x(t0), 25u);
    EXPECT_EQ(m.x(t1), 24u);
}

TEST(Rv32Csr, TimeComesFromTheProvider) {
    Machine m;
    m.core.time_source = [] { return uint64_t{0x123456789}; };
    m.load("csrrs a0, time, zero; csrrs a1, timeh, zero; ecall");
    m.run_to_ecall();
    EXPECT_EQ(m.x(a0), 0x23456789u);
    EXPECT_EQ(m.x(a1), 1u);
    Machine n;  // no provider: illegal, so M-mode software could emulate it
    EXPECT_TRAP(first_trap(n, "csrrs a0, time, zero"), cause::kIllegalInsn, kRamBase, 0xc0102573u);
}

// ---- counters ----

TEST(Rv32Counters, CyclesFollowTheConfiguredCosts) {
    Rv32CoreConfig cfg;
    cfg.cycles = CycleCosts{1, 2, 3, 4, 5, 6};  // alu, load, store, branch_taken, mul, div
    Machine m(true, cfg);
    Asm p;
    p("addi a1, zero, 1; lw a2, 0(a0); sw a2, 4(a0); beq zero, zero, t; t: bne zero, zero, t; mul a3, a1, a1; "
      "div a3, a1, a1; jal zero, u; u: amoadd.w a4, a1, (a0); lr.w a4, (a0); sc.w a4, a1, (a0); "
      "csrrs a5, mcycle, zero; csrrs a6, minstret, zero; csrrs a7, cycle, zero; ecall");
    m.load(p);
    m.core.set_reg(a0, kData);
    m.run_to_ecall();
    const uint64_t expect = 1 + 2 + 3 + 4 + 1 + 5 + 6 + 4 + (2 + 3) + 2 + 3;
    EXPECT_EQ(m.x(a5), expect);
    EXPECT_EQ(m.x(a6), 12u);
    EXPECT_EQ(m.x(a7), expect + 2);  // two CSR reads of 1 cycle in between
    EXPECT_EQ(m.core.cycles(), expect + 3);
    EXPECT_EQ(m.core.instret(), 14u);  // the ecall does not retire
}

TEST(Rv32Counters, LargeCostsAreNotTruncated) {
    Rv32CoreConfig cfg;
    cfg.cycles = CycleCosts{1, 300, 1000, 2, 257, 30000};
    ASSERT_EQ(cfg.validate(), "");
    Machine m(true, cfg);
    m.load("div a0, a0, a1; mul a0, a0, a1; lw a1, 0(a2); sw a1, 0(a2); amoadd.w a3, a1, (a2); ecall");
    m.core.set_reg(a2, kData);
    m.run_to_ecall();
    EXPECT_EQ(m.core.cycles(), 30000u + 257u + 300u + 1000u + 1300u);
    cfg.cycles.div = 30001;
    EXPECT_NE(cfg.validate(), "");
    cfg.cycles.div = 0;
    EXPECT_NE(cfg.validate(), "");
}

TEST(Rv32Counters, WritesTakePrecedenceOverTheWritersIncrement) {
    Machine m(true, unit_costs());
    m.load("csrrw zero, minstret, a0; csrrs a1, minstret, zero; csrrw zero, mcycle, a0; csrrs a2, mcycle, zero; "
           "csrrw zero, mcycleh, a3; csrrs a4, mcycleh, zero; csrrw zero, minstreth, a3; csrrs a5, instreth, zero; "
           "csrrs a6, instret, zero; ecall");
    m.core.set_reg(a0, 100);
    m.core.set_reg(a3, 5);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), 100u);
    EXPECT_EQ(m.x(a2), 100u);
    EXPECT_EQ(m.x(a4), 5u);
    EXPECT_EQ(m.x(a5), 5u);
    EXPECT_EQ(m.x(a6), 100u + 6);
    EXPECT_EQ(m.core.instret(), 9u);  // the internal counter is not affected
}

TEST(Rv32Counters, LowWordCarriesIntoHigh) {
    Machine m(true, unit_costs());
    m.load("csrrw zero, mcycle, a0; c.nop; c.nop; csrrs a1, mcycle, zero; csrrs a2, mcycleh, zero; ecall");
    m.core.set_reg(a0, 0xffffffff);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), 1u);
    EXPECT_EQ(m.x(a2), 1u);
}

TEST(Rv32Counters, DmiLatencyAndBusStallsAreCharged) {
    Machine m(false, unit_costs());
    m.core.add_dmi(kRamBase, kRamBase + kRamSize - 1, m.bus.ram.data(), true, true, 2.0, 0.5);
    m.load("lw a1, 0(a0); lb a2, 0(a0); sw a1, 0(a0); sh a1, 0(a0); sb a1, 0(a0); ecall");
    m.core.set_reg(a0, kData);
    m.run_to_ecall();
    EXPECT_EQ(m.core.cycles(), (1 + 8) + (1 + 2) + (1 + 2) + (1 + 1) + (1 + 1));
    Machine n(true, unit_costs());
    n.bus.stall_cycles = 10;
    n.load("lw a1, 0(a0); sw a1, 0(a0); c.nop; ecall");
    n.core.set_reg(a0, kMmioBase);
    n.run_to_ecall();
    EXPECT_EQ(n.core.cycles(), 11u + 11u + 1u);
}

// ---- interrupts ----

struct IrqCase {
    bool sw, timer, ext;
    uint32_t expect;
};

TEST(Rv32Irq, PriorityIsExternalThenSoftwareThenTimer) {
    const IrqCase cases[] = {
        {true, true, true, cause::kMachineExternalIrq},  {true, true, false, cause::kMachineSoftwareIrq},
        {false, true, false, cause::kMachineTimerIrq},   {true, false, true, cause::kMachineExternalIrq},
        {false, true, true, cause::kMachineExternalIrq}, {true, false, false, cause::kMachineSoftwareIrq},
    };
    for (const IrqCase& c : cases) {
        Machine m;
        m.load("c.nop; c.nop; c.nop");
        m.core.write_csr(csr::kMie, kMipMsip | kMipMtip | kMipMeip);
        m.core.write_csr(csr::kMstatus, kMstatusMie);
        m.step();
        m.core.set_interrupt_lines(c.sw, c.timer, c.ext);
        EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
        EXPECT_EQ(m.csr(csr::kMcause), c.expect);
        EXPECT_EQ(m.csr(csr::kMepc), kRamBase + 2);  // the next instruction
        EXPECT_EQ(m.csr(csr::kMtval), 0u);
        EXPECT_EQ(m.core.stats().interrupts[c.expect & 0xff], 1u);
    }
}

TEST(Rv32Irq, MaskedByMieAndByMstatusMie) {
    Machine m;
    m.load("loop: c.addi a0, 1; c.j loop");
    m.core.set_interrupt_lines(true, true, true);
    m.core.write_csr(csr::kMstatus, kMstatusMie);
    EXPECT_EQ(m.core.run(100), RunExit::Budget);  // mie = 0
    m.core.write_csr(csr::kMie, kMipMtip);
    m.core.write_csr(csr::kMstatus, 0);
    EXPECT_EQ(m.core.run(100), RunExit::Budget);  // MIE = 0
    m.core.set_interrupt_lines(false, false, true);
    m.core.write_csr(csr::kMstatus, kMstatusMie);
    EXPECT_EQ(m.core.run(100), RunExit::Budget);  // only MEIP pending, only MTIE enabled
    m.core.set_interrupt_lines(false, true, false);
    EXPECT_EQ(m.core.run(100), RunExit::StateChange);
    EXPECT_EQ(m.csr(csr::kMcause), cause::kMachineTimerIrq);
}

TEST(Rv32Irq, TakenRightAfterTheCsrWriteThatEnablesIt) {
    Machine m;
    m.load("csrrw zero, mie, a0; csrrsi zero, mstatus, 8; addi a1, zero, 1");
    m.core.set_reg(a0, kMipMeip);
    m.core.set_interrupt_lines(false, false, true);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(m.csr(csr::kMcause), cause::kMachineExternalIrq);
    EXPECT_EQ(m.csr(csr::kMepc), kRamBase + 8);
    EXPECT_EQ(m.x(a1), 0u);
    EXPECT_EQ(m.core.instret(), 2u);
}

TEST(Rv32Irq, VectoredMtvecSendsInterruptsToBasePlusFourTimesCause) {
    for (uint32_t irq : {3u, 7u, 11u}) {
        Machine m;
        m.load("c.nop; c.nop");
        m.core.write_csr(csr::kMtvec, kHandler | 1);
        m.core.write_csr(csr::kMie, kMipMsip | kMipMtip | kMipMeip);
        m.core.write_csr(csr::kMstatus, kMstatusMie);
        m.core.set_interrupt_lines(irq == 3, irq == 7, irq == 11);
        EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
        EXPECT_EQ(m.core.pc(), kHandler + 4 * irq);
    }
    Machine m;  // exceptions still go to the base
    m.core.write_csr(csr::kMtvec, kHandler | 1);
    first_trap(m, "ecall");
    EXPECT_EQ(m.core.pc(), kHandler);
}

TEST(Rv32Irq, InterruptRaisedDuringABusAccessIsTakenAfterThatInstruction) {
    Machine m;
    m.load("lw a1, 0(a0); addi a2, zero, 1");
    m.core.set_reg(a0, kMmioBase);
    m.core.write_csr(csr::kMie, kMipMtip);
    m.core.write_csr(csr::kMstatus, kMstatusMie);
    m.bus.on_access = [&](uint32_t, bool) { m.core.set_interrupt_lines(false, true, false); };
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(m.csr(csr::kMcause), cause::kMachineTimerIrq);
    EXPECT_EQ(m.csr(csr::kMepc), kRamBase + 4);
    EXPECT_EQ(m.x(a2), 0u);
}

TEST(Rv32Irq, WfiWaitsForAnEnabledInterruptAndResumesAfterIt) {
    Machine m;
    m.load("wfi; addi a0, zero, 1; ecall");
    m.core.write_csr(csr::kMie, kMipMtip);
    m.core.write_csr(csr::kMstatus, kMstatusMie);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Wfi);
    EXPECT_EQ(m.core.state(), CoreState::Wfi);
    EXPECT_EQ(m.core.pc(), kRamBase + 4);
    EXPECT_EQ(m.core.instret(), 1u);
    m.core.set_interrupt_lines(false, false, true);  // pending but not enabled in mie
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Wfi);
    EXPECT_EQ(m.core.instret(), 1u);
    m.core.set_interrupt_lines(false, true, false);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(m.csr(csr::kMcause), cause::kMachineTimerIrq);
    EXPECT_EQ(m.csr(csr::kMepc), kRamBase + 4);
    EXPECT_EQ(m.x(a0), 0u);
}

TEST(Rv32Irq, WfiWithInterruptsDisabledGlobalyJustContinues) {
    Machine m;
    m.load("wfi; addi a0, zero, 1; ecall");
    m.core.write_csr(csr::kMie, kMipMeip);
    m.core.set_interrupt_lines(false, false, true);  // pending and enabled in mie, MIE = 0
    m.run_to_ecall();
    EXPECT_EQ(m.x(a0), 1u);
    EXPECT_EQ(m.core.stats().interrupts[11], 0u);
}

TEST(Rv32Irq, WfiEnteredWhileWaitingResumesWithoutTrapWhenMieIsClear) {
    Machine m;
    m.load("wfi; addi a0, zero, 1; ecall");
    m.core.write_csr(csr::kMie, kMipMsip);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Wfi);
    m.core.set_interrupt_lines(true, false, false);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a0), 1u);
}

// ---- run control ----

TEST(Rv32Run, CycleBudgetAndInstructionLimit) {
    Machine m(true, unit_costs());
    m.load("loop: addi a0, a0, 1; jal zero, loop");
    EXPECT_EQ(m.core.run(10), RunExit::Budget);
    EXPECT_EQ(m.core.cycles(), 10u);
    EXPECT_EQ(m.x(a0), 5u);
    EXPECT_EQ(m.core.run(UINT64_MAX, 15), RunExit::InstructionLimit);
    EXPECT_EQ(m.core.instret(), 15u);
    EXPECT_EQ(m.core.run(UINT64_MAX, 15), RunExit::InstructionLimit);  // no progress at the limit
    EXPECT_EQ(m.core.instret(), 15u);
    EXPECT_EQ(m.core.run(0), RunExit::Budget);
    EXPECT_EQ(m.core.instret(), 15u);

    Machine d;  // the last instruction of a budget may overshoot it
    d.load("div a0, a0, a1; div a0, a0, a1");
    EXPECT_EQ(d.core.run(1), RunExit::Budget);
    EXPECT_EQ(d.core.cycles(), 34u);
    EXPECT_EQ(d.core.instret(), 1u);
}

TEST(Rv32Run, StopRequestedDuringMmioEndsAfterThatInstruction) {
    Machine m;
    m.load("addi a1, zero, 42; sw a1, 0(a0); addi a2, zero, 1; ecall");
    m.core.set_reg(a0, kMmioBase + 8);
    m.bus.on_access = [&](uint32_t, bool write) {
        if (write) m.core.request_stop();
    };
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Stop);
    EXPECT_EQ(m.bus.mmio[2], 42u);
    EXPECT_EQ(m.core.pc(), kRamBase + 8);
    EXPECT_EQ(m.core.instret(), 2u);
    EXPECT_EQ(m.x(a2), 0u);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Stop);  // sticky
    m.core.clear_stop();
    m.run_to_ecall();
    EXPECT_EQ(m.x(a2), 1u);
}

TEST(Rv32Run, StopRequestedBeforeRunMakesNoProgress) {
    Machine m;
    m.load("addi a0, zero, 1; ecall");
    m.core.request_stop();
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Stop);
    EXPECT_EQ(m.core.instret(), 0u);
}

TEST(Rv32Run, InstructionTrace) {
    Machine m;
    std::ostringstream os;
    m.core.set_trace(&os, [](uint64_t c) { return "[" + std::to_string(c) + "] "; });
    m.load("addi a0, a0, 1; c.lw a5, 4(a0); ecall");
    m.core.set_reg(a0, kData - 1);
    m.run_to_ecall();
    EXPECT_EQ(os.str(),
              "[0] 80000000: 00150513  addi a0, a0, 1\n"
              "[1] 80000004: 415c      c.lw a5, 4(a0)\n"
              "[3] 80000006: 00000073  ecall\n");
}

// ---- decode cache ----

TEST(Rv32DecodeCache, StoreOverCachedCodeTakesEffect) {
    for (bool dmi : {true, false}) {
        Machine m(dmi);
        Asm p;
        // Runs `patch` twice; between the runs it is overwritten with "addi a0, a0, 100".
        p("addi t0, zero, 2; loop: patch: addi a0, a0, 1; sw a1, 0(a2); fence.i; addi t0, t0, -1; bne t0, zero, loop; "
          "ecall");
        m.load(p);
        m.core.set_reg(a1, Asm::encode("addi a0, a0, 100", 0));
        m.core.set_reg(a2, p.label("patch"));
        m.run_to_ecall();
        EXPECT_EQ(m.x(a0), 101u) << dmi;
    }
}

TEST(Rv32DecodeCache, StoreIsSeenWithoutFenceAndDataStoresInvalidateNothing) {
    Machine m;
    Asm p;
    p("addi t0, zero, 2; loop: patch: addi a0, a0, 1; sw a3, 0(a4); sw a1, 0(a2); addi t0, t0, -1; "
      "bne t0, zero, loop; ecall");
    m.load(p);
    m.core.set_reg(a1, Asm::encode("addi a0, a0, 100", 0));
    m.core.set_reg(a2, p.label("patch"));
    m.core.set_reg(a4, kData);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a0), 101u);
    EXPECT_EQ(m.core.stats().code_invalidations, 2u);  // the two patch stores, not the data stores
}

TEST(Rv32DecodeCache, InstructionStraddlingALineSeesAStoreToItsUpperHalf) {
    Machine m;
    Asm p;
    // Put a 4-byte instruction at offset 62 so its upper half is in the next 64-byte line.
    p("addi t0, zero, 2; jal zero, loop");
    while (p.here() != kRamBase + 62) p("c.nop");
    p("loop: addi a0, a0, 1; c.nop; sh a1, 0(a2); addi t0, t0, -1; bne t0, zero, loop; ecall");
    m.load(p);
    // "addi a0, a0, 1" = 0x00150513; change imm to 0x7ff by patching the upper half only.
    m.core.set_reg(a1, 0x7ff5);
    m.core.set_reg(a2, kRamBase + 64);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a0), 1u + 0x7ffu);
}

TEST(Rv32DecodeCache, CodeInTheFirstPageAndAcrossPages) {
    Machine m;
    std::vector<uint8_t> low(0x2000);
    m.core.add_dmi(0, 0x1fff, low.data(), true, true);
    Asm p(0x100);
    p("addi a0, zero, 3; loop: addi a1, a1, 2; addi a0, a0, -1; bne a0, zero, loop; jal zero, 0xffc");
    Asm q(0xffc);  // c.nop at the end of page 0, then a 4-byte instruction straddling into page 1
    q("c.nop; addi a2, zero, 7; ecall");
    for (const Asm* a : {&p, &q}) {
        const std::vector<uint8_t> img = a->bytes();
        std::copy(img.begin(), img.end(), low.begin() + a->base());
    }
    m.core.set_pc(0x100);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), 6u);
    EXPECT_EQ(m.x(a2), 7u);
    EXPECT_EQ(m.csr(csr::kMepc), 0x1002u);  // ecall after the straddling addi at 0xffe
}

TEST(Rv32DecodeCache, ExternalWritesNeedInvalidateDecode) {
    Machine m;
    m.load("addi a0, a0, 1; ecall");
    m.run_to_ecall();
    EXPECT_EQ(m.x(a0), 1u);
    m.set_mem32(kRamBase, Asm::encode("addi a0, a0, 5", 0));  // behind the core's back (a loader, a DMA)
    m.core.invalidate_decode(kRamBase, 4);
    m.core.set_pc(kRamBase);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a0), 6u);
}

// ---- DMI vs bus ----

// A program exercising loads, stores of all sizes, AMOs, compressed code and branches:
// checksums a table, bubble-sorts it, and counts with amoadd.
const char* kSortProgram =
    "addi t2, zero, 32; addi a0, zero, 0; addi t0, zero, 0; "
    "fill: slli s0, t0, 2; add s0, s0, s1; mul a1, t0, a2; xor a1, a1, a3; sw a1, 0(s0); c.addi t0, 1; "
    "blt t0, t2, fill; "
    "outer: addi t0, zero, 0; addi a4, zero, 0; "
    "inner: slli s0, t0, 2; add s0, s0, s1; c.lw a5, 0(s0); lw a6, 4(s0); bgeu a6, a5, noswap; "
    "sw a6, 0(s0); sw a5, 4(s0); addi a4, zero, 1; amoadd.w zero, a7, (a3); "
    "noswap: c.addi t0, 1; addi t1, t2, -1; blt t0, t1, inner; bne a4, zero, outer; "
    "addi t0, zero, 0; "
    "sum: slli s0, t0, 2; add s0, s0, s1; lhu a5, 0(s0); lb a6, 3(s0); c.add a0, a5; c.add a0, a6; "
    "sb a0, 128(s0); c.addi t0, 1; blt t0, t2, sum; ecall";

TEST(Rv32DmiVsBus, SameResultsThroughDmiAndTheBus) {
    Machine dmi(true), bus(false);
    for (Machine* m : {&dmi, &bus}) {
        m->load(kSortProgram);
        m->core.set_reg(s1, kData);
        m->core.set_reg(a2, 0x9e3779b1);
        m->core.set_reg(a3, kData + 0x1000);
        m->core.set_reg(a7, 1);
        m->run_to_ecall();
    }
    for (unsigned r = 0; r < 32; ++r) EXPECT_EQ(dmi.x(r), bus.x(r)) << "x" << r;
    EXPECT_EQ(dmi.bus.ram, bus.bus.ram);
    EXPECT_EQ(dmi.core.instret(), bus.core.instret());
    EXPECT_EQ(dmi.core.cycles(), bus.core.cycles());
    EXPECT_EQ(dmi.bus.loads + dmi.bus.stores + dmi.bus.fetches, 0u);
    EXPECT_GT(bus.bus.loads, 100u);
    EXPECT_GT(bus.bus.stores, 100u);
    // Sorted ascending (unsigned).
    for (uint32_t i = 0; i + 1 < 32; ++i) EXPECT_LE(dmi.mem32(kData + 4 * i), dmi.mem32(kData + 4 * i + 4));
    EXPECT_GT(dmi.mem32(kData + 0x1000), 0u);  // swaps counted
}

TEST(Rv32DmiVsBus, InvalidatedRangeFallsBackToTheBus) {
    Machine m;
    m.load("lw a1, 0(a0); ecall");
    m.core.set_reg(a0, kData);
    m.set_mem32(kData, 77);
    EXPECT_EQ(m.core.dmi_ranges(), 2u);
    m.core.invalidate_dmi(kData, kData);
    EXPECT_EQ(m.core.dmi_ranges(), 0u);
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), 77u);
    EXPECT_EQ(m.bus.loads, 1u);
}

}  // namespace
