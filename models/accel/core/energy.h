// Energy: per-action counts (op_cost.h) x per-action energies, by op and by unit.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "accel/core/op_cost.h"
#include "common/config_keys.h"

namespace stvp::accel {

// Energies in pJ per action, one field per row of energy.def (the figures, their sources and
// the accel.energy.* keys' documentation live there only).
struct EnergyTable {
#define STVP_ENERGY(field, type, def, lo, hi, doc) type field = def;
#include "accel/core/energy.def"
#undef STVP_ENERGY

    // The first unusable field, as a value.
    config::Problem problem() const;
    // "" if usable, otherwise "<field> <value> <reason>" (problem().text()).
    std::string validate() const { return problem().text(); }
};

// A row of energy.def as a key: energies are reals, access widths integers.
template <class Keys>
void declare_energy(Keys& k, const char* name, double& pj, double lo, double hi, const char* doc) {
    k.real(name, pj, lo, hi, doc);
}
template <class Keys>
void declare_energy(Keys& k, const char* name, uint32_t& bytes, double lo, double hi, const char* doc) {
    k.integer(name, bytes, static_cast<uint64_t>(lo), static_cast<uint64_t>(hi), doc);
}

// The accel.energy.* keys (common/config_keys.h): every row of energy.def.
template <class Keys>
void declare_keys(Keys& k, EnergyTable& t) {
#define STVP_ENERGY(field, type, def, lo, hi, doc) declare_energy(k, #field, t.field, lo, hi, doc);
#include "accel/core/energy.def"
#undef STVP_ENERGY
}

// pJ by unit.
struct EnergyBreakdown {
    double pe_pj = 0;       // MACs (performed, gated, idle) and vector ops
    double rf_pj = 0;       // register files
    double gb_pj = 0;       // global buffer
    double dram_pj = 0;     // DRAM
    double control_pj = 0;  // descriptor fetch
    double sparse_pj = 0;   // sparse units (decoders, zero checks, pruner, quantile unit, load balancer;
                            // priced by accel/sparse/work_source.h, passed to EnergyAccountant::add)
    double total_pj() const { return pe_pj + rf_pj + gb_pj + dram_pj + control_pj + sparse_pj; }
    EnergyBreakdown& operator+=(const EnergyBreakdown& o);
};

EnergyBreakdown energy_of(const ActionCounts& c, const EnergyTable& t);

// Accumulates counts and energy per op label (for example "fc1.forward") and in total.
class EnergyAccountant {
public:
    struct Entry {
        uint64_t calls = 0;
        ActionCounts counts;
        EnergyBreakdown energy;
    };

    explicit EnergyAccountant(const EnergyTable& table = {}) : table_(table) {}
    const EnergyTable& table() const { return table_; }

    // Adds one op's counts under `op` (plus the energy of its sparse units, pJ); returns that
    // op's energy.
    EnergyBreakdown add(const std::string& op, const ActionCounts& c, double sparse_pj = 0);
    const std::map<std::string, Entry>& per_op() const { return per_op_; }  // sorted by label
    const Entry& total() const { return total_; }
    void reset();

private:
    EnergyTable table_;
    std::map<std::string, Entry> per_op_;
    Entry total_;
};

}  // namespace stvp::accel
