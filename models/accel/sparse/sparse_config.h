// Configuration of the accelerator's sparse units (accel_desc.h, SPARSE MODES; sparse_engine.h),
// plain data without SystemC, and its `accel.sparse.*` keys (declare_keys below; the platform
// binds them, common/config_keys.h).
#pragma once

#include <cstdint>
#include <string>

#include "accel/sparse/dropback.h"
#include "accel/sparse/init_weights.h"
#include "accel/sparse/work_source.h"
#include "common/config_keys.h"

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

    // The first unusable field (declared range, then the units' own rules), as a value.
    config::Problem problem() const;
    std::string validate() const { return problem().text(); }  // "" or "<field> ..."
};

// The accel.sparse.* keys. The quantile estimator's struct lives with its unit (dropback.h), the
// sparse units' energies in the one energy table (accel/core/energy.def); their keys are declared here.
template <class Keys>
void declare_keys(Keys& k, AccelSparseConfig& c) {
    k.flag("load_balance", c.load_balance,
           "pair the densest half-tile with the sparsest before each step (Procrustes' load balancer)");
    k.integer("prune_lanes", c.prune_lanes, 1, 4096, "gradient pruner lanes, one xorshift32 generator each (GRAD_PRUNE) [open]");
    k.choice("init_kind", c.init_kind,
             {{"kaiming_uniform", sparse::InitKind::KaimingUniform}, {"uniform", sparse::InitKind::Uniform}},
             "distribution of the regenerated initial weights W0 (INIT_WEIGHTS, DROPBACK): kaiming_uniform = "
             "U(-b, b) with b = sqrt(6 / fan_in) [code], uniform = U(-init_uniform_bound, init_uniform_bound)");
    k.real("init_uniform_bound", c.init_uniform_bound, 1e-30, 1e30, "bound of init_kind uniform, in weight units");
    auto q = k.section("quantile");
    q.real("initial", c.quantile.initial, 1e-30, 1e30,
           "first estimate of the Procrustes quantile estimator (score units) [code]");
    q.real("lambda", c.quantile.lambda, 1e-30, 1 - 1e-12, "step size of the quantile estimator, in (0, 1) [code: 1e-6]");
    q.real("moving_average", c.quantile.moving_average, 0, 1 - 1e-12,
           "weight of the previous steps' estimate in the starting estimate of a step, in [0, 1); 0 = off [open]");
    auto e = k.section("energy");  // every STVP_SPARSE_ENERGY row of accel/core/energy.def
#define STVP_SPARSE_ENERGY(field, type, def, lo, hi, doc) e.real(#field, c.energy.field, lo, hi, doc);
#include "accel/core/energy.def"
#undef STVP_SPARSE_ENERGY
}

}  // namespace stvp::accel
