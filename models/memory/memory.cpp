#include "memory.h"

#include "common/dmi.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

namespace stvp {

std::string MemoryConfig::validate() const {
    if (size == 0) return "memory size must be > 0 bytes";
    if (size > (uint64_t(1) << 46)) return "memory size " + std::to_string(size) + " bytes exceeds 64 TiB";
    if (!(bandwidth >= 0)) return "memory bandwidth must be >= 0 bytes/s (0 = unlimited)";
    return "";
}

Memory::Memory(sc_core::sc_module_name name, const MemoryConfig& cfg)
    : sc_core::sc_module(name), socket("socket"), cfg_(cfg) {
    std::string why = cfg_.validate();
    if (!why.empty()) throw std::invalid_argument(std::string(this->name()) + ": " + why);
    // Anonymous private mappings are zero-filled and only backed by host pages when touched;
    // MAP_NORESERVE keeps a large DRAM from counting against the host's commit limit.
    void* p = mmap(nullptr, cfg_.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    mem_ = static_cast<uint8_t*>(p);
    // Transparent huge pages where the host offers them: a preloaded data set then costs a few
    // hundred page faults instead of tens of thousands. Advice only; a host without THP ignores it.
    madvise(p, cfg_.size, MADV_HUGEPAGE);
    socket.register_b_transport(this, &Memory::b_transport);
    socket.register_transport_dbg(this, &Memory::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &Memory::get_direct_mem_ptr);
}

Memory::~Memory() { munmap(mem_, cfg_.size); }

sc_core::sc_time Memory::read_time(uint64_t n) const {
    if (cfg_.bandwidth <= 0) return cfg_.read_latency;
    return cfg_.read_latency + sc_core::sc_time(double(n) / cfg_.bandwidth, sc_core::SC_SEC);
}

sc_core::sc_time Memory::write_time(uint64_t n) const {
    if (cfg_.bandwidth <= 0) return cfg_.write_latency;
    return cfg_.write_latency + sc_core::sc_time(double(n) / cfg_.bandwidth, sc_core::SC_SEC);
}

void Memory::watch(uint64_t offset, uint64_t len, WatchFn on_write) {
    if (len == 0 || offset >= cfg_.size || len > cfg_.size - offset)
        throw std::invalid_argument(std::string(name()) + ": watch [" + std::to_string(offset) + ", +" +
                                    std::to_string(len) + ") is not inside the memory");
    watches_.push_back(Watch{offset, offset + len - 1, std::move(on_write)});
    // Pointers granted before the watch existed may cover it.
    if (dmi_granted_) socket->invalidate_direct_mem_ptr(0, ~sc_dt::uint64(0));
}

tlm::tlm_response_status Memory::check(const tlm::tlm_generic_payload& trans, uint64_t& span) const {
    const uint64_t addr = trans.get_address();
    const uint64_t len = trans.get_data_length();
    // A streaming width of 0 is taken as "no streaming" (some initiators leave it unset).
    const uint64_t sw = trans.get_streaming_width();
    span = (sw == 0 || sw >= len) ? len : sw;
    if (addr >= cfg_.size || span > cfg_.size - addr) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if (len > 0 && !trans.get_data_ptr()) return tlm::TLM_GENERIC_ERROR_RESPONSE;
    if (const unsigned char* be = trans.get_byte_enable_ptr()) {
        const unsigned bel = trans.get_byte_enable_length();
        if (bel == 0) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
        // IEEE 1666-2011 14.15: an enable byte is 0x00 (disabled) or 0xff (enabled).
        for (unsigned i = 0; i < bel; ++i)
            if (be[i] != 0x00 && be[i] != 0xff) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    }
    return tlm::TLM_OK_RESPONSE;
}

void Memory::move(tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    unsigned char* data = trans.get_data_ptr();
    const unsigned char* be = trans.get_byte_enable_ptr();
    const unsigned bel = trans.get_byte_enable_length();
    const unsigned sw = trans.get_streaming_width();
    const bool write = trans.get_command() == tlm::TLM_WRITE_COMMAND;
    if (!be && (sw == 0 || sw >= len)) {
        if (write)
            std::memcpy(mem_ + addr, data, len);
        else
            std::memcpy(data, mem_ + addr, len);
        return;
    }
    for (unsigned i = 0; i < len; ++i) {
        if (be && !be[i % bel]) continue;
        uint8_t* m = mem_ + addr + (sw ? i % sw : i);
        if (write)
            *m = data[i];
        else
            data[i] = *m;
    }
}

void Memory::fire_watches(uint64_t addr, uint64_t span) {
    if (span == 0) return;
    const uint64_t hi = addr + span - 1;
    for (const auto& w : watches_) {
        if (hi < w.lo || addr > w.hi) continue;
        const uint64_t first = std::max(addr, w.lo) & ~uint64_t(3);
        const uint64_t lastw = std::min(hi, w.hi) & ~uint64_t(3);
        for (uint64_t a = first; a <= lastw; a += 4) {
            uint32_t v = 0;
            std::memcpy(&v, mem_ + a, std::min<uint64_t>(4, cfg_.size - a));  // host is little-endian like RV32
            if (w.fn) w.fn(a, v);
        }
    }
}

void Memory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    uint64_t span = 0;
    const tlm::tlm_command cmd = trans.get_command();
    tlm::tlm_response_status st = check(trans, span);
    if (st != tlm::TLM_OK_RESPONSE) {
        ++stats_.errors;  // no data moved, nothing counted
        trans.set_response_status(st);
        return;
    }
    const unsigned len = trans.get_data_length();
    if (cmd == tlm::TLM_READ_COMMAND) {
        move(trans);
        ++stats_.reads;
        stats_.bytes_read += len;
        delay += read_time(len);
    } else if (cmd == tlm::TLM_WRITE_COMMAND) {
        move(trans);
        ++stats_.writes;
        stats_.bytes_written += len;
        delay += write_time(len);
    }
    trans.set_dmi_allowed(cfg_.dmi_allowed);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    if (cmd == tlm::TLM_WRITE_COMMAND && !watches_.empty()) fire_watches(trans.get_address(), span);
}

unsigned int Memory::transport_dbg(tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    const uint64_t len = trans.get_data_length();
    if (addr >= cfg_.size || (len > 0 && !trans.get_data_ptr())) {
        trans.set_response_status(addr >= cfg_.size ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                                    : tlm::TLM_GENERIC_ERROR_RESPONSE);
        return 0;
    }
    // Debug accesses are clipped at the end of the memory; the count says how much moved.
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(len, cfg_.size - addr));
    if (trans.get_command() == tlm::TLM_READ_COMMAND)
        std::memcpy(trans.get_data_ptr(), mem_ + addr, n);
    else if (trans.get_command() == tlm::TLM_WRITE_COMMAND)
        std::memcpy(mem_ + addr, trans.get_data_ptr(), n);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return n;
}

bool Memory::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const uint64_t addr = trans.get_address();
    dmi.allow_none();
    if (!cfg_.dmi_allowed || addr >= cfg_.size) {
        // Deny for the whole memory (or everything, for an address outside it).
        if (addr < cfg_.size) {
            dmi.set_start_address(0);
            dmi.set_end_address(cfg_.size - 1);
        }
        return false;
    }
    // The largest range around addr that avoids every watch.
    uint64_t lo = 0, hi = cfg_.size - 1;
    for (const auto& w : watches_) {
        if (addr >= w.lo && addr <= w.hi) {
            dmi.set_start_address(w.lo);
            dmi.set_end_address(w.hi);
            return false;
        }
        if (w.hi < addr) lo = std::max(lo, w.hi + 1);
        if (w.lo > addr) hi = std::min(hi, w.lo - 1);
    }
    dmi.set_dmi_ptr(mem_ + lo);
    dmi.set_start_address(lo);
    dmi.set_end_address(hi);
    dmi.allow_read_write();
    // Per byte, calibrated on a word (common/dmi.h).
    dmi.set_read_latency(read_time(kDmiLatencyWordBytes) / double(kDmiLatencyWordBytes));
    dmi.set_write_latency(write_time(kDmiLatencyWordBytes) / double(kDmiLatencyWordBytes));
    dmi_granted_ = true;
    ++stats_.dmi_grants;
    return true;
}

}  // namespace stvp
