// Microbenchmark of the instruction-set simulator (not a test): runs hand-assembled,
// CPU-bound loops and prints the simulated MIPS (million instructions per host second),
// first on the bare Rv32Core against a flat memory reached through DMI, then the same core
// in U-mode under PMP (the checked interpreter: fetch windows, every load/store checked),
// then through the SystemC wrapper Cpu (TLM memory target granting DMI, default CpuConfig:
// 500 MHz, 10 us quantum).
//
//   bench_iss [million-instructions]   (default 200)
#include <tlm_utils/simple_target_socket.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/rv32_core.h"
#include "rv32_asm.h"

namespace {

using namespace stvp;

class FlatBus : public CoreBus {
public:
    BusStatus fetch(uint32_t, uint16_t&) override { return BusStatus::AccessFault; }
    BusStatus load(uint32_t, unsigned, uint32_t&) override { return BusStatus::AccessFault; }
    BusStatus store(uint32_t, unsigned, uint32_t) override { return BusStatus::AccessFault; }
};

constexpr uint32_t kBase = 0x80000000;
constexpr uint32_t kSize = 1 << 20;

struct Workload {
    const char* name;
    const char* program;  // an endless loop
};

// Loops typical of firmware: integer arithmetic and branches, a word copy, a byte checksum
// (compressed), and a multiply-accumulate dot product.
const Workload kWorkloads[] = {
    {"alu+branch",
     "addi a1, zero, 0; addi a2, zero, 1; loop: add a1, a1, a2; xor a3, a1, a2; slli a4, a3, 3; srli a5, a4, 2; "
     "sub a1, a1, a5; addi a2, a2, 1; andi a6, a2, 1023; bne a6, zero, loop; addi a2, zero, 1; jal zero, loop"},
    {"memcpy-words",
     "outer: lui a0, 0x80010; lui a1, 0x80020; addi a2, zero, 1024; "
     "copy: lw t0, 0(a0); sw t0, 0(a1); addi a0, a0, 4; addi a1, a1, 4; addi a2, a2, -1; bne a2, zero, copy; "
     "jal zero, outer"},
    {"checksum-rvc",
     "outer: lui a0, 0x80010; addi a2, zero, 1024; c.li a1, 0; "
     "sum: lbu a3, 0(a0); c.add a1, a3; c.slli a1, 1; c.addi a0, 1; c.addi a2, -1; c.bnez a2, sum; c.j outer"},
    {"dot-product",
     "outer: lui a0, 0x80010; lui a1, 0x80020; addi a2, zero, 256; addi a5, zero, 0; "
     "dot: lw t0, 0(a0); lw t1, 0(a1); mul t2, t0, t1; add a5, a5, t2; addi a0, a0, 4; addi a1, a1, 4; "
     "addi a2, a2, -1; bne a2, zero, dot; jal zero, outer"},
};

// A DMI-granting memory for the SystemC run.
struct Memory : sc_core::sc_module {
    tlm_utils::simple_target_socket<Memory> socket{"socket"};
    std::vector<uint8_t> mem = std::vector<uint8_t>(kSize);
    explicit Memory(sc_core::sc_module_name n) : sc_module(n) {
        socket.register_b_transport(this, &Memory::b_transport);
        socket.register_get_direct_mem_ptr(this, &Memory::get_dmi);
    }
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time&) {
        const uint64_t off = t.get_address() - kBase;
        if (t.get_address() < kBase || off + t.get_data_length() > kSize) {
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (t.is_read())
            std::memcpy(t.get_data_ptr(), &mem[off], t.get_data_length());
        else
            std::memcpy(&mem[off], t.get_data_ptr(), t.get_data_length());
        t.set_dmi_allowed(true);
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    bool get_dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& d) {
        d.set_dmi_ptr(mem.data());
        d.set_start_address(kBase);
        d.set_end_address(kBase + kSize - 1);
        d.allow_read_write();
        return true;
    }
};

struct SystemcRun {
    sc_core::sc_signal<bool> sw{"sw"}, timer{"timer"}, ext{"ext"};
    Memory mem{"mem"};
    stvp::Cpu cpu;
    SystemcRun(const char* name, const stvp::CpuConfig& cfg) : cpu(name, cfg) {
        cpu.socket.bind(mem.socket);
        cpu.irq_software(sw);
        cpu.irq_timer(timer);
        cpu.irq_external(ext);
    }
};

// Runs every workload for n instructions on a fresh core (prepared by `setup`), against `mem`
// through DMI, in 5000-cycle slices like the SystemC wrapper's default (10 us at 500 MHz);
// prints each one's MIPS and the total as `overall`. False on an unexpected stop.
bool run_workloads(std::vector<uint8_t>& mem, uint64_t n, const char* overall,
                   const std::function<void(Rv32Core&)>& setup) {
    FlatBus bus;
    double total_s = 0;
    uint64_t total_n = 0;
    for (const Workload& w : kWorkloads) {
        Rv32Core core(Rv32CoreConfig{}, bus);
        core.add_dmi(kBase, kBase + kSize - 1, mem.data(), true, true);
        stvp::test::Asm a(kBase);
        a(w.program);
        const std::vector<uint8_t> img = a.bytes();
        std::memcpy(mem.data(), img.data(), img.size());
        setup(core);
        core.set_pc(kBase);
        const auto t0 = std::chrono::steady_clock::now();
        while (core.instret() < n) {
            if (core.run(5000, n) != RunExit::Budget && core.instret() < n) {
                std::fprintf(stderr, "%s: unexpected stop at pc 0x%08x\n", w.name, core.pc());
                return false;
            }
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%-14s %8.1f MIPS  (%llu instructions, %.3f s, %.2f cycles/insn)\n", w.name, n / s / 1e6,
                    static_cast<unsigned long long>(n), s, double(core.cycles()) / double(core.instret()));
        total_s += s;
        total_n += n;
    }
    std::printf("%-14s %8.1f MIPS\n", overall, total_n / total_s / 1e6);
    return true;
}

}  // namespace

int sc_main(int argc, char** argv) {
    const uint64_t n = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200) * 1000000ull;
    std::vector<uint8_t> mem(kSize);
    std::printf("Rv32Core alone (DMI, 5000-cycle slices):\n");
    if (!run_workloads(mem, n, "overall", [](Rv32Core&) {})) return 1;
    // The same in U-mode: PMP entry 0 gives U-mode all of memory (NAPOT, RWX).
    std::printf("Rv32Core in U-mode under PMP (checked interpreter):\n");
    if (!run_workloads(mem, n, "overall-umode", [](Rv32Core& core) {
            core.write_csr(csr::kPmpaddr0, ~0u);
            core.write_csr(csr::kPmpcfg0, 0x1f);
            core.set_privilege(Priv::User);
        }))
        return 1;

    // SystemC (elaborates once per process): one CPU, as on the platform, running the
    // dot-product loop until its instruction limit.
    const Workload& w = kWorkloads[3];
    stvp::CpuConfig cfg;
    cfg.max_instructions = n;
    SystemcRun run("cpu", cfg);
    stvp::test::Asm a(kBase);
    a(w.program);
    const std::vector<uint8_t> img = a.bytes();
    std::memcpy(run.mem.mem.data(), img.data(), img.size());
    run.cpu.set_pc(kBase);
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!run.cpu.halted() || run.cpu.halt_reason() != stvp::HaltReason::InstructionLimit) {
        std::fprintf(stderr, "the SystemC run did not reach its instruction limit\n");
        return 1;
    }
    std::printf("Cpu (SystemC, TLM memory with DMI, default CpuConfig: 500 MHz, 10 us quantum):\n");
    std::printf("%-14s %8.1f MIPS  (%llu instructions, %.3f s, simulated %s)\n", w.name,
                run.cpu.instructions() / s / 1e6, static_cast<unsigned long long>(run.cpu.instructions()), s,
                sc_core::sc_time_stamp().to_string().c_str());
    return 0;
}
