// User mode, PMP, misaligned emulation and the Sdtrig trigger module of Rv32Core, against the
// rules of the privileged spec 1.12 (sections 3.1.6, 3.1.11, 3.3, 3.7) and the debug spec 1.0
// (chapter 5). The PMP and trigger register files are also driven alone.
#include <gtest/gtest.h>

#include <string>

#include "core_harness.h"

namespace {

using namespace stvp;
using namespace stvp::test;

enum Reg : unsigned { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, a0 = 10, a1, a2, a3, a4, a5 };

constexpr uint32_t kUser = kRamBase + 0x2000;     // user code
constexpr uint32_t kData = kRamBase + 0x8000;     // data page
constexpr uint32_t kHandler = kRamBase + 0x1000;  // mtvec (an ecall there would loop: tests stop at entry)

// pmpcfg bytes.
constexpr uint32_t kR = 1, kW = 2, kX = 4, kTor = 1 << 3, kNa4 = 2 << 3, kNapot = 3 << 3, kL = 0x80;
// pmpaddr of a NAPOT region of `size` bytes (a power of two >= 8) at `base`.
constexpr uint32_t napot(uint32_t base, uint32_t size) { return (base >> 2) | ((size >> 3) - 1); }

struct Trap {
    uint32_t mcause, mepc, mtval;
};
Trap trap_of(Machine& m) { return {m.csr(csr::kMcause), m.csr(csr::kMepc), m.csr(csr::kMtval)}; }

#define EXPECT_TRAP(t, cause_, epc_, tval_)                             \
    do {                                                                \
        const Trap trap_ = (t);                                         \
        EXPECT_EQ(trap_.mcause, (cause_)) << cause_name(trap_.mcause);  \
        EXPECT_EQ(trap_.mepc, (epc_));                                  \
        EXPECT_EQ(trap_.mtval, (tval_));                                \
    } while (0)

// M-mode boot code at kRamBase: PMP entry 0 = `cfg0`/`addr0` (entry 1 likewise if given),
// then mret into U-mode at kUser. User code goes at kUser.
struct UserMachine : Machine {
    explicit UserMachine(bool dmi = true, const Rv32CoreConfig& cfg = Rv32CoreConfig{}) : Machine(dmi, cfg) {
        core.write_csr(csr::kMtvec, kHandler);
    }
    void boot(const std::string& user, uint32_t cfg = kNapot | kR | kW | kX, uint32_t addr0 = ~0u,
              uint32_t addr1 = 0) {
        Asm b(kRamBase);
        b("csrrw zero, pmpaddr0, a0; csrrw zero, pmpaddr1, a1; csrrw zero, pmpcfg0, a2; csrrw zero, mepc, a3; "
          "csrrw zero, mstatus, zero; mret");
        Machine::load(b);
        Asm u(kUser);
        u(user);
        const std::vector<uint8_t> img = u.bytes();
        std::copy(img.begin(), img.end(), bus.ram.begin() + (kUser - kRamBase));
        core.invalidate_decode_all();
        core.set_reg(a0, addr0);
        core.set_reg(a1, addr1);
        core.set_reg(a2, cfg);
        core.set_reg(a3, kUser);
        EXPECT_EQ(core.run(UINT64_MAX), RunExit::StateChange);  // the mret
        EXPECT_EQ(core.privilege(), Priv::User);
        EXPECT_EQ(core.pc(), kUser);
        for (unsigned r : {a0, a1, a2, a3}) core.set_reg(r, 0);
    }
    // Runs the user code to its first trap; true if one was taken.
    bool to_trap() {
        const RunExit e = core.run(UINT64_MAX, core.instret() + 10000);
        return e == RunExit::StateChange && core.state() == CoreState::InTrap;
    }
};

// ---- user mode ----

TEST(Rv32User, MisaAndMstatusMppAreWarlOverMAndU) {
    Machine m;
    EXPECT_TRUE(m.csr(csr::kMisa) & (1u << 20));  // U
    const std::pair<uint32_t, uint32_t> mpp[] = {{0, 0}, {1, 0}, {2, 0}, {3, 3}};  // S and reserved 2 -> U
    for (auto [written, read] : mpp) {
        ASSERT_TRUE(m.core.write_csr(csr::kMstatus, written << 11));
        EXPECT_EQ((m.csr(csr::kMstatus) >> 11) & 3, read) << written;
    }
    EXPECT_EQ(m.core.privilege(), Priv::Machine);  // reset in M-mode
}

TEST(Rv32User, MretToUserAndEcallFromUser) {
    UserMachine m;
    m.boot("addi a1, zero, 5; ecall");
    ASSERT_TRUE(m.to_trap());
    EXPECT_TRAP(trap_of(m), cause::kEcallU, kUser + 4, 0u);
    EXPECT_EQ(m.x(a1), 5u);
    EXPECT_EQ(m.core.privilege(), Priv::Machine);
    EXPECT_EQ(m.csr(csr::kMstatus) & kMstatusMpp, 0u);  // MPP = U: where the trap came from
    EXPECT_EQ(m.core.pc(), kHandler);
    EXPECT_EQ(m.core.stats().exceptions[cause::kEcallU], 1u);
    EXPECT_EQ(cause_name(cause::kEcallU), "environment call from U-mode");
}

TEST(Rv32User, HandlerMretReturnsToUser) {
    UserMachine m;
    Asm h(kHandler);
    h("csrrs t0, mepc, zero; addi t0, t0, 4; csrrw zero, mepc, t0; mret");
    const auto img = h.bytes();
    std::copy(img.begin(), img.end(), m.bus.ram.begin() + (kHandler - kRamBase));
    m.boot("ecall; addi a1, zero, 9; csrrs a2, mstatus, zero");
    ASSERT_TRUE(m.to_trap());                                   // ecall
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::StateChange);   // handler's mret
    EXPECT_EQ(m.core.privilege(), Priv::User);
    ASSERT_TRUE(m.to_trap());                                   // csrrs mstatus from U: illegal
    EXPECT_EQ(m.x(a1), 9u);
    EXPECT_EQ(m.csr(csr::kMcause), cause::kIllegalInsn);
}

TEST(Rv32User, NoPmpEntryDeniesUserFetches) {
    UserMachine m;
    m.boot("addi a1, zero, 1", 0);  // every entry OFF
    ASSERT_TRUE(m.to_trap());
    EXPECT_TRAP(trap_of(m), cause::kInsnAccessFault, kUser, kUser);
    EXPECT_EQ(m.x(a1), 0u);
}

TEST(Rv32User, MachineCsrsAndInstructionsAreIllegalInUserMode) {
    for (const char* insn : {"csrrs a1, mstatus, zero", "csrrw zero, mscratch, a0", "csrrs a1, mhartid, zero",
                             "csrrs a1, pmpcfg0, zero", "csrrs a1, tselect, zero", "csrrs a1, mcycle, zero", "mret"}) {
        UserMachine m;
        m.boot(insn);
        ASSERT_TRUE(m.to_trap()) << insn;
        EXPECT_TRAP(trap_of(m), cause::kIllegalInsn, kUser, Asm::encode(insn, kUser));
    }
}

TEST(Rv32User, McounterenGatesTheCountersInUserMode) {
    struct Case {
        const char* insn;
        uint32_t bit;
    };
    const Case cases[] = {{"csrrs a1, cycle, zero", 0},   {"csrrs a1, cycleh, zero", 0}, {"csrrs a1, time, zero", 1},
                          {"csrrs a1, timeh, zero", 1},   {"csrrs a1, instret, zero", 2}, {"csrrs a1, instreth, zero", 2}};
    for (const Case& c : cases) {
        for (bool enabled : {false, true}) {
            UserMachine m;
            m.core.time_source = [] { return uint64_t{0x500000007}; };
            m.core.write_csr(csr::kMcounteren, enabled ? 1u << c.bit : 7u & ~(1u << c.bit));
            m.boot(std::string(c.insn) + "; ecall");
            ASSERT_TRUE(m.to_trap());
            EXPECT_EQ(m.csr(csr::kMcause), enabled ? cause::kEcallU : cause::kIllegalInsn) << c.insn << enabled;
        }
    }
    // The hpm counters' bits are read-only zero: hpmcounter3 stays illegal from U-mode.
    UserMachine m;
    m.core.write_csr(csr::kMcounteren, ~0u);
    EXPECT_EQ(m.csr(csr::kMcounteren), 7u);
    m.boot("csrrs a1, 0xc03, zero");
    ASSERT_TRUE(m.to_trap());
    EXPECT_EQ(m.csr(csr::kMcause), cause::kIllegalInsn);
}

TEST(Rv32User, MachineInterruptsAreTakenInUserModeWhateverMie) {
    UserMachine m;
    m.boot("addi a1, a1, 1; jal zero, 0x80002000");  // mret left MIE = MPIE = 0
    m.core.write_csr(csr::kMie, kMipMtip);
    m.core.run(UINT64_MAX, m.core.instret() + 5);
    EXPECT_EQ(m.core.privilege(), Priv::User);
    m.core.set_interrupt_lines(false, true, false);
    EXPECT_TRUE(m.core.interrupt_pending());
    EXPECT_EQ(m.core.run(UINT64_MAX, m.core.instret() + 100), RunExit::StateChange);  // not a loop forever
    EXPECT_EQ(m.csr(csr::kMcause), cause::kMachineTimerIrq);
    EXPECT_EQ(m.core.privilege(), Priv::Machine);
    EXPECT_EQ(m.csr(csr::kMstatus) & kMstatusMpp, 0u);  // taken from U
    EXPECT_FALSE(m.core.interrupt_pending());            // in M-mode with MIE = 0: masked again
}

TEST(Rv32User, WfiIsIllegalInUserModeOnlyWithTw) {
    for (bool tw : {false, true}) {
        UserMachine m;
        m.boot("wfi");
        m.core.write_csr(csr::kMstatus, tw ? kMstatusTw : 0);
        m.core.write_csr(csr::kMie, kMipMtip);
        const RunExit e = m.core.run(UINT64_MAX, m.core.instret() + 10);
        if (tw) {
            EXPECT_EQ(e, RunExit::StateChange);
            EXPECT_EQ(m.csr(csr::kMcause), cause::kIllegalInsn);
        } else {
            EXPECT_EQ(e, RunExit::Wfi);
        }
    }
}

TEST(Rv32User, MprvGivesMachineLoadsAndStoresTheRightsOfMpp) {
    // Entry 0: kData's page readable only; entry 1: everything else RWX. M-mode with MPRV and
    // MPP = U stores there as U would (fault); with MPP = M it may.
    for (bool mpp_user : {true, false}) {
        Machine m;
        m.core.write_csr(csr::kPmpaddr0, napot(kData, 4096));
        m.core.write_csr(csr::kPmpaddr0 + 1, ~0u);
        m.core.write_csr(csr::kPmpcfg0, (kNapot | kR) | (kNapot | kR | kW | kX) << 8);
        m.core.write_csr(csr::kMstatus, kMstatusMprv | (mpp_user ? 0 : kMstatusMpp));
        m.load("lw a2, 0(a0); sw a1, 0(a0); ecall");
        m.core.set_reg(a0, kData);
        m.core.set_reg(a1, 77);
        m.set_mem32(kData, 5);
        ASSERT_TRUE(m.run_to_trap());
        EXPECT_EQ(m.x(a2), 5u);  // the load is allowed either way
        if (mpp_user) {
            EXPECT_TRAP(trap_of(m), cause::kStoreAccessFault, kRamBase + 4, kData);
            EXPECT_EQ(m.mem32(kData), 5u);
        } else {
            EXPECT_EQ(m.csr(csr::kMcause), cause::kEcallM);
            EXPECT_EQ(m.mem32(kData), 77u);
        }
        // The trap cleared nothing but MIE/MPIE/MPP: MPRV stays set in M-mode.
        EXPECT_TRUE(m.csr(csr::kMstatus) & kMstatusMprv);
    }
}

TEST(Rv32User, MretToUserClearsMprv) {
    Machine n;
    n.core.write_csr(csr::kPmpaddr0, ~0u);
    n.core.write_csr(csr::kPmpcfg0, kNapot | kR | kW | kX);
    n.core.write_csr(csr::kMepc, kRamBase + 0x100);
    n.core.write_csr(csr::kMstatus, kMstatusMprv);  // MPP = U
    n.load("mret");
    EXPECT_EQ(n.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(n.core.privilege(), Priv::User);
    EXPECT_EQ(n.csr(csr::kMstatus) & kMstatusMprv, 0u);
    Machine k;  // mret to M keeps it
    k.core.write_csr(csr::kMepc, kRamBase + 0x100);
    k.core.write_csr(csr::kMstatus, kMstatusMprv | kMstatusMpp);
    k.load("mret");
    EXPECT_EQ(k.core.run(UINT64_MAX), RunExit::StateChange);
    EXPECT_EQ(k.core.privilege(), Priv::Machine);
    EXPECT_TRUE(k.csr(csr::kMstatus) & kMstatusMprv);
}

// ---- PMP ----

TEST(Rv32Pmp, RegistersAreWarl) {
    Pmp p;
    p.write_cfg_csr(0, 0x02 | (0x7f << 8) | (uint32_t{kNa4 | kR} << 16));
    EXPECT_EQ(p.cfg(0), 0u);                          // R = 0, W = 1 is reserved: W cleared
    EXPECT_EQ(p.cfg(1), 0x1fu);                       // bits 6:5 read 0
    EXPECT_EQ(p.cfg(2), kNa4 | kR);
    EXPECT_EQ(p.cfg_csr(0), 0x00111f00u);
    p.write_addr_csr(3, 0xffffffff);
    EXPECT_EQ(p.addr_csr(3), 0xffffffffu);            // all 32 bits (address bits 33:2)
    // Lock entry 4: its cfg and address ignore writes until reset.
    p.write_addr_csr(4, 0x1234);
    p.write_cfg_csr(1, kL | kNa4 | kR);
    p.write_cfg_csr(1, 0);
    p.write_addr_csr(4, 0x5678);
    EXPECT_EQ(p.cfg(4), kL | kNa4 | kR);
    EXPECT_EQ(p.addr_csr(4), 0x1234u);
    EXPECT_TRUE(p.any_locked());
    // A locked TOR entry 6 locks pmpaddr5 (its lower bound), not pmpaddr7.
    p.write_cfg_csr(1, (uint32_t{kL | kTor | kR} << 16));  // entry 6; entry 4's byte is ignored
    p.write_addr_csr(5, 0x99);
    p.write_addr_csr(7, 0x77);
    EXPECT_EQ(p.addr_csr(5), 0u);
    EXPECT_EQ(p.addr_csr(7), 0x77u);
    // A locked entry that is not TOR leaves the address below writable.
    p.write_addr_csr(3, 0x33);
    EXPECT_EQ(p.addr_csr(3), 0x33u);
    p.reset();
    EXPECT_FALSE(p.any_locked());
    EXPECT_EQ(p.cfg_csr(1), 0u);
}

TEST(Rv32Pmp, AddressMatchingModes) {
    Pmp p;
    // Entry 0 TOR [0, 0x1000), entry 1 NA4 at 0x2000, entry 2 NAPOT 0x3000..0x3fff, entry 3
    // TOR [pmpaddr2 = 0x3000's address, 0x2000) matches nothing (lower >= upper).
    p.write_addr_csr(0, 0x1000 >> 2);
    p.write_addr_csr(1, 0x2000 >> 2);
    p.write_addr_csr(2, napot(0x3000, 0x1000));
    p.write_addr_csr(3, 0x2000 >> 2);
    p.write_cfg_csr(0, (kTor | kR) | (kNa4 | kW | kR) << 8 | (kNapot | kX) << 16 | (kTor | kR) << 24);
    EXPECT_TRUE(p.allows(0x0, 4, Pmp::kR, false));
    EXPECT_TRUE(p.allows(0xffc, 4, Pmp::kR, false));
    EXPECT_FALSE(p.allows(0x1000, 4, Pmp::kR, false));   // above the TOR top, matched by nothing: U denied
    EXPECT_TRUE(p.allows(0x1000, 4, Pmp::kR, true));     // M allowed (nothing locked)
    EXPECT_FALSE(p.allows(0xffc, 4, Pmp::kW, false));    // no W
    EXPECT_TRUE(p.allows(0x2000, 4, Pmp::kW, false));
    EXPECT_FALSE(p.allows(0x2004, 4, Pmp::kW, false));   // NA4 is 4 bytes
    EXPECT_TRUE(p.allows(0x3000, 4, Pmp::kX, false));
    EXPECT_TRUE(p.allows(0x3ffc, 4, Pmp::kX, false));
    EXPECT_FALSE(p.allows(0x4000, 4, Pmp::kX, false));
    EXPECT_FALSE(p.allows(0x3000, 4, Pmp::kR, false));
    // Partial match: the lowest-numbered entry that matches any byte must match all of them.
    EXPECT_FALSE(p.allows(0xffe, 4, Pmp::kR, false));
    // NAPOT of all ones: the whole address space.
    Pmp q;
    q.write_addr_csr(0, ~0u);
    q.write_cfg_csr(0, kNapot | kR);
    EXPECT_TRUE(q.allows(0, 4, Pmp::kR, false));
    EXPECT_TRUE(q.allows(0xfffffffc, 4, Pmp::kR, false));
}

TEST(Rv32Pmp, LowestNumberedEntryWinsAndLockedEntriesBindMachineMode) {
    Pmp p;
    p.write_addr_csr(0, napot(0x8000, 0x100));   // entry 0: a read-only hole...
    p.write_addr_csr(1, napot(0x0, 0x10000));    // entry 1: ... in an RW region
    p.write_cfg_csr(0, (kNapot | kR) | (kNapot | kR | kW) << 8);
    EXPECT_FALSE(p.allows(0x8010, 4, Pmp::kW, false));
    EXPECT_TRUE(p.allows(0x8100, 4, Pmp::kW, false));
    EXPECT_TRUE(p.allows(0x8010, 4, Pmp::kW, true));  // M-mode: unlocked entries do not apply
    p.write_cfg_csr(0, (kL | kNapot | kR) | (kNapot | kR | kW) << 8);
    EXPECT_FALSE(p.allows(0x8010, 4, Pmp::kW, true));  // locked: M-mode too
    EXPECT_TRUE(p.allows(0x8010, 4, Pmp::kR, true));
    EXPECT_TRUE(p.allows(0x8100, 4, Pmp::kW, true));   // entry 1 is not locked
    EXPECT_TRUE(p.allows(0x20000, 4, Pmp::kW, true));  // no match: M allowed
    EXPECT_FALSE(p.allows(0x20000, 4, Pmp::kW, false));
}

TEST(Rv32Pmp, FetchWindowIsTheRangeWithOneOutcome) {
    Pmp p;
    p.write_addr_csr(0, napot(0x8000, 0x100));
    p.write_addr_csr(1, napot(0x0, 0x10000));
    p.write_cfg_csr(0, (kNapot | kR) | (kNapot | kR | kX) << 8);
    Pmp::Window w = p.window(0x8010, Pmp::kX, false);
    EXPECT_FALSE(w.allowed);
    EXPECT_EQ(w.lo, 0x8000u);
    EXPECT_EQ(w.hi, 0x80ffu);
    w = p.window(0x9000, Pmp::kX, false);  // in entry 1 above entry 0's hole
    EXPECT_TRUE(w.allowed);
    EXPECT_EQ(w.lo, 0x8100u);
    EXPECT_EQ(w.hi, 0xffffu);
    w = p.window(0x100, Pmp::kX, false);  // below the hole
    EXPECT_EQ(w.lo, 0x0u);
    EXPECT_EQ(w.hi, 0x7fffu);
    w = p.window(0x20000, Pmp::kX, false);  // no match
    EXPECT_FALSE(w.allowed);
    EXPECT_EQ(w.lo, 0x10000u);
    EXPECT_EQ(w.hi, 0xffffffffu);
}

TEST(Rv32Pmp, UserAccessesFaultWithTheirCauses) {
    // Entry 0: kData's first 16 bytes read-only; entry 1: user code executable only; entry 2:
    // the rest of RAM read/write.
    struct Case {
        const char* insn;
        uint32_t cause;
    };
    const Case cases[] = {
        {"sw a1, 0(a0)", cause::kStoreAccessFault},       {"sb a1, 15(a0)", cause::kStoreAccessFault},
        {"amoadd.w a2, a1, (a0)", cause::kStoreAccessFault}, {"amoswap.w a2, a1, (a0)", cause::kStoreAccessFault},
        {"lw a2, 0(a3)", cause::kLoadAccessFault},        {"lr.w a2, (a3)", cause::kLoadAccessFault},
        {"amoor.w a2, a1, (a3)", cause::kStoreAccessFault},  // its load is refused: still a store/AMO fault
    };
    for (const Case& c : cases) {
        for (bool dmi : {true, false}) {
            UserMachine m(dmi);
            m.core.write_csr(csr::kPmpaddr0 + 2, napot(kData, 0x4000));
            m.set_mem32(kData, 0x1234);
            // entry 0: NAPOT 16 bytes R at kData; entry 1: NAPOT user page X; entry 2: kData.. RW
            m.boot(c.insn, (kNapot | kR) | (kNapot | kX) << 8 | (kNapot | kR | kW) << 16, napot(kData, 16),
                   napot(kUser, 0x1000));
            m.core.set_reg(a0, kData);
            m.core.set_reg(a1, 0x55);
            m.core.set_reg(a3, kRamBase + 0x100);  // boot code: no entry lets U read it
            ASSERT_TRUE(m.to_trap()) << c.insn;
            const uint32_t addr = std::string(c.insn).find("a3") != std::string::npos ? kRamBase + 0x100
                                  : std::string(c.insn).find("15(") != std::string::npos ? kData + 15
                                                                                         : kData;
            SCOPED_TRACE(std::string(c.insn) + (dmi ? " dmi" : " bus"));
            EXPECT_TRAP(trap_of(m), c.cause, kUser, addr);
            EXPECT_EQ(m.mem32(kData), 0x1234u) << c.insn;
            EXPECT_EQ(m.x(a2), 0u) << c.insn;
        }
    }
}

TEST(Rv32Pmp, UserAccessesThatAreAllowedWorkOnBothPaths) {
    for (bool dmi : {true, false}) {
        UserMachine m(dmi);
        m.core.write_csr(csr::kPmpaddr0 + 2, napot(kData, 0x4000));
        m.boot("lw a2, 0(a0); addi a2, a2, 1; sw a2, 4(a0); amoadd.w a4, a2, (a0); lr.w a5, (a0); ecall",
               (kNapot | kR) | (kNapot | kX) << 8 | (kNapot | kR | kW) << 16, napot(kData + 0x100, 16),
               napot(kUser, 0x1000));
        m.core.set_reg(a0, kData);
        m.set_mem32(kData, 41);
        ASSERT_TRUE(m.to_trap());
        EXPECT_EQ(m.csr(csr::kMcause), cause::kEcallU);
        EXPECT_EQ(m.mem32(kData + 4), 42u);
        EXPECT_EQ(m.x(a4), 41u);
        EXPECT_EQ(m.mem32(kData), 83u);
        EXPECT_EQ(m.x(a5), 83u);
    }
}

TEST(Rv32Pmp, UserFetchChecksIncludingAnInstructionAcrossTwoRegions) {
    // User code page executable up to kUser + 0x10 (TOR); the 4-byte instruction at
    // kUser + 0xe has its second parcel outside: the fault names that parcel.
    UserMachine m;
    m.boot("c.nop; c.nop; c.nop; c.nop; c.nop; c.nop; c.nop; addi a1, zero, 1", kTor | kX | kR, (kUser + 0x10) >> 2);
    ASSERT_TRUE(m.to_trap());
    EXPECT_TRAP(trap_of(m), cause::kInsnAccessFault, kUser + 0xe, kUser + 0x10);
    EXPECT_EQ(m.x(a1), 0u);
    // The same with the decode cache warm: the code was fetched by M-mode first.
    UserMachine n;
    n.boot("addi a1, zero, 1; jal zero, 0x80002000", kNapot | kR | kW | kX, ~0u);
    n.core.run(UINT64_MAX, n.core.instret() + 6);  // decoded and looping in U-mode
    n.core.write_csr(csr::kPmpcfg0, kNapot | kR);   // execute revoked (as a handler would)
    EXPECT_TRUE(n.to_trap());
    EXPECT_EQ(n.csr(csr::kMcause), cause::kInsnAccessFault);
}

TEST(Rv32Pmp, LockedEntryAppliesToMachineModeFetchAndStore) {
    Machine m;
    // Entry 0 locked, read-only over kData's page; entry 1 locked, no execute at kRamBase + 0x40.
    m.core.write_csr(csr::kPmpaddr0, napot(kData, 0x1000));
    m.core.write_csr(csr::kPmpaddr0 + 1, (kRamBase + 0x40) >> 2);
    m.core.write_csr(csr::kPmpcfg0, (kL | kNapot | kR) | (kL | kNa4 | kR) << 8);
    m.load("lw a2, 0(a0); sw a1, 0(a0)");
    m.core.set_reg(a0, kData);
    m.core.set_reg(a1, 9);
    m.set_mem32(kData, 3);
    ASSERT_TRUE(m.run_to_trap());
    EXPECT_EQ(m.x(a2), 3u);
    EXPECT_TRAP(trap_of(m), cause::kStoreAccessFault, kRamBase + 4, kData);
    EXPECT_EQ(m.mem32(kData), 3u);
    // Locked: firmware cannot unlock or move it.
    m.core.write_csr(csr::kPmpcfg0, 0);
    m.core.write_csr(csr::kPmpaddr0, 0);
    EXPECT_EQ(m.csr(csr::kPmpcfg0) & 0xff, kL | kNapot | kR);
    Machine f;
    f.core.write_csr(csr::kPmpaddr0, (kRamBase + 0x8) >> 2);
    f.core.write_csr(csr::kPmpcfg0, kL | kNa4 | kR);
    f.load("addi a1, zero, 1; addi a1, a1, 1; addi a1, a1, 1");
    ASSERT_TRUE(f.run_to_trap());
    EXPECT_TRAP(trap_of(f), cause::kInsnAccessFault, kRamBase + 8, kRamBase + 8);
    EXPECT_EQ(f.x(a1), 2u);
    // Unlocked, the same entries do not bind M-mode.
    Machine u;
    u.core.write_csr(csr::kPmpaddr0, (kRamBase + 0x8) >> 2);
    u.core.write_csr(csr::kPmpcfg0, kNa4 | kR);
    u.load("addi a1, zero, 1; addi a1, a1, 1; addi a1, a1, 1; ecall");
    u.run_to_ecall();
    EXPECT_EQ(u.x(a1), 3u);
}

TEST(Rv32Pmp, ProtectionLeavesMachineModeTimingAlone) {
    // The same M-mode loop with PMP entries set (unlocked) and without: identical cycles.
    uint64_t cycles[2];
    for (int with : {0, 1}) {
        Machine m;
        if (with) {
            m.core.write_csr(csr::kPmpaddr0, napot(kData, 16));
            m.core.write_csr(csr::kPmpcfg0, kNapot | kR);
        }
        m.load("addi a2, zero, 50; loop: sw a2, 0(a0); lw a3, 0(a0); addi a2, a2, -1; bne a2, zero, loop; ecall");
        m.core.set_reg(a0, kData);
        m.run_to_ecall();
        cycles[with] = m.core.cycles();
    }
    EXPECT_EQ(cycles[0], cycles[1]);
}

// ---- misaligned loads and stores ----

Rv32CoreConfig emulate() {
    Rv32CoreConfig c = unit_costs();
    c.misaligned_emulate = true;
    return c;
}

TEST(Rv32Misaligned, EmulatedAsByteAccessesOnBothPaths) {
    for (bool dmi : {true, false}) {
        Machine m(dmi, emulate());
        m.set_mem32(kData, 0x44332211);
        m.set_mem32(kData + 4, 0x88776655);
        m.load("lw a1, 1(a0); lh a2, 3(a0); lhu a3, 5(a0); sw a4, 9(a0); sh a4, 15(a0); lw a5, 9(a0); ecall");
        m.core.set_reg(a0, kData);
        m.core.set_reg(a4, 0xa1b2c3d4);
        m.run_to_ecall();
        EXPECT_EQ(m.x(a1), 0x55443322u);
        EXPECT_EQ(m.x(a2), 0x00005544u);
        EXPECT_EQ(m.x(a3), 0x00007766u);
        EXPECT_EQ(m.x(a5), 0xa1b2c3d4u);
        EXPECT_EQ(m.mem32(kData + 8), 0xb2c3d400u);
        EXPECT_EQ(m.mem32(kData + 12), 0xd40000a1u);
        EXPECT_EQ(m.mem32(kData + 16), 0x000000c3u);
        EXPECT_EQ(m.core.instret(), 6u);
        if (dmi) {
            EXPECT_EQ(m.core.cycles(), 6u);  // unit costs, no DMI latency: like aligned accesses
        }
    }
    Machine s(true, emulate());  // sign extension of a misaligned lh
    s.set_mem32(kData, 0x00ff8000);
    s.load("lh a1, 1(a0); ecall");
    s.core.set_reg(a0, kData);
    s.run_to_ecall();
    EXPECT_EQ(s.x(a1), 0xffffff80u);
}

TEST(Rv32Misaligned, AtomicsTrapEvenWhenEmulating) {
    const std::pair<const char*, uint32_t> cases[] = {{"lr.w a1, (a0)", cause::kLoadMisaligned},
                                                      {"sc.w a1, a1, (a0)", cause::kStoreMisaligned},
                                                      {"amoadd.w a1, a1, (a0)", cause::kStoreMisaligned}};
    for (auto [insn, c] : cases) {
        Machine m(true, emulate());
        m.load(insn);
        m.core.set_reg(a0, kData + 2);
        ASSERT_TRUE(m.run_to_trap());
        EXPECT_TRAP(trap_of(m), c, kRamBase, kData + 2);
    }
}

TEST(Rv32Misaligned, AFaultOnOneByteNamesThatByte) {
    // The word at the RAM's last byte: bytes 1..3 are beyond it.
    Machine m(true, emulate());
    m.load("lw a1, 0(a0)");
    m.core.set_reg(a0, kRamBase + kRamSize - 1);
    ASSERT_TRUE(m.run_to_trap());
    EXPECT_TRAP(trap_of(m), cause::kLoadAccessFault, kRamBase, kRamBase + kRamSize);
    // In U-mode, a store half inside a writable NA4 region: the first byte outside faults,
    // after the bytes inside were written (not atomic).
    UserMachine u(true, emulate());
    u.core.write_csr(csr::kPmpaddr0 + 2, kData >> 2);
    u.boot("sw a1, 2(a0)", (kNapot | kX) | (kNa4 | kR | kW) << 16, napot(kUser, 0x1000), 0);
    u.core.set_reg(a0, kData);
    u.core.set_reg(a1, 0xaabbccdd);
    ASSERT_TRUE(u.to_trap());
    EXPECT_TRAP(trap_of(u), cause::kStoreAccessFault, kUser, kData + 4);
    EXPECT_EQ(u.mem32(kData), 0xccdd0000u);
}

// ---- Sdtrig triggers ----

constexpr uint32_t kMcontrol6 = 6u << 28;
constexpr uint32_t kTrigM = 1u << 6, kTrigU = 1u << 3, kExec = 4, kStore = 2, kLoad = 1;
constexpr uint32_t kSelectData = 1u << 21;
uint32_t match_kind(uint32_t k) { return k << 7; }
constexpr uint32_t kDisabledTrigger = 15u << 28;

TEST(Rv32Trigger, RegistersAreWarl) {
    Triggers t;
    uint32_t v = 0;
    ASSERT_TRUE(t.read(csr::kTinfo, v));
    EXPECT_EQ(v, 0x01008040u);  // version 1, types 6 and 15
    ASSERT_TRUE(t.read(csr::kTdata1, v));
    EXPECT_EQ(v, 0xf0000000u);  // disabled
    t.write(csr::kTselect, 3, false);
    t.write(csr::kTselect, Triggers::kCount, false);  // out of range: keeps 3 (how debuggers count)
    t.read(csr::kTselect, v);
    EXPECT_EQ(v, 3u);
    // Firmware may not take dmode nor action 1; chain, size and unsupported match kinds read 0.
    t.write(csr::kTdata1, kMcontrol6 | (1u << 27) | (1u << 12) | (1u << 11) | (5u << 16) | match_kind(5) | kTrigM | kExec,
            false);
    t.read(csr::kTdata1, v);
    EXPECT_EQ(v, kMcontrol6 | kTrigM | kExec);
    EXPECT_TRUE(t.any_execute());
    t.write(csr::kTdata1, 2u << 28, false);  // legacy mcontrol (type 2) is not supported
    t.read(csr::kTdata1, v);
    EXPECT_EQ(v, 0xf0000000u);
    EXPECT_FALSE(t.any());
    // A debugger-owned trigger ignores firmware writes.
    t.write(csr::kTdata1, kMcontrol6 | (1u << 27) | (1u << 12) | kTrigM | kLoad, true);
    t.write(csr::kTdata2, 0x1000, true);
    t.write(csr::kTdata1, 0, false);
    t.write(csr::kTdata2, 0x2000, false);
    t.read(csr::kTdata1, v);
    EXPECT_EQ(v, kMcontrol6 | (1u << 27) | (1u << 12) | kTrigM | kLoad);
    t.read(csr::kTdata2, v);
    EXPECT_EQ(v, 0x1000u);
    ASSERT_TRUE(t.read(csr::kTdata3, v));
    EXPECT_EQ(v, 0u);
}

TEST(Rv32Trigger, MatchKinds) {
    Triggers t;
    auto set = [&](uint32_t kind, uint32_t tdata2) {
        t.write(csr::kTdata1, kMcontrol6 | match_kind(kind) | kTrigM | kLoad, false);
        t.write(csr::kTdata2, tdata2, false);
    };
    set(0, 0x1003);  // equal: any byte of the access
    EXPECT_EQ(t.match(kLoad, 0x1000, 4, 0, false, true, true), 0);
    EXPECT_EQ(t.match(kLoad, 0x1000, 2, 0, false, true, true), -1);
    EXPECT_EQ(t.match(kStore, 0x1000, 4, 0, false, true, true), -1);
    EXPECT_EQ(t.match(kLoad, 0x1000, 4, 0, false, false, true), -1);  // m only: not in U-mode
    set(1, 0x1000 | 0x7);  // NAPOT: 16 bytes at 0x1000
    EXPECT_EQ(t.match(kLoad, 0x100c, 4, 0, false, true, true), 0);
    EXPECT_EQ(t.match(kLoad, 0x1010, 4, 0, false, true, true), -1);
    EXPECT_EQ(t.match(kLoad, 0xffc, 4, 0, false, true, true), -1);
    EXPECT_EQ(t.match(kLoad, 0xffe, 4, 0, false, true, true), 0);  // any byte of the access
    EXPECT_EQ(t.match(kLoad, 0x100f, 2, 0, false, true, true), 0);
    set(1, 0xFFFFFFFEu);  // NAPOT: the top 2 bytes
    EXPECT_EQ(t.match(kLoad, 0xFFFFFFFEu, 2, 0, false, true, true), 0);
    EXPECT_EQ(t.match(kLoad, 0xFFFFFFFCu, 2, 0, false, true, true), -1);
    set(2, 0x2000);  // >=
    EXPECT_EQ(t.match(kLoad, 0x2000, 1, 0, false, true, true), 0);
    EXPECT_EQ(t.match(kLoad, 0x1fff, 1, 0, false, true, true), -1);
    set(3, 0x2000);  // <
    EXPECT_EQ(t.match(kLoad, 0x1fff, 1, 0, false, true, true), 0);
    EXPECT_EQ(t.match(kLoad, 0x2000, 1, 0, false, true, true), -1);
    // Action 0 in M-mode does not fire while MIE = 0 (no recursion in its own handler).
    set(0, 0x1000);
    EXPECT_EQ(t.match(kLoad, 0x1000, 4, 0, false, true, false), -1);
    // Data match compares the value.
    t.write(csr::kTdata1, kMcontrol6 | kSelectData | kTrigU | kStore, false);
    t.write(csr::kTdata2, 42, false);
    EXPECT_EQ(t.match(kStore, 0x1234, 4, 42, true, false, false), 0);
    EXPECT_EQ(t.match(kStore, 0x1234, 4, 41, true, false, false), -1);
    EXPECT_EQ(t.match(kStore, 42, 4, 0, false, false, false), -1);  // not an address trigger
}

// Sets trigger 0 from firmware's side (write_csr counts as the debugger, so use a program).
void firmware_trigger(Machine& m, uint32_t tdata1, uint32_t tdata2) {
    Asm a(kRamBase + 0x3000);
    a("csrrw zero, tselect, zero; csrrw zero, tdata1, a0; csrrw zero, tdata2, a1");
    const auto img = a.bytes();
    std::copy(img.begin(), img.end(), m.bus.ram.begin() + 0x3000);
    m.core.invalidate_decode_all();
    const uint32_t pc = m.core.pc();
    m.core.set_pc(kRamBase + 0x3000);
    m.core.set_reg(a0, tdata1);
    m.core.set_reg(a1, tdata2);
    m.core.run(UINT64_MAX, m.core.instret() + 3);
    m.core.set_pc(pc);
    m.core.set_reg(a0, 0);
    m.core.set_reg(a1, 0);
}

TEST(Rv32Trigger, ExecuteTriggerRaisesABreakpointException) {
    for (bool mie : {false, true}) {
        Machine m;
        m.load("addi a1, zero, 1; addi a1, a1, 1; addi a1, a1, 1; ecall");
        firmware_trigger(m, kMcontrol6 | kTrigM | kExec, kRamBase + 8);
        EXPECT_EQ(m.csr(csr::kTdata1), kMcontrol6 | kTrigM | kExec);
        m.core.write_csr(csr::kMstatus, mie ? kMstatusMie | kMstatusMpp : kMstatusMpp);
        ASSERT_TRUE(m.run_to_trap());
        if (!mie) {  // M-mode, action 0, MIE = 0: the trigger does not fire
            EXPECT_EQ(m.csr(csr::kMcause), cause::kEcallM);
            continue;
        }
        EXPECT_TRAP(trap_of(m), cause::kBreakpoint, kRamBase + 8, kRamBase + 8);
        EXPECT_EQ(m.x(a1), 2u);  // the instruction did not execute
        EXPECT_TRUE(m.csr(csr::kTdata1) & (1u << 22));  // hit0
    }
}

TEST(Rv32Trigger, LoadAndStoreTriggersStopBeforeTheAccess) {
    for (bool store : {false, true}) {
        UserMachine m;
        m.set_mem32(kData, 7);
        firmware_trigger(m, kMcontrol6 | kTrigU | (store ? kStore : kLoad), kData + 2);
        m.boot("lw a2, 0(a0); sw a1, 0(a0); ecall");
        m.core.set_reg(a0, kData);
        m.core.set_reg(a1, 9);
        ASSERT_TRUE(m.to_trap());
        EXPECT_TRAP(trap_of(m), cause::kBreakpoint, store ? kUser + 4 : kUser, kData);
        EXPECT_EQ(m.x(a2), store ? 7u : 0u);
        EXPECT_EQ(m.mem32(kData), 7u);
    }
}

TEST(Rv32Trigger, DataTriggersCompareTheValue) {
    // Store data: fires for the second store only (value 5). Load data: the load is made but
    // rd is not written.
    UserMachine m;
    firmware_trigger(m, kMcontrol6 | kSelectData | kTrigU | kStore, 5);
    m.boot("addi a1, zero, 4; sw a1, 0(a0); addi a1, a1, 1; sw a1, 4(a0); ecall");
    m.core.set_reg(a0, kData);
    ASSERT_TRUE(m.to_trap());
    EXPECT_TRAP(trap_of(m), cause::kBreakpoint, kUser + 12, kData + 4);
    EXPECT_EQ(m.mem32(kData), 4u);
    EXPECT_EQ(m.mem32(kData + 4), 0u);
    UserMachine l;
    l.set_mem32(kData + 4, 0x77);
    firmware_trigger(l, kMcontrol6 | kSelectData | kTrigU | kLoad, 0x77);
    l.boot("lw a1, 0(a0); lw a2, 4(a0); ecall");
    l.core.set_reg(a0, kData);
    ASSERT_TRUE(l.to_trap());
    EXPECT_TRAP(trap_of(l), cause::kBreakpoint, kUser + 4, kData + 4);
    EXPECT_EQ(l.x(a2), 0u);
}

TEST(Rv32Trigger, ActionOneHaltsForTheDebuggerAndResumes) {
    Machine m;
    m.load("addi a1, zero, 1; addi a1, a1, 1; addi a1, a1, 1; ecall");
    const int t = m.core.triggers().add_debugger_breakpoint(kRamBase + 4);
    m.core.triggers_changed();
    ASSERT_EQ(t, 0);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.core.pc(), kRamBase + 4);
    EXPECT_EQ(m.core.last_trigger(), 0);
    EXPECT_EQ(m.x(a1), 1u);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);  // without a skip it stops again
    m.core.skip_breakpoint_at(m.core.pc());
    m.run_to_ecall();
    EXPECT_EQ(m.x(a1), 3u);
    // Every trigger taken: the next one is refused; removing frees it.
    for (unsigned i = 1; i < Triggers::kCount; ++i) EXPECT_GE(m.core.triggers().add_debugger_breakpoint(0x100 * i), 0);
    EXPECT_EQ(m.core.triggers().add_debugger_breakpoint(0x9000), -1);
    EXPECT_TRUE(m.core.triggers().remove_debugger_breakpoint(kRamBase + 4));
    EXPECT_FALSE(m.core.triggers().remove_debugger_breakpoint(kRamBase + 4));
    EXPECT_EQ(m.core.triggers().add_debugger_breakpoint(0x9000), 0);
}

// gdb's watchpoints: a range becomes one trigger per aligned power-of-two block (equal match
// for a single byte, NAPOT otherwise), dmode, action 1, on stores, loads or both; a range
// needing more triggers than are free is refused whole; removal frees every block.
TEST(Rv32Trigger, DebuggerWatchpointsAreOneTriggerPerAlignedBlock) {
    Triggers t;
    ASSERT_TRUE(t.add_debugger_watchpoint(0x1001, 7, kStore));  // 0x1001 (1), 0x1002 (2), 0x1004 (4)
    const uint32_t base = kMcontrol6 | (1u << 27) | (1u << 12) | kTrigM | kTrigU | kStore;
    const uint32_t want1[] = {base, base | match_kind(1), base | match_kind(1), kDisabledTrigger};
    const uint32_t want2[] = {0x1001, 0x1002, 0x1005, 0};
    for (uint32_t i = 0; i < Triggers::kCount; ++i) {
        uint32_t v1 = 0, v2 = 0;
        t.write(csr::kTselect, i, true);
        t.read(csr::kTdata1, v1);
        t.read(csr::kTdata2, v2);
        EXPECT_EQ(v1, want1[i]) << i;
        EXPECT_EQ(v2, want2[i]) << i;
    }
    EXPECT_EQ(t.match(kStore, 0x1000, 1, 0, false, true, true), -1);
    EXPECT_EQ(t.match(kStore, 0x1001, 1, 0, false, true, true), 0);
    EXPECT_EQ(t.match(kStore, 0x1000, 2, 0, false, true, true), 0);  // covers 0x1001
    EXPECT_EQ(t.match(kStore, 0x1002, 2, 0, false, true, true), 1);
    EXPECT_EQ(t.match(kStore, 0x1007, 2, 0, false, false, true), 2);  // U-mode too; the last byte
    EXPECT_EQ(t.match(kStore, 0x1008, 4, 0, false, true, true), -1);
    EXPECT_EQ(t.match(kLoad, 0x1004, 4, 0, false, true, true), -1);   // a store watchpoint
    EXPECT_EQ(t.match(kStore, 0x1004, 4, 0, false, true, false), 2);  // action 1 ignores MIE
    EXPECT_FALSE(t.add_debugger_watchpoint(0x2000, 12, kLoad));  // 8 + 4: two blocks, one free
    EXPECT_EQ(t.match(kLoad, 0x2000, 4, 0, false, true, true), -1);
    ASSERT_TRUE(t.add_debugger_watchpoint(0x2000, 8, kLoad | kStore));
    EXPECT_EQ(t.match(kLoad, 0x2004, 4, 0, false, true, true), 3);
    EXPECT_EQ(t.match(kStore, 0x2004, 4, 0, false, true, true), 3);
    EXPECT_FALSE(t.remove_debugger_watchpoint(0x1001, 7, kLoad));  // not with these ops
    EXPECT_TRUE(t.remove_debugger_watchpoint(0x1001, 7, kStore));
    EXPECT_FALSE(t.remove_debugger_watchpoint(0x1001, 7, kStore));
    EXPECT_EQ(t.match(kStore, 0x1001, 1, 0, false, true, true), -1);
    EXPECT_FALSE(t.add_debugger_watchpoint(0x3000, 0, kStore));  // empty range
    EXPECT_TRUE(t.add_debugger_watchpoint(0, 0x10000, kStore));  // 64 KiB at 0: one NAPOT block
    t.remove_debugger_triggers();
    EXPECT_FALSE(t.any());
}

// In the core, a watchpoint's trigger stops before the access (RunExit::Breakpoint, the
// accessed address in last_trigger_address()); resuming over it makes the access.
TEST(Rv32Trigger, DebuggerWatchpointStopsBeforeTheStoreAndResumes) {
    Machine m;
    m.load("lui a1, 0x80008; addi a0, zero, 5; sh a0, 6(a1); lw a2, 4(a1); ecall");
    ASSERT_TRUE(m.core.triggers().add_debugger_watchpoint(kData + 4, 4, kStore));
    m.core.triggers_changed();
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.core.pc(), kRamBase + 8);
    EXPECT_EQ(m.core.last_trigger(), 0);
    EXPECT_EQ(m.core.last_trigger_address(), kData + 6);
    EXPECT_EQ(m.mem32(kData + 4), 0u);  // not stored yet
    m.core.skip_breakpoint_at(m.core.pc());
    m.run_to_ecall();
    EXPECT_EQ(m.mem32(kData + 4), 5u << 16);
    EXPECT_EQ(m.x(a2), 5u << 16);  // the load does not stop a store watchpoint
}

}  // namespace
