// A preset (configs/presets/*.yaml) and command-line overrides turned into what the timing-only
// estimator needs. A preset's first YAML document holds platform keys (accel.*, and dram.* for
// the memory the accelerator sees) and is read by the platform's own schema, so the same file
// works with `stvp --config`; its optional second document holds the workload keys of
// Workload::set (scheme, weight_density, ...), which stvp never reads.
#pragma once

#include <string>
#include <vector>

#include "accel/core/array_config.h"
#include "accel/core/energy.h"
#include "accel/sparse/sparse_config.h"
#include "timing_only.h"

namespace stvp::explore {

struct ExploreSetup {
    accel::ArrayConfig array;  // with the DRAM of dram.* (as the SoC wires it)
    accel::EnergyTable energy;
    accel::AccelSparseConfig sparse;
    Workload workload;
};

// `overrides` are "key=value": workload keys go to the workload, every other key to the
// platform schema (which rejects unknown keys). Throws ExploreError / stvp::ConfigError.
ExploreSetup load_setup(const std::string& preset, const std::vector<std::string>& overrides);

}  // namespace stvp::explore
