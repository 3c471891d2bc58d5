/* C-compiled views of the accelerator's name tables (op_tables_c.c). */
#ifndef STVP_TEST_OP_TABLES_C_H
#define STVP_TEST_OP_TABLES_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

const char *c_error_text(uint32_t code);
const char *c_opcode_text(uint32_t opcode);
const char *c_phase_text(uint32_t phase);
const char *c_field_text(uint32_t field);
const char *c_role_text(uint32_t opcode, uint32_t field);
uint32_t c_opcode_count(void);

#ifdef __cplusplus
}
#endif

#endif
