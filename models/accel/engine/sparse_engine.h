// The accelerator's sparse units (accel_desc.h, SPARSE MODES): W0 generator, DropBack /
// Procrustes selector with its quantile estimator, block and N:M encoders/decoders, the
// SparseTrain gradient pruner, and the zero-skipping PE cluster. The algorithms are the
// library's (models/accel/sparse/); this unit runs them on the descriptor's memory, checks the
// sparse copies an op reads (STVP_ACCEL_ERR_METADATA), and costs every op through
// sparse_nest_cost (FC/CONV) or the vector unit (element-wise sparse ops), plus the metadata
// traffic and the sparse units' energy.
//
// State that persists across descriptors and chains: the quantile estimator (its step is
// opened by DROPBACK with FIRST) and the step's tracked count. SOFT_RESET calls reset().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "accel/engine/command.h"
#include "accel/core/energy.h"
#include "accel/core/timing.h"
#include "accel/sparse/dropback.h"
#include "accel/sparse/init_weights.h"
#include "accel/sparse/sparse_config.h"
#include "accel/sparse/work_source.h"

namespace stvp::accel {

// What a sparse op cost and did, for the counters and stats.
struct SparseOpResult {
    OpCost op;                  // cycles and the core's action counts (metadata traffic included)
    sparse::SparseCounts extra; // decoder, pruner, quantile, zero-check activity
    double sparse_pj = 0;       // energy of the sparse units (on top of op.counts' energy)
    uint64_t pruned = 0;        // gradients zeroed by GRAD_PRUNE (natural zeros excluded)
};

class SparseEngine {
public:
    explicit SparseEngine(const AccelSparseConfig& cfg);

    // After bind(): checks the sparse copy an FC/CONV op reads (meta0) and decodes it into the
    // engine's buffer for run(). Reads memory, writes none.
    CommandError check(const Command& cmd);
    // Executes a bound, checked command (is_sparse(cmd)) and costs it.
    SparseOpResult run(const Command& cmd, TimingModel& tm, const EnergyTable& et);
    // SOFT_RESET: the estimator restarts from its configured initial estimate.
    void reset();

    uint32_t tracked_this_step() const { return tracked_step_; }
    // The weights of the last check()ed sparse copy, decoded (pruned weights zero).
    const float* decoded_weights() const { return w_dec_.data(); }
    float quantile_estimate() const { return static_cast<float>(qe_.estimate()); }

private:
    void init_weights(const Command& c, TimingModel& tm, SparseOpResult& r);
    void dropback(const Command& c, TimingModel& tm, SparseOpResult& r);
    void nm_pregen(const Command& c, TimingModel& tm, SparseOpResult& r);
    void grad_prune(const Command& c, TimingModel& tm, SparseOpResult& r);
    void layer_op(const Command& c, TimingModel& tm, SparseOpResult& r);
    sparse::InitWeights init_of(const Command& c) const;

    AccelSparseConfig cfg_;
    sparse::QuantileEstimator qe_;
    bool step_open_ = false;
    uint32_t tracked_step_ = 0;
    // The decoded weights of the last check() (dense, pruned weights zero) and its format.
    std::vector<float> w_dec_;
    sparse::WeightFormat wf_;
    std::vector<float> scores_;
    sparse::W0Cache w0_;  // each layer's W0, generated once
    std::vector<uint8_t> mask_, xnz_, dynz_, wnz_;
};

}  // namespace stvp::accel
