// The Procrustes compressed block format (docs/literature.md): weights W[K][C][R][S] cut into blocks of
// bk x bc x R x S; each block stores a bitmask of its kept weights and a 20-bit pointer to its
// first value in the value array; values are packed block after block, inside a block in
// (k, c, r, s) order.
//   CONV: bk = bc = 1, a block is one R x S kernel of a (k, c) pair (the paper's choice).
//   FC (R = S = 1): bk = bc = 8 by default (BlockSparseConfig::fc_block), an 8 x 8 tile with a
//   64-bit mask. A square tile is its own transpose, so the backward pass walks the same blocks;
//   1 x B strips along C would serve W but not W^T. (A 1 x 1 block would spend a 20-bit pointer
//   on every weight.)
// The forward op reads the blocks in (k-block, c-block) order as W. The input-gradient op reads
// the same blocks in (c-block, k-block) order as W^T, each kernel flipped, without
// re-compression; those pointer reads are unaligned and cost 1.5x a buffer access [code].
// Pointers address at most 2^20 values per layer; encode() refuses larger layers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stvp::accel::sparse {

struct BlockSparseConfig {
    uint32_t fc_block = 8;      // bk = bc for FC layers (R = S = 1); bk*bc <= 64
    uint32_t pointer_bits = 20; // per-block pointer [code]
    std::string validate() const;
};

class BlockSparseWeights {
public:
    // Encodes W (layout K,C,R,S) keeping the weights with mask != 0 (mask == nullptr: the
    // non-zero weights). bk, bc: block extent along K and C; bk*bc*R*S must be <= 64.
    static std::string encode(const float* w, const uint8_t* mask, int64_t K, int64_t C, int64_t R, int64_t S,
                              int64_t bk, int64_t bc, uint32_t pointer_bits, BlockSparseWeights* out);
    // The block shape the format uses for a layer: 1 x 1 kernels for CONV, fc_block tiles for FC.
    static void block_shape(const BlockSparseConfig& cfg, int64_t R, int64_t S, int64_t* bk, int64_t* bc);

    void decode(float* w) const;             // dense W[K][C][R][S], zeros where not kept
    void decode_transposed(float* wt) const; // dense W^T[C][K][R][S] with each kernel flipped
    void kept_mask(uint8_t* m) const;        // 1 where kept, layout K,C,R,S

    // f(k, c, r, s, value) for every kept weight, blocks in forward order.
    template <class F> void for_each(F&& f) const;
    // f(c, k, r', s', value) with W^T[c][k][r'][s'] = W[k][c][R-1-r'][S-1-s'], blocks in
    // (c-block, k-block) order. Each call of a block counts one transposed pointer read.
    template <class F> void for_each_transposed(F&& f) const;

    int64_t nnz() const { return static_cast<int64_t>(values_.size()); }
    int64_t blocks() const { return kb_ * cb_; }
    int64_t block_elements() const { return bk_ * bc_ * R_ * S_; }
    int64_t elements() const { return K_ * C_ * R_ * S_; }
    double density() const { return elements() ? static_cast<double>(nnz()) / static_cast<double>(elements()) : 0; }
    // Metadata: a mask of block_elements() bits and a pointer per block.
    int64_t metadata_bits() const { return blocks() * (block_elements() + pointer_bits_); }
    int64_t metadata_bytes() const { return (metadata_bits() + 7) / 8; }
    uint64_t mask(int64_t block) const { return masks_[static_cast<size_t>(block)]; }
    uint32_t pointer(int64_t block) const { return ptrs_[static_cast<size_t>(block)]; }
    // The kept values in for_each's order (block by block in forward order, bits ascending).
    const std::vector<float>& values() const { return values_; }
    uint64_t transposed_pointer_reads() const { return transposed_reads_; }

private:
    int64_t K_ = 0, C_ = 0, R_ = 1, S_ = 1, bk_ = 1, bc_ = 1, kb_ = 0, cb_ = 0;
    int64_t pointer_bits_ = 20;
    std::vector<uint64_t> masks_;
    std::vector<uint32_t> ptrs_;
    std::vector<float> values_;
    mutable uint64_t transposed_reads_ = 0;

    template <class F> void walk_block(int64_t kb, int64_t cb, F&& f) const;
};

template <class F> void BlockSparseWeights::walk_block(int64_t kb, int64_t cb, F&& f) const {
    const int64_t b = kb * cb_ + cb;
    uint64_t m = masks_[static_cast<size_t>(b)];
    const float* v = values_.data() + ptrs_[static_cast<size_t>(b)];
    const int64_t rs = R_ * S_, cw = bc_ * rs;
    while (m) {
        const int bit = __builtin_ctzll(m);
        m &= m - 1;
        const int64_t kk = bit / cw, cc = (bit % cw) / rs, r = (bit % rs) / S_, s = bit % S_;
        f(kb * bk_ + kk, cb * bc_ + cc, r, s, *v++);
    }
}

template <class F> void BlockSparseWeights::for_each(F&& f) const {
    for (int64_t kb = 0; kb < kb_; ++kb)
        for (int64_t cb = 0; cb < cb_; ++cb) walk_block(kb, cb, f);
}

template <class F> void BlockSparseWeights::for_each_transposed(F&& f) const {
    for (int64_t cb = 0; cb < cb_; ++cb)
        for (int64_t kb = 0; kb < kb_; ++kb) {
            ++transposed_reads_;
            walk_block(kb, cb, [&](int64_t k, int64_t c, int64_t r, int64_t s, float v) {
                f(c, k, R_ - 1 - r, S_ - 1 - s, v);
            });
        }
}

}  // namespace stvp::accel::sparse
