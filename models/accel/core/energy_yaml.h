// Builds an EnergyTable from YAML (library stvp_accel_yaml, so that stvp_accel_core needs no
// yaml-cpp). The node is a map of EnergyTable field names to numbers; absent keys keep their
// defaults. Strict: an unknown key, a non-scalar, a non-number or an invalid value is an error
// naming the key. Example: configs/energy/procrustes_40nm.yaml.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "accel/core/energy.h"

namespace stvp::accel {

struct EnergyTableParse {
    EnergyTable table;
    std::string error;  // "" on success, else "<key>: <reason>"
    bool ok() const { return error.empty(); }
};

EnergyTableParse energy_table_from_yaml(const YAML::Node& node);

}  // namespace stvp::accel
