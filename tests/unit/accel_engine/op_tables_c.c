/* The names and roles as the firmware compiles them: C, from stvp/hw/accel_names.h (the driver's
   stvp_accel_strerror, stvp_accel_op_name, ... return these). test_op_tables.cpp compares them
   with the model's tables. */
#include "op_tables_c.h"

#include "stvp/hw/accel_names.h"

const char *c_error_text(uint32_t code) { return stvp_accel_error_text(code); }
const char *c_opcode_text(uint32_t opcode) { return stvp_accel_opcode_text(opcode); }
const char *c_phase_text(uint32_t phase) { return stvp_accel_phase_text(phase); }
const char *c_field_text(uint32_t field) { return stvp_accel_field_text(field); }
const char *c_role_text(uint32_t opcode, uint32_t field) { return stvp_accel_role_text(opcode, field); }
uint32_t c_opcode_count(void)
{
    uint32_t n = 0;
#define STVP_ACCEL_OP(name, value, phase, kind, flags, formats, uses) ++n;
#include "stvp/hw/accel_ops.def"
    return n;
}
