#include "report.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "estimate_io.h"
#include "explore_config.h"
#include "network.h"
#include "sweep.h"

namespace stvp::explore {

namespace fs = std::filesystem;

namespace {

struct Case {
    std::string scheme_label, preset, network, published, paper_workload;
    double pub_speedup = 0, pub_energy = 0;  // 0 = not published
};

// The GB port and DRAM made effectively unlimited.
const std::vector<std::string> kIdealMemory{"accel.gb_bytes_per_cycle=1048576", "dram.bandwidth_gbps=10000",
                                            "dram.latency_ns=0"};

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> v;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) v.push_back(x);
    return v;
}
double column(const std::string& row, const std::string& name) {
    const std::vector<std::string> head = split(summary_csv_header()), v = split(row);
    for (size_t i = 0; i < head.size() && i < v.size(); ++i)
        if (head[i] == name) return std::atof(v[i].c_str());
    return 0;
}
std::string f2(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    return b;
}

// Every weight op of `network` under Procrustes at batch 64 and default memories: speedup, the
// compute-only (published rule) speedup and what bounds the sparse op.
std::string per_op_table(const std::string& cfg, const std::string& network) {
    const ExploreSetup s = load_setup(cfg + "presets/procrustes.yaml", {"batch=64"});
    const Estimate e = estimate(load_network(cfg + "networks/" + network + ".yaml"), s.workload, s.array, s.energy,
                                s.sparse);
    std::string md = "\n### " + network +
                     ": every weight op, Procrustes 1/10, batch 64, default memories\n\n"
                     "| layer | phase | speedup | compute-only speedup | bound | energy ratio |\n|---|---|---|---|---|---|\n";
    for (const OpRow& r : e.ops) {
        if (r.phase != "forward" && r.phase != "input_grad" && r.phase != "weight_grad") continue;
        if (r.dense_macs <= 0) continue;  // pooling
        md += "| " + r.layer + " | " + r.phase + " | " + f2(r.dense_cycles / r.cycles) + " | " +
              f2(r.dense_rule_cycles / r.rule_cycles) + " | " + r.bound + " | " +
              f2(r.dense_energy.total() / r.energy.total()) + " |\n";
    }
    const OpRow& t = e.total;
    md += "| **total** (with pooling, softmax, SGD) | | **" + f2(t.dense_cycles / t.cycles) + "** | **" +
          f2(t.dense_rule_cycles / t.rule_cycles) + "** | | **" + f2(t.dense_energy.total() / t.energy.total()) +
          "** |\n";
    return md;
}

}  // namespace

int write_report(const std::string& out_md, const std::string& repo, unsigned jobs, const char* self_arg) {
    const std::string cfg = repo + "/configs/";
    std::error_code ec;
    std::string self = fs::canonical("/proc/self/exe", ec).string();
    if (ec) self = self_arg;
    const std::vector<Case> cases = {
        {"Procrustes, weights 1/10", "procrustes", "vgg_s", "up to 4x / up to 3.26x", "CNNs incl. VGG, WRN, DenseNet, ResNet-18, MobileNetV2", 4.0, 3.26},
        {"Procrustes, weights 1/10", "procrustes", "resnet18", "", "", 4.0, 3.26},
        {"Procrustes, weights 1/10", "procrustes", "mobilenetv2", "", "", 4.0, 3.26},
        {"Procrustes, weights 1/10", "procrustes", "densenet_bc100", "", "", 4.0, 3.26},
        {"N:M 2:8 bidirectional", "nm_2_8", "vgg_s", "1.75x (average over models) / -", "average over models", 1.75, 0},
        {"N:M 2:8 bidirectional", "nm_2_8", "resnet18", "", "", 1.75, 0},
        {"N:M 2:8 bidirectional", "nm_2_8", "mobilenetv2", "", "", 1.75, 0},
        {"SparseTrain, p = 0.9", "sparsetrain", "alexnet", "about 2.7x / 2.2x", "AlexNet, ResNet (14 nm)", 2.7, 2.2},
        {"SparseTrain, p = 0.9", "sparsetrain", "resnet18", "", "", 2.7, 2.2},
    };
    std::vector<SweepPoint> points;
    for (const Case& c : cases)
        for (bool ideal : {false, true}) {
            SweepPoint p;
            p.preset = cfg + "presets/" + c.preset + ".yaml";
            p.network = cfg + "networks/" + c.network + ".yaml";
            p.sets = {"batch=64"};
            if (ideal) p.sets.insert(p.sets.end(), kIdealMemory.begin(), kIdealMemory.end());
            points.push_back(p);
        }
    const std::string results = fs::path(out_md).parent_path().string();
    const std::string tmp = results + "/.exploration.points";
    std::fprintf(stderr, "reproduction: %zu estimates, %u processes\n", points.size(), jobs);
    const std::vector<std::string> rows = run_points(points, jobs, self, tmp);
    fs::remove_all(tmp, ec);
    bool failed = false;
    for (const std::string& r : rows) failed |= r.empty();

    // The sweeps, with their plots next to the report.
    const std::string sweep_dir = results + "/exploration";
    std::vector<std::string> plots;
    for (const char* name : {"density", "memory"}) {
        const Sweep s = load_sweep(cfg + "sweeps/" + name + ".yaml");
        fs::create_directories(sweep_dir);
        const std::vector<std::string> r = run_points(s.points, jobs, self, sweep_dir + "/.points");
        fs::remove_all(sweep_dir + "/.points", ec);
        for (const std::string& x : r) failed |= x.empty();
        const std::string csv = sweep_csv(s, r);
        std::ofstream(sweep_dir + "/" + s.name + ".csv") << csv;
        for (const std::string& f : render_plots(s, csv, sweep_dir))  // PNG and SVG: embed the PNGs
            if (fs::path(f).extension() == ".png") plots.push_back(fs::path(f).filename().string());
    }

    std::string md =
        "# Reproduction: the platform against the published sparse-training figures\n\n"
        "Generated by `cmake --build build --target reproduce` (platform/explore/report.cpp; the explanation "
        "below is platform/explore/exploration_commentary.md). Timing-only mode (platform/explore/timing_only.h): "
        "one training iteration at batch 64 (forward, weight gradient, input gradient of every layer, pooling, "
        "softmax, SGD) on the accelerator model the device uses, operand zero maps synthesised from the presets' "
        "densities (configs/presets/). Ratios are dense / sparse on the same array and mapping (the papers' "
        "metric, docs/literature.md). *Ideal memory*: the same with the global-buffer port and DRAM unlimited "
        "(`--set accel.gb_bytes_per_cycle=1048576 dram.bandwidth_gbps=10000 dram.latency_ns=0`).\n\n"
        "| scheme | network | speedup | energy ratio | speedup, ideal memory | energy ratio, ideal memory | "
        "published speedup / energy (docs/literature.md) |\n|---|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < cases.size(); ++i) {
        const std::string& r = rows[2 * i];
        const std::string& ri = rows[2 * i + 1];
        const Case& c = cases[i];
        md += "| " + c.scheme_label + " | " + c.network + " | ";
        md += r.empty() ? "failed | failed | " : f2(column(r, "speedup")) + " | " + f2(column(r, "energy_ratio")) + " | ";
        md += ri.empty() ? "failed | failed | " : f2(column(ri, "speedup")) + " | " + f2(column(ri, "energy_ratio")) + " | ";
        md += c.published + " |\n";
    }
    md += "\n## Per op: what bounds each layer\n\nstvp_explore `--per-op` rows (compute-only: the published rule, the "
          "sum over sync windows of the busiest PE's work with memory free; bound: the largest of the sparse op's "
          "compute, GB-port and DRAM busy cycles). Three large layers (VGG-16 conv5_2, a ResNet-18 "
          "3x3, FC 4096) with the load balancer on and off are in configs/results/sparse_ops.md.\n";
    for (const char* net : {"vgg_s", "resnet18"}) md += per_op_table(cfg, net);
    md += "\nSweeps (configs/sweeps/; CSV, PNG and SVG in configs/results/exploration/, drawn by stvp-plot):\n\n";
    for (const std::string& p : plots) md += "![" + p + "](exploration/" + p + ")\n\n";
    std::ifstream commentary(repo + "/platform/explore/exploration_commentary.md");
    md += std::string(std::istreambuf_iterator<char>(commentary), {});
    std::ofstream out(out_md);
    if (!out) throw ExploreError(out_md + ": cannot write");
    out << md;
    std::printf("%s\n", out_md.c_str());
    return failed ? 1 : 0;
}

}  // namespace stvp::explore
