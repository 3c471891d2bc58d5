// Energy: per-action counts (op_cost.h) x per-action energies, by op and by unit.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "accel/core/op_cost.h"

namespace stvp::accel {

// Energies in pJ per action. Defaults: the Procrustes authors' 40 nm setup (Accelergy with the
// Aladdin and CACTI estimators, regenerated from compstruct/procrustes-timeloop-model; their
// own table is not public, see docs/literature.md). configs/energy/procrustes_40nm.yaml holds
// the same values with the same sources.
struct EnergyTable {
    double mac_pj = 32.3;              // fp32 MAC, 40 nm (Aladdin) [code]
    double mac_gated_pj = 0.86;        // MAC skipped for a zero operand, clock-gated (Aladdin) [code]
    double mac_idle_pj = 0.0;          // idle MAC slot: clock-gated, leakage not modelled [open]
    double rf_read_pj = 2.15;          // 1 KiB register file, per 32-bit access [code]
    double rf_write_pj = 2.15;         // [code]
    double gb_read_pj = 22.0;          // 128 KiB 16-bank global buffer (CACTI), per gb_access_bytes [code]
    double gb_write_pj = 23.4;         // [code]
    uint32_t gb_access_bytes = 8;      // 64-bit GB rows [code]
    double dram_read_pj = 512.0;       // LPDDR4 at 8 pJ/bit, per dram_access_bytes [code]
    double dram_write_pj = 512.0;      // [code]
    uint32_t dram_access_bytes = 8;    // [code]
    double vector_op_pj = 32.3;        // element-wise fp32 op (compare, add, exp step), taken as one MAC [open]
    double descriptor_fetch_pj = 4096.0;  // one 64-byte command descriptor read from DRAM: 8 x 512 pJ [derived];
                                          // the command processor counts descriptors here, not as DRAM bytes

    // "" if usable, otherwise "<field> <value> <reason>".
    std::string validate() const;
};

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
