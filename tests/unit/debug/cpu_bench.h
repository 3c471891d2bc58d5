// A CPU model on a small memory system, for the debug tests: RAM at 0x80000000 (DMI), one
// MMIO word at 0x10000000 whose write stops the CPU, holes elsewhere; and a scripted
// debugger that records every halt.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "../cpu/rv32_asm.h"
#include "cpu/cpu.h"

namespace stvp::test {

using sc_core::SC_NS;
using sc_core::sc_time;

constexpr uint32_t kBenchRamBase = 0x80000000;
constexpr uint32_t kBenchRamSize = 64 * 1024;


constexpr uint32_t kMmio = 0x10000000;  // writing any word here stops the CPU

struct Target : sc_core::sc_module {
    tlm_utils::simple_target_socket<Target> socket{"socket"};
    std::vector<uint8_t> ram = std::vector<uint8_t>(kBenchRamSize);
    std::function<void()> on_mmio_write;
    explicit Target(sc_core::sc_module_name n) : sc_module(n) {
        socket.register_b_transport(this, &Target::b_transport);
        socket.register_get_direct_mem_ptr(this, &Target::get_dmi);
        socket.register_transport_dbg(this, &Target::dbg);
    }
    bool in_ram(uint64_t a, unsigned len) const { return a >= kBenchRamBase && a + len <= uint64_t{kBenchRamBase} + kBenchRamSize; }
    void b_transport(tlm::tlm_generic_payload& t, sc_time&) {
        const uint64_t a = t.get_address();
        if (in_ram(a, t.get_data_length())) {
            if (t.is_read()) std::memcpy(t.get_data_ptr(), &ram[a - kBenchRamBase], t.get_data_length());
            else std::memcpy(&ram[a - kBenchRamBase], t.get_data_ptr(), t.get_data_length());
            t.set_dmi_allowed(true);
            t.set_response_status(tlm::TLM_OK_RESPONSE);
        } else if (a == kMmio) {
            if (t.is_write() && on_mmio_write) on_mmio_write();
            t.set_response_status(tlm::TLM_OK_RESPONSE);
        } else {
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        }
    }
    bool get_dmi(tlm::tlm_generic_payload& t, tlm::tlm_dmi& d) {
        if (!in_ram(t.get_address(), 1)) return false;
        d.set_dmi_ptr(ram.data());
        d.set_start_address(kBenchRamBase);
        d.set_end_address(kBenchRamBase + kBenchRamSize - 1);
        d.allow_read_write();
        return true;
    }
    unsigned dbg(tlm::tlm_generic_payload& t) {
        const uint64_t a = t.get_address();
        if (!in_ram(a, t.get_data_length())) return 0;
        if (t.is_read()) std::memcpy(t.get_data_ptr(), &ram[a - kBenchRamBase], t.get_data_length());
        else std::memcpy(&ram[a - kBenchRamBase], t.get_data_ptr(), t.get_data_length());
        return t.get_data_length();
    }
};

// A scripted debugger: records every halt (event, pc, time) and answers from a script
// (a function of the halt number).
struct ScriptedDebugger : CpuDebugger {
    struct Halt {
        DebugEvent why;
        uint32_t pc;
        sc_time at;
        uint64_t instret;
    };
    std::vector<Halt> halts;
    std::function<DebugAction(Cpu&, size_t)> script;
    sc_time break_at = sc_core::sc_max_time();  // break_requested() from this time on

    DebugAction halted(Cpu& cpu, DebugEvent why) override {
        halts.push_back({why, cpu.pc(), sc_core::sc_time_stamp(), cpu.instructions()});
        return script(cpu, halts.size() - 1);
    }
    bool break_requested() override { return halts.empty() && sc_core::sc_time_stamp() >= break_at; }
};

struct Bench {
    sc_core::sc_signal<bool> sw{"sw"}, timer{"timer"}, ext{"ext"};
    Target mem{"mem"};
    Cpu cpu;
    ScriptedDebugger dbg;
    bool halted = false;
    HaltReason reason{};
    std::string message;

    explicit Bench(CpuConfig cfg = config()) : cpu("cpu", cfg) {
        cpu.socket.bind(mem.socket);
        cpu.irq_software(sw);
        cpu.irq_timer(timer);
        cpu.irq_external(ext);
        cpu.on_halt = [this](HaltReason r, uint32_t, const std::string& m) {
            halted = true;
            reason = r;
            message = m;
        };
        mem.on_mmio_write = [this] { cpu.request_stop(); };
    }
    static CpuConfig config() {
        CpuConfig c;
        c.clock_hz = 500e6;  // 2 ns per cycle
        c.cycles = CycleCosts{1, 1, 1, 1, 1, 1};
        return c;
    }
    void load(const Asm& a) {
        const std::vector<uint8_t> img = a.bytes();
        std::memcpy(&mem.ram[a.base() - kBenchRamBase], img.data(), img.size());
        cpu.set_pc(a.base());
    }
};

}  // namespace stvp::test
