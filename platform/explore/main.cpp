// stvp_explore: timing-only estimates, sweeps and the reproduction report (platform/explore).
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "captured_masks.h"
#include <boost/program_options.hpp>

#include "config_schema.h"
#include "estimate_io.h"
#include "explore_config.h"
#include "network.h"
#include "report.h"
#include "sweep.h"
#include "timing_only.h"

using namespace stvp::explore;
namespace po = boost::program_options;

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
    "  stvp_explore --sweep SWEEP.yaml [--out DIR] [-j N] [--point I | --shard K/N] [--list]\n"
    "               [--backend local|slurm [--wait] [--max-running N] [--sbatch-arg OPT]...] [--collect]\n"
    "  stvp_explore --report OUT.md [--repo DIR] [-j N]\n"
    "\n"
    "Timing-only mode: one training iteration of NET on the accelerator of PRESET, charged by the\n"
    "accelerator's timing and energy model from operand densities (no numerics).\n"
    "  --set accel.*=v / dram.*=v   platform keys (as stvp --set; see stvp --help-config)\n"
    "  --set KEY=v                  workload keys: scheme (dense|procrustes|nm|sparsetrain), batch,\n"
    "                               weight_density, act_density, prune_rate, n, m, sample_batch, exact_macs, seed, density,\n"
    "                               weight_density.LAYER, act_density.LAYER (per-layer densities)\n"
    "Sweeps: a YAML grid of --set overrides, or of training runs (program: stvp | stvp_reftrain);\n"
    "every point's result is its own file under\n"
    "DIR/<name>.points/, so a rerun runs only the points without one (resume). Merged into\n"
    "DIR/<name>.csv with figures (stvp-plot) once every point is done, or by --collect\n"
    "(configs/sweeps/README.md).\n"
    "Exit codes: 0 ok, 2 bad command line / configuration / network, 1 a sweep point failed or\n"
    "results are missing.\n\nOptions";

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
    std::string preset, network, report, json, csv, summary, repo = ".", masks, masks_table, shard, batch, density;
    std::vector<std::string> sets;
    SweepCommand sweep;
    long point = -1;
    int jobs = int(std::max(1u, std::thread::hardware_concurrency()));
    // Every option in one table.
    po::options_description opts(kUsage);
    opts.add_options()
        ("help,h", "print this help and exit")
        ("preset", po::value(&preset), "preset YAML (configs/presets/): the accelerator and the workload")
        ("network", po::value(&network), "network layer table YAML (configs/networks/)")
        ("set", po::value(&sets)->composing(), "override a key: --set key=value (repeatable)")
        ("batch", po::value(&batch), "shorthand for --set batch=N")
        ("density", po::value(&density), "shorthand for --set density=D (the scheme's exploited operand)")
        ("per-op", "print every op's row, not only the totals")
        ("json", po::value(&json), "write the full estimate as JSON to FILE")
        ("csv", po::value(&csv), "write the per-op CSV to FILE")
        ("summary", po::value(&summary), "write the one-line summary CSV row to FILE")
        ("masks", po::value(&masks),
         "FILE[:STEP]: operand maps captured in training (stvp capture.masks; default: the file's last step) "
         "instead of Bernoulli masks, plus a per-layer comparison with Bernoulli masks at the same densities")
        ("masks-table", po::value(&masks_table), "with --masks: write the per-layer comparison to FILE.md")
        ("sweep", po::value(&sweep.file), "run the sweep of FILE (configs/sweeps/)")
        ("out", po::value(&sweep.out_dir), "sweep output directory (default: .)")
        ("jobs,j", po::value(&jobs), "local processes at a time (sweeps, report; default: all cores)")
        ("backend", po::value(&sweep.backend), "where sweep points run: local (default) or slurm (a job array via sbatch)")
        ("list", "print the command of every selected sweep point, one per line, and exit")
        ("point", po::value(&point), "run only sweep point I (0-based), in this process")
        ("shard", po::value(&shard), "run only the sweep points i with i % N == K - 1 (K/N, 1 <= K <= N)")
        ("collect", "merge the sweep's existing point results into DIR/<name>.csv and draw the figures")
        ("wait", "slurm: wait for the job array (sbatch --wait), then collect")
        ("max-running", po::value(&sweep.max_running), "slurm: at most N array tasks at once (default: no limit)")
        ("sbatch-arg", po::value(&sweep.sbatch_args)->composing(),
         "slurm: extra sbatch option, e.g. --sbatch-arg=--partition=short (repeatable)")
        ("report", po::value(&report), "write the reproduction report to OUT.md")
        ("repo", po::value(&repo), "repository root for --report (default: .)");
    try {
        po::variables_map vm;
        try {
            po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
            po::notify(vm);
        } catch (const po::error& e) {
            throw ExploreError(std::string(e.what()) + " (see --help)");
        }
        if (vm.count("help")) {
            std::cout << opts << "\n";
            return 0;
        }
        if (jobs < 1 || jobs > 256) throw ExploreError("-j: must be 1 .. 256");
        if (!batch.empty()) sets.insert(sets.begin(), "batch=" + batch);
        if (!density.empty()) sets.insert(sets.begin(), "density=" + density);
        const bool sweep_only = vm.count("list") || vm.count("point") || vm.count("shard") || vm.count("collect") ||
                                vm.count("backend") || vm.count("wait") || vm.count("sbatch-arg") ||
                                vm.count("max-running");
        if (sweep_only && sweep.file.empty())
            throw ExploreError("--list, --point, --shard, --collect, --backend, --wait, --max-running and --sbatch-arg "
                               "need --sweep");
        if (!sweep.file.empty()) {
            if (!preset.empty() || !network.empty() || !sets.empty())
                throw ExploreError("--sweep: the sweep file gives preset, network and overrides (no --preset, "
                                   "--network, --set with it)");
            if (vm.count("point") && point < 0) throw ExploreError("--point: must be 0 or more");
            sweep.point = point;
            if (!shard.empty()) std::tie(sweep.shard, sweep.shards) = parse_shard(shard);
            sweep.jobs = unsigned(jobs);
            sweep.list = vm.count("list") > 0;
            sweep.collect = vm.count("collect") > 0;
            sweep.wait = vm.count("wait") > 0;
            if (sweep.backend != "slurm" && (sweep.wait || vm.count("max-running") || vm.count("sbatch-arg")))
                throw ExploreError("--wait, --max-running and --sbatch-arg: only with --backend slurm");
            return run_sweep_command(sweep, argv[0]);
        }
        if (!report.empty()) return write_report(report, repo, unsigned(jobs), argv[0]);
        if (network.empty()) throw ExploreError("--network is required (see --help)");
        if (!masks_table.empty() && masks.empty()) throw ExploreError("--masks-table needs --masks");
        return run_single(preset, network, sets, vm.count("per-op") > 0, json, csv, summary, masks, masks_table);
    } catch (const ExploreError& e) {
        std::cerr << "stvp_explore: " << e.what() << "\n";
        return 2;
    } catch (const stvp::ConfigError& e) {
        std::cerr << "stvp_explore: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {  // filesystem errors (unwritable --out, ...)
        std::cerr << "stvp_explore: " << e.what() << "\n";
        return 2;
    }
}
