// Sweeps: a YAML grid of overrides expanded into points, each run as its own stvp_explore
// process (fork/exec, `-j` at a time) writing a one-line summary; collected into a CSV with one
// column per grid key, and plotted as SVG (svg_plot.h).
//
// Sweep file (configs/sweeps/README.md):
//   name: speedup_vs_density          # output files DIR/<name>.csv, DIR/<name>_<plot>.svg
//   preset: ../presets/procrustes.yaml # paths relative to the sweep file
//   network: ../networks/vgg_s.yaml
//   set: [batch=64]                   # fixed overrides (any --set key)
//   grid:                             # cartesian product, last key fastest; values are --set values;
//     scheme: [procrustes, nm]        #   the keys preset and network take paths
//     weight_density: [0.5, 0.1]
//   plots:
//     - {kind: line, x: weight_density, y: speedup, series: scheme, title: "..."}
//     - {kind: energy, label: scheme, title: "..."}   # stacked energy breakdown per point
//     - {kind: bar, y: utilisation, label: scheme, title: "..."}
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

struct PlotSpec {
    std::string kind;  // line | energy | bar
    std::string x, y, series, label, title;
};

struct Sweep {
    std::string name;
    std::vector<std::string> keys;  // grid keys in order
    std::vector<SweepPoint> points;
    std::vector<PlotSpec> plots;
};

// `dir` resolves relative paths. Throws ExploreError naming origin and key.
Sweep parse_sweep(const YAML::Node& root, const std::string& origin, const std::string& dir);
Sweep load_sweep(const std::string& path);

// Runs every point as `self --preset P --network N --set ... --summary FILE`, at most `jobs` at
// a time, with a progress bar on stderr. Returns each point's summary row ("" if it failed; its
// stderr is echoed).
std::vector<std::string> run_points(const std::vector<SweepPoint>& points, unsigned jobs, const std::string& self,
                                    const std::string& tmp_dir);

// CSV: grid key columns then the summary columns (estimate_io.h); failed points are left out.
std::string sweep_csv(const Sweep& s, const std::vector<std::string>& rows);
// Writes the sweep's plots as DIR/<name>_<i>_<kind>.svg from its CSV; returns the paths.
std::vector<std::string> render_plots(const Sweep& s, const std::string& csv, const std::string& out_dir);

// The whole command: load, run, write DIR/<name>.csv and the plots. Returns 0, or 1 if a point
// failed.
int run_sweep(const std::string& path, const std::string& out_dir, unsigned jobs, const char* self);

}  // namespace stvp::explore
