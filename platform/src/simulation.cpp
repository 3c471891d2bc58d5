#include "simulation.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <systemc>

#include "debugging.h"
#include "elf_loader.h"
#include "exit_codes.h"
#include "json_writer.h"
#include "simctrl/simctrl.h"
#include "soc.h"
#include "stats.h"

namespace stvp {

namespace {

Soc* g_soc = nullptr;  // for the signal handler only

extern "C" void on_signal(int) {
    if (g_soc) g_soc->request_interrupt();
}

std::string format_time(const sc_core::sc_time& t) {
    char buf[64];
    double ns = t.to_seconds() * 1e9;
    if (ns >= 1e9) std::snprintf(buf, sizeof buf, "%.6f s", ns / 1e9);
    else if (ns >= 1e6) std::snprintf(buf, sizeof buf, "%.3f ms", ns / 1e6);
    else if (ns >= 1e3) std::snprintf(buf, sizeof buf, "%.3f us", ns / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f ns", ns);
    return buf;
}

void write_run_section(JsonWriter& j, const StopInfo& stop, bool simulated, double sim_ns, double wall_s,
                       uint64_t instret, double mips) {
    j.begin_object("run");
    j.value("exit_reason", stop.reason);
    j.value("exit_code", stop.exit_code);
    j.value("message", stop.message);
    j.value("simulated", simulated);
    j.value("sim_time_ns", sim_ns);
    j.value("wall_time_s", wall_s);
    j.value("instructions", instret);
    j.value("mips", mips);
    j.end_object();
}

}  // namespace

bool write_early_stats(const std::string& path, const std::string& firmware, const StopInfo& stop) {
    std::ofstream f(path);
    if (!f) return false;
    JsonWriter j(f);
    j.begin_object();
    j.value("firmware", firmware);
    write_run_section(j, stop, false, 0, 0, 0, 0);
    j.end_object();
    return bool(f);
}

int run_simulation(const PlatformConfig& cfg, const RunOptions& run) {
    using clock = std::chrono::steady_clock;
    auto wall_start = clock::now();

    StopInfo stop{"error", exit_code::kInternal, ""};
    std::unique_ptr<Soc> soc;
    std::unique_ptr<Debugging> debugging;  // after soc: destroyed first
    bool simulated = false;

    // sc_stop() is how every run ends; its info message would only be noise after the summary.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);

    // Everything below may fail; whatever happens, the summary and stats are written at the end.
    try {
        try {
            soc = std::make_unique<Soc>("soc", cfg, run);
        } catch (const std::invalid_argument& e) {
            // A model refused its configuration (each model validates its own config).
            throw ConfigError(std::string("model configuration: ") + e.what());
        }
        try {
            ElfImage elf = load_elf(run.firmware);
            soc->load_firmware(elf);
            for (auto& p : cfg.preload) soc->preload(parse_preload(p));
            soc->preload_dataset();
        } catch (const ElfError& e) {
            throw LoadError(e.what());
        }
        // GDB stub, VCD, transaction log, hang monitor (debugging.h).
        debugging = std::make_unique<Debugging>(*soc, cfg, run);
        g_soc = soc.get();
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);

        simulated = true;
        if (cfg.sim.max_time_ns)
            sc_core::sc_start(sc_core::sc_time(double(cfg.sim.max_time_ns), sc_core::SC_NS));
        else
            sc_core::sc_start();
        stop = soc->stop_info();
    } catch (const LoadError& e) {
        stop = {"load-error", exit_code::kLoad, e.what()};
    } catch (const ConfigError& e) {
        stop = {"config-error", exit_code::kUsage, e.what()};
    } catch (const sc_core::sc_report& e) {
        stop = {"simulator-error", exit_code::kInternal, e.what()};
    } catch (const std::exception& e) {
        stop = {"simulator-error", exit_code::kInternal, e.what()};
    }
    g_soc = nullptr;
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (debugging) debugging->end_of_run(stop);

    double wall_s = std::chrono::duration<double>(clock::now() - wall_start).count();
    sc_core::sc_time now = sc_core::sc_time_stamp();
    uint64_t instret = soc ? soc->instructions() : 0;
    double mips = wall_s > 0 ? instret / wall_s / 1e6 : 0;

    std::cout << std::flush;
    if (!stop.message.empty() && stop.reason != "exit")
        std::cerr << "stvp: " << stop.message << "\n";
    if (debugging && Debugging::wants_diagnosis(stop)) {
        std::cerr << "stvp: diagnosis (who waits for what, since when):\n";
        for (const std::string& line : debugging->diagnosis()) std::cerr << "  " << line << "\n";
    }
    if (!run.quiet) {
        std::cerr << "stvp: stopped: " << stop.reason << " (exit code " << stop.exit_code << ") at "
                  << format_time(now) << "; " << instret << " instructions, " << wall_s << " s wall, " << mips
                  << " MIPS\n";
    }

    if (!run.stats_path.empty()) {
        std::ofstream f(run.stats_path);
        if (!f) {
            std::cerr << "stvp: cannot write stats file " << run.stats_path << "\n";
        } else {
            JsonWriter j(f);
            j.begin_object();
            j.value("firmware", run.firmware);
            write_run_section(j, stop, simulated, now.to_seconds() * 1e9, wall_s, instret, mips);
            if (soc) soc->write_stats(j);
            if (debugging) debugging->write_stats(j, stop);
            if (soc && !soc->parts().simctrl->training().empty())
                j.tree("training", training_json(soc->parts().simctrl->training()));
            j.tree("config", config_json(run.effective_config));
            j.end_object();
        }
    }
    return stop.exit_code;
}

}  // namespace stvp
