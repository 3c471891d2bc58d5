// The ELF loader accepts RV32 little-endian executables and refuses everything else with a
// message naming the file and the reason.
#include <cstring>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "elf_loader.h"

using namespace stvp;
using ::testing::HasSubstr;

namespace {

void put16(std::vector<uint8_t>& b, size_t off, uint16_t v) {
    b[off] = v & 0xff;
    b[off + 1] = v >> 8;
}
void put32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[off + i] = (v >> (8 * i)) & 0xff;
}

// A minimal valid RV32 executable: ELF header, one PT_LOAD program header, 8 bytes of code,
// and a symbol table with one symbol `tohost`.
std::vector<uint8_t> make_elf() {
    std::vector<uint8_t> b(52 + 32 + 8, 0);
    std::memcpy(b.data(), "\x7f" "ELF", 4);
    b[4] = 1;  // ELFCLASS32
    b[5] = 1;  // little-endian
    b[6] = 1;
    put16(b, 16, 2);    // ET_EXEC
    put16(b, 18, 243);  // EM_RISCV
    put32(b, 20, 1);
    put32(b, 24, 0x80000000);  // entry
    put32(b, 28, 52);          // phoff
    put16(b, 40, 52);
    put16(b, 42, 32);  // phentsize
    put16(b, 44, 1);   // phnum
    put16(b, 46, 40);
    size_t ph = 52;
    put32(b, ph + 0, 1);           // PT_LOAD
    put32(b, ph + 4, 84);          // offset
    put32(b, ph + 8, 0x80000000);  // vaddr
    put32(b, ph + 12, 0x80000000); // paddr
    put32(b, ph + 16, 8);          // filesz
    put32(b, ph + 20, 16);         // memsz
    put32(b, ph + 24, 5);          // R+X
    put32(b, 84, 0x00000013);      // nop
    put32(b, 88, 0x0000006f);      // j .
    // Section headers: [0] null, [1] symtab, [2] strtab.
    size_t strtab = b.size();
    const std::string strs("\0tohost\0", 8);
    for (char c : strs) b.push_back(uint8_t(c));
    size_t symtab = b.size();
    b.resize(b.size() + 32, 0);  // null symbol + one symbol
    put32(b, symtab + 16 + 0, 1);           // name "tohost"
    put32(b, symtab + 16 + 4, 0x80001000);  // value
    b[symtab + 16 + 12] = 1;                // STT_OBJECT
    put16(b, symtab + 16 + 14, 1);          // defined
    size_t shoff = b.size();
    b.resize(b.size() + 3 * 40, 0);
    put32(b, shoff + 40 + 4, 2);  // SHT_SYMTAB
    put32(b, shoff + 40 + 16, uint32_t(symtab));
    put32(b, shoff + 40 + 20, 32);
    put32(b, shoff + 40 + 24, 2);  // link to strtab
    put32(b, shoff + 40 + 36, 16);
    put32(b, shoff + 80 + 4, 3);  // SHT_STRTAB
    put32(b, shoff + 80 + 16, uint32_t(strtab));
    put32(b, shoff + 80 + 20, uint32_t(strs.size()));
    put32(b, 32, uint32_t(shoff));
    put16(b, 48, 3);
    return b;
}

std::string write(const std::vector<uint8_t>& b, const std::string& name = "fw.elf") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string path = ::testing::TempDir() + "stvp_" + info->name() + "_" + name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
    return path;
}

std::string error_of(const std::vector<uint8_t>& b) {
    try {
        load_elf(write(b));
    } catch (const ElfError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ElfLoader, LoadsSegmentsEntryAndSymbols) {
    ElfImage img = load_elf(write(make_elf()));
    EXPECT_EQ(img.entry, 0x80000000u);
    ASSERT_EQ(img.segments.size(), 1u);
    EXPECT_EQ(img.segments[0].paddr, 0x80000000u);
    EXPECT_EQ(img.segments[0].memsz, 16u);
    EXPECT_EQ(img.segments[0].data.size(), 8u);
    EXPECT_TRUE(img.segments[0].executable);
    ASSERT_TRUE(img.symbol("tohost"));
    EXPECT_EQ(*img.symbol("tohost"), 0x80001000u);
    EXPECT_FALSE(img.symbol("fromhost"));
}

TEST(ElfLoader, RefusesNonElf) {
    EXPECT_THAT(error_of({'h', 'e', 'l', 'l', 'o'}), HasSubstr("not an ELF file"));
    EXPECT_THAT(error_of({}), HasSubstr("_fw.elf: not an ELF file"));
}

TEST(ElfLoader, RefusesElf64) {
    auto b = make_elf();
    b[4] = 2;
    EXPECT_THAT(error_of(b), HasSubstr("64-bit"));
}

TEST(ElfLoader, RefusesOtherMachines) {
    auto b = make_elf();
    put16(b, 18, 62);
    EXPECT_THAT(error_of(b), HasSubstr("x86-64 (62), not RISC-V"));
}

TEST(ElfLoader, RefusesBigEndianAndNonExecutables) {
    auto b = make_elf();
    b[5] = 2;
    EXPECT_THAT(error_of(b), HasSubstr("big-endian"));
    b = make_elf();
    put16(b, 16, 3);
    EXPECT_THAT(error_of(b), HasSubstr("not an executable"));
}

TEST(ElfLoader, RefusesTruncatedFiles) {
    auto b = make_elf();
    b.resize(60);  // header complete, program header cut
    EXPECT_THAT(error_of(b), HasSubstr("truncated ELF: program header 0"));
    b = make_elf();
    put32(b, 52 + 16, 4096);  // filesz beyond the file
    put32(b, 52 + 20, 4096);
    EXPECT_THAT(error_of(b), HasSubstr("truncated ELF: segment 0 contents"));
}

TEST(ElfLoader, RefusesInconsistentSegments) {
    auto b = make_elf();
    put32(b, 52 + 16, 32);  // filesz > memsz
    EXPECT_THAT(error_of(b), HasSubstr("exceeds memory size"));
}

TEST(ElfLoader, MissingFileNamesIt) {
    try {
        load_elf("/nonexistent/fw.elf");
        FAIL();
    } catch (const ElfError& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/fw.elf: cannot open"));
    }
}
