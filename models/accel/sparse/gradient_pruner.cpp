#include "accel/sparse/gradient_pruner.h"

#include <cmath>

#include "stvp/hw/accel_desc.h"  // the lane seeding, shared with firmware references

namespace stvp::accel::sparse {

double inverse_normal_cdf(double p) {
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

std::string GradientPrunerConfig::validate() const {
    if (!(prune_rate >= 0 && prune_rate < 1)) return "prune_rate must be in [0, 1)";
    if (lanes < 1) return "lanes must be >= 1";
    return {};
}

GradientPruner::GradientPruner(const GradientPrunerConfig& cfg) : cfg_(cfg) {
    for (uint32_t l = 0; l < cfg.lanes; ++l) lanes_.emplace_back(stvp_accel_prune_lane_seed(cfg.seed, l));
}

double GradientPruner::threshold(const float* g, int64_t n) const {
    if (n <= 0 || cfg_.prune_rate <= 0) return 0;
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += std::abs(g[i]);
    const double sigma = sum / static_cast<double>(n) * std::sqrt(M_PI / 2);
    return inverse_normal_cdf((1 + cfg_.prune_rate) / 2) * sigma;
}

PruneStats GradientPruner::prune(float* g, int64_t n) {
    PruneStats st;
    st.elements = n;
    st.tau = threshold(g, n);
    const float tau = static_cast<float>(st.tau);
    const size_t L = lanes_.size();
    size_t lane = 0;  // i % L, counted instead of divided
    for (int64_t i = 0; i < n; ++i, lane = lane + 1 == L ? 0 : lane + 1) {
        const float v = g[i];
        st.zeros_before += v == 0.0f;
        const float a = std::abs(v);
        if (a < tau && v != 0.0f) {
            // Keep with probability |g|/tau: u * tau < |g|.
            const bool keep = lanes_[lane].unit() * tau < a;
            g[i] = keep ? std::copysign(tau, v) : 0.0f;
        }
        st.zeros_after += g[i] == 0.0f;
    }
    return st;
}

}  // namespace stvp::accel::sparse
