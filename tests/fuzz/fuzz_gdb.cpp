// Fuzz harness: the GDB stub (platform/src/gdb_server.h) as gdb drives it, attached to a real
// CPU model. The input is what gdb sends (packets with checksums, acks, interrupt bytes
// 0x03), played back through a GdbByteStream: the stub reads it byte by byte, and the end of
// the input is gdb closing the connection.
//
// The rig: a router, 64 KiB of DRAM at 0x80000000 and the CPU (reset pc 0x80000000), which
// runs a four-instruction loop that loads, increments and stores the word at 0x80001000 (so
// breakpoints, steps and watchpoints all have something to stop at):
//   0x80000000 lui a0, 0x80001   0x80000004 lw a1, 0(a0)   0x80000008 addi a1, a1, 1
//   0x8000000c sw a1, 0(a0)      0x80000010 j 0x80000004
//
// One simulation per process (SystemC elaborates once; as fuzz_devices): the first input
// builds the rig, which lives until exit, with its CPU halted. Each input gets a new stub on
// a new stream and a CPU back at reset (Cpu::restart; the program reloaded, breakpoints
// cleared), which halts for the stub at once. The input then runs for kBudget of simulated
// time (no time passes while the stub has the CPU halted, whatever it is sent); then the
// CPU is stopped (request_stop) if the session did not end it. Findings: a crash, a
// sanitizer report, an exception, a hang (libFuzzer's -timeout), or a CPU that does not
// stop when asked.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "bus/router.h"
#include "cpu/cpu.h"
#include "gdb_server.h"
#include "gdb_transport.h"
#include "memory/memory.h"

using namespace sc_core;
using namespace stvp;

namespace {

constexpr uint32_t kDram = 0x80000000u, kDramSize = 64 * 1024;
const sc_time kBudget(20, SC_US);  // simulated time per input (10 000 cycles at 500 MHz)
constexpr uint32_t kProgram[] = {0x80001537, 0x00052583, 0x00158593, 0x00b52023, 0xff5ff06f};

MemoryConfig dram_config() {
    MemoryConfig m;
    m.size = kDramSize;
    return m;
}

CpuConfig cpu_config() {
    CpuConfig c;
    c.reset_pc = kDram;
    c.quantum_ns = 1000;  // a short quantum: a stop request is seen soon
    return c;
}

struct Rig : sc_module {
    Router router{"router"};
    Memory dram{"dram", dram_config()};
    Cpu cpu{"cpu", cpu_config()};
    sc_signal<bool> msip{"msip"}, mtip{"mtip"}, meip{"meip"};

    explicit Rig(sc_module_name n) : sc_module(n) {
        router.initiator_socket.bind(dram.socket);
        router.add_region("dram", kDram, kDramSize, 0);
        cpu.socket.bind(router.target_socket);
        cpu.irq_software.bind(msip);
        cpu.irq_timer.bind(mtip);
        cpu.irq_external.bind(meip);
    }

    // Memory and debugger state as at the first input (the core's own state is restart()'s).
    void load_program() {
        static const std::vector<uint8_t> zeros(kDramSize);
        if (cpu.debug_write(kDram, zeros.data(), kDramSize) != kDramSize) std::abort();
        if (cpu.debug_write(kDram, reinterpret_cast<const uint8_t*>(kProgram), sizeof kProgram) != sizeof kProgram)
            std::abort();
        // The stub's Z0 breakpoints (its Z1..Z4 are triggers, which restart() resets).
        Rv32Core& core = cpu.core();
        for (uint32_t pc : std::vector<uint32_t>(core.breakpoints())) core.remove_breakpoint(pc);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Rig* rig = nullptr;
    static std::unique_ptr<GdbServer> stub;
    if (!rig) {
        sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
        sc_report_handler::set_actions(SC_WARNING, SC_DO_NOTHING);
        rig = new Rig("rig");  // lives until exit: SystemC elaborates once per process
        rig->cpu.request_stop();
        // Elaboration ends (the sockets are bound) and the CPU halts within a few delta cycles.
        for (int i = 0; i < 10 && !rig->cpu.halted(); ++i) sc_start(SC_ZERO_TIME);
    }
    Cpu& cpu = rig->cpu;
    if (!cpu.halted()) std::abort();  // the previous input left it running
    rig->load_program();
    cpu.attach_debugger(nullptr, false);
    stub = std::make_unique<GdbServer>(
        std::make_unique<GdbByteStream>(std::string(reinterpret_cast<const char*>(data), size)));
    cpu.attach_debugger(stub.get(), true);
    cpu.restart();
    sc_start(kBudget);
    cpu.request_stop();
    for (int i = 0; i < 100 && !cpu.halted(); ++i) sc_start(sc_time(1, SC_US));
    if (!cpu.halted()) std::abort();  // a CPU that does not stop when asked
    return 0;
}
