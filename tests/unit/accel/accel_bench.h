// Test bench for the accelerator: the Accel, a Router with DRAM, the accelerator's scratchpad
// and a memory without DMI behind it, the irq wire, and a CPU-like stimulus thread that
// programs the accelerator through its register socket. One bench per test process.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "../support/reg_access.h"

#include "accel/accel.h"
#include "bus/router.h"
#include "memory/memory.h"
#include "stvp/hw/accel_desc.h"
#include "stvp/hw/memmap.h"

namespace stvp::test {

using namespace sc_core;

constexpr uint32_t kDram = 0x80000000u;
constexpr uint64_t kDramSize = 4ull << 20;
constexpr uint32_t kNoDmi = 0x40000000u;  // a RAM that refuses DMI: operands there are unreachable
constexpr uint64_t kNoDmiSize = 0x10000;
constexpr uint32_t kDescBase = kDram + 0x1000;
constexpr uint32_t kHeap = kDram + 0x10000;
inline const sc_time kNs(1, SC_NS);
inline const sc_time kCycle(2, SC_NS);  // the default 500 MHz accelerator clock

// DRAM: 60 ns + bytes / 12.8 GB/s per access; a 128-byte descriptor fetch is 70 ns = 35 cycles.
inline MemoryConfig dram_config() {
    MemoryConfig m;
    m.size = kDramSize;
    return m;
}
constexpr uint64_t kFetchCycles = 35;

class Bench : public sc_module {
public:
    Router router;
    Memory dram;
    Memory nodmi;
    Accel accel;
    sc_signal<bool> irq{"irq_line"};
    tlm_utils::simple_initiator_socket<Bench> cpu{"cpu"};
    std::function<void(Bench&)> program;
    bool program_finished = false;
    std::vector<AccelOpRecord> records;

    explicit Bench(sc_module_name n, const AccelConfig& cfg = AccelConfig{}, const MemoryConfig& dcfg = dram_config())
        : sc_module(n), router("router"), dram("dram", dcfg), nodmi("nodmi", nodmi_config()), accel("accel", cfg) {
        router.initiator_socket.bind(dram.socket);
        router.add_region("dram", kDram, dcfg.size, 0);
        router.initiator_socket.bind(accel.spad.socket);
        router.add_region("spad", STVP_SPAD_BASE, STVP_SPAD_SIZE, 1);
        router.initiator_socket.bind(nodmi.socket);
        router.add_region("nodmi", kNoDmi, kNoDmiSize, 2);
        accel.master.bind(router.target_socket);
        accel.irq.bind(irq);
        cpu.bind(accel.socket);
        accel.on_op([this](const AccelOpRecord& r) { records.push_back(r); });
        SC_HAS_PROCESS(Bench);
        SC_THREAD(stimulus);
    }

    static MemoryConfig nodmi_config() {
        MemoryConfig m;
        m.size = kNoDmiSize;
        m.dmi_allowed = false;
        return m;
    }

    // --- host-side memory helpers (no time, no counting) ---
    uint8_t* host(uint32_t addr) {
        if (addr >= STVP_SPAD_BASE && addr < STVP_SPAD_BASE + accel.spad.size())
            return accel.spad.data() + (addr - STVP_SPAD_BASE);
        EXPECT_TRUE(addr >= kDram && addr - kDram < dram.size()) << std::hex << addr;
        return dram.data() + (addr - kDram);
    }
    void put(uint32_t addr, const void* p, size_t n) { std::memcpy(host(addr), p, n); }
    void put_floats(uint32_t addr, const std::vector<float>& v) { put(addr, v.data(), 4 * v.size()); }
    std::vector<float> floats(uint32_t addr, size_t n) {
        std::vector<float> v(n);
        std::memcpy(v.data(), host(addr), 4 * n);
        return v;
    }
    void put_desc(uint32_t index, const stvp_accel_desc& d, uint32_t base = kDescBase) {
        put(base + index * STVP_ACCEL_DESC_SIZE, &d, sizeof d);
    }
    // Bump allocator on the DRAM heap: 64-byte aligned, 64 guard bytes between tensors.
    uint32_t alloc(uint64_t bytes) {
        const uint32_t a = next_;
        next_ = static_cast<uint32_t>((uint64_t(next_) + bytes + 64 + 63) & ~uint64_t(63));
        return a;
    }
    // Copy of the whole DRAM, to compare against after a run (guard bands: nothing outside
    // the outputs may change).
    std::vector<uint8_t> snapshot() { return std::vector<uint8_t>(dram.data(), dram.data() + dram.size()); }
    // First differing DRAM address against an image, or 0 if equal.
    uint32_t diff(const std::vector<uint8_t>& img) {
        for (size_t i = 0; i < img.size(); ++i)
            if (img[i] != dram.data()[i]) return kDram + static_cast<uint32_t>(i);
        return 0;
    }

    // --- register access (CPU-like) ---
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint32_t off, uint32_t& v, sc_time ahead = SC_ZERO_TIME,
                                    sc_time* returned_delay = nullptr) {
        return test::reg_access(cpu, cmd, off, v, ahead, returned_delay);
    }
    uint32_t rd(uint32_t off) { return test::reg_read(cpu, off); }
    void wr(uint32_t off, uint32_t v) { test::reg_write(cpu, off, v); }
    void start(uint32_t count, uint32_t base = kDescBase) {
        wr(ACCEL_DESC_BASE, base);
        wr(ACCEL_DESC_COUNT, count);
        wr(ACCEL_CTRL, ACCEL_CTRL_START_MASK);
    }
    // Waits until STATUS.BUSY is clear (without a bus access); returns the time it cleared.
    sc_time wait_idle() {
        while (accel.registers().value(ACCEL_STATUS) & ACCEL_STATUS_BUSY_MASK) wait(accel.done_event());
        return sc_time_stamp();
    }
    // Runs a chain to its end; returns its duration (doorbell to STATUS.BUSY falling).
    sc_time run_chain(uint32_t count, uint32_t base = kDescBase) {
        start(count, base);
        const sc_time t0 = sc_time_stamp();
        return wait_idle() - t0;
    }

    void run(std::function<void(Bench&)> p) {
        program = std::move(p);
        sc_start();
        EXPECT_TRUE(program_finished) << "stimulus did not finish (deadlock?)";
    }

private:
    void stimulus() {
        if (program) program(*this);
        program_finished = true;
    }
    uint32_t next_ = kHeap;
};

// A descriptor with the header set and everything else 0.
inline stvp_accel_desc make_desc(uint32_t opcode, uint32_t flags = 0, uint32_t layer = 0) {
    stvp_accel_desc d{};
    d.opcode = opcode;
    d.flags = flags;
    d.layer = layer;
    return d;
}

inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

// Cycles of one descriptor besides the op: fetch + decode.
inline uint64_t overhead_cycles(const AccelConfig& cfg = AccelConfig{}) { return kFetchCycles + cfg.decode_cycles; }

}  // namespace stvp::test
