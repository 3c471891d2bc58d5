// Host-native reference trainer: the training runtime of sw/train/train.c without SystemC.
// Same definitions (sw/train/train_defs.h: networks, shuffle, batch order, LR schedule,
// hyper-parameters), same data (platform/src/dataset.h, the loader the platform preloads
// from), same W0 (models/accel/sparse InitWeights) and the same op functions the accelerator
// executes (models/accel/core/ops.h), in the same order — so its per-step losses are the VP's.
// The sparse modes call the library code behind the device's sparse opcodes the way
// models/accel/sparse_engine.cpp does: DROPBACK = QuantileEstimator over score() with W0 from
// InitWeights (one estimator step over the layers of a training step), the forward and
// input-gradient ops on the tracked weights; NM_PREGEN = NmWeights::prune along C and along K,
// the ops on the decoded copies; GRAD_PRUNE = GradientPruner (16 lanes, the accelerator's
// default) on the output gradient of every weight layer below the last.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "accel/capture/mask_recorder.h"
#include "accel/sparse/dropback.h"
#include "accel/sparse/sparse_config.h"
#include "dataset.h"
#include "train_defs.h"

namespace stvp::reftrain {

// Variants of the Procrustes weight selection for the accuracy study
// (platform/reftrain/procrustes_study.sh -> configs/results/procrustes_study.md). The defaults
// are train.elf's algorithm; anything else departs from what the VP runs, so stvp_reftrain
// refuses --compare with it.
struct SelectionVariant {
    enum class Select : uint8_t {
        Quantile,      // the device's streaming quantile estimator over the global scores (Procrustes)
        TopK,          // the exact global top-k of the scores (DropBack)
        TopKPerLayer,  // the exact top-k within each layer, k = f x the layer's weights
        Random,        // a random mask fixed at the first selection (f of every layer on average)
    };
    Select select = Select::Quantile;
    uint32_t dense_steps = 0;  // dense training before the first selection (train-prune-retrain baseline)
    uint32_t ramp_steps = 0;   // budget from 100% down to f over these steps, cubically (Zhu & Gupta 2017)

    bool is_vp() const {
        return select == Select::Quantile && dense_steps == 0 && ramp_steps == 0;
    }
    std::string describe() const;  // "select topk, dense steps 2811" (what differs from the VP)
};

// "quantile" | "topk" | "topk-per-layer" | "random"; false if unknown.
bool parse_select(const std::string& name, SelectionVariant::Select* out);

struct StepResult {
    float loss = 0;
    uint32_t correct = 0;
};

struct EvalResult {
    uint32_t correct = 0, count = 0;
    float loss = 0;  // mean over the samples (the firmware's summation: per batch loss * n, in order)
};

class RefTrainer {
public:
    // params as train_params_from_workload() fills them; sparse: the accelerator's sparse-unit
    // configuration (accel.sparse.*: W0 distribution, quantile estimator) the VP runs with;
    // variant: the selection study's departures (none by default). The data set must outlive
    // the trainer.
    RefTrainer(const Dataset& data, const train_params_t& params, const accel::AccelSparseConfig& sparse = {},
               const SelectionVariant& variant = {});

    // "" if the parameters, the network and the data set fit together, else why not.
    std::string validate() const;

    const SelectionVariant& variant() const { return variant_; }
    // Mask capture (nullptr = off): each training step names itself to the recorder, and the
    // forward and weight-gradient ops hand it their operands as the VP's accelerator does.
    void set_mask_recorder(capture::MaskRecorder* r) { recorder_ = r; }
    // Procrustes: remember the tracked set chosen at global step `step` (0 = off); run() then
    // reports how much of the final set was already tracked then, and how many weights
    // entered the set after it (how early the selection settles).
    void set_snapshot_step(uint32_t step) { snapshot_step_ = step; }
    uint64_t entered_after_snapshot() const { return entered_; }
    // Of layer i's tracked weights now, those tracked at the snapshot step.
    uint32_t tracked_since_snapshot(uint32_t layer) const;
    uint32_t steps_per_epoch() const;
    const train_net_t& net() const { return *net_; }
    const train_params_t& params() const { return p_; }

    // Shuffles for `epoch` and sets its learning rate; call before its steps.
    void begin_epoch(uint32_t epoch);
    // Step s of the current epoch: gather, forward, loss, backward, SGD.
    StepResult step(uint32_t s);
    // Forward + loss over the whole test split in batches of TRAIN_EVAL_BATCH.
    EvalResult evaluate();

    // The firmware's whole run, printing the same lines to `out` (progress, trace, evaluation)
    // plus host wall time per epoch. Returns the final evaluation.
    EvalResult run(std::FILE* out = stdout);

    const std::vector<float>& weights(uint32_t layer) const { return layers_[layer].w; }
    // Weights the forward ops use now (kept fraction of train.elf's summary): Procrustes the
    // last step's tracked count, N:M the forward copies' weights, else all.
    uint32_t weights_kept() const;
    // SparseTrain: output-gradient elements pruned so far and the zeros after pruning.
    uint64_t grad_elements() const { return grad_elements_; }
    uint64_t grad_zeros_after() const { return grad_zeros_after_; }

private:
    struct Layer {
        std::vector<float> w, b, dw, db, out, dout;
        std::vector<float> w_fwd, w_bwd;  // the copies the forward / input-gradient ops read (sparse modes)
        std::vector<float> w0;            // Procrustes: W0 (InitWeights), regenerated once
        std::vector<uint8_t> keep;        // Procrustes: this step's tracked set
        std::vector<uint8_t> was;         // Procrustes: the tracked set of the last selection
        std::vector<uint8_t> snapshot;    // Procrustes: the tracked set at the snapshot step
        uint32_t tracked = 0;             // Procrustes: tracked by the last selection
    };
    void forward(uint32_t n, const float* input);
    const float* input_of(uint32_t i) const;
    const float* fwd_weights(uint32_t i) const;
    const float* bwd_weights(uint32_t i) const;
    void dropback();
    float keep_fraction() const;  // the budget f of this step (ramp_steps shrink it gradually)
    void select_tracked(float f);  // fills Layer::keep for the study's non-quantile selections
    void nm_pregen(uint32_t i);
    bool prunes_layer(uint32_t i) const;

    const Dataset& data_;
    train_params_t p_;
    accel::AccelSparseConfig sparse_;
    SelectionVariant variant_;
    const train_net_t* net_;
    std::vector<Layer> layers_;
    std::vector<float> x_;
    std::vector<int32_t> y_;
    std::vector<uint32_t> order_;
    float lr_ = 0;
    uint32_t global_step_ = 0;
    bool use_block_ = false;                         // Procrustes: from the second step on
    float decay_ = 1.0f;                             // Procrustes: d_t, binary32 as the firmware's
    accel::sparse::QuantileEstimator qe_;            // Procrustes: the device's persistent estimator
    bool qe_open_ = false;
    uint32_t snapshot_step_ = 0;
    uint64_t entered_ = 0;  // weights that joined the tracked set after the snapshot step
    uint64_t grad_elements_ = 0, grad_zeros_after_ = 0;
    capture::MaskRecorder* recorder_ = nullptr;
};

}  // namespace stvp::reftrain
