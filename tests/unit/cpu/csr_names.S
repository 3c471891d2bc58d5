/* For every CSR of csr.def: the instruction `csrrs zero, <name>, zero` as the assembler encodes
   it from the name, then the same instruction built from the table's number. The two words of
   each pair must be equal (check_csr_names.cmake), so every name in the table is the name the
   GNU assembler (and gdb, objdump) gives that number. */
#define STVP_CSR(name, cname, number, use, doc) csr_pair name, number;
#define STVP_CSRA(name, cname, number, first, count, suffix, use, doc) csr_array name, number, first, count, suffix;
#define STVP_CSR_FIELD(csr, field, cname, lsb, width, doc)

    .altmacro
    .macro csr_pair name, number
    csrrs zero, name, zero
    .word 0x00002073 | ((number) << 20)
    .endm

    /* name<first>suffix .. name<first+count-1>suffix at number .. number+count-1 */
    .macro csr_element name, index, suffix, number
    csr_pair name&index&suffix, number
    .endm
    .macro csr_array name, number, first, count, suffix
    .set csr_k_, 0
    .rept count
    csr_element name, %((first) + csr_k_), suffix, %((number) + csr_k_)
    .set csr_k_, csr_k_ + 1
    .endr
    .endm

    .text
#include "stvp/hw/csr.def"
