#include "cpu/rv32_core.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <ostream>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "host pointers (DMI) assume a little-endian host like RISC-V");

namespace stvp {

using rv32::DecodedInsn;
using rv32::Op;
using rv32::OpClass;

namespace {

constexpr uint32_t kPages = 1u << 20;  // 4 KiB pages of the 32-bit address space

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

uint32_t amo_result(Op op, uint32_t old, uint32_t src) {
    const int32_t so = static_cast<int32_t>(old), ss = static_cast<int32_t>(src);
    switch (op) {
    case Op::AmoswapW: return src;
    case Op::AmoaddW: return old + src;
    case Op::AmoxorW: return old ^ src;
    case Op::AmoandW: return old & src;
    case Op::AmoorW: return old | src;
    case Op::AmominW: return so < ss ? old : src;
    case Op::AmomaxW: return so > ss ? old : src;
    case Op::AmominuW: return old < src ? old : src;
    case Op::AmomaxuW: return old > src ? old : src;
    default: return old;
    }
}

}  // namespace

std::string cause_name(uint32_t mcause) {
    if (mcause & cause::kInterrupt) {
        switch (mcause & ~cause::kInterrupt) {
        case 3: return "machine software interrupt";
        case 7: return "machine timer interrupt";
        case 11: return "machine external interrupt";
        default: return "interrupt " + std::to_string(mcause & ~cause::kInterrupt);
        }
    }
    switch (mcause) {
    case cause::kInsnMisaligned: return "instruction address misaligned";
    case cause::kInsnAccessFault: return "instruction access fault";
    case cause::kIllegalInsn: return "illegal instruction";
    case cause::kBreakpoint: return "breakpoint";
    case cause::kLoadMisaligned: return "load address misaligned";
    case cause::kLoadAccessFault: return "load access fault";
    case cause::kStoreMisaligned: return "store/AMO address misaligned";
    case cause::kStoreAccessFault: return "store/AMO access fault";
    case cause::kEcallU: return "environment call from U-mode";
    case cause::kEcallM: return "environment call from M-mode";
    default: return "exception " + std::to_string(mcause);
    }
}

const char* run_exit_name(RunExit e) {
    switch (e) {
    case RunExit::Budget: return "budget";
    case RunExit::InstructionLimit: return "instruction-limit";
    case RunExit::Wfi: return "wfi";
    case RunExit::StateChange: return "state-change";
    case RunExit::Stop: return "stop";
    case RunExit::TrapLoop: return "trap-loop";
    case RunExit::Breakpoint: return "breakpoint";
    }
    return "?";
}

std::string Rv32CoreConfig::validate() const {
    const uint32_t* c[] = {&cycles.alu, &cycles.load, &cycles.store, &cycles.branch_taken, &cycles.mul, &cycles.div};
    const char* n[] = {"alu", "load", "store", "branch_taken", "mul", "div"};
    for (int i = 0; i < 6; ++i)
        if (*c[i] < 1 || *c[i] > 30000)
            return std::string("cycles.") + n[i] + " must be in [1, 30000], got " + std::to_string(*c[i]);
    if (reset_pc & 1) return "reset_pc must be 2-byte aligned";
    return "";
}

Rv32Core::Rv32Core(const Rv32CoreConfig& cfg, CoreBus& bus) : cfg_(cfg), bus_(bus) {
    const CycleCosts& c = cfg_.cycles;
    costs_[static_cast<int>(OpClass::Alu)] = c.alu;
    costs_[static_cast<int>(OpClass::Load)] = c.load;
    costs_[static_cast<int>(OpClass::Store)] = c.store;
    costs_[static_cast<int>(OpClass::Branch)] = c.alu;  // taken branches add the difference
    costs_[static_cast<int>(OpClass::Jump)] = c.branch_taken;
    costs_[static_cast<int>(OpClass::Mul)] = c.mul;
    costs_[static_cast<int>(OpClass::Div)] = c.div;
    costs_[static_cast<int>(OpClass::Amo)] = c.load + c.store;
    costs_[static_cast<int>(OpClass::System)] = c.alu;
    // calloc: the kernel hands out zero pages lazily, so only touched 4 KiB stretches of
    // these 8 MiB tables cost memory.
    pages_ = static_cast<Slot**>(std::calloc(kPages, sizeof(Slot*)));
    code_lines_ = static_cast<uint64_t*>(std::calloc(kPages, sizeof(uint64_t)));
    if (!pages_ || !code_lines_) throw std::bad_alloc();
    empty_page_.assign(kSlotsPerPage, Slot{});
    reset();
}

Rv32Core::~Rv32Core() {
    for (uint32_t p : allocated_) delete[] pages_[p];
    std::free(pages_);
    std::free(code_lines_);
}

void Rv32Core::reset() {
    std::memset(x_, 0, sizeof x_);
    pc_ = cfg_.reset_pc;
    cycles_ = instret_ = 0;
    mstatus_ = kMstatusMpp;
    priv_ = Priv::Machine;
    mcounteren_ = 0;
    pmp_.reset();
    triggers_.reset();
    trigger_hit_ = -1;
    trigger_skip_ = false;
    mie_ = mtvec_ = mscratch_ = mepc_ = mcause_ = mtval_ = 0;
    mcycle_offset_ = minstret_offset_ = 0;
    wfi_ = in_trap_ = halted_ = trap_loop_ = reservation_valid_ = false;
    trap_entry_instret_ = UINT64_MAX;
    stats_ = CoreStats{};
    update_irq();
    update_mode();
    invalidate_decode_all();
}

void Rv32Core::update_mode() {
    const bool mprv_user = (mstatus_ & kMstatusMprv) && (mstatus_ & kMstatusMpp) == 0;
    data_machine_ = machine() && !mprv_user;
    pmp_fetch_ = !machine() || pmp_.any_locked();
    pmp_data_ = !data_machine_ || pmp_.any_locked();
    checked_ = pmp_fetch_ || pmp_data_ || triggers_.any();
    fetch_lo_ = 1, fetch_span_ = 0;  // check the next fetch
}

void Rv32Core::set_privilege(Priv p) {
    priv_ = p;
    update_irq();
    update_mode();
}

// ----------------------------------------------------------------------------------------
// DMI ranges

void Rv32Core::add_range(DmiRange* ranges, unsigned& n, const DmiRange& r) {
    drop_ranges(ranges, n, r.lo, uint64_t{r.lo} + r.span);
    if (n == kMaxDmi) {  // forget the oldest
        std::memmove(ranges, ranges + 1, (kMaxDmi - 1) * sizeof(DmiRange));
        --n;
    }
    ranges[n++] = r;
}

void Rv32Core::drop_ranges(DmiRange* ranges, unsigned& n, uint64_t lo, uint64_t hi) {
    unsigned k = 0;
    for (unsigned i = 0; i < n; ++i) {
        const uint64_t rlo = ranges[i].lo, rhi = rlo + ranges[i].span;
        if (rhi < lo || rlo > hi) ranges[k++] = ranges[i];
    }
    n = k;
}

void Rv32Core::add_dmi(uint32_t lo, uint32_t hi, uint8_t* host, bool readable, bool writable,
                       double read_cycles_per_byte, double write_cycles_per_byte) {
    // Whole words only: an aligned access that starts inside a range then ends inside it.
    const uint64_t alo = (uint64_t{lo} + 3) & ~uint64_t{3};
    const uint64_t ahi_excl = (uint64_t{hi} + 1) & ~uint64_t{3};
    if (!host || ahi_excl <= alo) return;
    DmiRange r{static_cast<uint32_t>(alo), static_cast<uint32_t>(ahi_excl - 1 - alo), host + (alo - lo), {}};
    auto set_costs = [&r](double per_byte) {
        for (unsigned k = 0; k < 3; ++k)  // the epsilon keeps exact products (2.0 * 4) from rounding up
            r.cycles[k] = per_byte > 0 ? static_cast<uint32_t>(std::ceil(per_byte * (1u << k) - 1e-9)) : 0;
    };
    if (readable) {
        set_costs(read_cycles_per_byte);
        add_range(dmi_r_, n_dmi_r_, r);
    }
    if (writable) {
        set_costs(write_cycles_per_byte);
        add_range(dmi_w_, n_dmi_w_, r);
    }
}

void Rv32Core::invalidate_dmi(uint64_t lo, uint64_t hi) {
    drop_ranges(dmi_r_, n_dmi_r_, lo, hi);
    drop_ranges(dmi_w_, n_dmi_w_, lo, hi);
}

// ----------------------------------------------------------------------------------------
// Decode cache

bool Rv32Core::fetch_parcel(uint32_t addr, uint16_t& parcel) {
    if (const DmiRange* r = find(dmi_r_, n_dmi_r_, addr)) {
        std::memcpy(&parcel, r->host + (addr - r->lo), 2);
        return true;
    }
    return bus_.fetch(addr, parcel) == BusStatus::Ok;
}

void Rv32Core::mark_code(uint32_t addr) {
    code_lines_[addr >> kPageBits] |= uint64_t{1} << ((addr >> kLineBits) & 63);
}

Rv32Core::Slot* Rv32Core::decode_slot(uint32_t pc) {
    if (pc & 1) {  // only reachable through set_pc: jumps clear bit 0 and offsets are even
        exit_ = raise(cause::kInsnMisaligned, pc);
        return nullptr;
    }
    uint16_t lo = 0, hi = 0;
    if (pmp_fetch_ && !pmp_.allows(pc, 2, Pmp::kX, machine())) {
        exit_ = raise(cause::kInsnAccessFault, pc);
        return nullptr;
    }
    if (!fetch_parcel(pc, lo)) {
        exit_ = raise(cause::kInsnAccessFault, pc);
        return nullptr;
    }
    const unsigned len = rv32::insn_length(lo);
    // A fault on the second parcel reports that parcel's address (privileged spec 3.1.16).
    if (len == 4 && ((pmp_fetch_ && !pmp_.allows(pc + 2, 2, Pmp::kX, machine())) || !fetch_parcel(pc + 2, hi))) {
        exit_ = raise(cause::kInsnAccessFault, pc + 2);
        return nullptr;
    }
    Slot*& page = pages_[pc >> kPageBits];
    if (!page) {
        page = new Slot[kSlotsPerPage]();
        allocated_.push_back(pc >> kPageBits);
    }
    const DecodedInsn di = rv32::decode(static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16));
    Slot& d = page[(pc & 0xfff) >> 1];
    d.h = static_cast<uint8_t>(2 * static_cast<unsigned>(di.op) + (di.len == 2));
    d.rd = di.rd;
    d.rs1 = di.rs1;
    d.rs2 = di.rs2;
    d.imm = di.imm;
    d.raw = di.raw;
    d.len = di.len;
    d.cost = static_cast<uint16_t>(di.op == Op::Illegal ? 0 : costs_[static_cast<int>(rv32::op_class(di.op))]);
    mark_code(pc);
    if (len == 4) mark_code(pc + 2);
    ++stats_.decodes;
    // A debugger breakpoint lives in the slot: its handler stops before the instruction, and
    // the other fields keep the decoded instruction (for traces).
    if (!breakpoints_.empty() && has_breakpoint(pc) && !(skip_breakpoint_ && pc == skip_pc_))
        d.h = kBreakpointHandler;
    return &d;
}

// ----------------------------------------------------------------------------------------
// Debugger breakpoints

void Rv32Core::add_breakpoint(uint32_t pc) {
    if (has_breakpoint(pc)) return;
    breakpoints_.push_back(pc);
    invalidate_decode(pc, 2);  // re-decoded with the breakpoint handler
}

bool Rv32Core::remove_breakpoint(uint32_t pc) {
    auto it = std::find(breakpoints_.begin(), breakpoints_.end(), pc);
    if (it == breakpoints_.end()) return false;
    breakpoints_.erase(it);
    invalidate_decode(pc, 2);
    return true;
}

bool Rv32Core::has_breakpoint(uint32_t pc) const {
    return std::find(breakpoints_.begin(), breakpoints_.end(), pc) != breakpoints_.end();
}

void Rv32Core::skip_breakpoint_at(uint32_t pc) {
    skip_breakpoint_ = true;
    skip_pc_ = pc;
    trigger_skip_ = true;
    trigger_skip_pc_ = pc;
    trigger_skip_instret_ = instret_;
}

// Executes the instruction at skip_pc_ with its breakpoint out of the decode cache, puts the
// breakpoint back, and runs on with what is left of the budget.
RunExit Rv32Core::run_over_breakpoint(uint64_t max_cycles, uint64_t instret_limit) {
    skip_breakpoint_ = false;
    const uint32_t pc = skip_pc_;
    if (pc_ != pc || !has_breakpoint(pc)) return run_slice(max_cycles, instret_limit);
    skip_breakpoint_ = true;
    invalidate_decode(pc, 2);
    const uint64_t c0 = cycles_;
    const RunExit e = run_slice(max_cycles, std::min(instret_limit, instret_ + 1));
    skip_breakpoint_ = false;
    invalidate_decode(pc, 2);
    const uint64_t used = cycles_ - c0;
    if (e != RunExit::InstructionLimit || instret_ >= instret_limit || used >= max_cycles) return e;
    return run_slice(max_cycles - used, instret_limit);
}

void Rv32Core::invalidate_line(uint32_t addr) {
    const uint32_t page = addr >> kPageBits;
    const unsigned line = (addr >> kLineBits) & 63;
    code_lines_[page] &= ~(uint64_t{1} << line);
    ++stats_.code_invalidations;
    constexpr unsigned kSlotsPerLine = 1u << (kLineBits - 1);
    if (Slot* p = pages_[page]) std::memset(p + line * kSlotsPerLine, 0, kSlotsPerLine * sizeof(Slot));
    // A 4-byte instruction in the last slot before this line has its upper half here.
    Slot* prev = nullptr;
    if (line > 0)
        prev = pages_[page] ? pages_[page] + line * kSlotsPerLine - 1 : nullptr;
    else if (page > 0 && pages_[page - 1])
        prev = pages_[page - 1] + kSlotsPerPage - 1;
    if (prev && prev->len == 4) *prev = Slot{};
}

void Rv32Core::invalidate_decode(uint32_t addr, uint32_t len) {
    if (len == 0) return;
    const uint64_t end = uint64_t{addr} + len;
    for (uint64_t a = addr & ~((1u << kLineBits) - 1); a < end; a += 1u << kLineBits) {
        const uint32_t a32 = static_cast<uint32_t>(a);
        if ((code_lines_[a32 >> kPageBits] >> ((a32 >> kLineBits) & 63)) & 1) invalidate_line(a32);
    }
}

void Rv32Core::invalidate_decode_all() {
    for (uint32_t p : allocated_) {
        std::memset(pages_[p], 0, kSlotsPerPage * sizeof(Slot));
        code_lines_[p] = 0;
    }
}

// ----------------------------------------------------------------------------------------
// Traps, interrupts, CSRs

void Rv32Core::set_interrupt_lines(bool software, bool timer, bool external) {
    mip_ = (software ? kMipMsip : 0) | (timer ? kMipMtip : 0) | (external ? kMipMeip : 0);
    update_irq();
}

void Rv32Core::enter_trap(uint32_t mcause, uint32_t tval) {
    last_trap_ = {mcause, pc_, tval};
    mepc_ = pc_;
    mcause_ = mcause;
    mtval_ = tval;
    // MPIE <- MIE, MIE <- 0, MPP <- the trapped mode, into M-mode (privileged spec 3.1.6.1).
    mstatus_ = (mstatus_ & ~(kMstatusMie | kMstatusMpie | kMstatusMpp)) | ((mstatus_ & kMstatusMie) ? kMstatusMpie : 0) |
               (static_cast<uint32_t>(priv_) << 11);
    priv_ = Priv::Machine;
    const uint32_t base = mtvec_ & ~3u;
    const bool vectored = (mtvec_ & 3) == 1 && (mcause & cause::kInterrupt);
    pc_ = vectored ? base + 4 * (mcause & ~cause::kInterrupt) : base;
    in_trap_ = true;
    wfi_ = false;
    reservation_valid_ = false;  // xRET/traps may clear the reservation (privileged spec 3.3.2)
    trap_entry_instret_ = instret_;
    update_irq();
    update_mode();
}

RunExit Rv32Core::raise(uint32_t mcause, uint32_t tval) {
    // No instruction retired since the last trap entry: the handler's first instruction
    // trapped (or could not be fetched). Entering the handler again would loop forever.
    if (trap_entry_instret_ == instret_) {
        loop_first_ = last_trap_;
        loop_second_ = {mcause, pc_, tval};
        trap_loop_ = halted_ = true;
        return RunExit::TrapLoop;
    }
    ++stats_.exceptions[mcause & 15];
    enter_trap(mcause, tval);
    return RunExit::StateChange;
}

RunExit Rv32Core::after_bus() {
    end_slice_ = false;
    if (stop_.load(std::memory_order_relaxed)) return RunExit::Stop;
    if (irq_pending_) {
        // Priority MEI > MSI > MTI (privileged spec 3.1.9).
        const uint32_t p = mip_ & mie_;
        const uint32_t code = (p & kMipMeip) ? 11 : (p & kMipMsip) ? 3 : 7;
        ++stats_.interrupts[code];
        enter_trap(cause::kInterrupt | code, 0);
        return RunExit::StateChange;
    }
    return RunExit::Budget;
}

void Rv32Core::exec_mret() {
    // Into MPP's mode; MIE <- MPIE, MPIE <- 1, MPP <- U (the least-privileged mode), and
    // MPRV <- 0 when that mode is not M (privileged spec 3.1.6.1, 3.3.2).
    priv_ = (mstatus_ & kMstatusMpp) == kMstatusMpp ? Priv::Machine : Priv::User;
    mstatus_ = (mstatus_ & ~(kMstatusMie | kMstatusMpp)) | ((mstatus_ & kMstatusMpie) ? kMstatusMie : 0) | kMstatusMpie;
    if (!machine()) mstatus_ &= ~kMstatusMprv;
    pc_ = mepc_;
    in_trap_ = false;
    reservation_valid_ = false;
    update_irq();
    update_mode();
}

std::string Rv32Core::trap_loop_message() const {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "trap loop: %s at pc 0x%08x (mtval 0x%08x) entered the handler at 0x%08x, whose first "
                  "instruction raised %s (mtval 0x%08x)",
                  cause_name(loop_first_.cause).c_str(), loop_first_.epc, loop_first_.tval, loop_second_.epc,
                  cause_name(loop_second_.cause).c_str(), loop_second_.tval);
    return buf;
}

// csr.def's PMP rows describe this core's PMP: one pmpaddr per entry, four entries per pmpcfg.
static_assert(csr::kPmpaddrCount == Pmp::kEntries && csr::kPmpcfgCount * 4 == Pmp::kEntries);

bool Rv32Core::csr_read(uint32_t c, uint32_t& v) const {
    switch (c) {
    case csr::kMstatus: v = mstatus_; return true;
    case csr::kMstatush: v = 0; return true;  // little-endian only: MBE = SBE = 0
    case csr::kMisa: v = kMisaRv32imacu; return true;
    case csr::kMcounteren: v = mcounteren_; return true;
    case csr::kMie: v = mie_; return true;
    case csr::kMip: v = mip_; return true;
    case csr::kMtvec: v = mtvec_; return true;
    case csr::kMscratch: v = mscratch_; return true;
    case csr::kMepc: v = mepc_; return true;
    case csr::kMcause: v = mcause_; return true;
    case csr::kMtval: v = mtval_; return true;
    case csr::kMcycle:
    case csr::kCycle: v = static_cast<uint32_t>(cycles_ + mcycle_offset_); return true;
    case csr::kMcycleh:
    case csr::kCycleh: v = static_cast<uint32_t>((cycles_ + mcycle_offset_) >> 32); return true;
    case csr::kMinstret:
    case csr::kInstret: v = static_cast<uint32_t>(instret_ + minstret_offset_); return true;
    case csr::kMinstreth:
    case csr::kInstreth: v = static_cast<uint32_t>((instret_ + minstret_offset_) >> 32); return true;
    case csr::kTime:
    case csr::kTimeh:
        if (!time_source) return false;  // lets M-mode software emulate it (privileged spec 3.1.10)
        v = static_cast<uint32_t>(c == csr::kTime ? time_source() : time_source() >> 32);
        return true;
    case csr::kMvendorid:
    case csr::kMarchid:
    case csr::kMimpid:
    case csr::kMhartid:
    case csr::kMconfigptr: v = 0; return true;
    default:
        break;
    }
    if (c >= csr::kPmpcfg0 && c < csr::kPmpcfg0 + csr::kPmpcfgCount) {
        v = pmp_.cfg_csr(c - csr::kPmpcfg0);
        return true;
    }
    if (c >= csr::kPmpaddr0 && c < csr::kPmpaddr0 + csr::kPmpaddrCount) {
        v = pmp_.addr_csr(c - csr::kPmpaddr0);
        return true;
    }
    if (triggers_.read(c, v)) return true;
    // mhpmcounter3..31(h), mhpmevent3..31 and their user shadows: implemented as read-only
    // zero, which the spec allows (privileged spec 3.1.10).
    const auto in = [c](uint32_t first, uint32_t count) { return c >= first && c < first + count; };
    if (in(csr::kMhpmcounter3, csr::kMhpmcounterCount) || in(csr::kMhpmcounterh3, csr::kMhpmcounterhCount) ||
        in(csr::kMhpmevent3, csr::kMhpmeventCount) || in(csr::kHpmcounter3, csr::kHpmcounterCount) ||
        in(csr::kHpmcounterh3, csr::kHpmcounterhCount)) {
        v = 0;
        return true;
    }
    return false;
}

// Writes an existing, writable CSR (the caller checked both). WARL fields keep legal values.
void Rv32Core::csr_write(uint32_t c, uint32_t v, bool debugger) {
    switch (c) {
    case csr::kMstatus:
        // MPP holds M or U only: S (1) and the reserved 2 become U.
        mstatus_ = (v & (kMstatusMie | kMstatusMpie | kMstatusMprv | kMstatusTw)) |
                   ((v & kMstatusMpp) == kMstatusMpp ? kMstatusMpp : 0);
        update_mode();
        break;
    case csr::kMcounteren: mcounteren_ = v & kMcounterenMask; break;
    case csr::kMie: mie_ = v & (kMipMsip | kMipMtip | kMipMeip); break;
    case csr::kMtvec: mtvec_ = v & ~2u; break;  // modes 0 (direct) and 1 (vectored) only
    case csr::kMscratch: mscratch_ = v; break;
    case csr::kMepc: mepc_ = v & ~1u; break;  // IALIGN = 16 with C
    case csr::kMcause: mcause_ = v; break;
    case csr::kMtval: mtval_ = v; break;
    case csr::kMcycle:
    case csr::kMcycleh: {
        const uint64_t cur = cycles_ + mcycle_offset_;
        const uint64_t nv = c == csr::kMcycle ? (cur & 0xffffffff00000000ull) | v
                                              : (cur & 0xffffffffull) | (uint64_t{v} << 32);
        mcycle_offset_ = nv - cycles_;
        break;
    }
    case csr::kMinstret:
    case csr::kMinstreth: {
        const uint64_t cur = instret_ + minstret_offset_;
        const uint64_t nv = c == csr::kMinstret ? (cur & 0xffffffff00000000ull) | v
                                                : (cur & 0xffffffffull) | (uint64_t{v} << 32);
        minstret_offset_ = nv - instret_;
        break;
    }
    default:
        if (c >= csr::kPmpcfg0 && c < csr::kPmpcfg0 + csr::kPmpcfgCount) {
            pmp_.write_cfg_csr(c - csr::kPmpcfg0, v);
        } else if (c >= csr::kPmpaddr0 && c < csr::kPmpaddr0 + csr::kPmpaddrCount) {
            pmp_.write_addr_csr(c - csr::kPmpaddr0, v);
        } else {
            triggers_.write(c, v, debugger);  // ignores CSRs that are not its own
        }
        // misa, mip, mstatush, hpm counters/events: writes ignored (WARL)
        update_mode();
        break;
    }
    update_irq();
}

bool Rv32Core::read_csr(uint32_t c, uint32_t& v) const { return csr_read(c, v); }

bool Rv32Core::write_csr(uint32_t c, uint32_t v) {
    uint32_t old;
    if (!csr_read(c, old) || (c >> 10) == 3) return false;
    csr_write(c, v, true);
    return true;
}

bool Rv32Core::exec_csr(const Slot& d) {
    const uint32_t c = static_cast<uint32_t>(d.imm);
    const Op op = op_of(d);
    uint32_t old;
    if (!csr_read(c, old)) return false;
    if (!machine()) {
        // Bits 9:8 are the lowest mode that may access the CSR (privileged spec 2.1); U-mode
        // reads the counters only where mcounteren allows (3.1.11).
        if ((c >> 8) & 3) return false;
        const bool counter = (c >= csr::kCycle && c <= csr::kCycle + 31) || (c >= csr::kCycleh && c <= csr::kCycleh + 31);
        if (counter && !((mcounteren_ >> (c & 31)) & 1)) return false;
    }
    const bool imm_form = op == Op::Csrrwi || op == Op::Csrrsi || op == Op::Csrrci;
    const uint32_t src = imm_form ? d.rs1 : x_[d.rs1];
    bool write = true;
    uint32_t nv = src;
    switch (op) {
    case Op::Csrrs:
    case Op::Csrrsi: write = d.rs1 != 0, nv = old | src; break;  // rs1 = x0 / uimm = 0: no write
    case Op::Csrrc:
    case Op::Csrrci: write = d.rs1 != 0, nv = old & ~src; break;
    default: break;
    }
    if (write && (c >> 10) == 3) return false;  // read-only CSR (Zicsr spec 9.1)
    x_[d.rd] = old;
    if (write) {
        csr_write(c, nv, false);
        // A write to mcycle/minstret (either half) takes precedence over the writing
        // instruction's own increment (privileged spec 3.1.10; as Spike does).
        if (c == csr::kMcycle || c == csr::kMcycleh) mcycle_offset_ -= d.cost;
        if (c == csr::kMinstret || c == csr::kMinstreth) minstret_offset_ -= 1;
    }
    pc_ += d.len;
    cycles_ += d.cost;
    ++instret_;
    return true;
}

// ----------------------------------------------------------------------------------------
// Slow-path memory (bus) accesses, used when no DMI range covers the address.

bool Rv32Core::mem_load(uint32_t addr, unsigned size, uint32_t& value) {
    if (pmp_data_ && !pmp_.allows(addr, size, Pmp::kR, data_machine_)) return false;
    if (const DmiRange* r = find(dmi_r_, n_dmi_r_, addr)) {
        value = 0;
        std::memcpy(&value, r->host + (addr - r->lo), size);
        cycles_ += r->cycles[size >> 1];
        return true;
    }
    return bus_.load(addr, size, value) == BusStatus::Ok;
}

bool Rv32Core::mem_store(uint32_t addr, unsigned size, uint32_t value) {
    if (pmp_data_ && !pmp_.allows(addr, size, Pmp::kW, data_machine_)) return false;
    if (const DmiRange* r = find(dmi_w_, n_dmi_w_, addr)) {
        std::memcpy(r->host + (addr - r->lo), &value, size);
        cycles_ += r->cycles[size >> 1];
        return true;
    }
    return bus_.store(addr, size, value) == BusStatus::Ok;
}

// ----------------------------------------------------------------------------------------
// The checked paths: triggers, misalignment, PMP

bool Rv32Core::fire_trigger(int t, uint32_t tval) {
    triggers_.set_hit(t);
    if (triggers_.action(t) == 1) {  // enter debug mode: the debugger takes over, nothing executed
        trigger_hit_ = t;
        trigger_tval_ = tval;
        exit_ = RunExit::Breakpoint;
        return false;
    }
    // A breakpoint exception; mtval holds the matched address (or the pc, for execute).
    return fail(cause::kBreakpoint, tval);
}

bool Rv32Core::data_access(uint32_t addr, unsigned size, bool write, uint32_t& value) {
    const uint32_t op = write ? Triggers::kStore : Triggers::kLoad;
    const bool mie = mstatus_ & kMstatusMie;
    // Trigger matches come first (privileged spec 1.12, table 3.7), store data ones included.
    if (triggers_.any_data() && !trigger_skipped()) {
        int t = triggers_.match(op, addr, size, 0, false, machine(), mie);
        if (t < 0 && write) t = triggers_.match(op, addr, size, value, true, machine(), mie);
        if (t >= 0) return fire_trigger(t, addr);
    }
    if (addr & (size - 1)) {
        if (!cfg_.misaligned_emulate) return fail(write ? cause::kStoreMisaligned : cause::kLoadMisaligned, addr);
        uint32_t v = 0;
        for (unsigned k = 0; k < size; ++k) {
            uint32_t byte = (value >> (8 * k)) & 0xff;
            if (write ? !mem_store(addr + k, 1, byte) : !mem_load(addr + k, 1, byte))
                return fail(write ? cause::kStoreAccessFault : cause::kLoadAccessFault, addr + k);
            v |= (byte & 0xff) << (8 * k);
        }
        if (!write) value = v;
    } else if (write ? !mem_store(addr, size, value) : !mem_load(addr, size, value)) {
        return fail(write ? cause::kStoreAccessFault : cause::kLoadAccessFault, addr);
    }
    // Load data triggers can only look once the value is there: the load has been made (a
    // device read has its side effect) but rd is not written (the caller sees false).
    if (!write && triggers_.any_data() && !trigger_skipped()) {
        const int t = triggers_.match(op, addr, size, value, true, machine(), mie);
        if (t >= 0) return fire_trigger(t, addr);
    }
    return true;
}

bool Rv32Core::check_fetch(uint32_t len, uint32_t raw) {
    const uint32_t pc = pc_;
    if (triggers_.any_execute() && !trigger_skipped()) {
        const int t = triggers_.match(Triggers::kExecute, pc, 1, raw, false, machine(), mstatus_ & kMstatusMie);
        const int td = t >= 0 ? t : triggers_.match(Triggers::kExecute, pc, 1, raw, true, machine(), mstatus_ & kMstatusMie);
        if (td >= 0) return fire_trigger(td, pc);
    }
    uint32_t lo = 0, span = ~0u;
    if (pmp_fetch_) {
        const Pmp::Window w = pmp_.window(pc, Pmp::kX, machine());
        if (!w.allowed) return fail(cause::kInsnAccessFault, pc);
        // A 4-byte instruction may end in the next window (the fault names that parcel).
        if (len == 4 && pc + 2 > w.hi && !pmp_.allows(pc + 2, 2, Pmp::kX, machine()))
            return fail(cause::kInsnAccessFault, pc + 2);
        // The window covers whole instructions starting in [lo, lo + span] (4 bytes at most).
        lo = w.lo;
        span = w.hi - w.lo >= 3 ? w.hi - w.lo - 3 : 0;
        if (w.hi - w.lo < 3) lo = 1;  // too small to skip checks: keep it empty
    }
    if (triggers_.any_execute()) lo = 1, span = 0;  // every pc is checked while one is set
    fetch_lo_ = lo, fetch_span_ = span;
    return true;
}

// lr.w, sc.w and the AMOs (all word-sized). State is flushed; retires on success.
bool Rv32Core::exec_amo(const Slot& d) {
    const uint32_t addr = x_[d.rs1], src = x_[d.rs2];
    const Op op = op_of(d);
    if (triggers_.any_data() && !trigger_skipped()) {  // an AMO both loads and stores; lr.w loads, sc.w stores
        const uint32_t ops = op == Op::LrW ? Triggers::kLoad : op == Op::ScW ? Triggers::kStore
                                                                           : Triggers::kLoad | Triggers::kStore;
        const bool mie = mstatus_ & kMstatusMie;
        for (uint32_t o : {Triggers::kLoad, Triggers::kStore}) {
            if (!(ops & o)) continue;
            int t = triggers_.match(o, addr, 4, 0, false, machine(), mie);
            if (t < 0 && o == Triggers::kStore && op != Op::LrW) t = triggers_.match(o, addr, 4, src, true, machine(), mie);
            if (t >= 0) return fire_trigger(t, addr);
        }
    }
    if (op == Op::LrW) {
        uint32_t v;
        if (addr & 3) return (exit_ = raise(cause::kLoadMisaligned, addr)), false;
        if (!mem_load(addr, 4, v)) return (exit_ = raise(cause::kLoadAccessFault, addr)), false;
        reservation_valid_ = true;
        reservation_addr_ = addr;
        x_[d.rd] = v;
    } else if (op == Op::ScW) {
        if (addr & 3) return (exit_ = raise(cause::kStoreMisaligned, addr)), false;
        const bool ok = reservation_valid_ && reservation_addr_ == addr;
        if (ok && !mem_store(addr, 4, src)) return (exit_ = raise(cause::kStoreAccessFault, addr)), false;
        reservation_valid_ = false;
        x_[d.rd] = ok ? 0 : 1;
        if (ok) check_code(addr);
    } else {
        uint32_t old;
        if (addr & 3) return (exit_ = raise(cause::kStoreMisaligned, addr)), false;
        if (!mem_load(addr, 4, old)) return (exit_ = raise(cause::kStoreAccessFault, addr)), false;
        if (!mem_store(addr, 4, amo_result(op, old, src))) return (exit_ = raise(cause::kStoreAccessFault, addr)), false;
        x_[d.rd] = old;
        check_code(addr);
    }
    pc_ += d.len;
    cycles_ += d.cost;
    ++instret_;
    return true;
}

void Rv32Core::set_trace(std::ostream* os, std::function<std::string(uint64_t)> prefix) {
    trace_ = os;
    trace_prefix_ = std::move(prefix);
}

void Rv32Core::trace_insn(uint32_t pc, const Slot& d, uint64_t cycles) {
    char buf[32];
    std::snprintf(buf, sizeof buf, d.len == 2 ? "%08x: %04x      " : "%08x: %08x  ", pc, d.raw);
    if (trace_prefix_) *trace_ << trace_prefix_(cycles);
    *trace_ << buf << rv32::disassemble(d.raw, pc) << '\n';
}

// ----------------------------------------------------------------------------------------
// The interpreter

RunExit Rv32Core::run(uint64_t max_cycles, uint64_t instret_limit) {
    if (UNLIKELY(skip_breakpoint_)) return run_over_breakpoint(max_cycles, instret_limit);
    return run_slice(max_cycles, instret_limit);
}

RunExit Rv32Core::run_slice(uint64_t max_cycles, uint64_t instret_limit) {
    if (trap_loop_) return RunExit::TrapLoop;
    if (stop_.load(std::memory_order_relaxed)) return RunExit::Stop;
    if (instret_ >= instret_limit) return RunExit::InstructionLimit;
    if (wfi_) {
        // WFI resumes when an interrupt is pending and enabled in mie, whatever mstatus.MIE
        // (privileged spec 3.3.3).
        if ((mip_ & mie_) == 0) return RunExit::Wfi;
        wfi_ = false;
    }
    end_slice_ = false;
    if (irq_pending_) return after_bus();
    const uint64_t end = max_cycles > UINT64_MAX - cycles_ ? UINT64_MAX : cycles_ + max_cycles;
    for (;;) {
        reselect_ = false;
        const RunExit e = select_loop(end, instret_limit);
        if (!reselect_) return e;
    }
}

RunExit Rv32Core::select_loop(uint64_t end, uint64_t instret_limit) {
    if (UNLIKELY(checked_)) return trace_ ? loop<true, true>(end, instret_limit) : loop<false, true>(end, instret_limit);
    return trace_ ? loop<true, false>(end, instret_limit) : loop<false, false>(end, instret_limit);
}

template <bool kTrace, bool kChecked>
RunExit Rv32Core::loop(uint64_t cycle_end, uint64_t instret_limit) {
    // Threaded dispatch (GCC/Clang labels as values): every handler ends with its own
    // indirect jump to the next one, which predicts better than one shared switch jump.
    // Handler h = 2 * op + (len == 2); each semantic body is instantiated for both lengths.
    static void* const kHandlers[] = {
#define STVP_RV32_HANDLER_ADDR(name) &&h_##name##_4, &&h_##name##_2,
        STVP_RV32_OPS(STVP_RV32_HANDLER_ADDR)
#undef STVP_RV32_HANDLER_ADDR
        &&h_breakpoint,  // kBreakpointHandler
    };
    static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) == kBreakpointHandler + 1u);

    uint32_t* const x = x_;
    uint32_t pc = pc_;
    uint64_t cyc = cycles_, n = instret_;
    const uint32_t taken = cfg_.cycles.branch_taken;
    // The current page, kept in a register: the next slot's address is pure arithmetic on
    // the pc as long as execution stays in the page.
    uint32_t page_base = 1;  // not page-aligned, so never equal to a page base: forces a lookup
    Slot* page = nullptr;
    Slot* d = nullptr;
    uint32_t a = 0, b = 0;

#define FLUSH() (pc_ = pc, cycles_ = cyc, instret_ = n)
#define RELOAD() (pc = pc_, cyc = cycles_, n = instret_)
#define DISPATCH()                                                                  \
    do {                                                                            \
        if (UNLIKELY(cyc >= cycle_end || n >= instret_limit)) goto done;            \
        if (UNLIKELY((pc & ~((1u << kPageBits) - 1)) != page_base)) {              \
            page_base = pc & ~((1u << kPageBits) - 1);                              \
            page = pages_[pc >> kPageBits];                                         \
            if (!page) page = empty_page_.data();                                   \
        }                                                                           \
        d = &page[(pc >> 1) & (kSlotsPerPage - 1)];                                 \
        if (UNLIKELY(d->h == 0)) goto decode;                                       \
        if constexpr (kChecked)                                                     \
            if (UNLIKELY(pc - fetch_lo_ > fetch_span_)) goto fetch_check;           \
        EXECUTE();                                                                  \
    } while (0)
#define EXECUTE()                                                                   \
    do {                                                                            \
        if constexpr (kTrace) trace_insn(pc, *d, cyc);                              \
        a = x[d->rs1];                                                              \
        b = x[d->rs2];                                                              \
        goto* kHandlers[d->h];                                                      \
    } while (0)
#define NEXT()            \
    do {                  \
        pc += L;          \
        cyc += d->cost;   \
        ++n;              \
        DISPATCH();       \
    } while (0)
    // After a bus access: the target may have raised an interrupt or asked to stop.
#define CHECK_ASYNC()                                                              \
    do {                                                                           \
        if (UNLIKELY(async_pending())) {                                           \
            FLUSH();                                                               \
            return after_bus();                                                    \
        }                                                                          \
    } while (0)
#define TRAP(c, tval)              \
    do {                           \
        FLUSH();                   \
        return raise((c), (tval)); \
    } while (0)
    // Defines the handler for both instruction lengths; L is the length in the body.
#define HANDLER(name, ...)                  \
    h_##name##_4 : {                        \
        [[maybe_unused]] constexpr uint32_t L = 4; \
        __VA_ARGS__                         \
    }                                       \
    h_##name##_2 : {                        \
        [[maybe_unused]] constexpr uint32_t L = 2; \
        __VA_ARGS__                         \
    }
#define ALU(name, expr) HANDLER(name, x[d->rd] = (expr); NEXT();)
#define BRANCH(name, cond)                          \
    HANDLER(name, if (cond) {                       \
        pc += static_cast<uint32_t>(d->imm);        \
        cyc += taken;                               \
        ++n;                                        \
        DISPATCH();                                 \
    } NEXT();)
    // Checked or misaligned accesses take the slow path (data_access), the rest the DMI or
    // bus path of a plain core. The slow path repeats the retirement code on purpose: merging
    // it with the bus path's changes the hot loop's code and costs about 5% of host
    // instructions (cachegrind, bench_iss).
#define LOAD(name, T, EXT)                                                              \
    HANDLER(name, {                                                                     \
        const uint32_t addr = a + static_cast<uint32_t>(d->imm);                        \
        if (UNLIKELY(addr & (sizeof(T) - 1)) && !kChecked && !cfg_.misaligned_emulate)  \
            TRAP(cause::kLoadMisaligned, addr);                                         \
        if (kChecked || UNLIKELY(addr & (sizeof(T) - 1))) {                             \
            uint32_t v = 0;                                                             \
            FLUSH();                                                                    \
            if (!data_access(addr, sizeof(T), false, v)) return exit_;                  \
            RELOAD();                                                                   \
            x[d->rd] = static_cast<uint32_t>(static_cast<EXT>(static_cast<T>(v)));      \
            pc += L;                                                                    \
            cyc += d->cost;                                                             \
            ++n;                                                                        \
            CHECK_ASYNC();                                                              \
            DISPATCH();                                                                 \
        }                                                                               \
        if (const DmiRange* r = find(dmi_r_, n_dmi_r_, addr)) {                          \
            T v;                                                                        \
            std::memcpy(&v, r->host + (addr - r->lo), sizeof(T));                      \
            x[d->rd] = static_cast<uint32_t>(static_cast<EXT>(v));                      \
            cyc += r->cycles[sizeof(T) >> 1];                                           \
            NEXT();                                                                     \
        }                                                                               \
        uint32_t v;                                                                     \
        FLUSH();                                                                        \
        const bool ok = bus_.load(addr, sizeof(T), v) == BusStatus::Ok;                 \
        RELOAD();                                                                       \
        if (!ok) TRAP(cause::kLoadAccessFault, addr);                                   \
        x[d->rd] = static_cast<uint32_t>(static_cast<EXT>(static_cast<T>(v)));          \
        pc += L;                                                                        \
        cyc += d->cost;                                                                 \
        ++n;                                                                            \
        CHECK_ASYNC();                                                                  \
        DISPATCH();                                                                     \
    })
    // Retire before the code check: invalidating this instruction's own line clears *d.
#define STORE(name, T)                                                                  \
    HANDLER(name, {                                                                     \
        const uint32_t addr = a + static_cast<uint32_t>(d->imm);                        \
        if (UNLIKELY(addr & (sizeof(T) - 1)) && !kChecked && !cfg_.misaligned_emulate)  \
            TRAP(cause::kStoreMisaligned, addr);                                        \
        if (kChecked || UNLIKELY(addr & (sizeof(T) - 1))) {                             \
            uint32_t v = static_cast<T>(b);                                             \
            FLUSH();                                                                    \
            if (!data_access(addr, sizeof(T), true, v)) return exit_;                   \
            RELOAD();                                                                   \
            pc += L;                                                                    \
            cyc += d->cost;                                                             \
            ++n;                                                                        \
            check_code(addr);                                                           \
            check_code(addr + sizeof(T) - 1); /* a misaligned store may cross a line */ \
            CHECK_ASYNC();                                                              \
            DISPATCH();                                                                 \
        }                                                                               \
        if (const DmiRange* r = find(dmi_w_, n_dmi_w_, addr)) {                          \
            const T v = static_cast<T>(b);                                              \
            std::memcpy(r->host + (addr - r->lo), &v, sizeof(T));                      \
            pc += L;                                                                    \
            cyc += d->cost + r->cycles[sizeof(T) >> 1];                                 \
            ++n;                                                                        \
            check_code(addr);                                                           \
            DISPATCH();                                                                 \
        }                                                                               \
        FLUSH();                                                                        \
        const bool ok = bus_.store(addr, sizeof(T), static_cast<T>(b)) == BusStatus::Ok; \
        RELOAD();                                                                       \
        if (!ok) TRAP(cause::kStoreAccessFault, addr);                                  \
        pc += L;                                                                        \
        cyc += d->cost;                                                                 \
        ++n;                                                                            \
        check_code(addr);                                                               \
        CHECK_ASYNC();                                                                  \
        DISPATCH();                                                                     \
    })
#define SLOW(name, ...) HANDLER(name, FLUSH(); __VA_ARGS__)

    DISPATCH();

decode:
    FLUSH();
    d = decode_slot(pc);
    if (!d) return exit_;
    cyc = cycles_;  // a bus fetch may have stalled
    page_base = 1;  // the page may have been allocated just now
    DISPATCH();

h_breakpoint:
    FLUSH();
    trigger_hit_ = -1;
    return RunExit::Breakpoint;

fetch_check: __attribute__((unused));  // kChecked only: the pc left the fetch window
    FLUSH();
    if (!check_fetch(d->len, d->raw)) return exit_;
    EXECUTE();

    HANDLER(Undecoded, TRAP(cause::kIllegalInsn, d->raw);)  // unreachable: h = 0 decodes
    HANDLER(Illegal, TRAP(cause::kIllegalInsn, d->raw);)
    ALU(Lui, static_cast<uint32_t>(d->imm))
    ALU(Auipc, pc + static_cast<uint32_t>(d->imm))
    HANDLER(Jal, {
        x[d->rd] = pc + L;
        pc += static_cast<uint32_t>(d->imm);
        cyc += d->cost;
        ++n;
        DISPATCH();
    })
    HANDLER(Jalr, {
        x[d->rd] = pc + L;  // a was read first, so jalr ra, 0(ra) works
        pc = (a + static_cast<uint32_t>(d->imm)) & ~1u;
        cyc += d->cost;
        ++n;
        DISPATCH();
    })
    BRANCH(Beq, a == b)
    BRANCH(Bne, a != b)
    BRANCH(Blt, static_cast<int32_t>(a) < static_cast<int32_t>(b))
    BRANCH(Bge, static_cast<int32_t>(a) >= static_cast<int32_t>(b))
    BRANCH(Bltu, a < b)
    BRANCH(Bgeu, a >= b)
    LOAD(Lb, int8_t, int32_t)
    LOAD(Lh, int16_t, int32_t)
    LOAD(Lw, uint32_t, uint32_t)
    LOAD(Lbu, uint8_t, uint32_t)
    LOAD(Lhu, uint16_t, uint32_t)
    STORE(Sb, uint8_t)
    STORE(Sh, uint16_t)
    STORE(Sw, uint32_t)
    ALU(Addi, a + static_cast<uint32_t>(d->imm))
    ALU(Slti, static_cast<int32_t>(a) < d->imm)
    ALU(Sltiu, a < static_cast<uint32_t>(d->imm))
    ALU(Xori, a ^ static_cast<uint32_t>(d->imm))
    ALU(Ori, a | static_cast<uint32_t>(d->imm))
    ALU(Andi, a & static_cast<uint32_t>(d->imm))
    ALU(Slli, a << d->imm)
    ALU(Srli, a >> d->imm)
    ALU(Srai, static_cast<uint32_t>(static_cast<int32_t>(a) >> d->imm))
    ALU(Add, a + b)
    ALU(Sub, a - b)
    ALU(Sll, a << (b & 31))
    ALU(Slt, static_cast<int32_t>(a) < static_cast<int32_t>(b))
    ALU(Sltu, a < b)
    ALU(Xor, a ^ b)
    ALU(Srl, a >> (b & 31))
    ALU(Sra, static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31)))
    ALU(Or, a | b)
    ALU(And, a & b)
    ALU(Mul, a * b)
    ALU(Mulh, static_cast<uint32_t>((int64_t{static_cast<int32_t>(a)} * int64_t{static_cast<int32_t>(b)}) >> 32))
    ALU(Mulhsu, static_cast<uint32_t>((int64_t{static_cast<int32_t>(a)} * static_cast<int64_t>(b)) >> 32))
    ALU(Mulhu, static_cast<uint32_t>((uint64_t{a} * uint64_t{b}) >> 32))
    // Division by zero and overflow do not trap (unprivileged spec 7.2, table 7.1).
    ALU(Div, b == 0 ? ~0u
             : (a == 0x80000000u && b == ~0u) ? a
                                              : static_cast<uint32_t>(static_cast<int32_t>(a) / static_cast<int32_t>(b)))
    ALU(Divu, b == 0 ? ~0u : a / b)
    ALU(Rem, b == 0 ? a
             : (a == 0x80000000u && b == ~0u) ? 0u
                                              : static_cast<uint32_t>(static_cast<int32_t>(a) % static_cast<int32_t>(b)))
    ALU(Remu, b == 0 ? a : a % b)
    HANDLER(Fence, NEXT();)  // one hart, in-order, no caches: nothing to order
    HANDLER(FenceI, {
        pc += L;
        cyc += d->cost;
        ++n;
        invalidate_decode_all();
        DISPATCH();
    })
    HANDLER(Ecall, TRAP(machine() ? cause::kEcallM : cause::kEcallU, 0);)
    HANDLER(Ebreak, TRAP(cause::kBreakpoint, pc);)
    HANDLER(Mret, {
        if (!machine()) TRAP(cause::kIllegalInsn, d->raw);
        cyc += d->cost;
        ++n;
        FLUSH();
        exec_mret();
        return RunExit::StateChange;
    })
    HANDLER(Wfi, {
        // mstatus.TW = 1: U-mode may not wait (an illegal instruction at once, time limit 0).
        if (!machine() && (mstatus_ & kMstatusTw)) TRAP(cause::kIllegalInsn, d->raw);
        pc += L;
        cyc += d->cost;
        ++n;
        if ((mip_ & mie_) == 0) {
            wfi_ = true;
            FLUSH();
            return RunExit::Wfi;
        }
        if (irq_pending_) {
            FLUSH();
            return after_bus();
        }
        DISPATCH();
    })
#define CSR_HANDLER(name)                                      \
    SLOW(name, {                                               \
        if (!exec_csr(*d)) TRAP(cause::kIllegalInsn, d->raw);  \
        RELOAD();                                              \
        if (UNLIKELY(irq_pending_)) {                          \
            FLUSH();                                           \
            return after_bus();                                \
        }                                                      \
        if (UNLIKELY(checked_ != kChecked)) { /* MPRV, PMP lock, triggers */ \
            reselect_ = true;                                  \
            return RunExit::Budget;                            \
        }                                                      \
        DISPATCH();                                            \
    })
    CSR_HANDLER(Csrrw)
    CSR_HANDLER(Csrrs)
    CSR_HANDLER(Csrrc)
    CSR_HANDLER(Csrrwi)
    CSR_HANDLER(Csrrsi)
    CSR_HANDLER(Csrrci)
#define AMO_HANDLER(name)                          \
    SLOW(name, {                                   \
        if (!exec_amo(*d)) return exit_;           \
        RELOAD();                                  \
        CHECK_ASYNC();                             \
        DISPATCH();                                \
    })
    AMO_HANDLER(LrW)
    AMO_HANDLER(ScW)
    AMO_HANDLER(AmoswapW)
    AMO_HANDLER(AmoaddW)
    AMO_HANDLER(AmoxorW)
    AMO_HANDLER(AmoandW)
    AMO_HANDLER(AmoorW)
    AMO_HANDLER(AmominW)
    AMO_HANDLER(AmomaxW)
    AMO_HANDLER(AmominuW)
    AMO_HANDLER(AmomaxuW)

done:
    FLUSH();
    return n >= instret_limit ? RunExit::InstructionLimit : RunExit::Budget;

#undef FLUSH
#undef RELOAD
#undef DISPATCH
#undef EXECUTE
#undef NEXT
#undef CHECK_ASYNC
#undef TRAP
#undef HANDLER
#undef ALU
#undef BRANCH
#undef LOAD
#undef STORE
#undef SLOW
#undef CSR_HANDLER
#undef AMO_HANDLER
}

}  // namespace stvp
