// The accelerator's engine: one descriptor (or a chain) from decode to outputs and cost, on
// host memory, without SystemC. The TLM device (accel/accel.h) fetches descriptors, resolves
// operands over DMI, waits the cycles and keeps the registers; host programs (the reference
// trainer, tests) run the same engine on a HostMemoryView. API and examples: README.md here.
//
// Per descriptor, in the order of the error codes (accel_desc.h, enum stvp_accel_err):
//   decode (descriptor only) -> bind (memory: address, capacity, overlap, labels) ->
//   sparse-copy check (METADATA) -> the opcode's handler (handlers.h): execute (outputs), then
//   unless EngineConfig::execute_only, cost (cycles, action counts).
// A failed check writes nothing and returns a structured error: code, field id, value, and in a
// chain the descriptor index.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "accel/core/array_config.h"
#include "accel/core/energy.h"
#include "accel/core/op_cost.h"
#include "accel/core/timing.h"
#include "accel/engine/command.h"
#include "accel/engine/handlers.h"
#include "accel/engine/sparse_engine.h"
#include "accel/sparse/sparse_config.h"
#include "stvp/hw/accel_desc.h"

namespace stvp::accel {

// What the engine models: the PE array and memories (timing), the per-action energies (the
// sparse units' energy is priced with them) and the sparse units.
struct EngineConfig {
    ArrayConfig array;
    EnergyTable energy;
    AccelSparseConfig sparse;
    // Numerics only: every op's execute() without its cost() and without the health counts
    // (OpResult::cost, sparse, sparse_pj, nan and inf stay zero). For host programs that need
    // the numbers alone (the reference trainer).
    bool execute_only = false;
};

// One range of the accelerator's address space backed by host bytes.
struct MemoryRegion {
    uint32_t base = 0;
    uint8_t* bytes = nullptr;
    uint64_t size = 0;
    bool scratchpad = false;  // COPY's cost distinguishes the scratchpad from DRAM
};

// The accelerator's view of memory as host buffers (no bus): an operand resolves if its first
// byte lies in a region (else ERR_ADDRESS) and its last byte in the same region (else
// ERR_CAPACITY).
class HostMemoryView : public MemoryResolver {
public:
    HostMemoryView() = default;
    // One DRAM region.
    HostMemoryView(uint32_t base, uint8_t* bytes, uint64_t size) { add({base, bytes, size, false}); }
    void add(const MemoryRegion& r) { regions_.push_back(r); }
    const std::vector<MemoryRegion>& regions() const { return regions_; }

    uint32_t resolve(Operand& op) override;
    // Host pointer to [address, address + bytes) if it lies in one region, else nullptr.
    uint8_t* find(uint32_t address, uint64_t bytes) const;

private:
    std::vector<MemoryRegion> regions_;
};

// One descriptor's outcome.
struct OpResult {
    CommandError error;          // code STVP_ACCEL_ERR_NONE: executed
    bool bound = false;          // decode and bind passed (opcode and phase are set)
    uint32_t opcode = 0;         // 0 unless bound
    uint32_t phase = STVP_ACCEL_PHASE_IDLE;
    OpCost cost;                 // cycles and action counts of the op (sparse metadata included; zero if execute_only)
    sparse::SparseCounts sparse; // decoder, pruner, quantile, zero-check activity
    double sparse_pj = 0;        // energy of the sparse units (on top of cost.counts' energy)
    uint64_t pruned = 0;         // gradients zeroed by GRAD_PRUNE (natural zeros excluded)
    uint64_t nan = 0, inf = 0;   // non-finite values in the fp32 outputs (accel.def, NAN_COUNT)
    explicit operator bool() const { return !error; }  // true = executed
};

// A chain's outcome: ops[i] for every descriptor run (the failing one last).
struct ChainResult {
    CommandError error;   // of the failing descriptor (or DESC_BASE / DESC_COUNT / DESC_FETCH)
    uint32_t index = 0;   // ERR_DESC: the failing descriptor's index (0 for DESC_BASE / DESC_COUNT)
    uint32_t done = 0;    // descriptors completed (DESCS_DONE)
    OpCost total;         // sum of the completed ops' costs (no fetch / decode overhead)
    std::vector<OpResult> ops;
    explicit operator bool() const { return !error; }
};

class Engine {
public:
    explicit Engine(const EngineConfig& cfg = EngineConfig{});

    // Runs one descriptor against `mem`: checks, then outputs and cost. On an error nothing
    // is written (the sparse units' state is unchanged too).
    OpResult run(const stvp_accel_desc& d, MemoryResolver& mem);
    // Runs descs[0 .. count) in order and stops at the first error (like the device; no
    // DESC_COUNT limit here).
    ChainResult run_chain(const stvp_accel_desc* descs, uint32_t count, MemoryResolver& mem);
    // The device's chain: `count` descriptors read from `mem` at desc_base (DESC_BASE,
    // DESC_COUNT up to max_chain and DESC_FETCH checked like the device).
    ChainResult run_chain(uint32_t desc_base, uint32_t count, const HostMemoryView& mem, uint32_t max_chain);

    // Called after a descriptor's checks, before its outputs are written, with the weights the
    // op reads (a sparse copy decoded, pruned weights zero; the dense W otherwise; src1 or
    // nullptr for ops without weights). Mask capture (MaskRecorder::record) uses it, on the
    // device and in stvp_reftrain; it must not write.
    void on_execute(std::function<void(const Command&, const float* weights)> fn) { on_execute_ = std::move(fn); }

    // Host hooks on DROPBACK's selection (sparse_engine.h; the device sets none).
    void set_selection_hooks(SelectionHooks h) { sparse_.set_selection_hooks(std::move(h)); }

    // SOFT_RESET: the sparse units' state (quantile estimator, tracked count) restarts.
    void reset() { sparse_.reset(); }

    const EngineConfig& config() const { return cfg_; }
    TimingModel& timing() { return timing_; }
    uint32_t tracked_this_step() const { return sparse_.tracked_this_step(); }
    float quantile_estimate() const { return sparse_.quantile_estimate(); }

private:
    bool chain_step(ChainResult& c, const stvp_accel_desc& d, MemoryResolver& mem);

    EngineConfig cfg_;
    TimingModel timing_;
    SparseEngine sparse_;
    std::function<void(const Command&, const float*)> on_execute_;
};

// NaN and Inf among the fp32 outputs a bound, executed command wrote (accel.def, health
// counters: dst0 except COPY's bytes, db of the *_BWD_WEIGHT ops, SOFTMAX_XENT's loss).
void count_nonfinite(const Command& cmd, uint64_t& nan, uint64_t& inf);

}  // namespace stvp::accel
