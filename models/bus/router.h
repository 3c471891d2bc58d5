// Address router of the SoC interconnect (loosely-timed TLM-2.0).
//
// Any number of initiators (CPU, DMA, accelerator) bind to `target_socket`; targets bind to
// `initiator_socket` in order, and each bind's index is the `target_port` of add_region().
// The router decodes the global address, forwards the transaction with the target-local
// address (global - region base) and restores the global address on return, as the TLM-2.0
// base protocol requires of an interconnect (IEEE 1666-2011, 14.7). Holes and accesses that
// run past a region's end answer TLM_ADDRESS_ERROR_RESPONSE; nothing asserts on a guest
// address. DMI ranges granted by targets are translated back to global addresses and
// clipped to the region; invalidations from a target are fanned out to every initiator.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "bus/bus_config.h"

namespace stvp {

struct RouterRegion {
    std::string name;        // unique, used in error messages and stats ("dram", "uart", ...)
    uint64_t base = 0;       // first global address (bytes)
    uint64_t size = 0;       // bytes; > 0, base + size must not wrap past 2^64
    unsigned target_port = 0;  // index of the initiator_socket binding that serves the region
};

struct RouterConfig {
    // Time added to every b_transport that passes the router; DMI latencies granted through
    // it get the same cost per 4-byte word (common/dmi.h). Default 0: an ideal crossbar.
    sc_core::sc_time hop_latency = sc_core::SC_ZERO_TIME;
    // Regions added at construction; more may be added with add_region() later.
    std::vector<RouterRegion> regions;

    // The interconnect of the bus.* keys (its regions added later).
    static RouterConfig bus(const BusParams& p) {
        RouterConfig r;
        r.hop_latency = sc_core::sc_time(double(p.latency_ns), sc_core::SC_NS);
        return r;
    }

    // Empty if the config is usable; otherwise the reason (zero-size, wrapping or
    // overlapping regions, duplicate names).
    std::string validate() const;
};

class Router : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<Router> target_socket;        // initiators bind here
    tlm_utils::multi_passthrough_initiator_socket<Router> initiator_socket;  // targets bind here

    explicit Router(sc_core::sc_module_name name, const RouterConfig& cfg = {});

    // Maps [base, base + size) to target port `target_port`. Throws std::invalid_argument for
    // a zero-size or wrapping region, a duplicate name, or an overlap (the message names both
    // regions with their ranges). Port indices are checked against the bindings at
    // end_of_elaboration (or immediately when called later).
    void add_region(const std::string& name, uint64_t base, uint64_t size, unsigned target_port);

    // Name of the region holding `addr`, or "" for a hole.
    std::string region_name(uint64_t addr) const;
    // Region holding `addr`, or nullptr for a hole.
    const RouterRegion* find_region(uint64_t addr) const;
    // Regions in address order.
    const std::vector<RouterRegion>& regions() const { return regions_; }

    // Called on every access that hits a hole or runs past a region's end (b_transport only),
    // with the index of the initiator binding, the global address and length. For logs.
    using DecodeErrorFn = std::function<void(int initiator, tlm::tlm_command cmd, uint64_t addr, unsigned len)>;
    void on_decode_error(DecodeErrorFn fn) { on_decode_error_ = std::move(fn); }

    // Observers of b_transport through the router, called after the target returned (for an
    // access to a hole, or one that runs past its region's end, with region = nullptr and the
    // error response set). The transaction carries the global address; `start` and `end` are
    // the initiator's times of the access and of its completion (sc_time_stamp() + annotated
    // delay on entry and on return; a target that synchronises moves sc_time_stamp(), not
    // these). `wants` picks the regions an observer sees (nullptr: holes); without it, all.
    // For transaction logs and monitors: a region no observer wants costs nothing extra.
    using ObserverFn = std::function<void(int initiator, const tlm::tlm_generic_payload& trans,
                                          const RouterRegion* region, const sc_core::sc_time& start,
                                          const sc_core::sc_time& end)>;
    using RegionFilter = std::function<bool(const RouterRegion* region)>;
    void add_observer(ObserverFn fn, RegionFilter wants = {});

    // b_transport transactions that reached a target, per region (same order as regions()).
    uint64_t transactions(const std::string& region) const;
    uint64_t decode_errors() const { return decode_errors_; }

private:
    struct Entry {
        RouterRegion region;
        uint64_t transactions = 0;
        uint32_t observers = 0;  // bit i: observers_[i] wants this region
    };
    struct Observer {
        ObserverFn fn;
        RegionFilter wants;
    };

    void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void notify(uint32_t mask, int id, const tlm::tlm_generic_payload& trans, const RouterRegion* region,
                const sc_core::sc_time& start, const sc_core::sc_time& end) const;
    void update_observer_masks();
    unsigned int transport_dbg(int id, tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);
    void end_of_elaboration() override;

    void check_port(const RouterRegion& r);
    Entry* find(uint64_t addr);
    const Entry* find(uint64_t addr) const;
    // Hole around `addr` (which is in no region): [lo, hi].
    void hole_around(uint64_t addr, uint64_t& lo, uint64_t& hi) const;

    sc_core::sc_time hop_latency_;
    std::vector<Entry> entries_;          // sorted by base
    std::vector<RouterRegion> regions_;   // copy of entries_' regions, for regions()
    bool elaborated_ = false;
    uint64_t decode_errors_ = 0;
    DecodeErrorFn on_decode_error_;
    std::vector<Observer> observers_;  // at most 32
    uint32_t hole_observers_ = 0;      // bit i: observers_[i] wants holes
};

}  // namespace stvp
