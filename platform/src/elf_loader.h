// Reads RV32 little-endian ELF executables: loadable segments, entry point, symbols.
// Anything else is refused with an ElfError naming the file and the reason.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace stvp {

class ElfError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ElfSegment {
    uint32_t paddr;               // load address
    uint32_t memsz;               // bytes in memory (beyond data: zero-filled)
    std::vector<uint8_t> data;    // file contents (filesz bytes)
    bool executable;
};

struct ElfImage {
    std::string path;
    uint32_t entry = 0;
    std::vector<ElfSegment> segments;
    std::map<std::string, uint32_t> symbols;  // defined symbols with their values

    std::optional<uint32_t> symbol(const std::string& name) const;
    // Name of the function symbol containing addr, "" if none (for error messages).
    std::string symbol_at(uint32_t addr) const;

    std::map<uint32_t, std::pair<std::string, uint32_t>> functions_;  // start -> (name, size)
};

// Throws ElfError.
ElfImage load_elf(const std::string& path);
// The same on a file's bytes already read (`path` names it in the messages).
ElfImage parse_elf(const std::string& path, std::vector<uint8_t> bytes);

}  // namespace stvp
