// The mapping layer: how a loop nest (loop_nest.h) is laid onto the array and the buffers.
//
//   DRAM -> global buffer (GB): the nest is cut into GB tiles of gb_tile[d] per dimension, visited
//     in gb_order (outer -> inner). The reduction dimensions C, R, S are innermost, so an output
//     tile stays in the GB until it is complete and is written to DRAM exactly once; an input
//     operand (Wt, In) is fetched again only when a dimension it depends on changes tile.
//     Footprint of a tile set (Wt + In + Out) <= GB words, halved when double buffering.
//   GB -> array: the dataflow spreads row_dim (always C) over the PE rows and col_dim (N for
//     CxN, K for CxK) over the columns; a GB tile wider than the array is processed in folds.
//     Every other dimension is temporal: each PE walks it in chunks of pe_tile[d] (one chunk of
//     every temporal dimension = one array step). Step order inside a GB tile, outer -> inner:
//     column folds, the output temporal dims (K or N, then P, Q), row folds, R, S. Partial
//     sums stay in the PE register files from the first row fold and R/S chunk of an output
//     chunk to its last, then are reduced down the columns and written to the GB.
//   RF: per PE, one step's Wt and In chunk (twice when double buffering) + the partial sums of
//     the output chunk <= rf words.
//
// map_op() picks the tile sizes: the PE chunk by exhaustive search (fit the RF, least estimated
// time), then the GB tile by greedy shrinking from the whole nest (least estimated time added per
// word freed) followed by hill climbing (grow one dimension, shrink another just enough to fit)
// for two loop orders (weights kept across output tiles, or inputs kept across K tiles), keeping
// the better one. The estimate is a closed form (no step walk); on the LeNet FC layers the
// chosen tiles come within 6% of the best found by brute force with the full model. A mapping
// search costs about 0.2-0.5 ms per LeNet-sized nest on the build host; TimingModel caches it.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "accel/core/array_config.h"
#include "accel/core/loop_nest.h"

namespace stvp::accel {

struct Mapping {
    Dataflow dataflow = Dataflow::CxN;
    Dim row_dim = Dim::C;
    Dim col_dim = Dim::N;
    DimArray gb_tile{1, 1, 1, 1, 1, 1, 1};  // GB tile extent per dim (edge tiles are smaller)
    DimArray pe_tile{1, 1, 1, 1, 1, 1, 1};  // chunk per array step per temporal dim; 1 for row/col dims
    std::array<Dim, kDims> gb_order{Dim::K, Dim::N, Dim::P, Dim::Q, Dim::C, Dim::R, Dim::S};
    int64_t gb_words = 0;  // footprint of one full tile set (one half of the GB when double buffering)
    int64_t rf_words = 0;  // per-PE words of one full step (double-buffered parts counted twice)
    std::string error;     // non-empty if no mapping fits (only for configs that fail validate())
};

// What the mapper knows of a sparse op (1 = dense): `work`, the fraction of the dense MACs the
// busiest PE is expected to perform (operand densities), and `wt_words`, the Wt operand's stored
// words per dense word (a compressed format). The estimate then scales each step's compute by
// `work` and the Wt part of fills and DRAM loads by `wt_words`: with little compute per step a
// mapping that moves fewer words per MAC (larger chunks, inputs kept across more outputs) wins.
struct SparseHints {
    double work = 1.0;
    double wt_words = 1.0;
    bool dense() const { return work >= 1.0 && wt_words >= 1.0; }
};

Mapping map_op(const ArrayConfig& cfg, const OpShape& nest, const SparseHints& hints = {});

// The output temporal dims of a dataflow, in step order (the column dim is spatial).
std::array<Dim, 3> output_temporal_dims(Dataflow d);
inline bool is_temporal(const Mapping& m, Dim d) { return d != m.row_dim && d != m.col_dim; }

// Words of a GB tile set of the given extents at the origin (In clipped to the input planes).
int64_t gb_tile_words(const OpShape& nest, const DimArray& t);

// Words moved by one array step with chunk extents z (temporal dims), ar active rows and ac
// active columns. Wt is multicast along a row when the column dim does not index it (CxN), In
// when the column dim does not index it (CxK).
struct StepWords {
    int64_t wt_pe = 0, in_pe = 0, out_pe = 0;  // per PE: Wt chunk, In window (padding included), partial sums
    int64_t fill_gb = 0;                       // GB words read to fill the RFs (unique words)
    int64_t wt_gb = 0;                         // the Wt operand's part of fill_gb
    int64_t rf_fill = 0;                       // RF words written by that fill (multicast copies)
    int64_t out_gb = 0;                        // GB words of reduced partial sums at the end of an output chunk
};
StepWords step_words(const OpShape& nest, const Mapping& m, const DimArray& z, int64_t ar, int64_t ac);
int64_t rf_step_words(const StepWords& w, bool double_buffering);

}  // namespace stvp::accel
