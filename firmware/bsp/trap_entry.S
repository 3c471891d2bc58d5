/*
 * Trap entries: save every integer register, mepc, mcause, mtval and mstatus into a
 * stvp_trap_frame, call stvp_trap_dispatch(frame), restore the (possibly modified) frame and
 * return with mret. See stvp/trap.h.
 *  - stvp_trap_entry (machine mode only): the frame goes on the interrupted stack.
 *  - stvp_trap_entry_user (installed by stvp_user_enter, stvp/user.h): a trap from U-mode
 *    switches to the machine stack kept in mscratch (0 while in M-mode), so user code with a
 *    bad sp cannot make the handler write where it points.
 */
#include "stvp/trap.h"

#define XOFF(n) (STVP_TRAP_FRAME_X + 4 * (n))

/* The frame save (sp = the stack to save on), the ABI registers the C side needs, and the
   register restore (all but sp). */
    .macro SAVE_FRAME
    /* Save below sp first and move sp afterwards, so that the very first instruction faults
       if sp is unusable: the CPU then reports a trap loop at once (a fault later in the
       entry would recurse, each time 144 bytes lower, until the instruction limit). No
       interrupt can use the stack meanwhile (mstatus.MIE is 0 in a trap). */
    sw      x1,  XOFF(1) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x2,  XOFF(2) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x3,  XOFF(3) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x4,  XOFF(4) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x5,  XOFF(5) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x6,  XOFF(6) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x7,  XOFF(7) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x8,  XOFF(8) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x9,  XOFF(9) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x10, XOFF(10) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x11, XOFF(11) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x12, XOFF(12) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x13, XOFF(13) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x14, XOFF(14) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x15, XOFF(15) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x16, XOFF(16) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x17, XOFF(17) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x18, XOFF(18) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x19, XOFF(19) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x20, XOFF(20) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x21, XOFF(21) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x22, XOFF(22) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x23, XOFF(23) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x24, XOFF(24) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x25, XOFF(25) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x26, XOFF(26) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x27, XOFF(27) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x28, XOFF(28) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x29, XOFF(29) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x30, XOFF(30) - STVP_TRAP_FRAME_SIZE(sp)
    sw      x31, XOFF(31) - STVP_TRAP_FRAME_SIZE(sp)
    addi    sp, sp, -STVP_TRAP_FRAME_SIZE
    sw      zero, XOFF(0)(sp)
    csrr    t0, mepc
    sw      t0, STVP_TRAP_FRAME_MEPC(sp)
    csrr    t0, mcause
    sw      t0, STVP_TRAP_FRAME_MCAUSE(sp)
    csrr    t0, mtval
    sw      t0, STVP_TRAP_FRAME_MTVAL(sp)
    csrr    t0, mstatus
    sw      t0, STVP_TRAP_FRAME_MSTATUS(sp)
    .endm

    .macro SET_ABI_REGS
    /* The interrupted code may use gp and tp for anything (the ISA self-tests keep a test
       number in gp); the C side needs the ABI's values. They are restored from the frame. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      tp, __tls_base
    .endm

    .macro RESTORE_REGS
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
    .endm

    /* Calls the C side with the frame, then writes back mepc and mstatus (t0 = mstatus). */
    .macro DISPATCH_AND_RESTORE_CSRS
    mv      a0, sp
    call    stvp_trap_dispatch

    lw      t0, STVP_TRAP_FRAME_MEPC(sp)
    csrw    mepc, t0
    lw      t0, STVP_TRAP_FRAME_MSTATUS(sp)
    csrw    mstatus, t0
    .endm

    .section .text.stvp_trap_entry, "ax", @progbits
    .balign 4                    /* mtvec.BASE is 4-byte aligned */
    .globl stvp_trap_entry
    .type stvp_trap_entry, @function
stvp_trap_entry:
    SAVE_FRAME
    SET_ABI_REGS
    DISPATCH_AND_RESTORE_CSRS
    RESTORE_REGS
    addi    sp, sp, STVP_TRAP_FRAME_SIZE
    mret
    .size stvp_trap_entry, . - stvp_trap_entry

    /* mscratch holds the machine stack's top while U-mode runs and 0 while M-mode runs. */
    .section .text.stvp_trap_entry_user, "ax", @progbits
    .balign 4
    .globl stvp_trap_entry_user
    .type stvp_trap_entry_user, @function
stvp_trap_entry_user:
    csrrw   sp, mscratch, sp     /* from U: sp = machine stack, mscratch = user sp */
    bnez    sp, 1f
    csrrw   sp, mscratch, sp     /* from M (mscratch was 0): undo */
1:  SAVE_FRAME
    csrrw   t0, mscratch, zero   /* the user sp (0 from M); mscratch = 0 while in M-mode */
    beqz    t0, 2f
    sw      t0, XOFF(2)(sp)      /* the frame holds the interrupted sp either way */
2:  SET_ABI_REGS
    DISPATCH_AND_RESTORE_CSRS
    srli    t0, t0, 11
    andi    t0, t0, 3            /* MPP: back to U (0) or M (3) */
    bnez    t0, 3f
    addi    t0, sp, STVP_TRAP_FRAME_SIZE
    csrw    mscratch, t0         /* back to U: the machine stack for its next trap */
3:  RESTORE_REGS
    lw      sp, XOFF(2)(sp)      /* the interrupted sp (as the handler may have changed it) */
    mret
    .size stvp_trap_entry_user, . - stvp_trap_entry_user
