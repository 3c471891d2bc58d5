/*
 * Control and status registers (RISC-V privileged spec 1.12, machine mode).
 * The CSR is named by its assembler name: stvp_csr_read(mstatus), stvp_csr_set(mie, bits);
 * an element of a CSR array by name and index: stvp_csr_write_at(pmpaddr, 3, v). The number
 * comes from hw/csr.def (STVP_CSR_mstatus, ...), the table the ISS uses too, so a name the
 * table does not have does not compile. A constant operand below 32 is encoded as the
 * immediate form (csrsi, ...), which cannot fault on a register that is still being computed
 * and saves a register.
 */
#ifndef STVP_CSR_H
#define STVP_CSR_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* mcause: bit 31 set for interrupts, the code in the other bits */
#define STVP_MCAUSE_INTERRUPT (1u << 31)
#define STVP_MCAUSE_CODE_MASK 0x7FFFFFFFu

/* Interrupt codes (mcause with bit 31 set) */
#define STVP_IRQ_M_SOFT  3
#define STVP_IRQ_M_TIMER 7
#define STVP_IRQ_M_EXT   11

/* Exception codes (mcause with bit 31 clear) */
#define STVP_EXC_INSN_MISALIGNED  0
#define STVP_EXC_INSN_ACCESS      1
#define STVP_EXC_ILLEGAL_INSN     2
#define STVP_EXC_BREAKPOINT       3
#define STVP_EXC_LOAD_MISALIGNED  4
#define STVP_EXC_LOAD_ACCESS      5
#define STVP_EXC_STORE_MISALIGNED 6 /* also AMO */
#define STVP_EXC_STORE_ACCESS     7 /* also AMO */
#define STVP_EXC_ECALL_U          8
#define STVP_EXC_ECALL_S          9
#define STVP_EXC_ECALL_M          11

/* mtvec mode (low two bits) */
#define STVP_MTVEC_DIRECT   0u
#define STVP_MTVEC_VECTORED 1u

#ifndef __ASSEMBLER__

/* CSR numbers from hw/csr.def: STVP_CSR_mstatus; for an array, STVP_CSR_pmpaddr (the number
   of its first element), STVP_CSR_pmpaddr_FIRST (that element's index) and _COUNT; the arrays
   with a suffix by name and suffix (STVP_CSR_mhpmcounterh: mhpmcounter3h ...). */
#define STVP_CSR(name, cname, number, use, doc) enum { STVP_CSR_##name = (number) };
#define STVP_CSRA(name, cname, number, first, count, suffix, use, doc)                  \
    enum { STVP_CSR_##name##suffix = (number), STVP_CSR_##name##suffix##_FIRST = (first), \
           STVP_CSR_##name##suffix##_COUNT = (count) };
#define STVP_CSR_FIELD(csr, field, cname, lsb, width, doc) \
    enum { STVP_CSR_##csr##_##field = (int)(((1u << (width)) - 1u) << (lsb)) };
#include "stvp/hw/csr.def"
#undef STVP_CSR
#undef STVP_CSRA
#undef STVP_CSR_FIELD

/* mstatus bits; mie / mip: machine software, timer and external interrupt bits (csr.def) */
#define STVP_MSTATUS_MIE  ((uint32_t)STVP_CSR_mstatus_MIE)
#define STVP_MSTATUS_MPIE ((uint32_t)STVP_CSR_mstatus_MPIE)
#define STVP_MSTATUS_MPP  ((uint32_t)STVP_CSR_mstatus_MPP)
#define STVP_MSTATUS_MPRV ((uint32_t)STVP_CSR_mstatus_MPRV)
#define STVP_MSTATUS_TW   ((uint32_t)STVP_CSR_mstatus_TW)
#define STVP_MIP_MSIP     ((uint32_t)STVP_CSR_mip_MSIP)
#define STVP_MIP_MTIP     ((uint32_t)STVP_CSR_mip_MTIP)
#define STVP_MIP_MEIP     ((uint32_t)STVP_CSR_mip_MEIP)

/* The number of element i of CSR array `name`; i must be a constant in range. */
#define STVP_CSR_AT_(name, i)                                                                   \
    (STVP_CSR_##name + (i) - STVP_CSR_##name##_FIRST +                                         \
     0 * sizeof(struct { _Static_assert((i) >= STVP_CSR_##name##_FIRST &&                      \
                                        (i) < STVP_CSR_##name##_FIRST + STVP_CSR_##name##_COUNT, \
                                        "CSR array index out of range"); int stvp_unused_; }))

/* The instructions, on a CSR number (the assembler takes a number where it takes a name). */
#define STVP_CSR_READ_(num)                                                  \
    __extension__({                                                          \
        uint32_t stvp_csr_v_;                                                \
        __asm__ __volatile__("csrr %0, %1" : "=r"(stvp_csr_v_) : "i"(num)); \
        stvp_csr_v_;                                                         \
    })
#define STVP_CSR_OP_(insn, num, val) \
    __asm__ __volatile__(insn " %0, %1" : : "i"(num), "rK"((uint32_t)(val)) : "memory")
#define STVP_CSR_RMW_(insn, num, val)                                                  \
    __extension__({                                                                    \
        uint32_t stvp_csr_v_;                                                          \
        __asm__ __volatile__(insn " %0, %1, %2"                                        \
                             : "=r"(stvp_csr_v_) : "i"(num), "rK"((uint32_t)(val)) : "memory"); \
        stvp_csr_v_;                                                                   \
    })

#define stvp_csr_read(csr) STVP_CSR_READ_(STVP_CSR_##csr)
#define stvp_csr_write(csr, val) STVP_CSR_OP_("csrw", STVP_CSR_##csr, val)
#define stvp_csr_set(csr, bits) STVP_CSR_OP_("csrs", STVP_CSR_##csr, bits)
#define stvp_csr_clear(csr, bits) STVP_CSR_OP_("csrc", STVP_CSR_##csr, bits)
/* Writes val and returns the old value in one instruction. */
#define stvp_csr_swap(csr, val) STVP_CSR_RMW_("csrrw", STVP_CSR_##csr, val)
/* Sets bits and returns the old value in one instruction (csrrs). */
#define stvp_csr_read_set(csr, bits) STVP_CSR_RMW_("csrrs", STVP_CSR_##csr, bits)
/* Clears bits and returns the old value in one instruction (csrrc). */
#define stvp_csr_read_clear(csr, bits) STVP_CSR_RMW_("csrrc", STVP_CSR_##csr, bits)

/* Element i (a constant) of a CSR array: stvp_csr_read_at(pmpcfg, 2). */
#define stvp_csr_read_at(csr, i) STVP_CSR_READ_(STVP_CSR_AT_(csr, i))
#define stvp_csr_write_at(csr, i, val) STVP_CSR_OP_("csrw", STVP_CSR_AT_(csr, i), val)

/* 64-bit counters on RV32: read high, low, high again until the high word is stable, so a
   carry out of the low word between the two reads cannot tear the value. */
#define STVP_CSR_READ64_(lo, hi)                            \
    __extension__({                                         \
        uint32_t stvp_h_, stvp_l_;                          \
        do {                                                \
            stvp_h_ = stvp_csr_read(hi);                    \
            stvp_l_ = stvp_csr_read(lo);                    \
        } while (stvp_h_ != stvp_csr_read(hi));             \
        ((uint64_t)stvp_h_ << 32) | stvp_l_;                \
    })

static inline uint64_t stvp_read_mcycle(void) { return STVP_CSR_READ64_(mcycle, mcycleh); }
static inline uint64_t stvp_read_minstret(void) { return STVP_CSR_READ64_(minstret, minstreth); }

/* Global machine interrupt enable. stvp_irq_save() disables and returns the previous state
   for stvp_irq_restore(), for short critical sections. */
static inline void stvp_irq_enable(void) { stvp_csr_set(mstatus, STVP_MSTATUS_MIE); }
static inline void stvp_irq_disable(void) { stvp_csr_clear(mstatus, STVP_MSTATUS_MIE); }
static inline uint32_t stvp_irq_save(void)
{
    return stvp_csr_read_clear(mstatus, STVP_MSTATUS_MIE) & STVP_MSTATUS_MIE;
}
static inline void stvp_irq_restore(uint32_t saved) { stvp_csr_set(mstatus, saved); }

static inline void stvp_wfi(void) { __asm__ __volatile__("wfi" ::: "memory"); }

#endif /* __ASSEMBLER__ */

#endif
