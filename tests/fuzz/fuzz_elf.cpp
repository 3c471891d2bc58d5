// Fuzz harness: the firmware ELF loader (headers, program and section headers, symbol table)
// on arbitrary bytes, and the symbol lookups the run uses. The only acceptable failure is
// ElfError (exit 3 naming the file and what is wrong with it).
#include <cstdint>
#include <vector>

#include "elf_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const stvp::ElfImage img = stvp::parse_elf("fuzz.elf", std::vector<uint8_t>(data, data + size));
        uint64_t bytes = 0;
        for (const stvp::ElfSegment& s : img.segments) bytes += s.data.size();
        (void)bytes;
        (void)img.symbol_at(img.entry);
        (void)img.symbol("tohost");
    } catch (const stvp::ElfError&) {
    }
    return 0;
}
