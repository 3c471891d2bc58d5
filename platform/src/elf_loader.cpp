#include "elf_loader.h"

#include "file_bytes.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace stvp {

namespace {

// ELF32 structures (System V ABI); read field by field, so host struct layout does not matter.
constexpr uint16_t kEtExec = 2;
constexpr uint16_t kEmRiscv = 243;
constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kShtSymtab = 2;
constexpr uint32_t kPfX = 1;

class Reader {
public:
    Reader(const std::string& path, std::vector<uint8_t> bytes) : path_(path), b_(std::move(bytes)) {}
    size_t size() const { return b_.size(); }
    uint8_t u8(size_t off, const char* what) const {
        need(off, 1, what);
        return b_[off];
    }
    uint16_t u16(size_t off, const char* what) const {
        need(off, 2, what);
        return uint16_t(b_[off] | (b_[off + 1] << 8));
    }
    uint32_t u32(size_t off, const char* what) const {
        need(off, 4, what);
        return uint32_t(b_[off]) | (uint32_t(b_[off + 1]) << 8) | (uint32_t(b_[off + 2]) << 16) |
               (uint32_t(b_[off + 3]) << 24);
    }
    void need(uint64_t off, uint64_t len, const std::string& what) const {
        if (off + len > b_.size() || off + len < off)
            throw ElfError(path_ + ": truncated ELF: " + what + " (bytes " + std::to_string(off) + ".." +
                           std::to_string(off + len) + ") lies beyond the end of the file (" +
                           std::to_string(b_.size()) + " bytes)");
    }
    const uint8_t* at(size_t off) const { return b_.data() + off; }

private:
    std::string path_;
    std::vector<uint8_t> b_;
};

std::string machine_name(uint16_t m) {
    switch (m) {
    case 3: return "x86 (3)";
    case 40: return "ARM (40)";
    case 62: return "x86-64 (62)";
    case 183: return "AArch64 (183)";
    default: return "machine " + std::to_string(m);
    }
}

}  // namespace

std::optional<uint32_t> ElfImage::symbol(const std::string& name) const {
    auto it = symbols.find(name);
    if (it == symbols.end()) return std::nullopt;
    return it->second;
}

std::string ElfImage::symbol_at(uint32_t addr) const {
    auto it = functions_.upper_bound(addr);
    if (it == functions_.begin()) return "";
    --it;
    if (addr >= it->first + std::max<uint32_t>(it->second.second, 1)) return "";
    return it->second.first;
}

ElfImage load_elf(const std::string& path) {
    std::vector<uint8_t> bytes;
    const std::string why = read_file_bytes(path, "firmware file", bytes);
    if (!why.empty()) throw ElfError(path + ": " + why);
    return parse_elf(path, std::move(bytes));
}

ElfImage parse_elf(const std::string& path, std::vector<uint8_t> bytes) {
    Reader r(path, std::move(bytes));

    if (r.size() < 4 || std::memcmp(r.at(0), "\x7f" "ELF", 4) != 0)
        throw ElfError(path + ": not an ELF file (bad magic number)");
    if (r.size() < 52) r.need(0, 52, "ELF header");
    if (r.u8(4, "class") != 1)
        throw ElfError(path + ": ELF class is " + (r.u8(4, "class") == 2 ? "64-bit" : "unknown") +
                       "; stvp runs 32-bit RISC-V (RV32) executables");
    if (r.u8(5, "data") != 1) throw ElfError(path + ": ELF is big-endian; RISC-V is little-endian");
    uint16_t type = r.u16(16, "e_type");
    uint16_t machine = r.u16(18, "e_machine");
    if (machine != kEmRiscv)
        throw ElfError(path + ": ELF is for " + machine_name(machine) + ", not RISC-V (243)");
    if (type != kEtExec)
        throw ElfError(path + ": ELF type is " + std::to_string(type) +
                       ", not an executable (ET_EXEC = 2); link the firmware without -r/-shared/-pie");

    ElfImage img;
    img.path = path;
    img.entry = r.u32(24, "e_entry");
    uint32_t phoff = r.u32(28, "e_phoff");
    uint32_t shoff = r.u32(32, "e_shoff");
    uint16_t phentsize = r.u16(42, "e_phentsize");
    uint16_t phnum = r.u16(44, "e_phnum");
    uint16_t shentsize = r.u16(46, "e_shentsize");
    uint16_t shnum = r.u16(48, "e_shnum");
    if (phnum == 0) throw ElfError(path + ": ELF has no program headers (nothing to load)");
    if (phentsize < 32) throw ElfError(path + ": ELF program header size " + std::to_string(phentsize) + " is invalid");

    for (unsigned i = 0; i < phnum; ++i) {
        size_t ph = size_t(phoff) + size_t(i) * phentsize;
        std::string what = "program header " + std::to_string(i);
        r.need(ph, 32, what);
        if (r.u32(ph, "p_type") != kPtLoad) continue;
        uint32_t offset = r.u32(ph + 4, "p_offset");
        uint32_t paddr = r.u32(ph + 12, "p_paddr");
        uint32_t filesz = r.u32(ph + 16, "p_filesz");
        uint32_t memsz = r.u32(ph + 20, "p_memsz");
        uint32_t flags = r.u32(ph + 24, "p_flags");
        if (memsz == 0) continue;
        if (filesz > memsz)
            throw ElfError(path + ": " + what + ": file size " + std::to_string(filesz) + " exceeds memory size " +
                           std::to_string(memsz));
        if (uint64_t(paddr) + memsz > (1ull << 32))
            throw ElfError(path + ": " + what + " wraps around the 32-bit address space");
        r.need(offset, filesz, "segment " + std::to_string(i) + " contents");
        ElfSegment seg{paddr, memsz, std::vector<uint8_t>(r.at(offset), r.at(offset) + filesz), (flags & kPfX) != 0};
        img.segments.push_back(std::move(seg));
    }
    if (img.segments.empty()) throw ElfError(path + ": ELF has no loadable segment");

    // Symbols (optional: a stripped executable still runs).
    if (shoff && shnum) {
        if (shentsize < 40) throw ElfError(path + ": ELF section header size " + std::to_string(shentsize) + " is invalid");
        for (unsigned i = 0; i < shnum; ++i) {
            size_t sh = size_t(shoff) + size_t(i) * shentsize;
            r.need(sh, 40, "section header " + std::to_string(i));
            if (r.u32(sh + 4, "sh_type") != kShtSymtab) continue;
            uint32_t off = r.u32(sh + 16, "sh_offset");
            uint32_t size = r.u32(sh + 20, "sh_size");
            uint32_t link = r.u32(sh + 24, "sh_link");
            uint32_t entsize = r.u32(sh + 36, "sh_entsize");
            if (entsize < 16 || link >= shnum) throw ElfError(path + ": malformed symbol table");
            size_t strsh = size_t(shoff) + size_t(link) * shentsize;
            r.need(strsh, 40, "string table header");
            uint32_t stroff = r.u32(strsh + 16, "sh_offset");
            uint32_t strsize = r.u32(strsh + 20, "sh_size");
            r.need(off, size, "symbol table");
            r.need(stroff, strsize, "string table");
            for (uint32_t s = 0; s + entsize <= size; s += entsize) {
                uint32_t name = r.u32(off + s, "st_name");
                uint32_t value = r.u32(off + s + 4, "st_value");
                uint32_t ssize = r.u32(off + s + 8, "st_size");
                uint8_t info = r.u8(off + s + 12, "st_info");
                uint16_t shndx = r.u16(off + s + 14, "st_shndx");
                if (shndx == 0 || name >= strsize) continue;  // undefined or unnamed
                const char* str = reinterpret_cast<const char*>(r.at(stroff + name));
                size_t maxlen = strsize - name;
                std::string sym(str, strnlen(str, maxlen));
                if (sym.empty()) continue;
                img.symbols.emplace(sym, value);
                if ((info & 0xf) == 2) img.functions_[value] = {sym, ssize};  // STT_FUNC
            }
        }
    }
    return img;
}

}  // namespace stvp
