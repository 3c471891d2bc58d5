/*
 * The register tables of the stvp/hw .def files as assembler symbols, for .S files (regs.h's enums
 * are C only). For register R of block B: B_R (byte offset), B_R_RESET, B_R_COUNT/_STRIDE
 * for arrays, B_R_F_SHIFT/_MASK for fields: the same names as regs.h.
 */
#ifndef STVP_REGS_ASM_H
#define STVP_REGS_ASM_H

#ifndef __ASSEMBLER__
#error "stvp/regs_asm.h is for assembly; C includes stvp/hw/regs.h"
#endif

#include "stvp/hw/memmap.h"

#define STVP_REG(blk, name, off, rst, acc, doc) \
    .equ blk##_##name, (off); .equ blk##_##name##_RESET, (rst);
#define STVP_REGA(blk, name, off, cnt, stride, rst, acc, doc) \
    .equ blk##_##name, (off); .equ blk##_##name##_COUNT, (cnt); \
    .equ blk##_##name##_STRIDE, (stride); .equ blk##_##name##_RESET, (rst);
#define STVP_FIELD(blk, reg, field, lsb, width, doc) \
    .equ blk##_##reg##_##field##_SHIFT, (lsb); \
    .equ blk##_##reg##_##field##_MASK, ((((1 << (width)) - 1) << (lsb)) & 0xFFFFFFFF);

#include "stvp/hw/clint.def"
#include "stvp/hw/plic.def"
#include "stvp/hw/uart.def"
#include "stvp/hw/simctrl.def"
#include "stvp/hw/dma.def"

#undef STVP_REG
#undef STVP_REGA
#undef STVP_FIELD

#endif
