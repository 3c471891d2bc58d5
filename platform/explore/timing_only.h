// Timing-only mode: the accelerator's timing and energy model (models/accel/core TimingModel,
// models/accel/sparse sparse_nest_cost — the same calls the device makes) charged for one
// training iteration of a network, with operand zero maps synthesised from densities (seeded
// Bernoulli masks; N:M and block formats built by the real encoders) instead of computed by the
// numerics.
//
// The op list: for a network train.elf can train (train_chain_ops.h: lenet300, lenet5, vgg5, vgg5p2), the ops
// of train.elf's step chain (sw/lib/chain) in chain order, one SGD per weight and bias tensor.
// For any other network, per weight layer and phase as that chain does them: forward (bias,
// fused ReLU), weight gradient (bias gradient), input gradient (ReLU mask when the input passed
// a ReLU; not for the first layer); pool layers max-pool forward/backward; then softmax
// cross-entropy and one SGD update of every weight. Not charged: batch norm, residual adds,
// descriptor fetches, the batch gather, the scheme's own pre/post passes (DropBack scoring, N:M
// re-pruning, the gradient pruner's pass), whose vector work is small next to the layers.
//
// Speed: dense costs are cached per loop nest by TimingModel. A sparse op walks every array step
// (8-15 ms per small op, bench_sparse), so an op of more than exact_macs dense MACs is costed on a
// sample — the same layer at batch min(batch, sample_batch) — and its sparse/dense ratios (cycles; each energy component) are
// applied to the exact dense cost at the full batch; results are also reused for layers of
// identical shape. sample_batch 0 costs every op at the full batch (exact, slow).
// A strided convolution's input gradient is split into sub-pixel nests whose operand maps the
// sparse work source does not build: charged dense, as the device does (sparse_engine.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "accel/core/array_config.h"
#include "accel/core/energy.h"
#include "accel/sparse/sparse_config.h"
#include "network.h"

namespace stvp::explore {

class CapturedMasks;  // captured_masks.h

enum class Scheme : uint8_t { Dense, Procrustes, Nm, SparseTrain };
const char* to_string(Scheme s);

// What the training run looks like, apart from the hardware (the preset's second document and
// the non-accel keys of --set).
struct Workload {
    Scheme scheme = Scheme::Dense;
    uint32_t batch = 64;            // minibatch
    double weight_density = 0.1;    // Procrustes: kept weights / all (docs/literature.md: ~1/10)
    double act_density = 0.5;       // non-zero fraction of ReLU outputs (and of their gradients) [open]
    double prune_rate = 0.9;        // SparseTrain: target prune rate p of the stochastic rule
    uint32_t n = 2, m = 8;          // N:M
    uint32_t sample_batch = 16;     // batch of the sparse sample (0 = every op exact at the full batch)
    double exact_macs = 268435456;  // ops of at most this many dense MACs are costed exactly (2^28)
    uint32_t seed = 1;              // masks and weights
    // The density of the operand the scheme exploits, for sweeps across schemes (< 0: unset):
    // Procrustes weight_density, SparseTrain act_density, N:M n = max(1, round(density * m)).
    double density = -1;
    // Per-layer overrides by layer name: weight and activation densities.
    std::map<std::string, double> layer_weight_density, layer_act_density;
    // Operand maps from a training run in place of the Bernoulli ones (stvp_explore --masks).
    std::shared_ptr<const CapturedMasks> masks;

    std::string validate() const;  // "" or "<key> <reason>"
    // Applies "key=value" for a workload key (scheme, batch, weight_density, act_density,
    // prune_rate, n, m, sample_batch, exact_macs, seed, density); returns false if `key` is not a workload key,
    // throws ExploreError on a bad value.
    bool set(const std::string& key, const std::string& value);
};

struct Energy {
    double pe = 0, rf = 0, gb = 0, dram = 0, sparse = 0;
    double total() const { return pe + rf + gb + dram + sparse; }
    Energy& operator+=(const Energy& o);
};

struct OpRow {
    std::string layer, phase;
    double dense_cycles = 0, cycles = 0;
    // The same op under the published compute-only rule (accel.timing: compute_only): the sum
    // over sync windows of the busiest PE's work, memory free. cycles / rule_cycles splits a gap
    // to a paper into the compute rule and the memory.
    double dense_rule_cycles = 0, rule_cycles = 0;
    // What bounds the (sparse) op: the largest of compute (the rule's cycles), "GB port" (fills
    // and write-backs between the global buffer and the RFs) and "DRAM" busy cycles.
    std::string bound;
    double dense_macs = 0, macs = 0;  // MACs performed (dense: every non-padding MAC)
    Energy dense_energy, energy;      // pJ
    bool sampled = false;             // sparse ratios from a smaller batch
};

struct Estimate {
    std::vector<OpRow> ops;
    OpRow total;
    double clock_hz = 0;
    int64_t pes = 0;  // MAC slots per cycle
    double seconds() const { return total.cycles / clock_hz; }
    double dense_seconds() const { return total.dense_cycles / clock_hz; }
    double speedup() const { return total.dense_cycles / total.cycles; }
    double energy_ratio() const { return total.dense_energy.total() / total.energy.total(); }
    double utilisation() const { return total.macs / (total.cycles * double(pes)); }
    double dense_utilisation() const { return total.dense_macs / (total.dense_cycles * double(pes)); }
};

// One training iteration of `net` under `w` on the array `a`.
Estimate estimate(const Network& net, const Workload& w, const accel::ArrayConfig& a, const accel::EnergyTable& et,
                  const accel::AccelSparseConfig& sc);

// Fraction of non-zero gradients SparseTrain's stochastic rule keeps at prune rate p (measured
// once on normal samples with the real GradientPruner; docs/literature.md's rule).
double sparsetrain_keep_fraction(double p, uint32_t seed);

}  // namespace stvp::explore
