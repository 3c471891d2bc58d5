#include "accel/sparse/block_sparse.h"

#include <algorithm>
#include <cstring>

namespace stvp::accel::sparse {

std::string BlockSparseConfig::validate() const {
    if (fc_block < 1 || fc_block * fc_block > 64) return "fc_block must be 1..8 (a 64-bit mask per block)";
    if (pointer_bits < 1 || pointer_bits > 32) return "pointer_bits must be 1..32";
    return {};
}

namespace {
// Bit e set where p[e] != 0, for e < len <= 64; eight bytes at a time: a byte's high bit set
// iff it is non-zero, then the eight high bits gathered into one byte by a multiply.
uint64_t mask_bits(const uint8_t* p, int64_t len) {
    uint64_t bits = 0;
    int64_t e = 0;
    for (; e + 8 <= len; e += 8) {
        uint64_t x;
        std::memcpy(&x, p + e, 8);
        constexpr uint64_t low7 = 0x7f7f7f7f7f7f7f7full, high = 0x8080808080808080ull;
        const uint64_t nz = (((x & low7) + low7) | x) & high;
        bits |= ((nz >> 7) * 0x0102040810204080ull >> 56) << e;
    }
    for (; e < len; ++e) bits |= uint64_t{p[e] != 0} << e;
    return bits;
}

uint64_t nonzero_bits(const float* p, int64_t len) {
    uint64_t bits = 0;
    for (int64_t e = 0; e < len; ++e) bits |= uint64_t{p[e] != 0.0f} << e;
    return bits;
}
}  // namespace

void BlockSparseWeights::block_shape(const BlockSparseConfig& cfg, int64_t R, int64_t S, int64_t* bk, int64_t* bc) {
    const bool fc = R == 1 && S == 1;
    *bk = *bc = fc ? cfg.fc_block : 1;
}

std::string BlockSparseWeights::encode(const float* w, const uint8_t* mask, int64_t K, int64_t C, int64_t R,
                                       int64_t S, int64_t bk, int64_t bc, uint32_t pointer_bits,
                                       BlockSparseWeights* out) {
    if (K < 1 || C < 1 || R < 1 || S < 1 || bk < 1 || bc < 1) return "extents and block sizes must be >= 1";
    if (bk * bc * R * S > 64) return "block of " + std::to_string(bk * bc * R * S) + " weights exceeds a 64-bit mask";
    BlockSparseWeights b;
    b.K_ = K, b.C_ = C, b.R_ = R, b.S_ = S, b.bk_ = bk, b.bc_ = bc;
    b.kb_ = (K + bk - 1) / bk, b.cb_ = (C + bc - 1) / bc;
    b.pointer_bits_ = pointer_bits;
    b.masks_.assign(static_cast<size_t>(b.kb_ * b.cb_), 0);
    b.ptrs_.assign(static_cast<size_t>(b.kb_ * b.cb_), 0);
    const uint64_t limit = pointer_bits >= 32 ? (uint64_t{1} << 32) : (uint64_t{1} << pointer_bits);
    // Two passes (the encoder runs on every layer every training step): the masks, a block's
    // bits (kk, cc, r, s) taken as bk rows of up to bc * R * S contiguous weights, then the
    // pointers as a running sum of their popcounts and the values in one sized array.
    const int64_t rs = R * S, cw = bc * rs;
    for (int64_t kb = 0; kb < b.kb_; ++kb)
        for (int64_t cb = 0; cb < b.cb_; ++cb) {
            const int64_t row_len = (std::min(C, cb * bc + bc) - cb * bc) * rs;  // edge block: fewer c
            uint64_t m = 0;
            for (int64_t kk = 0; kk < bk && kb * bk + kk < K; ++kk) {
                const int64_t first = ((kb * bk + kk) * C + cb * bc) * rs;
                const uint64_t row = mask ? mask_bits(mask + first, row_len) : nonzero_bits(w + first, row_len);
                m |= row << (kk * cw);
            }
            b.masks_[static_cast<size_t>(kb * b.cb_ + cb)] = m;
        }
    uint64_t nnz = 0;
    for (size_t blk = 0; blk < b.masks_.size(); ++blk) {
        if (nnz >= limit) return "more than 2^" + std::to_string(pointer_bits) + " kept weights: pointer overflow";
        b.ptrs_[blk] = static_cast<uint32_t>(nnz);
        nnz += static_cast<uint64_t>(__builtin_popcountll(b.masks_[blk]));
    }
    b.values_.resize(static_cast<size_t>(nnz));
    float* v = b.values_.data();
    // Bit `bit` of a block is (bit / cw) rows of C * rs weights and bit % cw weights past the
    // block's first weight: looked up, not divided, per kept weight.
    int64_t bit_off[64];
    for (int64_t bit = 0; bit < bk * cw; ++bit) bit_off[bit] = bit / cw * C * rs + bit % cw;
    for (int64_t kb = 0; kb < b.kb_; ++kb)
        for (int64_t cb = 0; cb < b.cb_; ++cb) {
            const float* base = w + (kb * bk * C + cb * bc) * rs;
            for (uint64_t m = b.masks_[static_cast<size_t>(kb * b.cb_ + cb)]; m; m &= m - 1)
                *v++ = base[bit_off[__builtin_ctzll(m)]];
        }
    *out = std::move(b);
    return {};
}

void BlockSparseWeights::decode(float* w) const {
    std::fill(w, w + elements(), 0.0f);
    for_each([&](int64_t k, int64_t c, int64_t r, int64_t s, float v) { w[((k * C_ + c) * R_ + r) * S_ + s] = v; });
}

void BlockSparseWeights::decode_transposed(float* wt) const {
    std::fill(wt, wt + elements(), 0.0f);
    for_each_transposed(
        [&](int64_t c, int64_t k, int64_t r, int64_t s, float v) { wt[((c * K_ + k) * R_ + r) * S_ + s] = v; });
}

void BlockSparseWeights::kept_mask(uint8_t* m) const {
    std::fill(m, m + elements(), uint8_t{0});
    for_each([&](int64_t k, int64_t c, int64_t r, int64_t s, float) { m[((k * C_ + c) * R_ + r) * S_ + s] = 1; });
}

}  // namespace stvp::accel::sparse
