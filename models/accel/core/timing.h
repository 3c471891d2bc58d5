// Tile-level timing of the accelerator (loop nests: loop_nest.h, mapping: mapping.h, per-PE
// work: pe_work.h). Time is in accelerator clock cycles.
//
// Array step s of a GB tile: compute c_s = ceil(max over PEs of MACs / macs_per_pe) (lock-step:
// the slowest PE) under ArrayConfig::sync = SyncMode::Step. Under SyncMode::Tile (the default,
// the Procrustes authors' rule "dense cycles x the densest PE tile's density", docs/literature.md)
// the PEs only
// synchronise at the end of the GB tile: each PE walks its share of the tile at its own pace and
// the tile's compute is that of the PE with the most work over all the tile's steps,
// max_p W_p / macs_per_pe; the walk keeps the dense step structure for the GB port and gives the
// steps compute slots in proportion to the dense steps, rounded so that they add up to
// ceil(sum_s dense c_s x max_p W_p / D) (D = the dense work of a PE busy in every step). For
// dense work both modes are the same walk. A load-balancing source (pe_work.h) has its PEs' half
// totals paired over the same window (the step or the tile) before the max is taken.
//
// The GB port (gb_bytes_per_cycle) fills the RFs with each step's Wt and In chunks (multicast
// words once) and writes back the reduced partial sums at the end of each output chunk
// (read-modify-write of the GB copy when an earlier GB tile already contributed). The RFs are
// double-buffered: while the PEs compute step s the port writes back step s-1 and fills step
// s+1, so a step lasts max(c_s, wb_{s-1} + fill_{s+1}).
//
// ArrayConfig::pipeline = TilePipeline::Serial: after a tile's last step the array drains
// (rows + cols cycles: reduction down the columns, multicast wavefront), so a tile costs
//   C = fill_0 + sum_{s<L} max(c_s, wb_{s-1} + fill_{s+1}) + max(c_L + rows + cols, wb_{L-1}) + wb_L
// and with GB tile j's DRAM loads L_j (the Wt / In tiles that changed since the previous tile)
// and write-back WB_j (the output tile when complete, preceded by a read of the saved input for
// a fused ReLU mask and of the bias) — each DRAM request costs latency + ceil(bytes / DRAM bytes
// per cycle), one at a time — double buffering loads tile j+1 and writes back tile j-1 while the
// array computes tile j:
//   cycles = L_0 + sum_j max(C_j, WB_{j-1} + L_{j+1}) + WB_last
// and without it everything is sequential: cycles = sum_j (L_j + C_j + WB_j).
//
// TilePipeline::Overlap (the default; needs double buffering, serial without it): the tiles
// form one stream of steps. The next tile's first fill is issued during the current tile's last
// step once that tile's DRAM loads are in, the array goes on without draining (the drain is paid
// once per nest) and a tile's DRAM write-back is issued once its last partial sums have left
// the port. This is computed in event time (every DRAM request and port transfer a first-in
// first-out job), as the cycle-stepped reference in the tests executes it.
//
// ArrayConfig::timing = TimingRule::ComputeOnly: cycles = OpCost::rule_cycles, the sum over
// sync windows of the busiest PE's work (the published model's rule, memory free); the
// counts, hence energy, are those of the full model. OpCost::rule_cycles is filled in both modes.
//
// MACs on padding (In outside the input) are part of the dense walk and take its time, but are
// counted as gated (macs_skipped), not performed.
//
// A compressed weight format (PeWorkSource::wt_word_fraction < 1) moves only its kept values and
// metadata: the Wt operand's DRAM loads, GB -> RF fill words and RF writes shrink by that
// fraction (in both sync modes), so sparse weights also shorten the fills and the DRAM loads.
//
// Energy-relevant counts: each performed MAC reads Wt, In and the partial sum from the RF and
// writes the partial sum (3 reads + 1 write); RF fills are RF writes, drained partial sums RF
// reads; DRAM loads are GB writes and write-backs GB reads. A skipped MAC costs only mac_gated.
//
// Non-MAC ops (pooling, softmax, SGD) run as vector work on the array: rows*cols element ops
// per cycle, overlapped with their DRAM streams when double buffering (added otherwise).
// Fused epilogues (bias, ReLU, ReLU mask, bias gradient) cost vector ops and DRAM traffic only.
//
// Not modelled: GB bank conflicts, DRAM refresh/page effects, NoC contention beyond the GB port.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "accel/core/array_config.h"
#include "accel/core/loop_nest.h"
#include "accel/core/mapping.h"
#include "accel/core/op_cost.h"
#include "accel/core/pe_work.h"
#include "accel/core/shapes.h"

namespace stvp::accel {

// Cost of one nest under a mapping. work == nullptr: dense (every active PE does the full step);
// otherwise every step of every tile asks `work` for its per-PE MACs (and its Wt word fraction).
OpCost nest_cost(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const PeWorkSource* work = nullptr);

// Element-wise work on the array with its DRAM streams.
OpCost vector_cost(const ArrayConfig& cfg, uint64_t element_ops, uint64_t dram_read_bytes, uint64_t dram_write_bytes);

// Element ops per element of the vector operations (documented constants).
inline constexpr uint64_t kSoftmaxOpsPerElement = 5;  // max, exp, sum, normalise, gradient
inline constexpr uint64_t kSgdOpsPerElement = 3;      // g + wd*W, times lr, subtract

OpCost maxpool2d_forward_cost(const ArrayConfig& cfg, const Pool2dShape& s);
OpCost maxpool2d_backward_cost(const ArrayConfig& cfg, const Pool2dShape& s);
OpCost softmax_xent_cost(const ArrayConfig& cfg, const SoftmaxXentShape& s);
OpCost sgd_cost(const ArrayConfig& cfg, const SgdShape& s);

// The timing model of one accelerator configuration, with mappings and dense costs cached per
// loop nest (a training run repeats the same layers every step, so after the first step an op
// costs a hash lookup).
class TimingModel {
public:
    explicit TimingModel(const ArrayConfig& cfg);  // cfg must validate()
    const ArrayConfig& config() const { return cfg_; }

    OpCost fc(const FcShape& s, Phase phase, const NestOptions& opt = {});
    OpCost conv2d(const Conv2dShape& s, Phase phase, const NestOptions& opt = {});
    // One nest; with a work source the cost is computed afresh (sparsity changes every step).
    // With sparse_aware_mapping a sparse source's nest is also mapped for its own work (its
    // densities as SparseHints); both mappings are costed with the source the first time such
    // hints are seen and the faster one is kept for them.
    OpCost nest(const OpShape& nest, const PeWorkSource* work = nullptr);
    const Mapping& mapping(const OpShape& nest);

    OpCost maxpool2d_forward(const Pool2dShape& s) const { return maxpool2d_forward_cost(cfg_, s); }
    OpCost maxpool2d_backward(const Pool2dShape& s) const { return maxpool2d_backward_cost(cfg_, s); }
    OpCost softmax_xent(const SoftmaxXentShape& s) const { return softmax_xent_cost(cfg_, s); }
    OpCost sgd(const SgdShape& s) const { return sgd_cost(cfg_, s); }

    size_t cached_nests() const { return cache_.size(); }

private:
    struct Entry {
        Mapping mapping;
        OpCost dense;
        bool has_dense = false;
        // The mapping kept for a sparse source, by its hints in 1/32 steps (masks drift from step
        // to step; the choice is made once per density bucket).
        std::map<std::pair<int, int>, Mapping> sparse;
    };
    struct Hash {
        size_t operator()(const OpShape& o) const;
    };
    Entry& entry(const OpShape& nest);

    ArrayConfig cfg_;
    std::unordered_map<OpShape, Entry, Hash> cache_;
};

}  // namespace stvp::accel
