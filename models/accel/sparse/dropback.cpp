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

namespace {
// The exact pass over scores [i, end): the rule score by score. GCC vectors (one lane used) keep
// the compare's mask, the products and the select in the floating-point registers: no round
// trip through the integer unit on the serial chain.
double observe_exact(double e, double up_f, double down_f, const float* w, const float* w0, int64_t i, int64_t end,
                     float d, uint8_t* tracked) {
    using V = double __attribute__((vector_size(16)));
    using M = int64_t __attribute__((vector_size(16)));
    V est = {e, 0};
    const V up = {up_f, 0}, down = {down_f, 0};
    for (; i < end; ++i) {
        const V x = {static_cast<double>(score(w[i], w0[i], d)), 0};
        const M above = x > est;  // all ones where tracked
        const M hi = reinterpret_cast<M>(est * up), lo = reinterpret_cast<M>(est * down);
        est = reinterpret_cast<V>((hi & above) | (lo & ~above));
        tracked[i] = above[0] != 0;
    }
    return est[0];
}
}  // namespace

void QuantileEstimator::observe_scores(const float* w, const float* w0, int64_t count, float d, uint8_t* tracked) {
    // Blocks of kBlock scores whose decisions are known before the chain runs: within a block
    // every estimate lies in [ref * lo_f, ref * hi_f], ref being the estimate at the start of
    // the previous block (lo_f / hi_f: the smallest / largest factor to the power 2 * kBlock,
    // widened far beyond the rounding of that many products; the rounded products are monotone
    // in the estimate, and every value stays normal). A score above that range is tracked
    // whatever the chain did before it, one at or below it is not; then the chain is only
    // est *= (its factor), the same products in the same order as the rule. Taking the range
    // from the previous block's start keeps the decisions off the chain: the next block's
    // compares run while this block's products do. The scores are compared in float against
    // the range rounded outwards (4 lanes at a time). A block with a score inside the range
    // (about 4 * kBlock * lambda relative, rare) or a NaN takes the rule score by score. Bit
    // for bit the rule's result either way.
    using F4 = float __attribute__((vector_size(16)));
    using I4 = int32_t __attribute__((vector_size(16)));
    constexpr int64_t kBlock = 32;
    const double fmax = std::max({up_, down_, 1.0}), fmin = std::min({up_, down_, 1.0});
    double hi_f = 1, lo_f = 1;
    for (int64_t t = 0; t < 2 * kBlock; ++t) hi_f *= fmax, lo_f *= fmin;
    hi_f *= 1 + 1e-9, lo_f *= 1 - 1e-9;
    const bool bounded = up_ > 0 && down_ > 0 && std::isfinite(hi_f) && lo_f > 0;
    const double factor[2] = {down_, up_};
    const F4 dv = {d, d, d, d};
    const I4 magnitude = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
    double est = est_, ref = est_;
    int64_t i = 0;
    for (; bounded && i + kBlock <= count; i += kBlock) {
        const double hi = ref * hi_f, lo = ref * lo_f;
        if (!(lo > 1e-300 && hi < 1e300)) break;
        ref = est;  // the next block's range: from this block's start
        // float bounds outside [lo, hi]: x > hu implies x > hi, x <= ld implies x <= lo.
        float hu = static_cast<float>(hi), ld = static_cast<float>(lo);
        if (static_cast<double>(hu) < hi) hu = std::nextafter(hu, HUGE_VALF);
        if (static_cast<double>(ld) > lo) ld = std::nextafter(ld, -HUGE_VALF);
        const F4 hv = {hu, hu, hu, hu}, lv = {ld, ld, ld, ld};
        I4 above[kBlock / 4], known = ~I4{};
        for (int64_t v = 0; v < kBlock / 4; ++v) {
            F4 a, b;
            std::memcpy(&a, w + i + 4 * v, sizeof a);
            std::memcpy(&b, w0 + i + 4 * v, sizeof b);
            const F4 x = reinterpret_cast<F4>(reinterpret_cast<I4>(a - dv * b) & magnitude);  // score()
            above[v] = x > hv;
            known &= above[v] | (x <= lv);  // false for a NaN
        }
        if (!(known[0] & known[1] & known[2] & known[3])) {
            est = observe_exact(est, up_, down_, w, w0, i, i + kBlock, d, tracked);
            continue;
        }
        for (int64_t t = 0; t < kBlock; ++t) {
            const int32_t up = above[t / 4][t % 4] & 1;
            tracked[i + t] = static_cast<uint8_t>(up);
            est *= factor[up];
        }
    }
    est_ = observe_exact(est, up_, down_, w, w0, i, count, d, tracked);
    updates_ += count > 0 ? static_cast<uint64_t>(count) : 0;
}

void observe_layer(QuantileEstimator& qe, const float* w, const float* w0, int64_t count, float d, uint8_t* tracked) {
    qe.observe_scores(w, w0, count, d, tracked);
}

int64_t reset_untracked(float* w, const float* w0, const uint8_t* tracked, int64_t count, float d) {
    // Four weights at a time with a mask select (1 in 10 is tracked, at random: a branch
    // mispredicts), then the rest one by one; the same product d * w0 either way.
    using F4 = float __attribute__((vector_size(16)));
    using I4 = int32_t __attribute__((vector_size(16)));
    const F4 dv = {d, d, d, d};
    I4 kept = {};
    int64_t i = 0;
    for (; i + 4 <= count; i += 4) {
        F4 a, b;
        std::memcpy(&a, w + i, sizeof a);
        std::memcpy(&b, w0 + i, sizeof b);
        const I4 t = {tracked[i], tracked[i + 1], tracked[i + 2], tracked[i + 3]};
        const I4 keep = t != 0;  // all ones where tracked
        const I4 out = (reinterpret_cast<I4>(a) & keep) | (reinterpret_cast<I4>(dv * b) & ~keep);
        std::memcpy(w + i, &out, sizeof out);
        kept -= keep;
    }
    int64_t n = int64_t{kept[0]} + kept[1] + kept[2] + kept[3];
    for (; i < count; ++i) {
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
