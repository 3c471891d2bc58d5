// Configuration of the accelerator's sparse units (accel_desc.h, SPARSE MODES; sparse_engine.h),
// plain data without SystemC so that the platform's configuration library can bind and check it
// (the `accel.sparse.*` keys, platform/src/accel_config.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "accel/sparse/dropback.h"
#include "accel/sparse/init_weights.h"
#include "accel/sparse/work_source.h"

namespace stvp::accel {

struct AccelSparseConfig {
    // Load balancer of the PE cluster (Procrustes' half-tile pairing); off for comparison.
    bool load_balance = true;
    // Gradient pruner lanes, one xorshift32 each (1 .. 4096) [open].
    uint32_t prune_lanes = 16;
    // W0 distribution of INIT_WEIGHTS / DROPBACK (the seed comes from the descriptor).
    sparse::InitKind init_kind = sparse::InitKind::KaimingUniform;
    double init_uniform_bound = 0.05;  // bound of InitKind::Uniform, weight units
    // Procrustes quantile estimator (initial estimate, step size lambda, moving average).
    sparse::QuantileConfig quantile;
    // pJ per action of the decoders, pruner, quantile unit (sparse/work_source.h).
    sparse::SparseEnergyTable energy;

    std::string validate() const;  // "" or "<field> ..."
};

}  // namespace stvp::accel
