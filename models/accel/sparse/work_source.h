// Decoders and the PE cluster as the timing model sees them (accel/core/pe_work.h): per-PE MACs
// per lock-step array step counted from the real non-zeros of the operands, with the optional
// load balancer, plus the metadata, decoder, pruner and quantile-unit activity a sparse op adds.
//
// Operand zero maps live in the coordinates of one loop nest (accel/core/loop_nest.h):
//   wt[K][C][R][S] (the Wt operand) and in[N][C][in_h][in_w] (the In operand), 1 = non-zero;
//   an empty map means dense. conv_operands()/fc_operands() build them from the real tensors'
//   maps for each phase: forward Wt = W, In = X; input grad Wt = W^T flipped, In = dY;
//   weight grad Wt = dY, In = X^T. A mask of W comes from a decoder (block bitmask or N:M kept
//   mask), a map of X or dY is the activation/gradient zero map (ReLU zeros, pruned gradients).
//
// PE work: a MAC is performed iff its Wt and In elements are non-zero and In lies inside the
// input (padding is never counted). For a PE box it is computed as
//   sum over (c, r, s) of [non-zero Wt over k] x [non-zero In over (n, p, q)],
// which is exact because Wt does not depend on (n, p, q) nor In on k.
//
// Load balancer (Procrustes, docs/literature.md): each active PE's box of a step is split in two halves along its
// largest temporal extent (step_halves); the timing model sums each PE's halves over the
// synchronisation window (the GB tile under sync: tile, the step under sync: step), sorts them
// once per window and pairs the densest with the sparsest (accel/core/pe_work.h). Total work
// is unchanged; the window's busiest PE never gets busier. With every temporal extent 1 a PE
// cannot be split (its second half is empty).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "accel/core/energy.h"
#include "accel/core/pe_work.h"
#include "accel/core/shapes.h"
#include "accel/core/timing.h"

namespace stvp::accel::sparse {

struct NestOperands {
    std::vector<uint8_t> wt;  // [K][C][R][S] of the nest; empty = dense
    std::vector<uint8_t> in;  // [N][C][in_h][in_w] of the nest; empty = dense
};

// Zero maps of the real tensors (any may be nullptr = dense): w_nz W[K][C][R][S], x_nz X[N][C][H][W],
// dy_nz dY[N][K][P][Q]. The input-gradient phase needs stride 1 (a strided input gradient is
// split into sub-pixel nests, whose operand maps are not built here): error otherwise.
std::string conv_operands(const Conv2dShape& s, Phase phase, const uint8_t* w_nz, const uint8_t* x_nz,
                          const uint8_t* dy_nz, NestOperands* out);
std::string fc_operands(const FcShape& s, Phase phase, const uint8_t* w_nz, const uint8_t* x_nz,
                        const uint8_t* dy_nz, NestOperands* out);

class SparsePeWork : public PeWorkSource {
public:
    // wt_fraction: stored Wt words per dense Wt word (WeightFormat::word_fraction()).
    SparsePeWork(const OpShape& nest, const NestOperands& ops, bool load_balance, double wt_fraction = 1.0);
    void step_work(const StepView& step, int64_t rows, int64_t cols, int64_t* work) const override;
    bool counts_padding() const override { return false; }
    double wt_word_fraction() const override { return wt_fraction_; }
    bool balanced() const override { return balance_; }
    // Non-zero fraction of the Wt map times that of the In map (padding aside).
    double work_fraction() const override;
    void step_halves(const StepView& step, int64_t rows, int64_t cols, int64_t* halves) const override;
    // The default's sums (step_halves of every row and column fold), added in place: no buffer
    // per fold, the split dim chosen once for the tile.
    void tile_halves(const StepView& tile, int64_t rows, int64_t cols, int64_t* halves) const override;

    // Non-zero MACs in the box [lo, hi) of the nest (the brute-force-free count).
    int64_t box_work(const DimArray& lo, const DimArray& hi) const;


private:
    const OpShape& nest_;
    const NestOperands& ops_;
    bool balance_;
    double wt_fraction_;
    mutable double work_fraction_ = -1;
    // Prefix sums of the maps (built on the first box_work): wt [C][R][S][K+1] over k, in
    // [C][H][W][N+1] over n (build_in_prefix: the In part alone).
    void build_prefix() const;
    void build_in_prefix() const;
    // An FC-like nest's Wt non-zeros of every channel c over k in [k0, k1): the rows of the map
    // added once per range and kept (the ranges of an op's tiles cover K once or twice), in
    // place of the Wt prefix, whose transposed [C][K+1] layout cost a fifth of a sparse FC op.
    const int32_t* wt_channel_sums(int64_t k0, int64_t k1) const;
    struct WtSums {
        int64_t k0, k1;
        std::vector<int32_t> sums;  // [C]
    };
    mutable std::vector<WtSums> wt_sums_;
    mutable std::vector<int64_t> fold_sums_;  // fc_tile_halves' per-row factors and column reach
    // With unit column stride instead a 2-D prefix over (w, n) per (c, h): in_rect_
    // [C][H][W+1][N+1], so a box's input columns sum in O(1); with unit row stride as well a 3-D
    // prefix over (h, w, n) per c: in_cube_ [C][H+1][W+1][N+1], so a box's input rows do too.
    mutable bool prefix_built_ = false, in_built_ = false;
    bool fc_like_ = false, rect_ = false, cube_ = false;
    mutable std::vector<int32_t> wt_prefix_, in_prefix_, in_rect_, in_cube_;
    // PE (i, j)'s halves of the step or tile view v (split along dim `split`, -1 = none).
    void pe_halves(const StepView& v, int split, int64_t i, int64_t j, int64_t* out) const;
    // A kernel position (r, s) of a box with the box's output rows [p0, p1) and columns [q0, q1)
    // that read inside the input (input row p * stride_h + oh, column q * stride_w + ow): the
    // part of box_work that depends on neither c, k nor n, shared by all PEs of a tile.
    struct Tap {
        int64_t r, s, p0, p1, q0, q1, oh, ow;
    };
    void taps_of(const DimArray& lo, const DimArray& hi, std::vector<Tap>* taps) const;
    // Non-zero MACs of the channels [c0, c1), k in [k0, k1), n in [n0, n1) at the given taps.
    int64_t taps_work(const std::vector<Tap>& taps, int64_t c0, int64_t c1, int64_t k0, int64_t k1, int64_t n0,
                      int64_t n1) const;
    // The same for an FC-like nest (no taps).
    int64_t fc_work(int64_t c0, int64_t c1, int64_t k0, int64_t k1, int64_t n0, int64_t n1) const;
    // tile_halves of an FC-like nest with C on the array (rows or columns) and K or N beside
    // it: one channel per PE, so no sum over c. lo/hi: the nh half boxes of the tile.
    // tile_halves of a conv nest with C on the rows and N on the columns: per row, half and tap
    // one Wt count, the columns' In counts read at consecutive n. taps: of each half box.
    void conv_tile_halves(const StepView& tile, int64_t rows, int64_t cols, const DimArray* lo, const DimArray* hi,
                          const std::vector<Tap>* taps, int nh, int64_t* halves) const;
    void fc_tile_halves(const StepView& tile, int64_t rows, int64_t cols, const DimArray* lo, const DimArray* hi,
                        int nh, int64_t* halves) const;
};

// How the Wt operand is stored (its DRAM traffic and decoder work).
struct WeightFormat {
    bool compressed = false;        // values of kept weights only + metadata
    double density = 1.0;           // kept / all
    double metadata_bits_per_weight = 0;  // metadata bits per dense weight position
    int64_t unit_elements = 1;      // weight positions per decoded block or N:M group
    bool transposed_walk = false;   // block pointers read in the transposed order (1.5x)
    // Stored words per dense Wt word: kept values plus metadata (1 when not compressed).
    double word_fraction() const { return compressed ? std::min(1.0, density + metadata_bits_per_weight / 32.0) : 1.0; }
};

// The block-bitmask format (block_sparse.h) of a weight mask W[K][C][R][S] as the timing model
// sees it: stored word fraction, metadata, block size. The [code] format's 20-bit block
// pointers address at most 2^20 kept weights; a larger layer gets the pointer width it needs.
// Returns the encoder's error ("" if none).
std::string block_weight_format(const Conv2dShape& s, const uint8_t* mask, WeightFormat* out);

// Energies of the sparse units, pJ per action: one field per STVP_SPARSE_ENERGY row of
// accel/core/energy.def (the figures, their sources and the accel.sparse.energy.* keys' docs).
struct SparseEnergyTable {
#define STVP_SPARSE_ENERGY(field, type, def, lo, hi, doc) type field = def;
#include "accel/core/energy.def"
#undef STVP_SPARSE_ENERGY
    std::string validate() const;
};

struct SparseCounts {
    uint64_t decoded_units = 0;          // blocks / groups decoded
    uint64_t zero_checks = 0;            // In elements checked for zero
    uint64_t metadata_dram_bytes = 0;    // (also inside the OpCost's DRAM counts)
    uint64_t metadata_gb_bytes = 0;      // (also inside the OpCost's GB counts)
    uint64_t transposed_pointer_reads = 0;
    uint64_t pruner_ops = 0;
    uint64_t quantile_ops = 0;
    uint64_t lb_entries = 0;             // half-tile totals sorted (2 per PE per sync window), each one GB access [code]
};

struct SparseCost {
    OpCost op;  // timing and the core's action counts, weight traffic compressed, metadata added
    SparseCounts extra;
};

// One nest with operand maps; a compressed weight format moves only its kept values and metadata
// (WeightFormat::word_fraction scales the Wt operand's DRAM loads, GB -> RF fills and RF writes
// in the core's walk, times included) and adds decoder work.
SparseCost sparse_nest_cost(TimingModel& tm, const OpShape& nest, const NestOperands& ops, const WeightFormat& wf,
                            bool load_balance);

// pJ of each sparse unit for the given activity (load-balancer sorts and the transposed walk's
// extra pointer cost are priced as GB reads).
struct SparseUnitEnergy {
    double decoder_pj = 0;        // block / N:M decoders
    double zero_check_pj = 0;     // operand zero detection
    double pruner_pj = 0;         // gradient pruner
    double quantile_pj = 0;       // quantile estimator
    double load_balancer_pj = 0;  // half-tile sort entries
    double pointer_pj = 0;        // transposed block-pointer walk, the part above a plain GB read
    double total_pj() const {
        return decoder_pj + zero_check_pj + pruner_pj + quantile_pj + load_balancer_pj + pointer_pj;
    }
};
SparseUnitEnergy sparse_unit_energy(const SparseCounts& x, const EnergyTable& t, const SparseEnergyTable& s);

// Energy of a sparse op: the core's table on op.counts plus the sparse units.
double sparse_energy_pj(const SparseCost& c, const EnergyTable& t, const SparseEnergyTable& s);

}  // namespace stvp::accel::sparse
