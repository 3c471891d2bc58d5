#include <gtest/gtest.h>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "estimate_io.h"
#include "network.h"
#include "svg_plot.h"
#include "sweep.h"

using namespace stvp::explore;

TEST(ExploreSweep, GridExpandsLastKeyFastestWithResolvedPaths) {
    const Sweep s = parse_sweep(YAML::Load("name: t\npreset: p.yaml\nnetwork: n.yaml\nset: [batch=8]\n"
                                           "grid:\n  scheme: [procrustes, nm]\n  accel.rows: [8, 16, 32]\n"
                                           "plots:\n  - {kind: line, x: accel.rows, y: speedup, series: scheme}\n"),
                                "dir/t.yaml", "dir");
    ASSERT_EQ(s.points.size(), 6u);
    EXPECT_EQ(s.keys, (std::vector<std::string>{"scheme", "accel.rows"}));
    EXPECT_EQ(s.points[0].preset, "dir/p.yaml");
    EXPECT_EQ(s.points[0].network, "dir/n.yaml");
    EXPECT_EQ(s.points[1].sets, (std::vector<std::string>{"batch=8", "scheme=procrustes", "accel.rows=16"}));
    EXPECT_EQ(s.points[3].sets, (std::vector<std::string>{"batch=8", "scheme=nm", "accel.rows=8"}));
    ASSERT_EQ(s.plots.size(), 1u);
    EXPECT_EQ(s.plots[0].series, "scheme");
}

TEST(ExploreSweep, NetworkAndPresetCanBeGridAxes) {
    const Sweep s = parse_sweep(YAML::Load("grid:\n  network: [a.yaml, b.yaml]\n  preset: [x.yaml]\n"), "s.yaml", "/c");
    ASSERT_EQ(s.points.size(), 2u);
    EXPECT_EQ(s.points[1].network, "/c/b.yaml");
    EXPECT_EQ(s.points[1].preset, "/c/x.yaml");
    EXPECT_TRUE(s.points[1].sets.empty());
    EXPECT_EQ(s.name, "s");
}

namespace {
// The ExploreError message of parse_sweep on `y`, or "" if it is accepted.
std::string err(const std::string& y) {
    try {
        parse_sweep(YAML::Load(y), "s.yaml", ".");
    } catch (const ExploreError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST(ExploreSweep, ErrorsNameTheKey) {
    EXPECT_EQ(err("network: n\ngrid: {a: []}\n"), "s.yaml: grid.a: no values");
    EXPECT_EQ(err("network: n\ngrids: {}\n"), "s.yaml: grids: unknown key (name, preset, network, set, grid, plots)");
    EXPECT_EQ(err("network: n\nplots: [{kind: pie}]\n"), "s.yaml: plots[0].kind: 'pie' is not line, energy or bar");
    EXPECT_EQ(err("grid: {batch: [1]}\n"), "s.yaml: network: missing (top level or grid)");
    EXPECT_EQ(err("network: n\nset: [batch]\n"), "s.yaml: set[0]: 'batch' is not key=value");
}

// Found by fuzzing: non-scalar keys ended in an uncaught "bad conversion"; the grid's size
// was a product that wraps (64 axes of 2 values: 2^64 = 0 points, accepted).
TEST(ExploreSweep, NonScalarKeysAndHugeGridsAreErrors) {
    EXPECT_EQ(err("[network]: n\n"), "s.yaml: a key: must be a scalar");
    EXPECT_EQ(err("network: n\ngrid: {[a]: [1]}\n"), "s.yaml: grid: a key: must be a scalar");
    std::string grid = "network: n\ngrid:\n";
    for (int i = 0; i < 64; ++i) grid += "  a" + std::to_string(i) + ": [1, 2]\n";
    EXPECT_EQ(err(grid), "s.yaml: grid: more than 100000 points");
}

TEST(ExploreSweep, CsvHasGridColumnsAndSkipsFailedPoints) {
    const Sweep s = parse_sweep(YAML::Load("network: n\ngrid: {density: [0.5, 0.1, 0.05]}\n"), "s.yaml", ".");
    const std::string csv = sweep_csv(s, {"r0", "", "r2"});
    EXPECT_EQ(csv, "density," + summary_csv_header() + "\n0.5,r0\n0.05,r2\n");
}

// The whole path: two points as processes of the real program, CSV and an SVG.
TEST(ExploreSweep, RunsPointsAsProcessesAndPlots) {
    const std::string dir = STVP_SOURCE_DIR "/configs/";
    Sweep s = parse_sweep(YAML::Load("name: mini\nnetwork: " + dir + "networks/lenet300.yaml\npreset: " + dir +
                                     "presets/procrustes.yaml\nset: [batch=16]\ngrid: {density: [0.5, 0.1]}\n"
                                     "plots: [{kind: line, x: density, y: speedup}, {kind: energy}]\n"),
                          "mini.yaml", ".");
    const std::string tmp = ::testing::TempDir() + "/explore_sweep";
    const auto rows = run_points(s.points, 2, STVP_EXPLORE_BIN, tmp);
    ASSERT_EQ(rows.size(), 2u);
    ASSERT_FALSE(rows[0].empty());
    ASSERT_FALSE(rows[1].empty());
    EXPECT_EQ(rows[0].rfind("lenet300,procrustes,16,", 0), 0u) << rows[0];
    const std::string csv = sweep_csv(s, rows);
    const auto files = render_plots(s, csv, tmp);
    ASSERT_EQ(files.size(), 2u);
    std::ifstream f(files[0]);
    const std::string svg((std::istreambuf_iterator<char>(f)), {});
    EXPECT_NE(svg.find("<polyline"), std::string::npos);
    EXPECT_NE(svg.find("speedup vs dense"), std::string::npos);
}

TEST(ExploreSweep, StackedBarsDrawEveryComponent) {
    const std::string svg = svg_stacked_bars("t", "mJ", {"a", "b"}, {"x", "y"}, {{1, 2}, {3, 0.5}});
    size_t rects = 0;
    for (size_t p = svg.find("<rect x"); p != std::string::npos; p = svg.find("<rect x", p + 1)) ++rects;
    EXPECT_EQ(rects, 6u);  // 4 bar segments + 2 legend keys
}
