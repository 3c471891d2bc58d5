// The SystemC wrapper Cpu driven through TLM: a tiny memory target (RAM with optional DMI,
// a few MMIO registers, holes that answer TLM_ADDRESS_ERROR_RESPONSE) and a stimulus that
// drives the interrupt lines at set times. One bench per TEST (SystemC elaborates once per
// process; ctest runs every TEST in its own process).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "cpu/cpu.h"
#include "rv32_asm.h"

namespace {

using namespace stvp;
using stvp::test::Asm;
using sc_core::SC_NS;
using sc_core::sc_time;

constexpr uint32_t kRamBase = 0x80000000;
constexpr uint32_t kRamSize = 64 * 1024;
constexpr uint32_t kMmioBase = 0x10000000;  // 16 word registers; writing EXIT (0) stops the CPU
constexpr uint32_t kHole = 0x20000000;
constexpr unsigned kExit = 0;

// RAM + MMIO registers + holes.
struct Target : sc_core::sc_module {
    tlm_utils::simple_target_socket<Target> socket;
    std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize);
    uint32_t regs[16] = {};
    bool dmi = true;
    sc_time ram_latency = SC_ZERO_TIME_;
    sc_time mmio_latency = SC_ZERO_TIME_;
    std::vector<sc_time> mmio_access_times;  // sc_time_stamp() + annotated delay at each MMIO access
    std::function<void(unsigned reg, uint32_t value)> on_write;
    sc_time last_access;  // sc_time_stamp() + annotated delay of the latest MMIO access
    unsigned ram_transports = 0;

    static inline const sc_time SC_ZERO_TIME_ = sc_core::SC_ZERO_TIME;

    explicit Target(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &Target::b_transport);
        socket.register_get_direct_mem_ptr(this, &Target::get_dmi);
        socket.register_transport_dbg(this, &Target::dbg);
    }

    void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
        const uint64_t a = t.get_address();
        const unsigned len = t.get_data_length();
        uint8_t* p = t.get_data_ptr();
        if (a >= kRamBase && a + len <= uint64_t{kRamBase} + kRamSize) {
            ++ram_transports;
            if (t.is_read())
                std::memcpy(p, &ram[a - kRamBase], len);
            else
                std::memcpy(&ram[a - kRamBase], p, len);
            delay += ram_latency;
            t.set_dmi_allowed(dmi);
            t.set_response_status(tlm::TLM_OK_RESPONSE);
        } else if (a >= kMmioBase && a + len <= kMmioBase + sizeof regs) {
            mmio_access_times.push_back(sc_core::sc_time_stamp() + delay);
            last_access = sc_core::sc_time_stamp() + delay;
            uint8_t* r = reinterpret_cast<uint8_t*>(regs) + (a - kMmioBase);
            if (t.is_read()) {
                std::memcpy(p, r, len);
            } else {
                std::memcpy(r, p, len);
                if (on_write) on_write(static_cast<unsigned>((a - kMmioBase) / 4), regs[(a - kMmioBase) / 4]);
            }
            delay += mmio_latency;
            t.set_response_status(tlm::TLM_OK_RESPONSE);
        } else {
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        }
    }

    bool get_dmi(tlm::tlm_generic_payload& t, tlm::tlm_dmi& d) {
        const uint64_t a = t.get_address();
        if (!dmi || a < kRamBase || a >= uint64_t{kRamBase} + kRamSize) return false;
        d.set_dmi_ptr(ram.data());
        d.set_start_address(kRamBase);
        d.set_end_address(kRamBase + kRamSize - 1);
        d.allow_read_write();
        d.set_read_latency(ram_latency / 4.0);  // per byte (common/dmi.h)
        d.set_write_latency(ram_latency / 4.0);
        return true;
    }

    unsigned dbg(tlm::tlm_generic_payload& t) {
        const uint64_t a = t.get_address();
        const unsigned len = t.get_data_length();
        if (a < kRamBase || a + len > uint64_t{kRamBase} + kRamSize) return 0;
        if (t.is_read())
            std::memcpy(t.get_data_ptr(), &ram[a - kRamBase], len);
        else
            std::memcpy(&ram[a - kRamBase], t.get_data_ptr(), len);
        return len;
    }

    uint32_t word(uint32_t addr) const {
        uint32_t v;
        std::memcpy(&v, &ram[addr - kRamBase], 4);
        return v;
    }
};

// Drives the interrupt lines: (time, line, level) events in time order.
struct Stimulus : sc_core::sc_module {
    sc_core::sc_signal<bool> sw{"sw"}, timer{"timer"}, ext{"ext"};
    struct Event {
        sc_time at;
        char line;  // 's', 't', 'e'
        bool level;
    };
    std::vector<Event> events;

    SC_HAS_PROCESS(Stimulus);
    explicit Stimulus(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
    void run() {
        for (const Event& e : events) {
            if (e.at > sc_core::sc_time_stamp()) wait(e.at - sc_core::sc_time_stamp());
            (e.line == 's' ? sw : e.line == 't' ? timer : ext).write(e.level);
        }
    }
};

// Records the CPU's state signal.
struct StateLog : sc_core::sc_module {
    sc_core::sc_in<int> in{"in"};
    std::vector<std::pair<sc_time, int>> log;
    SC_HAS_PROCESS(StateLog);
    explicit StateLog(sc_core::sc_module_name n) : sc_module(n) {
        SC_METHOD(record);
        sensitive << in;
        dont_initialize();
    }
    void record() { log.emplace_back(sc_core::sc_time_stamp(), in.read()); }
    sc_time first(CoreState s) const {
        for (auto& [t, v] : log)
            if (v == static_cast<int>(s)) return t;
        return sc_core::sc_max_time();
    }
};

CpuConfig unit_cost_config() {
    CpuConfig c;
    c.clock_hz = 500e6;  // 2 ns cycles
    c.cycles = CycleCosts{1, 1, 1, 1, 1, 1};
    return c;
}

struct Halt {
    bool called = false;
    int count = 0;
    HaltReason reason{};
    uint32_t pc = 0;
    std::string message;
    sc_time at;
};

struct Bench {
    Stimulus stim{"stim"};
    Target mem{"mem"};
    Cpu cpu;
    StateLog states{"states"};
    Halt halt;

    explicit Bench(const CpuConfig& cfg, const char* name = "cpu") : cpu(name, cfg) {
        cpu.socket.bind(mem.socket);
        cpu.irq_software(stim.sw);
        cpu.irq_timer(stim.timer);
        cpu.irq_external(stim.ext);
        states.in(cpu.state);
        cpu.on_halt = [this](HaltReason r, uint32_t pc, const std::string& msg) {
            halt.called = true;
            ++halt.count;
            halt.reason = r;
            halt.pc = pc;
            halt.message = msg;
            halt.at = sc_core::sc_time_stamp();
        };
        mem.on_write = [this](unsigned reg, uint32_t) {
            if (reg == kExit) cpu.request_stop();
        };
    }
    void load(const Asm& a) {
        const std::vector<uint8_t> img = a.bytes();
        std::memcpy(&mem.ram[a.base() - kRamBase], img.data(), img.size());
        cpu.set_pc(a.base());
    }
};

// Program epilogue: write 1 to EXIT (a stop request) and spin.
const char* kExitSeq = "lui t6, 0x10000; addi t5, zero, 1; sw t5, 0(t6); halt_spin: jal zero, halt_spin";

// A workload with loads, stores of every size, AMOs, branches and compressed code.
const char* kWorkload =
    "lui s1, 0x80008; lui a3, 0x80009; lui a2, 0x9e378; addi a7, zero, 1; "
    "addi t2, zero, 32; addi a0, zero, 0; addi t0, zero, 0; "
    "fill: slli s0, t0, 2; add s0, s0, s1; mul a1, t0, a2; xor a1, a1, a3; sw a1, 0(s0); c.addi t0, 1; "
    "blt t0, t2, fill; "
    "outer: addi t0, zero, 0; addi a4, zero, 0; "
    "inner: slli s0, t0, 2; add s0, s0, s1; c.lw a5, 0(s0); lw a6, 4(s0); bgeu a6, a5, noswap; "
    "sw a6, 0(s0); sw a5, 4(s0); addi a4, zero, 1; amoadd.w zero, a7, (a3); "
    "noswap: c.addi t0, 1; addi t1, t2, -1; blt t0, t1, inner; bne a4, zero, outer; "
    "addi t0, zero, 0; "
    "sum: slli s0, t0, 2; add s0, s0, s1; lhu a5, 0(s0); lb a6, 3(s0); c.add a0, a5; c.add a0, a6; "
    "sb a0, 128(s0); c.addi t0, 1; blt t0, t2, sum; ";

TEST(CpuTlm, DmiAndBTransportGiveIdenticalResults) {
    CpuConfig with = unit_cost_config(), without = unit_cost_config();
    without.dmi = false;
    Bench a(with, "cpu_dmi"), b(without, "cpu_bt");
    for (Bench* x : {&a, &b}) {
        Asm p;
        p(kWorkload);
        p(kExitSeq);
        x->load(p);
    }
    sc_core::sc_start();
    ASSERT_TRUE(a.halt.called);
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(a.halt.reason, HaltReason::StopRequested);
    EXPECT_EQ(b.halt.reason, HaltReason::StopRequested);
    for (unsigned r = 0; r < 32; ++r) EXPECT_EQ(a.cpu.reg(r), b.cpu.reg(r)) << "x" << r;
    EXPECT_EQ(a.mem.ram, b.mem.ram);
    EXPECT_EQ(a.cpu.instructions(), b.cpu.instructions());
    EXPECT_EQ(a.cpu.pc(), b.cpu.pc());
    EXPECT_GT(a.cpu.dmi_grants(), 0u);
    EXPECT_EQ(b.cpu.dmi_grants(), 0u);
    EXPECT_LT(a.cpu.b_transports(), 5u);    // the first access, then DMI; plus the exit store
    EXPECT_GT(b.cpu.b_transports(), 1000u); // every fetch, load and store
    for (uint32_t i = 0; i + 1 < 32; ++i)
        EXPECT_LE(a.mem.word(0x80008000 + 4 * i), a.mem.word(0x80008000 + 4 * i + 4));
}

// Handler that records mcause, mepc, mtval in MMIO registers 1..3 and exits.
const char* kRecordingHandler =
    "handler: lui t6, 0x10000; csrrs t5, mcause, zero; sw t5, 4(t6); csrrs t5, mepc, zero; sw t5, 8(t6); "
    "csrrs t5, mtval, zero; sw t5, 12(t6); csrrs t5, mcycle, zero; sw t5, 16(t6); addi t5, zero, 1; sw t5, 0(t6); "
    "spin: jal zero, spin";

TEST(CpuTlm, AddressErrorResponseBecomesALoadAccessFault) {
    Bench b(unit_cost_config());
    Asm p;
    p("auipc t0, 0; addi t0, t0, 24; csrrw zero, mtvec, t0; lui a0, 0x20000; faulting: lw a1, 4(a0); c.nop; c.nop");
    p(kRecordingHandler);
    b.load(p);
    ASSERT_EQ(p.label("handler"), kRamBase + 24);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.mem.regs[1], cause::kLoadAccessFault);
    EXPECT_EQ(b.mem.regs[2], p.label("faulting"));
    EXPECT_EQ(b.mem.regs[3], kHole + 4);
    EXPECT_EQ(b.cpu.core_stats().exceptions[cause::kLoadAccessFault], 1u);
}

TEST(CpuTlm, AddressErrorOnStoreAndFetch) {
    Bench b(unit_cost_config());
    Asm p;
    // A store fault, whose handler jumps into the hole: the fetch fault goes to the same
    // handler with mepc = mtval = the hole. The second handler records it.
    p("auipc t0, 0; addi t0, t0, 24; csrrw zero, mtvec, t0; lui a0, 0x20000; sw a1, 8(a0); c.nop; c.nop");
    p("first: auipc t0, 0; addi t0, t0, 16; csrrw zero, mtvec, t0; jalr zero, 16(a0)");
    p(kRecordingHandler);
    b.load(p);
    ASSERT_EQ(p.label("first"), kRamBase + 24);
    ASSERT_EQ(p.label("handler"), kRamBase + 40);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.cpu.core_stats().exceptions[cause::kStoreAccessFault], 1u);
    EXPECT_EQ(b.mem.regs[1], cause::kInsnAccessFault);
    EXPECT_EQ(b.mem.regs[2], kHole + 16);
    EXPECT_EQ(b.mem.regs[3], kHole + 16);
}

TEST(CpuTlm, TimerInterruptIsTakenAtItsExactTimeWhileRunning) {
    Bench b(unit_cost_config());  // quantum 10 us: far longer than the interrupt time
    b.stim.events = {{sc_time(1234, SC_NS), 't', true}};
    Asm p;
    p("auipc t0, 0; addi t0, t0, 36; csrrw zero, mtvec, t0; addi t1, zero, 128; csrrw zero, mie, t1; "
      "csrrsi zero, mstatus, 8; loop: addi a0, a0, 1; jal zero, loop; c.nop; c.nop");
    p(kRecordingHandler);
    b.load(p);
    ASSERT_EQ(p.label("handler"), kRamBase + 36);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.mem.regs[1], cause::kMachineTimerIrq);
    // 1234 ns at 2 ns per cycle: the handler's first instruction runs in cycle 617.
    EXPECT_EQ(b.mem.regs[4], 617u + 7u);  // mcycle read by the eighth handler instruction
    EXPECT_EQ(b.states.first(CoreState::InTrap), sc_time(1234, SC_NS));
    // The loop ran until then: 6 setup instructions, then addi at the even cycles 6..616.
    EXPECT_EQ(b.cpu.reg(10), (616u - 6u) / 2u + 1u);
    EXPECT_EQ(b.cpu.interrupts_taken(), 1u);
}

// A device that raises the software interrupt line at the time of an MMIO write (as the
// CLINT does for msip): the interrupt is taken right after the store, not at the end of the
// CPU's time slice.
struct Doorbell : sc_core::sc_module {
    sc_core::sc_event ring;
    sc_core::sc_signal<bool>* line = nullptr;
    SC_HAS_PROCESS(Doorbell);
    explicit Doorbell(sc_core::sc_module_name n) : sc_module(n) {
        SC_METHOD(raise);
        sensitive << ring;
        dont_initialize();
    }
    void raise() { line->write(true); }
};

TEST(CpuTlm, InterruptRaisedByAnMmioWriteIsTakenAfterThatStore) {
    Bench b(unit_cost_config());
    Doorbell bell("bell");
    bell.line = &b.stim.sw;
    b.mem.on_write = [&](unsigned reg, uint32_t) {
        if (reg == 5) bell.ring.notify(b.mem.last_access - sc_core::sc_time_stamp());
        if (reg == kExit) b.cpu.request_stop();
    };
    Asm p;
    p("auipc t0, 0; addi t0, t0, 48; csrrw zero, mtvec, t0; addi t1, zero, 8; csrrw zero, mie, t1; "
      "csrrsi zero, mstatus, 8; lui t6, 0x10000; c.nop; c.nop; ring: sw t1, 20(t6); after: addi a0, a0, 1; "
      "addi a0, a0, 1; addi a0, a0, 1");
    p(kRecordingHandler);
    b.load(p);
    ASSERT_EQ(p.label("handler"), kRamBase + 48);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.mem.regs[1], cause::kMachineSoftwareIrq);
    EXPECT_EQ(b.mem.regs[2], p.label("after"));
    EXPECT_EQ(b.cpu.reg(10), 0u);
    // The store is the 10th instruction (cycle 9); the interrupt is taken at cycle 10.
    EXPECT_EQ(b.mem.regs[4], 10u + 7u);
    EXPECT_EQ(b.states.first(CoreState::InTrap), sc_time(20, SC_NS));
}

TEST(CpuTlm, WfiSleepsUntilTheInterruptAndWakesAtItsTime) {
    CpuConfig cfg = unit_cost_config();
    Bench b(cfg);
    b.stim.events = {{sc_time(5000, SC_NS), 'e', true}};
    Asm p;
    p("auipc t0, 0; addi t0, t0, 32; csrrw zero, mtvec, t0; lui t1, 1; addi t1, t1, -2048; csrrw zero, mie, t1; "
      "csrrsi zero, mstatus, 8; wfi");
    p(kRecordingHandler);
    b.load(p);
    ASSERT_EQ(p.label("handler"), kRamBase + 32);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.mem.regs[1], cause::kMachineExternalIrq);
    EXPECT_EQ(b.mem.regs[2], kRamBase + 32);      // mepc: the instruction after wfi
    EXPECT_EQ(b.mem.regs[4], 2500u + 7u);         // idle cycles count: 5000 ns / 2 ns
    EXPECT_EQ(b.states.first(CoreState::Wfi), sc_time(16, SC_NS));  // after 8 instructions
    EXPECT_EQ(b.states.first(CoreState::InTrap), sc_time(5000, SC_NS));
    ASSERT_GE(b.states.log.size(), 2u);           // straight from wfi to in-trap
    EXPECT_EQ(b.states.log[1].second, static_cast<int>(CoreState::InTrap));
    EXPECT_EQ(b.cpu.instructions(), 8u + 11u);    // no spinning while asleep
}

TEST(CpuTlm, WfiWithInterruptsGloballyDisabledWakesAndRunsOn) {
    Bench b(unit_cost_config());
    b.stim.events = {{sc_time(1000, SC_NS), 't', true}};
    Asm p;
    p("addi t1, zero, 128; csrrw zero, mie, t1; wfi; addi a0, zero, 1; csrrs a1, mcycle, zero");
    p(kExitSeq);
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.cpu.reg(10), 1u);
    EXPECT_EQ(b.cpu.reg(11), 501u);  // woke at cycle 500, then the addi
    EXPECT_EQ(b.cpu.interrupts_taken(), 0u);
    ASSERT_GE(b.states.log.size(), 2u);
    EXPECT_EQ(b.states.log[0], std::make_pair(sc_time(6, SC_NS), static_cast<int>(CoreState::Wfi)));
    EXPECT_EQ(b.states.log[1], std::make_pair(sc_time(1000, SC_NS), static_cast<int>(CoreState::Running)));
}

TEST(CpuTlm, WfiWithNothingScheduledHaltsAsDeadlock) {
    Bench b(unit_cost_config());
    Asm p;
    p("addi t1, zero, 128; csrrw zero, mie, t1; wfi; c.nop");
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.halt.count, 1);
    EXPECT_EQ(b.halt.reason, HaltReason::WfiDeadlock);
    EXPECT_EQ(b.halt.message, "wfi with no pending events");
    EXPECT_EQ(b.halt.pc, kRamBase + 12);
    EXPECT_EQ(b.cpu.state.read(), static_cast<int>(CoreState::Halted));
}

TEST(CpuTlm, WfiDeadlockIsNoticedAfterTheLastScheduledActivityPasses) {
    Bench b(unit_cost_config());
    b.stim.events = {{sc_time(3000, SC_NS), 's', false}};  // an event that wakes nobody
    Asm p;
    p("addi t1, zero, 128; csrrw zero, mie, t1; wfi; c.nop");
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.halt.reason, HaltReason::WfiDeadlock);
    EXPECT_EQ(b.halt.at, sc_time(3000, SC_NS));
}

TEST(CpuTlm, MaxInstructionsHaltsThroughTheCallback) {
    CpuConfig cfg = unit_cost_config();
    cfg.max_instructions = 1000;
    cfg.quantum_ns = 100;
    Bench b(cfg);
    Asm p;
    p("loop: addi a0, a0, 1; jal zero, loop");
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.halt.count, 1);
    EXPECT_EQ(b.halt.reason, HaltReason::InstructionLimit);
    EXPECT_EQ(b.cpu.instructions(), 1000u);
    EXPECT_EQ(b.cpu.reg(10), 500u);
    EXPECT_EQ(b.halt.pc, kRamBase);
    EXPECT_EQ(b.halt.at, sc_time(2000, SC_NS));  // 1000 cycles of 2 ns, synced before halting
    EXPECT_TRUE(b.cpu.halted());
}

TEST(CpuTlm, TrapLoopHaltsCleanlyNamingTheOriginalTrap) {
    Bench b(unit_cost_config());
    Asm p;
    p("lui t0, 0x20000; csrrw zero, mtvec, t0; c.nop; illegal: .word 0");
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.halt.reason, HaltReason::TrapLoop);
    EXPECT_EQ(b.halt.pc, kHole);
    EXPECT_NE(b.halt.message.find("illegal instruction at pc 0x8000000a"), std::string::npos) << b.halt.message;
    EXPECT_NE(b.halt.message.find("instruction access fault"), std::string::npos) << b.halt.message;
    EXPECT_EQ(b.cpu.state.read(), static_cast<int>(CoreState::Halted));
}

TEST(CpuTlm, RequestStopTakesEffectAfterTheCurrentInstruction) {
    Bench b(unit_cost_config());
    Asm p;
    p("lui t6, 0x10000; addi t5, zero, 7; sw t5, 0(t6); after: addi a0, zero, 1; addi a1, zero, 1");
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.halt.reason, HaltReason::StopRequested);
    EXPECT_EQ(b.halt.pc, p.label("after"));
    EXPECT_EQ(b.mem.regs[kExit], 7u);
    EXPECT_EQ(b.cpu.reg(10), 0u);
    EXPECT_EQ(b.cpu.instructions(), 3u);
}

TEST(CpuTlm, MmioSeesTheCpusLocalTimeAndItsLatencyIsCharged) {
    CpuConfig cfg = unit_cost_config();
    cfg.quantum_ns = 1000;
    Bench b(cfg);
    b.mem.mmio_latency = sc_time(10, SC_NS);  // 5 cycles
    Asm p;
    p("lui t6, 0x10000; c.nop; c.nop; lw a0, 4(t6); c.nop; sw a0, 8(t6); lw a1, 12(t6)");
    p(kExitSeq);
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    ASSERT_GE(b.mem.mmio_access_times.size(), 3u);
    // lw at cycle 3; it ends at 3 + 5 (stall) + 1; c.nop; sw at cycle 10; lw at 10 + 5 + 1 = 16.
    EXPECT_EQ(b.mem.mmio_access_times[0], sc_time(6, SC_NS));
    EXPECT_EQ(b.mem.mmio_access_times[1], sc_time(20, SC_NS));
    EXPECT_EQ(b.mem.mmio_access_times[2], sc_time(32, SC_NS));
}

TEST(CpuTlm, DmiLatencyIsChargedPerByteWithMemoryStalls) {
    CpuConfig cfg = unit_cost_config();
    cfg.memory_stalls = true;
    Bench b(cfg);
    b.mem.ram_latency = sc_time(16, SC_NS);  // per word: 8 cycles; per byte 2 cycles
    Asm p;
    p("lui a0, 0x80008; lw a1, 0(a0); lw a1, 0(a0); lb a2, 0(a0); csrrs a3, mcycle, zero");
    p(kExitSeq);
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    // The first fetch goes through b_transport (8 cycles) and gets DMI; then lui 1, lw 1 + 8,
    // lw 1 + 8, lb 1 + 2 (one byte).
    EXPECT_EQ(b.cpu.reg(13), 8u + 1u + 9u + 9u + 3u);
    EXPECT_EQ(b.cpu.dmi_grants(), 1u);
}

TEST(CpuTlm, DmiLatencyIsHiddenByCachesByDefault) {
    Bench b(unit_cost_config());
    b.mem.ram_latency = sc_time(16, SC_NS);
    Asm p;
    p("lui a0, 0x80008; lw a1, 0(a0); lw a1, 0(a0); lb a2, 0(a0); csrrs a3, mcycle, zero");
    p(kExitSeq);
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    // Only the first fetch (b_transport, before DMI) pays the memory: 8 cycles, then 1 each.
    EXPECT_EQ(b.cpu.reg(13), 8u + 1u + 1u + 1u + 1u);
}

TEST(CpuTlm, DmiInvalidationFallsBackAndAsksAgain) {
    Bench b(unit_cost_config());
    Asm p;
    p("lui a0, 0x80008; lw a1, 0(a0); lui t6, 0x10000; sw a1, 4(t6); lw a2, 0(a0); sw a2, 8(t6)");
    p(kExitSeq);
    b.load(p);
    b.mem.on_write = [&](unsigned reg, uint32_t) {
        if (reg == 1) b.mem.socket->invalidate_direct_mem_ptr(0, ~sc_dt::uint64(0));
        if (reg == kExit) b.cpu.request_stop();
    };
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.cpu.dmi_grants(), 2u);
}

TEST(CpuTlm, TimeCsrReadsTheProviderAtTheCpusLocalTime) {
    Bench b(unit_cost_config());
    b.cpu.set_time_source([](const sc_time& now) { return static_cast<uint64_t>(now / sc_time(100, SC_NS)); });
    Asm p;
    p("addi t0, zero, 200; loop: addi t0, t0, -1; bne t0, zero, loop; csrrs a0, time, zero; csrrs a1, timeh, zero");
    p(kExitSeq);
    b.load(p);
    sc_core::sc_start();
    ASSERT_TRUE(b.halt.called);
    EXPECT_EQ(b.cpu.reg(10), (1u + 400u) * 2u / 100u);  // read at cycle 401 = 802 ns
    EXPECT_EQ(b.cpu.reg(11), 0u);
}

TEST(CpuTlm, DebugAccessReadsAndPatchesCode) {
    Bench b(unit_cost_config());
    Asm p;
    p("addi a0, zero, 1; addi a1, zero, 2");
    p(kExitSeq);
    b.load(p);
    uint8_t buf[4];
    ASSERT_EQ(b.cpu.debug_read(kRamBase, buf, 4), 4u);
    uint32_t w;
    std::memcpy(&w, buf, 4);
    EXPECT_EQ(w, Asm::encode("addi a0, zero, 1", 0));
    w = Asm::encode("addi a0, zero, 5", 0);
    ASSERT_EQ(b.cpu.debug_write(kRamBase, reinterpret_cast<uint8_t*>(&w), 4), 4u);
    EXPECT_EQ(b.cpu.debug_read(kHole, buf, 4), 0u);
    sc_core::sc_start();
    EXPECT_EQ(b.cpu.reg(10), 5u);
    EXPECT_EQ(b.cpu.reg(11), 2u);
}

TEST(CpuTlm, InstructionTraceHasTimePcRawAndDisassembly) {
    Bench b(unit_cost_config());
    std::ostringstream os;
    b.cpu.set_trace(&os);
    Asm p;
    p("addi a0, zero, 1; c.mv a1, a0");
    p(kExitSeq);
    b.load(p);
    sc_core::sc_start();
    const std::string s = os.str();
    EXPECT_EQ(s.substr(0, s.find('\n')), "         0.000 ns  80000000: 00100513  addi a0, zero, 1");
    EXPECT_NE(s.find("         2.000 ns  80000004: 85aa      c.mv a1, a0\n"), std::string::npos) << s;
}

TEST(CpuTlm, StateSignalFollowsTrapAndMret) {
    Bench b(unit_cost_config());
    b.stim.events = {{sc_time(100, SC_NS), 's', true}, {sc_time(300, SC_NS), 's', false}};
    Asm p;
    // The handler masks MSIE and returns; later an ecall stops via the recording handler's exit.
    p("auipc t0, 0; addi t0, t0, 32; csrrw zero, mtvec, t0; addi t1, zero, 8; csrrw zero, mie, t1; "
      "csrrsi zero, mstatus, 8; loop: addi a0, a0, 1; jal zero, loop");
    p("handler: csrrw zero, mie, zero; mret");
    b.load(p);
    ASSERT_EQ(p.label("handler"), kRamBase + 32);
    b.cpu.on_halt = nullptr;
    sc_core::sc_start(sc_time(1, sc_core::SC_US));
    ASSERT_GE(b.states.log.size(), 2u);
    EXPECT_EQ(b.states.log[0], std::make_pair(sc_time(100, SC_NS), static_cast<int>(CoreState::InTrap)));
    EXPECT_EQ(b.states.log[1], std::make_pair(sc_time(104, SC_NS), static_cast<int>(CoreState::Running)));
    EXPECT_EQ(b.cpu.interrupts_taken(), 1u);
}

// cpu.quantum_ns (cpu_config.h) as SystemC time: 10 us by default, the DMA's quantum too.
TEST(CpuTlm, QuantumFromTheCpuKeys) {
    EXPECT_EQ(CpuConfig{}.quantum(), sc_core::sc_time(10, sc_core::SC_US));
    CpuParams p;
    p.quantum_ns = 250;
    EXPECT_EQ(quantum_of(p), sc_core::sc_time(250, sc_core::SC_NS));
}

TEST(CpuTlm, ConfigValidation) {
    CpuConfig c;
    EXPECT_EQ(c.validate(), "");
    c.clock_hz = 0;
    EXPECT_NE(c.validate(), "");
    c = CpuConfig{};
    c.quantum_ns = 0;
    EXPECT_NE(c.validate(), "");
    c = CpuConfig{};
    c.cycles.div = 0;
    EXPECT_NE(c.validate(), "");
    c = CpuConfig{};
    c.reset_pc = 0x80000001;
    EXPECT_NE(c.validate(), "");
    EXPECT_THROW(Cpu("bad", c), std::invalid_argument);
}

}  // namespace
