// The platform's configuration: what the YAML file and --set overrides can say, as typed,
// validated structs. Defaults come from the hardware headers (memory map) and from the
// published designs cited in configs/. The SoC builder maps these onto the models' configs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "accel_config.h"
#include "dma/dma_config.h"
#include "config_schema.h"
#include "stvp/hw/memmap.h"
#include "workload_config.h"

namespace stvp {

struct RegionConfig {
    uint64_t base = 0;
    uint64_t size = 0;
};

struct PlatformConfig {
    struct Cpu {
        double clock_hz = 500e6;        // host CPU clock
        uint64_t quantum_ns = 10000;    // temporal-decoupling quantum
        bool dmi = true;                // use DMI for memory where granted
        bool memory_stalls = false;     // charge DRAM latency on cached (DMI) accesses
        std::string misaligned = "trap"; // misaligned loads/stores: "trap" or "emulate" (byte accesses)
        uint32_t cycles_alu = 1;        // cycles per instruction class
        uint32_t cycles_load = 2;
        uint32_t cycles_store = 1;
        uint32_t cycles_branch_taken = 2;
        uint32_t cycles_mul = 3;
        uint32_t cycles_div = 34;
    } cpu;
    struct Dram {
        uint64_t latency_ns = 60;       // first-word latency of an access
        double bandwidth_gbps = 12.8;   // GB/s (LPDDR4-3200 x32 ≈ 12.8 GB/s)
    } dram;
    struct Bus {
        uint64_t latency_ns = 1;        // per hop through the router
    } bus;
    struct Clint {
        double timebase_hz = 10e6;      // mtime frequency
    } clint;
    struct Uart {
        uint64_t baud = 0;              // 0 = transmit instantaneously
        bool echo = true;               // copy transmitted bytes to stdout
    } uart;
    DmaParams dma;                  // dma.* keys (models/dma/dma_config.h)
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
// capture.steps as numbers (validate_platform_config has checked them).
std::vector<uint32_t> capture_steps(const PlatformConfig& cfg);

// Parses a preload entry "FILE@ADDRESS" (address decimal or 0x hex).
struct PreloadEntry {
    std::string file;
    uint64_t address;
};
PreloadEntry parse_preload(const std::string& entry);  // throws ConfigError

}  // namespace stvp
