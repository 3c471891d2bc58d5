#include "accel/sparse/dropback.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace stvp::accel::sparse {

std::string DecayConfig::validate() const {
    if (!(initial > 0 && std::isfinite(initial))) return "decay.initial must be finite and > 0";
    if (!(factor > 0 && factor <= 1)) return "decay.factor must be in (0, 1]";
    return {};
}

std::string QuantileConfig::validate() const {
    if (!(initial > 0 && std::isfinite(initial))) return "quantile.initial must be finite and > 0";
    if (!(lambda > 0 && lambda < 1)) return "quantile.lambda must be in (0, 1)";
    if (!(moving_average >= 0 && moving_average < 1)) return "quantile.moving_average must be in [0, 1)";
    return {};
}

void QuantileEstimator::begin_step(double q) {
    est_ = start_;
    up_ = 1.0 + cfg_.lambda * q;
    down_ = 1.0 - cfg_.lambda * (1.0 - q);
}

void QuantileEstimator::end_step() {
    if (cfg_.moving_average > 0 && have_average_) {
        start_ = cfg_.moving_average * start_ + (1.0 - cfg_.moving_average) * est_;
    } else {
        start_ = est_;
        have_average_ = true;
    }
}

void QuantileEstimator::observe_scores(const float* w, const float* w0, int64_t count, float d, uint8_t* tracked) {
    // GCC vectors (one lane used) keep the compare's mask, the products and the select in the
    // floating-point registers: no round trip through the integer unit on the serial chain.
    using V = double __attribute__((vector_size(16)));
    using M = int64_t __attribute__((vector_size(16)));
    V est = {est_, 0};
    const V up = {up_, 0}, down = {down_, 0};
    for (int64_t i = 0; i < count; ++i) {
        const V x = {static_cast<double>(score(w[i], w0[i], d)), 0};
        const M above = x > est;  // all ones where tracked
        const M hi = reinterpret_cast<M>(est * up), lo = reinterpret_cast<M>(est * down);
        est = reinterpret_cast<V>((hi & above) | (lo & ~above));
        tracked[i] = above[0] != 0;
    }
    est_ = est[0];
    updates_ += count > 0 ? static_cast<uint64_t>(count) : 0;
}

void observe_layer(QuantileEstimator& qe, const float* w, const float* w0, int64_t count, float d, uint8_t* tracked) {
    qe.observe_scores(w, w0, count, d, tracked);
}

int64_t reset_untracked(float* w, const float* w0, const uint8_t* tracked, int64_t count, float d) {
    int64_t n = 0;
    for (int64_t i = 0; i < count; ++i) {  // a select, not a branch: 1 in 10 is tracked, at random
        const bool t = tracked[i] != 0;
        w[i] = t ? w[i] : d * w0[i];
        n += t;
    }
    return n;
}

std::vector<int64_t> exact_top_k(const std::vector<float>& scores, int64_t k) {
    const int64_t n = static_cast<int64_t>(scores.size());
    k = std::clamp<int64_t>(k, 0, n);
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
    auto before = [&](int64_t a, int64_t b) {
        const float sa = scores[static_cast<size_t>(a)], sb = scores[static_cast<size_t>(b)];
        return sa > sb || (sa == sb && a < b);
    };
    if (k < n) std::nth_element(idx.begin(), idx.begin() + k, idx.end(), before);
    idx.resize(static_cast<size_t>(k));
    std::sort(idx.begin(), idx.end());
    return idx;
}

std::string WeightSelectorConfig::validate() const {
    if (budget < 0) return "budget must be >= 0";
    std::string e = decay.validate();
    if (e.empty()) e = quantile.validate();
    return e;
}

WeightSelector::WeightSelector(const WeightSelectorConfig& cfg, const InitWeights& init)
    : cfg_(cfg), init_(init), decay_(cfg.decay), qe_(cfg.quantile) {}

SelectStats WeightSelector::step(std::vector<SelectorLayer>& layers, std::vector<std::vector<uint8_t>>* masks) {
    SelectStats st;
    const float d = static_cast<float>(decay_.value());
    st.decay = decay_.value();
    for (const auto& l : layers) st.total += l.count;
    st.tracked_per_layer.assign(layers.size(), 0);
    if (masks) masks->resize(layers.size());
    // W0 of layer li regenerated, tracked_ = its selection, then the reset.
    auto regenerate = [&](const SelectorLayer& l) {
        w0_.resize(static_cast<size_t>(l.count));
        init_.fill(l.layer_id, 0, static_cast<uint64_t>(l.count), l.fan_in, w0_.data());
    };
    auto reset = [&](size_t li) {
        SelectorLayer& l = layers[li];
        st.tracked_per_layer[li] = reset_untracked(l.w, w0_.data(), tracked_.data(), l.count, d);
        if (masks) (*masks)[li].assign(tracked_.begin(), tracked_.begin() + l.count);
    };
    if (cfg_.mode == SelectMode::Quantile) {
        const double q = st.total > 0 ? 1.0 - static_cast<double>(cfg_.budget) / static_cast<double>(st.total) : 1.0;
        qe_.begin_step(q);
        const uint64_t before = qe_.updates();
        for (size_t li = 0; li < layers.size(); ++li) {
            const SelectorLayer& l = layers[li];
            regenerate(l);
            tracked_.resize(static_cast<size_t>(l.count));
            observe_layer(qe_, l.w, w0_.data(), l.count, d, tracked_.data());
            reset(li);
        }
        st.threshold = qe_.estimate();
        st.quantile_updates = qe_.updates() - before;
        qe_.end_step();
    } else {
        scores_.clear();
        scores_.reserve(static_cast<size_t>(st.total));
        for (const SelectorLayer& l : layers) {
            regenerate(l);
            for (int64_t i = 0; i < l.count; ++i) scores_.push_back(score(l.w[i], w0_[static_cast<size_t>(i)], d));
        }
        const std::vector<int64_t> top = exact_top_k(scores_, cfg_.budget);
        std::vector<uint8_t> keep(static_cast<size_t>(st.total), 0);
        float kth = top.empty() ? 0.0f : scores_[static_cast<size_t>(top[0])];
        for (int64_t g : top) {
            keep[static_cast<size_t>(g)] = 1;
            kth = std::min(kth, scores_[static_cast<size_t>(g)]);
        }
        st.threshold = kth;
        int64_t base = 0;
        for (size_t li = 0; li < layers.size(); ++li) {
            const SelectorLayer& l = layers[li];
            regenerate(l);
            tracked_.assign(keep.begin() + base, keep.begin() + base + l.count);
            reset(li);
            base += l.count;
        }
    }
    for (int64_t t : st.tracked_per_layer) st.tracked += t;
    decay_.advance();
    return st;
}

}  // namespace stvp::accel::sparse
