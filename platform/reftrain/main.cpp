// stvp_reftrain: the host-native reference trainer (reftrain.h). Takes the same training
// preset as the VP (configs/train/*.yaml: dataset.* and workload.*) and the same --set
// options, and prints the firmware's lines (progress, "trace step" losses with
// workload.print_every = 1, per-epoch evaluation) plus host wall time per epoch.
//   stvp_reftrain --config configs/train/lenet300_dense.yaml [--set workload.epochs=3 ...]
// With --compare VP_LOG (the VP's stdout of the same run, with workload.print_every = 1) it also checks the
// VP's per-step losses against its own: every "trace step" loss within --tolerance (relative,
// default 1e-5; the ops are the same code on the same host, so they are normally bit-identical)
// and every epoch's test correct count within --max-correct-diff (default 0). Exit 1 on a
// mismatch, naming the first differing step.
// Mask capture: the platform's capture.masks / capture.steps keys write the same masks file as
// the VP (models/accel/capture); --compare-masks VP_FILE captures the steps of the VP's file
// and checks every map bit for bit (exit 1 naming the first differing element).
#include <boost/program_options.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "config_schema.h"
#include "platform_config.h"
#include "reftrain.h"

namespace po = boost::program_options;

namespace {

struct RunLog {
    std::map<uint32_t, float> losses;    // global step -> loss
    std::map<uint32_t, uint32_t> correct;  // epoch -> test correct count
};

// Lines "trace step N loss X 0xHHHHHHHH" and "epoch N test loss X acc Y (C/T)" (sscanf, not
// <regex>: libstdc++'s regex gives false -Wmaybe-uninitialized errors under the sanitizers).
RunLog parse_log(std::istream& in) {
    RunLog log;
    std::string line;
    while (std::getline(in, line)) {
        unsigned step = 0, bits = 0, epoch = 0, correct = 0;
        int hex_begin = 0, hex_end = 0;
        if (std::sscanf(line.c_str(), "trace step %u loss %*s 0x%n%8x%n", &step, &hex_begin, &bits, &hex_end) == 2 &&
            hex_end - hex_begin == 8) {
            float f;
            std::memcpy(&f, &bits, 4);
            log.losses[step] = f;
        } else if (std::sscanf(line.c_str(), "epoch %u test loss %*s acc %*s (%u/", &epoch, &correct) == 2) {
            log.correct[epoch] = correct;
        }
    }
    return log;
}

// 0 if the VP's log agrees with the reference's, 1 otherwise; prints a verdict line.
int compare_logs(const RunLog& vp, const RunLog& ref, double tolerance, uint32_t max_correct_diff) {
    if (ref.losses.empty()) {
        std::printf("compare: FAIL the reference printed no per-step losses (run with workload.print_every=1)\n");
        return 1;
    }
    size_t identical = 0;
    double worst = 0;
    for (const auto& [step, want] : ref.losses) {
        auto it = vp.losses.find(step);
        if (it == vp.losses.end()) {
            std::printf("compare: FAIL step %u missing from the VP's output\n", step);
            return 1;
        }
        const double diff = std::fabs(double(it->second) - double(want)) / std::max(1.0, std::fabs(double(want)));
        identical += std::memcmp(&it->second, &want, 4) == 0;
        worst = std::max(worst, diff);
        if (!(diff <= tolerance)) {
            std::printf("compare: FAIL step %u: VP loss %.7f, reference %.7f (relative difference %.3g > %.3g)\n", step,
                        double(it->second), double(want), diff, tolerance);
            return 1;
        }
    }
    for (const auto& [epoch, want] : ref.correct) {
        auto it = vp.correct.find(epoch);
        const uint32_t got = it == vp.correct.end() ? 0 : it->second;
        const uint32_t d = got > want ? got - want : want - got;
        if (it == vp.correct.end() || d > max_correct_diff) {
            std::printf("compare: FAIL epoch %u test correct: VP %u, reference %u\n", epoch, got, want);
            return 1;
        }
    }
    std::printf("compare: PASS %zu step losses (%zu bit-identical, max relative difference %.3g, tolerance %.3g), "
                "%zu test evaluations agree\n",
                ref.losses.size(), identical, worst, tolerance, ref.correct.size());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts("stvp_reftrain options");
    std::string config;
    std::vector<std::string> sets;
    std::string compare, compare_masks;
    double tolerance = 1e-5;
    uint32_t max_correct_diff = 0;
    opts.add_options()("help,h", "this help")("config", po::value(&config), "platform YAML (dataset.*, workload.*)")(
        "set", po::value(&sets)->composing(), "key=value override, as for stvp (workload.epochs=3)")(
        "compare", po::value(&compare), "the VP's stdout of the same run: check its per-step losses")(
        "compare-masks", po::value(&compare_masks),
        "the VP's masks file of the same run (capture.masks): capture its steps and check every map bit for bit")(
        "tolerance", po::value(&tolerance), "relative loss tolerance of --compare (default 1e-5)")(
        "max-correct-diff", po::value(&max_correct_diff), "allowed difference of test correct counts (default 0)");
    po::options_description study("Procrustes selection study (configs/results/procrustes_study.md; not the VP's "
                                   "algorithm unless at the defaults, so not with --compare)");
    std::string select = "quantile";
    stvp::reftrain::SelectionVariant variant;
    uint32_t snapshot_step = 0;
    study.add_options()("select", po::value(&select),
                        "quantile (the device's estimator, default) | topk (exact global, DropBack) | topk-per-layer | "
                        "random (a fixed random mask)")(
        "dense-steps", po::value(&variant.dense_steps), "train dense for N steps before the first selection")(
        "ramp-steps", po::value(&variant.ramp_steps),
        "shrink the budget from 100% to workload.procrustes.budget over N selections, cubically (needs topk or "
        "topk-per-layer)")(
        "snapshot-step", po::value(&snapshot_step),
        "report how much of the final tracked set was tracked at global step N, and the entries after it "
        "(any selection, also the VP's)");
    opts.add(study);
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "stvp_reftrain: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    if (!stvp::reftrain::parse_select(select, &variant.select)) {
        std::cerr << "stvp_reftrain: --select " << select << ": not one of quantile, topk, topk-per-layer, random\n";
        return 2;
    }
    if ((!compare.empty() || !compare_masks.empty()) && !variant.is_vp()) {
        std::cerr << "stvp_reftrain: --compare checks the VP's algorithm; the study options (" << variant.describe()
                  << ") depart from it\n";
        return 2;
    }
    try {
        stvp::PlatformConfig pc = stvp::load_platform_config(config, sets);
        if (pc.dataset.name != "fashion-mnist") {
            std::cerr << "stvp_reftrain: dataset.name must be fashion-mnist\n";
            return 2;
        }
        // The registers the VP's firmware would read (SIMCTRL WORKLOAD[i]).
        const stvp::workload::Registers wl = stvp::workload_registers(pc.workload);
        train_params_t p;
        train_params_from_workload(&p, wl.data());
        const stvp::Dataset data =
            stvp::load_fashion_mnist(pc.dataset.dir, pc.dataset.train_limit, pc.dataset.test_limit);
        stvp::reftrain::RefTrainer t(data, p, pc.accel.sparse, variant);
        t.set_snapshot_step(snapshot_step);
        const std::string bad = t.validate();
        if (!bad.empty()) {
            std::cerr << "stvp_reftrain: " << bad << "\n";
            return 2;
        }
        // Mask capture: the capture.* keys, and/or the steps of the VP's file to compare with.
        std::optional<stvp::capture::MaskFile> vp_masks;
        if (!compare_masks.empty()) vp_masks = stvp::capture::read_mask_file(compare_masks);
        std::vector<uint32_t> steps = stvp::capture_steps(pc);
        if (vp_masks)
            for (uint32_t s : vp_masks->steps()) steps.push_back(s);
        std::optional<stvp::capture::MaskRecorder> recorder;
        if (!steps.empty()) {
            recorder.emplace(steps);
            t.set_mask_recorder(&*recorder);
        }
        // After the run: the masks file, and the comparison with the VP's.
        auto finish_masks = [&]() -> int {
            if (!recorder) return 0;
            if (!recorder->error().empty()) throw std::runtime_error("mask capture: " + recorder->error());
            const stvp::capture::MaskFile mine = recorder->file();
            if (!pc.capture.masks.empty()) stvp::capture::write_mask_file(pc.capture.masks, mine);
            if (!vp_masks) return 0;
            const std::string diff = stvp::capture::compare_mask_files(*vp_masks, mine);
            if (!diff.empty()) {
                std::printf("compare-masks: FAIL %s (A = the VP's %s, B = the reference)\n", diff.c_str(),
                            compare_masks.c_str());
                return 1;
            }
            uint64_t bits = 0;
            for (const auto& r : mine.records) bits += r.map.elements();
            std::printf("compare-masks: PASS %zu steps, %zu maps, %llu bits identical\n", vp_masks->steps().size(),
                        mine.records.size(), static_cast<unsigned long long>(bits));
            return 0;
        };
        if (compare.empty()) {
            t.run();
            std::fflush(stdout);
            const int rc = finish_masks();
            std::fflush(stdout);
            return rc;
        }
        std::ifstream vp_in(compare);
        if (!vp_in) {
            std::cerr << "stvp_reftrain: cannot read " << compare << "\n";
            return 2;
        }
        // Capture the reference's own lines while still showing them.
        std::fflush(stdout);
        char* buf = nullptr;
        size_t len = 0;
        FILE* mem = open_memstream(&buf, &len);
        t.run(mem);
        std::fclose(mem);
        std::string text(buf, len);
        std::free(buf);
        std::fputs(text.c_str(), stdout);
        std::istringstream ref_in(text);
        const int rc = compare_logs(parse_log(vp_in), parse_log(ref_in), tolerance, max_correct_diff);
        const int rc_masks = finish_masks();
        std::fflush(stdout);
        return rc ? rc : rc_masks;
    } catch (const stvp::capture::MaskFileError& e) {
        std::cerr << "stvp_reftrain: " << e.what() << "\n";
        return 3;
    } catch (const stvp::DatasetError& e) {
        std::cerr << "stvp_reftrain: " << e.what() << "\n";
        return 3;
    } catch (const std::exception& e) {
        std::cerr << "stvp_reftrain: " << e.what() << "\n";
        return 2;
    }
}
