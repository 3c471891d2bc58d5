// The platform's configuration: what the YAML file and --set overrides can say, as typed,
// validated structs. Each model declares its own section's keys, defaults and documentation
// (its *_config.h); the platform owns the run's sections (sim, trace, dataset, capture, args,
// preload), the memory map (defaults: the hardware header memmap.h) and the workload.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "accel_config.h"
#include "bus/bus_config.h"
#include "cpu/cpu_config.h"
#include "dma/dma_config.h"
#include "memory/memory_config.h"
#include "timer/clint_config.h"
#include "uart/uart_config.h"
#include "config_schema.h"
#include "stvp/hw/memmap.h"
#include "workload_config.h"

namespace stvp {

struct RegionConfig {
    uint64_t base = 0;
    uint64_t size = 0;
};

struct PlatformConfig {
    // The models' own keys, declared next to each model (declare_keys in its *_config.h).
    CpuParams cpu;     // cpu.*   (models/cpu/cpu_config.h)
    DramParams dram;   // dram.*  (models/memory/memory_config.h; the accelerator sees the same DRAM)
    BusParams bus;     // bus.*   (models/bus/bus_config.h)
    ClintParams clint; // clint.* (models/timer/clint_config.h)
    UartParams uart;   // uart.*  (models/uart/uart_config.h)
    DmaParams dma;     // dma.*   (models/dma/dma_config.h)
    struct Sim {
        uint64_t max_time_ns = 0;       // 0 = unlimited
        uint64_t max_instructions = 0;  // 0 = unlimited
        uint64_t hang_timeout_ns = 1000000000;  // end a run whose CPU waits this long without progress (health.h); 0 = never
    } sim;
    // Debugging output (debugging.h): waveform and transaction log.
    struct Trace {
        std::string vcd;                            // VCD file ("" = none; --vcd overrides); *.gz: gzip
        std::string date = "now";                   // VCD $date: now | text | "" (none)
        std::vector<std::string> signals{"*"};      // which variables (tracing.h / vcd_writer.h patterns)
        uint64_t start_ns = 0;                      // VCD window start (ns)
        uint64_t stop_ns = 0;                       // VCD window end (ns, exclusive); 0 = end of run
        std::string pc = "changes";                 // pc samples: changes | slices
        std::string txlog;                          // transaction log file ("" = none; --txlog)
        std::string txlog_format = "text";          // text | jsonl
        std::vector<std::string> txlog_filter;      // filter terms (txlog.h), all must hold
    } trace;
    struct Dataset {
        std::string name = "none";      // none | fashion-mnist
        std::string dir = "/usr/share/datasets/fashion-mnist";
        uint64_t address = STVP_DRAM_DATA_BASE;  // where the header goes
        uint32_t train_limit = 0;       // 0 = the whole split
        uint32_t test_limit = 0;
    } dataset;
    struct Capture {
        std::string masks;               // masks file to write ("" = no capture)
        std::vector<std::string> steps;  // global training steps to capture (integers)
    } capture;
    AccelParams accel;                               // accel.* keys (models/accel/accel_config.h)
    std::map<std::string, RegionConfig> memory_map;  // by region name (clint, plic, uart, ..., dram)
    std::vector<std::string> preload;                // "FILE@ADDRESS" entries
    std::vector<std::string> args;                   // generic firmware arguments (SIMCTRL ARG[i]), as integers
    WorkloadConfig workload;                         // workload.* keys (SIMCTRL WORKLOAD[i]; sw/train)

    PlatformConfig();  // fills the memory map from firmware/include/stvp/hw/memmap.h
};

// Binds every key of `cfg` into `schema`.
void bind_platform_config(ConfigSchema& schema, PlatformConfig& cfg);

// Checks that need several keys at once (region overlaps, ...). Throws ConfigError naming
// `origin` and the keys involved.
void validate_platform_config(const PlatformConfig& cfg, const std::string& origin);

// Loads `path` (may be empty: defaults only), applies `overrides` ("key=value"), validates.
// Throws ConfigError.
PlatformConfig load_platform_config(const std::string& path, const std::vector<std::string>& overrides,
                                    std::string* effective_yaml = nullptr);

// The effective configuration of `cfg` as YAML (every key, with its documentation), as
// load_platform_config's effective_yaml; for a configuration the command line changed since.
std::string dump_platform_config(const PlatformConfig& cfg);
// The accelerator's parameters as the SoC builds it: the accel.* keys, its tile model charging
// DRAM traffic at the dram.* keys' latency and bandwidth (one DRAM, one owner of its keys).
AccelParams accel_params(const PlatformConfig& cfg);
// args as SIMCTRL ARG[i] register values (the schema has checked them).
std::vector<uint32_t> firmware_args(const PlatformConfig& cfg);
// capture.steps as numbers (validate_platform_config has checked them).
std::vector<uint32_t> capture_steps(const PlatformConfig& cfg);

// Parses a preload entry "FILE@ADDRESS" (address decimal or 0x hex).
struct PreloadEntry {
    std::string file;
    uint64_t address;
};
PreloadEntry parse_preload(const std::string& entry);  // throws ConfigError

}  // namespace stvp
