// stvp_explore: timing-only estimates, sweeps and the reproduction report (platform/explore).
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "captured_masks.h"
#include "config_schema.h"
#include "estimate_io.h"
#include "explore_config.h"
#include "network.h"
#include "report.h"
#include "sweep.h"
#include "timing_only.h"

using namespace stvp::explore;

namespace {

// Runs fn; if it takes longer than a second, says on stderr that `what` is still running, with
// the elapsed time (a terminal gets one line rewritten in place, a log a line every 10 s).
template <class Fn>
auto with_heartbeat(const std::string& what, Fn fn) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::thread beat([&] {
        const bool tty = isatty(2);
        std::unique_lock<std::mutex> lock(m);
        bool shown = false;
        for (auto next = t0 + std::chrono::seconds(1); !cv.wait_until(lock, next, [&] { return done; });
             next += std::chrono::seconds(tty ? 1 : 10)) {
            const long s = long(std::chrono::duration<double>(clock::now() - t0).count());
            std::cerr << (tty ? "\r" : "") << "stvp_explore: " << what << ": " << s << " s" << (tty ? "" : "\n")
                      << std::flush;
            shown = true;
        }
        if (shown && tty) std::cerr << "\n";
    });
    struct Stop {
        std::mutex& m;
        std::condition_variable& cv;
        bool& done;
        std::thread& t;
        ~Stop() {
            {
                std::lock_guard<std::mutex> g(m);
                done = true;
            }
            cv.notify_all();
            t.join();
        }
    } stop{m, cv, done, beat};
    return fn();
}

const char* kUsage =
    "Usage:\n"
    "  stvp_explore --preset PRESET.yaml --network NET.yaml [--batch N] [--density D] [--set key=value]...\n"
    "               [--per-op] [--json FILE] [--csv FILE] [--summary FILE]\n"
    "  stvp_explore --sweep SWEEP.yaml [-j N] [--out DIR]\n"
    "  stvp_explore --report OUT.md [--repo DIR] [-j N]\n"
    "\n"
    "Timing-only mode: one training iteration of NET on the accelerator of PRESET, charged by the\n"
    "accelerator's timing and energy model from operand densities (no numerics).\n"
    "  --set accel.*=v / dram.*=v   platform keys (as stvp --set; see stvp --help-config)\n"
    "  --set KEY=v                  workload keys: scheme (dense|procrustes|nm|sparsetrain), batch,\n"
    "                               weight_density, act_density, prune_rate, n, m, sample_batch, exact_macs, seed, density,\n"
    "                               weight_density.LAYER, act_density.LAYER (per-layer densities)\n"
    "  --batch N, --density D       shorthands for batch=N, density=D (the scheme's exploited operand)\n"
    "  --per-op                     print every op's row, not only the totals\n"
    "  --json/--csv FILE            full estimate as JSON / per-op CSV; --summary FILE: one CSV line\n"
    "  --masks FILE[:STEP]          operand maps captured in training (stvp capture.masks; default: the file's\n"
    "                               last step) instead of Bernoulli masks, plus a per-layer comparison with\n"
    "                               Bernoulli masks at the same densities (--masks-table FILE.md writes it)\n"
    "Sweeps: a YAML grid of --set overrides run as parallel processes (-j, default: all cores),\n"
    "collected into DIR/<name>.csv with SVG plots (configs/sweeps/README.md).\n"
    "Exit codes: 0 ok, 2 bad command line / configuration / network, 1 a sweep point failed.\n";

int run_single(const std::string& preset, const std::string& network, const std::vector<std::string>& sets,
               bool per_op, const std::string& json, const std::string& csv, const std::string& summary,
               const std::string& masks, const std::string& masks_table) {
    const Network net = load_network(network);
    ExploreSetup s = load_setup(preset, sets);
    if (!masks.empty()) attach_masks(masks, net, false, &s.workload);
    const auto t0 = std::chrono::steady_clock::now();
    const Estimate e = with_heartbeat("estimating " + net.name,
                                      [&] { return estimate(net, s.workload, s.array, s.energy, s.sparse); });
    const double host = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char title[256];
    std::snprintf(title, sizeof title, "%s, batch %u, scheme %s, %ux%u PEs (estimated in %.2f s host time)",
                  net.name.c_str(), s.workload.batch, to_string(s.workload.scheme), s.array.rows, s.array.cols, host);
    print_table(std::cout, e, title, per_op);
    if (!masks.empty()) report_masks(net, s, e, masks_table, std::cout);
    auto open = [](const std::string& path) {
        std::ofstream f(path);
        if (!f) throw ExploreError(path + ": cannot write");
        return f;
    };
    if (!json.empty()) {
        std::ofstream f = open(json);
        write_json(f, e, net.name, s.workload);
    }
    if (!csv.empty()) {
        std::ofstream f = open(csv);
        write_ops_csv(f, e);
    }
    if (!summary.empty()) {
        std::ofstream f = open(summary);
        f << summary_csv_row(e, net.name, s.workload) << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string preset, network, sweep, report, json, csv, summary, out, masks, masks_table, repo = ".";
    std::vector<std::string> sets;
    bool per_op = false;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            auto next = [&]() -> std::string {
                if (i + 1 >= argc) throw ExploreError(a + ": missing value");
                return argv[++i];
            };
            if (a == "-h" || a == "--help") {
                std::cout << kUsage;
                return 0;
            } else if (a == "--preset") preset = next();
            else if (a == "--network") network = next();
            else if (a == "--set") sets.push_back(next());
            else if (a == "--batch") sets.push_back("batch=" + next());
            else if (a == "--density") sets.push_back("density=" + next());
            else if (a == "--per-op") per_op = true;
            else if (a == "--json") json = next();
            else if (a == "--csv") csv = next();
            else if (a == "--summary") summary = next();
            else if (a == "--masks") masks = next();
            else if (a == "--masks-table") masks_table = next();
            else if (a == "--sweep") sweep = next();
            else if (a == "--report") report = next();
            else if (a == "--repo") repo = next();
            else if (a == "--out") out = next();
            else if (a == "-j") {
                const int j = std::atoi(next().c_str());
                if (j < 1 || j > 256) throw ExploreError("-j: must be 1 .. 256");
                jobs = unsigned(j);
            } else throw ExploreError("unknown argument '" + a + "' (see --help)");
        }
        if (!sweep.empty()) return run_sweep(sweep, out, jobs, argv[0]);
        if (!report.empty()) return write_report(report, repo, jobs, argv[0]);
        if (network.empty()) throw ExploreError("--network is required (see --help)");
        if (!masks_table.empty() && masks.empty()) throw ExploreError("--masks-table needs --masks");
        return run_single(preset, network, sets, per_op, json, csv, summary, masks, masks_table);
    } catch (const ExploreError& e) {
        std::cerr << "stvp_explore: " << e.what() << "\n";
        return 2;
    } catch (const stvp::ConfigError& e) {
        std::cerr << "stvp_explore: " << e.what() << "\n";
        return 2;
    }
}
