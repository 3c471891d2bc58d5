/*
 * Register offsets and fields for the firmware, expanded from the *.def tables (the same
 * tables the models use). For register R of block B:
 *   B_R                 byte offset of R from the block's base
 *   B_R_RESET           reset value
 *   B_R_COUNT/_STRIDE   for register arrays
 *   B_R_F_SHIFT/_MASK   for field F of R (mask already shifted)
 */
#ifndef STVP_HW_REGS_H
#define STVP_HW_REGS_H

#include "memmap.h"

#define STVP_REG(blk, name, off, rst, acc, doc) \
    enum { blk##_##name = (off), blk##_##name##_RESET = (int)(rst) };
#define STVP_REGA(blk, name, off, cnt, stride, rst, acc, doc) \
    enum { blk##_##name = (off), blk##_##name##_COUNT = (cnt), blk##_##name##_STRIDE = (stride), \
           blk##_##name##_RESET = (int)(rst) };
#define STVP_FIELD(blk, reg, field, lsb, width, doc) \
    enum { blk##_##reg##_##field##_SHIFT = (lsb), \
           blk##_##reg##_##field##_MASK = (int)((((width) >= 32) ? 0xFFFFFFFFu : ((1u << (width)) - 1u)) << (lsb)) };

#include "clint.def"
#include "plic.def"
#include "uart.def"
#include "simctrl.def"
#include "dma.def"
#include "accel.def"

#undef STVP_REG
#undef STVP_REGA
#undef STVP_FIELD

#endif
