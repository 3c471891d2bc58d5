// The RV32IMAC CPU as a SystemC/TLM-2.0 loosely-timed initiator: wraps Rv32Core.
//
// One SC_THREAD runs the core in slices with temporal decoupling (tlm_quantumkeeper).
// A slice ends at the quantum boundary or at the next scheduled SystemC event, whichever is
// first, so an interrupt a device schedules is taken at its exact time; activity at the
// current time is let run first (a bounded number of delta cycles). Memory that grants DMI
// is accessed through host pointers; everything else through b_transport with the CPU's
// local time offset as delay (the returned delay is charged as stall cycles), and a slice
// also ends after a bus access that scheduled something at or before the CPU's time. A TLM
// error response becomes an access fault. Trap entry and mret sync (for the state signal).
// WFI syncs and sleeps until an interrupt line changes; with no pending SystemC activity at
// all it halts ("wfi with no pending events").
//
// Every scheduled event bounds a slice: models should schedule events for when something
// happens (as the CLINT does for mtimecmp), not periodic ticks, or the CPU slows down.
//
// Time and cycles: cycle c of the core happens at c * period (period = 1 / clock_hz); idle
// time in WFI counts in mcycle.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "cpu/cpu_config.h"
#include "cpu/rv32_core.h"

namespace stvp {

// The temporal-decoupling quantum of the cpu.* keys as SystemC time (the DMA's too).
inline sc_core::sc_time quantum_of(const CpuParams& p) { return sc_core::sc_time(double(p.quantum_ns), sc_core::SC_NS); }

// The cpu.* keys' parameters (cpu_config.h) and the run's parts.
struct CpuConfig : CpuParams {
    uint32_t reset_pc = 0x80000000; // first instruction (the platform sets the ELF entry with set_pc)
    uint64_t max_instructions = 0;  // halt after this many retired instructions (0 = no limit)
    std::string trace_path;         // instruction trace file ("" = none, "-" = stdout)

    // quantum_ns as SystemC time; also set as the TLM global quantum.
    sc_core::sc_time quantum() const { return quantum_of(*this); }
    std::string validate() const;   // "" if ok
};

enum class HaltReason { InstructionLimit, TrapLoop, WfiDeadlock, StopRequested };
const char* halt_reason_name(HaltReason r);  // "max-instructions", "trap-loop", "wfi-deadlock", "stop"

class Cpu;

// Why the CPU stopped for its debugger.
enum class DebugEvent {
    Reset,       // before the first instruction (attach_debugger with halt_at_reset)
    Breakpoint,  // pc is at a breakpoint (Rv32Core::add_breakpoint), not yet executed
    Step,        // one instruction was executed (or a trap entered) after DebugAction::Step
    Interrupt,   // break_requested() returned true at a slice boundary
};
const char* debug_event_name(DebugEvent e);  // "reset", "breakpoint", "step", "interrupt"

// What the CPU does when its debugger returns.
enum class DebugAction {
    Continue,  // run on (the instruction at a breakpoint pc executes)
    Step,      // execute one instruction, then halt again with DebugEvent::Step
    Detach,    // run on without the debugger
    Kill,      // halt for good (HaltReason::StopRequested, "killed by the debugger")
};

// A debugger attached to the CPU (the platform's GDB stub). Both functions are called in the
// CPU's thread. While halted() runs no simulated time passes: the SystemC kernel waits for
// it. The CPU synchronises with the kernel before halting, so sc_time_stamp() is the CPU's
// time of the halt; halted() may read and write registers, CSRs, the pc, memory (through
// Cpu::debug_read/debug_write) and breakpoints.
class CpuDebugger {
public:
    virtual ~CpuDebugger() = default;
    virtual DebugAction halted(Cpu& cpu, DebugEvent why) = 0;
    // Polled at every slice boundary while the CPU runs (keep it cheap); true halts the CPU
    // with DebugEvent::Interrupt.
    virtual bool break_requested() = 0;
};

class Cpu : public sc_core::sc_module, private CoreBus {
public:
    tlm_utils::simple_initiator_socket<Cpu> socket;
    sc_core::sc_in<bool> irq_software;  // CLINT msip  -> mip.MSIP
    sc_core::sc_in<bool> irq_timer;     // CLINT mtip  -> mip.MTIP
    sc_core::sc_in<bool> irq_external;  // PLIC  meip  -> mip.MEIP
    // CoreState as int (0 running, 1 wfi, 2 in-trap, 3 halted) for the VCD; written on changes only.
    sc_core::sc_signal<int> state;

    // Called once when the CPU halts (the thread then sleeps for good). pc is the next
    // instruction that would have executed (for a trap loop: the faulting handler address).
    using HaltFn = std::function<void(HaltReason reason, uint32_t pc, const std::string& message)>;
    HaltFn on_halt;

    // mtime for the `time` CSR, given the CPU's current (local) time.
    using TimeSource = std::function<uint64_t(const sc_core::sc_time& now)>;
    void set_time_source(TimeSource fn);

    SC_HAS_PROCESS(Cpu);
    Cpu(sc_core::sc_module_name name, const CpuConfig& cfg);
    ~Cpu() override;

    // Async-signal-safe: stop at the next instruction boundary the CPU checks (after any
    // MMIO access and at every slice boundary), then halt with StopRequested.
    void request_stop() { core_.request_stop(); }

    // ---- state access for the platform (loading) and a debugger ----
    uint32_t pc() const { return core_.pc(); }
    void set_pc(uint32_t pc) { core_.set_pc(pc); }
    uint32_t reg(unsigned i) const { return core_.reg(i); }
    void set_reg(unsigned i, uint32_t v) { core_.set_reg(i, v); }
    bool read_csr(uint32_t csr, uint32_t& v) const { return core_.read_csr(csr, v); }
    bool write_csr(uint32_t csr, uint32_t v) { return core_.write_csr(csr, v); }
    // Memory through the socket's debug transport (no time, no side effects on devices that
    // honour transport_dbg). Return the number of bytes transferred.
    unsigned debug_read(uint64_t addr, uint8_t* data, unsigned len);
    unsigned debug_write(uint64_t addr, const uint8_t* data, unsigned len);  // also drops decoded code there

    // ---- counters ----
    uint64_t instructions() const { return core_.instret(); }
    uint64_t cycles() const { return core_.cycles(); }
    const CoreStats& core_stats() const { return core_.stats(); }  // traps and interrupts by cause
    uint64_t exceptions_taken() const;
    uint64_t interrupts_taken() const;
    uint64_t b_transports() const { return b_transports_; }
    // Host seconds spent executing instructions (inside the core's run loop, WFI sleep
    // excluded): instructions() / active_host_seconds() is the ISS's speed while it runs.
    double active_host_seconds() const { return active_host_s_; }
    uint64_t dmi_grants() const { return dmi_grants_; }
    bool halted() const { return halted_; }
    // Once halted(): the core back to its reset state (registers, CSRs, PMP, triggers,
    // counters; pc = reset_pc; the debugger's breakpoints stay), and the CPU
    // runs again from the next delta cycle, halting first for a debugger attached with
    // halt_at_reset. For a long-lived simulation that runs many sessions (tests/fuzz/fuzz_gdb).
    // Throws std::logic_error while the CPU runs.
    void restart();
    HaltReason halt_reason() const { return halt_reason_; }
    const std::string& halt_message() const { return halt_message_; }
    // The CPU's own notion of now: sc_time_stamp() plus its local time offset.
    sc_core::sc_time local_time() const;
    sc_core::sc_time period() const { return period_; }

    // Instruction trace to `os` (nullptr: off); overrides trace_path.
    void set_trace(std::ostream* os);

    // ---- debugging ----
    // Attaches a debugger (nullptr detaches); call before the simulation starts. With
    // halt_at_reset the CPU halts for it before its first instruction.
    void attach_debugger(CpuDebugger* debugger, bool halt_at_reset);
    // Breakpoints are the core's (core().add_breakpoint(pc)): free while none is set.

    // PC samples for a waveform: fn(pc, t) at every change of `state` (pc of the next
    // instruction: the handler after a trap entry, mepc after mret, past the wfi while
    // asleep), at debugger halts, and, with every_slice, at the end of every time slice
    // (at most one quantum apart while running). t is the CPU's local time.
    using PcSampleFn = std::function<void(uint32_t pc, const sc_core::sc_time& t)>;
    void on_pc_sample(PcSampleFn fn, bool every_slice);

    Rv32Core& core() { return core_; }
    const Rv32Core& core() const { return core_; }

private:
    void run_thread();      // run_until_halt(), then wait for restart()
    void run_until_halt();
    void irq_method();
    void wait_for_interrupt();
    void halt(HaltReason r, const std::string& message);
    void update_state();
    void account_slice();
    bool yield_delta();  // false once kMaxDeltaYields were yielded at the current time stamp
    bool debug_halt(DebugEvent why);  // false if the debugger killed the CPU (halted)

    BusStatus fetch(uint32_t addr, uint16_t& parcel) override;
    BusStatus load(uint32_t addr, unsigned size, uint32_t& value) override;
    BusStatus store(uint32_t addr, unsigned size, uint32_t value) override;
    BusStatus transport(tlm::tlm_command cmd, uint32_t addr, uint8_t* data, unsigned len);
    void request_dmi(uint32_t addr);
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

    sc_core::sc_time cycles_to_time(uint64_t c) const { return sc_core::sc_time::from_value(c * period_.value()); }
    uint64_t time_to_cycles_ceil(const sc_core::sc_time& t) const {
        return (t.value() + period_.value() - 1) / period_.value();
    }
    sc_core::sc_time time_of_cycle(uint64_t c) const;

    CpuConfig cfg_;
    sc_core::sc_time period_;
    Rv32Core core_;
    tlm_utils::tlm_quantumkeeper qk_;
    double active_host_s_ = 0;
    uint64_t slice_base_ = 0;  // core cycle that corresponds to sc_time_stamp() + qk_ local time
    sc_core::sc_event wake_event_;
    sc_core::sc_event restart_event_;
    static constexpr unsigned kMaxDeltaYields = 16;
    sc_core::sc_time yield_time_ = sc_core::sc_max_time();
    unsigned yields_ = 0;
    TimeSource time_source_;

    tlm::tlm_generic_payload trans_;
    // Address ranges a target said have no DMI, so they are not asked again.
    struct Range {
        uint64_t lo, hi;
    };
    static constexpr unsigned kMaxNoDmi = 8;
    Range no_dmi_[kMaxNoDmi] = {};
    unsigned n_no_dmi_ = 0;

    std::unique_ptr<std::ofstream> trace_file_;

    CpuDebugger* debugger_ = nullptr;
    bool debug_halt_at_reset_ = false;
    bool debug_stepping_ = false;
    uint64_t step_instret_ = 0;
    uint32_t step_pc_ = 0;
    PcSampleFn pc_sample_;
    bool pc_sample_every_slice_ = false;

    bool halted_ = false;
    HaltReason halt_reason_ = HaltReason::StopRequested;
    std::string halt_message_;
    uint64_t b_transports_ = 0;
    uint64_t dmi_grants_ = 0;
};

}  // namespace stvp
