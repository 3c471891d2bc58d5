#include "timing_only.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <random>
#include <unordered_map>

#include "accel/core/loop_nest.h"
#include "accel/core/timing.h"
#include "accel/sparse/block_sparse.h"
#include "accel/sparse/gradient_pruner.h"
#include "accel/sparse/nm_sparse.h"
#include "accel/sparse/work_source.h"
#include "captured_masks.h"
#include "train_chain_ops.h"

namespace stvp::explore {

using namespace stvp::accel;
using namespace stvp::accel::sparse;

const char* to_string(Scheme s) {
    switch (s) {
        case Scheme::Dense: return "dense";
        case Scheme::Procrustes: return "procrustes";
        case Scheme::Nm: return "nm";
        case Scheme::SparseTrain: return "sparsetrain";
    }
    return "?";
}

Energy& Energy::operator+=(const Energy& o) {
    pe += o.pe, rf += o.rf, gb += o.gb, dram += o.dram, sparse += o.sparse;
    return *this;
}

std::string Workload::validate() const {
    auto unit = [](double d) { return d > 0 && d <= 1; };
    if (batch < 1 || batch > 4096) return "batch " + std::to_string(batch) + " must be in [1, 4096]";
    if (!unit(weight_density)) return "weight_density must be in (0, 1]";
    if (!unit(act_density)) return "act_density must be in (0, 1]";
    if (!(prune_rate >= 0 && prune_rate < 1)) return "prune_rate must be in [0, 1)";
    NmConfig nm{n, m};
    const std::string e = nm.validate();
    if (!e.empty()) return "n/m " + e;
    for (const auto& kv : layer_weight_density)
        if (!unit(kv.second)) return "weight_density." + kv.first + " must be in (0, 1]";
    for (const auto& kv : layer_act_density)
        if (!unit(kv.second)) return "act_density." + kv.first + " must be in (0, 1]";
    return "";
}

bool Workload::set(const std::string& key, const std::string& v) {
    auto num = [&](double lo, double hi) {
        char* end = nullptr;
        const double x = std::strtod(v.c_str(), &end);
        if (v.empty() || *end || !(x >= lo && x <= hi))
            throw ExploreError("'" + key + "': '" + v + "' is not a number in [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "]");
        return x;
    };
    if (key == "scheme") {
        if (v == "dense") scheme = Scheme::Dense;
        else if (v == "procrustes") scheme = Scheme::Procrustes;
        else if (v == "nm") scheme = Scheme::Nm;
        else if (v == "sparsetrain") scheme = Scheme::SparseTrain;
        else throw ExploreError("'scheme': '" + v + "' is not dense, procrustes, nm or sparsetrain");
    } else if (key == "batch") batch = uint32_t(num(1, 4096));
    else if (key == "weight_density") weight_density = num(1e-6, 1);
    else if (key == "act_density") act_density = num(1e-6, 1);
    else if (key == "prune_rate") prune_rate = num(0, 0.999);
    else if (key == "n") n = uint32_t(num(1, 64));
    else if (key == "m") m = uint32_t(num(1, 64));
    else if (key == "sample_batch") sample_batch = uint32_t(num(0, 4096));
    else if (key == "density") density = num(1e-6, 1);
    else if (key == "exact_macs") exact_macs = num(0, 1e18);
    else if (key == "seed") seed = uint32_t(num(0, 4294967295.0));
    else if (key.rfind("weight_density.", 0) == 0) layer_weight_density[key.substr(15)] = num(1e-6, 1);
    else if (key.rfind("act_density.", 0) == 0) layer_act_density[key.substr(12)] = num(1e-6, 1);
    else return false;
    return true;
}

double sparsetrain_keep_fraction(double p, uint32_t seed) {
    if (p <= 0) return 1.0;
    constexpr int64_t kSamples = 1 << 16;
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0, 1);
    std::vector<float> g(kSamples);
    for (float& x : g) x = d(rng);
    GradientPrunerConfig pc;
    pc.prune_rate = p;
    pc.seed = seed;
    GradientPruner pr(pc);
    pr.prune(g.data(), kSamples);
    int64_t kept = 0;
    for (float x : g) kept += x != 0.0f;
    return double(kept) / double(kSamples);
}

namespace {

// splitmix64: fast seeded masks (a 37M-weight FC layer in well under a second).
struct Mix {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
};
std::vector<uint8_t> mask(size_t n, double density, uint64_t seed) {
    Mix r{seed};
    const uint64_t thr = density >= 1 ? ~0ull : uint64_t(density * 18446744073709551616.0);
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = density >= 1 || r.next() < thr;
    return v;
}
std::vector<float> magnitudes(size_t n, uint64_t seed) {
    Mix r{seed};
    std::vector<float> v(n);
    for (auto& x : v) x = float(r.next() >> 40) + 1.0f;
    return v;
}

struct Measured {
    double cycles = 0, macs = 0, rule = 0, port = 0, dram = 0;
    Energy e;
};
Measured measured(const OpCost& c, const EnergyTable& et) {
    const EnergyBreakdown b = energy_of(c.counts, et);
    Measured m;
    m.cycles = double(c.cycles), m.macs = double(c.macs);
    m.rule = double(c.rule_cycles), m.port = double(c.port_cycles), m.dram = double(c.dram_cycles);
    m.e.pe = b.pe_pj, m.e.rf = b.rf_pj, m.e.gb = b.gb_pj + b.control_pj, m.e.dram = b.dram_pj, m.e.sparse = b.sparse_pj;
    return m;
}
double scale(double full_dense, double sample_sparse, double sample_dense, double batch_ratio) {
    return sample_dense > 0 ? full_dense * sample_sparse / sample_dense : sample_sparse * batch_ratio;
}
// The largest of the op's compute (rule), GB port and DRAM busy cycles.
const char* bound_of(const Measured& m) {
    if (m.rule >= m.port && m.rule >= m.dram) return "compute";
    return m.port >= m.dram ? "GB port" : "DRAM";
}

// The geometry of one weight op (FC as a 1x1 conv on 1x1 planes), batch left to the caller.
Conv2dShape conv_shape(const Layer& l, uint32_t batch) {
    Conv2dShape s;
    s.batch = batch;
    if (l.type == LayerType::Fc) {
        s.in_channels = l.in_c, s.out_channels = l.out_c;
        return s;
    }
    s.in_channels = l.depthwise ? 1 : l.in_c;
    s.out_channels = l.depthwise ? 1 : l.out_c;
    s.in_h = l.in_h, s.in_w = l.in_w, s.kernel_h = s.kernel_w = l.kernel;
    s.stride_h = s.stride_w = l.stride, s.pad_h = s.pad_w = l.pad;
    return s;
}
FcShape fc_shape(const Conv2dShape& s) {
    FcShape f;
    f.batch = s.batch, f.in_features = s.in_channels, f.out_features = s.out_channels;
    return f;
}

class Estimator {
public:
    Estimator(const Workload& w, const ArrayConfig& a, const EnergyTable& et, const AccelSparseConfig& sc)
        : w_(resolved(w)), tm_(a), et_(et), sc_(sc), keep_(sparsetrain_keep_fraction(w.prune_rate, w.seed)) {}

    static Workload resolved(Workload w) {
        if (w.density >= 0) {
            if (w.scheme == Scheme::Procrustes) w.weight_density = w.density;
            if (w.scheme == Scheme::SparseTrain) w.act_density = w.density;
            if (w.scheme == Scheme::Nm) {
                w.n = std::max<uint32_t>(1, uint32_t(std::lround(w.density * w.m)));
                if (w.n >= w.m) w.scheme = Scheme::Dense;  // m:m keeps every weight
            }
        }
        return w;
    }

    Estimate run(const Network& net) {
        Estimate est;
        est.clock_hz = tm_.config().clock_hz;
        est.pes = tm_.config().pes() * tm_.config().macs_per_pe;
        train_net_t tn;
        std::string why;
        if (as_train_net(net, w_.batch, &tn, &why))
            chain_ops(net, tn, est);
        else
            layer_ops(net, est);
        for (const OpRow& r : est.ops) {
            OpRow& t = est.total;
            t.dense_cycles += r.dense_cycles, t.cycles += r.cycles, t.dense_macs += r.dense_macs, t.macs += r.macs;
            t.dense_rule_cycles += r.dense_rule_cycles, t.rule_cycles += r.rule_cycles;
            t.dense_energy += r.dense_energy, t.energy += r.energy;
            t.sampled |= r.sampled;
        }
        est.total.layer = "total";
        return est;
    }

private:
    static int last_weight_layer(const Network& net) {
        int last = -1;
        for (size_t i = 0; i < net.layers.size(); ++i)
            if (net.layers[i].type != LayerType::Pool) last = int(i);
        return last;
    }
    // The input of layer i passed a ReLU if the nearest earlier non-pool layer's output did.
    static bool input_relu(const Network& net, size_t i) {
        for (size_t j = i; j-- > 0;)
            if (net.layers[j].type != LayerType::Pool) return net.layers[j].relu;
        return false;
    }

    // A network train.elf could train: the ops of its step chain (sw/lib/chain), in chain
    // order. The gather COPYs and the scheme's own passes (DROPBACK, NM_PREGEN, GRAD_PRUNE) are
    // not charged, as for every network; each SGD descriptor (weights, biases) is.
    void chain_ops(const Network& net, const train_net_t& tn, Estimate& est) {
        static const uint32_t kMode[] = {TRAIN_MODE_DENSE, TRAIN_MODE_PROCRUSTES, TRAIN_MODE_NM, TRAIN_MODE_SPARSETRAIN};
        const std::vector<stvp_accel_desc> chain = train_step_chain(tn, kMode[size_t(w_.scheme)], w_.batch);
        if (chain.empty()) throw ExploreError("timing-only: the chain builder refused " + net.name);
        const int last = last_weight_layer(net);
        for (const stvp_accel_desc& d : chain) {
            if (d.opcode == STVP_ACCEL_OP_SOFTMAX_XENT) {
                est.ops.push_back(fixed("softmax_xent", "forward", tm_.softmax_xent({d.n, d.k})));
                continue;
            }
            if (d.layer == 0 || d.layer > net.layers.size()) continue;  // the gather
            const size_t i = d.layer - 1;
            const Layer& l = net.layers[i];
            switch (d.opcode) {
                case STVP_ACCEL_OP_FC_FWD:
                case STVP_ACCEL_OP_CONV_FWD:
                    est.ops.push_back(weight_op(l, Phase::Forward, input_relu(net, i), int(i) == last));
                    break;
                case STVP_ACCEL_OP_FC_BWD_WEIGHT:
                case STVP_ACCEL_OP_CONV_BWD_WEIGHT:
                    est.ops.push_back(weight_op(l, Phase::WeightGrad, input_relu(net, i), int(i) == last));
                    break;
                case STVP_ACCEL_OP_FC_BWD_DATA:
                case STVP_ACCEL_OP_CONV_BWD_DATA:
                    est.ops.push_back(weight_op(l, Phase::InputGrad, input_relu(net, i), int(i) == last));
                    break;
                case STVP_ACCEL_OP_MAXPOOL_FWD: est.ops.push_back(fixed(l.name, "forward", tm_.maxpool2d_forward(pool_shape(l)))); break;
                case STVP_ACCEL_OP_MAXPOOL_BWD:
                    est.ops.push_back(fixed(l.name, "input_grad", tm_.maxpool2d_backward(pool_shape(l))));
                    break;
                case STVP_ACCEL_OP_SGD: {
                    SgdShape sg;
                    sg.count = d.n;
                    est.ops.push_back(fixed(l.name, "update", tm_.sgd(sg)));
                    break;
                }
                default: break;  // the scheme's own passes
            }
        }
    }

    // Any other network: per layer forward, weight gradient, input gradient (pool: forward,
    // backward), then softmax cross-entropy and one SGD over every weight.
    void layer_ops(const Network& net, Estimate& est) {
        const int last_weight = last_weight_layer(net);
        for (size_t i = 0; i < net.layers.size(); ++i) {
            const Layer& l = net.layers[i];
            const bool in_relu = input_relu(net, i);
            if (l.type == LayerType::Pool) {
                pool(est, l, i > 0);
                continue;
            }
            for (Phase ph : {Phase::Forward, Phase::WeightGrad, Phase::InputGrad}) {
                if (ph == Phase::InputGrad && i == 0) continue;
                est.ops.push_back(weight_op(l, ph, in_relu, int(i) == last_weight));
            }
        }
        const uint32_t B = w_.batch;
        SoftmaxXentShape sx{B, net.classes()};
        est.ops.push_back(fixed("softmax_xent", "forward", tm_.softmax_xent(sx)));
        SgdShape sg;
        sg.count = uint32_t(std::min<uint64_t>(net.weights(), UINT32_MAX));
        est.ops.push_back(fixed("sgd", "update", tm_.sgd(sg)));
    }

    OpRow fixed(const std::string& layer, const std::string& phase, const OpCost& c) const {
        const Measured m = measured(c, et_);
        OpRow r;
        r.layer = layer, r.phase = phase;
        r.dense_cycles = r.cycles = m.cycles, r.dense_macs = r.macs = m.macs;
        r.dense_rule_cycles = r.rule_cycles = m.rule;
        r.bound = bound_of(m);
        r.dense_energy = r.energy = m.e;
        return r;
    }

    Pool2dShape pool_shape(const Layer& l) const {
        Pool2dShape p;
        p.batch = w_.batch, p.channels = l.in_c, p.in_h = l.in_h, p.in_w = l.in_w;
        p.kernel_h = p.kernel_w = l.kernel, p.stride_h = p.stride_w = l.stride;
        return p;
    }

    void pool(Estimate& est, const Layer& l, bool backward) {
        const Pool2dShape p = pool_shape(l);
        est.ops.push_back(fixed(l.name, "forward", tm_.maxpool2d_forward(p)));
        if (backward) est.ops.push_back(fixed(l.name, "input_grad", tm_.maxpool2d_backward(p)));
    }

    double wd(const Layer& l) const {
        auto it = w_.layer_weight_density.find(l.name);
        return it != w_.layer_weight_density.end() ? it->second : w_.weight_density;
    }
    double ad(const std::string& name) const {
        auto it = w_.layer_act_density.find(name);
        return it != w_.layer_act_density.end() ? it->second : w_.act_density;
    }

    OpCost dense_op(const Conv2dShape& s, bool fc, Phase ph, const NestOptions& opt) {
        return fc ? tm_.fc(fc_shape(s), ph, opt) : tm_.conv2d(s, ph, opt);
    }

    OpRow weight_op(const Layer& l, Phase ph, bool in_relu, bool last) {
        const bool fc = l.type == LayerType::Fc;
        const uint32_t B = w_.batch;
        const double copies = l.depthwise ? double(l.in_c) : 1.0;  // depthwise: C single-channel convs
        NestOptions opt;
        opt.bias = ph != Phase::InputGrad;
        opt.relu = ph == Phase::Forward && l.relu;
        opt.relu_mask = ph == Phase::InputGrad && in_relu;
        const Conv2dShape full = conv_shape(l, B);
        const Measured dense = measured(dense_op(full, fc, ph, opt), et_);

        OpRow r;
        r.layer = l.name, r.phase = to_string(ph);
        r.dense_cycles = dense.cycles * copies, r.dense_macs = dense.macs * copies;
        r.dense_rule_cycles = dense.rule * copies;
        r.dense_energy = dense.e;
        r.dense_energy.pe *= copies, r.dense_energy.rf *= copies, r.dense_energy.gb *= copies;
        r.dense_energy.dram *= copies;

        // Which operands are sparse in this phase, and the per-op unit work of the full op.
        const double x_den = in_relu ? ad(l.name) : 1.0;
        const double dy_den = (l.relu ? ad(l.name) : 1.0) * (last ? 1.0 : keep_);
        bool use_w = false, use_x = false, use_dy = false;
        double quantile_ops = 0, pruner_ops = 0;
        switch (w_.scheme) {
            case Scheme::Dense: break;
            case Scheme::Procrustes:
                use_w = ph != Phase::WeightGrad;
                use_x = ph == Phase::WeightGrad && x_den < 1;
                if (ph == Phase::WeightGrad) quantile_ops = double(l.weights());
                break;
            case Scheme::Nm: use_w = ph != Phase::WeightGrad; break;
            case Scheme::SparseTrain:
                use_x = ph != Phase::InputGrad && x_den < 1;
                use_dy = ph != Phase::Forward && dy_den < 1;
                if (ph == Phase::InputGrad && !last) pruner_ops = double(full.y_elements()) * copies;
                break;
        }
        const double unit_pj = quantile_ops * sc_.energy.quantile_op_pj + pruner_ops * sc_.energy.pruner_op_pj;
        const bool split = !fc && ph == Phase::InputGrad && l.stride > 1;  // sub-pixel nests: dense (device rule)
        if ((!use_w && !use_x && !use_dy) || split) {
            r.cycles = r.dense_cycles, r.macs = r.dense_macs, r.energy = r.dense_energy;
            r.rule_cycles = r.dense_rule_cycles;
            r.bound = bound_of(dense);
            r.energy.sparse += unit_pj;
            return r;
        }

        // The sample: same layer at a smaller batch, reused for layers of the same geometry.
        const bool exact = w_.sample_batch == 0 || double(full.macs()) <= w_.exact_macs;
        const uint32_t b = exact ? B : std::min(B, w_.sample_batch);
        char key[256];
        std::snprintf(key, sizeof key, "%d %u %u %u %u %u %u %u %d %d %d %d %d %.6f %.6f %.6f %u", int(l.type), l.in_c,
                      l.in_h, l.in_w, l.out_c, l.kernel, l.stride, l.pad, l.depthwise, int(ph), use_w, use_x, use_dy,
                      use_w ? wd(l) : 0.0, x_den, dy_den, b);
        if (w_.masks) std::snprintf(key + std::strlen(key), sizeof key - std::strlen(key), " %s", l.name.c_str());
        auto it = cache_.find(key);
        if (it == cache_.end()) it = cache_.emplace(key, sample(l, ph, opt, b, use_w, use_x, use_dy, x_den, dy_den)).first;
        const Measured& sd = it->second.first;  // dense sample
        const Measured& ss = it->second.second; // sparse sample
        const double br = double(B) / double(b);
        r.sampled = b != B;
        r.cycles = scale(dense.cycles, ss.cycles, sd.cycles, br) * copies;
        r.rule_cycles = scale(dense.rule, ss.rule, sd.rule, br) * copies;
        r.bound = bound_of(ss);
        r.macs = scale(dense.macs, ss.macs, sd.macs, br) * copies;
        r.energy.pe = scale(dense.e.pe, ss.e.pe, sd.e.pe, br) * copies;
        r.energy.rf = scale(dense.e.rf, ss.e.rf, sd.e.rf, br) * copies;
        r.energy.gb = scale(dense.e.gb, ss.e.gb, sd.e.gb, br) * copies;
        r.energy.dram = scale(dense.e.dram, ss.e.dram, sd.e.dram, br) * copies;
        r.energy.sparse = ss.e.sparse * br * copies + unit_pj;
        return r;
    }

    void check(const std::string& e) const {
        if (!e.empty()) throw ExploreError("timing-only: " + e);
    }

    // Dense and sparse cost of the op at batch b with synthesised operand maps.
    std::pair<Measured, Measured> sample(const Layer& l, Phase ph, const NestOptions& opt, uint32_t b, bool use_w,
                                         bool use_x, bool use_dy, double x_den, double dy_den) {
        const bool fc = l.type == LayerType::Fc;
        const Conv2dShape s = conv_shape(l, b);
        const uint64_t seed = (uint64_t{w_.seed} << 32) ^ (uint64_t(++ops_) * 0x100000001b3ull);
        std::vector<uint8_t> wm, xm, dym;
        WeightFormat wf;
        const size_t nw = size_t(s.w_elements());
        if (use_w && w_.scheme == Scheme::Procrustes) {
            wm = mask(nw, wd(l), seed + 1);
            if (w_.masks) w_.masks->weights(l.name, &wm);
            check(block_weight_format(s, wm.data(), &wf));
            wf.transposed_walk = ph == Phase::InputGrad;
        } else if (use_w && w_.scheme == Scheme::Nm) {
            const std::vector<float> mag = magnitudes(nw, seed + 2);
            NmWeights nm;
            check(NmWeights::prune(mag.data(), s.out_channels, s.in_channels, s.kernel_h, s.kernel_w, {w_.n, w_.m},
                                   ph == Phase::Forward ? NmAxis::Input : NmAxis::Output, &nm));
            wm.resize(nw);
            nm.kept_mask(wm.data());
            wf.compressed = true, wf.density = double(nm.value_bytes() / 4) / double(nm.elements());
            wf.metadata_bits_per_weight = double(nm.metadata_bits()) / double(nm.elements());
            wf.unit_elements = w_.m;
        }
        if (use_x) xm = mask(size_t(s.x_elements()), x_den, seed + 3);
        if (use_dy) dym = mask(size_t(s.y_elements()), dy_den, seed + 4);
        if (use_x && w_.masks) w_.masks->inputs(l.name, b, &xm);
        if (use_dy && w_.masks) w_.masks->output_grads(l.name, b, &dym);
        const uint8_t* wp = wm.empty() ? nullptr : wm.data();
        const uint8_t* xp = xm.empty() ? nullptr : xm.data();
        const uint8_t* dyp = dym.empty() ? nullptr : dym.data();
        NestOperands ops;
        OpShape nest;
        if (fc) {
            nest = fc_nest(fc_shape(s), ph, opt);
            check(fc_operands(fc_shape(s), ph, wp, xp, dyp, &ops));
        } else {
            nest = conv_nests(s, ph, opt)[0];
            check(conv_operands(s, ph, wp, xp, dyp, &ops));
        }
        SparseCost c = sparse_nest_cost(tm_, nest, ops, wf, sc_.load_balance);
        Measured sp = measured(c.op, et_);
        sp.e.sparse += sparse_unit_energy(c.extra, et_, sc_.energy).total_pj();
        return {measured(tm_.nest(nest), et_), sp};
    }

    Workload w_;
    TimingModel tm_;
    EnergyTable et_;
    AccelSparseConfig sc_;
    double keep_;
    uint64_t ops_ = 0;
    std::unordered_map<std::string, std::pair<Measured, Measured>> cache_;
};

}  // namespace

Estimate estimate(const Network& net, const Workload& w, const ArrayConfig& a, const EnergyTable& et,
                  const AccelSparseConfig& sc) {
    return Estimator(w, a, et, sc).run(net);
}

}  // namespace stvp::explore
