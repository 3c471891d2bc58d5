// The accelerator engine's memory (accel/engine/engine.h, HostMemoryView) over two owned host
// buffers, a "DRAM" and a "scratchpad", for driving the engine without SystemC (unit tests,
// tests/fuzz/fuzz_accel_command.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "accel/engine/engine.h"

namespace stvp::accel::test {

class HostMemory : public HostMemoryView {
public:
    HostMemory(uint32_t dram_base, size_t dram_size, uint32_t spad_base, size_t spad_size)
        : dram(dram_size), spad(spad_size) {
        add({dram_base, dram.data(), dram.size(), false});
        add({spad_base, spad.data(), spad.size(), true});
    }
    HostMemory(const HostMemory&) = delete;  // the regions point into this object's buffers
    HostMemory& operator=(const HostMemory&) = delete;

    std::vector<uint8_t> dram, spad;
};

}  // namespace stvp::accel::test
