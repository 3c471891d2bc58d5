#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "estimate_io.h"
#include "network.h"
#include "sweep.h"

using namespace stvp::explore;

TEST(ExploreSweep, GridExpandsLastKeyFastestWithResolvedPaths) {
    const Sweep s = parse_sweep(YAML::Load("name: t\npreset: p.yaml\nnetwork: n.yaml\nset: [batch=8]\n"
                                           "grid:\n  scheme: [procrustes, nm]\n  accel.rows: [8, 16, 32]\n"),
                                "dir/t.yaml", "dir");
    ASSERT_EQ(s.points.size(), 6u);
    EXPECT_EQ(s.keys, (std::vector<std::string>{"scheme", "accel.rows"}));
    EXPECT_EQ(s.points[0].preset, "dir/p.yaml");
    EXPECT_EQ(s.points[0].network, "dir/n.yaml");
    EXPECT_EQ(s.points[1].sets, (std::vector<std::string>{"batch=8", "scheme=procrustes", "accel.rows=16"}));
    EXPECT_EQ(s.points[3].sets, (std::vector<std::string>{"batch=8", "scheme=nm", "accel.rows=8"}));
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
    EXPECT_EQ(err("network: n\ngrids: {}\n"), "s.yaml: grids: unknown key (name, title, preset, network, set, grid)");
    EXPECT_EQ(err("network: n\nplots: [{kind: line}]\n").rfind("s.yaml: plots: no longer used: stvp-plot draws", 0), 0u);
    EXPECT_EQ(err("network: n\nname: a/b\n"), "s.yaml: name: 'a/b' must be a plain file stem");
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

// A grid key that is also a summary column (scheme) is named once, with the grid's value.
TEST(ExploreSweep, CsvNamesEachColumnOnce) {
    const Sweep s = parse_sweep(YAML::Load("network: n\ngrid: {scheme: [nm], density: [0.5]}\n"), "s.yaml", ".");
    const std::string row = "vgg_s,nm,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14";
    const std::string csv = sweep_csv(s, {row});
    std::string header = csv.substr(0, csv.find('\n'));
    EXPECT_EQ(header.rfind("scheme,density,network,batch,cycles,", 0), 0u) << header;
    EXPECT_EQ(header.find("scheme", 1), std::string::npos) << header;
    EXPECT_EQ(csv.substr(csv.find('\n') + 1), "nm,0.5,vgg_s,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n");
}

TEST(ExploreSweep, ShardsPointsAndRanges) {
    const Sweep s = parse_sweep(YAML::Load("network: n\ngrid: {density: [1, 2, 3, 4, 5]}\n"), "s.yaml", ".");
    SweepCommand c;
    c.shard = 2, c.shards = 2;
    EXPECT_EQ(selected_points(s, c), (std::vector<size_t>{1, 3}));
    c.shard = 1;
    EXPECT_EQ(selected_points(s, c), (std::vector<size_t>{0, 2, 4}));
    c.shards = 0, c.point = 4;
    EXPECT_EQ(selected_points(s, c), (std::vector<size_t>{4}));
    c.point = 5;
    EXPECT_THROW(selected_points(s, c), ExploreError);
    EXPECT_EQ(parse_shard("3/4"), (std::pair<unsigned, unsigned>{3, 4}));
    for (const char* bad : {"0/4", "5/4", "1/0", "1-4", "1/4x", "", "/4"}) EXPECT_THROW(parse_shard(bad), ExploreError) << bad;
    EXPECT_EQ(array_ranges({0, 1, 2, 3, 7, 9, 10}), "0-3,7,9-10");
    EXPECT_EQ(array_ranges({5}), "5");
}

// Points as files: run in this process, written atomically, found again only with the same
// settings (a changed sweep recomputes), and the Slurm script runs exactly the missing ones.
TEST(ExploreSweep, PointResultsResumeAndSlurmScript) {
    const std::string dir = STVP_SOURCE_DIR "/configs/";
    const Sweep s = parse_sweep(YAML::Load("name: mini\nnetwork: " + dir + "networks/lenet300.yaml\npreset: " + dir +
                                           "presets/procrustes.yaml\nset: [batch=16]\ngrid: {density: [0.5, 0.1]}\n"),
                                "mini.yaml", ".");
    const std::string out = ::testing::TempDir() + "/explore_points";
    std::filesystem::remove_all(out);
    EXPECT_EQ(point_result(s, out, 1), "");
    run_point(s, out, 1);
    const std::string row = point_result(s, out, 1);
    EXPECT_EQ(row.rfind("lenet300,procrustes,16,", 0), 0u) << row;
    EXPECT_EQ(point_result(s, out, 0), "");
    Sweep changed = s;
    changed.points[1].sets.back() = "density=0.2";
    EXPECT_EQ(point_result(changed, out, 1), "");  // stale: made by other settings
    const std::string script = slurm_script(s, "/b/stvp_explore", "/c/mini.yaml", out, {0});
    EXPECT_NE(script.find("#SBATCH --array=0\n"), std::string::npos) << script;
    EXPECT_NE(script.find("exec '/b/stvp_explore' --sweep '/c/mini.yaml' --out '" + out +
                          "' --point \"$SLURM_ARRAY_TASK_ID\""),
              std::string::npos)
        << script;
    EXPECT_NE(slurm_script(s, "/b/x", "/c/y", out, {0, 1, 3}, 2).find("#SBATCH --array=0-1,3%2\n"), std::string::npos);
    EXPECT_EQ(point_command("/b/it's", "/c/s.yaml", "/o", 3), "'/b/it'\\''s' --sweep '/c/s.yaml' --out '/o' --point 3");
}

// Ad-hoc points (the reproduction report) as processes of the real program.
TEST(ExploreSweep, RunsPointsAsProcesses) {
    const std::string dir = STVP_SOURCE_DIR "/configs/";
    Sweep s = parse_sweep(YAML::Load("name: mini\nnetwork: " + dir + "networks/lenet300.yaml\npreset: " + dir +
                                     "presets/procrustes.yaml\nset: [batch=16]\ngrid: {density: [0.5, 0.1]}\n"),
                          "mini.yaml", ".");
    const std::string tmp = ::testing::TempDir() + "/explore_sweep";
    const auto rows = run_points(s.points, 2, STVP_EXPLORE_BIN, tmp);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].rfind("lenet300,procrustes,16,", 0), 0u) << rows[0];
    EXPECT_EQ(rows[1].rfind("lenet300,procrustes,16,", 0), 0u) << rows[1];
    EXPECT_NE(rows[0], rows[1]);
}
