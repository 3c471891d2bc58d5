// Host-native reference trainer: the training runtime of sw/train/train.c without SystemC.
// Same definitions (sw/train/train_defs.h: networks, shuffle, batch order, LR schedule,
// hyper-parameters), same data (platform/src/dataset.h, the loader the platform preloads
// from), and the same step: the descriptor chain train.elf runs, built by the same builder
// (sw/lib/chain) into a host buffer that stands for device memory, run by the accelerator's
// own engine (models/accel/engine, execute-only: numerics without cost). W0 comes from the
// chain's INIT_WEIGHTS, the N:M copies from its NM_PREGEN, Procrustes' selection from its
// DROPBACK, SparseTrain's pruning from its GRAD_PRUNE — so its per-step losses are the VP's
// by construction; the CTest comparisons (compare_vp.cmake) keep checking it.
//
// The Procrustes study's selections (SelectionVariant) are chosen on the host and handed to
// the chain's DROPBACK ops (Engine::set_selection_hooks), which reset, copy and report as
// always; dense steps skip the DROPBACK ops, a ramp patches their budget.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "accel/capture/mask_recorder.h"
#include "accel/engine/engine.h"
#include "accel/sparse/sparse_config.h"
#include "dataset.h"
#include "train_chain.h"
#include "train_defs.h"

namespace stvp::reftrain {

// Variants of the Procrustes weight selection for the accuracy study
// (configs/sweeps/procrustes_study.yaml -> configs/results/procrustes_study.md). The defaults
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
    // configuration (accel.sparse.*: W0 distribution, quantile estimator, pruner lanes) the VP
    // runs with; variant: the selection study's departures (none by default). The data set
    // must outlive the trainer.
    RefTrainer(const Dataset& data, const train_params_t& params, const accel::AccelSparseConfig& sparse = {},
               const SelectionVariant& variant = {});
    // The chain names this trainer's own members (parameters, buffers): not copied or moved.
    RefTrainer(const RefTrainer&) = delete;
    RefTrainer& operator=(const RefTrainer&) = delete;

    // "" if the parameters, the network and the data set fit together, else why not.
    std::string validate() const;

    const SelectionVariant& variant() const { return variant_; }
    // Mask capture (nullptr = off): each training step names itself to the recorder, and the
    // engine hands it the forward and weight-gradient ops as the VP's accelerator does.
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
    // Step s of the current epoch: the step chain (gather, forward, loss, backward, SGD and the
    // mode's sparse ops).
    StepResult step(uint32_t s);
    // Forward + loss over the whole test split in batches of TRAIN_EVAL_BATCH.
    EvalResult evaluate();

    // The firmware's whole run, printing the same lines to `out` (progress, trace, evaluation)
    // plus host wall time per epoch. Returns the final evaluation.
    EvalResult run(std::FILE* out = stdout);

    // The master weights of weight layer `layer` (a copy of device memory).
    std::vector<float> weights(uint32_t layer) const;
    // Weights the forward ops use now (kept fraction of train.elf's summary): Procrustes the
    // last step's tracked count, N:M the forward copies' weights, else all.
    uint32_t weights_kept() const;
    // SparseTrain: output-gradient elements pruned so far and the zeros after pruning.
    uint64_t grad_elements() const { return grad_elements_; }
    uint64_t grad_zeros_after() const { return grad_zeros_after_; }

private:
    // Per weight layer, for the study's selections and the snapshot report.
    struct Layer {
        std::vector<float> w0;          // W0 (the scores' reference; study selections only)
        std::vector<uint8_t> keep;      // this step's tracked set chosen on the host (study selections)
        std::vector<uint8_t> was;       // the tracked set of the last selection (snapshot on)
        std::vector<uint8_t> snapshot;  // the tracked set at the snapshot step
    };
    void allocate();
    void build_step_chain();
    // Runs d[0, count) on the engine; an error is a bug of this program.
    void run_descs(const stvp_accel_desc* d, uint32_t count, const char* what);
    template <class T> T* at(uint32_t address) const;  // device memory at a bus address
    uint32_t tracked(uint32_t layer) const;             // Procrustes: the layer's last DROPBACK result
    float keep_fraction() const;  // the budget f of this step (ramp_steps shrink it gradually)
    void select_tracked(float f);  // fills Layer::keep for the study's non-quantile selections
    void on_tracked(uint32_t layer, const uint8_t* mask);  // the snapshot report's bookkeeping

    const Dataset& data_;
    train_params_t p_;
    accel::AccelSparseConfig sparse_;
    SelectionVariant variant_;
    const train_net_t* net_;
    std::vector<Layer> layers_;
    std::vector<uint32_t> order_;
    // Device memory: the run's tensors in one buffer, the data set's splits mapped in place.
    std::vector<uint8_t> dram_;
    accel::HostMemoryView mem_;
    accel::Engine engine_;
    train_chain_bufs_t bufs_{};
    train_chain_t chain_{};
    std::vector<stvp_accel_desc> descs_;  // the step chain (patched per step)
    uint32_t test_x_ = 0, test_y_ = 0, eval_xent_ = 0;
    float lr_ = 0;
    uint32_t epoch_ = 0;  // of begin_epoch: the flips' epoch (train_chain_set_flip)
    uint32_t global_step_ = 0;
    float decay_ = 1.0f;  // Procrustes: d_t, binary32 as the firmware's
    uint32_t snapshot_step_ = 0;
    uint64_t entered_ = 0;  // weights that joined the tracked set after the snapshot step
    uint64_t grad_elements_ = 0, grad_zeros_after_ = 0;
    capture::MaskRecorder* recorder_ = nullptr;
};

}  // namespace stvp::reftrain
