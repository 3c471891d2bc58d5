#include "accel/core/timing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace stvp::accel {

ActionCounts& ActionCounts::operator+=(const ActionCounts& o) {
    mac += o.mac;
    mac_gated += o.mac_gated;
    mac_idle += o.mac_idle;
    rf_read += o.rf_read;
    rf_write += o.rf_write;
    gb_read_bytes += o.gb_read_bytes;
    gb_write_bytes += o.gb_write_bytes;
    dram_read_bytes += o.dram_read_bytes;
    dram_write_bytes += o.dram_write_bytes;
    vector_op += o.vector_op;
    descriptor_fetch += o.descriptor_fetch;
    return *this;
}

bool ActionCounts::operator==(const ActionCounts& o) const {
    return mac == o.mac && mac_gated == o.mac_gated && mac_idle == o.mac_idle && rf_read == o.rf_read &&
           rf_write == o.rf_write && gb_read_bytes == o.gb_read_bytes && gb_write_bytes == o.gb_write_bytes &&
           dram_read_bytes == o.dram_read_bytes && dram_write_bytes == o.dram_write_bytes &&
           vector_op == o.vector_op && descriptor_fetch == o.descriptor_fetch;
}

OpCost& OpCost::operator+=(const OpCost& o) {
    cycles += o.cycles;
    compute_cycles += o.compute_cycles;
    dram_cycles += o.dram_cycles;
    macs += o.macs;
    macs_skipped += o.macs_skipped;
    gb_tiles += o.gb_tiles;
    array_steps += o.array_steps;
    gb_bytes_in_use = std::max(gb_bytes_in_use, o.gb_bytes_in_use);
    counts += o.counts;
    for (int r = 0; r < kRoles; ++r) {
        traffic[r].tensor = o.traffic[r].tensor;
        traffic[r].read_bytes += o.traffic[r].read_bytes;
        traffic[r].write_bytes += o.traffic[r].write_bytes;
    }
    return *this;
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A loop of array steps inside a GB tile: `dim` advanced `chunk` at a time over `extent`.
struct Loop {
    Dim dim;
    int64_t chunk;
    int64_t extent;
    int64_t count() const { return ceil_div(extent, chunk); }
    int64_t size(int64_t i) const { return std::min(chunk, extent - i * chunk); }
};
constexpr int kLoops = 7;
constexpr int kRowLoop = 4;  // loops kRowLoop.. are the reduction loops (row folds, R, S)

// Step order (mapping.h): column folds, output temporal dims, row folds, R, S.
std::array<Loop, kLoops> step_loops(const ArrayConfig& cfg, const Mapping& m, const DimArray& s) {
    const auto out = output_temporal_dims(m.dataflow);
    auto temporal = [&](Dim d) { return Loop{d, m.pe_tile[idx(d)], s[idx(d)]}; };
    return {{Loop{m.col_dim, cfg.cols, s[idx(m.col_dim)]}, temporal(out[0]), temporal(out[1]), temporal(out[2]),
             Loop{m.row_dim, cfg.rows, s[idx(m.row_dim)]}, temporal(Dim::R), temporal(Dim::S)}};
}

// Bytes of `bytes` dense bytes of the Wt operand in its stored format (wt_word_fraction).
int64_t wt_scaled(int64_t bytes, double fraction) {
    if (fraction >= 1.0) return bytes;
    return static_cast<int64_t>(std::ceil(static_cast<double>(bytes) * fraction - 1e-9));
}

// The array steps of one GB tile, in step order. The GB port serves, in order, the RF fill of
// the first step, then during each step s the write-back of step s-1 (if it ended an output
// chunk) and the fill of step s+1; step s+1 starts when the PEs are done with s and its fill
// has arrived. After the last step the array drains (rows + cols cycles) and the last
// write-back follows once the port is free:
//   C = fill_0 + sum_{s<L} max(c_s, wb_{s-1} + fill_{s+1}) + max(c_L + drain, wb_{L-1}) + wb_L
struct TileWalk {
    const ArrayConfig& cfg;
    double wt_fraction;
    int64_t cycles = 0, steps = 0;
    ActionCounts counts;
    // The previous step, still waiting for the next one's fill to close its max().
    bool pending = false;
    int64_t prev_c = 0, prev_wb_before = 0, prev_wb = 0;

    TileWalk(const ArrayConfig& c, double f) : cfg(c), wt_fraction(f) {}

    int64_t port_cycles(int64_t bytes) const { return ceil_div(bytes, cfg.gb_bytes_per_cycle); }

    // One step: c = its compute cycles; done = MACs performed over the array, dense = its dense MACs.
    void step(int64_t c, const StepWords& w, int64_t ar, int64_t ac, int64_t done, int64_t dense, bool chunk_end,
              bool first_red) {
        const int64_t fill_bytes = 4 * (w.fill_gb - w.wt_gb) + wt_scaled(4 * w.wt_gb, wt_fraction);
        const int64_t fill = port_cycles(fill_bytes);
        const int64_t wb = chunk_end ? port_cycles(4 * w.out_gb * (first_red ? 1 : 2)) : 0;
        if (pending) {
            cycles += std::max(prev_c, prev_wb_before + fill);
            prev_wb_before = prev_wb;
        } else {
            cycles += fill;  // the first fill is exposed
        }
        pending = true;
        prev_c = c;
        prev_wb = wb;
        ++steps;
        const int64_t rf_wt = ar * ac * w.wt_pe;
        counts.mac += done;
        counts.mac_gated += std::max<int64_t>(0, dense - done);
        counts.rf_read += 3 * done + (chunk_end ? ar * ac * w.out_pe : 0);
        counts.rf_write += done + (w.rf_fill - rf_wt) + wt_scaled(rf_wt, wt_fraction);
        counts.gb_read_bytes += fill_bytes + 4 * (chunk_end && !first_red ? w.out_gb : 0);
        counts.gb_write_bytes += 4 * (chunk_end ? w.out_gb : 0);
    }

    int64_t finish() {
        const int64_t drain = int64_t{cfg.rows} + cfg.cols;
        cycles += std::max(prev_c + drain, prev_wb_before) + prev_wb;
        return cycles;
    }
};

struct TileResult {
    int64_t cycles = 0;
    int64_t steps = 0;
    ActionCounts counts;
};

// One array step as the walk needs it.
struct StepRecord {
    int64_t c = 0;  // compute cycles: the slowest PE (step sync) or the dense step (tile sync, scaled later)
    StepWords words;
    int64_t ar = 0, ac = 0, done = 0, dense = 0;
    bool chunk_end = false;
};

// Walks the steps of the GB tile with origin o and extents s. With src == nullptr every active
// PE does the dense work (no calls, no per-PE buffer). Under SyncMode::Tile with a source the
// tile's compute is the PE with the most work over all steps, max_p W_p / macs_per_pe: every
// step's compute slot is the dense step's scaled by max_p W_p / D (D = the dense work of a PE
// active in every step, PE (0, 0)), so the port's per-step overlap is kept and a dense source
// costs exactly the dense walk.
TileResult walk_tile(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const DimArray& s,
                     const DimArray& origin, bool first_red, const PeWorkSource* src, std::vector<int64_t>& buf,
                     std::vector<int64_t>& totals, std::vector<StepRecord>& recs) {
    const auto loops = step_loops(cfg, m, s);
    std::array<int64_t, kLoops> n, i{};
    int64_t total = 1;
    for (int l = 0; l < kLoops; ++l) total *= (n[l] = loops[l].count());
    const int64_t pes = cfg.pes();
    const bool tile_sync = src && cfg.sync == SyncMode::Tile;
    if (src) buf.assign(static_cast<size_t>(pes), 0);
    if (tile_sync) totals.assign(static_cast<size_t>(pes), 0);
    recs.clear();
    int64_t dense_pe_total = 0;
    StepView view;
    view.nest = &nest;
    view.mapping = &m;
    for (int64_t step = 0; step < total; ++step) {
        view.origin = origin;
        view.size = DimArray{1, 1, 1, 1, 1, 1, 1};
        StepRecord r;
        r.chunk_end = true;
        for (int l = 0; l < kLoops; ++l) {
            const int d = idx(loops[l].dim);
            view.origin[d] = origin[d] + i[l] * loops[l].chunk;
            view.size[d] = loops[l].size(i[l]);
            if (l >= kRowLoop) r.chunk_end = r.chunk_end && i[l] == n[l] - 1;
        }
        r.ar = view.size[idx(m.row_dim)], r.ac = view.size[idx(m.col_dim)];
        const int64_t pe_dense = dense_pe_work(view);
        r.dense = r.ar * r.ac * pe_dense;
        r.done = r.dense;
        r.c = ceil_div(pe_dense, cfg.macs_per_pe);
        if (src) {
            std::fill(buf.begin(), buf.end(), 0);
            src->step_work(view, cfg.rows, cfg.cols, buf.data());
            r.done = 0;
            for (int64_t x : buf) r.done += x;
            if (tile_sync) {
                for (int64_t p = 0; p < pes; ++p) totals[static_cast<size_t>(p)] += buf[static_cast<size_t>(p)];
                dense_pe_total += pe_dense;
            } else {
                r.c = step_compute_cycles(buf.data(), pes, cfg.macs_per_pe);
            }
        }
        r.words = step_words(nest, m, view.size, r.ar, r.ac);
        recs.push_back(r);
        int l = kLoops - 1;
        for (; l >= 0; --l) {
            if (++i[l] < n[l]) break;
            i[l] = 0;
        }
    }
    if (tile_sync) {
        const int64_t most = pes > 0 ? *std::max_element(totals.begin(), totals.end()) : 0;
        for (StepRecord& r : recs)
            r.c = dense_pe_total > 0 ? ceil_div(r.c * most, dense_pe_total) : 0;
    }
    TileWalk walk(cfg, src ? src->wt_word_fraction() : 1.0);
    for (const StepRecord& r : recs)
        walk.step(r.c, r.words, r.ar, r.ac, r.done, r.dense, r.chunk_end, first_red);
    TileResult res;
    res.cycles = walk.finish();
    res.steps = walk.steps;
    res.counts = walk.counts;
    return res;
}

int64_t dram_request(const ArrayConfig& cfg, int64_t bytes) {
    if (bytes <= 0) return 0;
    return cfg.dram_latency_cycles() + static_cast<int64_t>(std::ceil(bytes / cfg.dram_bytes_per_cycle() - 1e-9));
}

}  // namespace

OpCost nest_cost(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const PeWorkSource* work) {
    OpCost cost;
    for (int r = 0; r < kRoles; ++r) cost.traffic[r].tensor = nest.tensor[r];
    cost.gb_bytes_in_use = static_cast<uint64_t>(m.gb_words) * 4 * (cfg.double_buffering ? 2 : 1);
    const DimArray& t = m.gb_tile;
    DimArray n;
    for (int d = 0; d < kDims; ++d) n[d] = ceil_div(nest.extent[d], t[d]);

    std::map<std::pair<DimArray, bool>, TileResult> dense_cache;
    std::vector<int64_t> buf, totals;
    std::vector<StepRecord> recs;
    const double wt_fraction = work ? work->wt_word_fraction() : 1.0;
    std::vector<int64_t> L, C, WB;
    DimArray i{}, prev{};
    auto changed = [&](std::initializer_list<Dim> deps) {
        for (Dim d : deps)
            if (i[idx(d)] != prev[idx(d)]) return true;
        return false;
    };
    ActionCounts& k = cost.counts;
    for (bool first = true;; first = false) {
        DimArray o, s;
        for (int d = 0; d < kDims; ++d) {
            o[d] = i[d] * t[d];
            s[d] = std::min(t[d], nest.extent[d] - o[d]);
        }
        auto S = [&](Dim d) { return s[idx(d)]; };
        auto O = [&](Dim d) { return o[idx(d)]; };
        // Loads of the operands whose tile changed.
        int64_t load = 0;
        if (first || changed({Dim::K, Dim::C, Dim::R, Dim::S})) {
            const int64_t b = wt_scaled(4 * S(Dim::K) * S(Dim::C) * S(Dim::R) * S(Dim::S), wt_fraction);
            load += dram_request(cfg, b);
            cost.traffic[static_cast<int>(Role::Weight)].read_bytes += b;
            k.dram_read_bytes += b;
        }
        if (first || changed({Dim::N, Dim::C, Dim::P, Dim::Q, Dim::R, Dim::S})) {
            const int64_t b =
                4 * S(Dim::N) * S(Dim::C) *
                input_rows(O(Dim::P), S(Dim::P), O(Dim::R), S(Dim::R), nest.stride_h, nest.dilation_h, nest.pad_h,
                           nest.in_h) *
                input_rows(O(Dim::Q), S(Dim::Q), O(Dim::S), S(Dim::S), nest.stride_w, nest.dilation_w, nest.pad_w,
                           nest.in_w);
            load += dram_request(cfg, b);
            cost.traffic[static_cast<int>(Role::Input)].read_bytes += b;
            k.dram_read_bytes += b;
        }
        const bool first_red = i[idx(Dim::C)] == 0 && i[idx(Dim::R)] == 0 && i[idx(Dim::S)] == 0;
        const bool last_red = i[idx(Dim::C)] == n[idx(Dim::C)] - 1 && i[idx(Dim::R)] == n[idx(Dim::R)] - 1 &&
                              i[idx(Dim::S)] == n[idx(Dim::S)] - 1;
        TileResult tr;
        if (work) {
            tr = walk_tile(cfg, nest, m, s, o, first_red, work, buf, totals, recs);
        } else {
            // Dense tiles of equal extents cost the same wherever they sit.
            auto key = std::make_pair(s, first_red);
            auto it = dense_cache.find(key);
            if (it == dense_cache.end())
                it = dense_cache.emplace(key, walk_tile(cfg, nest, m, s, o, first_red, nullptr, buf, totals, recs)).first;
            tr = it->second;
        }
        int64_t wb = 0;
        if (last_red) {
            const int64_t out = S(Dim::N) * S(Dim::K) * S(Dim::P) * S(Dim::Q);
            const int64_t epilogue = 4 * ((nest.relu_mask ? out : 0) + (nest.bias_read ? S(Dim::K) : 0));
            wb += dram_request(cfg, epilogue) + dram_request(cfg, 4 * out);
            k.dram_read_bytes += epilogue;
            k.dram_write_bytes += 4 * out;
            cost.traffic[static_cast<int>(Role::Output)].write_bytes += 4 * out;
        }
        L.push_back(load);
        C.push_back(tr.cycles);
        WB.push_back(wb);
        k += tr.counts;
        cost.array_steps += tr.steps;
        // Next tile in gb_order (last entry fastest).
        prev = i;
        int l = kDims - 1;
        for (; l >= 0; --l) {
            const int d = idx(m.gb_order[l]);
            if (++i[d] < n[d]) break;
            i[d] = 0;
        }
        if (l < 0) break;
    }
    const size_t tiles = C.size();
    int64_t cycles = 0;
    if (cfg.double_buffering) {
        cycles = L[0] + WB[tiles - 1];
        for (size_t j = 0; j < tiles; ++j)
            cycles += std::max(C[j], (j > 0 ? WB[j - 1] : 0) + (j + 1 < tiles ? L[j + 1] : 0));
    } else {
        for (size_t j = 0; j < tiles; ++j) cycles += L[j] + C[j] + WB[j];
    }
    int64_t dram = 0, compute = 0;
    for (size_t j = 0; j < tiles; ++j) dram += L[j] + WB[j], compute += C[j];

    // MACs on padding (In outside the input) are in the dense walk and cost its time, but the
    // MAC is gated and its operands are not read.
    if (!work || work->counts_padding()) {
        const uint64_t pad = static_cast<uint64_t>(std::min(nest.macs() - nest.real_macs(), static_cast<int64_t>(k.mac)));
        k.mac -= pad;
        k.mac_gated += pad;
        k.rf_read -= 3 * pad;
        k.rf_write -= pad;
    }

    // Fused epilogues.
    const int64_t outputs = nest.elements(Role::Output);
    k.vector_op += (nest.bias_read ? outputs : 0) + (nest.relu ? outputs : 0) + (nest.relu_mask ? outputs : 0);
    if (nest.bias_grad) {
        // db = sum of dY (the Wt operand of the weight-gradient nest) as it streams by; written once.
        k.vector_op += nest.elements(Role::Weight);
        const int64_t b = 4 * nest.e(Dim::K);
        const int64_t rq = dram_request(cfg, b);
        cycles += rq;
        dram += rq;
        k.dram_write_bytes += b;
    }
    // Every DRAM byte passes through the GB.
    k.gb_write_bytes += k.dram_read_bytes;
    k.gb_read_bytes += k.dram_write_bytes;

    cost.cycles = cycles;
    cost.compute_cycles = compute;
    cost.dram_cycles = dram;
    cost.gb_tiles = tiles;
    const uint64_t slots = static_cast<uint64_t>(cfg.pes()) * cfg.macs_per_pe * static_cast<uint64_t>(compute);
    k.mac_idle = slots > k.mac + k.mac_gated ? slots - k.mac - k.mac_gated : 0;
    cost.macs = k.mac;
    cost.macs_skipped = k.mac_gated;
    return cost;
}

OpCost vector_cost(const ArrayConfig& cfg, uint64_t element_ops, uint64_t dram_read_bytes,
                   uint64_t dram_write_bytes) {
    OpCost c;
    const int64_t compute = ceil_div(static_cast<int64_t>(element_ops), cfg.pes());
    const int64_t dram = dram_request(cfg, static_cast<int64_t>(dram_read_bytes)) +
                         dram_request(cfg, static_cast<int64_t>(dram_write_bytes));
    c.cycles = static_cast<uint64_t>(cfg.double_buffering ? std::max(compute, dram) : compute + dram);
    c.compute_cycles = static_cast<uint64_t>(compute);
    c.dram_cycles = static_cast<uint64_t>(dram);
    c.gb_bytes_in_use = std::min<uint64_t>(dram_read_bytes + dram_write_bytes, static_cast<uint64_t>(cfg.gb_bytes));
    ActionCounts& k = c.counts;
    k.vector_op = element_ops;
    k.dram_read_bytes = dram_read_bytes;
    k.dram_write_bytes = dram_write_bytes;
    // DRAM -> GB -> PE registers -> GB -> DRAM.
    k.gb_write_bytes = dram_read_bytes + dram_write_bytes;
    k.gb_read_bytes = dram_read_bytes + dram_write_bytes;
    k.rf_write = dram_read_bytes / 4;
    k.rf_read = dram_write_bytes / 4;
    return c;
}

OpCost maxpool2d_forward_cost(const ArrayConfig& cfg, const Pool2dShape& s) {
    const uint64_t y = static_cast<uint64_t>(s.y_elements());
    return vector_cost(cfg, y * s.kernel_h * s.kernel_w, 4 * static_cast<uint64_t>(s.x_elements()), 4 * y);
}

OpCost maxpool2d_backward_cost(const ArrayConfig& cfg, const Pool2dShape& s) {
    // Argmax recomputed from X (one compare per window element), then one add per output.
    const uint64_t y = static_cast<uint64_t>(s.y_elements()), x = static_cast<uint64_t>(s.x_elements());
    return vector_cost(cfg, y * s.kernel_h * s.kernel_w + y, 4 * (x + y), 4 * x);
}

OpCost softmax_xent_cost(const ArrayConfig& cfg, const SoftmaxXentShape& s) {
    const uint64_t e = static_cast<uint64_t>(s.elements());
    // Reads logits and labels; writes dlogits, the loss and the correct count.
    return vector_cost(cfg, e * kSoftmaxOpsPerElement, 4 * (e + s.batch), 4 * e + 8);
}

OpCost sgd_cost(const ArrayConfig& cfg, const SgdShape& s) {
    const uint64_t n = s.count;
    return vector_cost(cfg, n * kSgdOpsPerElement, 8 * n, 4 * n);
}

// ---- TimingModel ----

TimingModel::TimingModel(const ArrayConfig& cfg) : cfg_(cfg) {}

size_t TimingModel::Hash::operator()(const OpShape& o) const {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](int64_t v) {
        h ^= static_cast<uint64_t>(v) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    };
    for (int64_t e : o.extent) mix(e);
    mix(o.in_h), mix(o.in_w), mix(o.stride_h), mix(o.stride_w), mix(o.dilation_h), mix(o.dilation_w);
    mix(o.pad_h), mix(o.pad_w), mix(static_cast<int64_t>(o.phase));
    for (Tensor t : o.tensor) mix(static_cast<int64_t>(t));
    mix(o.bias_read | o.relu << 1 | o.relu_mask << 2 | o.bias_grad << 3);
    return static_cast<size_t>(h);
}

TimingModel::Entry& TimingModel::entry(const OpShape& nest) {
    auto it = cache_.find(nest);
    if (it == cache_.end()) it = cache_.emplace(nest, Entry{map_op(cfg_, nest), {}, false}).first;
    return it->second;
}

const Mapping& TimingModel::mapping(const OpShape& nest) { return entry(nest).mapping; }

OpCost TimingModel::nest(const OpShape& n, const PeWorkSource* work) {
    Entry& e = entry(n);
    if (work) return nest_cost(cfg_, n, e.mapping, work);
    if (!e.has_dense) {
        e.dense = nest_cost(cfg_, n, e.mapping, nullptr);
        e.has_dense = true;
    }
    return e.dense;
}

OpCost TimingModel::fc(const FcShape& s, Phase phase, const NestOptions& opt) {
    return nest(fc_nest(s, phase, opt));
}

OpCost TimingModel::conv2d(const Conv2dShape& s, Phase phase, const NestOptions& opt) {
    OpCost total;
    for (const OpShape& n : conv_nests(s, phase, opt)) total += nest(n);
    return total;
}

}  // namespace stvp::accel
