// Bidirectional N:M weight sparsity (BDWP, Fang et al. TCAD 2023; docs/literature.md). After each update
// the dense master weights W[K][C][R][S] are pruned twice by magnitude:
//   forward copy  (NmAxis::Input):  groups of M consecutive c for each (k, r, s) — the
//                 reduction dimension of the forward op;
//   backward copy (NmAxis::Output): groups of M consecutive k for each (c, r, s) — the
//                 reduction dimension of W^T in the input-gradient op.
// Each group keeps its N largest |w| (ties: lower index); a group stores exactly N values and N
// indices of ceil(log2 M) bits. When the grouped extent is not a multiple of M the last group
// is shorter (zero-padded): it keeps min(N, length) weights and its padding slots hold 0 with
// index 0. Any M from 2 to 256 with 1 <= N < M is accepted (M need not be a power of two; the
// index still takes ceil(log2 M) bits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stvp::accel::sparse {

struct NmConfig {
    uint32_t n = 2;  // kept per group
    uint32_t m = 8;  // group size
    std::string validate() const;
    uint32_t index_bits() const;  // ceil(log2 m)
};

enum class NmAxis : uint8_t { Input, Output };

class NmWeights {
public:
    // The most weights one tensor may have (the accelerator's 2^31-element tensor limit).
    static constexpr int64_t kMaxWeights = int64_t{1} << 31;
    // "" or why not: a bad N:M, an extent < 1, more than kMaxWeights weights.
    static std::string prune(const float* w, int64_t K, int64_t C, int64_t R, int64_t S, const NmConfig& cfg,
                             NmAxis axis, NmWeights* out);

    void decode(float* w) const;       // dense K,C,R,S with the pruned weights zero
    void kept_mask(uint8_t* m) const;  // 1 where kept, layout K,C,R,S
    int64_t groups() const { return static_cast<int64_t>(values_.size()) / n_; }
    int64_t kept() const { return kept_; }  // real weights kept (padding slots excluded)
    int64_t elements() const { return K_ * C_ * R_ * S_; }
    int64_t value_bytes() const { return 4 * static_cast<int64_t>(values_.size()); }
    int64_t metadata_bits() const { return static_cast<int64_t>(values_.size()) * index_bits_; }
    int64_t metadata_bytes() const { return (metadata_bits() + 7) / 8; }
    NmAxis axis() const { return axis_; }
    const std::vector<float>& values() const { return values_; }
    const std::vector<uint8_t>& indices() const { return idx_; }

private:
    template <class F> void for_each_slot(F&& f) const;
    int64_t K_ = 0, C_ = 0, R_ = 1, S_ = 1, n_ = 2, m_ = 8, kept_ = 0;
    uint32_t index_bits_ = 3;
    NmAxis axis_ = NmAxis::Input;
    std::vector<float> values_;
    std::vector<uint8_t> idx_, valid_;
};

}  // namespace stvp::accel::sparse
