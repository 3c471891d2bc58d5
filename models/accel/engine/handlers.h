// One handler per opcode: execute() computes the op's outputs on a bound command (numerics),
// cost() prices what execute() did (cycles, action counts, sparse-unit activity). The two are
// apart so a host program that wants only the numbers (the reference trainer) runs execute()
// alone (Engine, EngineConfig::execute_only), and the device runs both.
//
// The handler table is expanded from firmware/include/stvp/hw/accel_ops.def: every opcode row
// names execute_<NAME> and cost_<NAME> (handlers.cpp), so an opcode without its handler does
// not compile. A sparse weight format (BLOCK, N:M) or SKIP_ZEROS is a parameter of the FC/CONV
// handlers: execute() reads the weights it is given (the dense W or the decoded copy), cost()
// charges the sparse walk (SparseEngine::layer_cost) instead of the dense one.
#pragma once

#include <cstdint>
#include <string>

#include "accel/core/op_cost.h"
#include "accel/core/timing.h"
#include "accel/engine/command.h"
#include "accel/sparse/work_source.h"

namespace stvp::accel {

class SparseEngine;

// What execute() did that cost() prices or the caller reports (zero for ops that record none).
struct OpWork {
    uint64_t vector_ops = 0;      // DROPBACK: the selection's vector-unit operations
    uint64_t units = 0;           // DROPBACK: blocks of the copy; NM_PREGEN: groups of both copies
    uint64_t values = 0;          // DROPBACK: tracked values in the copy
    uint64_t unit_elements = 0;   // DROPBACK: weights per block
    uint64_t written_bytes = 0;   // NM_PREGEN: bytes of both copies (values + indices)
    uint64_t metadata_bytes = 0;  // NM_PREGEN: index bytes of both copies
    uint64_t pruned = 0;          // GRAD_PRUNE: gradients zeroed (natural zeros excluded)
};

// A handler's operands: the bound command, the weights an FC/CONV op reads (the dense W at
// src1, or the sparse copy decoded by SparseEngine::check; nullptr for other ops) and the
// sparse units (their state and configuration).
struct OpArgs {
    const Command& cmd;
    const float* weights;
    SparseEngine& sparse;
};

// What cost() charges: the core's cost and the sparse units' activity (priced by the engine).
struct OpCharge {
    OpCost op;
    sparse::SparseCounts extra;
};

struct OpHandler {
    uint32_t opcode;
    // Writes the outputs; "" or the core's error (which decode() and bind() rule out).
    std::string (*execute)(const OpArgs& a, OpWork& work);
    // After execute(), its inputs unchanged (outputs never overlap them): the op's cost.
    OpCharge (*cost)(const OpArgs& a, const OpWork& work, TimingModel& tm);
};

// The handler of a decoded opcode (nullptr for an opcode without a row).
const OpHandler* op_handler(uint32_t opcode);

}  // namespace stvp::accel
