/*
 * Trap entry: saves every integer register, mepc, mcause, mtval and mstatus into a
 * stvp_trap_frame on the interrupted stack, calls stvp_trap_dispatch(frame), restores the
 * (possibly modified) frame and returns with mret. See stvp/trap.h.
 */
#include "stvp/trap.h"

#define XOFF(n) (STVP_TRAP_FRAME_X + 4 * (n))

    .section .text.stvp_trap_entry, "ax", @progbits
    .balign 4                    /* mtvec.BASE is 4-byte aligned */
    .globl stvp_trap_entry
    .type stvp_trap_entry, @function
stvp_trap_entry:
    addi    sp, sp, -STVP_TRAP_FRAME_SIZE
    sw      x1,  XOFF(1)(sp)
    sw      x3,  XOFF(3)(sp)
    sw      x4,  XOFF(4)(sp)
    sw      x5,  XOFF(5)(sp)
    sw      x6,  XOFF(6)(sp)
    sw      x7,  XOFF(7)(sp)
    sw      x8,  XOFF(8)(sp)
    sw      x9,  XOFF(9)(sp)
    sw      x10, XOFF(10)(sp)
    sw      x11, XOFF(11)(sp)
    sw      x12, XOFF(12)(sp)
    sw      x13, XOFF(13)(sp)
    sw      x14, XOFF(14)(sp)
    sw      x15, XOFF(15)(sp)
    sw      x16, XOFF(16)(sp)
    sw      x17, XOFF(17)(sp)
    sw      x18, XOFF(18)(sp)
    sw      x19, XOFF(19)(sp)
    sw      x20, XOFF(20)(sp)
    sw      x21, XOFF(21)(sp)
    sw      x22, XOFF(22)(sp)
    sw      x23, XOFF(23)(sp)
    sw      x24, XOFF(24)(sp)
    sw      x25, XOFF(25)(sp)
    sw      x26, XOFF(26)(sp)
    sw      x27, XOFF(27)(sp)
    sw      x28, XOFF(28)(sp)
    sw      x29, XOFF(29)(sp)
    sw      x30, XOFF(30)(sp)
    sw      x31, XOFF(31)(sp)
    sw      zero, XOFF(0)(sp)
    addi    t0, sp, STVP_TRAP_FRAME_SIZE
    sw      t0, XOFF(2)(sp)
    csrr    t0, mepc
    sw      t0, STVP_TRAP_FRAME_MEPC(sp)
    csrr    t0, mcause
    sw      t0, STVP_TRAP_FRAME_MCAUSE(sp)
    csrr    t0, mtval
    sw      t0, STVP_TRAP_FRAME_MTVAL(sp)
    csrr    t0, mstatus
    sw      t0, STVP_TRAP_FRAME_MSTATUS(sp)

    /* The interrupted code may use gp and tp for anything (the ISA self-tests keep a test
       number in gp); the C side needs the ABI's values. They are restored from the frame. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      tp, __tls_base

    mv      a0, sp
    call    stvp_trap_dispatch

    lw      t0, STVP_TRAP_FRAME_MEPC(sp)
    csrw    mepc, t0
    lw      t0, STVP_TRAP_FRAME_MSTATUS(sp)
    csrw    mstatus, t0
    lw      x1,  XOFF(1)(sp)
    lw      x3,  XOFF(3)(sp)
    lw      x4,  XOFF(4)(sp)
    lw      x5,  XOFF(5)(sp)
    lw      x6,  XOFF(6)(sp)
    lw      x7,  XOFF(7)(sp)
    lw      x8,  XOFF(8)(sp)
    lw      x9,  XOFF(9)(sp)
    lw      x10, XOFF(10)(sp)
    lw      x11, XOFF(11)(sp)
    lw      x12, XOFF(12)(sp)
    lw      x13, XOFF(13)(sp)
    lw      x14, XOFF(14)(sp)
    lw      x15, XOFF(15)(sp)
    lw      x16, XOFF(16)(sp)
    lw      x17, XOFF(17)(sp)
    lw      x18, XOFF(18)(sp)
    lw      x19, XOFF(19)(sp)
    lw      x20, XOFF(20)(sp)
    lw      x21, XOFF(21)(sp)
    lw      x22, XOFF(22)(sp)
    lw      x23, XOFF(23)(sp)
    lw      x24, XOFF(24)(sp)
    lw      x25, XOFF(25)(sp)
    lw      x26, XOFF(26)(sp)
    lw      x27, XOFF(27)(sp)
    lw      x28, XOFF(28)(sp)
    lw      x29, XOFF(29)(sp)
    lw      x30, XOFF(30)(sp)
    lw      x31, XOFF(31)(sp)
    addi    sp, sp, STVP_TRAP_FRAME_SIZE
    mret
    .size stvp_trap_entry, . - stvp_trap_entry
