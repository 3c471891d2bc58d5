#include "cpu/rv32_csr.h"

#include <array>
#include <string>

namespace stvp {

namespace {

constexpr CsrRow kRows[] = {
#define STVP_CSR(name, cname, number, use, doc) {#name, "", number, 0, 1, false, CsrUse::use, doc},
#define STVP_CSRA(name, cname, number, first, count, suffix, use, doc) \
    {#name, #suffix, number, first, count, true, CsrUse::use, doc},
#define GDB Gdb
#define ISS Iss
#define NAMED Named
#define STVP_CSR_FIELD(csr, field, cname, lsb, width, doc)
#include "stvp/hw/csr.def"
#undef GDB
#undef ISS
#undef NAMED
#undef STVP_CSR
#undef STVP_CSRA
#undef STVP_CSR_FIELD
};

// Every CSR number's name, built once (array elements get their index appended).
const std::array<std::string, 4096>& names() {
    static const std::array<std::string, 4096> table = [] {
        std::array<std::string, 4096> t;
        for (const CsrRow& r : kRows)
            for (uint32_t i = 0; i < r.count; ++i)
                t[r.number + i] = r.array ? r.name + std::to_string(r.first + i) + r.suffix : std::string(r.name);
        return t;
    }();
    return table;
}

}  // namespace

const CsrRow* csr_table() { return kRows; }
std::size_t csr_table_size() { return sizeof kRows / sizeof kRows[0]; }

const char* rv32::csr_name(uint32_t csr) {
    if (csr >= 4096) return nullptr;
    const std::string& n = names()[csr];
    return n.empty() ? nullptr : n.c_str();
}

}  // namespace stvp
