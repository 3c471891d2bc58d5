// Procrustes / DropBack weight selection (docs/literature.md): decay of the implicit initial weights,
// scoring s = |W - d*W0|, the tracked set by the Procrustes streaming quantile estimator or by an
// exact top-k (DropBack), and the reset of untracked weights to d*W0. Global across layers.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "accel/sparse/init_weights.h"

namespace stvp::accel::sparse {

// d_t = initial * factor^t; advance() once per training step.
struct DecayConfig {
    double initial = 1.0;  // d at step 0 [code]
    double factor = 0.9;   // per-step multiplier [code]
    std::string validate() const;
};

class DecaySchedule {
public:
    explicit DecaySchedule(const DecayConfig& cfg = {}) : cfg_(cfg), d_(cfg.initial) {}
    double value() const { return d_; }
    uint64_t steps() const { return steps_; }
    void advance() { d_ *= cfg_.factor, ++steps_; }

private:
    DecayConfig cfg_;
    double d_;
    uint64_t steps_ = 0;
};

inline float score(float w, float w0, float d) { return std::abs(w - d * w0); }

// The Procrustes one-pass quantile estimator (compstruct/qe-cpp; docs/literature.md): for each score x,
// tracked iff x > est; then est *= (1 + lambda*q) if x > est, else est *= (1 - lambda*(1 - q)).
// The estimate carries over steps; with moving_average > 0 the next step starts from an
// exponential moving average of the end-of-step estimates instead of the last one.
struct QuantileConfig {
    double initial = 1e-2;       // first estimate [code]
    double lambda = 1e-6;        // step size [code]
    double moving_average = 0;   // weight of the old average in [0, 1); 0 = off [open]
    std::string validate() const;
};

class QuantileEstimator {
public:
    explicit QuantileEstimator(const QuantileConfig& cfg = {}) : cfg_(cfg), est_(cfg.initial), start_(cfg.initial) {}
    // Starts a step with target quantile q = 1 - k/N.
    void begin_step(double q);
    // One score; true if tracked. Counts one quantile-unit update.
    bool observe(double x) {
        ++updates_;
        // A select, not a branch: a tenth of the scores is above, at random, and every weight of
        // every training step passes here.
        const bool above = x > est_;
        const double factor[2] = {down_, up_};
        est_ *= factor[above];
        return above;
    }
    // observe(score(w[i], w0[i], d)) for i = 0 .. count-1, tracked[i] = its result, with the
    // same products in the same order (every weight of every training step): blocks of scores
    // that all lie clear of the range the estimate can reach within the block are decided
    // before the chain, which is then one multiply per score; the other blocks take the rule
    // score by score (dropback.cpp).
    void observe_scores(const float* w, const float* w0, int64_t count, float d, uint8_t* tracked);
    void end_step();
    double estimate() const { return est_; }
    double start_estimate() const { return start_; }  // the estimate the current/next step starts from
    uint64_t updates() const { return updates_; }

private:
    QuantileConfig cfg_;
    double est_, start_;
    double up_ = 1, down_ = 1;
    bool have_average_ = false;
    uint64_t updates_ = 0;
};

// The two steps of one layer's selection, shared by the device's DROPBACK, the reference
// trainer and WeightSelector (one definition of what "tracked" means and what a reset writes):
// observe_layer scores every weight, s = |W - d*W0|, through the estimator in index order and
// sets tracked[i] = 1 for the weights it keeps (0 otherwise); reset_untracked then resets every
// weight with tracked[i] == 0 to d*W0 and returns how many are tracked.
void observe_layer(QuantileEstimator& qe, const float* w, const float* w0, int64_t count, float d, uint8_t* tracked);
int64_t reset_untracked(float* w, const float* w0, const uint8_t* tracked, int64_t count, float d);

// Indices (into scores) of the k largest scores; ties go to the lower index; sorted ascending.
std::vector<int64_t> exact_top_k(const std::vector<float>& scores, int64_t k);

enum class SelectMode : uint8_t { Quantile, TopK };

struct WeightSelectorConfig {
    int64_t budget = 10000;  // k: weights tracked over all layers
    SelectMode mode = SelectMode::Quantile;
    DecayConfig decay;
    QuantileConfig quantile;
    std::string validate() const;
};

// A layer's weights as the selector sees them: W in place, W0 from InitWeights(layer_id, i, fan_in).
struct SelectorLayer {
    float* w = nullptr;
    int64_t count = 0;
    uint64_t fan_in = 1;
    uint32_t layer_id = 0;
};

struct SelectStats {
    int64_t tracked = 0;       // weights tracked this step
    int64_t total = 0;         // weights scored
    double decay = 0;          // d used this step
    double threshold = 0;      // estimate at the end of the pass (Quantile) or the k-th score (TopK)
    uint64_t quantile_updates = 0;
    std::vector<int64_t> tracked_per_layer;
};

class WeightSelector {
public:
    WeightSelector(const WeightSelectorConfig& cfg, const InitWeights& init);
    // One step after the SGD update: scores all layers (global, in layer then index order),
    // selects, resets untracked weights to d*W0, fills masks[l][i] = 1 for tracked weights
    // (masks may be nullptr), then advances the decay.
    SelectStats step(std::vector<SelectorLayer>& layers, std::vector<std::vector<uint8_t>>* masks);
    const DecaySchedule& decay() const { return decay_; }
    const QuantileEstimator& quantile() const { return qe_; }

private:
    WeightSelectorConfig cfg_;
    const InitWeights& init_;
    DecaySchedule decay_;
    QuantileEstimator qe_;
    std::vector<float> w0_, scores_;
    std::vector<uint8_t> tracked_;
};

}  // namespace stvp::accel::sparse
