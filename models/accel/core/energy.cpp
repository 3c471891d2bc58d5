#include "accel/core/energy.h"

#include <cmath>
#include <cstdio>

namespace stvp::accel {

namespace {
std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
// An energy: finite and within its row's range.
config::Problem check(const char* field, double v, double lo, double hi) {
    if (!(v >= lo) || !std::isfinite(v)) return {field, num(v) + " must be a finite value >= " + num(lo)};
    if (v > hi) return {field, num(v) + " must be at most " + num(hi)};
    return {};
}
// An access width in bytes.
config::Problem check(const char* field, uint32_t v, double lo, double hi) {
    if (v < lo) return {field, std::to_string(v) + " must be at least " + num(lo)};
    if (v > hi) return {field, std::to_string(v) + " must be at most " + num(hi)};
    return {};
}
}  // namespace

config::Problem EnergyTable::problem() const {
#define STVP_ENERGY(field, type, def, lo, hi, doc) \
    if (config::Problem p = check(#field, field, lo, hi); !p.ok()) return p;
#include "accel/core/energy.def"
#undef STVP_ENERGY
    return {};
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
    pe_pj += o.pe_pj;
    rf_pj += o.rf_pj;
    gb_pj += o.gb_pj;
    dram_pj += o.dram_pj;
    control_pj += o.control_pj;
    sparse_pj += o.sparse_pj;
    return *this;
}

EnergyBreakdown energy_of(const ActionCounts& c, const EnergyTable& t) {
    auto d = [](uint64_t v) { return static_cast<double>(v); };
    EnergyBreakdown e;
    e.pe_pj = d(c.mac) * t.mac_pj + d(c.mac_gated) * t.mac_gated_pj + d(c.mac_idle) * t.mac_idle_pj +
              d(c.vector_op) * t.vector_op_pj;
    e.rf_pj = d(c.rf_read) * t.rf_read_pj + d(c.rf_write) * t.rf_write_pj;
    // Byte counts priced per access of the memory's width (a partial access costs its share).
    e.gb_pj = (d(c.gb_read_bytes) * t.gb_read_pj + d(c.gb_write_bytes) * t.gb_write_pj) / t.gb_access_bytes;
    e.dram_pj =
        (d(c.dram_read_bytes) * t.dram_read_pj + d(c.dram_write_bytes) * t.dram_write_pj) / t.dram_access_bytes;
    e.control_pj = d(c.descriptor_fetch) * t.descriptor_fetch_pj;
    return e;
}

EnergyBreakdown EnergyAccountant::add(const std::string& op, const ActionCounts& c, double sparse_pj) {
    EnergyBreakdown e = energy_of(c, table_);
    e.sparse_pj = sparse_pj;
    Entry& entry = per_op_[op];
    ++entry.calls;
    entry.counts += c;
    entry.energy += e;
    ++total_.calls;
    total_.counts += c;
    total_.energy += e;
    return e;
}

void EnergyAccountant::reset() {
    per_op_.clear();
    total_ = Entry{};
}

}  // namespace stvp::accel
