// The sparse training accelerator as a SystemC/TLM-2.0 device: register bank, command
// processor, scratchpad, performance counters, energy, interrupt. What a descriptor does and
// costs is the SystemC-free engine's (accel/engine/engine.h); this shell fetches, resolves
// operands over DMI, waits, counts and traces.
//
// Register map and programming sequence: firmware/include/stvp/hw/accel.def.
// Descriptor layout, opcodes, field ids and error codes: firmware/include/stvp/hw/accel_desc.h.
//
// Function and time are separate. A doorbell (CTRL.START) wakes the command processor thread
// at the CPU's local time of the write (the write itself does not block). For each descriptor
// i of the chain, at accelerator clock `array.clock_hz`:
//   1. fetch: one 128-byte read at DESC_BASE + 128 i through `master` (b_transport); its
//      annotated delay (bus + memory) is charged rounded up to whole cycles;
//   2. decode: `decode_cycles` cycles to validate every field (engine/command.h); the operand
//      tensors are resolved to host memory by DMI through `master` (every tensor must lie in
//      one DMI-granted range: DRAM or the scratchpad); on a failed check the chain stops here;
//   3. execute: the op's outputs are computed natively at once (accel/core/ops.h), then the
//      op's cycles from the tile-level TimingModel (accel/core/timing.h; COPY: engine/load_store.h)
//      are waited; the `opcode`/`phase` signals are set for exactly that span.
// So descriptor i costs ceil(fetch delay) + decode_cycles + op cycles, and a chain is the sum.
// Counters, DESCS_DONE and INT_STATUS.DESC change at the end of each op; STATUS and
// INT_STATUS.DONE/ERROR at the end of the chain (or at the failing check).
//
// Health: after computing an op's outputs, one pass over its fp32 outputs counts NaN and Inf
// (accel.def lists which outputs; COPY's bytes and integer metadata are not scanned); the
// counts go to the op's record, the stats, NAN_COUNT/INF_COUNT and, if non-zero,
// INT_STATUS.NONFINITE and NONFINITE_DESC at the end of the op. The `gb_occupancy` signal
// holds OpCost::gb_bytes_in_use (the mapping's tile set) for exactly the op's span.
//
// DRAM traffic of ops is charged by the tile model from the ArrayConfig's DRAM latency and
// bandwidth (the platform sets them from the DRAM's configuration) for every operand, wherever
// it lives; only COPY distinguishes the scratchpad (engine/load_store.h). Tensors may still be named
// in the scratchpad, which the CPU and DMA can also reach at STVP_SPAD_BASE (debugging,
// staging).
//
// Energy: per-action counts of each op (and descriptor fetches: EnergyTable::descriptor_fetch_pj
// is per 64 bytes of descriptor, so one 128-byte descriptor counts 2) priced by the
// EnergyAccountant under the label "layer<L>.<phase>".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "accel/accel_config.h"
#include "accel/capture/mask_recorder.h"
#include "accel/core/array_config.h"
#include "accel/core/energy.h"
#include "accel/core/timing.h"
#include "accel/engine/command.h"
#include "accel/engine/engine.h"
#include "common/register_device.h"
#include "memory/memory.h"

namespace stvp {

// The accelerator's parameters (accel_config.h: the accel.* keys) and its SystemC-side parts.
struct AccelConfig : AccelParams {
    // Latency added to every register access.
    sc_core::sc_time reg_latency = sc_core::SC_ZERO_TIME;

    // Empty if usable, else "<field> <value> <reason>".
    std::string validate() const;
};

// Totals of a group of ops (one (layer, phase) pair, or everything).
struct AccelOpTotals {
    uint64_t ops = 0;
    uint64_t cycles = 0;           // op cycles (the tile model's), without fetch/decode
    uint64_t overhead_cycles = 0;  // descriptor fetch + decode cycles
    uint64_t macs = 0;
    uint64_t macs_skipped = 0;
    uint64_t dram_bytes = 0;       // read + written
    uint64_t gb_bytes = 0;         // read + written
    uint64_t metadata_bytes = 0;   // sparse metadata DRAM bytes (inside dram_bytes)
    uint64_t pruned = 0;           // gradients zeroed by GRAD_PRUNE
    uint64_t nan = 0, inf = 0;     // non-finite fp32 values written to the ops' fp32 outputs (accel.def, NAN_COUNT)
    double sparse_pj = 0;          // energy of the sparse units (decoders, pruner, quantile unit,
                                   // zero checks, load balancer) == energy.sparse_pj
    accel::sparse::SparseCounts sparse;  // their action counts
    accel::ActionCounts counts;
    accel::EnergyBreakdown energy;  // pJ by unit (sparse units included)
    void add(const AccelOpTotals& o);
};

// One executed (or failed) descriptor, for logs (see Accel::on_op).
struct AccelOpRecord {
    uint64_t seq = 0;             // ops completed before this one since construction
    uint32_t index = 0;           // index in its chain
    uint32_t address = 0;         // where the descriptor is
    bool fetched = false;
    stvp_accel_desc desc{};       // as fetched (all zero if not)
    uint32_t layer = 0, opcode = 0, phase = 0;
    accel::CommandError error;    // code 0 = executed
    AccelOpTotals cost;           // this op's cycles, MACs, bytes, energy (ops = 1 if executed)
    sc_core::sc_time start, end;  // fetch start, op end (or failure)
};

// Cumulative since construction (a soft reset does not clear them), for the platform's stats.
struct AccelStats {
    uint64_t chains = 0;               // STARTs accepted
    uint64_t chains_failed = 0;
    uint64_t descriptors = 0;          // completed
    uint64_t commands_rejected = 0;    // control writes while busy
    sc_core::sc_time busy_time;
    AccelOpTotals total;               // every descriptor fetched, executed or not
    // Per (layer, phase); failed descriptors count under phase 0 (idle) with their fetch only.
    // The descriptor's layer field is the firmware's (any 32-bit value; INIT_WEIGHTS and
    // DROPBACK use it as a key), so only layers below kLayers get their own rows: the others
    // share the row of layer kOtherLayers (energy label "layer_other.<phase>"), and the
    // statistics stay bounded however many layer numbers a program names.
    static constexpr uint32_t kLayers = 1024;
    static constexpr uint32_t kOtherLayers = 0xFFFFFFFFu;
    std::map<std::pair<uint32_t, uint32_t>, AccelOpTotals> per_layer_phase;
};

class Accel : public RegisterDevice {
public:
    tlm_utils::simple_initiator_socket<Accel> master;  // to the system bus: descriptors and DMI
    sc_core::sc_out<bool> irq;                         // (INT_STATUS & INT_ENABLE) != 0, level
    Memory spad;                                       // scratchpad target: bind spad.socket to the bus

    // Throws std::invalid_argument if cfg.validate() fails.
    Accel(sc_core::sc_module_name name, const AccelConfig& cfg = AccelConfig{});

    const AccelConfig& config() const { return cfg_; }
    const AccelStats& stats() const { return stats_; }
    const accel::EnergyAccountant& energy() const { return energy_; }
    accel::TimingModel& timing() { return engine_.timing(); }

    // For VCD tracing.
    const sc_core::sc_signal<bool>& busy() const { return busy_; }          // a chain runs
    const sc_core::sc_signal<uint32_t>& opcode() const { return opcode_; }  // op executing, 0 = none
    const sc_core::sc_signal<uint32_t>& phase() const { return phase_; }    // STVP_ACCEL_PHASE_*
    const sc_core::sc_signal<uint32_t>& layer() const { return layer_; }    // layer of the last op
    const sc_core::sc_signal<double>& pe_utilisation() const { return pe_util_; }    // MACs / (PEs x MACs/PE x cycles) of the op
    const sc_core::sc_signal<double>& dram_utilisation() const { return dram_util_; }  // DRAM-busy cycles / cycles of the op
    // Global-buffer bytes in use while an op runs (its mapping's operand tiles, x2 with double
    // buffering; OpCost::gb_bytes_in_use), 0 between ops.
    const sc_core::sc_signal<uint32_t>& gb_occupancy() const { return gb_occupancy_; }

    // Notified (immediately) when a chain ends, successfully or not, as STATUS.BUSY falls.
    const sc_core::sc_event& done_event() const { return done_ev_; }
    // Called when each descriptor completes or fails.
    void on_op(std::function<void(const AccelOpRecord&)> fn) { on_op_ = std::move(fn); }
    // Mask capture (accel/capture/mask_recorder.h; nullptr = off, the default): while the
    // recorder's current step is a chosen one, every FC/CONV forward and weight-gradient op hands
    // it the operand tensors it reads, before executing. Reads only: no effect on values or time.
    void set_mask_recorder(capture::MaskRecorder* r) { recorder_ = r; }
    // NaN / Inf values written since reset or SOFT_RESET (the NAN_COUNT / INF_COUNT registers).
    uint64_t nan_count() const { return counters_.nan; }
    uint64_t inf_count() const { return counters_.inf; }

private:
    class Resolver;  // MemoryResolver over DMI through `master` (accel.cpp)

    bool write_ctrl(uint32_t v);
    bool write_config(uint32_t offset, uint32_t v);
    void start_chain();
    void soft_reset();
    void set_identification();
    void set_sparse_registers();
    sc_core::sc_time cpu_offset() const { return access_time() - sc_core::sc_time_stamp(); }
    bool busy_now() const;
    bool busy_at_access();
    uint32_t read_synced(uint32_t offset);

    void processor();
    void update_irq();
    accel::CommandError run_chain(uint32_t base, uint32_t count, uint32_t& failing);
    sc_core::sc_time cycles(uint64_t n) const;
    uint64_t to_cycles(const sc_core::sc_time& t) const;
    void account(AccelOpRecord& rec);
    void record_masks(const accel::Command& cmd, const float* weights);
    void invalidate(sc_dt::uint64 start, sc_dt::uint64 end);

    AccelConfig cfg_;
    accel::Engine engine_;  // decode, checks, outputs and cost of each descriptor
    accel::EnergyAccountant energy_;
    AccelStats stats_;
    sc_core::sc_signal<bool> busy_;
    sc_core::sc_signal<uint32_t> opcode_, phase_, layer_;
    sc_core::sc_signal<double> pe_util_, dram_util_;
    sc_core::sc_signal<uint32_t> gb_occupancy_;
    sc_core::sc_event start_ev_, irq_ev_, done_ev_;
    uint32_t base_ = 0, count_ = 0;  // latched at START
    uint64_t seq_ = 0;

    // Performance counters behind the _LO/_HI registers (cleared by SOFT_RESET).
    struct Counters {
        uint64_t cycles = 0, macs = 0, macs_skipped = 0, dram_bytes = 0, gb_bytes = 0, pruned = 0, meta_bytes = 0;
        uint64_t nan = 0, inf = 0;
        double energy_pj = 0;
    } counters_;
    std::map<uint32_t, uint32_t> latched_hi_;  // by _HI offset

    std::vector<tlm::tlm_dmi> dmi_;  // granted ranges, dropped on invalidation
    std::function<void(const AccelOpRecord&)> on_op_;
    capture::MaskRecorder* recorder_ = nullptr;
};

}  // namespace stvp
