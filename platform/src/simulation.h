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
    int gdb_port = -1;             // >= 0: GDB stub on 127.0.0.1:port (0 = any free port), CPU halted at reset
    // What goes to stderr besides errors: Silent nothing, Quiet one summary line, Normal
    // preload progress and a short summary.
    enum class Output { Silent, Quiet, Normal } output = Output::Normal;
    std::string effective_config;  // YAML, recorded in the stats
};

// Why and how a run ended.
struct StopInfo {
    std::string reason;  // exit, htif, max-time, max-instructions, trap-loop, wfi-deadlock, hang, interrupted,
                         // gdb-kill, load-error, config-error, simulator-error, ...
    int exit_code;
    std::string message;
};

// Returns the process exit code.
int run_simulation(const PlatformConfig& cfg, const RunOptions& run);

// Catches SIGINT and SIGTERM for the rest of the process: the first one ends the run at the
// next safe point (during set-up and preload between pieces of work, during simulation at
// the CPU's next instruction boundary) with the stats written and exit code 130; a second
// one ends the process at once. Call before anything slow.
void install_interrupt_handler();
// Blocks SIGINT and SIGTERM until install_interrupt_handler(): an interrupt in between (while
// the program restarts itself or SystemC starts up) is held, not lost and not fatal. The
// blocked mask and a pending signal survive exec.
void hold_interrupts();

// For runs that end before a simulation exists (bad command line or configuration): writes
// a stats file with the exit reason, so every exit path leaves one. Returns false if the
// file cannot be written.
bool write_early_stats(const std::string& path, const std::string& firmware, const StopInfo& stop);

}  // namespace stvp
