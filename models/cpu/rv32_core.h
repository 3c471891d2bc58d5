// RV32IMAC + Zicsr + Zifencei instruction-set simulator core with machine and user modes,
// PMP (rv32_pmp.h) and the Sdtrig trigger module (rv32_triggers.h).
//
// Pure C++ (no SystemC): memory is reached through DMI-style host-pointer ranges and, for
// everything else, a CoreBus. The SystemC wrapper (cpu.h) implements CoreBus with TLM;
// unit tests and the microbenchmark implement it with a flat array.
//
// Speed: decoded instructions are cached per PC in lazily allocated 4 KiB page arrays; a
// store checks one bit per 64-byte line to invalidate cached code it overwrites. The hot
// loop dispatches through computed gotos on handlers specialised per instruction length,
// keeps pc, cycle and instret counters and the current page in locals, and never polls
// interrupts: they can only become pending between run() calls, after a CSR write or mret,
// or during a bus call, and those are exactly the places the core looks.
//
// Protection costs nothing while unused: the loop has a "checked" variant, used only while
// the hart runs in U-mode, M-mode loads/stores use U's rights (mstatus.MPRV with MPP = U), a
// PMP entry is locked or a trigger is enabled. It checks fetches once per PMP window (the
// range around the pc with one outcome, or every instruction while an execute trigger is
// set) and sends every load and store through the slow path (triggers, PMP, then DMI or
// bus). Trap entry, mret and CSR writes re-select the variant.
//
// Specs: RISC-V unprivileged ISA 20191213, privileged architecture 1.12 (M and U modes),
// RISC-V debug specification 1.0 (Sdtrig).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "cpu/cpu_config.h"
#include "cpu/rv32_csr.h"
#include "cpu/rv32_isa.h"
#include "cpu/rv32_pmp.h"
#include "cpu/rv32_triggers.h"

namespace stvp {

enum class BusStatus : uint8_t { Ok, AccessFault };

// Memory outside the DMI ranges. Accesses are naturally aligned (the core traps on
// misaligned loads and stores before asking, or splits them into bytes: misaligned emulate). Values are little-endian, zero-extended.
// Implementations may call Rv32Core::add_cycles() to charge stall cycles and
// Rv32Core::add_dmi() to grant a fast path; both are safe during the call.
class CoreBus {
public:
    virtual ~CoreBus() = default;
    virtual BusStatus fetch(uint32_t addr, uint16_t& parcel) = 0;  // one 16-bit instruction parcel
    virtual BusStatus load(uint32_t addr, unsigned size, uint32_t& value) = 0;
    virtual BusStatus store(uint32_t addr, unsigned size, uint32_t value) = 0;
};

// mcause values (privileged spec 1.12, table 3.6).
namespace cause {
constexpr uint32_t kInsnMisaligned = 0;
constexpr uint32_t kInsnAccessFault = 1;
constexpr uint32_t kIllegalInsn = 2;
constexpr uint32_t kBreakpoint = 3;
constexpr uint32_t kLoadMisaligned = 4;
constexpr uint32_t kLoadAccessFault = 5;
constexpr uint32_t kStoreMisaligned = 6;  // also AMO and sc.w
constexpr uint32_t kStoreAccessFault = 7; // also AMO and sc.w
constexpr uint32_t kEcallU = 8;
constexpr uint32_t kEcallM = 11;
constexpr uint32_t kInterrupt = 0x80000000u;
constexpr uint32_t kMachineSoftwareIrq = kInterrupt | 3;
constexpr uint32_t kMachineTimerIrq = kInterrupt | 7;
constexpr uint32_t kMachineExternalIrq = kInterrupt | 11;
}  // namespace cause

// "load access fault", "machine timer interrupt", ...
std::string cause_name(uint32_t mcause);

// CSR numbers and the mstatus / mip / mie masks: csr::kMstatus, kMstatusMie, ... (rv32_csr.h,
// from csr.def).

// misa: MXL = 1 (32-bit), extensions A, C, I, M and U (user mode).
constexpr uint32_t kMisaRv32imacu = 0x40101105;
// mcounteren: U-mode may read cycle (CY), time (TM) and instret (IR) where the bit is set.
constexpr uint32_t kMcounterenMask = 7;

// Privilege modes (mstatus.MPP encoding).
enum class Priv : uint8_t { User = 0, Machine = 3 };

struct Rv32CoreConfig {
    uint32_t reset_pc = 0x80000000;  // address of the first instruction (the platform sets the ELF entry)
    CycleCosts cycles;
    // Misaligned loads and stores: false traps (cause 4/6); true performs them as byte
    // accesses, in address order, each checked by PMP (not atomic: a fault on a later byte
    // leaves the earlier bytes of a store written; mtval is the faulting byte's address).
    // Misaligned lr/sc/AMOs always trap. Costs: the instruction's own cycles plus each byte's
    // memory cycles (DMI latency or bus stall).
    bool misaligned_emulate = false;

    std::string validate() const;  // "" if ok
};

// Why run() returned.
enum class RunExit {
    Budget,            // the cycle budget is used up
    InstructionLimit,  // the instret limit passed to run() is reached
    Wfi,               // waiting for an interrupt (mip & mie == 0); pc is past the wfi
    StateChange,       // a trap was entered or mret executed (running <-> in-trap)
    Stop,              // request_stop() was seen at an instruction boundary
    TrapLoop,          // the first instruction of a trap handler trapped; the core is halted
    Breakpoint,        // pc is at a debugger breakpoint (add_breakpoint) or a trigger with action 1
                       // (enter debug mode) fired on it (last_trigger()); it has not executed.
                       // Debugger watchpoints are such triggers too (load/store match), so
                       // they stop before the access.
};
const char* run_exit_name(RunExit e);

// For a VCD: what the hart is doing.
enum class CoreState : int { Running = 0, Wfi = 1, InTrap = 2, Halted = 3 };

struct TrapRecord {
    uint32_t cause = 0;
    uint32_t epc = 0;
    uint32_t tval = 0;
};

struct CoreStats {
    uint64_t exceptions[16] = {};  // synchronous traps taken, by mcause
    uint64_t interrupts[16] = {};  // interrupts taken, by mcause code
    uint64_t decodes = 0;          // decode-cache fills
    uint64_t code_invalidations = 0;  // 64-byte lines of cached code dropped by stores
};

class Rv32Core {
public:
    Rv32Core(const Rv32CoreConfig& cfg, CoreBus& bus);
    ~Rv32Core();
    Rv32Core(const Rv32Core&) = delete;
    Rv32Core& operator=(const Rv32Core&) = delete;

    // Registers and CSRs to their reset values, pc = reset_pc, counters 0, decode cache dropped.
    // DMI ranges and interrupt inputs are kept.
    void reset();

    // Executes until `max_cycles` cycles have been charged (the last instruction may overshoot)
    // or instret() reaches `instret_limit`, or an exit event (see RunExit).
    RunExit run(uint64_t max_cycles, uint64_t instret_limit = UINT64_MAX);

    // ---- architectural state (for loaders, tests and a debugger) ----
    uint32_t pc() const { return pc_; }
    void set_pc(uint32_t pc) { pc_ = pc; }
    uint32_t reg(unsigned i) const { return i < 32 ? x_[i] : 0; }
    void set_reg(unsigned i, uint32_t v) {
        if (i > 0 && i < 32) x_[i] = v;
    }
    // Debug access without side effects beyond the write itself. False if the CSR does not exist.
    // Writes are the debugger's: they may own triggers (tdata1.dmode).
    bool read_csr(uint32_t csr, uint32_t& value) const;
    bool write_csr(uint32_t csr, uint32_t value);
    Priv privilege() const { return priv_; }
    void set_privilege(Priv p);  // for a debugger or a test

    // ---- protection and triggers ----
    const Pmp& pmp() const { return pmp_; }
    // The trigger module; after changing it directly (the GDB stub's hardware breakpoints),
    // call triggers_changed().
    Triggers& triggers() { return triggers_; }
    const Triggers& triggers() const { return triggers_; }
    void triggers_changed() { update_mode(); }
    // The trigger behind the last RunExit::Breakpoint, or -1 if it was a breakpoint (add_breakpoint).
    int last_trigger() const { return trigger_hit_; }
    // The address that trigger matched: the pc (execute), the accessed address (load, store).
    uint32_t last_trigger_address() const { return trigger_tval_; }

    // ---- interrupts (levels of the CLINT/PLIC lines) ----
    void set_interrupt_lines(bool software, bool timer, bool external);
    uint32_t mip() const { return mip_; }

    // ---- memory fast path ----
    // Grants [lo, hi] (inclusive) at host pointer `host` (the byte for address lo). Ranges
    // are trimmed to whole 32-bit words. Latencies are per byte (the stvp DMI convention,
    // common/dmi.h): an access of n bytes costs ceil(n * cycles_per_byte) cycles.
    void add_dmi(uint32_t lo, uint32_t hi, uint8_t* host, bool readable, bool writable,
                 double read_cycles_per_byte = 0, double write_cycles_per_byte = 0);
    void invalidate_dmi(uint64_t lo, uint64_t hi);  // drops every range overlapping [lo, hi]
    std::size_t dmi_ranges() const { return n_dmi_r_ + n_dmi_w_; }
    // Code at [addr, addr+len) was changed by someone else (loader, debugger, DMA).
    void invalidate_decode(uint32_t addr, uint32_t len);
    void invalidate_decode_all();

    // ---- time ----
    uint64_t cycles() const { return cycles_; }     // monotonic (mcycle may be rewritten by firmware)
    uint64_t instret() const { return instret_; }   // monotonic (minstret may be rewritten)
    void add_cycles(uint64_t n) { cycles_ += n; }   // stall/idle cycles: counted in mcycle
    // Provider of the `time` CSR (the CLINT's mtime). Without one, reading time is illegal.
    std::function<uint64_t()> time_source;

    // ---- debugger breakpoints ----
    // run() returns Breakpoint before executing the instruction at a breakpoint address.
    // Free when unused: the decode-cache slot of a breakpointed pc dispatches to a stop
    // handler, so no per-instruction check exists. `skip_breakpoint_at` lets the next run()
    // execute the instruction at that pc once (resuming from the breakpoint) and is cleared
    // by run(); it also lets that instruction pass the triggers once.
    void add_breakpoint(uint32_t pc);
    bool remove_breakpoint(uint32_t pc);  // false if there was none
    bool has_breakpoint(uint32_t pc) const;
    const std::vector<uint32_t>& breakpoints() const { return breakpoints_; }
    void skip_breakpoint_at(uint32_t pc);

    // ---- stopping ----
    // Async-signal-safe. The core stops at the next instruction boundary it checks (after
    // any bus access and at every run() call) and keeps returning Stop until clear_stop().
    void request_stop() { stop_.store(true, std::memory_order_relaxed); }
    void clear_stop() { stop_.store(false, std::memory_order_relaxed); }
    bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }
    // Makes run() return (Budget) after the current instruction if it is accessing the bus;
    // for a CoreBus whose access scheduled something the caller must let happen first.
    void end_slice() { end_slice_ = true; }
    void halt() { halted_ = true; }  // for the state output only; run() refuses after a trap loop
    bool halted() const { return halted_; }

    // In WFI with no interrupt pending and enabled in mie (what WFI waits for).
    bool waiting_for_interrupt() const { return wfi_ && (mip_ & mie_) == 0; }
    // An interrupt will be taken at the next run() ((mstatus.MIE or U-mode) && mip & mie).
    bool interrupt_pending() const { return irq_pending_; }
    CoreState state() const {
        return halted_                   ? CoreState::Halted
               : waiting_for_interrupt() ? CoreState::Wfi
               : in_trap_                ? CoreState::InTrap
                                         : CoreState::Running;
    }
    const CoreStats& stats() const { return stats_; }
    // After RunExit::TrapLoop: the trap that entered the handler and the one its first
    // instruction raised.
    const TrapRecord& trap_loop_first() const { return loop_first_; }
    const TrapRecord& trap_loop_second() const { return loop_second_; }
    std::string trap_loop_message() const;

    // Instruction trace: one line per executed instruction, "<prefix>pc: raw  disasm", where
    // prefix comes from `prefix(cycles)` (e.g. the simulated time). nullptr turns it off.
    void set_trace(std::ostream* os, std::function<std::string(uint64_t cycles)> prefix = {});

private:
    // A decode-cache slot: the decoded instruction plus its handler, which encodes the
    // length (h = 2 * op + (len == 2)) so that handlers advance the pc by a constant and the
    // next slot's address never waits for a load. h = 0: not decoded yet.
    struct Slot {
        uint8_t h;
        uint8_t rd, rs1, rs2;
        int32_t imm;
        uint32_t raw;
        uint16_t cost;  // cycles charged at retirement (the not-taken cost for branches)
        uint8_t len;
        uint8_t pad_;
    };
    static_assert(sizeof(Slot) == 16, "decode-cache slots should stay 16 bytes");
    static_assert(2 * static_cast<unsigned>(rv32::Op::Count) <= 255, "Slot::h must hold the breakpoint handler");
    static rv32::Op op_of(const Slot& s) { return static_cast<rv32::Op>(s.h >> 1); }

    struct DmiRange {
        uint32_t lo;
        uint32_t span;  // hi - lo
        uint8_t* host;
        uint32_t cycles[3];  // per access of 1, 2, 4 bytes (index size >> 1)
    };
    static constexpr unsigned kMaxDmi = 8;
    static constexpr unsigned kPageBits = 12;
    static constexpr unsigned kSlotsPerPage = 1u << (kPageBits - 1);
    static constexpr unsigned kLineBits = 6;  // code-tracking granule: 64 bytes

    RunExit run_slice(uint64_t max_cycles, uint64_t instret_limit);
    // kChecked: the protected variant (see the top of this file).
    template <bool kTrace, bool kChecked>
    RunExit loop(uint64_t cycle_end, uint64_t instret_limit);
    RunExit select_loop(uint64_t cycle_end, uint64_t instret_limit);
    RunExit run_over_breakpoint(uint64_t max_cycles, uint64_t instret_limit);
    // Handler index of a breakpointed slot: one past the instruction handlers (Slot::h).
    static constexpr uint8_t kBreakpointHandler = 2 * static_cast<unsigned>(rv32::Op::Count);

    static const DmiRange* find(const DmiRange* r, unsigned n, uint32_t addr) {
        for (unsigned i = 0; i < n; ++i)
            if (addr - r[i].lo <= r[i].span) return &r[i];
        return nullptr;
    }
    void add_range(DmiRange* ranges, unsigned& n, const DmiRange& r);
    static void drop_ranges(DmiRange* ranges, unsigned& n, uint64_t lo, uint64_t hi);

    // Decode cache.
    Slot* decode_slot(uint32_t pc);  // nullptr: a fetch trap was raised (see exit_)
    bool fetch_parcel(uint32_t addr, uint16_t& parcel);
    void mark_code(uint32_t addr);
    void check_code(uint32_t addr) {
        if ((code_lines_[addr >> kPageBits] >> ((addr >> kLineBits) & 63)) & 1) invalidate_line(addr);
    }
    void invalidate_line(uint32_t addr);

    // Memory helpers for the slow paths (flushed state): PMP (where needed), then DMI or bus.
    // False: the access faulted (nothing raised yet).
    bool mem_load(uint32_t addr, unsigned size, uint32_t& value);
    bool mem_store(uint32_t addr, unsigned size, uint32_t value);
    // A load or store outside the fast path (flushed state): triggers, misalignment (trap or
    // bytes), PMP, memory. False: a trap was raised or the debugger must take over (exit_).
    bool data_access(uint32_t addr, unsigned size, bool write, uint32_t& value);
    // Fetch checks of the checked loop for the instruction at pc_ (len bytes): triggers, then
    // PMP; sets the fetch window. False: see exit_.
    bool check_fetch(uint32_t len, uint32_t raw);
    // A trigger fired: exception (action 0) or debugger halt (action 1). Sets exit_, returns false.
    bool fire_trigger(int t, uint32_t tval);
    bool trigger_skipped() const {
        return trigger_skip_ && pc_ == trigger_skip_pc_ && instret_ == trigger_skip_instret_;
    }
    bool fail(uint32_t cause, uint32_t tval) {
        exit_ = raise(cause, tval);
        return false;
    }
    // Recomputes what the checked loop needs (after a privilege, mstatus, PMP or trigger change).
    void update_mode();

    // Traps and CSRs (flushed state).
    RunExit raise(uint32_t cause, uint32_t tval);
    void enter_trap(uint32_t cause, uint32_t tval);
    RunExit after_bus();  // stop request, interrupt or end_slice() after a bus access, else Budget
    bool async_pending() const {
        return stop_.load(std::memory_order_relaxed) || irq_pending_ || end_slice_;
    }
    bool exec_csr(const Slot& d);
    bool exec_amo(const Slot& d);
    void exec_mret();
    bool csr_read(uint32_t csr, uint32_t& value) const;
    void csr_write(uint32_t csr, uint32_t value, bool debugger);
    // M-mode interrupts are always enabled while the hart runs in U-mode (privileged spec 3.1.6.1).
    void update_irq() { irq_pending_ = ((mstatus_ & kMstatusMie) || priv_ != Priv::Machine) && (mip_ & mie_); }
    bool machine() const { return priv_ == Priv::Machine; }
    void trace_insn(uint32_t pc, const Slot& d, uint64_t cycles);

    Rv32CoreConfig cfg_;
    CoreBus& bus_;
    uint32_t costs_[9];  // by rv32::OpClass

    uint32_t x_[33] = {};  // x0..x31 and the sink for writes to x0
    uint32_t pc_ = 0;
    uint64_t cycles_ = 0;
    uint64_t instret_ = 0;

    uint32_t mstatus_ = kMstatusMpp;
    Priv priv_ = Priv::Machine;
    uint32_t mcounteren_ = 0;
    Pmp pmp_;
    Triggers triggers_;
    // Derived by update_mode():
    bool checked_ = false;     // run the checked loop
    bool data_machine_ = true; // loads/stores have M-mode rights (not U, not MPRV with MPP = U)
    bool pmp_fetch_ = false;   // fetches need PMP checks (U-mode or a locked entry)
    bool pmp_data_ = false;    // loads/stores need PMP checks
    // Fetch window of the checked loop: pc - fetch_lo_ <= fetch_span_ needs no check. Empty: 1, 0.
    uint32_t fetch_lo_ = 1, fetch_span_ = 0;
    int trigger_hit_ = -1;
    uint32_t trigger_tval_ = 0;  // its address (last_trigger_address())
    bool reselect_ = false;      // the loop returned because checked_ changed: run on in the other one
    bool trigger_skip_ = false;  // the instruction at trigger_skip_pc_ at instret trigger_skip_instret_ passes
    uint32_t trigger_skip_pc_ = 0;
    uint64_t trigger_skip_instret_ = 0;
    uint32_t mie_ = 0, mip_ = 0, mtvec_ = 0, mscratch_ = 0, mepc_ = 0, mcause_ = 0, mtval_ = 0;
    uint64_t mcycle_offset_ = 0;    // mcycle = cycles_ + offset
    uint64_t minstret_offset_ = 0;  // minstret = instret_ + offset
    bool irq_pending_ = false;      // (mstatus.MIE or U-mode) && (mip & mie): the only interrupt check
    bool end_slice_ = false;
    bool wfi_ = false;
    bool in_trap_ = false;
    bool halted_ = false;
    bool trap_loop_ = false;
    bool reservation_valid_ = false;
    uint32_t reservation_addr_ = 0;
    uint64_t trap_entry_instret_ = UINT64_MAX;  // instret_ at the last trap entry
    TrapRecord last_trap_, loop_first_, loop_second_;
    RunExit exit_ = RunExit::Budget;  // set by raise() for decode_slot's callers
    std::atomic<bool> stop_{false};

    DmiRange dmi_r_[kMaxDmi] = {}, dmi_w_[kMaxDmi] = {};
    unsigned n_dmi_r_ = 0, n_dmi_w_ = 0;

    Slot** pages_ = nullptr;               // 2^20 page pointers (calloc: untouched entries cost nothing)
    std::vector<Slot> empty_page_;         // stands in for unallocated pages in the hot loop (never written)
    uint64_t* code_lines_ = nullptr;       // per page, one bit per 64-byte line holding decoded code
    std::vector<uint32_t> allocated_;      // page numbers with an allocated page

    std::ostream* trace_ = nullptr;
    std::function<std::string(uint64_t)> trace_prefix_;

    std::vector<uint32_t> breakpoints_;  // few: a linear search at decode time is enough
    bool skip_breakpoint_ = false;       // decode_slot ignores the breakpoint at skip_pc_
    uint32_t skip_pc_ = 0;

    CoreStats stats_;
};

}  // namespace stvp
