// The seam between the timing model and operand sparsity: how much work each PE has in each
// lock-step array step. The dense model gives every active PE the full product of the step's
// chunk sizes; a sparse scheme (bitmask blocks, N:M, activation zero maps) supplies its own
// PeWorkSource that counts real non-zeros. Under SyncMode::Step a step then lasts as long as
// its slowest PE (step_compute_cycles); under SyncMode::Tile the GB tile lasts as long as the PE
// with the most work over all its steps.
//
// Load balancing (Procrustes) happens over the same window the PEs synchronise on: a balancing
// source splits each PE's work of a step in two halves (step_halves); the timing model sums
// each PE's halves over the window (one step, or the whole GB tile) and pairs them once per
// window, densest with sparsest (balance_halves). Pairing a sorted list's ends minimises the
// largest pair sum over all pairings, the unbalanced one (each PE keeps its own two halves)
// included, so the balancer is never slower than no balancer on any window.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "accel/core/mapping.h"

namespace stvp::accel {

// One array step, in the coordinates of the loop nest. PE (i, j) handles index
// origin[row_dim] + i of the row dim, origin[col_dim] + j of the column dim, and the box
// [origin[d], origin[d] + size[d]) of every temporal dim d. Only PEs with i < size[row_dim]
// and j < size[col_dim] are active.
struct StepView {
    const OpShape* nest = nullptr;
    const Mapping* mapping = nullptr;
    DimArray origin{};
    DimArray size{};
};

// MACs of one active PE in a dense step.
inline int64_t dense_pe_work(const StepView& s) {
    int64_t w = 1;
    for (int d = 0; d < kDims; ++d)
        if (is_temporal(*s.mapping, static_cast<Dim>(d))) w *= s.size[d];
    return w;
}

class PeWorkSource {
public:
    virtual ~PeWorkSource() = default;
    // Writes the MACs PE (i, j) performs in this step to work[i * cols + j] for the whole
    // array (rows * cols entries; inactive PEs get 0). The total over the array may be less
    // than the dense total (skipped MACs), never more.
    virtual void step_work(const StepView& step, int64_t rows, int64_t cols, int64_t* work) const = 0;
    // True if the work counts MACs on padding (In outside the input) like the dense walk does;
    // the timing model then moves those from performed to gated MACs. A source that counts
    // only real non-zero operands returns false.
    virtual bool counts_padding() const { return true; }
    // Words the Wt operand occupies in DRAM, the GB -> RF fill and the RF, per dense Wt word: 1
    // for dense storage; a compressed format moves only its kept values plus metadata
    // (density + metadata bits / 32). Scales the Wt part of DRAM loads, fills and RF writes.
    virtual double wt_word_fraction() const { return 1.0; }
    // Expected fraction of the dense MACs performed (the operands' densities), for the
    // sparse-aware mapper (mapping.h SparseHints); 1 = dense.
    virtual double work_fraction() const { return 1.0; }
    // True if the source's PEs are load-balanced: the timing model then asks for halves and
    // pairs them over its synchronisation window.
    virtual bool balanced() const { return false; }
    // Writes PE (i, j)'s work of this step in two halves to halves[2 * (i * cols + j)] and the
    // next entry (their sum is the step_work value; inactive PEs get 0, 0). The default keeps
    // the whole work in the first half.
    virtual void step_halves(const StepView& step, int64_t rows, int64_t cols, int64_t* halves) const {
        std::vector<int64_t> w(static_cast<size_t>(rows * cols));
        step_work(step, rows, cols, w.data());
        for (int64_t p = 0; p < rows * cols; ++p) halves[2 * p] = w[static_cast<size_t>(p)], halves[2 * p + 1] = 0;
    }
    // Under SyncMode::Tile: each PE's work over a whole GB tile (`tile` spans it in every dim)
    // in two halves, added to halves[2p] and halves[2p + 1]. PE (i, j) holds row-dim indices
    // i, i + rows, ... and column-dim indices j, j + cols, ... of the tile. The default asks
    // step_halves once per row and column fold with every temporal dim at its full tile extent,
    // so a PE's halves split its whole share of the tile (half-tiles); a source whose work is
    // additive over boxes gives the sum of its steps' work.
    virtual void tile_halves(const StepView& tile, int64_t rows, int64_t cols, int64_t* halves) const;
};

// The load balancer over one window: `halves` holds two half totals for each of `pes`
// participating PEs; after the call work[p] is the pair PE p executes: the p-th densest half
// with the p-th sparsest (halves is reordered). Returns the entries sorted (2 * pes). An
// exchange argument shows this pairing has the smallest largest sum of all pairings.
int64_t balance_halves(std::vector<int64_t>& halves, int64_t pes, int64_t* work);

// Sorts v[0, n) largest first (a radix sort for non-negative values; the balancer's sort).
void sort_descending(int64_t* v, size_t n);

// The busiest PE of balance_halves over the 2 * pes values v (the largest pair sum), without
// sorting when the values are MAC counts of a small range: a histogram of the values is walked
// from both ends (the p-th densest meets the p-th sparsest). Otherwise (a negative value, or a
// largest value far above the entry count) sort_descending on a copy. Buffers reused per call:
struct BalanceScratch {
    std::vector<uint32_t> counts;
    std::vector<int64_t> sorted;
};
int64_t busiest_balanced(const int64_t* v, int64_t pes, BalanceScratch& scratch);

// The dense case through the general path. Without a source the timing model computes dense
// steps directly and walks each distinct GB tile once; the tests check that both agree.
class DensePeWork : public PeWorkSource {
public:
    void step_work(const StepView& s, int64_t rows, int64_t cols, int64_t* work) const override {
        const int64_t w = dense_pe_work(s);
        const int64_t ar = s.size[idx(s.mapping->row_dim)], ac = s.size[idx(s.mapping->col_dim)];
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j) work[i * cols + j] = (i < ar && j < ac) ? w : 0;
    }
};

// Lock-step: a step lasts until its slowest PE is done, at macs_per_pe MACs per cycle.
inline int64_t step_compute_cycles(const int64_t* work, int64_t pes, int64_t macs_per_pe) {
    const int64_t most = pes > 0 ? *std::max_element(work, work + pes) : 0;
    return (most + macs_per_pe - 1) / macs_per_pe;
}

}  // namespace stvp::accel
