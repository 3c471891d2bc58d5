// The accelerator command path's memory (accel/command.h, MemoryResolver) as two host
// buffers, a "DRAM" and a "scratchpad", for driving decode/bind/execute without SystemC
// (unit tests, tests/fuzz/fuzz_accel_command.cpp).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "accel/command.h"

namespace stvp::accel::test {

class HostMemory : public MemoryResolver {
public:
    HostMemory(uint32_t dram_base, size_t dram_size, uint32_t spad_base, size_t spad_size)
        : dram(dram_size), spad(spad_size), dram_base_(dram_base), spad_base_(spad_base) {}

    std::vector<uint8_t> dram, spad;

    uint32_t resolve(Operand& op) override {
        for (auto [base, buf] : {std::pair<uint32_t, std::vector<uint8_t>*>{dram_base_, &dram}, {spad_base_, &spad}}) {
            if (op.address < base || op.address - base >= buf->size()) continue;
            if (op.address - base + op.bytes > buf->size()) return STVP_ACCEL_ERR_CAPACITY;
            op.host = buf->data() + (op.address - base);
            op.in_scratchpad = base == spad_base_;
            return STVP_ACCEL_ERR_NONE;
        }
        return STVP_ACCEL_ERR_ADDRESS;
    }

private:
    uint32_t dram_base_, spad_base_;
};

}  // namespace stvp::accel::test
