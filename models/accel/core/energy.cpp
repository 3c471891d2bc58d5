#include "accel/core/energy.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace stvp::accel {

namespace {
std::string check_energy(const char* key, double v) {
    if (v >= 0.0 && std::isfinite(v)) return {};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(key) + " " + buf + " must be a finite value >= 0";
}
}  // namespace

std::string EnergyTable::validate() const {
    const std::pair<const char*, double> energies[] = {
        {"mac_pj", mac_pj},         {"mac_gated_pj", mac_gated_pj}, {"mac_idle_pj", mac_idle_pj},
        {"rf_read_pj", rf_read_pj}, {"rf_write_pj", rf_write_pj},   {"gb_read_pj", gb_read_pj},
        {"gb_write_pj", gb_write_pj}, {"dram_read_pj", dram_read_pj}, {"dram_write_pj", dram_write_pj},
        {"vector_op_pj", vector_op_pj}, {"descriptor_fetch_pj", descriptor_fetch_pj},
    };
    for (const auto& [key, v] : energies) {
        std::string e = check_energy(key, v);
        if (!e.empty()) return e;
    }
    if (gb_access_bytes == 0) return "gb_access_bytes 0 must be at least 1";
    if (dram_access_bytes == 0) return "dram_access_bytes 0 must be at least 1";
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
