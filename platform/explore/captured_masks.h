// Masks captured from a training run (models/accel/capture: stvp capture.masks, stvp_reftrain)
// in place of the timing-only estimator's Bernoulli masks (stvp_explore --masks FILE[:STEP]).
//
// The file's weight layers (in layer-tag order) are matched one to one with the network's conv
// and fc layers (in table order); any difference in count or shape is refused, naming the layer
// and both shapes. The estimator keeps its own rules of which operand a scheme exploits in which
// phase (timing_only.h); for those operands it asks this class instead of drawing a mask:
//   weights      (Procrustes' forward and input-gradient ops) the captured Weights map
//   activations  (the layer input's ReLU zeros)                the captured Inputs map, first b samples
//   gradients    (SparseTrain's pruned output gradients)        the captured OutputGrads map, first b samples
// The "Bernoulli twin" (bernoulli = true) draws seeded Bernoulli maps at each captured map's own
// density instead, so "real masks vs. independent masks at the same densities" is one flag apart.
// Either way the workload's per-layer densities (weight_density.L, act_density.L) are set from
// the file, so the estimator's operand choices and sample cache follow the captured densities.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "accel/capture/mask_file.h"
#include "network.h"

namespace stvp::explore {

struct Workload;
struct Estimate;

class CapturedMasks {
public:
    // spec: "FILE" (the file's last step) or "FILE:STEP". Throws ExploreError.
    CapturedMasks(const std::string& spec, const Network& net, bool bernoulli);

    const std::string& path() const { return path_; }
    uint32_t step() const { return step_; }
    uint32_t batch() const { return file_.batch; }
    bool bernoulli() const { return bernoulli_; }

    // The operand map of `layer` (a network layer name), as sample() lays it out (timing_only.cpp:
    // weights [K][C][R][S], inputs [b][C][H][W], gradients [b][K][P][Q]); false = not captured
    // (keep the synthesised map). b must not exceed batch().
    bool weights(const std::string& layer, std::vector<uint8_t>* map) const;
    bool inputs(const std::string& layer, uint32_t b, std::vector<uint8_t>* map) const;
    bool output_grads(const std::string& layer, uint32_t b, std::vector<uint8_t>* map) const;

    // Non-zero fraction of a captured map (-1 if the layer has none of that kind).
    double density(const std::string& layer, capture::MapKind kind) const;
    // Per-layer densities of the file, for the estimator's operand choices.
    void set_densities(Workload* w) const;

private:
    const capture::MaskRecord* record(const std::string& layer, capture::MapKind kind) const;
    bool map_of(const std::string& layer, capture::MapKind kind, uint64_t count, std::vector<uint8_t>* out) const;

    std::string path_;
    capture::MaskFile file_;
    uint32_t step_ = 0;
    bool bernoulli_ = false;
    std::vector<std::pair<std::string, uint32_t>> layer_ids_;  // network layer name -> file layer id
};

// --masks FILE[:STEP]: checks the batch and hooks the masks (or their Bernoulli twin) into `w`.
void attach_masks(const std::string& spec, const Network& net, bool bernoulli, Workload* w);

struct ExploreSetup;

// stvp_explore --masks: after the estimate with the captured masks (`real`, from `s` with the
// masks attached), costs the Bernoulli twin and prints the per-layer comparison to `out`, and
// writes it to `table_path` unless empty. Throws ExploreError.
void report_masks(const Network& net, const ExploreSetup& s, const Estimate& real, const std::string& table_path,
                  std::ostream& out);

// The per-layer comparison of an estimate with captured masks and its Bernoulli twin, as
// Markdown (stvp_explore --masks-table): densities, cycles, speedup and energy ratio per layer.
std::string masks_table(const Network& net, const CapturedMasks& m, const Estimate& real, const Estimate& twin,
                        const std::string& title);

}  // namespace stvp::explore
