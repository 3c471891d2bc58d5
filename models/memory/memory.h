// A RAM as a TLM-2.0 target (DRAM, scratchpads): a host byte array, loosely timed.
//
// Timing: an access of n bytes adds latency + n / bandwidth to the annotated delay.
// Storage is reserved lazily (an anonymous, zero-filled mapping): a 512 MiB DRAM costs host
// memory only for the pages the guest touches.
//
// DMI pointers carry per-byte latencies (convention in common/dmi.h).
//
// Counters: reads, writes and bytes of b_transport accesses, for the energy model. DMI
// accesses bypass the model entirely, so they are NOT counted; an initiator using DMI must
// count its own accesses if it needs them. transport_dbg (loaders, debuggers) is not counted.
//
// Watches: a watched byte range is never handed out through DMI, so every guest write to it
// passes b_transport, which stores the data and then calls the watch's callback (the platform
// uses this for the HTIF `tohost` word).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "memory/memory_config.h"

namespace stvp {

// An access latency of the dram.* keys as SystemC time.
inline sc_core::sc_time dram_latency(const DramParams& p) {
    return sc_core::sc_time(double(p.latency_ns), sc_core::SC_NS);
}

struct MemoryConfig {
    uint64_t size = 512ull << 20;                                 // bytes; > 0
    sc_core::sc_time read_latency = dram_latency(DramParams{});   // per access (default: the dram.* keys')
    sc_core::sc_time write_latency = dram_latency(DramParams{});  // per access
    double bandwidth = DramParams{}.bytes_per_s();                // bytes per second; 0 = unlimited (no per-byte cost)
    bool dmi_allowed = true;  // grant DMI pointers to initiators that ask

    // A DRAM of `size` bytes timed by the dram.* keys.
    static MemoryConfig dram(const DramParams& p, uint64_t size) {
        MemoryConfig m;
        m.size = size;
        m.read_latency = m.write_latency = dram_latency(p);
        m.bandwidth = p.bytes_per_s();
        return m;
    }

    // Empty if usable, else the reason.
    std::string validate() const;
};

class Memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Memory> socket;

    // Throws std::invalid_argument if cfg.validate() fails, std::bad_alloc if the host cannot
    // reserve the address space.
    Memory(sc_core::sc_module_name name, const MemoryConfig& cfg = {});
    ~Memory() override;
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;

    // Host access (loaders, checkers). No timing, no counting, no watch callbacks.
    uint8_t* data() { return mem_; }
    const uint8_t* data() const { return mem_; }
    uint64_t size() const { return cfg_.size; }
    const MemoryConfig& config() const { return cfg_; }

    // Called after a b_transport write into a watched range stored its data, once per aligned
    // 32-bit word of the range that the write touched: `offset` is the word's offset in this
    // memory (not the global address), `value` the word's content after the write.
    using WatchFn = std::function<void(uint64_t offset, uint32_t value)>;
    // Watches [offset, offset + len); len > 0 and the range inside the memory, else
    // std::invalid_argument. Invalidates every DMI pointer granted so far, so that initiators
    // ask again and get ranges that exclude the watch.
    void watch(uint64_t offset, uint64_t len, WatchFn on_write);

    // Cost of one b_transport access of n bytes.
    sc_core::sc_time read_time(uint64_t n) const;
    sc_core::sc_time write_time(uint64_t n) const;

    struct Stats {
        uint64_t reads = 0;          // b_transport read transactions
        uint64_t writes = 0;         // b_transport write transactions
        uint64_t bytes_read = 0;
        uint64_t bytes_written = 0;
        uint64_t errors = 0;         // transactions answered with an error response
        uint64_t dmi_grants = 0;     // DMI pointers handed out (their accesses are not counted)
    };
    const Stats& stats() const { return stats_; }

private:
    struct Watch {
        uint64_t lo, hi;  // inclusive
        WatchFn fn;
    };

    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

    // Checks a transaction; on success returns TLM_OK_RESPONSE and the touched span.
    tlm::tlm_response_status check(const tlm::tlm_generic_payload& trans, uint64_t& span) const;
    // Moves the data of a checked transaction (honours byte enables and streaming width).
    void move(tlm::tlm_generic_payload& trans);
    void fire_watches(uint64_t addr, uint64_t span);

    MemoryConfig cfg_;
    uint8_t* mem_ = nullptr;
    std::vector<Watch> watches_;
    bool dmi_granted_ = false;
    Stats stats_;
};

}  // namespace stvp
