// The hart's CSRs as the ISS, its disassembler and the GDB stub see them, expanded from
// firmware/include/stvp/hw/csr.def (the table the firmware's stvp/csr.h uses too): numbers as
// csr::kMstatus, ..., arrays as csr::kPmpaddr0 and csr::kPmpaddrCount, field masks as
// kMstatusMie, ...; the rows themselves through csr_table() for the name lookup and the GDB
// target description.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stvp {

namespace csr {
#define STVP_CSR(name, cname, number, use, doc) constexpr uint32_t k##cname = number;
#define STVP_CSRA(name, cname, number, first, count, suffix, use, doc) \
    constexpr uint32_t k##cname##first = number, k##cname##Count = count;
#define STVP_CSR_FIELD(csr, field, cname, lsb, width, doc)
#include "stvp/hw/csr.def"
#undef STVP_CSR
#undef STVP_CSRA
#undef STVP_CSR_FIELD
}  // namespace csr

// CSR field masks: kMstatusMie, kMipMtip, ... (mie has mip's layout).
#define STVP_CSR(name, cname, number, use, doc)
#define STVP_CSRA(name, cname, number, first, count, suffix, use, doc)
#define STVP_CSR_FIELD(csr, field, cname, lsb, width, doc) constexpr uint32_t k##cname = ((1u << (width)) - 1u) << (lsb);
#include "stvp/hw/csr.def"
#undef STVP_CSR
#undef STVP_CSRA
#undef STVP_CSR_FIELD

// csr.def's USE column.
enum class CsrUse : uint8_t {
    Gdb,    // implemented, reads without side effects and always succeeds: in GDB's target description
    Iss,    // implemented, not shown to GDB
    Named,  // not implemented: only named by the disassembler
};

// One row of csr.def; a single CSR has count 1 and its name as is (no index appended).
struct CsrRow {
    const char* name;
    const char* suffix;  // after an array element's index: "h" in mhpmcounter3h
    uint32_t number;
    uint32_t first;  // index of the first element of an array (pmpaddr0: 0, mhpmcounter3: 3)
    uint32_t count;
    bool array;
    CsrUse use;
    const char* doc;
};

const CsrRow* csr_table();
std::size_t csr_table_size();

namespace rv32 {
// The assembler's name of a CSR ("mstatus", "pmpaddr7"), or nullptr if csr.def has none.
const char* csr_name(uint32_t csr);
}  // namespace rv32

}  // namespace stvp
