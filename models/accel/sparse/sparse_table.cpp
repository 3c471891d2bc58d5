// sparse_table: speedup and energy ratio of each sparse scheme against the dense op on the same
// 16x16 array and mapping (ArrayConfig defaults, CxN dataflow), for an FC and a CONV layer's
// three training ops. Writes markdown to the file named by argv[1] (stdout without one).
// Operand maps are random with fixed seeds, so the table is reproducible.
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "accel/core/energy.h"
#include "accel/core/loop_nest.h"
#include "accel/core/timing.h"
#include "accel/sparse/bernoulli_mask.h"
#include "accel/sparse/block_sparse.h"
#include "accel/sparse/gradient_pruner.h"
#include "accel/sparse/nm_sparse.h"
#include "accel/sparse/work_source.h"

using namespace stvp::accel;
using namespace stvp::accel::sparse;

namespace {

std::vector<float> gauss(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0, 1);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

struct Layer {
    std::string name;
    Conv2dShape s;  // FC as a 1x1 convolution on 1x1 planes
};

struct Cell {
    double dense_cycles = 0, cycles = 0, dense_pj = 0, pj = 0;
    double step_sync_cycles = 0;  // the same op when the array synchronises every step
};

ArrayConfig with_sync(SyncMode m) {
    ArrayConfig c;
    c.sync = m;
    return c;
}

struct Runner {
    TimingModel tm{with_sync(SyncMode::Tile)};
    TimingModel tm_step{with_sync(SyncMode::Step)};
    EnergyTable et;
    SparseEnergyTable st;

    Cell run(const Conv2dShape& s, Phase ph, const uint8_t* w, const uint8_t* x, const uint8_t* dy,
             const WeightFormat& wf, bool lb, uint64_t pruner_ops, uint64_t quantile_ops) {
        const OpShape nest = conv_nests(s, ph)[0];
        NestOperands ops;
        const std::string e = conv_operands(s, ph, w, x, dy, &ops);
        if (!e.empty()) std::fprintf(stderr, "sparse_table: %s\n", e.c_str());
        SparseCost c = sparse_nest_cost(tm, nest, ops, wf, lb);
        c.extra.pruner_ops = pruner_ops;
        c.extra.quantile_ops = quantile_ops;
        const OpCost d = tm.nest(nest);
        const SparseCost cs = sparse_nest_cost(tm_step, nest, ops, wf, lb);
        return {double(d.cycles), double(c.op.cycles), energy_of(d.counts, et).total_pj(), sparse_energy_pj(c, et, st),
                double(cs.op.cycles)};
    }
};

std::string row(const std::string& label, const Cell (&c)[3]) {
    char buf[512];
    Cell t;
    std::string r = "| " + label + " |";
    for (const Cell& x : c) {
        std::snprintf(buf, sizeof buf, " %.2f / %.2f |", x.dense_cycles / x.cycles, x.dense_pj / x.pj);
        r += buf;
        t.dense_cycles += x.dense_cycles, t.cycles += x.cycles, t.dense_pj += x.dense_pj, t.pj += x.pj;
        t.step_sync_cycles += x.step_sync_cycles;
    }
    std::snprintf(buf, sizeof buf, " **%.2f / %.2f** | %.2f |\n", t.dense_cycles / t.cycles, t.dense_pj / t.pj,
                  t.dense_cycles / t.step_sync_cycles);
    return r + buf;
}

// The forward ops of three large layers at batch 16 with Bernoulli weights at density 0.1 in
// the block format (Procrustes): the load balancer, the tile pipeline and the compute-only rule
// under each memory setting, and what bounds the op.
struct Setting {
    const char* label;
    bool ideal;
    SyncMode sync;
    TilePipeline pipe;
    TimingRule timing;
};

std::string f2(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    return b;
}

std::string issue_layers_table() {
    std::vector<Layer> layers(3);
    layers[0].name = "VGG-16 conv5_2 (512->512, 3x3, 14x14)";
    layers[1].name = "ResNet-18 3x3 (256->256, 14x14)";
    layers[2].name = "FC 4096x4096";
    for (int i = 0; i < 2; ++i) {
        Conv2dShape& s = layers[i].s;
        s.in_channels = s.out_channels = i == 0 ? 512 : 256;
        s.in_h = s.in_w = 14, s.kernel_h = s.kernel_w = 3, s.pad_h = s.pad_w = 1;
    }
    layers[2].s.in_channels = layers[2].s.out_channels = 4096;
    for (Layer& l : layers) l.s.batch = 16;
    const Setting settings[] = {
        {"default memories", false, SyncMode::Tile, TilePipeline::Overlap, TimingRule::Full},
        {"default memories, serial tiles", false, SyncMode::Tile, TilePipeline::Serial, TimingRule::Full},
        {"ideal memory", true, SyncMode::Tile, TilePipeline::Overlap, TimingRule::Full},
        {"ideal memory, serial tiles", true, SyncMode::Tile, TilePipeline::Serial, TimingRule::Full},
        {"ideal memory, `sync: step`", true, SyncMode::Step, TilePipeline::Overlap, TimingRule::Full},
        {"compute only (published rule)", false, SyncMode::Tile, TilePipeline::Overlap, TimingRule::ComputeOnly},
    };
    std::string out =
        "\n## Procrustes forward at density 0.1, batch 16: load balancer, tile pipeline, compute-only rule\n\n"
        "Bernoulli weight masks at density 0.1 in the block format, batch 16, forward op. Each cell: dense / sparse "
        "cycles with the load balancer **on / off**; *LB energy*: the balancer's sorts in % of the op's energy "
        "(sync: tile). *Ideal memory*: `accel.gb_bytes_per_cycle=1048576 dram.bandwidth_gbps=10000 "
        "dram.latency_ns=0`. *Bound*: the largest of the op's compute (published rule), GB-port and DRAM busy "
        "cycles at default memories (LB on), with those cycles.\n\n| setting |";
    for (const Layer& l : layers) out += " " + l.name + " |";
    out += "\n|---|---|---|---|\n";
    struct Prepared {
        OpShape nest;
        NestOperands ops;
        WeightFormat wf;
    };
    std::vector<Prepared> prep;
    for (const Layer& l : layers) {
        const Conv2dShape& s = l.s;
        const size_t nw = size_t(s.w_elements());
        const auto wm = bernoulli_mask(nw, 0.1, 51);
        Prepared p;
        block_weight_format(s, wm.data(), &p.wf);
        p.nest = conv_nests(s, Phase::Forward)[0];
        conv_operands(s, Phase::Forward, wm.data(), nullptr, nullptr, &p.ops);
        prep.push_back(std::move(p));
    }
    std::string lb_energy = "| LB energy, % of the op |", bound = "| bound at default memories (busy cycles) |";
    for (const Setting& st : settings) {
        ArrayConfig cfg;
        cfg.sync = st.sync, cfg.pipeline = st.pipe, cfg.timing = st.timing;
        if (st.ideal) cfg.gb_bytes_per_cycle = 1048576, cfg.dram_bytes_per_s = 10000e9, cfg.dram_latency_ns = 0;
        TimingModel tm(cfg);
        out += std::string("| ") + st.label + " |";
        for (const Prepared& p : prep) {
            const OpCost dense = tm.nest(p.nest);
            const SparseCost on = sparse_nest_cost(tm, p.nest, p.ops, p.wf, true);
            const SparseCost off = sparse_nest_cost(tm, p.nest, p.ops, p.wf, false);
            out += " " + f2(double(dense.cycles) / double(on.op.cycles)) + " / " +
                   f2(double(dense.cycles) / double(off.op.cycles)) + " |";
            if (&st == &settings[0]) {
                const EnergyTable et;
                const SparseEnergyTable se;
                lb_energy += " " + f2(100.0 * sparse_unit_energy(on.extra, et, se).load_balancer_pj /
                                      sparse_energy_pj(on, et, se)) + " |";
                const OpCost& c = on.op;
                const char* b = c.rule_cycles >= std::max(c.port_cycles, c.dram_cycles) ? "compute"
                                : c.port_cycles >= c.dram_cycles                       ? "GB port"
                                                                                       : "DRAM";
                char buf[160];
                std::snprintf(buf, sizeof buf, " %s (compute %llu, port %llu, DRAM %llu of %llu) |", b,
                              (unsigned long long)c.rule_cycles, (unsigned long long)c.port_cycles,
                              (unsigned long long)c.dram_cycles, (unsigned long long)c.cycles);
                bound += buf;
            }
        }
        out += "\n";
    }
    return out + lb_energy + "\n" + bound + "\n";
}

}  // namespace

int main(int argc, char** argv) {
    Layer fc{"FC 64x800->500", {}};
    fc.s.batch = 64, fc.s.in_channels = 800, fc.s.out_channels = 500;
    Layer conv{"CONV batch 16, 64->64, 3x3, 16x16, pad 1", {}};
    conv.s.batch = 16, conv.s.in_channels = 64, conv.s.out_channels = 64, conv.s.in_h = conv.s.in_w = 16;
    conv.s.kernel_h = conv.s.kernel_w = 3, conv.s.pad_h = conv.s.pad_w = 1;

    Runner run;
    std::string out =
        "# Sparse training ops against dense on the same array\n\n"
        "Generated by `cmake --build build --target sparse_table_report` (models/accel/sparse/sparse_table.cpp).\n"
        "16x16 PEs, CxN dataflow, ArrayConfig and EnergyTable defaults (Procrustes 40 nm, per-tile synchronisation "
        "`sync: tile`), SparseEnergyTable defaults ([open] sparse-unit energies). Each cell: **speedup / energy "
        "ratio** (dense / sparse) of one op;\n"
        "*step* is the three training ops together (forward + input grad + weight grad); the last column is that "
        "step's speedup when the array synchronises every lock-step step instead (`sync: step`, the previous "
        "model). Compressed weight formats move only kept values + metadata (DRAM, GB -> RF fills). Random operand "
        "maps with fixed seeds; natural ReLU zeros 50% in X (and in dY before pruning) where used.\n";
    const Phase phases[3] = {Phase::Forward, Phase::InputGrad, Phase::WeightGrad};
    for (const Layer& L : {fc, conv}) {
        const Conv2dShape& s = L.s;
        const size_t nw = size_t(s.w_elements()), nx = size_t(s.x_elements()), ny = size_t(s.y_elements());
        const auto x_relu = bernoulli_mask(nx, 0.5, 11);
        out += "\n## " + L.name +
               "\n\n| scheme | forward | input grad | weight grad | step | step speedup, sync: step |\n"
               "|---|---|---|---|---|---|\n";
        // Procrustes: unstructured weight masks in the block format; weight grad dense over weights,
        // skipping zero X; the quantile unit scores every weight on write-back.
        for (bool lb : {false, true})
            for (double d : {1.0, 0.5, 0.25, 0.1, 0.05}) {
                const auto wm = bernoulli_mask(nw, d, 21);
                const auto w = gauss(nw, 22);
                BlockSparseWeights b;
                int64_t bk, bc;
                BlockSparseWeights::block_shape({}, s.kernel_h, s.kernel_w, &bk, &bc);
                BlockSparseWeights::encode(w.data(), wm.data(), s.out_channels, s.in_channels, s.kernel_h, s.kernel_w,
                                           bk, bc, 20, &b);
                WeightFormat wf;
                wf.compressed = true, wf.density = b.density();
                wf.metadata_bits_per_weight = double(b.metadata_bits()) / double(b.elements());
                wf.unit_elements = b.block_elements();
                WeightFormat wt = wf;
                wt.transposed_walk = true;
                Cell c[3] = {run.run(s, phases[0], wm.data(), nullptr, nullptr, wf, lb, 0, 0),
                             run.run(s, phases[1], wm.data(), nullptr, nullptr, wt, lb, 0, 0),
                             run.run(s, phases[2], nullptr, x_relu.data(), nullptr, {}, lb, 0, nw)};
                char label[96];
                std::snprintf(label, sizeof label, "Procrustes density %.2f, LB %s", d, lb ? "on" : "off");
                out += row(label, c);
            }
        // N:M bidirectional: forward copy along C, backward copy along K; weight grad dense.
        for (const auto& nm : {std::pair{2u, 4u}, {2u, 8u}, {1u, 4u}}) {
            const unsigned n = nm.first, m = nm.second; // named copies: a lambda below captures m
            const auto w = gauss(nw, 31);
            NmWeights f, bw;
            NmWeights::prune(w.data(), s.out_channels, s.in_channels, s.kernel_h, s.kernel_w, {n, m}, NmAxis::Input, &f);
            NmWeights::prune(w.data(), s.out_channels, s.in_channels, s.kernel_h, s.kernel_w, {n, m}, NmAxis::Output, &bw);
            std::vector<uint8_t> fm(nw), bm(nw);
            f.kept_mask(fm.data()), bw.kept_mask(bm.data());
            auto fmt = [&](const NmWeights& x) {
                WeightFormat wf;
                wf.compressed = true, wf.density = double(x.value_bytes() / 4) / double(x.elements());
                wf.metadata_bits_per_weight = double(x.metadata_bits()) / double(x.elements());
                wf.unit_elements = m;
                return wf;
            };
            Cell c[3] = {run.run(s, phases[0], fm.data(), nullptr, nullptr, fmt(f), true, 0, 0),
                         run.run(s, phases[1], bm.data(), nullptr, nullptr, fmt(bw), true, 0, 0),
                         run.run(s, phases[2], nullptr, nullptr, nullptr, {}, false, 0, 0)};
            char label[96];
            std::snprintf(label, sizeof label, "N:M %u:%u (ideal step %.2fx)", n, m, 3.0 / (2.0 * n / m + 1));
            out += row(label, c);
        }
        // SparseTrain: ReLU zeros in X and dY, dY pruned stochastically at rate p.
        for (bool lb : {false, true})
            for (double p : {0.0, 0.5, 0.9}) {
                auto g = gauss(ny, 41);
                const auto nat = bernoulli_mask(ny, 0.5, 42);
                for (size_t i = 0; i < ny; ++i)
                    if (!nat[i]) g[i] = 0.0f;
                GradientPrunerConfig pc;
                pc.prune_rate = p;
                GradientPruner pr(pc);
                // Threshold from the non-zero gradients (the layer's statistics after ReLU).
                std::vector<float> nz;
                for (float v : g)
                    if (v != 0.0f) nz.push_back(v);
                const float tau = float(pr.threshold(nz.data(), int64_t(nz.size())));
                Xorshift32 rng(7);
                for (float& v : g)
                    if (v != 0.0f && std::abs(v) < tau) v = rng.unit() * tau < std::abs(v) ? std::copysign(tau, v) : 0.0f;
                std::vector<uint8_t> dym(ny);
                size_t zeros = 0;
                for (size_t i = 0; i < ny; ++i) dym[i] = g[i] != 0.0f, zeros += g[i] == 0.0f;
                Cell c[3] = {run.run(s, phases[0], nullptr, x_relu.data(), nullptr, {}, lb, 0, 0),
                             run.run(s, phases[1], nullptr, nullptr, dym.data(), {}, lb, ny, 0),
                             run.run(s, phases[2], nullptr, x_relu.data(), dym.data(), {}, lb, 0, 0)};
                char label[128];
                std::snprintf(label, sizeof label, "SparseTrain p %.1f (dY zeros %.0f%%), LB %s", p,
                              100.0 * double(zeros) / double(ny), lb ? "on" : "off");
                out += row(label, c);
            }
    }
    // Where the time goes: Procrustes forward at density 0.1 with the memories relaxed step by step.
    out += "\n## Procrustes forward at density 0.1: what bounds the speedup\n\n"
           "| layer | default memories | GB port unlimited | GB port and DRAM unlimited |\n|---|---|---|---|\n";
    for (const Layer& L : {fc, conv}) {
        const Conv2dShape& s = L.s;
        const size_t nw = size_t(s.w_elements());
        const auto wm = bernoulli_mask(nw, 0.1, 21);
        WeightFormat wf;
        wf.compressed = true, wf.density = 0.1, wf.metadata_bits_per_weight = 20.0 / 64 + 1;
        std::string r = "| " + L.name + " |";
        for (int relax = 0; relax < 3; ++relax) {
            ArrayConfig cfg;
            if (relax >= 1) cfg.gb_bytes_per_cycle = 1u << 16;
            if (relax >= 2) cfg.dram_bytes_per_s = 1e15, cfg.dram_latency_ns = 0;
            TimingModel tm(cfg);
            const OpShape nest = conv_nests(s, Phase::Forward)[0];
            NestOperands ops;
            conv_operands(s, Phase::Forward, wm.data(), nullptr, nullptr, &ops);
            const double sp = double(tm.nest(nest).cycles) / double(sparse_nest_cost(tm, nest, ops, wf, false).op.cycles);
            char buf[32];
            std::snprintf(buf, sizeof buf, " %.2f |", sp);
            r += buf;
        }
        out += r + "\n";
    }
    out += issue_layers_table();
    if (argc > 1) {
        FILE* f = std::fopen(argv[1], "w");
        if (!f) return 1;
        std::fputs(out.c_str(), f);
        std::fclose(f);
    } else {
        std::fputs(out.c_str(), stdout);
    }
    return 0;
}
