/*
 * A vectored trap table (mtvec.MODE = 1, privileged spec 1.12, 3.1.7): interrupt code n
 * enters at base + 4n, exceptions at base. Each slot counts its entries in vector_hits[n] and
 * goes on to the BSP's common trap entry, which dispatches on mcause as usual; so the test
 * sees both that the hardware picked the right slot and that the handler ran.
 */
    .section .text.irq_vector_table, "ax", @progbits
    .option push
    .option norvc              /* every slot is one 4-byte jump */
    .balign 64
    .globl irq_vector_table
irq_vector_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j       vector_slot_\n
    .endr
    .option pop

    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vector_slot_\n:
    addi    sp, sp, -16
    sw      t0, 0(sp)
    sw      t1, 4(sp)
    la      t0, vector_hits
    lw      t1, 4*\n(t0)
    addi    t1, t1, 1
    sw      t1, 4*\n(t0)
    lw      t1, 4(sp)
    lw      t0, 0(sp)
    addi    sp, sp, 16
    j       stvp_trap_entry
    .endr

    .section .bss.vector_hits, "aw", @nobits
    .balign 4
    .globl vector_hits
vector_hits:
    .space 4 * 16
