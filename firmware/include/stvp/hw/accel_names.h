/*
 * Names of the accelerator's opcodes, phases, descriptor fields, operand roles and error
 * codes, expanded from the .def tables (accel_ops.def, accel_fields.def, accel_errors.def):
 * the firmware driver (stvp_accel_strerror, ...) and the model (accel::error_name, ...) print
 * the same texts. Each lookup returns NULL for a value without a row; the caller chooses
 * what to print then.
 */
#ifndef STVP_HW_ACCEL_NAMES_H
#define STVP_HW_ACCEL_NAMES_H

#include "accel_desc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "operand address not 4-byte aligned", ... */
static inline const char *stvp_accel_error_text(uint32_t code)
{
    switch (code) {
#define STVP_ACCEL_ERROR(name, value, text) case value: return text;
#include "accel_errors.def"
#undef STVP_ACCEL_ERROR
    default: return NULL;
    }
}

/* "FC_FWD", ... */
static inline const char *stvp_accel_opcode_text(uint32_t opcode)
{
    switch (opcode) {
#define STVP_ACCEL_OP(name, value, phase, kind, flags, formats, uses) case value: return #name;
#include "accel_ops.def"
    default: return NULL;
    }
}

/* "idle", "fwd", "bwd_data", ... */
static inline const char *stvp_accel_phase_text(uint32_t phase)
{
    switch (phase) {
#define STVP_ACCEL_PHASE(name, value, text) case value: return text;
#include "accel_ops.def"
    default: return NULL;
    }
}

/* "n", "src0", "reserved1[2]", ... (field id = byte offset) */
static inline const char *stvp_accel_field_text(uint32_t field)
{
    switch (field) {
#define STVP_ACCEL_DESC_FIELD(id, member, offset) case offset: return #member;
#include "accel_fields.def"
#undef STVP_ACCEL_DESC_FIELD
    default: return NULL;
    }
}

/* What the tensor named by `field` is for `opcode`: "X", "W", "W copy", "db", ... */
static inline const char *stvp_accel_role_text(uint32_t opcode, uint32_t field)
{
#define STVP_ACCEL_SLOT(op, f, access, flag, formats, role) \
    if (opcode == STVP_ACCEL_OP_##op && field == STVP_ACCEL_FIELD_##f) return role;
#include "accel_ops.def"
    return NULL;
}

#ifdef __cplusplus
}
#endif

#endif
