// The accelerator's sparse units (accel_desc.h, SPARSE MODES): W0 generator, DropBack /
// Procrustes selector with its quantile estimator, block and N:M encoders/decoders, the
// SparseTrain gradient pruner, and the zero-skipping PE cluster. The algorithms are the
// library's (models/accel/sparse/); this unit runs them on the descriptor's memory for the
// sparse opcodes' handlers (handlers.h: execute and cost apart), checks and decodes the sparse
// copies an FC/CONV op reads (STVP_ACCEL_ERR_METADATA), and costs the sparse opcodes on the
// vector unit and FC/CONV ops with a sparse copy or SKIP_ZEROS through sparse_nest_cost, plus
// the metadata traffic.
//
// State that persists across descriptors and chains: the quantile estimator (its step is
// opened by DROPBACK with FIRST) and the step's tracked count. SOFT_RESET calls reset().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "accel/engine/command.h"
#include "accel/engine/handlers.h"
#include "accel/core/energy.h"
#include "accel/core/timing.h"
#include "accel/sparse/dropback.h"
#include "accel/sparse/init_weights.h"
#include "accel/sparse/sparse_config.h"
#include "accel/sparse/work_source.h"

namespace stvp::accel {

// Host hooks on DROPBACK's selection (the reference trainer and its studies; the device sets none).
struct SelectionHooks {
    // Asked first, per DROPBACK: true = it filled mask[count] (1 = tracked) itself, a selection
    // the device does not make, and the device's (estimator or TOPK) is skipped; the reset of
    // the untracked weights, the block copy and the result follow as always.
    std::function<bool(const Command&, uint8_t* mask)> select;
    // Told the layer's tracked set (mask[count]) once it is chosen.
    std::function<void(const Command&, const uint8_t* mask)> tracked;
};

class SparseEngine {
public:
    explicit SparseEngine(const AccelSparseConfig& cfg);

    // After bind(): checks the sparse copy an FC/CONV op reads (meta0) and decodes it into the
    // engine's buffer (decoded_weights()). Nothing to check for a dense op. Reads memory, writes none.
    CommandError check(const Command& cmd);
    // SOFT_RESET: the estimator restarts from its configured initial estimate.
    void reset();

    // The sparse opcodes' numerics (execute: outputs and the units' state, the work done into
    // `w`) and their cost from that work, for their handlers (handlers.cpp).
    std::string init_weights(const Command& c, OpWork& w);
    OpCharge init_weights_cost(const Command& c, const OpWork& w, TimingModel& tm) const;
    std::string dropback(const Command& c, OpWork& w);
    OpCharge dropback_cost(const Command& c, const OpWork& w, TimingModel& tm) const;
    std::string nm_pregen(const Command& c, OpWork& w);
    OpCharge nm_pregen_cost(const Command& c, const OpWork& w, TimingModel& tm) const;
    std::string grad_prune(const Command& c, OpWork& w);
    OpCharge grad_prune_cost(const Command& c, const OpWork& w, TimingModel& tm) const;
    // An FC/CONV op with a sparse weight copy or SKIP_ZEROS (is_sparse): the zero-skipping
    // walk over its operands' zero maps (weights: what the op read), after its execute().
    OpCharge layer_cost(const Command& c, const float* weights, TimingModel& tm);

    void set_selection_hooks(SelectionHooks h) { hooks_ = std::move(h); }

    const AccelSparseConfig& config() const { return cfg_; }
    uint32_t tracked_this_step() const { return tracked_step_; }
    // The weights of the last check()ed sparse copy, decoded (pruned weights zero).
    const float* decoded_weights() const { return w_dec_.data(); }
    float quantile_estimate() const { return static_cast<float>(qe_.estimate()); }

private:
    sparse::InitWeights init_of(const Command& c) const;

    AccelSparseConfig cfg_;
    sparse::QuantileEstimator qe_;
    bool step_open_ = false;
    uint32_t tracked_step_ = 0;
    // The decoded weights of the last check() (dense, pruned weights zero) and its format.
    std::vector<float> w_dec_;
    sparse::WeightFormat wf_;
    std::vector<float> scores_;
    std::vector<float> nm_fwd_dense_;  // NM_PREGEN BWD_FROM_FWD: the forward copy, dense
    sparse::W0Cache w0_;  // each layer's W0, generated once
    std::vector<uint8_t> mask_, xnz_, dynz_, wnz_;
    SelectionHooks hooks_;
};

}  // namespace stvp::accel
