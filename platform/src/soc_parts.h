// The SoC's parts as the platform's debugging facilities see them (Soc::parts()).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <systemc>

namespace stvp {

class Accel;
class Clint;
class Cpu;
class Dma;
class Plic;
class RegisterDevice;
class Router;
class SimCtrl;
class Uart;

// The SoC's parts, for the platform's debugging facilities (debugging.h): GDB stub, VCD,
// transaction log, hang monitor. Valid for the Soc's lifetime.
struct SocParts {
    Cpu* cpu = nullptr;
    Router* router = nullptr;
    Clint* clint = nullptr;
    Plic* plic = nullptr;
    Uart* uart = nullptr;
    SimCtrl* simctrl = nullptr;
    Dma* dma = nullptr;
    Accel* accel = nullptr;
    // Router target_socket binding index -> initiator name ("cpu", "dma", "accel").
    std::vector<std::string> initiators;
    // Router region name -> the register device behind it (register names for logs); memories
    // are absent.
    std::map<std::string, RegisterDevice*> devices;
    // Interrupt wires by name ("mtip", "msip", "meip", "uart", "dma", "accel"), and the PLIC
    // source number of each device interrupt.
    std::map<std::string, const sc_core::sc_signal<bool>*> irq_lines;
    std::map<std::string, unsigned> plic_sources;
    // Hook for the accelerator's NaN/Inf counters (non-finite fp32 values its ops wrote since
    // reset or SOFT_RESET, the NAN_COUNT / INF_COUNT registers of accel.def): fills both and
    // returns true; unset (or false) without an accelerator. The diagnosis and the stats' debug
    // section report them when present; Soc::parts() sets it.
    std::function<bool(uint64_t& nan, uint64_t& inf)> accel_nonfinite;
};

}  // namespace stvp
