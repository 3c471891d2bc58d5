#include "accel/core/timing.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
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
    rule_cycles += o.rule_cycles;
    port_cycles += o.port_cycles;
    balancer_entries += o.balancer_entries;
    wt_streamed += o.wt_streamed;
    in_streamed += o.in_streamed;
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

// The array steps of the GB tiles, in step order. The GB port serves, in order, the RF fill of
// the first step, then during each step s the write-back of step s-1 (if it ended an output
// chunk) and the fill of step s+1; step s+1 starts when the PEs are done with s and its fill
// has arrived. Each closed slot is max(c_s, wb_{s-1} + fill_{s+1}). A serial tile ends with the
// array's drain (rows + cols cycles) and the last write-back once the port is free:
//   C = fill_0 + sum_{s<L} max(c_s, wb_{s-1} + fill_{s+1}) + max(c_L + drain, wb_{L-1}) + wb_L
// With overlapping tiles the walk simply continues into the next tile (its first fill and the
// previous tile's last write-back share slots with compute) and drains once at the end.
struct PortWalk {
    const ArrayConfig& cfg;
    double wt_fraction;
    int64_t steps = 0, port_busy = 0;
    ActionCounts counts;
    // The previous step, still waiting for the next one's fill to close its max().
    bool pending = false;
    int64_t prev_c = 0, prev_wb_before = 0, prev_wb = 0;

    PortWalk(const ArrayConfig& c, double f) : cfg(c), wt_fraction(f) {}

    int64_t port_cycles(int64_t bytes) const { return ceil_div(bytes, cfg.gb_bytes_per_cycle); }

    // Port cycles of a step's fill and of its write-back.
    std::pair<int64_t, int64_t> port_of(const StepWords& w, bool chunk_end, bool first_red) const {
        const int64_t fill_bytes = 4 * (w.fill_gb - w.wt_gb) + wt_scaled(4 * w.wt_gb, wt_fraction);
        return {port_cycles(fill_bytes), chunk_end ? port_cycles(4 * w.out_gb * (first_red ? 1 : 2)) : 0};
    }

    // One step: c = its compute cycles; done = MACs performed over the array, dense = its dense
    // MACs. Returns the cycles this closes: the previous step's slot, or the exposed first fill.
    int64_t step(int64_t c, const StepWords& w, int64_t ar, int64_t ac, int64_t done, int64_t dense, bool chunk_end,
                 bool first_red) {
        const int64_t fill_bytes = 4 * (w.fill_gb - w.wt_gb) + wt_scaled(4 * w.wt_gb, wt_fraction);
        const int64_t fill = port_cycles(fill_bytes);
        const int64_t wb = chunk_end ? port_cycles(4 * w.out_gb * (first_red ? 1 : 2)) : 0;
        port_busy += fill + wb;
        int64_t closed;
        if (pending) {
            closed = std::max(prev_c, prev_wb_before + fill);
            prev_wb_before = prev_wb;
        } else {
            closed = fill;  // the first fill is exposed
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
        return closed;
    }

    // The last step, the drain and the last write-back; the next step's fill is exposed again.
    int64_t finish() {
        const int64_t drain = int64_t{cfg.rows} + cfg.cols;
        const int64_t closed = std::max(prev_c + drain, prev_wb_before) + prev_wb;
        pending = false;
        prev_c = prev_wb_before = prev_wb = 0;
        return closed;
    }
};

// One array step as the walk needs it.
struct StepRecord {
    int64_t c = 0;  // compute cycles: the slowest PE (step sync) or the dense step (tile sync, scaled later)
    StepWords words;
    int64_t ar = 0, ac = 0, done = 0, dense = 0;
    bool chunk_end = false;
};

// The steps of one GB tile with their compute cycles under the sync mode.
struct TileSteps {
    std::vector<StepRecord> recs;
    int64_t rule = 0;        // compute-only cycles: the sum of the steps' compute slots
    int64_t lb_entries = 0;  // half totals the balancer sorted
    int64_t wt_streamed = 0, in_streamed = 0;  // operand elements sent to the array
    // Dense work of a PE active in every step (PE (0, 0)) and of the whole array, over the tile.
    int64_t dense_pe_total = 0, dense_total = 0;
};

// Scratch buffers reused from tile to tile.
struct Scratch {
    std::vector<int64_t> buf, halves, window;
    BalanceScratch balance;
};

// Pairs the halves of the participating PEs of one window (rows < ar and columns < ac of an
// array `cols` wide); returns the busiest PE's work and adds the entries sorted to `entries`.
int64_t balanced_most(const std::vector<int64_t>& halves, int64_t ar, int64_t ac, int64_t cols, Scratch& x,
                      int64_t& entries) {
    const int64_t n = ar * ac;
    if (n == 0) return 0;
    const int64_t* v = halves.data();
    if (ac < cols) {  // the active PEs' halves, row by row
        x.window.resize(static_cast<size_t>(2 * n));
        for (int64_t a = 0; a < ar; ++a) std::copy_n(v + 2 * a * cols, 2 * ac, x.window.data() + 2 * a * ac);
        v = x.window.data();
    }
    entries += 2 * n;
    return busiest_balanced(v, n, x.balance);
}

// SyncMode::Tile with a work source: `out` holds the tile's dense steps (enumerate_tile without
// a source, which do not depend on the origin: one walk per distinct tile extent). The source is
// asked once for each PE's work over the whole tile (tile_halves; balanced: paired over the
// tile) and the tile's compute is that of the busiest PE, max_p W_p / macs_per_pe: the dense
// steps' compute slots are scaled by max_p W_p / D (D = the dense work of a PE active in every
// step, PE (0, 0)), with the rounding carried from step to step so the tile's compute is
// ceil(sum c_s x max_p W_p / D); the port's per-step overlap is kept and a dense source costs
// exactly the dense walk. The tile's MACs are spread over its steps in proportion to their
// dense MACs (only their sums are counted).
void scale_to_tile(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const DimArray& s,
                   const DimArray& origin, const PeWorkSource& src, Scratch& x, TileSteps& out) {
    const int64_t cols = cfg.cols;
    StepView view;
    view.nest = &nest;
    view.mapping = &m;
    view.origin = origin;
    view.size = s;
    x.halves.assign(static_cast<size_t>(2 * cfg.pes()), 0);
    src.tile_halves(view, cfg.rows, cfg.cols, x.halves.data());
    const int64_t ar = std::min<int64_t>(cfg.rows, s[idx(m.row_dim)]), ac = std::min<int64_t>(cfg.cols, s[idx(m.col_dim)]);
    int64_t done = 0, most = 0;
    for (int64_t a = 0; a < ar; ++a)
        for (int64_t b = 0; b < ac; ++b) {
            const size_t p = static_cast<size_t>(a * cols + b);
            most = std::max(most, x.halves[2 * p] + x.halves[2 * p + 1]);
        }
    for (int64_t h : x.halves) done += h;
    if (src.balanced()) most = balanced_most(x.halves, ar, ac, cols, x, out.lb_entries);
    const int64_t dense_pe_total = out.dense_pe_total, dense_total = out.dense_total;
    int64_t cum = 0, before = 0, cum_dense = 0, done_before = 0;
    out.rule = 0;
    for (StepRecord& r : out.recs) {
        cum += r.c;
        const int64_t upto = dense_pe_total > 0 ? ceil_div(cum * most, dense_pe_total) : 0;
        r.c = upto - before;
        before = upto;
        cum_dense += r.dense;
        const int64_t done_upto = dense_total > 0 ? static_cast<int64_t>(static_cast<__int128>(done) * cum_dense / dense_total) : 0;
        r.done = done_upto - done_before;
        done_before = done_upto;
        out.rule += r.c;
    }
}

// Enumerates the steps of the GB tile with origin o and extents s. With src == nullptr every
// active PE does the dense work (no calls, no per-PE buffer). With a source (SyncMode::Step;
// under SyncMode::Tile see scale_to_tile) each step asks it for its PEs' work (halves, paired
// over the step, when balanced) and lasts as long as its busiest PE.
void enumerate_tile(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const DimArray& s,
                    const DimArray& origin, const PeWorkSource* src, Scratch& x, TileSteps& out) {
    const auto loops = step_loops(cfg, m, s);
    std::array<int64_t, kLoops> n, i{};
    int64_t total = 1;
    for (int l = 0; l < kLoops; ++l) total *= (n[l] = loops[l].count());
    const int64_t pes = cfg.pes(), cols = cfg.cols;
    const bool step_src = src != nullptr;
    const bool balance = src && src->balanced();
    if (step_src) x.buf.assign(static_cast<size_t>(pes), 0);
    if (balance && step_src) x.halves.assign(static_cast<size_t>(2 * pes), 0);
    out.recs.clear();
    out.recs.reserve(static_cast<size_t>(total));
    out.rule = out.lb_entries = 0;
    out.wt_streamed = out.in_streamed = 0;
    int64_t dense_pe_total = 0, dense_total = 0;
    const int cd = idx(m.col_dim);
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
        r.ar = view.size[idx(m.row_dim)], r.ac = view.size[cd];
        const int64_t pe_dense = dense_pe_work(view);
        r.dense = r.ar * r.ac * pe_dense;
        r.done = r.dense;
        r.c = ceil_div(pe_dense, cfg.macs_per_pe);
        dense_pe_total += pe_dense;
        dense_total += r.dense;
        if (step_src && balance) {
            src->step_halves(view, cfg.rows, cfg.cols, x.halves.data());
            r.done = 0;
            for (int64_t h : x.halves) r.done += h;
            r.c = ceil_div(balanced_most(x.halves, r.ar, r.ac, cols, x, out.lb_entries), cfg.macs_per_pe);
        } else if (step_src) {
            std::fill(x.buf.begin(), x.buf.end(), 0);
            src->step_work(view, cfg.rows, cfg.cols, x.buf.data());
            r.done = 0;
            for (int64_t w : x.buf) r.done += w;
            r.c = step_compute_cycles(x.buf.data(), pes, cfg.macs_per_pe);
        }
        r.words = step_words(nest, m, view.size, r.ar, r.ac);
        // Operand elements sent to the array (a multicast once): what decoders and zero checks see.
        auto prod = [&](std::initializer_list<Dim> ds) {
            int64_t p = 1;
            for (Dim d : ds)
                if (idx(d) != cd) p *= view.size[idx(d)];
            return p;
        };
        out.wt_streamed += r.ar * (m.col_dim == Dim::K ? r.ac : 1) * prod({Dim::K, Dim::R, Dim::S});
        out.in_streamed += r.ar * (m.col_dim == Dim::N ? r.ac : 1) * prod({Dim::N, Dim::P, Dim::Q});
        out.recs.push_back(r);
        int l = kLoops - 1;
        for (; l >= 0; --l) {
            if (++i[l] < n[l]) break;
            i[l] = 0;
        }
    }
    out.dense_pe_total = dense_pe_total, out.dense_total = dense_total;
    for (const StepRecord& r : out.recs) out.rule += r.c;
}

int64_t dram_request(const ArrayConfig& cfg, int64_t bytes) {
    if (bytes <= 0) return 0;
    return cfg.dram_latency_cycles() + static_cast<int64_t>(std::ceil(bytes / cfg.dram_bytes_per_cycle() - 1e-9));
}

}  // namespace

void PeWorkSource::tile_halves(const StepView& tile, int64_t rows, int64_t cols, int64_t* halves) const {
    const Mapping& m = *tile.mapping;
    const int rd = idx(m.row_dim), cd = idx(m.col_dim);
    std::vector<int64_t> h(static_cast<size_t>(2 * rows * cols));
    StepView v = tile;
    for (int64_t fr = 0; fr < tile.size[rd]; fr += rows)
        for (int64_t fc = 0; fc < tile.size[cd]; fc += cols) {
            v.origin[rd] = tile.origin[rd] + fr, v.size[rd] = std::min(rows, tile.size[rd] - fr);
            v.origin[cd] = tile.origin[cd] + fc, v.size[cd] = std::min(cols, tile.size[cd] - fc);
            step_halves(v, rows, cols, h.data());
            for (size_t p = 0; p < h.size(); ++p) halves[p] += h[p];
        }
}

void sort_descending(int64_t* v, size_t n) {
    // LSD radix sort on bytes, as many passes as the largest value has bytes: the balancer sorts
    // hundreds of half totals per window, where std::sort cost a fifth of a sparse estimate.
    int64_t most = 0;
    for (size_t i = 0; i < n; ++i) {
        if (v[i] < 0) {  // not a MAC count: the comparison sort
            std::sort(v, v + n, std::greater<int64_t>());
            return;
        }
        most = std::max(most, v[i]);
    }
    thread_local std::vector<int64_t> tmp;  // reused: the sort runs once per window
    if (tmp.size() < n) tmp.resize(n);
    int64_t* from = v;
    int64_t* to = tmp.data();
    for (int shift = 0; shift < 64 && (most >> shift) != 0; shift += 8) {
        size_t start[257] = {};
        for (size_t i = 0; i < n; ++i) ++start[255 - ((from[i] >> shift) & 255) + 1];  // descending digits
        for (int b = 0; b < 256; ++b) start[b + 1] += start[b];
        for (size_t i = 0; i < n; ++i) to[start[255 - ((from[i] >> shift) & 255)]++] = from[i];
        std::swap(from, to);
    }
    if (from != v) std::copy(from, from + n, v);
}

int64_t balance_halves(std::vector<int64_t>& halves, int64_t pes, int64_t* work) {
    sort_descending(halves.data(), static_cast<size_t>(2 * pes));
    for (int64_t p = 0; p < pes; ++p) work[p] = halves[static_cast<size_t>(p)] + halves[static_cast<size_t>(2 * pes - 1 - p)];
    return 2 * pes;
}

int64_t busiest_balanced(const int64_t* v, int64_t pes, BalanceScratch& x) {
    if (pes <= 0) return 0;
    const size_t n = static_cast<size_t>(2 * pes);
    // The OR of the values: negative if one is, else at least the largest value and below twice
    // it (a bound for the histogram, one vector OR per entry instead of a compare chain).
    uint64_t bits = 0;
    for (size_t i = 0; i < n; ++i) bits |= static_cast<uint64_t>(v[i]);
    const int64_t most = static_cast<int64_t>(bits);
    // A histogram of most + 1 counters costs about as much as the radix sort's passes when the
    // range is a few times the entries: beyond that (or for a negative value), the sort.
    if (most < 0 || most > 2 * static_cast<int64_t>(n) + 1024) {
        x.sorted.assign(v, v + n);
        sort_descending(x.sorted.data(), n);
        int64_t busiest = x.sorted[0] + x.sorted[n - 1];
        for (size_t p = 1; p < static_cast<size_t>(pes); ++p) busiest = std::max(busiest, x.sorted[p] + x.sorted[n - 1 - p]);
        return busiest;
    }
    // Four interleaved histograms (value x 4 + entry % 4): runs of equal values (a dense
    // operand makes many) do not wait on one counter's increment.
    std::vector<uint32_t>& counts = x.counts;
    const size_t m1 = static_cast<size_t>(most) + 1;
    counts.assign(4 * m1, 0);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (size_t u = 0; u < 4; ++u) ++counts[4 * static_cast<size_t>(v[i + u]) + u];
    for (; i < n; ++i) ++counts[4 * static_cast<size_t>(v[i])];
    for (size_t b = 0; b < m1; ++b)
        counts[b] = counts[4 * b] + counts[4 * b + 1] + counts[4 * b + 2] + counts[4 * b + 3];
    // The top walks the values down from the largest, the bottom up from the smallest, pes
    // entries each: pair p is the p-th largest with the p-th smallest, as balance_halves pairs
    // them, and runs of equal pairs are taken at once.
    int64_t hi = most, lo = 0;
    while (counts[static_cast<size_t>(hi)] == 0) --hi;
    while (counts[static_cast<size_t>(lo)] == 0) ++lo;
    int64_t at_hi = counts[static_cast<size_t>(hi)], at_lo = counts[static_cast<size_t>(lo)];
    int64_t left = pes, busiest = hi + lo;
    while (true) {
        const int64_t k = std::min({at_hi, at_lo, left});
        busiest = std::max(busiest, hi + lo);
        if ((left -= k) == 0) break;
        if ((at_hi -= k) == 0) {
            while (counts[static_cast<size_t>(--hi)] == 0) {}
            at_hi = counts[static_cast<size_t>(hi)];
        }
        if ((at_lo -= k) == 0) {
            while (counts[static_cast<size_t>(++lo)] == 0) {}
            at_lo = counts[static_cast<size_t>(lo)];
        }
    }
    return busiest;
}

namespace {

// A GB tile visit as the DRAM sees it.
struct Visit {
    DimArray origin{}, size{};
    bool first_red = false;
    int64_t load[2] = {0, 0};  // DRAM request cycles: Wt, In (0 = not reloaded)
    int64_t wb[2] = {0, 0};    // epilogue read, output write (last reduction tile only)
    int64_t loads() const { return load[0] + load[1]; }
    int64_t wbs() const { return wb[0] + wb[1]; }
};

// A first-in first-out server (the DRAM channel, the GB port): a job issued at `at` taking
// `d` cycles ends at max(at, free) + d; a job of no cycles is not queued.
struct Fifo {
    int64_t free = 0;
    int64_t run(int64_t at, int64_t d) {
        if (d <= 0) return at;
        free = std::max(at, free) + d;
        return free;
    }
};

// Overlapping tiles (TilePipeline::Overlap, double buffering), in event time: the DRAM loads
// visit j+1 from the start of visit j; a visit's steps stream through the port as in a tile
// (fill s+1 issued when step s starts, write-back s when it ends); the next visit's first fill
// is issued during the current visit's last step once its loads are in (otherwise when they
// are, and the visit starts then), so the array goes on without draining; a visit's DRAM
// write-back is issued once its last partial sums have left the port; the last visit drains.
// DRAM jobs are issued in time order (write-backs wait in `wbq`; a load issued at the same
// cycle goes first).
struct OverlapWalk {
    const ArrayConfig& cfg;
    const std::vector<Visit>& visits;
    Fifo dram, port;
    std::vector<int64_t> done;                    // the DRAM loads of each visit complete
    std::vector<std::pair<int64_t, size_t>> wbq;  // (issue time, visit) of write-backs not yet issued
    int64_t compute = 0;                          // cycles the array computed or drained
    int64_t start = 0, fill0 = -1;                // the current visit's start and first fill's completion

    OverlapWalk(const ArrayConfig& c, const std::vector<Visit>& v) : cfg(c), visits(v), done(v.size(), 0) {
        issue_loads(0, 0);
        start = done[0];
    }

    void issue_wbs_before(int64_t t, bool inclusive) {
        size_t k = 0;
        for (; k < wbq.size() && (wbq[k].first < t || (inclusive && wbq[k].first == t)); ++k) {
            const Visit& v = visits[wbq[k].second];
            dram.run(wbq[k].first, v.wb[0]);
            dram.run(wbq[k].first, v.wb[1]);
        }
        wbq.erase(wbq.begin(), wbq.begin() + static_cast<std::ptrdiff_t>(k));
    }
    void issue_loads(size_t j, int64_t t) {
        issue_wbs_before(t, false);
        const int64_t a = dram.run(t, visits[j].load[0]);
        done[j] = std::max(a, dram.run(t, visits[j].load[1]));
    }

    // Visit j's steps; pc[s] = the port cycles of step s's fill and write-back.
    void walk(size_t j, const std::vector<StepRecord>& recs, const std::vector<std::pair<int64_t, int64_t>>& pc) {
        const size_t n = recs.size();
        const bool last = j + 1 == visits.size();
        if (!last) issue_loads(j + 1, start);
        int64_t fill_done = fill0 >= 0 ? fill0 : port.run(start, pc[0].first);
        int64_t end = start, t = start;
        for (size_t s = 0; s < n; ++s) {
            t = std::max(end, fill_done);
            end = t + recs[s].c;
            if (s + 1 < n) {
                fill_done = port.run(t, pc[s + 1].first);
                port.run(end, pc[s].second);
            }
        }
        compute += end - start;
        if (last) {
            const int64_t drain = int64_t{cfg.rows} + cfg.cols;
            compute += drain;
            wbq.emplace_back(port.run(end + drain, pc[n - 1].second), j);
            issue_wbs_before(std::numeric_limits<int64_t>::max(), true);
            return;
        }
        const int64_t prefill_at = std::max(t, done[j + 1]);
        fill0 = -1;
        if (prefill_at <= end) {
            fill0 = port.run(prefill_at, first_fill_cycles);
            wbq.emplace_back(port.run(end, pc[n - 1].second), j);
            start = end;
        } else {
            wbq.emplace_back(port.run(end, pc[n - 1].second), j);
            start = done[j + 1];
        }
    }
    int64_t first_fill_cycles = 0;  // the next visit's first fill (set by the caller before walk)

    int64_t finish() const { return std::max(dram.free, port.free); }
};

}  // namespace

OpCost nest_cost(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const PeWorkSource* work) {
    OpCost cost;
    for (int r = 0; r < kRoles; ++r) cost.traffic[r].tensor = nest.tensor[r];
    cost.gb_bytes_in_use = static_cast<uint64_t>(m.gb_words) * 4 * (cfg.double_buffering ? 2 : 1);
    const DimArray& t = m.gb_tile;
    DimArray n;
    for (int d = 0; d < kDims; ++d) n[d] = ceil_div(nest.extent[d], t[d]);
    const double wt_fraction = work ? work->wt_word_fraction() : 1.0;
    ActionCounts& k = cost.counts;

    // The GB tile visits in gb_order (last entry fastest) with their DRAM transfers.
    std::vector<Visit> visits;
    DimArray i{}, prev{};
    auto changed = [&](std::initializer_list<Dim> deps) {
        for (Dim d : deps)
            if (i[idx(d)] != prev[idx(d)]) return true;
        return false;
    };
    for (bool first = true;; first = false) {
        Visit v;
        DimArray& o = v.origin;
        DimArray& s = v.size;
        for (int d = 0; d < kDims; ++d) {
            o[d] = i[d] * t[d];
            s[d] = std::min(t[d], nest.extent[d] - o[d]);
        }
        auto S = [&](Dim d) { return s[idx(d)]; };
        auto O = [&](Dim d) { return o[idx(d)]; };
        // Loads of the operands whose tile changed.
        if (first || changed({Dim::K, Dim::C, Dim::R, Dim::S})) {
            const int64_t b = wt_scaled(4 * S(Dim::K) * S(Dim::C) * S(Dim::R) * S(Dim::S), wt_fraction);
            v.load[0] = dram_request(cfg, b);
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
            v.load[1] = dram_request(cfg, b);
            cost.traffic[static_cast<int>(Role::Input)].read_bytes += b;
            k.dram_read_bytes += b;
        }
        v.first_red = i[idx(Dim::C)] == 0 && i[idx(Dim::R)] == 0 && i[idx(Dim::S)] == 0;
        const bool last_red = i[idx(Dim::C)] == n[idx(Dim::C)] - 1 && i[idx(Dim::R)] == n[idx(Dim::R)] - 1 &&
                              i[idx(Dim::S)] == n[idx(Dim::S)] - 1;
        if (last_red) {
            const int64_t out = S(Dim::N) * S(Dim::K) * S(Dim::P) * S(Dim::Q);
            const int64_t epilogue = 4 * ((nest.relu_mask ? out : 0) + (nest.bias_read ? S(Dim::K) : 0));
            v.wb[0] = dram_request(cfg, epilogue);
            v.wb[1] = dram_request(cfg, 4 * out);
            k.dram_read_bytes += epilogue;
            k.dram_write_bytes += 4 * out;
            cost.traffic[static_cast<int>(Role::Output)].write_bytes += 4 * out;
        }
        visits.push_back(v);
        prev = i;
        int l = kDims - 1;
        for (; l >= 0; --l) {
            const int d = idx(m.gb_order[l]);
            if (++i[d] < n[d]) break;
            i[d] = 0;
        }
        if (l < 0) break;
    }

    // The array steps of every visit. Dense tiles of equal extents have the same steps.
    std::map<DimArray, TileSteps> dense_cache;
    TileSteps sparse_tile, next_sparse;
    Scratch scratch;
    PortWalk walk(cfg, wt_fraction);
    const bool overlap = cfg.tiles_overlap();
    OverlapWalk ow(cfg, visits);
    std::vector<std::pair<int64_t, int64_t>> pc;
    std::vector<int64_t> C;
    int64_t rule = 0;
    auto dense_steps = [&](const Visit& v) -> const TileSteps& {
        auto it = dense_cache.find(v.size);
        if (it == dense_cache.end()) {
            it = dense_cache.emplace(v.size, TileSteps{}).first;
            enumerate_tile(cfg, nest, m, v.size, v.origin, nullptr, scratch, it->second);
        }
        return it->second;
    };
    auto steps_of = [&](const Visit& v, TileSteps& into) -> const TileSteps& {
        if (work && cfg.sync == SyncMode::Tile) {
            // The tile's dense steps (the same for every tile of these extents), rescaled.
            into = dense_steps(v);
            scale_to_tile(cfg, nest, m, v.size, v.origin, *work, scratch, into);
            return into;
        }
        if (work) {
            enumerate_tile(cfg, nest, m, v.size, v.origin, work, scratch, into);
            return into;
        }
        return dense_steps(v);
    };
    const TileSteps* cur = &steps_of(visits[0], sparse_tile);
    for (size_t j = 0; j < visits.size(); ++j) {
        const TileSteps& ts = *cur;
        rule += ts.rule;
        cost.balancer_entries += static_cast<uint64_t>(ts.lb_entries);
        cost.wt_streamed += static_cast<uint64_t>(ts.wt_streamed);
        cost.in_streamed += static_cast<uint64_t>(ts.in_streamed);
        pc.clear();
        int64_t c = 0;
        for (const StepRecord& r : ts.recs) {
            pc.push_back(walk.port_of(r.words, r.chunk_end, visits[j].first_red));
            c += walk.step(r.c, r.words, r.ar, r.ac, r.done, r.dense, r.chunk_end, visits[j].first_red);
        }
        C.push_back(c + walk.finish());
        // The next visit's steps (with overlap its first fill shares this visit's last step).
        const TileSteps* next = j + 1 < visits.size() ? &steps_of(visits[j + 1], next_sparse) : nullptr;
        if (overlap) {
            if (next) {
                const StepRecord& r0 = next->recs[0];
                ow.first_fill_cycles = walk.port_of(r0.words, r0.chunk_end, visits[j + 1].first_red).first;
            }
            ow.walk(j, ts.recs, pc);
        }
        if (work && next) {
            std::swap(sparse_tile, next_sparse);
            next = &sparse_tile;
        }
        cur = next;
    }
    k += walk.counts;
    cost.array_steps = static_cast<uint64_t>(walk.steps);
    cost.port_cycles = static_cast<uint64_t>(walk.port_busy);
    const size_t tiles = visits.size();
    int64_t cycles = 0, dram = 0, compute = 0;
    for (const Visit& v : visits) dram += v.loads() + v.wbs();
    if (overlap) {
        cycles = ow.finish();
        compute = ow.compute;
    } else if (cfg.double_buffering) {
        // Serial tiles: the DRAM loads tile j+1 and writes back tile j-1 while the array computes tile j.
        cycles = visits[0].loads() + visits[tiles - 1].wbs();
        for (size_t j = 0; j < tiles; ++j)
            cycles += std::max(C[j], (j > 0 ? visits[j - 1].wbs() : 0) + (j + 1 < tiles ? visits[j + 1].loads() : 0));
    } else {
        for (size_t j = 0; j < tiles; ++j) cycles += visits[j].loads() + C[j] + visits[j].wbs();
    }
    if (!overlap)
        for (int64_t x : C) compute += x;

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

    cost.rule_cycles = static_cast<uint64_t>(rule);
    if (cfg.timing == TimingRule::ComputeOnly) cycles = compute = rule;
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
    c.cycles = static_cast<uint64_t>(cfg.timing == TimingRule::ComputeOnly ? compute
                                     : cfg.double_buffering          ? std::max(compute, dram)
                                                                     : compute + dram);
    c.rule_cycles = static_cast<uint64_t>(compute);
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
    if (it == cache_.end()) it = cache_.emplace(nest, Entry{map_op(cfg_, nest), {}, false, {}}).first;
    return it->second;
}

const Mapping& TimingModel::mapping(const OpShape& nest) { return entry(nest).mapping; }

namespace {
bool same_mapping(const Mapping& a, const Mapping& b) {
    return a.gb_tile == b.gb_tile && a.pe_tile == b.pe_tile && a.gb_order == b.gb_order;
}
}  // namespace

OpCost TimingModel::nest(const OpShape& n, const PeWorkSource* work) {
    Entry& e = entry(n);
    if (work) {
        const SparseHints h{std::min(1.0, work->work_fraction()), std::min(1.0, work->wt_word_fraction())};
        if (!cfg_.sparse_aware_mapping || h.dense()) return nest_cost(cfg_, n, e.mapping, work);
        const std::pair<int, int> key{static_cast<int>(std::lround(h.work * 32)),
                                      static_cast<int>(std::lround(h.wt_words * 32))};
        auto it = e.sparse.find(key);
        if (it != e.sparse.end()) return nest_cost(cfg_, n, it->second, work);
        const Mapping alt = map_op(cfg_, n, h);
        OpCost best = nest_cost(cfg_, n, e.mapping, work);
        Mapping kept = e.mapping;
        if (alt.error.empty() && !same_mapping(alt, e.mapping)) {
            OpCost c = nest_cost(cfg_, n, alt, work);
            if (c.cycles < best.cycles) best = c, kept = alt;
        }
        e.sparse.emplace(key, kept);
        return best;
    }
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
