// Register tables for the models, expanded from the same *.def files as the firmware's
// regs.h (firmware/include/stvp/hw). Offsets and fields come from regs.h itself, which is
// valid C and C++.
#pragma once

#include <cstdint>

#include "stvp/hw/regs.h"

namespace stvp {

enum class Access { RW, RO, WO, W1C };

// One row of a register map: a single register (count 1) or an array of registers.
struct RegInfo {
    const char* block;
    const char* name;
    uint32_t offset;
    uint32_t count;
    uint32_t stride;
    uint32_t reset;
    Access access;
    const char* doc;
};

template <std::size_t N>
struct RegTable {
    RegInfo rows[N];
    static constexpr std::size_t size = N;
};

}  // namespace stvp

#define STVP_REG(blk, name, off, rst, acc, doc) \
    stvp::RegInfo{#blk, #name, (off), 1, 4, static_cast<uint32_t>(rst), stvp::Access::acc, doc},
#define STVP_REGA(blk, name, off, cnt, stride, rst, acc, doc) \
    stvp::RegInfo{#blk, #name, (off), (cnt), (stride), static_cast<uint32_t>(rst), stvp::Access::acc, doc},
#define STVP_FIELD(blk, reg, field, lsb, width, doc)

namespace stvp::regmaps {
inline const RegInfo clint[] = {
#include "stvp/hw/clint.def"
};
inline const RegInfo plic[] = {
#include "stvp/hw/plic.def"
};
inline const RegInfo uart[] = {
#include "stvp/hw/uart.def"
};
inline const RegInfo simctrl[] = {
#include "stvp/hw/simctrl.def"
};
inline const RegInfo dma[] = {
#include "stvp/hw/dma.def"
};
inline const RegInfo accel[] = {
#include "stvp/hw/accel.def"
};
}  // namespace stvp::regmaps

#undef STVP_REG
#undef STVP_REGA
#undef STVP_FIELD
