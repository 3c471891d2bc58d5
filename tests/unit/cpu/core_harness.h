// A fake memory system for driving Rv32Core without SystemC: 64 KiB of RAM at 0x80000000
// (reachable through DMI or through the bus, per test), 16 word registers at 0x10000000
// and nothing else (every other address is an access fault).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "cpu/rv32_core.h"
#include "rv32_asm.h"

namespace stvp::test {

constexpr uint32_t kRamBase = 0x80000000;
constexpr uint32_t kRamSize = 64 * 1024;
constexpr uint32_t kMmioBase = 0x10000000;
constexpr uint32_t kHole = 0x20000000;

class FakeBus : public CoreBus {
public:
    std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize);
    uint32_t mmio[16] = {};
    unsigned fetches = 0, loads = 0, stores = 0;
    Rv32Core* core = nullptr;
    uint64_t stall_cycles = 0;  // charged per bus access
    // Called on every load/store that reaches the bus (after it is performed).
    std::function<void(uint32_t addr, bool write)> on_access;

    BusStatus fetch(uint32_t addr, uint16_t& parcel) override {
        ++fetches;
        if (!in_ram(addr, 2)) return BusStatus::AccessFault;
        std::memcpy(&parcel, &ram[addr - kRamBase], 2);
        return BusStatus::Ok;
    }
    BusStatus load(uint32_t addr, unsigned size, uint32_t& value) override {
        ++loads;
        charge();
        value = 0;
        if (in_ram(addr, size)) {
            std::memcpy(&value, &ram[addr - kRamBase], size);
        } else if (addr - kMmioBase < sizeof mmio) {
            std::memcpy(&value, reinterpret_cast<uint8_t*>(mmio) + (addr - kMmioBase), size);
        } else {
            return BusStatus::AccessFault;
        }
        if (on_access) on_access(addr, false);
        return BusStatus::Ok;
    }
    BusStatus store(uint32_t addr, unsigned size, uint32_t value) override {
        ++stores;
        charge();
        if (in_ram(addr, size)) {
            std::memcpy(&ram[addr - kRamBase], &value, size);
        } else if (addr - kMmioBase < sizeof mmio) {
            std::memcpy(reinterpret_cast<uint8_t*>(mmio) + (addr - kMmioBase), &value, size);
        } else {
            return BusStatus::AccessFault;
        }
        if (on_access) on_access(addr, true);
        return BusStatus::Ok;
    }

private:
    static bool in_ram(uint32_t addr, unsigned size) { return addr - kRamBase <= kRamSize - size; }
    void charge() {
        if (core && stall_cycles) core->add_cycles(stall_cycles);
    }
};

inline Rv32CoreConfig unit_costs() {
    Rv32CoreConfig c;
    c.cycles = CycleCosts{1, 1, 1, 1, 1, 1};
    return c;
}

struct Machine {
    FakeBus bus;
    Rv32Core core;

    explicit Machine(bool dmi = true, const Rv32CoreConfig& cfg = Rv32CoreConfig{}) : core(cfg, bus) {
        bus.core = &core;
        if (dmi) core.add_dmi(kRamBase, kRamBase + kRamSize - 1, bus.ram.data(), true, true);
    }

    void load(const Asm& a) {
        const std::vector<uint8_t> img = a.bytes();
        std::memcpy(&bus.ram[a.base() - kRamBase], img.data(), img.size());
        core.invalidate_decode_all();
        core.set_pc(a.base());
    }
    void load(const std::string& program) {
        Asm a;
        a(program);
        load(a);
    }

    uint32_t mem32(uint32_t addr) const {
        uint32_t v;
        std::memcpy(&v, &bus.ram.at(addr - kRamBase), 4);
        return v;
    }
    void set_mem32(uint32_t addr, uint32_t v) { std::memcpy(&bus.ram.at(addr - kRamBase), &v, 4); }

    uint32_t x(unsigned i) const { return core.reg(i); }
    uint32_t csr(uint32_t c) const {
        uint32_t v = 0;
        EXPECT_TRUE(core.read_csr(c, v)) << std::hex << c;
        return v;
    }

    // Runs until a trap is entered (returns true; mcause tells which) or `max` more
    // instructions retire (returns false). Traps with mtvec = 0 land in a hole, but run()
    // returns on trap entry, before fetching the handler.
    bool run_to_trap(uint64_t max = 100000) {
        const uint64_t limit = core.instret() + max;
        for (;;) {
            const RunExit e = core.run(UINT64_MAX, limit);
            if (e == RunExit::StateChange && core.state() == CoreState::InTrap) return true;
            if (e == RunExit::StateChange) continue;  // mret
            return false;
        }
    }
    // Runs a program that ends in ecall; checks it got there.
    void run_to_ecall(uint64_t max = 100000) {
        ASSERT_TRUE(run_to_trap(max)) << "no trap; pc=" << std::hex << core.pc();
        ASSERT_EQ(csr(csr::kMcause), cause::kEcallM)
            << cause_name(csr(csr::kMcause)) << " at " << std::hex << csr(csr::kMepc);
    }
    void step(uint64_t n = 1) { core.run(UINT64_MAX, core.instret() + n); }
};

}  // namespace stvp::test
