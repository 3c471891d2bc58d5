// The virtual SoC: CPU, router, DRAM, CLINT, PLIC, UART, simctrl and DMA, built and wired
// from the platform configuration. Owns the interrupt wires and the stop bookkeeping.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>

#include "elf_loader.h"
#include "json_writer.h"
#include "platform_config.h"
#include "simulation.h"
#include "soc_parts.h"

namespace stvp {

// A firmware or data file that cannot be placed in the SoC.
class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Soc {
public:
    Soc(const char* name, const PlatformConfig& cfg, const RunOptions& run);
    ~Soc();
    Soc(const Soc&) = delete;
    Soc& operator=(const Soc&) = delete;

    // Copies the ELF's segments into memory (through the bus, so only mapped memory takes
    // them) and sets the CPU's reset PC. Registers the HTIF tohost watch if the ELF has one.
    void load_firmware(const ElfImage& elf);
    void preload(const PreloadEntry& entry);
    // Loads the configured data set (cfg.dataset) into DRAM; no-op for "none". progress(done,
    // total) is called every few thousand samples (it may throw to stop the preload).
    void preload_dataset(const std::function<void(uint64_t done, uint64_t total)>& progress = {});

    // Async-signal-safe: asks the CPU to stop at its next instruction boundary.
    void request_interrupt();

    SocParts parts();
    // Ends the run with this verdict (the first verdict wins): stops the CPU and the kernel.
    void finish(const StopInfo& stop);
    // "pc 0x80000123 (in main)" with the ELF's symbols.
    std::string where(uint32_t pc) const;

    // Valid after sc_start returned.
    StopInfo stop_info() const;
    uint64_t instructions() const;
    double cpu_active_host_seconds() const;  // Cpu::active_host_seconds()
    // Host wall seconds by SIMCTRL PHASE label, from the firmware's first label on.
    std::map<uint32_t, double> host_seconds_by_phase() const;
    void write_stats(JsonWriter& j) const;
    // With capture.masks set: writes the masks recorded so far (on every way a run ends).
    // Returns "" or why the file could not be written; *warning names chosen steps that never ran.
    std::string write_masks(std::string* warning) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stvp
