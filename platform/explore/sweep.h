// Sweeps: a YAML grid of overrides expanded into points. Each point is one timing-only
// estimate whose result (the one-line summary) is written atomically to its own file,
// DIR/<name>.points/point<i>.csv, so points can run anywhere (local child processes, Slurm
// array tasks, shards on several machines), a rerun skips the points already done (resume),
// and --collect merges whatever exists into DIR/<name>.csv and draws the figures (stvp-plot,
// python/stvp_plot). configs/sweeps/README.md describes the commands.
//
// Sweep file:
//   name: speedup_vs_density          # output files DIR/<name>.csv, DIR/<name>_<figure>.png/.svg
//   title: "VGG-S, batch 16"          # optional: the figures' title prefix
//   preset: ../presets/procrustes.yaml # paths relative to the sweep file
//   network: ../networks/vgg_s.yaml
//   set: [batch=64]                   # fixed overrides (any --set key)
//   grid:                             # cartesian product, last key fastest; values are --set values;
//     scheme: [procrustes, nm]        #   the keys preset and network take paths
//     weight_density: [0.5, 0.1]
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace YAML {
class Node;
}

namespace stvp::explore {

struct SweepPoint {
    std::string preset, network;
    std::vector<std::pair<std::string, std::string>> values;  // grid key -> value, in grid order
    std::vector<std::string> sets;                            // fixed + grid overrides, "key=value"
};

struct Sweep {
    std::string name, title;
    std::string source;             // the sweep file ("" if parsed from a string)
    std::vector<std::string> keys;  // grid keys in order
    std::vector<SweepPoint> points;
};

// `dir` resolves relative paths. Throws ExploreError naming origin and key.
Sweep parse_sweep(const YAML::Node& root, const std::string& origin, const std::string& dir);
Sweep load_sweep(const std::string& path);

// Runs every point as `self --preset P --network N --set ... --summary FILE`, at most `jobs` at
// a time, with a progress bar on stderr. Returns each point's summary row ("" if it failed; its
// stderr is echoed).
std::vector<std::string> run_points(const std::vector<SweepPoint>& points, unsigned jobs, const std::string& self,
                                    const std::string& tmp_dir);

// CSV: grid key columns, then the summary columns (estimate_io.h) that are not grid keys, so
// every column is named once; failed points ("" rows) are left out.
std::string sweep_csv(const Sweep& s, const std::vector<std::string>& rows);
// Writes the CSV to DIR/<name>.csv and draws its figures with stvp-plot; returns the figure
// files. Throws ExploreError if stvp-plot cannot be found or fails.
std::vector<std::string> render_plots(const Sweep& s, const std::string& csv, const std::string& out_dir);

// ---- Points as files: resume, shards, Slurm ----

// What a sweep command does (stvp_explore --sweep FILE ...).
struct SweepCommand {
    std::string file, out_dir = ".";
    std::string backend = "local";        // local | slurm
    unsigned jobs = 1;                    // local: processes at a time
    long point = -1;                      // --point I (0-based), -1 = all
    unsigned shard = 0, shards = 0;       // --shard K/N (1 <= K <= N), 0/0 = all
    bool list = false, collect = false;   // --list, --collect
    bool wait = false;                    // slurm: sbatch --wait, then collect
    std::vector<std::string> sbatch_args; // slurm: extra sbatch options
    unsigned max_running = 0;             // slurm: at most this many tasks at once (0 = no limit)
};

// "K/N" -> (K, N); throws ExploreError unless 1 <= K <= N.
std::pair<unsigned, unsigned> parse_shard(const std::string& text);
// The points the command selects (--point, --shard, or all), in order; throws ExploreError for
// a --point outside the sweep.
std::vector<size_t> selected_points(const Sweep& s, const SweepCommand& c);
// DIR/<name>.points/point<i>.csv
std::string point_result_path(const Sweep& s, const std::string& out_dir, size_t i);
// The point's summary row if its result file exists and was made by this point's settings
// (its first line), else "".
std::string point_result(const Sweep& s, const std::string& out_dir, size_t i);
// Estimates point i in this process and writes its result file atomically (temporary file,
// then rename). Throws ExploreError / ConfigError.
void run_point(const Sweep& s, const std::string& out_dir, size_t i);
// The command that runs point i: `self --sweep FILE --out DIR --point I` (shell-quoted).
std::string point_command(const std::string& self, const std::string& file, const std::string& out_dir, size_t i);
// A Slurm batch script running `todo` as one job array, one point per task, at most
// max_running at once (0 = no limit).
std::string slurm_script(const Sweep& s, const std::string& self, const std::string& file, const std::string& out_dir,
                         const std::vector<size_t>& todo, unsigned max_running = 0);
// "0-3,7,9-10"
std::string array_ranges(const std::vector<size_t>& indices);

// The whole command. Returns 0; 1 if a point failed or, after collecting, results are missing;
// throws ExploreError for bad input.
int run_sweep_command(const SweepCommand& c, const char* self);

}  // namespace stvp::explore
