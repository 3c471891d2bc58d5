// Debug hooks of the CPU model: breakpoints in the pure core (decode-cache handler, resume
// over a breakpoint, removal, compressed code, trap handlers) and the SystemC wrapper's
// debugger interface (halt at reset, breakpoint, step, Ctrl-C, kill) with simulated time
// frozen while halted, and the PC samples for the waveform.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "../cpu/core_harness.h"
#include "cpu/cpu.h"
#include "cpu_bench.h"

namespace {

using namespace stvp;
using stvp::test::Asm;
using stvp::test::kRamBase;
using stvp::test::kRamSize;
using stvp::test::Machine;
using sc_core::SC_NS;
using sc_core::sc_time;

// ---- pure core ----

const char* kCountLoop =
    "addi a0, zero, 0; addi a1, zero, 5; "
    "loop: addi a0, a0, 1; bne a0, a1, loop; "
    "addi a2, zero, 7; ecall";

TEST(CoreBreakpoint, StopsBeforeTheInstructionAndResumesOverIt) {
    Machine m(true, stvp::test::unit_costs());
    Asm p;
    p(kCountLoop);
    m.load(p);
    const uint32_t bp = p.label("loop");
    m.core.add_breakpoint(bp);
    EXPECT_TRUE(m.core.has_breakpoint(bp));
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.core.pc(), bp);
    EXPECT_EQ(m.core.instret(), 2u);  // the two addi before it
    EXPECT_EQ(m.x(10), 0u);
    // Without skipping, the breakpoint stops at once again.
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.core.instret(), 2u);
    // Resuming executes it, then stops at the next iteration.
    for (uint32_t i = 1; i <= 4; ++i) {
        m.core.skip_breakpoint_at(m.core.pc());
        EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint) << i;
        EXPECT_EQ(m.x(10), i);
        EXPECT_EQ(m.core.instret(), 2u + 2u * i);
    }
    m.core.skip_breakpoint_at(m.core.pc());
    m.run_to_ecall();
    EXPECT_EQ(m.x(10), 5u);
    EXPECT_EQ(m.x(12), 7u);
}

TEST(CoreBreakpoint, SetOnCachedCodeAndRemoved) {
    Machine m(true, stvp::test::unit_costs());
    Asm p;
    p(kCountLoop);
    m.load(p);
    m.step(4);  // the loop body is decoded and cached now
    const uint32_t bp = p.label("loop") + 4;  // the bne
    m.core.add_breakpoint(bp);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.core.pc(), bp);
    EXPECT_EQ(m.x(10), 2u);
    EXPECT_TRUE(m.core.remove_breakpoint(bp));
    EXPECT_FALSE(m.core.remove_breakpoint(bp));
    EXPECT_TRUE(m.core.breakpoints().empty());
    m.run_to_ecall();
    EXPECT_EQ(m.x(10), 5u);
}

TEST(CoreBreakpoint, OnCompressedCodeAndATrapHandler) {
    Machine m(true, stvp::test::unit_costs());
    Asm p;
    p("auipc t0, 0; addi t0, t0, 16; csrrw zero, mtvec, t0; c.addi a0, 3; c.addi a0, 4; "
      "handler: c.addi a1, 1; c.addi a1, 1; mret");
    m.load(p);
    ASSERT_EQ(p.label("handler"), kRamBase + 16);
    const uint32_t second = kRamBase + 14;  // c.addi a0, 4
    m.core.add_breakpoint(second);
    m.core.add_breakpoint(p.label("handler") + 2);
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.core.pc(), second);
    EXPECT_EQ(m.x(10), 3u);
    m.core.skip_breakpoint_at(second);
    // Falls into the handler code, stops at its second instruction.
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.core.pc(), p.label("handler") + 2);
    EXPECT_EQ(m.x(10), 7u);
    EXPECT_EQ(m.x(11), 1u);
}

TEST(CoreBreakpoint, SkipExecutesOneInstructionEvenWithALimit) {
    Machine m(true, stvp::test::unit_costs());
    Asm p;
    p(kCountLoop);
    m.load(p);
    const uint32_t bp = p.label("loop");
    m.core.add_breakpoint(bp);
    ASSERT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    m.core.skip_breakpoint_at(bp);
    // A single step (instret limit + 1) over the breakpoint.
    EXPECT_EQ(m.core.run(UINT64_MAX, m.core.instret() + 1), RunExit::InstructionLimit);
    EXPECT_EQ(m.core.pc(), bp + 4);
    EXPECT_EQ(m.x(10), 1u);
    // The breakpoint is back.
    EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
    EXPECT_EQ(m.x(10), 1u);
}

// ---- watchpoints in the pure core (Sdtrig triggers: they stop before the access) ----

// a0 = the watched word (RAM + 0x1000), a1 = its neighbour; store, load, neighbour, AMO.
const char* kWatchProgram =
    "lui a0, 0x80001; addi a1, a0, 4; addi t0, zero, 9; "
    "sw t0, 0(a1); "       // neighbour: never matches
    "sw t0, 0(a0); "       // write
    "lw t1, 0(a0); "       // read
    "sb t0, 3(a0); "       // one byte inside the word
    "amoadd.w t2, t0, (a0); "  // read and write
    "addi a2, zero, 7; ecall";

// Runs to the end, resuming over every stop; the instret of each stop.
std::vector<uint64_t> watch_stops(Machine& m) {
    std::vector<uint64_t> stops;
    while (m.core.run(UINT64_MAX, 100) == RunExit::Breakpoint) {
        stops.push_back(m.core.instret());
        m.core.skip_breakpoint_at(m.core.pc());
    }
    return stops;
}

TEST(CoreWatchpoint, WriteReadAndAccessStopBeforeTheAccess) {
    const uint32_t word = 0x80001000;
    for (bool dmi : {true, false}) {
        SCOPED_TRACE(dmi ? "DMI" : "bus");
        Machine m(dmi, stvp::test::unit_costs());
        Asm p;
        p(kWatchProgram);
        m.load(p);
        ASSERT_TRUE(m.core.triggers().add_debugger_watchpoint(word, 4, Triggers::kStore));
        m.core.triggers_changed();
        // Stops before the store to the word: nothing stored yet.
        EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
        EXPECT_EQ(m.core.instret(), 4u);
        EXPECT_EQ(m.core.pc(), p.base() + 4 * 4);
        EXPECT_EQ(m.mem32(word), 0u);
        EXPECT_EQ(m.core.last_trigger_address(), word);
        // Resumed: the store is done; the load does not match a store watchpoint, the byte
        // store does (its address inside the word).
        m.core.skip_breakpoint_at(m.core.pc());
        EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
        EXPECT_EQ(m.core.instret(), 6u);
        EXPECT_EQ(m.x(6), 9u);  // t1: the load ran
        EXPECT_EQ(m.mem32(word), 9u);
        EXPECT_EQ(m.core.last_trigger_address(), word + 3);
        // The AMO writes: stops before it, its operand not yet added.
        m.core.skip_breakpoint_at(m.core.pc());
        EXPECT_EQ(m.core.run(UINT64_MAX), RunExit::Breakpoint);
        EXPECT_EQ(m.core.instret(), 7u);
        EXPECT_EQ(m.mem32(word), 0x09000009u);
        m.core.skip_breakpoint_at(m.core.pc());
        m.run_to_ecall();
        EXPECT_EQ(m.x(7), 0x09000009u);  // t2: the old value
        EXPECT_EQ(m.mem32(word), 0x09000012u);
        EXPECT_EQ(m.x(12), 7u);

        // A read watchpoint: the load and the AMO's read; an access one: all four.
        for (uint32_t ops : {Triggers::kLoad, Triggers::kLoad | Triggers::kStore}) {
            Machine r(dmi, stvp::test::unit_costs());
            r.load(p);
            ASSERT_TRUE(r.core.triggers().add_debugger_watchpoint(word, 4, ops));
            r.core.triggers_changed();
            const std::vector<uint64_t> want =
                ops == Triggers::kLoad ? std::vector<uint64_t>({5, 7}) : std::vector<uint64_t>({4, 5, 6, 7});
            EXPECT_EQ(watch_stops(r), want);
            EXPECT_EQ(r.mem32(word), 0x09000012u);
        }
    }
}

TEST(CoreWatchpoint, RemovedWatchpointsAndOtherAddressesDoNotStopNorChangeTiming) {
    Machine plain(true);
    Asm p;
    p(kWatchProgram);
    plain.load(p);
    plain.run_to_ecall();

    Machine m(true);
    m.load(p);
    // Nothing touches it: the checked interpreter runs, charging the same cycles.
    ASSERT_TRUE(m.core.triggers().add_debugger_watchpoint(0x80002000, 64, Triggers::kLoad | Triggers::kStore));
    m.core.triggers_changed();
    EXPECT_TRUE(watch_stops(m).empty());
    EXPECT_EQ(m.core.cycles(), plain.core.cycles());
    EXPECT_EQ(m.core.instret(), plain.core.instret());

    Machine u(true);
    u.load(p);
    ASSERT_TRUE(u.core.triggers().add_debugger_watchpoint(0x80001000, 4, Triggers::kStore));
    EXPECT_TRUE(u.core.triggers().remove_debugger_watchpoint(0x80001000, 4, Triggers::kStore));
    EXPECT_FALSE(u.core.triggers().remove_debugger_watchpoint(0x80001000, 4, Triggers::kStore));
    u.core.triggers_changed();
    EXPECT_TRUE(watch_stops(u).empty());
    EXPECT_EQ(u.mem32(0x80001000), 0x09000012u);
}

// ---- SystemC wrapper ----

using stvp::test::Bench;
using stvp::test::ScriptedDebugger;

const char* kProgram =
    "addi a0, zero, 0; addi a1, zero, 100; "
    "loop: addi a0, a0, 1; bne a0, a1, loop; "
    "lui t6, 0x10000; sw a0, 0(t6); spin: jal zero, spin";

TEST(CpuDebugger, HaltsAtResetBreaksStepsAndContinues) {
    Bench b;
    Asm p;
    p(kProgram);
    b.load(p);
    const uint32_t loop = p.label("loop");
    b.dbg.script = [&](Cpu& cpu, size_t n) {
        switch (n) {
        case 0:  // reset: set a breakpoint in the loop
            cpu.core().add_breakpoint(loop + 4);
            return DebugAction::Continue;
        case 1:  // at the bne, first iteration: step twice
        case 2:
            return DebugAction::Step;
        case 3:  // at the bne again (a0 = 2): change a0, drop the breakpoint, run to the end
            cpu.set_reg(10, 98);
            cpu.core().remove_breakpoint(loop + 4);
            return DebugAction::Continue;
        default:
            return DebugAction::Continue;
        }
    };
    b.cpu.attach_debugger(&b.dbg, true);
    sc_core::sc_start();
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.reason, HaltReason::StopRequested);
    ASSERT_EQ(b.dbg.halts.size(), 4u);
    EXPECT_EQ(b.dbg.halts[0].why, DebugEvent::Reset);
    EXPECT_EQ(b.dbg.halts[0].pc, kRamBase);
    EXPECT_EQ(b.dbg.halts[0].at, sc_core::SC_ZERO_TIME);
    EXPECT_EQ(b.dbg.halts[1].why, DebugEvent::Breakpoint);
    EXPECT_EQ(b.dbg.halts[1].pc, loop + 4);
    EXPECT_EQ(b.dbg.halts[1].instret, 3u);
    EXPECT_EQ(b.dbg.halts[1].at, sc_time(6, SC_NS));  // 3 one-cycle instructions
    EXPECT_EQ(b.dbg.halts[2].why, DebugEvent::Step);
    EXPECT_EQ(b.dbg.halts[2].pc, loop);               // the taken bne
    EXPECT_EQ(b.dbg.halts[2].at, sc_time(8, SC_NS));
    EXPECT_EQ(b.dbg.halts[3].why, DebugEvent::Step);
    EXPECT_EQ(b.dbg.halts[3].pc, loop + 4);
    EXPECT_EQ(b.dbg.halts[3].at, sc_time(10, SC_NS));
    EXPECT_EQ(b.cpu.reg(10), 100u);  // 98 -> two more iterations
    EXPECT_EQ(b.cpu.instructions(), 5u + 1u + 4u + 2u);
}

TEST(CpuDebugger, StepIntoATrapHandlerAndOverWfi) {
    Bench b;
    Asm p;
    p("auipc t0, 0; addi t0, t0, 16; csrrw zero, mtvec, t0; ecall; "
      "handler: addi t1, zero, 128; csrrw zero, mie, t1; wfi; lui t6, 0x10000; sw zero, 0(t6)");
    b.load(p);
    ASSERT_EQ(p.label("handler"), kRamBase + 16);
    // The timer line rises at 1000 ns and wakes the wfi (mstatus.MIE = 0: no trap).
    struct Raise : sc_core::sc_module {
        sc_core::sc_signal<bool>& line;
        SC_HAS_PROCESS(Raise);
        Raise(sc_core::sc_module_name n, sc_core::sc_signal<bool>& l) : sc_module(n), line(l) { SC_THREAD(run); }
        void run() {
            wait(sc_time(1000, SC_NS));
            line.write(true);
        }
    } raise("raise", b.timer);
    b.dbg.script = [](Cpu&, size_t n) { return n < 7 ? DebugAction::Step : DebugAction::Continue; };
    b.cpu.attach_debugger(&b.dbg, true);
    sc_core::sc_start();
    ASSERT_TRUE(b.halted);
    ASSERT_GE(b.dbg.halts.size(), 8u);
    // reset, auipc, addi, csrrw, ecall -> handler (no instruction retired), addi, csrrw, wfi
    EXPECT_EQ(b.dbg.halts[4].why, DebugEvent::Step);
    EXPECT_EQ(b.dbg.halts[4].pc, p.label("handler"));
    EXPECT_EQ(b.dbg.halts[4].instret, 3u);
    EXPECT_EQ(b.dbg.halts[7].pc, p.label("handler") + 12);  // past the wfi ...
    EXPECT_EQ(b.dbg.halts[7].at, sc_time(1000, SC_NS));       // ... once the interrupt woke it
}

TEST(CpuDebugger, BreakRequestHaltsAndTimeStandsStillWhileHalted) {
    CpuConfig cfg = Bench::config();
    cfg.quantum_ns = 100;
    Bench b(cfg);
    Asm p;
    p("spin: c.addi a0, 1; jal zero, spin");
    b.load(p);
    // Something else scheduled while the CPU is halted must not happen meanwhile.
    struct Later : sc_core::sc_module {
        std::vector<sc_time> ran;
        SC_HAS_PROCESS(Later);
        explicit Later(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
        void run() {
            wait(sc_time(250, SC_NS));
            ran.push_back(sc_core::sc_time_stamp());
        }
    } later("later");
    b.dbg.break_at = sc_time(150, SC_NS);  // seen at the next slice boundary
    b.dbg.script = [&](Cpu& cpu, size_t n) {
        if (n == 0) {
            EXPECT_TRUE(later.ran.empty());
            return DebugAction::Continue;
        }
        cpu.request_stop();
        return DebugAction::Continue;
    };
    b.cpu.attach_debugger(&b.dbg, false);
    sc_core::sc_start(sc_time(1, sc_core::SC_US));
    ASSERT_EQ(b.dbg.halts.size(), 1u);
    EXPECT_EQ(b.dbg.halts[0].why, DebugEvent::Interrupt);
    EXPECT_EQ(b.dbg.halts[0].at, sc_time(200, SC_NS));  // after two 100 ns slices
    EXPECT_GT(b.cpu.instructions(), 0u);
    ASSERT_EQ(later.ran.size(), 1u);
    EXPECT_EQ(later.ran[0], sc_time(250, SC_NS));
}

// A watchpoint (a trigger) set at reset halts the wrapper before the MMIO store, as a
// breakpoint at the store; the debugger sees the accessed address, and the run goes on over it.
TEST(CpuDebugger, WatchpointHaltsBeforeTheAccess) {
    Bench b;
    Asm p;
    p(kProgram);
    b.load(p);
    uint32_t addr = 0;
    bool halted_at_watch = true;
    b.dbg.script = [&](Cpu& cpu, size_t i) {
        if (i == 0) {
            EXPECT_TRUE(cpu.core().triggers().add_debugger_watchpoint(0x10000000, 4, Triggers::kStore));
            cpu.core().triggers_changed();
        }
        if (i == 1) addr = cpu.core().last_trigger_address(), halted_at_watch = b.halted;
        return DebugAction::Continue;
    };
    b.cpu.attach_debugger(&b.dbg, true);
    sc_core::sc_start();
    ASSERT_EQ(b.dbg.halts.size(), 2u);
    EXPECT_EQ(b.dbg.halts[1].why, DebugEvent::Breakpoint);
    EXPECT_EQ(b.dbg.halts[1].instret, 203u);  // 2 + 100 x 2 + lui
    EXPECT_EQ(b.dbg.halts[1].pc, p.label("spin") - 4);  // at the sw
    EXPECT_EQ(addr, 0x10000000u);
    EXPECT_FALSE(halted_at_watch);  // the store had not happened
    EXPECT_TRUE(b.halted);  // the store's stop request, after the debugger let it go on
}

TEST(CpuDebugger, KillHaltsTheCpuAndDetachRunsOnWithoutBreakpoints) {
    {
        Bench b;
        Asm p;
        p(kProgram);
        b.load(p);
        b.dbg.script = [](Cpu&, size_t) { return DebugAction::Kill; };
        b.cpu.attach_debugger(&b.dbg, true);
        sc_core::sc_start();
        ASSERT_TRUE(b.halted);
        EXPECT_EQ(b.reason, HaltReason::StopRequested);
        EXPECT_EQ(b.message, "killed by the debugger");
        EXPECT_EQ(b.cpu.instructions(), 0u);
        EXPECT_EQ(b.cpu.state.read(), static_cast<int>(CoreState::Halted));
    }
}

// restart(): after a halt for good (here the debugger's kill), the core is back at reset
// (registers, CSRs, triggers, pc = reset_pc), the debugger gets its reset halt again and the
// program runs to its end; restart() while the CPU runs is refused.
TEST(CpuDebugger, RestartAfterAHaltRunsFromResetAgain) {
    Bench b;
    Asm p;
    p(kProgram);
    b.load(p);
    bool refused = false;
    b.dbg.script = [&](Cpu& cpu, size_t n) {
        if (n == 0) {
            cpu.set_reg(10, 7);
            EXPECT_TRUE(cpu.write_csr(0x340, 0x1234));  // mscratch
            cpu.core().triggers().add_debugger_breakpoint(p.label("loop"));
            return DebugAction::Kill;
        }
        try {
            cpu.restart();
        } catch (const std::logic_error&) {
            refused = true;
        }
        return DebugAction::Continue;
    };
    b.cpu.attach_debugger(&b.dbg, true);
    sc_core::sc_start();
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.message, "killed by the debugger");
    EXPECT_EQ(b.cpu.instructions(), 0u);
    b.halted = false;
    b.cpu.restart();
    EXPECT_FALSE(b.cpu.halted());
    EXPECT_EQ(b.cpu.pc(), kRamBase);
    EXPECT_EQ(b.cpu.reg(10), 0u);
    uint32_t v = 1;
    EXPECT_TRUE(b.cpu.read_csr(0x340, v));
    EXPECT_EQ(v, 0u);
    EXPECT_FALSE(b.cpu.core().triggers().any());
    sc_core::sc_start();
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.message, "stop requested");  // the program's MMIO store
    ASSERT_EQ(b.dbg.halts.size(), 2u);
    EXPECT_EQ(b.dbg.halts[1].why, DebugEvent::Reset);
    EXPECT_EQ(b.dbg.halts[1].pc, kRamBase);
    EXPECT_TRUE(refused);
    EXPECT_EQ(b.cpu.reg(10), 100u);
    EXPECT_EQ(b.cpu.instructions(), 2u + 200u + 2u);
}

TEST(CpuDebugger, DetachLeavesBreakpointsInertAndMemoryWritesDropDecodedCode) {
    Bench b;
    Asm p;
    p(kProgram);
    b.load(p);
    const uint32_t loop = p.label("loop");
    b.dbg.script = [&](Cpu& cpu, size_t n) {
        if (n == 0) {
            cpu.core().add_breakpoint(loop);
            return DebugAction::Continue;
        }
        // First hit: patch "addi a0, a0, 1" into "addi a0, a0, 50" through the debug port.
        const uint32_t insn = Asm::encode("addi a0, a0, 50", loop);
        uint8_t bytes[4];
        std::memcpy(bytes, &insn, 4);
        EXPECT_EQ(cpu.debug_write(loop, bytes, 4), 4u);
        return DebugAction::Detach;
    };
    b.cpu.attach_debugger(&b.dbg, true);
    sc_core::sc_start();
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.dbg.halts.size(), 2u);
    EXPECT_EQ(b.cpu.reg(10), 100u);  // 50, 100: the patched instruction ran
    EXPECT_EQ(b.cpu.instructions(), 2u + 4u + 2u);
}

TEST(CpuDebugger, PcSamplesAtStateChangesAndSlices) {
    CpuConfig cfg = Bench::config();
    cfg.quantum_ns = 100;
    Bench b(cfg);
    Asm p;
    p("auipc t0, 0; addi t0, t0, 16; csrrw zero, mtvec, t0; ecall; "
      "handler: addi a0, zero, 1; lui t6, 0x10000; sw zero, 0(t6)");
    b.load(p);
    std::vector<std::pair<uint32_t, sc_time>> samples;
    b.cpu.on_pc_sample([&](uint32_t pc, const sc_time& t) { samples.emplace_back(pc, t); }, false);
    sc_core::sc_start();
    ASSERT_TRUE(b.halted);
    ASSERT_GE(samples.size(), 2u);
    EXPECT_EQ(samples[0].first, p.label("handler"));  // trap entry: in-trap
    EXPECT_EQ(samples[0].second, sc_time(6, SC_NS));  // after auipc, addi, csrrw
    EXPECT_EQ(samples.back().first, b.cpu.pc());      // halted
}

TEST(CpuDebugger, PcSamplesEverySliceWhenAsked) {
    CpuConfig cfg = Bench::config();
    cfg.quantum_ns = 100;
    Bench b(cfg);
    Asm p;
    p("spin: c.addi a0, 1; jal zero, spin");
    b.load(p);
    std::vector<sc_time> at;
    b.cpu.on_pc_sample([&](uint32_t, const sc_time& t) { at.push_back(t); }, true);
    sc_core::sc_start(sc_time(1, sc_core::SC_US));
    ASSERT_GE(at.size(), 9u);
    EXPECT_EQ(at[0], sc_time(100, SC_NS));  // slice ends on quantum boundaries (2-cycle jal may overshoot)
    EXPECT_LE(at[1], sc_time(204, SC_NS));
}

}  // namespace
