#include "accel/sparse/sparse_config.h"

namespace stvp::accel {

config::Problem AccelSparseConfig::problem() const {
    if (config::Problem p = config::check_ranges(*this); !p.ok()) return p;
    // The units' own rules, kept by their structs; reported against their section.
    if (std::string e = quantile.validate(); !e.empty()) return {"quantile", e};
    if (std::string e = energy.validate(); !e.empty()) return {"energy", e};
    return {};
}

}  // namespace stvp::accel
