/*
 * Reset entry of stvp programs. The platform starts the hart here (the ELF entry, placed at
 * STVP_DRAM_BASE by link.ld.in) in machine mode, interrupts disabled.
 */
#include "stvp/csr.h"

    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* gp must be set without relaxation: relaxed, `la gp` would itself be gp-relative. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack
    la      tp, __tls_base

    /* mtvec first, so that anything that traps from here on is reported. */
    la      t0, stvp_trap_entry
    csrw    mtvec, t0

    /* Zero .tbss and .bss (the loader clears them too, but a restart must not rely on it). */
    la      a0, __bss_start
    la      a1, __bss_end
1:  bgeu    a0, a1, 2f
    sw      zero, 0(a0)
    addi    a0, a0, 4
    j       1b
2:
    call    __libc_init_array   /* constructors (preinit/init arrays) */

    li      a0, 0               /* argc */
    la      a1, stvp_argv       /* argv = { NULL } */
    li      a2, 0               /* envp */
    call    main
    tail    exit                /* exit(main()): atexit handlers, then _exit (stdio.c) */
    .size _start, . - _start

    .section .rodata.stvp_argv, "a", @progbits
    .balign 4
stvp_argv:
    .word   0
