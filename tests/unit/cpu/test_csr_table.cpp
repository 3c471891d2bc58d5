// csr.def is the one list of CSRs: the core implements exactly its ISS and GDB rows, the
// disassembler names exactly its rows, and a few rows and fields are checked against the
// privileged spec's numbers (the whole table is checked against the assembler's names by the
// firmware.csr_names test). Each check walks all 4096 CSR numbers, so a CSR added to one
// consumer by hand, or a row the consumer ignores, fails here.
#include <gtest/gtest.h>

#include <string>

#include "core_harness.h"
#include "cpu/rv32_csr.h"
#include "cpu/rv32_isa.h"

namespace stvp::test {
namespace {

// The row covering CSR `number` (nullptr if none) and that CSR's name.
const CsrRow* row_of(uint32_t number, std::string* name = nullptr) {
    for (std::size_t i = 0; i < csr_table_size(); ++i) {
        const CsrRow& r = csr_table()[i];
        if (number < r.number || number >= r.number + r.count) continue;
        if (name) *name = r.array ? r.name + std::to_string(r.first + number - r.number) + r.suffix : std::string(r.name);
        return &r;
    }
    return nullptr;
}

TEST(CsrTable, RowsDoNotOverlapAndFitTheCsrSpace) {
    int covered[4096] = {};
    for (std::size_t i = 0; i < csr_table_size(); ++i) {
        const CsrRow& r = csr_table()[i];
        ASSERT_GE(r.count, 1u) << r.name;
        ASSERT_LE(r.number + r.count, 4096u) << r.name;
        EXPECT_EQ(r.array, r.count > 1 || r.first > 0) << r.name;
        for (uint32_t k = 0; k < r.count; ++k) EXPECT_EQ(++covered[r.number + k], 1) << r.name << " overlaps";
    }
}

TEST(CsrTable, SomeNumbersFromThePrivilegedSpec) {
    // Privileged spec 1.12, tables 2.2-2.5, and the Sdtrig spec (tselect 0x7a0).
    EXPECT_EQ(csr::kMstatus, 0x300u);
    EXPECT_EQ(csr::kMtvec, 0x305u);
    EXPECT_EQ(csr::kMepc, 0x341u);
    EXPECT_EQ(csr::kMip, 0x344u);
    EXPECT_EQ(csr::kPmpaddr0 + 15, 0x3bfu);
    EXPECT_EQ(csr::kTselect, 0x7a0u);
    EXPECT_EQ(csr::kMinstreth, 0xb82u);
    EXPECT_EQ(csr::kMhpmcounter3 + 28, 0xb1fu);
    EXPECT_EQ(csr::kTimeh, 0xc81u);
    EXPECT_EQ(csr::kMhartid, 0xf14u);
    // Fields (3.1.6, 3.1.9).
    EXPECT_EQ(kMstatusMie, 0x8u);
    EXPECT_EQ(kMstatusMpp, 0x1800u);
    EXPECT_EQ(kMstatusTw, 0x200000u);
    EXPECT_EQ(kMipMeip, 0x800u);
}

TEST(CsrTable, DisassemblerNamesExactlyTheTablesCsrs) {
    for (uint32_t c = 0; c < 4096; ++c) {
        std::string name;
        const CsrRow* r = row_of(c, &name);
        const char* n = rv32::csr_name(c);
        if (!r) {
            EXPECT_EQ(n, nullptr) << std::hex << c << " named " << n << " but not in csr.def";
            continue;
        }
        ASSERT_NE(n, nullptr) << std::hex << c << " (" << name << ") has no name";
        EXPECT_EQ(std::string(n), name) << std::hex << c;
        // csrrs a0, c, zero
        EXPECT_EQ(rv32::disassemble(c << 20 | 0x2573), "csrrs a0, " + name + ", zero");
    }
}

TEST(CsrTable, CoreImplementsExactlyTheIssAndGdbRows) {
    Machine m;
    m.core.time_source = [] { return uint64_t{0x100000002}; };  // time and timeh exist with a source
    for (uint32_t c = 0; c < 4096; ++c) {
        std::string name;
        const CsrRow* r = row_of(c, &name);
        const bool in_table = r && r->use != CsrUse::Named;
        uint32_t v = 0;
        EXPECT_EQ(m.core.read_csr(c, v), in_table) << std::hex << c << " " << name;
    }
}

TEST(CsrTable, GdbRowsReadWithoutATimeSourceAndTwiceTheSame) {
    Machine m;  // no time source: a GDB row must still read
    for (uint32_t c = 0; c < 4096; ++c) {
        const CsrRow* r = row_of(c);
        if (!r || r->use != CsrUse::Gdb) continue;
        uint32_t a = 0, b = 1;
        EXPECT_TRUE(m.core.read_csr(c, a)) << std::hex << c;
        EXPECT_TRUE(m.core.read_csr(c, b)) << std::hex << c;
        EXPECT_EQ(a, b) << std::hex << c;
    }
}

}  // namespace
}  // namespace stvp::test
