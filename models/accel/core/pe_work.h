// The seam between the timing model and operand sparsity: how much work each PE has in each
// lock-step array step. The dense model gives every active PE the full product of the step's
// chunk sizes; a sparse scheme (bitmask blocks, N:M, activation zero maps, a load balancer
// pairing half-tiles) supplies its own PeWorkSource that counts real non-zeros. Under
// SyncMode::Step a step then lasts as long as its slowest PE (step_compute_cycles); under
// SyncMode::Tile the GB tile lasts as long as the PE with the most work over all its steps.
#pragma once

#include <algorithm>
#include <cstdint>

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
};

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
