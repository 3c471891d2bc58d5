#include "accel/sparse/sparse_config.h"

#include <cmath>

namespace stvp::accel {

std::string AccelSparseConfig::validate() const {
    if (prune_lanes < 1 || prune_lanes > 4096) return "prune_lanes " + std::to_string(prune_lanes) + " must be 1..4096";
    if (!(init_uniform_bound > 0 && std::isfinite(init_uniform_bound)))
        return "init_uniform_bound must be finite and > 0";
    if (std::string e = quantile.validate(); !e.empty()) return e;
    if (std::string e = energy.validate(); !e.empty()) return "energy." + e;
    return {};
}

}  // namespace stvp::accel
