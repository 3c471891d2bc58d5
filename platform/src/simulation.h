// One run of the platform: build the SoC, load firmware and data, simulate until the
// firmware exits or a limit/error stops it, then print the summary and write stats and
// traces — on every exit path.
#pragma once

#include <string>

#include "platform_config.h"

namespace stvp {

struct RunOptions {
    std::string firmware;
    std::string stats_path;        // "" = no stats file
    std::string vcd_path;          // "" = no VCD
    std::string itrace_path;       // "" = no instruction trace
    bool quiet = false;
    std::string effective_config;  // YAML, recorded in the stats
};

// Returns the process exit code.
int run_simulation(const PlatformConfig& cfg, const RunOptions& run);

}  // namespace stvp
