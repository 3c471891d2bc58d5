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
//   points:                           # optional: explicit points (maps of the same keys), each
//     - {id: a, density: 0.5}         #   crossed with the grid; `id` is a column only
//
// Training studies are sweeps too: `program: stvp` runs each point as a VP training run
// (`stvp --config PRESET --set ... --firmware train.elf --stats`), `program: stvp_reftrain` on
// the host reference trainer; their keys are configuration keys (workload.*, dataset.*, ...,
// checked against the preset when the file is read), plus `args` (stvp_reftrain's study
// options) and `id`; sweep_training.h runs them and merges their `training` blocks.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace YAML {
class Node;
}

namespace stvp::explore {

// What one point runs: a timing-only estimate in this process, or a training program.
enum class SweepProgram { Explore, Stvp, Reftrain };

struct SweepPoint {
    std::string preset, network;
    std::vector<std::pair<std::string, std::string>> values;  // point/grid key -> value, in column order
    std::vector<std::string> sets;                            // fixed + grid overrides, "key=value"
    std::vector<std::string> args;                            // program options (stvp_reftrain: `args`)
    // The value of column `key`, "" if the point has none.
    std::string value(const std::string& key) const;
};

struct Sweep {
    std::string name, title;
    std::string source;             // the sweep file ("" if parsed from a string)
    SweepProgram program = SweepProgram::Explore;
    std::string firmware;           // program stvp: the ELF ("" = train.elf next to the programs)
    std::vector<std::string> keys;  // point and grid keys in order (the CSV's first columns)
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
// DIR/<name>.points/point<i>.csv (estimates) or .json (training runs)
std::string point_result_path(const Sweep& s, const std::string& out_dir, size_t i);
// The point's summary row (training: its result JSON, on one line) if its result file exists
// and was made by this point's settings (its first line; training: sweep_point.signature),
// else "".
std::string point_result(const Sweep& s, const std::string& out_dir, size_t i);
// Estimates point i in this process (training: runs its program, sweep_training.h) and writes
// its result file atomically (temporary file, then rename). Throws ExploreError / ConfigError.
void run_point(const Sweep& s, const std::string& out_dir, size_t i);
// The command that runs point i: `self --sweep FILE --out DIR --point I` (shell-quoted).
std::string point_command(const std::string& self, const std::string& file, const std::string& out_dir, size_t i);
// A Slurm batch script running `todo` as one job array, one point per task, at most
// max_running at once (0 = no limit).
std::string slurm_script(const Sweep& s, const std::string& self, const std::string& file, const std::string& out_dir,
                         const std::vector<size_t>& todo, unsigned max_running = 0);
// "0-3,7,9-10"
std::string array_ranges(const std::vector<size_t>& indices);
// 'text' for a POSIX shell.
std::string shell_quote(const std::string& text);
// This executable's path ("" if /proc/self/exe cannot be read); still its path after a rebuild
// replaced the file while it runs.
std::string this_program();
// Runs argv (searching PATH), stdout captured into *out if given; returns the exit status
// (127 if it cannot be run, 128+N if killed by signal N).
int run_program(const std::vector<std::string>& args, std::string* out);

// The whole command. Returns 0; 1 if a point failed or, after collecting, results are missing;
// throws ExploreError for bad input.
int run_sweep_command(const SweepCommand& c, const char* self);

}  // namespace stvp::explore
