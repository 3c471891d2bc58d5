#include "health.h"

#include <algorithm>
#include <cstdio>

#include "accel/accel.h"
#include "accel/engine/command.h"
#include "bus/router.h"
#include "cpu/cpu.h"
#include "dma/dma.h"
#include "irq/plic.h"
#include "stvp/hw/regs.h"
#include "timer/clint.h"

namespace stvp {

namespace {

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
    return buf;
}

const char* state_name(int s) {
    switch (static_cast<CoreState>(s)) {
    case CoreState::Running: return "running";
    case CoreState::Wfi: return "asleep in WFI";
    case CoreState::InTrap: return "running in a trap handler";
    case CoreState::Halted: return "halted";
    }
    return "?";
}

// "MSI MTI MEI" for the bits of mie/mip.
std::string irq_bits(uint32_t v) {
    std::string s;
    if (v & kMipMsip) s += " MSI";
    if (v & kMipMtip) s += " MTI";
    if (v & kMipMeip) s += " MEI";
    return s.empty() ? std::string(" none") : s;
}

}  // namespace

HangMonitor::HangMonitor(sc_core::sc_module_name name, const SocParts& parts, SocEvents& events,
                         sc_core::sc_time timeout, FinishFn finish, WhereFn where)
    : sc_module(name), parts_(parts), timeout_(timeout), finish_(std::move(finish)), where_(std::move(where)) {
    SC_METHOD(check);  // runs at start too: arms the first check
    sensitive << check_ev_;
    if (parts_.cpu) {
        cpu_state_ = parts_.cpu->state.read();
        SC_METHOD(on_cpu_state);
        sensitive << parts_.cpu->state.value_changed_event();
        dont_initialize();
    }
    if (parts_.dma) {
        SC_METHOD(on_dma_busy);
        sensitive << parts_.dma->busy().value_changed_event();
        dont_initialize();
    }
    if (parts_.accel) {
        SC_METHOD(on_accel_busy);
        sensitive << parts_.accel->busy().value_changed_event();
        dont_initialize();
        SC_METHOD(on_accel_opcode);
        sensitive << parts_.accel->opcode().value_changed_event();
        dont_initialize();
    }
    for (std::size_t i = 0; i < parts_.initiators.size(); ++i)
        if (parts_.initiators[i] == "cpu") cpu_initiator_ = int(i);

    if (parts_.router) {
        parts_.router->add_observer([this](int initiator, const tlm::tlm_generic_payload& t, const RouterRegion*,
                                           const sc_core::sc_time& start, const sc_core::sc_time&) {
            const sc_core::sc_time& at = start;  // a device register: memory is neither progress nor polling
            if (t.is_write()) {
                ++progress_events_;
                poll_reads_ = 0;
                if (at >= last_progress_) {
                    last_progress_ = at;
                    last_progress_what_.clear();  // named when needed (diagnosis)
                    progress_addr_ = t.get_address();
                    progress_initiator_ = initiator;
                }
                return;
            }
            if (initiator != cpu_initiator_) return;
            if (poll_reads_++ == 0) poll_since_ = at;
            poll_addr_ = t.get_address();
        },
        [this](const RouterRegion* region) { return region && parts_.devices.count(region->name) != 0; });
    }
    if (parts_.dma)
        events.on_descriptor([this](const DmaDescriptorEvent& e) {
            if (e.fetched && !e.error) progress(e.end, "DMA descriptor " + hex(e.address) + " completed");
        });
    if (parts_.accel)
        events.on_op([this](const AccelOpRecord& r) {
            if (!r.error) progress(r.end, "accelerator descriptor #" + std::to_string(r.index) + " completed");
        });
}

void HangMonitor::progress(const sc_core::sc_time& t, const std::string& what) {
    ++progress_events_;
    poll_reads_ = 0;
    if (t >= last_progress_) {
        last_progress_ = t;
        last_progress_what_ = what;
    }
}

void HangMonitor::on_cpu_state() {
    cpu_state_ = parts_.cpu->state.read();
    cpu_state_since_ = sc_core::sc_time_stamp();
    rearm();
}

void HangMonitor::on_dma_busy() {
    dma_busy_ = parts_.dma->busy().read();
    dma_busy_since_ = sc_core::sc_time_stamp();
    rearm();
}

void HangMonitor::on_accel_busy() {
    accel_busy_ = parts_.accel->busy().read();
    accel_busy_since_ = sc_core::sc_time_stamp();
    rearm();
}

void HangMonitor::on_accel_opcode() {
    accel_opcode_ = parts_.accel->opcode().read();
    accel_op_since_ = sc_core::sc_time_stamp();
}

bool HangMonitor::live() const {
    const auto s = static_cast<CoreState>(cpu_state_);
    return s == CoreState::Running || s == CoreState::InTrap || dma_busy_ || accel_busy_;
}

bool HangMonitor::waiting_since(sc_core::sc_time& since) const {
    const auto s = static_cast<CoreState>(cpu_state_);
    if (s == CoreState::Wfi) {
        since = std::max(cpu_state_since_, last_progress_);
        return true;
    }
    if ((s == CoreState::Running || s == CoreState::InTrap) && poll_reads_ >= kPollReads) {
        since = std::max(poll_since_, last_progress_);
        return true;
    }
    return false;
}

// Schedules the next check: when the current wait would reach the timeout, or one timeout
// from now while the CPU computes. Nothing is scheduled unless something is live, so the
// monitor never keeps a finished simulation alive.
void HangMonitor::rearm() {
    check_ev_.cancel();
    if (timeout_ == sc_core::SC_ZERO_TIME || fired_ || !live()) return;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    sc_core::sc_time since;
    const sc_core::sc_time due = waiting_since(since) ? since + timeout_ : now + timeout_;
    check_ev_.notify(due > now ? due - now : sc_core::SC_ZERO_TIME);
}

void HangMonitor::check() {
    if (fired_ || timeout_ == sc_core::SC_ZERO_TIME) return;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    sc_core::sc_time since;
    if (live() && waiting_since(since) && now >= since + timeout_) {
        fired_ = true;
        const bool wfi = static_cast<CoreState>(cpu_state_) == CoreState::Wfi;
        std::string msg = "no progress for " + now_string(now - since) + ": the CPU " +
                          (wfi ? std::string("sleeps in WFI") : "polls " + reg_name(poll_addr_)) + " since " +
                          now_string(since);
        if (parts_.cpu) msg += " at " + where_(parts_.cpu->pc());
        msg += " (sim.hang_timeout_ns)";
        if (finish_) finish_(msg);
        return;
    }
    rearm();
}

std::string HangMonitor::now_string(const sc_core::sc_time& t) const {
    char buf[48];
    const double ns = t.to_seconds() * 1e9;
    if (ns >= 1e9) std::snprintf(buf, sizeof buf, "%.6f s", ns / 1e9);
    else if (ns >= 1e6) std::snprintf(buf, sizeof buf, "%.3f ms", ns / 1e6);
    else if (ns >= 1e3) std::snprintf(buf, sizeof buf, "%.3f us", ns / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f ns", ns);
    return buf;
}

std::vector<std::string> HangMonitor::diagnosis() const {
    std::vector<std::string> out;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (Cpu* cpu = parts_.cpu) {
        uint32_t mstatus = 0, mie = 0, mip = 0;
        cpu->read_csr(csr::kMstatus, mstatus);
        cpu->read_csr(csr::kMie, mie);
        cpu->read_csr(csr::kMip, mip);
        // The state this monitor saw last, and since when; a halt at the very end of the run
        // (a WFI deadlock, a stop) may not have reached it.
        const int s = cpu_state_;
        std::string state = std::string(state_name(s)) + " since " + now_string(cpu_state_since_);
        if (cpu->state.read() != s) state = std::string(state_name(cpu->state.read())) + " (before: " + state + ")";
        out.push_back("cpu: " + state + " at " + where_(cpu->pc()) + "; mstatus.MIE=" +
                      ((mstatus & kMstatusMie) ? "1" : "0") + ", mie:" + irq_bits(mie) + ", mip:" + irq_bits(mip));
        if (static_cast<CoreState>(s) == CoreState::Wfi)
            out.push_back("cpu: waits for an interrupt enabled in mie (" + irq_bits(mie).substr(1) + ")" +
                          ((mie & (kMipMsip | kMipMtip | kMipMeip)) ? "" : ": none is enabled, nothing can wake it"));
    }
    if (poll_reads_ >= kPollReads) {  // seen on the bus, whatever the CPU model
        out.push_back("cpu: polls " + reg_name(poll_addr_) + " (" + hex(poll_addr_) + ") since " +
                      now_string(poll_since_) + ": " + std::to_string(poll_reads_) +
                      " device-register reads and no device write since");
    }
    if (Dma* dma = parts_.dma) {
        const RegisterBank& r = dma->registers();
        const uint32_t status = r.value(DMA_STATUS);
        std::string line = "dma: ";
        if (dma->busy().read())
            line += "busy since " + now_string(dma_busy_since_) + " on descriptor " + hex(r.value(DMA_CUR_DESC)) + ", ";
        else
            line += std::string("idle") + ((status & DMA_STATUS_DONE_MASK) ? " (last chain done)" : "") +
                    ((status & DMA_STATUS_ERROR_MASK) ? " (last chain failed, ERR_CODE " +
                                                            std::to_string(r.value(DMA_ERR_CODE)) + ")"
                                                      : "") +
                    ", ";
        line += "done: " + std::to_string(r.value(DMA_DESCS_DONE)) + " descriptor(s), " +
                std::to_string(r.value(DMA_BYTES_COPIED)) + " bytes; INT_STATUS " + hex(r.value(DMA_INT_STATUS)) +
                ", INT_ENABLE " + hex(r.value(DMA_INT_ENABLE));
        if ((r.value(DMA_INT_STATUS) & ~r.value(DMA_INT_ENABLE)) != 0)
            line += " (a cause is set whose interrupt is disabled)";
        out.push_back(line);
    }
    if (Accel* a = parts_.accel) {
        const RegisterBank& r = a->registers();
        std::string line = "accel: ";
        if (a->busy().read()) {
            line += "busy since " + now_string(accel_busy_since_) + " on descriptor #" +
                    std::to_string(r.value(ACCEL_CUR_DESC)) + " of " + std::to_string(r.value(ACCEL_DESC_COUNT));
            if (accel_opcode_)
                line += " (" + std::string(accel::opcode_name(accel_opcode_)) + ", layer " +
                        std::to_string(a->layer().read()) + ", phase " + accel::phase_name(a->phase().read()) +
                        ", executing since " + now_string(accel_op_since_) + ")";
            else
                line += " (fetching/decoding)";
            line += ", ";
        } else {
            const uint32_t status = r.value(ACCEL_STATUS);
            line += std::string("idle") + ((status & ACCEL_STATUS_DONE_MASK) ? " (last chain done)" : "") +
                    ((status & ACCEL_STATUS_ERROR_MASK)
                         ? " (last chain failed: " + std::string(accel::error_name(r.value(ACCEL_ERR_CODE))) + ")"
                         : "") +
                    ", ";
        }
        line += "done: " + std::to_string(r.value(ACCEL_DESCS_DONE)) + " descriptor(s); INT_STATUS " +
                hex(r.value(ACCEL_INT_STATUS)) + ", INT_ENABLE " + hex(r.value(ACCEL_INT_ENABLE));
        if ((r.value(ACCEL_INT_STATUS) & ~r.value(ACCEL_INT_ENABLE)) != 0)
            line += " (a cause is set whose interrupt is disabled)";
        uint64_t nan = 0, inf = 0;
        if (parts_.accel_nonfinite && parts_.accel_nonfinite(nan, inf))
            line += "; non-finite results: " + std::to_string(nan) + " NaN, " + std::to_string(inf) + " Inf";
        out.push_back(line);
    }
    if (Plic* plic = parts_.plic) {
        const RegisterBank& r = plic->registers();
        const uint32_t pending = plic->pending(), enabled = r.value(PLIC_ENABLE), service = plic->in_service();
        auto sources = [&](uint32_t bits) {
            std::string s;
            for (unsigned i = 1; i < Plic::kSources; ++i) {
                if (!(bits >> i & 1)) continue;
                std::string n = std::to_string(i);
                for (const auto& [name, num] : parts_.plic_sources)
                    if (num == i) n = name + "(" + n + ")";
                s += " " + n;
            }
            return s.empty() ? std::string(" none") : s;
        };
        out.push_back("plic: pending" + sources(pending) + "; enabled" + sources(enabled) + "; in service" +
                      sources(service) + "; threshold " + std::to_string(r.value(PLIC_THRESHOLD)) +
                      "; meip " + (plic->irq_external.read() ? "1" : "0"));
    }
    if (Clint* clint = parts_.clint) {
        const uint64_t cmp = clint->mtimecmp(), mtime = clint->mtime_now();
        sc_core::sc_time due;
        std::string line = "clint: mtime " + std::to_string(mtime) + ", mtimecmp ";
        if (cmp == ~uint64_t(0))
            line += "not set";
        else if (cmp <= mtime)
            line += std::to_string(cmp) + " (timer interrupt pending)";
        else if (clint->time_of(cmp, due))
            line += std::to_string(cmp) + " (timer interrupt at " + now_string(due) + ")";
        else
            line += std::to_string(cmp);
        out.push_back(line);
    }
    out.push_back("last progress at " + now_string(last_progress_) + ": " + progress_what() + " (" +
                  std::to_string(progress_events_) + " progress events; now " + now_string(now) + ")");
    return out;
}

std::string HangMonitor::reg_name(uint64_t addr) const {
    if (parts_.router)
        if (const RouterRegion* r = parts_.router->find_region(addr)) {
            auto it = parts_.devices.find(r->name);
            if (it != parts_.devices.end()) {
                const std::string n = it->second->registers().name_at(addr - r->base);
                return n.empty() ? r->name + " " + hex(addr) : n;
            }
        }
    return hex(addr);
}

std::string HangMonitor::progress_what() const {
    if (!last_progress_what_.empty()) return last_progress_what_;
    const std::string reg = reg_name(progress_addr_);
    const std::string who = progress_initiator_ >= 0 && std::size_t(progress_initiator_) < parts_.initiators.size()
                                ? parts_.initiators[std::size_t(progress_initiator_)]
                                : std::string("?");
    return "write to " + reg + " by " + who;
}

void HangMonitor::write_stats(JsonWriter& j) const {
    j.value("hang_timeout_ns", timeout_.to_seconds() * 1e9);
    j.value("hung", fired_);
    j.value("last_progress_ns", last_progress_.to_seconds() * 1e9);
    j.value("last_progress", progress_what());
    j.value("progress_events", progress_events_);
    uint64_t nan = 0, inf = 0;
    if (parts_.accel_nonfinite && parts_.accel_nonfinite(nan, inf)) {
        j.begin_object("accel_nonfinite");
        j.value("nan", nan);
        j.value("inf", inf);
        j.end_object();
    }
}

}  // namespace stvp
