#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "estimate_io.h"
#include "network.h"
#include "sweep.h"
#include "sweep_training.h"

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
    EXPECT_EQ(err("network: n\ngrids: {}\n"),
              "s.yaml:2: grids: unknown key (name, title, program, preset, network, firmware, set, grid, points)");
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

// Found by fuzzing (fuzz_explore's peak memory): the points' settings were bounded only in
// number of points, so a 0.7 KB file (100 `set` entries crossed with 5 axes of 10 values:
// 10^5 points of 105 settings each) made the loader build 10^7 strings, 380 MB and 3 s.
// The expanded settings are bounded in bytes, the error naming the point count.
TEST(ExploreSweep, ExpandedSettingsAreBounded) {
    std::string y = "network: n\nset: [";
    for (int i = 0; i < 100; ++i) y += std::string(i ? ", " : "") + "a=1";
    y += "]\ngrid:\n";
    for (int i = 0; i < 5; ++i) y += "  k" + std::to_string(i) + ": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
    EXPECT_EQ(err(y), "s.yaml: grid: 100000 points need more than 64 MiB of settings (fewer points, grid "
                      "values or set entries)");
    // A large grid with few settings per point stays within the bound (10^4 points: 10^5 cost
    // 3 s and 440 MB under ASan).
    std::string small = "network: n\ngrid:\n";
    for (int i = 0; i < 4; ++i) small += "  k" + std::to_string(i) + ": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
    EXPECT_EQ(err(small), "");
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

// ---- Training sweeps (program stvp / stvp_reftrain, sweep_training.h) ----

namespace {
const std::string kTrainPreset = "preset: " STVP_SOURCE_DIR "/configs/train/lenet300_dense.yaml\n";
}  // namespace

// Explicit points crossed with the grid; `id` is a column only, `args` the program's options,
// every other key a --set of the configuration.
TEST(ExploreSweep, TrainingPointsCrossTheGrid) {
    const Sweep s = parse_sweep(YAML::Load("program: stvp_reftrain\n" + kTrainPreset +
                                           "set: [workload.epochs=1]\n"
                                           "points:\n"
                                           "  - {id: dense, workload.mode: dense}\n"
                                           "  - {id: topk, workload.mode: procrustes, args: --select topk}\n"
                                           "grid:\n  workload.seed: [1, 2]\n"),
                                "s.yaml", ".");
    EXPECT_EQ(s.program, SweepProgram::Reftrain);
    ASSERT_EQ(s.points.size(), 4u);
    EXPECT_EQ(s.keys, (std::vector<std::string>{"id", "workload.mode", "args", "workload.seed"}));
    EXPECT_EQ(s.points[3].sets,
              (std::vector<std::string>{"workload.epochs=1", "workload.mode=procrustes", "workload.seed=2"}));
    EXPECT_EQ(s.points[3].args, (std::vector<std::string>{"--select", "topk"}));
    EXPECT_TRUE(s.points[1].args.empty());
    EXPECT_EQ(s.points[1].value("id"), "dense");
    EXPECT_EQ(s.points[1].value("args"), "");
    EXPECT_EQ(s.points[1].value("workload.seed"), "2");
    const auto cmd = training_command(s, s.points[2], "/b/stvp_reftrain", "", "");
    EXPECT_EQ(cmd, (std::vector<std::string>{"/b/stvp_reftrain", "--config", STVP_SOURCE_DIR
                                             "/configs/train/lenet300_dense.yaml", "--set", "workload.epochs=1", "--set",
                                             "workload.mode=procrustes", "--set", "workload.seed=1", "--select", "topk"}));
    const Sweep vp = parse_sweep(YAML::Load("program: stvp\n" + kTrainPreset + "grid: {workload.mode: [nm]}\n"), "s.yaml", ".");
    EXPECT_EQ(training_command(vp, vp.points[0], "stvp", "t.elf", "o.json"),
              (std::vector<std::string>{"stvp", "--quiet", "--config", STVP_SOURCE_DIR "/configs/train/lenet300_dense.yaml",
                                        "--set", "workload.mode=nm", "--firmware", "t.elf", "--stats", "o.json"}));
}

// A bad key or value of a training sweep names the file and its line, checked when the file is
// read (against the preset), not when a point has run for minutes.
TEST(ExploreSweep, TrainingKeysAreCheckedWithTheirLine) {
    const std::string head = "program: stvp\n" + kTrainPreset;  // lines 1-2
    EXPECT_EQ(err(head + "grid:\n  workload.mdoe: [dense]\n"),
              "s.yaml:4: grid.workload.mdoe: --set 'workload.mdoe=dense': unknown key 'workload.mdoe'");
    EXPECT_EQ(err(head + "grid:\n  workload.mode:\n    - dense\n    - bogus\n").rfind("s.yaml:6: grid.workload.mode: ", 0), 0u);
    EXPECT_NE(err(head + "grid:\n  workload.mode: [dense, bogus]\n").find("'bogus' is not one of: dense,"), std::string::npos);
    EXPECT_EQ(err(head + "points:\n  - {id: a, scheme: nm}\n"),
              "s.yaml:4: points[0].scheme: not a configuration key (section.key, e.g. workload.seed; stvp "
              "--help-config), preset, args or id");
    EXPECT_EQ(err(head + "points:\n  - {id: a}\n  - {id: a}\n"), "s.yaml:5: points[1].id: 'a' is used twice");
    EXPECT_EQ(err(head + "points: []\n"), "s.yaml:3: points: must be a list of maps (key: value)");
    EXPECT_EQ(err(head + "points:\n  - {id: a}\ngrid: {id: [b]}\n"), "s.yaml:5: grid.id: also a key of the points");
    EXPECT_EQ(err(head + "set: [workload.epochs=-3]\n").rfind("s.yaml:3: set[0]: ", 0), 0u);
    EXPECT_EQ(err(head + "network: n.yaml\n"),
              "s.yaml:3: network: training sweeps choose the network with workload.network (network is explore's "
              "layer table file)");
    EXPECT_EQ(err(head + "grid: {args: [--select topk]}\n"), "s.yaml:3: grid.args: only for program stvp_reftrain (its study options)");
    EXPECT_EQ(err(head + "firmware: no_such.elf\n"), "s.yaml:3: firmware: no_such.elf: no such file");
    EXPECT_EQ(err("program: stvp_reftrian\n"), "s.yaml:1: program: 'stvp_reftrian' is not explore, stvp or stvp_reftrain");
    EXPECT_EQ(err("network: n\nfirmware: x.elf\n"), "s.yaml:2: firmware: only for program stvp (the ELF it runs)");
    EXPECT_EQ(err("network: n\ngrid: {args: [x]}\n"), "s.yaml: grid.args: only for program stvp_reftrain (its study options)");
    EXPECT_EQ(err(head + "grid: {workload.mode: [procrustes+sparsetrain]}\n"), "");
}

namespace {
const char* kReftrainOut =
    "reftrain: lenet300, mode 1, 2 epochs x 5 steps, batch 64, lr 0.1, seed 1, 640 train / 200 test samples, 266200 weights\n"
    "epoch 1 step 5/5 loss 2.3692 acc 20.0%\n"
    "epoch 1 test loss 1.9136 acc 45.50% (91/200) lr 0.10000, host wall 0.081 s training, 0.007 s evaluation\n"
    "epoch 2 step 5/5 loss 1.8846 acc 46.2%\n"
    "epoch 2 test loss -nan acc 46.00% (92/200) lr 0.08000, host wall 0.061 s training, 0.011 s evaluation\n"
    "reftrain: test accuracy 46.00% (92/200), weights kept 0.0439, host wall per training epoch 0.071 s\n"
    "reftrain: tracked per layer: layer 1 888/235200 (0.4%) layer 2 10176/30000 (33.9%) layer 3 628/1000 (62.8%)\n"
    "reftrain: tracked now and already at step 2: layer 1 863/888 (97%) layer 2 10160/10176 (100%) layer 3 610/628 "
    "(97%); 61 weights entered the set after it (9 per step)\n";
}  // namespace

TEST(ExploreSweep, ReftrainOutputBecomesATrainingBlock) {
    const nlohmann::json t = parse_reftrain_output(kReftrainOut, "run");
    EXPECT_EQ(t["network"], "lenet300");
    EXPECT_EQ(t["mode"], 1);
    EXPECT_EQ(t["epoch_count"], 2);
    EXPECT_EQ(t["steps_per_epoch"], 5);
    EXPECT_EQ(t["final_correct"], 92);
    EXPECT_EQ(t["final_count"], 200);
    EXPECT_DOUBLE_EQ(t["final_accuracy"].get<double>(), 0.46);
    EXPECT_DOUBLE_EQ(t["kept_fraction"].get<double>(), 0.0439);
    EXPECT_EQ(t["diverged"], true);  // epoch 2's test loss is not finite
    ASSERT_EQ(t["epochs"].size(), 2u);
    EXPECT_EQ(t["epochs"][0]["test_correct"], 91);
    EXPECT_DOUBLE_EQ(t["epochs"][0]["test_loss"].get<double>(), 1.9136);
    EXPECT_TRUE(t["epochs"][1]["test_loss"].is_null());
    EXPECT_EQ(t["tracked"].dump(), R"([{"layer":1,"tracked":888,"weights":235200},{"layer":2,"tracked":10176,"weights":30000},)"
                                   R"({"layer":3,"tracked":628,"weights":1000}])");
    EXPECT_EQ(t["snapshot_step"], 2);
    EXPECT_EQ(t["snapshot"][2].dump(), R"({"layer":3,"since":610,"tracked":628})");
    EXPECT_EQ(t["entered_after_snapshot"], 61);
    EXPECT_DOUBLE_EQ(t["entered_per_step"].get<double>(), 9.0);
    try {
        parse_reftrain_output("reftrain: lenet300, mode 1, 2 epochs x 5 steps, batch 64, lr 0.1, seed 1,\n", "point 3");
        FAIL() << "accepted an output without a result";
    } catch (const ExploreError& e) {
        EXPECT_EQ(std::string(e.what()), "point 3: stvp_reftrain printed no final result ('reftrain: test accuracy ...')");
    }
}

// Merged CSV: point keys, host_seconds, then the training blocks flattened; each column once,
// a key only some points have (grad_zeros) gets empty cells elsewhere, failed points are left out.
TEST(ExploreSweep, TrainingCsvFlattensTheBlocks) {
    const Sweep s = parse_sweep(YAML::Load("program: stvp\n" + kTrainPreset + "grid: {workload.mode: [dense, nm, sparsetrain]}\n"),
                                "s.yaml", ".");
    auto result = [](const std::string& training, double host) {
        return nlohmann::json{{"training", nlohmann::json::parse(training)}, {"sweep_point", {{"host_seconds", host}}}}.dump();
    };
    const std::string csv = training_csv(
        s, {result(R"({"final_accuracy": 0.5, "epochs": [{"epoch": 1, "test_loss": 1.5}, {"epoch": 2, "test_loss": null}]})", 1.25),
            "", result(R"({"final_accuracy": 0.25, "grad_zeros": 0.75, "note": "a,b"})", 2)});
    EXPECT_EQ(csv,
              "workload.mode,host_seconds,epochs.epoch,epochs.test_loss,final_accuracy,grad_zeros,note\n"
              "dense,1.25,1 2,1.5 nan,0.5,,\n"
              "sparsetrain,2.0,,,0.25,0.75,\"a,b\"\n");
}
