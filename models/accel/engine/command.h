// The accelerator's command decoding: from a fetched descriptor (firmware/include/stvp/hw/
// accel_desc.h) to a checked operation, and its execution on host pointers. No SystemC: the
// command processor (accel.h) fetches descriptors and resolves addresses; this unit decides
// whether a descriptor is valid, names the failing field and sizes its operands; the op's
// handler (handlers.h) then executes and costs it.
//
// Opcodes are checked against one table expanded from firmware/include/stvp/hw/accel_ops.def
// (the rows the firmware's names and roles come from): name, phase, accepted flags and
// formats, shape kind, operand slots. A sparse weight format is a parameter of the FC/CONV
// rows (its slots replace W by the copy at meta0), not a second dispatcher.
//
// Checks run in the order of the error codes in accel_desc.h: decode() does the ones that
// need only the descriptor (opcode, format, flags, unused fields, shape, scalars, alignment);
// bind() the ones that need memory (address, capacity, overlap, labels).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "accel/core/energy.h"
#include "accel/core/op_cost.h"
#include "accel/core/shapes.h"
#include "accel/core/timing.h"
#include "stvp/hw/accel_desc.h"

namespace stvp::accel {

// A failed check: ERR_CODE, ERR_FIELD, ERR_VALUE.
struct CommandError {
    uint32_t code = STVP_ACCEL_ERR_NONE;
    uint32_t field = STVP_ACCEL_FIELD_NONE;
    uint32_t value = 0;
    explicit operator bool() const { return code != STVP_ACCEL_ERR_NONE; }
};

// Names from the .def tables (stvp/hw/accel_names.h; the firmware driver prints the same):
// an error code's message ("unknown error code" if none), a field id's name ("n", "src0", ...;
// "none" if none), an opcode's ("FC_FWD", ...; "?"), a phase's ("idle", "fwd", ...; "?"), and
// the role of an operand field for an opcode ("X", "W copy", ...; nullptr if not an operand).
const char* error_name(uint32_t code);
const char* field_name(uint32_t field);
const char* opcode_name(uint32_t opcode);
const char* phase_name(uint32_t phase);
const char* operand_role(uint32_t opcode, uint32_t field);

enum class OperandAccess : uint8_t { Read, Write, ReadWrite };

// One tensor the op touches: which descriptor field names it, where, how many bytes.
struct Operand {
    uint32_t field = 0;   // STVP_ACCEL_FIELD_SRC0 .. DST1
    uint32_t address = 0;
    uint64_t bytes = 0;
    OperandAccess access = OperandAccess::Read;
    // Filled by bind(): host pointer to the first byte, and whether it lies in the scratchpad.
    uint8_t* host = nullptr;
    bool in_scratchpad = false;

    bool is_output() const { return access != OperandAccess::Read; }
    bool is_input() const { return access != OperandAccess::Write; }
};

// A descriptor that passed decode(): everything the op needs except host pointers.
struct Command {
    stvp_accel_desc desc{};
    uint32_t phase = STVP_ACCEL_PHASE_IDLE;
    FcShape fc;
    Conv2dShape conv;
    Pool2dShape pool;
    SoftmaxXentShape xent;
    SgdShape sgd;
    std::vector<Operand> operands;  // in field order (src0, src1, src2, dst0, dst1)

    Operand* operand(uint32_t field);
    const Operand* operand(uint32_t field) const;
};

// Where tensors live, as the command processor sees the bus: resolves [address, address +
// bytes) to host memory. Returns STVP_ACCEL_ERR_NONE and sets host / in_scratchpad, or
// STVP_ACCEL_ERR_ADDRESS (first byte not in reachable memory with the needed access) or
// STVP_ACCEL_ERR_CAPACITY (starts in a memory, runs past its end).
class MemoryResolver {
public:
    virtual ~MemoryResolver() = default;
    virtual uint32_t resolve(Operand& op) = 0;
};

// Checks everything that needs only the descriptor. On success fills `cmd`.
CommandError decode(const stvp_accel_desc& d, Command& cmd);

// Resolves every operand (address, capacity), then checks overlaps and op-specific contents
// (labels). Reads input memory (labels) but writes nothing.
CommandError bind(Command& cmd, MemoryResolver& mem);

// The weight tensor W[K][C][R][S] a command names (FC: R = S = 1; zeros for ops without one),
// and the sizes of its sparse copies (accel_desc.h, BLOCK COPY and N:M COPY).
struct WeightDims {
    uint64_t k = 0, c = 0, r = 0, s = 0;
    uint64_t count() const { return k * c * r * s; }
};
WeightDims weight_dims(const Command& c);
uint64_t block_count(const WeightDims& w);
uint64_t block_copy_bytes(const WeightDims& w);  // reserved size (every weight kept)
uint64_t nm_slots(const WeightDims& w, bool backward, uint32_t n, uint32_t m);
uint64_t nm_copy_bytes(const WeightDims& w, bool backward, uint32_t n, uint32_t m);

// True if the sparse units (sparse_engine.h) take part: a sparse opcode, a sparse weight format
// or SKIP_ZEROS (the FC/CONV handlers then charge the sparse walk, handlers.h).
bool is_sparse(const Command& c);

// Bit i set = opcode i supported; bit i set = format i supported.
uint32_t supported_opcodes();
uint32_t supported_formats();

}  // namespace stvp::accel
