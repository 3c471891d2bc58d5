#include "accel/core/energy_yaml.h"

#include <cmath>
#include <cstdint>

namespace stvp::accel {

namespace {

struct Field {
    const char* key;
    double EnergyTable::*pj;    // energy field, or
    uint32_t EnergyTable::*bytes;  // access width field
};

const Field kFields[] = {
    {"mac_pj", &EnergyTable::mac_pj, nullptr},
    {"mac_gated_pj", &EnergyTable::mac_gated_pj, nullptr},
    {"mac_idle_pj", &EnergyTable::mac_idle_pj, nullptr},
    {"rf_read_pj", &EnergyTable::rf_read_pj, nullptr},
    {"rf_write_pj", &EnergyTable::rf_write_pj, nullptr},
    {"gb_read_pj", &EnergyTable::gb_read_pj, nullptr},
    {"gb_write_pj", &EnergyTable::gb_write_pj, nullptr},
    {"gb_access_bytes", nullptr, &EnergyTable::gb_access_bytes},
    {"dram_read_pj", &EnergyTable::dram_read_pj, nullptr},
    {"dram_write_pj", &EnergyTable::dram_write_pj, nullptr},
    {"dram_access_bytes", nullptr, &EnergyTable::dram_access_bytes},
    {"vector_op_pj", &EnergyTable::vector_op_pj, nullptr},
    {"descriptor_fetch_pj", &EnergyTable::descriptor_fetch_pj, nullptr},
};

std::string known_keys() {
    std::string s;
    for (const Field& f : kFields) s += (s.empty() ? "" : ", ") + std::string(f.key);
    return s;
}

}  // namespace

EnergyTableParse energy_table_from_yaml(const YAML::Node& node) {
    EnergyTableParse r;
    if (!node || node.IsNull()) return r;
    if (!node.IsMap()) {
        r.error = "energy table: expected a map of key: value";
        return r;
    }
    for (const auto& kv : node) {
        const std::string key = kv.first.as<std::string>("");
        const Field* field = nullptr;
        for (const Field& f : kFields)
            if (key == f.key) field = &f;
        if (!field) {
            r.error = key + ": unknown key (known: " + known_keys() + ")";
            return r;
        }
        if (!kv.second.IsScalar()) {
            r.error = key + ": expected a number";
            return r;
        }
        double v = 0;
        try {
            v = kv.second.as<double>();
        } catch (const YAML::Exception&) {
            r.error = key + ": '" + kv.second.Scalar() + "' is not a number";
            return r;
        }
        if (!std::isfinite(v) || v < 0) {
            r.error = key + ": " + kv.second.Scalar() + " must be a finite value >= 0";
            return r;
        }
        if (field->pj) {
            r.table.*(field->pj) = v;
        } else {
            if (v < 1 || v > 4096 || v != std::floor(v)) {
                r.error = key + ": " + kv.second.Scalar() + " must be a whole number of bytes in 1..4096";
                return r;
            }
            r.table.*(field->bytes) = static_cast<uint32_t>(v);
        }
    }
    const std::string e = r.table.validate();
    if (!e.empty()) r.error = e;
    return r;
}

}  // namespace stvp::accel
