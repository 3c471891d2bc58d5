// The GDB target description's CSRs are csr.def's GDB rows: each by its name at regnum
// 65 + number (gdb's numbering), and nothing else in the CSR feature.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "cpu/rv32_csr.h"
#include "gdb_server.h"

namespace {

using namespace stvp;

TEST(GdbTarget, CsrFeatureListsExactlyTheGdbRowsOfCsrDef) {
    const std::string xml = gdb_target_xml();
    const auto feature = xml.find("<feature name=\"org.gnu.gdb.riscv.csr\">");
    ASSERT_NE(feature, std::string::npos) << xml;
    const std::string csrs = xml.substr(feature, xml.find("</feature>", feature) - feature);

    std::map<std::string, unsigned> listed;  // name -> regnum
    const std::regex reg("<reg name=\"([a-z0-9]+)\"[^>]* regnum=\"([0-9]+)\"");
    for (auto it = std::sregex_iterator(csrs.begin(), csrs.end(), reg); it != std::sregex_iterator(); ++it)
        EXPECT_TRUE(listed.emplace((*it)[1], std::stoul((*it)[2])).second) << "listed twice: " << (*it)[1];

    std::map<std::string, unsigned> expected;
    for (std::size_t i = 0; i < csr_table_size(); ++i) {
        const CsrRow& r = csr_table()[i];
        if (r.use != CsrUse::Gdb) continue;
        for (uint32_t k = 0; k < r.count; ++k)
            expected[r.array ? r.name + std::to_string(r.first + k) + r.suffix : std::string(r.name)] = 65 + r.number + k;
    }
    EXPECT_EQ(listed, expected);
    EXPECT_EQ(listed.at("mstatus"), 65u + 0x300);  // gdb: RISCV_FIRST_CSR_REGNUM + CSR number
    EXPECT_EQ(listed.count("time"), 0u);            // exists only with the CLINT
}

}  // namespace
