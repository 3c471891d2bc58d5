#include "rv32_asm.h"

#include <cctype>
#include <cstring>
#include <stdexcept>

#include "cpu/rv32_isa.h"

namespace stvp::test {

using rv32::Fmt;

namespace {

std::string trim(const std::string& s) {
    std::size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

[[noreturn]] void fail(const std::string& what, const std::string& line) {
    throw std::invalid_argument("asm: " + what + " in '" + line + "'");
}

int parse_reg(const std::string& t, const std::string& line) {
    static const char* const abi[] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                                      "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                      "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    for (int i = 0; i < 32; ++i)
        if (t == abi[i]) return i;
    if (t == "fp") return 8;
    if (t.size() >= 2 && t[0] == 'x' && std::isdigit(static_cast<unsigned char>(t[1]))) {
        int r = std::stoi(t.substr(1));
        if (r >= 0 && r < 32) return r;
    }
    fail("bad register '" + t + "'", line);
}

bool is_number(const std::string& t) {
    return !t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '-' || t[0] == '+');
}

int64_t parse_num(const std::string& t, const std::string& line) {
    if (!is_number(t)) fail("bad number '" + t + "'", line);
    std::size_t pos = 0;
    const int64_t v = std::stoll(t, &pos, 0);
    if (pos != t.size()) fail("bad number '" + t + "'", line);
    return v;
}

// "imm(reg)" or "(reg)"
void parse_mem(const std::string& t, int64_t& imm, int& reg, const std::string& line) {
    const auto open = t.find('('), close = t.find(')');
    if (open == std::string::npos || close != t.size() - 1) fail("expected imm(reg)", line);
    const std::string i = trim(t.substr(0, open));
    imm = i.empty() ? 0 : parse_num(i, line);
    reg = parse_reg(trim(t.substr(open + 1, close - open - 1)), line);
}

uint32_t parse_csr(const std::string& t, const std::string& line) {
    if (is_number(t)) return static_cast<uint32_t>(parse_num(t, line));
    for (uint32_t c = 0; c < 4096; ++c) {
        const char* n = rv32::csr_name(c);
        if (n && t == n) return c;
    }
    fail("unknown CSR '" + t + "'", line);
}

uint32_t parse_fence_set(const std::string& t, const std::string& line) {
    if (t == "0") return 0;
    uint32_t v = 0;
    for (char c : t) {
        switch (c) {
        case 'i': v |= 8; break;
        case 'o': v |= 4; break;
        case 'r': v |= 2; break;
        case 'w': v |= 1; break;
        default: fail("bad fence set", line);
        }
    }
    return v;
}

void check_range(int64_t v, int64_t lo, int64_t hi, int64_t align, const std::string& line) {
    if (v < lo || v > hi || v % align != 0) fail("immediate " + std::to_string(v) + " out of range", line);
}

uint32_t b(int64_t v, int hi, int lo) { return static_cast<uint32_t>(v >> lo) & ((1u << (hi - lo + 1)) - 1); }

int creg(int r, const std::string& line) {  // x8..x15 -> 3-bit field
    if (r < 8 || r > 15) fail("register must be x8..x15", line);
    return r - 8;
}

}  // namespace

unsigned Asm::size_of(const std::string& insn) { return insn.rfind("c.", 0) == 0 ? 2 : 4; }

uint32_t Asm::encode(const std::string& text, uint32_t pc, const std::map<std::string, uint32_t>& labels) {
    const std::string line = trim(text);
    const auto sp = line.find_first_of(" \t");
    std::string mn = sp == std::string::npos ? line : line.substr(0, sp);
    const std::string rest = sp == std::string::npos ? "" : trim(line.substr(sp));
    std::vector<std::string> ops;
    if (!rest.empty()) {
        std::size_t start = 0;
        for (;;) {
            const auto comma = rest.find(',', start);
            ops.push_back(trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (mn == "fence.tso") return 0x8330000f;

    uint32_t aqrl = 0;
    for (const auto& [suffix, bits] : {std::pair<const char*, uint32_t>{".aqrl", 3}, {".aq", 2}, {".rl", 1}}) {
        const std::size_t n = std::strlen(suffix);
        if ((mn.rfind("lr.", 0) == 0 || mn.rfind("sc.", 0) == 0 || mn.rfind("amo", 0) == 0) && mn.size() > n &&
            mn.compare(mn.size() - n, n, suffix) == 0) {
            aqrl = bits;
            mn = mn.substr(0, mn.size() - n);
            break;
        }
    }

    const rv32::InsnSpec* spec = nullptr;
    for (std::size_t i = 0; i < rv32::insn_table_size(); ++i)
        if (mn == rv32::insn_table()[i].name) spec = &rv32::insn_table()[i];
    if (!spec) fail("unknown mnemonic '" + mn + "'", line);

    auto need = [&](std::size_t n) {
        if (ops.size() != n) fail("expected " + std::to_string(n) + " operands", line);
    };
    auto reg = [&](std::size_t i) { return parse_reg(ops.at(i), line); };
    auto num = [&](std::size_t i) { return parse_num(ops.at(i), line); };
    auto target = [&](std::size_t i) -> int64_t {
        const std::string& t = ops.at(i);
        if (is_number(t)) return parse_num(t, line) - static_cast<int64_t>(pc);
        auto it = labels.find(t);
        if (it == labels.end()) fail("undefined label '" + t + "'", line);
        return static_cast<int64_t>(it->second) - static_cast<int64_t>(pc);
    };

    uint32_t w = spec->match;
    int64_t imm = 0;
    int r = 0;
    switch (spec->fmt) {
    case Fmt::R:
        need(3);
        w |= reg(0) << 7 | reg(1) << 15 | reg(2) << 20;
        break;
    case Fmt::Amo:
        need(3);
        parse_mem(ops[2], imm, r, line);
        w |= reg(0) << 7 | r << 15 | reg(1) << 20 | aqrl << 25;
        break;
    case Fmt::Lr:
        need(2);
        parse_mem(ops[1], imm, r, line);
        w |= reg(0) << 7 | r << 15 | aqrl << 25;
        break;
    case Fmt::I:
        need(3);
        imm = num(2);
        check_range(imm, -2048, 2047, 1, line);
        w |= reg(0) << 7 | reg(1) << 15 | b(imm, 11, 0) << 20;
        break;
    case Fmt::IShift:
        need(3);
        imm = num(2);
        check_range(imm, 0, 31, 1, line);
        w |= reg(0) << 7 | reg(1) << 15 | b(imm, 4, 0) << 20;
        break;
    case Fmt::Load:
    case Fmt::Jalr:
        need(2);
        parse_mem(ops[1], imm, r, line);
        check_range(imm, -2048, 2047, 1, line);
        w |= reg(0) << 7 | r << 15 | b(imm, 11, 0) << 20;
        break;
    case Fmt::Store:
        need(2);
        parse_mem(ops[1], imm, r, line);
        check_range(imm, -2048, 2047, 1, line);
        w |= b(imm, 4, 0) << 7 | r << 15 | reg(0) << 20 | b(imm, 11, 5) << 25;
        break;
    case Fmt::Branch:
        need(3);
        imm = target(2);
        check_range(imm, -4096, 4094, 2, line);
        w |= reg(0) << 15 | reg(1) << 20 | b(imm, 11, 11) << 7 | b(imm, 4, 1) << 8 | b(imm, 10, 5) << 25 |
             b(imm, 12, 12) << 31;
        break;
    case Fmt::U:
        need(2);
        imm = num(1);
        check_range(imm, 0, 0xfffff, 1, line);
        w |= reg(0) << 7 | static_cast<uint32_t>(imm) << 12;
        break;
    case Fmt::J:
        need(2);
        imm = target(1);
        check_range(imm, -(1 << 20), (1 << 20) - 2, 2, line);
        w |= reg(0) << 7 | b(imm, 19, 12) << 12 | b(imm, 11, 11) << 20 | b(imm, 10, 1) << 21 | b(imm, 20, 20) << 31;
        break;
    case Fmt::Csr:
        need(3);
        w |= reg(0) << 7 | parse_csr(ops[1], line) << 20 | reg(2) << 15;
        break;
    case Fmt::CsrI:
        need(3);
        imm = num(2);
        check_range(imm, 0, 31, 1, line);
        w |= reg(0) << 7 | parse_csr(ops[1], line) << 20 | static_cast<uint32_t>(imm) << 15;
        break;
    case Fmt::Fence:
        need(2);
        w |= parse_fence_set(ops[0], line) << 24 | parse_fence_set(ops[1], line) << 20;
        break;
    case Fmt::None:
    case Fmt::CNone:
    case Fmt::CNop:
        need(0);
        break;
    case Fmt::CAddi4spn:
        need(3);
        if (reg(1) != 2) fail("c.addi4spn adds to sp", line);
        imm = num(2);
        check_range(imm, 4, 1020, 4, line);
        w |= creg(reg(0), line) << 2 | b(imm, 3, 3) << 5 | b(imm, 2, 2) << 6 | b(imm, 9, 6) << 7 | b(imm, 5, 4) << 11;
        break;
    case Fmt::CLw:
    case Fmt::CSw:
        need(2);
        parse_mem(ops[1], imm, r, line);
        check_range(imm, 0, 124, 4, line);
        w |= creg(reg(0), line) << 2 | b(imm, 6, 6) << 5 | b(imm, 2, 2) << 6 | creg(r, line) << 7 | b(imm, 5, 3) << 10;
        break;
    case Fmt::CAddi:
    case Fmt::CLi:
        need(2);
        imm = num(1);
        check_range(imm, -32, 31, 1, line);
        w |= reg(0) << 7 | b(imm, 4, 0) << 2 | b(imm, 5, 5) << 12;
        break;
    case Fmt::CAndi:
        need(2);
        imm = num(1);
        check_range(imm, -32, 31, 1, line);
        w |= creg(reg(0), line) << 7 | b(imm, 4, 0) << 2 | b(imm, 5, 5) << 12;
        break;
    case Fmt::CJal:
    case Fmt::CJ:
        need(1);
        imm = target(0);
        check_range(imm, -2048, 2046, 2, line);
        w |= b(imm, 5, 5) << 2 | b(imm, 3, 1) << 3 | b(imm, 7, 7) << 6 | b(imm, 6, 6) << 7 | b(imm, 10, 10) << 8 |
             b(imm, 9, 8) << 9 | b(imm, 4, 4) << 11 | b(imm, 11, 11) << 12;
        break;
    case Fmt::CAddi16sp:
        need(2);
        if (reg(0) != 2) fail("c.addi16sp adds to sp", line);
        imm = num(1);
        check_range(imm, -512, 496, 16, line);
        w |= b(imm, 5, 5) << 2 | b(imm, 8, 7) << 3 | b(imm, 6, 6) << 5 | b(imm, 4, 4) << 6 | b(imm, 9, 9) << 12;
        break;
    case Fmt::CLui:
        need(2);
        imm = num(1);  // the 20-bit lui field: 1..0x1f or 0xfffe0..0xfffff
        if (!((imm >= 1 && imm <= 0x1f) || (imm >= 0xfffe0 && imm <= 0xfffff))) fail("c.lui immediate", line);
        w |= reg(0) << 7 | b(imm, 4, 0) << 2 | b(imm, 5, 5) << 12;
        break;
    case Fmt::CShift:
        need(2);
        imm = num(1);
        check_range(imm, 0, 31, 1, line);
        w |= creg(reg(0), line) << 7 | b(imm, 4, 0) << 2;
        break;
    case Fmt::CAlu:
        need(2);
        w |= creg(reg(0), line) << 7 | creg(reg(1), line) << 2;
        break;
    case Fmt::CBranch:
        need(2);
        imm = target(1);
        check_range(imm, -256, 254, 2, line);
        w |= creg(reg(0), line) << 7 | b(imm, 5, 5) << 2 | b(imm, 2, 1) << 3 | b(imm, 7, 6) << 5 |
             b(imm, 4, 3) << 10 | b(imm, 8, 8) << 12;
        break;
    case Fmt::CSlli:
        need(2);
        imm = num(1);
        check_range(imm, 0, 31, 1, line);
        w |= reg(0) << 7 | b(imm, 4, 0) << 2;
        break;
    case Fmt::CLwsp:
        need(2);
        parse_mem(ops[1], imm, r, line);
        if (r != 2) fail("c.lwsp is sp-relative", line);
        check_range(imm, 0, 252, 4, line);
        w |= reg(0) << 7 | b(imm, 7, 6) << 2 | b(imm, 4, 2) << 4 | b(imm, 5, 5) << 12;
        break;
    case Fmt::CSwsp:
        need(2);
        parse_mem(ops[1], imm, r, line);
        if (r != 2) fail("c.swsp is sp-relative", line);
        check_range(imm, 0, 252, 4, line);
        w |= reg(0) << 2 | b(imm, 7, 6) << 7 | b(imm, 5, 2) << 9;
        break;
    case Fmt::CJr:
    case Fmt::CJalr:
        need(1);
        w |= reg(0) << 7;
        break;
    case Fmt::CMv:
    case Fmt::CAdd:
        need(2);
        w |= reg(0) << 7 | reg(1) << 2;
        break;
    }
    // The packed word must be the row it was assembled from (catches reserved forms such
    // as c.addi4spn with 0 or c.jr zero).
    if (rv32::lookup(w) < 0 || &rv32::insn_table()[rv32::lookup(w)] != spec) fail("encodes a reserved form", line);
    return w;
}

Asm& Asm::operator()(const std::string& input) {
    std::size_t start = 0;
    for (;;) {
        const auto semi = input.find(';', start);
        std::string line = trim(input.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
        // "label:" alone or in front of an instruction
        for (auto colon = line.find(':'); colon != std::string::npos && line.find_first_of(" \t(") > colon;
             colon = line.find(':')) {
            labels_[line.substr(0, colon)] = pc_;
            line = trim(line.substr(colon + 1));
        }
        if (!line.empty()) {
            {
                lines_.push_back({pc_, line});
                if (line.rfind(".word", 0) == 0)
                    pc_ += 4;
                else if (line.rfind(".half", 0) == 0)
                    pc_ += 2;
                else
                    pc_ += size_of(line);
            }
        }
        if (semi == std::string::npos) break;
        start = semi + 1;
    }
    return *this;
}

uint32_t Asm::label(const std::string& name) const {
    auto it = labels_.find(name);
    if (it == labels_.end()) throw std::invalid_argument("asm: undefined label '" + name + "'");
    return it->second;
}

std::vector<uint8_t> Asm::bytes() const {
    std::vector<uint8_t> out(pc_ - base_);
    for (const Line& l : lines_) {
        uint32_t w;
        unsigned n;
        if (l.text.rfind(".word", 0) == 0) {
            w = static_cast<uint32_t>(parse_num(trim(l.text.substr(5)), l.text)), n = 4;
        } else if (l.text.rfind(".half", 0) == 0) {
            w = static_cast<uint32_t>(parse_num(trim(l.text.substr(5)), l.text)), n = 2;
        } else {
            w = encode(l.text, l.pc, labels_), n = size_of(l.text);
        }
        for (unsigned i = 0; i < n; ++i) out[l.pc - base_ + i] = static_cast<uint8_t>(w >> (8 * i));
    }
    return out;
}

}  // namespace stvp::test
