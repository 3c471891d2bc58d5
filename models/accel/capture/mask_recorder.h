// Records the masks file (mask_file.h) of a training run: told the current training step (the
// firmware's SIMCTRL STEP register on the VP; stvp_reftrain's own step counter), it keeps, for
// the chosen steps only, the operand zero maps of each weight layer's forward and
// weight-gradient ops as they execute. No SystemC: the accelerator model and stvp_reftrain
// call it with the same tensors at the same points, so their files agree bit for bit.
//
// Per chosen step and layer (the op's layer tag), the first forward op records Weights and
// Inputs and the first weight-gradient op OutputGrads; later ops of the same step and layer
// (none in sw/train's step chain) are ignored. Ops outside a chosen step cost one compare.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "accel/core/shapes.h"
#include "accel/engine/command.h"
#include "accel/capture/mask_file.h"

namespace stvp::capture {

constexpr uint32_t kNoStep = 0xFFFFFFFFu;  // SIMCTRL STEP's reset value: not in a training step

class MaskRecorder {
public:
    // steps: the global training steps to capture (any order; duplicates are an error of the
    // caller's validation, ignored here).
    explicit MaskRecorder(const std::vector<uint32_t>& steps);

    void set_step(uint32_t step) { step_ = step; }
    uint32_t step() const { return step_; }
    // Whether ops executing now are recorded.
    bool active() const { return step_ != kNoStep && steps_.count(step_) != 0; }

    // A forward op of weight layer `layer` at the current step: x [N][C][H][W] (FC: [N][C]),
    // w [K][C][R][S] (FC: [K][C]) as the op reads them.
    void forward_fc(uint32_t layer, const accel::FcShape& s, const float* x, const float* w);
    void forward_conv(uint32_t layer, const accel::Conv2dShape& s, const float* x, const float* w);
    // A weight-gradient op: dy [N][K][P][Q] (FC: [N][K]) as it reads it.
    void weight_grad_fc(uint32_t layer, const accel::FcShape& s, const float* dy);
    void weight_grad_conv(uint32_t layer, const accel::Conv2dShape& s, const float* dy);
    // An op as the engine executes it (Engine::on_execute: the bound command and the weights it
    // reads): FC/CONV forward and weight-gradient ops are recorded under their layer tag,
    // others ignored. The device and stvp_reftrain both record through this.
    void record(const accel::Command& cmd, const float* w);

    // "" if the recorded layers and batches agree with each other; else why not (e.g. a layer tag
    // reused with two shapes).
    const std::string& error() const { return error_; }
    // Chosen steps at which nothing was recorded (the run ended before them).
    std::vector<uint32_t> missing_steps() const;
    // The file so far: records sorted by (step, layer, kind).
    MaskFile file() const;

private:
    void layer_seen(const LayerShape& l, uint32_t batch);
    void add(uint32_t layer, MapKind kind, BitMap map);

    std::set<uint32_t> steps_;
    uint32_t step_ = kNoStep;
    uint32_t batch_ = 0;
    std::vector<LayerShape> layers_;
    std::vector<MaskRecord> records_;
    std::string error_;
};

}  // namespace stvp::capture
