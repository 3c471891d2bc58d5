// A small RV32IMAC assembler for the CPU tests: takes the disassembler's syntax
// ("addi a0, a0, 1", "c.lw a5, 4(a0)", "csrrw zero, mtvec, t0", "beq a0, a1, loop"),
// finds the mnemonic in the encoding table and packs the operands with its own bit
// scatter (independent of the decoder's, so tests that round-trip through both check both).
// Branch and jump targets are labels or absolute addresses.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stvp::test {

class Asm {
public:
    explicit Asm(uint32_t base = 0x80000000) : base_(base), pc_(base) {}

    // One line: "label:", an instruction, ".word N" or ".half N". Several may be joined with ';'.
    Asm& operator()(const std::string& line);
    Asm& operator<<(const std::string& line) { return (*this)(line); }

    uint32_t base() const { return base_; }
    uint32_t here() const { return pc_; }           // address of the next line
    uint32_t label(const std::string& name) const;  // throws if undefined

    // Little-endian image from base(); resolves labels (throws on errors).
    std::vector<uint8_t> bytes() const;

    // Encodes one instruction at `pc` (targets must be numeric or in `labels`).
    static uint32_t encode(const std::string& insn, uint32_t pc,
                           const std::map<std::string, uint32_t>& labels = {});
    // Size in bytes of an instruction line (2 for c.*, else 4).
    static unsigned size_of(const std::string& insn);

private:
    struct Line {
        uint32_t pc;
        std::string text;
    };
    uint32_t base_, pc_;
    std::vector<Line> lines_;
    std::map<std::string, uint32_t> labels_;
};

}  // namespace stvp::test
