#include "clint.h"

#include <cmath>
#include <stdexcept>

namespace stvp {

namespace {
using u128 = unsigned __int128;

uint64_t resolution_rate() {
    return static_cast<uint64_t>(std::llround(1.0 / sc_core::sc_get_time_resolution().to_seconds()));
}
}  // namespace

std::string ClintConfig::validate() const {
    if (!(timebase_hz >= 1) || timebase_hz != std::floor(timebase_hz))
        return "clint timebase_hz must be a whole number of Hz >= 1 (got " + std::to_string(timebase_hz) + ")";
    if (timebase_hz > double(resolution_rate()))
        return "clint timebase_hz " + std::to_string(timebase_hz) + " is finer than the SystemC time resolution";
    return "";
}

Clint::Clint(sc_core::sc_module_name name, const ClintConfig& cfg)
    : RegisterDevice(name, regmaps::clint, cfg.access_latency),
      irq_timer("irq_timer"),
      irq_software("irq_software"),
      hz_(0),
      units_per_s_(resolution_rate()) {
    std::string why = cfg.validate();
    if (!why.empty()) throw std::invalid_argument(std::string(this->name()) + ": " + why);
    hz_ = static_cast<uint64_t>(cfg.timebase_hz);

    // Writes wait for the access's local time first (sync()): the lines then change at
    // exactly the time of the store, never before it, and two stores within one quantum of
    // the initiator still produce both edges. Reads need no sync: mtime is a function of time.
    regs_.on_write(CLINT_MSIP, [this](unsigned, uint32_t v) {
        sync();
        regs_.value(CLINT_MSIP) = v & 1u;  // only bit 0 is implemented (one hart)
        software_ev_.notify(sc_core::SC_ZERO_TIME);
        return true;
    });
    regs_.on_write(CLINT_MTIMECMP_LO, [this](unsigned, uint32_t v) { return write_mtimecmp(0, v); });
    regs_.on_write(CLINT_MTIMECMP_HI, [this](unsigned, uint32_t v) { return write_mtimecmp(1, v); });
    regs_.on_write(CLINT_MTIME_LO, [this](unsigned, uint32_t v) { return write_mtime(0, v); });
    regs_.on_write(CLINT_MTIME_HI, [this](unsigned, uint32_t v) { return write_mtime(1, v); });
    regs_.on_read(CLINT_MTIME_LO, [this](unsigned) { return uint32_t(mtime_at(access_time())); });
    regs_.on_read(CLINT_MTIME_HI, [this](unsigned) { return uint32_t(mtime_at(access_time()) >> 32); });

    SC_METHOD(update_timer);
    sensitive << timer_ev_;
    SC_METHOD(update_software);
    sensitive << software_ev_;
}

uint64_t Clint::ticks(const sc_core::sc_time& t) const {
    return static_cast<uint64_t>(u128(t.value()) * hz_ / units_per_s_);
}

uint64_t Clint::mtime_at(const sc_core::sc_time& t) const { return offset_ + ticks(t); }

uint64_t Clint::mtimecmp() const {
    return (uint64_t(regs_.value(CLINT_MTIMECMP_HI)) << 32) | regs_.value(CLINT_MTIMECMP_LO);
}

bool Clint::time_of(uint64_t value, sc_core::sc_time& t) const {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const uint64_t m = mtime_at(now);
    if (m >= value) {
        t = now;
        return true;
    }
    const u128 target = u128(ticks(now)) + (value - m);  // raw tick count to reach
    const u128 units = (target * units_per_s_ + hz_ - 1) / hz_;  // ceil: first instant with that count
    if (units > u128(~uint64_t(0))) return false;
    t = sc_core::sc_time::from_value(static_cast<uint64_t>(units));
    return true;
}

bool Clint::write_mtimecmp(unsigned word, uint32_t v) {
    sync();
    regs_.value(word ? uint32_t(CLINT_MTIMECMP_HI) : uint32_t(CLINT_MTIMECMP_LO)) = v;
    timer_ev_.notify(sc_core::SC_ZERO_TIME);
    return true;
}

bool Clint::write_mtime(unsigned word, uint32_t v) {
    sync();
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const uint64_t cur = mtime_at(now);
    const uint64_t next = word ? ((uint64_t(v) << 32) | (cur & 0xFFFFFFFFu)) : ((cur & ~uint64_t(0xFFFFFFFFu)) | v);
    offset_ = next - ticks(now);
    timer_ev_.notify(sc_core::SC_ZERO_TIME);
    return true;
}

void Clint::update_timer() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const uint64_t cmp = mtimecmp();
    const bool level = mtime_at(now) >= cmp;
    irq_timer.write(level);
    sc_core::sc_time rise;
    if (!level && time_of(cmp, rise)) timer_ev_.notify(rise - now);
}

void Clint::update_software() {
    irq_software.write(regs_.value(CLINT_MSIP) & 1u);
}

}  // namespace stvp
