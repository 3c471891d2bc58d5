#include "simulation.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <systemc>
#include <unistd.h>

#include "debugging.h"
#include "elf_loader.h"
#include "exit_codes.h"
#include "json_writer.h"
#include "simctrl/simctrl.h"
#include "soc.h"
#include "stats.h"

namespace stvp {

namespace {

Soc* volatile g_soc = nullptr;  // for the signal handler only
volatile std::sig_atomic_t g_signals = 0;

extern "C" void on_signal(int sig) {
    if (++g_signals > 1) {  // a second one: no more waiting for a safe point
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    if (Soc* soc = g_soc) soc->request_interrupt();
}

// An interrupt that arrived outside the simulation, thrown at the next safe point.
struct Interrupted {
    std::string stage;
};

void check_interrupt(const char* stage) {
    if (g_signals) throw Interrupted{stage};
}

// Preload progress on stderr: on a terminal one line rewritten in place, elsewhere a line
// when it starts and one when it is done.
class PreloadProgress {
public:
    PreloadProgress(std::string what, bool show) : what_(std::move(what)), show_(show), tty_(isatty(2)) {}
    ~PreloadProgress() {
        if (open_) std::cerr << "\n";  // ended by an error: keep its message on a line of its own
    }
    void operator()(uint64_t done, uint64_t total) {
        check_interrupt("the data set preload");
        if (!show_) return;
        const auto now = clock::now();
        if (!started_) {
            started_ = true;
            start_ = now;
            if (!tty_) std::cerr << "stvp: " << what_ << ": preloading " << total << " samples\n";
        }
        if (done == total) {
            char line[160];
            std::snprintf(line, sizeof line, "stvp: %s: %llu samples preloaded in %.2f s", what_.c_str(),
                          (unsigned long long)total, std::chrono::duration<double>(now - start_).count());
            std::cerr << (tty_ ? "\r\033[K" : "") << line << "\n";
            open_ = false;
        } else if (tty_ && now - shown_ > std::chrono::milliseconds(100)) {
            shown_ = now;
            std::cerr << "\rstvp: " << what_ << ": preloading " << (100 * done / total) << "% (" << done << " of "
                      << total << " samples)" << std::flush;
            open_ = true;
        }
    }

private:
    using clock = std::chrono::steady_clock;
    std::string what_;
    bool show_, tty_, started_ = false, open_ = false;
    clock::time_point start_, shown_;
};

std::string format_time(const sc_core::sc_time& t) {
    char buf[64];
    double ns = t.to_seconds() * 1e9;
    if (ns >= 1e9) std::snprintf(buf, sizeof buf, "%.6f s", ns / 1e9);
    else if (ns >= 1e6) std::snprintf(buf, sizeof buf, "%.3f ms", ns / 1e6);
    else if (ns >= 1e3) std::snprintf(buf, sizeof buf, "%.3f us", ns / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f ns", ns);
    return buf;
}

// Host-side figures of a run (everything else in the stats is simulated and reproducible).
struct HostTimes {
    double wall_s = 0;        // whole run, set-up included
    double cpu_active_s = 0;  // the ISS executing instructions (Cpu::active_host_seconds)
    std::map<uint32_t, double> by_phase;  // Soc::host_seconds_by_phase
};

void write_run_section(JsonWriter& j, const StopInfo& stop, bool simulated, double sim_ns, const HostTimes& host,
                       uint64_t instret) {
    j.begin_object("run");
    j.value("exit_reason", stop.reason);
    j.value("exit_code", stop.exit_code);
    j.value("message", stop.message);
    j.value("interrupted", g_signals != 0);  // SIGINT/SIGTERM at any moment of the run
    j.value("simulated", simulated);
    j.value("sim_time_ns", sim_ns);
    j.value("wall_time_s", host.wall_s);
    j.value("instructions", instret);
    j.value("cpu_active_s", host.cpu_active_s);
    // Instructions per host second while the CPU runs (not asleep in WFI), and over the whole run.
    j.value("mips", host.cpu_active_s > 0 ? instret / host.cpu_active_s / 1e6 : 0.0);
    j.value("mips_wall", host.wall_s > 0 ? instret / host.wall_s / 1e6 : 0.0);
    for (const auto& [label, s] : host.by_phase) j.value("phase" + std::to_string(label) + "_host_s", s);
    j.end_object();
}

// The closing lines on stderr. setup_s < 0: the one-line form (--quiet).
void print_summary(const StopInfo& stop, const sc_core::sc_time& now, uint64_t instret, const HostTimes& host,
                   double setup_s) {
    const double mips = host.cpu_active_s > 0 ? instret / host.cpu_active_s / 1e6 : 0;
    char buf[512];
    if (setup_s < 0) {
        std::snprintf(buf, sizeof buf,
                      "stvp: stopped: %s (exit code %d) at %s simulated; %llu instructions; %.2f s host, "
                      "%.0f MIPS while the CPU runs (WFI excluded)\n",
                      stop.reason.c_str(), stop.exit_code, format_time(now).c_str(), (unsigned long long)instret,
                      host.wall_s, mips);
        std::cerr << buf;
        return;
    }
    std::snprintf(buf, sizeof buf,
                  "stvp: stopped: %s (exit code %d) at %s simulated, %llu instructions\n"
                  "stvp: simulated time counts from reset to the end of the run; a time the firmware prints\n"
                  "      covers only the span it measures (boot, set-up and printing lie outside it)\n"
                  "stvp: host %.2f s (set-up and preload %.2f s); the CPU ran %.2f s of it at %.0f MIPS "
                  "(WFI excluded)\n",
                  stop.reason.c_str(), stop.exit_code, format_time(now).c_str(), (unsigned long long)instret,
                  host.wall_s, setup_s, host.cpu_active_s, mips);
    std::cerr << buf;
}

}  // namespace

bool write_early_stats(const std::string& path, const std::string& firmware, const StopInfo& stop) {
    std::ofstream f(path);
    if (!f) return false;
    JsonWriter j(f);
    j.begin_object();
    j.value("firmware", firmware);
    write_run_section(j, stop, false, 0, HostTimes{}, 0);
    j.end_object();
    return bool(f);
}

namespace {
sigset_t interrupt_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}
}  // namespace

void hold_interrupts() {
    const sigset_t set = interrupt_signals();
    sigprocmask(SIG_BLOCK, &set, nullptr);
}

void install_interrupt_handler() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const sigset_t set = interrupt_signals();
    sigprocmask(SIG_UNBLOCK, &set, nullptr);  // one held since hold_interrupts() arrives now
}

int run_simulation(const PlatformConfig& cfg, const RunOptions& run) {
    using clock = std::chrono::steady_clock;
    auto wall_start = clock::now();
    const bool normal = run.output == RunOptions::Output::Normal;

    StopInfo stop{"error", exit_code::kInternal, ""};
    std::unique_ptr<Soc> soc;
    std::unique_ptr<Debugging> debugging;  // after soc: destroyed first
    bool simulated = false;
    double setup_s = 0;

    // sc_stop() is how every run ends; its info message would only be noise after the summary.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);

    // Everything below may fail; whatever happens, the summary and stats are written at the end.
    try {
        check_interrupt("set-up");
        try {
            soc = std::make_unique<Soc>("soc", cfg, run);
        } catch (const std::invalid_argument& e) {
            // A model refused its configuration (each model validates its own config).
            throw ConfigError(std::string("model configuration: ") + e.what());
        }
        g_soc = soc.get();
        check_interrupt("set-up");
        try {
            ElfImage elf = load_elf(run.firmware);
            soc->load_firmware(elf);
            for (auto& p : cfg.preload) soc->preload(parse_preload(p));
            check_interrupt("loading the firmware");
            PreloadProgress progress("data set " + cfg.dataset.name, normal);
            soc->preload_dataset(std::ref(progress));
        } catch (const ElfError& e) {
            throw LoadError(e.what());
        }
        // GDB stub, VCD, transaction log, hang monitor (debugging.h).
        debugging = std::make_unique<Debugging>(*soc, cfg, run);
        check_interrupt("set-up");

        simulated = true;
        setup_s = std::chrono::duration<double>(clock::now() - wall_start).count();
        if (cfg.sim.max_time_ns)
            sc_core::sc_start(sc_core::sc_time(double(cfg.sim.max_time_ns), sc_core::SC_NS));
        else
            sc_core::sc_start();
        stop = soc->stop_info();
    } catch (const Interrupted& e) {
        stop = {"interrupted", exit_code::kInterrupted, "interrupted during " + e.stage};
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
    if (debugging) debugging->end_of_run(stop);

    HostTimes host;
    host.wall_s = std::chrono::duration<double>(clock::now() - wall_start).count();
    host.cpu_active_s = soc ? soc->cpu_active_host_seconds() : 0;
    if (soc) host.by_phase = soc->host_seconds_by_phase();
    if (!simulated) setup_s = host.wall_s;
    sc_core::sc_time now = sc_core::sc_time_stamp();
    uint64_t instret = soc ? soc->instructions() : 0;
    // An interrupt after the run ended (while traces were written, say) still ends the process
    // as interrupted; the stats keep the run's own verdict in exit_reason.
    if (g_signals) stop.exit_code = exit_code::kInterrupted;

    std::cout << std::flush;
    if (soc) {
        std::string warning;
        const std::string err = soc->write_masks(&warning);
        if (!warning.empty()) std::cerr << "stvp: " << warning << "\n";
        if (!err.empty() && stop.exit_code == 0)
            stop = {"capture-error", exit_code::kInternal, err};  // printed below
        else if (!err.empty())
            std::cerr << "stvp: " << err << "\n";
    }
    if (!stop.message.empty() && stop.reason != "exit")
        std::cerr << "stvp: " << stop.message << "\n";
    if (debugging && Debugging::wants_diagnosis(stop)) {
        std::cerr << "stvp: diagnosis (who waits for what, since when):\n";
        for (const std::string& line : debugging->diagnosis()) std::cerr << "  " << line << "\n";
    }
    if (run.output != RunOptions::Output::Silent)
        print_summary(stop, now, instret, host, normal ? setup_s : -1);

    if (!run.stats_path.empty()) {
        std::ofstream f(run.stats_path);
        if (!f) {
            std::cerr << "stvp: cannot write stats file " << run.stats_path << "\n";
        } else {
            JsonWriter j(f);
            j.begin_object();
            j.value("firmware", run.firmware);
            write_run_section(j, stop, simulated, now.to_seconds() * 1e9, host, instret);
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
