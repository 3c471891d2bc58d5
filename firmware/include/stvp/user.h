/*
 * Physical memory protection and user mode (privileged spec 1.12, sections 3.7 and 3.1.6).
 *
 * stvp's hart has 16 PMP entries with 4-byte granularity. An entry grants U-mode the access
 * kinds in its permission bits over its region; the lowest-numbered entry that matches an
 * address decides; U-mode is denied where no entry matches; M-mode is bound only by locked
 * entries (STVP_PMP_L, which stay until reset). A U-mode fetch, load or store that is denied
 * traps with cause 1, 5 or 7 (STVP_EXC_INSN_ACCESS / LOAD_ACCESS / STORE_ACCESS), mtval = the
 * address.
 *
 * Typical use (sw/umode_demo): M-mode code gives U-mode its code, data and stack with
 * stvp_pmp_napot()/stvp_pmp_tor(), keeps an entry without permissions over its own data in
 * front of them, installs an exception hook that serves ecall from U-mode
 * (STVP_EXC_ECALL_U: a7 = the call number, a0.. the arguments, the result in frame->x[10]),
 * and calls stvp_user_enter().
 */
#ifndef STVP_USER_H
#define STVP_USER_H

#include <stdint.h>

#include "stvp/csr.h"

#define STVP_PMP_ENTRIES STVP_CSR_pmpaddr_COUNT /* hw/csr.def */

/* pmpcfg bits of one entry */
#define STVP_PMP_R     0x01u
#define STVP_PMP_W     0x02u
#define STVP_PMP_X     0x04u
#define STVP_PMP_OFF   0x00u
#define STVP_PMP_TOR   0x08u
#define STVP_PMP_NA4   0x10u
#define STVP_PMP_NAPOT 0x18u
#define STVP_PMP_L     0x80u

/* mstatus bits for user mode: STVP_MSTATUS_MPRV, STVP_MSTATUS_TW (stvp/csr.h) */

/* Entry `i` covers [base, base + size): size a power of two >= 8, base a multiple of it
   (4 bytes: use STVP_PMP_NA4 through stvp_pmp_set). `perm` is STVP_PMP_R/W/X, with
   STVP_PMP_L to lock. Returns 0, or -1 if the region cannot be expressed or i is too big. */
int stvp_pmp_napot(unsigned i, uintptr_t base, uint32_t size, unsigned perm);

/* Entry `i` covers [the address of entry i-1 (0 for i = 0), top): TOR. Returns 0 or -1. */
int stvp_pmp_tor(unsigned i, uintptr_t top, unsigned perm);

/* Raw access: pmpaddr<i> = addr_field (address bits 33:2), the cfg byte of entry i = cfg. */
void stvp_pmp_set(unsigned i, uint32_t addr_field, unsigned cfg);
unsigned stvp_pmp_cfg(unsigned i); /* the cfg byte as the hart kept it (WARL) */

/* Runs entry(arg) in U-mode on the stack whose top is user_sp (16-byte aligned), with the
   machine-mode interrupt enable as it is now. Traps are taken by stvp_trap_entry_user, which
   switches to this function's caller's stack, then stvp_trap_dispatch as usual. Does not
   return: end the program from a handler (exit(), or the ecall it serves for that). */
_Noreturn void stvp_user_enter(void (*entry)(void *), void *arg, void *user_sp);

/* The user-mode-aware trap entry (firmware/bsp/trap_entry.S). */
void stvp_trap_entry_user(void);

#endif
