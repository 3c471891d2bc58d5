// A bank of 32-bit memory-mapped registers built from a register table (regdef.h).
//
// Decode, size/alignment checks and access rules live here once; a device only binds
// callbacks for the registers with side effects. Guest mistakes never abort the simulator:
// they come back as a TLM error response (the CPU turns that into an access fault).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <tlm>

#include "regdef.h"

namespace stvp {

class RegisterBank {
public:
    // idx is the element index for register arrays (0 for plain registers).
    using ReadFn = std::function<uint32_t(unsigned idx)>;
    // Return false to refuse the write (the access then gets TLM_COMMAND_ERROR_RESPONSE).
    using WriteFn = std::function<bool(unsigned idx, uint32_t value)>;

    template <std::size_t N>
    RegisterBank(std::string name, const RegInfo (&table)[N]) : RegisterBank(std::move(name), table, N) {}
    RegisterBank(std::string name, const RegInfo* table, std::size_t n);

    void on_read(uint32_t offset, ReadFn fn);
    void on_write(uint32_t offset, WriteFn fn);

    // Stored value of a register (element idx of an array). Devices use this as their state.
    uint32_t& value(uint32_t offset, unsigned idx = 0);
    uint32_t value(uint32_t offset, unsigned idx = 0) const;

    void reset();

    // Performs a bus access. len must be 4 and addr aligned. Fills data on reads.
    // debug = true reads/writes the stored value without callbacks or access checks
    // (for debuggers and transport_dbg).
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                                    bool debug = false);

    // Name of the register at addr ("UART.TXDATA", "PLIC.PRIORITY[3]"), or "" if none.
    std::string name_at(uint64_t addr) const;

    const std::string& name() const { return name_; }
    uint64_t error_count() const { return errors_; }

private:
    struct Slot {
        const RegInfo* info;
        unsigned idx;
        uint32_t value;
        ReadFn read;
        WriteFn write;
    };
    Slot* find(uint64_t addr);
    const Slot* find(uint64_t addr) const;

    std::string name_;
    std::vector<Slot> slots_;  // sorted by address
    uint64_t errors_ = 0;
};

}  // namespace stvp
