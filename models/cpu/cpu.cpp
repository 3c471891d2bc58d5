#include "cpu/cpu.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace stvp {

using sc_core::sc_time;

namespace {

Rv32CoreConfig core_config(const CpuConfig& c) {
    Rv32CoreConfig r;
    r.reset_pc = c.reset_pc;
    r.cycles = c.cycles;
    r.misaligned_emulate = c.misaligned_emulate;
    return r;
}

sc_time period_of(const CpuConfig& c) {
    return c.clock_hz > 0 && std::isfinite(c.clock_hz) ? sc_time(1.0 / c.clock_hz, sc_core::SC_SEC) : sc_time();
}

}  // namespace

std::string CpuConfig::validate() const {
    if (!(clock_hz > 0) || !std::isfinite(clock_hz)) return "clock_hz must be a positive number";
    if (period_of(*this) == sc_core::SC_ZERO_TIME)
        return "clock_hz is too high for the SystemC time resolution (the cycle period rounds to 0)";
    if (quantum() == sc_core::SC_ZERO_TIME) return "quantum must be greater than 0";
    return core_config(*this).validate();
}

const char* halt_reason_name(HaltReason r) {
    switch (r) {
    case HaltReason::InstructionLimit: return "max-instructions";
    case HaltReason::TrapLoop: return "trap-loop";
    case HaltReason::WfiDeadlock: return "wfi-deadlock";
    case HaltReason::StopRequested: return "stop";
    }
    return "?";
}

const char* debug_event_name(DebugEvent e) {
    switch (e) {
    case DebugEvent::Reset: return "reset";
    case DebugEvent::Breakpoint: return "breakpoint";
    case DebugEvent::Step: return "step";
    case DebugEvent::Interrupt: return "interrupt";
    }
    return "?";
}

Cpu::Cpu(sc_core::sc_module_name name, const CpuConfig& cfg)
    : sc_module(name),
      socket("socket"),
      irq_software("irq_software"),
      irq_timer("irq_timer"),
      irq_external("irq_external"),
      state("state", static_cast<int>(CoreState::Running)),
      cfg_(cfg),
      period_(period_of(cfg)),
      core_(core_config(cfg), *this) {
    const std::string err = cfg_.validate();
    if (!err.empty()) throw std::invalid_argument(std::string(this->name()) + ": " + err);
    if (!cfg_.trace_path.empty() && cfg_.trace_path != "-") {
        trace_file_ = std::make_unique<std::ofstream>(cfg_.trace_path);
        if (!*trace_file_)
            throw std::runtime_error(std::string(this->name()) + ": cannot open trace file '" + cfg_.trace_path + "'");
    }
    if (!cfg_.trace_path.empty()) set_trace(trace_file_ ? trace_file_.get() : &std::cout);

    tlm_utils::tlm_quantumkeeper::set_global_quantum(cfg_.quantum());
    socket.register_invalidate_direct_mem_ptr(this, &Cpu::invalidate_direct_mem_ptr);

    SC_THREAD(run_thread);
    SC_METHOD(irq_method);
    sensitive << irq_software << irq_timer << irq_external;
}

Cpu::~Cpu() = default;

void Cpu::set_time_source(TimeSource fn) {
    time_source_ = std::move(fn);
    if (time_source_)
        core_.time_source = [this] { return time_source_(local_time()); };
    else
        core_.time_source = nullptr;
}

sc_time Cpu::time_of_cycle(uint64_t c) const {
    return sc_core::sc_time_stamp() + qk_.get_local_time() + cycles_to_time(c - slice_base_);
}

sc_time Cpu::local_time() const { return time_of_cycle(core_.cycles()); }

void Cpu::set_trace(std::ostream* os) {
    if (!os) {
        core_.set_trace(nullptr);
        return;
    }
    core_.set_trace(os, [this](uint64_t c) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%14.3f ns  ", time_of_cycle(c).to_seconds() * 1e9);
        return std::string(buf);
    });
}

void Cpu::attach_debugger(CpuDebugger* debugger, bool halt_at_reset) {
    debugger_ = debugger;
    debug_halt_at_reset_ = debugger && halt_at_reset;
}

void Cpu::on_pc_sample(PcSampleFn fn, bool every_slice) {
    pc_sample_ = std::move(fn);
    pc_sample_every_slice_ = pc_sample_ && every_slice;
}

uint64_t Cpu::exceptions_taken() const {
    uint64_t n = 0;
    for (uint64_t v : core_.stats().exceptions) n += v;
    return n;
}

uint64_t Cpu::interrupts_taken() const {
    uint64_t n = 0;
    for (uint64_t v : core_.stats().interrupts) n += v;
    return n;
}

// ----------------------------------------------------------------------------------------
// Processes

void Cpu::irq_method() {
    core_.set_interrupt_lines(irq_software.read(), irq_timer.read(), irq_external.read());
    wake_event_.notify();
}

void Cpu::account_slice() {
    qk_.inc(cycles_to_time(core_.cycles() - slice_base_));
    slice_base_ = core_.cycles();
}

void Cpu::update_state() {
    const int s = static_cast<int>(core_.state());
    if (state.read() != s) {
        state.write(s);
        if (pc_sample_) pc_sample_(core_.pc(), local_time());
    }
}

bool Cpu::debug_halt(DebugEvent why) {
    // Simulated time stands still while the debugger has the CPU: catch the kernel up with
    // the CPU's local time first, so that sc_time_stamp() is the time of the halt.
    qk_.sync();
    slice_base_ = core_.cycles();
    update_state();
    if (pc_sample_) pc_sample_(core_.pc(), local_time());
    debug_stepping_ = false;
    switch (debugger_->halted(*this, why)) {
    case DebugAction::Step:
        debug_stepping_ = true;
        step_instret_ = core_.instret();
        step_pc_ = core_.pc();
        core_.skip_breakpoint_at(core_.pc());
        return true;
    case DebugAction::Detach:
        debugger_ = nullptr;
        core_.skip_breakpoint_at(core_.pc());
        return true;
    case DebugAction::Kill: {
        // Static: halt() may suspend (quantum sync) and the run end there; a temporary's heap
        // copy would stay on the suspended thread's stack, a leak to LeakSanitizer at exit.
        static const std::string killed = "killed by the debugger";
        halt(HaltReason::StopRequested, killed);
        return false;
    }
    case DebugAction::Continue:
        break;
    }
    core_.skip_breakpoint_at(core_.pc());
    return true;
}

void Cpu::halt(HaltReason r, const std::string& message) {
    qk_.sync();
    halted_ = true;
    halt_reason_ = r;
    halt_message_ = message;
    core_.halt();
    update_state();
    if (on_halt) on_halt(r, core_.pc(), message);
}

bool Cpu::yield_delta() {
    const sc_time now = sc_core::sc_time_stamp();
    if (now != yield_time_) {
        yield_time_ = now;
        yields_ = 0;
    }
    if (yields_ >= kMaxDeltaYields) return false;
    ++yields_;
    return true;
}

void Cpu::run_thread() {
    for (;;) {
        run_until_halt();
        wait(restart_event_);  // halted for good, unless restart()
    }
}

void Cpu::restart() {
    if (!halted_) throw std::logic_error(std::string(name()) + ": restart() while the CPU runs");
    core_.reset();
    core_.clear_stop();
    halted_ = false;
    debug_stepping_ = false;
    update_state();
    restart_event_.notify(sc_core::SC_ZERO_TIME);
}

void Cpu::run_until_halt() {
    qk_.reset();
    slice_base_ = core_.cycles();
    const uint64_t instr_limit = cfg_.max_instructions ? cfg_.max_instructions : UINT64_MAX;
    if (debugger_ && debug_halt_at_reset_ && !debug_halt(DebugEvent::Reset)) return;
    for (;;) {
        if (core_.stop_requested()) return halt(HaltReason::StopRequested, "stop requested");
        if (debugger_ && debugger_->break_requested() && !debug_halt(DebugEvent::Interrupt)) return;
        const sc_time now = sc_core::sc_time_stamp();
        const sc_time local = qk_.get_local_time();
        // Something else happens at this very time (an interrupt line being raised, say):
        // let it happen first. Delta cycles are yielded a bounded number of times per time
        // stamp, since another initiator following the same policy would otherwise yield
        // back forever.
        if (sc_core::sc_pending_activity_at_current_time()) {
            if (local != sc_core::SC_ZERO_TIME) {
                qk_.sync();
                slice_base_ = core_.cycles();
                continue;
            }
            if (yield_delta()) {
                wait(sc_core::SC_ZERO_TIME);
                continue;
            }
        }
        // Run up to the quantum boundary or the next event anyone has scheduled, whichever is
        // first, so that what happens there (a timer interrupt) is seen at its exact time.
        const sc_time cur = now + local;
        // Quantum boundaries are multiples of the configured quantum (as the quantum keeper
        // computes them), from this CPU's own setting in case another module changed the
        // global one.
        const sc_time quantum = cfg_.quantum();
        sc_time limit = now + quantum - sc_time::from_value(now.value() % quantum.value());
        sc_time next;
        if (sc_core::sc_get_curr_simcontext()->next_time(next) && next < limit) limit = next;
        if (limit <= cur) {
            qk_.sync();
            slice_base_ = core_.cycles();
            continue;
        }
        // A debugger step executes one instruction (the core then reports InstructionLimit).
        const uint64_t run_limit = debug_stepping_ ? std::min(instr_limit, core_.instret() + 1) : instr_limit;
        const auto host_t0 = std::chrono::steady_clock::now();
        const RunExit e = core_.run(time_to_cycles_ceil(limit - cur), run_limit);
        active_host_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - host_t0).count();
        account_slice();
        if (pc_sample_every_slice_) pc_sample_(core_.pc(), local_time());
        switch (e) {
        case RunExit::Budget:
            break;
        case RunExit::StateChange:
            // Trap entry or mret: sync so the state signal changes at the right time.
            qk_.sync();
            slice_base_ = core_.cycles();
            update_state();
            break;
        case RunExit::Wfi:
            wait_for_interrupt();
            if (halted_) return;
            break;
        case RunExit::InstructionLimit:
            if (core_.instret() < instr_limit) break;  // the end of a debugger step
            return halt(HaltReason::InstructionLimit,
                        "instruction limit reached (" + std::to_string(core_.instret()) + " instructions)");
        case RunExit::Stop:
            return halt(HaltReason::StopRequested, "stop requested");
        case RunExit::TrapLoop:
            return halt(HaltReason::TrapLoop, core_.trap_loop_message());
        case RunExit::Breakpoint:
            if (!debugger_) {  // detached with breakpoints left in place: they no longer stop
                core_.skip_breakpoint_at(core_.pc());
                continue;
            }
            if (!debug_halt(DebugEvent::Breakpoint)) return;
            continue;
        }
        // A step ends once an instruction retired or a trap moved the pc.
        if (debug_stepping_ && (core_.instret() != step_instret_ || core_.pc() != step_pc_) &&
            !debug_halt(DebugEvent::Step))
            return;
    }
}

void Cpu::wait_for_interrupt() {
    qk_.sync();
    slice_base_ = core_.cycles();
    update_state();
    while (core_.waiting_for_interrupt() && !core_.stop_requested()) {
        // Nothing scheduled anywhere: no interrupt can ever come.
        if (!sc_core::sc_pending_activity()) return halt(HaltReason::WfiDeadlock, "wfi with no pending events");
        // Sleep until an interrupt line changes, or until the next scheduled activity, to
        // notice when the last one passes without waking us. No polling in between.
        const sc_time t0 = sc_core::sc_time_stamp();
        sc_time next;
        if (sc_core::sc_pending_activity_at_current_time() && yield_delta())
            wait(sc_core::SC_ZERO_TIME, wake_event_);
        else if (sc_core::sc_get_curr_simcontext()->next_time(next))
            wait(next - t0, wake_event_);
        else
            wait(wake_event_);  // only another process's delta activity is left
        // Idle time counts in mcycle; keep the cycle grid (local time = rounding remainder).
        const uint64_t idle = time_to_cycles_ceil(sc_core::sc_time_stamp() - t0);
        core_.add_cycles(idle);
        qk_.set(t0 + cycles_to_time(idle) - sc_core::sc_time_stamp());
        slice_base_ = core_.cycles();
    }
    // Awake. If an interrupt is about to be taken, the trap entry updates the state (wfi ->
    // in-trap); otherwise the hart runs on from here.
    if (!core_.interrupt_pending()) update_state();
}

// ----------------------------------------------------------------------------------------
// Bus

BusStatus Cpu::transport(tlm::tlm_command cmd, uint32_t addr, uint8_t* data, unsigned len) {
    tlm::tlm_generic_payload& t = trans_;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data);
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_byte_enable_ptr(nullptr);
    t.set_byte_enable_length(0);
    t.set_dmi_allowed(false);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    // The access happens at the CPU's local time: pass it as the delay, take back what the
    // target adds (or what remains if it synchronised itself).
    const sc_time offset = qk_.get_local_time() + cycles_to_time(core_.cycles() - slice_base_);
    const sc_time before = sc_core::sc_time_stamp() + offset;
    sc_time delay = offset;
    ++b_transports_;
    socket->b_transport(t, delay);
    const sc_time after = sc_core::sc_time_stamp() + delay;
    const uint64_t stall = after > before ? time_to_cycles_ceil(after - before) : 0;
    core_.add_cycles(stall);
    qk_.set(before + cycles_to_time(stall) - sc_core::sc_time_stamp());
    slice_base_ = core_.cycles();
    // The access may have scheduled something at or before the CPU's time (a device raising
    // an interrupt at the access time): end the slice after this instruction to let it happen.
    sc_time next;
    if (sc_core::sc_pending_activity_at_current_time() ||
        (sc_core::sc_get_curr_simcontext()->next_time(next) && next <= sc_core::sc_time_stamp() + qk_.get_local_time()))
        core_.end_slice();
    if (cfg_.dmi && t.is_dmi_allowed()) request_dmi(addr);
    return t.is_response_ok() ? BusStatus::Ok : BusStatus::AccessFault;
}

BusStatus Cpu::fetch(uint32_t addr, uint16_t& parcel) {
    uint8_t buf[2];
    const BusStatus s = transport(tlm::TLM_READ_COMMAND, addr, buf, 2);
    parcel = static_cast<uint16_t>(buf[0] | buf[1] << 8);
    return s;
}

BusStatus Cpu::load(uint32_t addr, unsigned size, uint32_t& value) {
    uint8_t buf[4] = {};
    const BusStatus s = transport(tlm::TLM_READ_COMMAND, addr, buf, size);
    value = static_cast<uint32_t>(buf[0]) | static_cast<uint32_t>(buf[1]) << 8 | static_cast<uint32_t>(buf[2]) << 16 |
            static_cast<uint32_t>(buf[3]) << 24;
    return s;
}

BusStatus Cpu::store(uint32_t addr, unsigned size, uint32_t value) {
    uint8_t buf[4] = {static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value >> 16),
                      static_cast<uint8_t>(value >> 24)};
    return transport(tlm::TLM_WRITE_COMMAND, addr, buf, size);
}

void Cpu::request_dmi(uint32_t addr) {
    for (unsigned i = 0; i < n_no_dmi_; ++i)
        if (addr >= no_dmi_[i].lo && addr <= no_dmi_[i].hi) return;
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(addr);
    t.set_data_length(4);
    t.set_streaming_width(4);
    tlm::tlm_dmi dmi;
    const bool ok = socket->get_direct_mem_ptr(t, dmi);
    const uint64_t lo = dmi.get_start_address(), hi = std::min<uint64_t>(dmi.get_end_address(), 0xffffffffull);
    if (ok && dmi.get_dmi_ptr() && lo <= hi && (dmi.is_read_allowed() || dmi.is_write_allowed())) {
        const double p = static_cast<double>(period_.value());
        core_.add_dmi(static_cast<uint32_t>(lo), static_cast<uint32_t>(hi), dmi.get_dmi_ptr(), dmi.is_read_allowed(),
                      dmi.is_write_allowed(),
                      cfg_.memory_stalls ? static_cast<double>(dmi.get_read_latency().value()) / p : 0.0,
                      cfg_.memory_stalls ? static_cast<double>(dmi.get_write_latency().value()) / p : 0.0);
        ++dmi_grants_;
        return;
    }
    // Refused: remember the range the target named (if it covers the address) so the next
    // access there does not ask again.
    if (addr < lo || addr > hi) return;
    if (n_no_dmi_ == kMaxNoDmi) n_no_dmi_ = 0;  // forget everything; rare
    no_dmi_[n_no_dmi_++] = {lo, hi};
}

void Cpu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    core_.invalidate_dmi(start, end);
    n_no_dmi_ = 0;  // the map changed: ask again
}

unsigned Cpu::debug_read(uint64_t addr, uint8_t* data, unsigned len) {
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(data);
    t.set_data_length(len);
    t.set_streaming_width(len);
    return socket->transport_dbg(t);
}

unsigned Cpu::debug_write(uint64_t addr, const uint8_t* data, unsigned len) {
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_WRITE_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(const_cast<uint8_t*>(data));  // TLM payloads are non-const; a write does not modify it
    t.set_data_length(len);
    t.set_streaming_width(len);
    const unsigned n = socket->transport_dbg(t);
    if (n > 0 && addr <= 0xffffffffull) core_.invalidate_decode(static_cast<uint32_t>(addr), n);
    return n;
}

}  // namespace stvp
