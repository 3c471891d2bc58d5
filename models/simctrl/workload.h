// The training workload's keys (firmware/include/stvp/hw/workload.def) as a C++ table: what
// the platform binds as workload.* configuration keys, and how a value becomes the content of
// its SIMCTRL WORKLOAD[i] register. SystemC-free, header-only (the host reference trainer
// reads the same registers' values).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "stvp/hw/regs.h"
#include "stvp/hw/workload.h"

namespace stvp::workload {

// The register's unit of a key (workload.def explains each).
enum class Type { U32, NAME, PCT, F32 };

struct Key {
    unsigned index;       // SIMCTRL WORKLOAD[index]
    const char* key;      // dotted configuration key
    Type type;
    double def, lo, hi;   // in the register's unit (a position, percent, number)
    const char* choices;  // NAME: '|'-separated, a choice's position is its value ("" = not a choice)
    const char* doc;
};

inline constexpr Key keys[] = {
#define STVP_WORKLOAD(name, index, key, type, def, lo, hi, choices, doc) {index, key, Type::type, def, lo, hi, choices, doc},
#include "stvp/hw/workload.def"
#undef STVP_WORKLOAD
};
static_assert(sizeof(keys) / sizeof(keys[0]) == size_t(STVP_WORKLOAD_KEYS), "workload.def rows");
// keys[STVP_WL_X] is key X: the rows are in index order (a new key goes at the end).
inline constexpr bool keys_in_index_order() {
    for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); ++i)
        if (keys[i].index != i) return false;
    return true;
}
static_assert(keys_in_index_order(), "workload.def rows must be in index order");
static_assert(int(STVP_WORKLOAD_KEYS) <= int(SIMCTRL_WORKLOAD_COUNT), "more workload keys than SIMCTRL WORKLOAD registers");

using Registers = std::array<uint32_t, SIMCTRL_WORKLOAD_COUNT>;

// A NAME key's choices by position (empty strings for positions that cannot be chosen).
inline std::vector<std::string> choices_of(const Key& k) {
    std::vector<std::string> out;
    std::string s = k.choices;
    for (size_t b = 0;;) {
        const size_t e = s.find('|', b);
        out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (e == std::string::npos) return out;
        b = e + 1;
    }
}

// The register content of a number in the register's unit (PCT: percent, F32: the number).
inline uint32_t register_value(const Key& k, double v) {
    if (k.type == Type::F32) {
        const float f = static_cast<float>(v);
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        return bits;
    }
    return static_cast<uint32_t>(std::llround(v));
}

// Every key at its default (registers beyond the keys hold 0).
inline Registers default_registers() {
    Registers r{};
    for (const Key& k : keys) r[k.index] = register_value(k, k.def);
    return r;
}

}  // namespace stvp::workload
