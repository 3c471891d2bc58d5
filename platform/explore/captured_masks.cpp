#include "captured_masks.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include "explore_config.h"
#include "timing_only.h"

namespace stvp::explore {

using capture::LayerKind;
using capture::LayerShape;
using capture::MapKind;

namespace {

LayerShape shape_of(const Layer& l, uint32_t id) {
    LayerShape s;
    s.id = id;
    if (l.type == LayerType::Fc) {
        s.kind = LayerKind::Fc, s.c = l.in_c, s.k = l.out_c;
        return s;
    }
    s.kind = LayerKind::Conv, s.c = l.in_c, s.h = l.in_h, s.w = l.in_w, s.k = l.out_c;
    s.r = s.s = l.kernel, s.stride = l.stride, s.pad = l.pad;
    return s;
}

// splitmix64 (the estimator's own mask generator is private to timing_only.cpp).
uint64_t mix(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::string fmt(const char* f, double v) {
    char b[48];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

}  // namespace

CapturedMasks::CapturedMasks(const std::string& spec, const Network& net, bool bernoulli) : bernoulli_(bernoulli) {
    path_ = spec;
    bool step_given = false;
    const size_t colon = spec.rfind(':');
    if (colon != std::string::npos && colon + 1 < spec.size() &&
        spec.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        path_ = spec.substr(0, colon);
        step_ = uint32_t(std::strtoul(spec.c_str() + colon + 1, nullptr, 10));
        step_given = true;
    }
    try {
        file_ = capture::read_mask_file(path_);
    } catch (const capture::MaskFileError& e) {
        throw ExploreError(std::string("--masks: ") + e.what());
    }
    const std::vector<uint32_t> steps = file_.steps();
    if (steps.empty()) throw ExploreError("--masks: " + path_ + ": the file holds no captured step");
    if (!step_given) step_ = steps.back();
    bool have = false;
    std::string list;
    for (uint32_t s : steps) have |= s == step_, list += (list.empty() ? "" : ", ") + std::to_string(s);
    if (!have)
        throw ExploreError("--masks: " + path_ + ": step " + std::to_string(step_) + " is not in the file (steps " + list +
                           ")");
    // Weight layers in order on both sides.
    std::vector<const Layer*> wl;
    for (const Layer& l : net.layers)
        if (l.type != LayerType::Pool) wl.push_back(&l);
    for (size_t i = 0; i < wl.size() && i < file_.layers.size(); ++i) {
        const Layer& l = *wl[i];
        const LayerShape& f = file_.layers[i];
        if (l.depthwise)
            throw ExploreError("--masks: layer " + l.name + " is depthwise; captured masks come from dense conv/fc layers");
        const LayerShape want = shape_of(l, f.id);
        if (want != f)
            throw ExploreError("--masks: " + path_ + " does not match " + net.origin + ": layer " + l.name +
                               " (weight layer " + std::to_string(i + 1) + ") is " + want.describe() +
                               ", the file's layer " + std::to_string(f.id) + " is " + f.describe());
        layer_ids_.emplace_back(l.name, f.id);
    }
    if (wl.size() != file_.layers.size())
        throw ExploreError("--masks: " + path_ + " does not match " + net.origin + ": the network has " +
                           std::to_string(wl.size()) + " conv/fc layers, the file " +
                           std::to_string(file_.layers.size()));
}

const capture::MaskRecord* CapturedMasks::record(const std::string& layer, MapKind kind) const {
    for (const auto& [name, id] : layer_ids_)
        if (name == layer) return file_.find(step_, id, kind);
    return nullptr;
}

bool CapturedMasks::map_of(const std::string& layer, MapKind kind, uint64_t count, std::vector<uint8_t>* out) const {
    const capture::MaskRecord* r = record(layer, kind);
    if (!r) return false;
    if (count > r->map.elements())
        throw ExploreError("--masks: layer " + layer + " " + to_string(kind) + ": " + std::to_string(count) +
                           " elements asked, " + std::to_string(r->map.elements()) + " captured");
    if (!bernoulli_) {
        *out = r->map.unpack(count);
        return true;
    }
    const double d = double(r->map.ones()) / double(r->map.elements());
    const uint64_t thr = d >= 1 ? ~0ull : uint64_t(d * 18446744073709551616.0);
    uint64_t s = (uint64_t{r->layer} << 8) ^ uint64_t(kind) ^ 0x5eed0000ull;
    out->resize(size_t(count));
    for (auto& x : *out) x = d >= 1 || mix(s) < thr;
    return true;
}

bool CapturedMasks::weights(const std::string& layer, std::vector<uint8_t>* map) const {
    const capture::MaskRecord* r = record(layer, MapKind::Weights);
    return r && map_of(layer, MapKind::Weights, r->map.elements(), map);
}

bool CapturedMasks::inputs(const std::string& layer, uint32_t b, std::vector<uint8_t>* map) const {
    const capture::MaskRecord* r = record(layer, MapKind::Inputs);
    return r && map_of(layer, MapKind::Inputs, r->map.elements() / batch() * b, map);
}

bool CapturedMasks::output_grads(const std::string& layer, uint32_t b, std::vector<uint8_t>* map) const {
    const capture::MaskRecord* r = record(layer, MapKind::OutputGrads);
    return r && map_of(layer, MapKind::OutputGrads, r->map.elements() / batch() * b, map);
}

double CapturedMasks::density(const std::string& layer, MapKind kind) const {
    const capture::MaskRecord* r = record(layer, kind);
    return r ? double(r->map.ones()) / double(r->map.elements()) : -1.0;
}

void CapturedMasks::set_densities(Workload* w) const {
    // Densities 0 (a layer with every weight or input zero) are outside the keys' (0, 1].
    for (const auto& [name, id] : layer_ids_) {
        (void)id;
        const double wd = density(name, MapKind::Weights), xd = density(name, MapKind::Inputs);
        if (wd > 0) w->layer_weight_density[name] = wd;
        if (xd > 0) w->layer_act_density[name] = xd;
    }
}

void attach_masks(const std::string& spec, const Network& net, bool bernoulli, Workload* w) {
    auto m = std::make_shared<const CapturedMasks>(spec, net, bernoulli);
    if (w->batch != m->batch())
        throw ExploreError("--masks: " + m->path() + " was captured at batch " + std::to_string(m->batch()) +
                           ", the estimate is at batch " + std::to_string(w->batch) + " (give --batch " +
                           std::to_string(m->batch()) + ")");
    m->set_densities(w);
    w->masks = m;
}

std::string masks_table(const Network& net, const CapturedMasks& m, const Estimate& real, const Estimate& twin,
                        const std::string& title) {
    struct Sum {
        double dense_cycles = 0, cycles = 0, dense_pj = 0, pj = 0;
    };
    auto by_layer = [](const Estimate& e) {
        std::map<std::string, Sum> s;
        for (const OpRow& r : e.ops) {
            Sum& x = s[r.layer];
            x.dense_cycles += r.dense_cycles, x.cycles += r.cycles;
            x.dense_pj += r.dense_energy.total(), x.pj += r.energy.total();
        }
        return s;
    };
    const auto a = by_layer(real), b = by_layer(twin);
    auto d = [](double v) { return v < 0 ? std::string("-") : fmt("%.4f", v); };
    std::string o = title + "\n\n";
    o += "| layer | weights kept | input non-zero | output grad non-zero | dense cycles | cycles, captured | "
         "cycles, Bernoulli | speedup, captured | speedup, Bernoulli | energy ratio, captured | energy ratio, "
         "Bernoulli |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    auto row = [&](const std::string& name, const std::string& wd, const std::string& xd, const std::string& gd,
                   const Sum& x, const Sum& y) {
        o += "| " + name + " | " + wd + " | " + xd + " | " + gd + " | " + fmt("%.0f", x.dense_cycles) + " | " +
             fmt("%.0f", x.cycles) + " | " + fmt("%.0f", y.cycles) + " | " + fmt("%.3fx", x.dense_cycles / x.cycles) +
             " | " + fmt("%.3fx", y.dense_cycles / y.cycles) + " | " + fmt("%.3f", x.dense_pj / x.pj) + " | " +
             fmt("%.3f", y.dense_pj / y.pj) + " |\n";
    };
    std::vector<std::string> names;
    for (const Layer& l : net.layers) names.push_back(l.name);
    names.push_back("softmax_xent"), names.push_back("sgd");
    for (const std::string& n : names) {
        if (!a.count(n) || !b.count(n)) continue;
        row(n, d(m.density(n, MapKind::Weights)), d(m.density(n, MapKind::Inputs)),
            d(m.density(n, MapKind::OutputGrads)), a.at(n), b.at(n));
    }
    Sum ta{real.total.dense_cycles, real.total.cycles, real.total.dense_energy.total(), real.total.energy.total()};
    Sum tb{twin.total.dense_cycles, twin.total.cycles, twin.total.dense_energy.total(), twin.total.energy.total()};
    row("**total**", "", "", "", ta, tb);
    return o;
}

void report_masks(const Network& net, const ExploreSetup& s, const Estimate& real, const std::string& table_path,
                  std::ostream& out) {
    const CapturedMasks& m = *s.workload.masks;
    Workload twin = s.workload;
    twin.masks = std::make_shared<const CapturedMasks>(m.path() + ":" + std::to_string(m.step()), net, true);
    const Estimate e = estimate(net, twin, s.array, s.energy, s.sparse);
    char title[512];
    std::snprintf(title, sizeof title,
                  "%s, batch %u, scheme %s, %ux%u PEs: masks captured at training step %u vs. Bernoulli masks at the "
                  "same per-layer densities",
                  net.name.c_str(), s.workload.batch, to_string(s.workload.scheme), s.array.rows, s.array.cols, m.step());
    const std::string t = masks_table(net, m, real, e, title);
    out << "\n" << t;
    if (table_path.empty()) return;
    std::ofstream f(table_path);
    f << t;
    if (!f) throw ExploreError(table_path + ": cannot write");
}

}  // namespace stvp::explore
