#include "router.h"

#include "common/dmi.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace stvp {

namespace {

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// "'uart' [0x10000000..0x10000fff]" (inclusive range).
std::string describe(const RouterRegion& r) {
    return "'" + r.name + "' [" + hex(r.base) + ".." + hex(r.base + (r.size - 1)) + "]";
}

uint64_t last(const RouterRegion& r) { return r.base + (r.size - 1); }

// Why `r` cannot join `existing`, or "".
std::string reject_reason(const RouterRegion& r, const std::vector<RouterRegion>& existing) {
    if (r.size == 0) return "region '" + r.name + "' at " + hex(r.base) + " has size 0";
    if (r.base + (r.size - 1) < r.base)
        return "region '" + r.name + "' at " + hex(r.base) + " of size " + hex(r.size) +
               " wraps past the end of the address space";
    for (const auto& e : existing) {
        if (e.name == r.name) return "region name '" + r.name + "' is used twice";
        if (r.base <= last(e) && e.base <= last(r))
            return "region " + describe(r) + " overlaps region " + describe(e);
    }
    return "";
}

}  // namespace

std::string RouterConfig::validate() const {
    std::vector<RouterRegion> seen;
    for (const auto& r : regions) {
        std::string why = reject_reason(r, seen);
        if (!why.empty()) return why;
        seen.push_back(r);
    }
    return "";
}

Router::Router(sc_core::sc_module_name name, const RouterConfig& cfg)
    : sc_core::sc_module(name),
      target_socket("target_socket"),
      initiator_socket("initiator_socket"),
      hop_latency_(cfg.hop_latency) {
    target_socket.register_b_transport(this, &Router::b_transport);
    target_socket.register_transport_dbg(this, &Router::transport_dbg);
    target_socket.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
    initiator_socket.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
    for (const auto& r : cfg.regions) add_region(r.name, r.base, r.size, r.target_port);
}

void Router::add_region(const std::string& name, uint64_t base, uint64_t size, unsigned target_port) {
    RouterRegion r{name, base, size, target_port};
    std::string why = reject_reason(r, regions_);
    if (!why.empty()) throw std::invalid_argument(std::string(this->name()) + ": " + why);
    if (elaborated_) check_port(r);
    auto pos = std::upper_bound(entries_.begin(), entries_.end(), base,
                                [](uint64_t b, const Entry& e) { return b < e.region.base; });
    entries_.insert(pos, Entry{r, 0, 0});
    regions_.clear();
    for (const auto& e : entries_) regions_.push_back(e.region);
    update_observer_masks();
    // A region added while running may cover a hole for which an initiator cached a DMI
    // denial: make every initiator ask again.
    if (elaborated_)
        for (unsigned i = 0; i < target_socket.size(); ++i)
            target_socket[i]->invalidate_direct_mem_ptr(base, last(r));
}

void Router::check_port(const RouterRegion& r) {
    if (r.target_port >= initiator_socket.size())
        throw std::invalid_argument(std::string(name()) + ": region " + describe(r) + " uses target port " +
                                    std::to_string(r.target_port) + " but only " +
                                    std::to_string(initiator_socket.size()) + " targets are bound");
}

void Router::end_of_elaboration() {
    for (const auto& e : entries_) check_port(e.region);
    elaborated_ = true;
}

Router::Entry* Router::find(uint64_t addr) {
    return const_cast<Entry*>(static_cast<const Router*>(this)->find(addr));
}

const Router::Entry* Router::find(uint64_t addr) const {
    // Last region whose base <= addr.
    auto it = std::upper_bound(entries_.begin(), entries_.end(), addr,
                               [](uint64_t a, const Entry& e) { return a < e.region.base; });
    if (it == entries_.begin()) return nullptr;
    --it;
    return addr <= last(it->region) ? &*it : nullptr;
}

const RouterRegion* Router::find_region(uint64_t addr) const {
    const Entry* e = find(addr);
    return e ? &e->region : nullptr;
}

std::string Router::region_name(uint64_t addr) const {
    const Entry* e = find(addr);
    return e ? e->region.name : std::string();
}

uint64_t Router::transactions(const std::string& region) const {
    for (const auto& e : entries_)
        if (e.region.name == region) return e.transactions;
    return 0;
}

void Router::hole_around(uint64_t addr, uint64_t& lo, uint64_t& hi) const {
    lo = 0;
    hi = ~uint64_t(0);
    for (const auto& e : entries_) {
        if (last(e.region) < addr) lo = std::max(lo, last(e.region) + 1);
        if (e.region.base > addr) hi = std::min(hi, e.region.base - 1);
    }
}

void Router::add_observer(ObserverFn fn, RegionFilter wants) {
    if (observers_.size() == 32) throw std::length_error(std::string(name()) + ": at most 32 observers");
    observers_.push_back(Observer{std::move(fn), std::move(wants)});
    update_observer_masks();
}

void Router::update_observer_masks() {
    hole_observers_ = 0;
    for (auto& e : entries_) e.observers = 0;
    for (std::size_t i = 0; i < observers_.size(); ++i) {
        const RegionFilter& w = observers_[i].wants;
        if (!w || w(nullptr)) hole_observers_ |= 1u << i;
        for (auto& e : entries_)
            if (!w || w(&e.region)) e.observers |= 1u << i;
    }
}

void Router::notify(uint32_t mask, int id, const tlm::tlm_generic_payload& trans, const RouterRegion* region,
                    const sc_core::sc_time& start, const sc_core::sc_time& end) const {
    for (std::size_t i = 0; mask; ++i, mask >>= 1)
        if (mask & 1) observers_[i].fn(id, trans, region, start, end);
}

void Router::b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    const sc_core::sc_time issued = delay;
    delay += hop_latency_;
    Entry* e = find(addr);
    // The bytes touched are [addr, addr + len) (or one streaming window); any of them outside
    // the region is a decode error, checked without overflow.
    const uint64_t span = std::min<uint64_t>(len, trans.get_streaming_width() ? trans.get_streaming_width() : len);
    if (!e || (span > 0 && span - 1 > last(e->region) - addr)) {
        ++decode_errors_;
        if (on_decode_error_) on_decode_error_(id, trans.get_command(), addr, len);
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        if (hole_observers_) {
            const sc_core::sc_time t = sc_core::sc_time_stamp();
            notify(hole_observers_, id, trans, nullptr, t + issued, t + delay);
        }
        return;
    }
    ++e->transactions;
    const uint32_t observers = e->observers;
    const sc_core::sc_time start = observers ? sc_core::sc_time_stamp() + issued : sc_core::SC_ZERO_TIME;
    trans.set_address(addr - e->region.base);
    initiator_socket[e->region.target_port]->b_transport(trans, delay);
    trans.set_address(addr);
    if (observers) notify(observers, id, trans, &e->region, start, sc_core::sc_time_stamp() + delay);
}

unsigned int Router::transport_dbg(int /*id*/, tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    const Entry* e = find(addr);
    if (!e) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    // Debug accesses (loaders, debuggers) are clipped at the region's end rather than
    // refused: the return value tells the caller how many bytes were transferred.
    const uint64_t room = last(e->region) - addr;  // bytes available minus one
    const unsigned n = (len > 0 && len - 1 > room) ? static_cast<unsigned>(room + 1) : len;
    trans.set_address(addr - e->region.base);
    trans.set_data_length(n);
    unsigned int done = initiator_socket[e->region.target_port]->transport_dbg(trans);
    trans.set_address(addr);
    trans.set_data_length(len);
    return done;
}

bool Router::get_direct_mem_ptr(int /*id*/, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const uint64_t addr = trans.get_address();
    const Entry* e = find(addr);
    if (!e) {
        // Tell the initiator the whole hole has no DMI, so it does not ask again.
        uint64_t lo, hi;
        hole_around(addr, lo, hi);
        dmi.allow_none();
        dmi.set_start_address(lo);
        dmi.set_end_address(hi);
        return false;
    }
    const RouterRegion& r = e->region;
    trans.set_address(addr - r.base);
    bool ok = initiator_socket[r.target_port]->get_direct_mem_ptr(trans, dmi);
    trans.set_address(addr);
    // Clip the target's (local) range to the region, then make it global. The pointer stays
    // valid: it refers to the local start address, which moves by the same amount.
    const uint64_t start = dmi.get_start_address();
    const uint64_t end = std::min<uint64_t>(dmi.get_end_address(), r.size - 1);
    if (start > end) {  // the target answered with a range outside the region: no DMI here
        dmi.allow_none();
        dmi.set_start_address(addr);
        dmi.set_end_address(addr);
        return false;
    }
    dmi.set_start_address(r.base + start);
    dmi.set_end_address(r.base + end);
    if (ok) {  // DMI latencies are per byte (common/dmi.h): spread the hop over a word
        const sc_core::sc_time hop = hop_latency_ / double(kDmiLatencyWordBytes);
        dmi.set_read_latency(dmi.get_read_latency() + hop);
        dmi.set_write_latency(dmi.get_write_latency() + hop);
    }
    return ok;
}

void Router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
    // A target may serve several regions: invalidate its range in each of them.
    for (const auto& e : entries_) {
        const RouterRegion& r = e.region;
        if (static_cast<int>(r.target_port) != port || start > r.size - 1 || end < start) continue;
        const uint64_t gs = r.base + start;
        const uint64_t ge = r.base + std::min<uint64_t>(end, r.size - 1);
        for (unsigned i = 0; i < target_socket.size(); ++i) target_socket[i]->invalidate_direct_mem_ptr(gs, ge);
    }
}

}  // namespace stvp
