#include "reference_array.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>
#include <vector>

namespace stvp::accel::test {

namespace {

int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Distinct input rows p*stride + r*dil - pad over a box, optionally only those inside [0, in).
int64_t rows_touched(int64_t p0, int64_t np, int64_t r0, int64_t nr, int64_t stride, int64_t dil, int64_t pad,
                     int64_t in, bool clip) {
    std::set<int64_t> rows;
    for (int64_t p = p0; p < p0 + np; ++p)
        for (int64_t r = r0; r < r0 + nr; ++r) {
            const int64_t h = p * stride + r * dil - pad;
            if (!clip || (h >= 0 && h < in)) rows.insert(h);
        }
    return static_cast<int64_t>(rows.size());
}

struct Box {
    DimArray origin{}, size{};
    int64_t o(Dim d) const { return origin[idx(d)]; }
    int64_t s(Dim d) const { return size[idx(d)]; }
};

struct Visit {
    Box box;
    std::vector<int64_t> loads;  // DRAM request bytes before compute
    std::vector<int64_t> wbs;    // DRAM request bytes after compute (epilogue read, output write)
    bool first_red = false;
};

struct Step {
    std::vector<int64_t> work;  // per PE
    std::vector<int64_t> halves;  // per PE, two halves (balancing sources only)
    std::vector<bool> active;   // PEs with a row and column index in this step
    std::vector<int64_t> timed; // per PE, what the clock waits for (work, or the tile-sync share)
    int64_t dense_pe = 0;       // dense MACs of one active PE
    int64_t fill_bytes = 0;
    int64_t wb_bytes = 0;
};

// A transfer engine: jobs in order, each `latency` cycles then `bytes` at `rate` bytes/cycle.
struct Channel {
    struct Job {
        int64_t bytes;
        int id;
    };
    Channel(double r, int64_t lat) : rate(r), latency(lat) {}
    double rate;
    int64_t latency;
    std::deque<Job> q;
    bool active = false;
    int64_t lat_left = 0;
    double left = 0;

    void push(int64_t bytes, int id) {
        if (bytes > 0) q.push_back({bytes, id});
    }
    bool idle() const { return !active && q.empty(); }
    void tick() {
        if (!active) {
            if (q.empty()) return;
            active = true;
            lat_left = latency;
            left = static_cast<double>(q.front().bytes);
        }
        if (lat_left > 0) {
            --lat_left;
            return;
        }
        left -= rate;
        if (left <= 1e-9) {
            q.pop_front();
            active = false;
        }
    }
    // Jobs with an id still pending (queued or in flight).
    bool pending(int id) const {
        for (const Job& j : q)
            if (j.id == id) return true;
        return false;
    }
};

int64_t scaled(int64_t bytes, double f) {
    return f >= 1.0 ? bytes : static_cast<int64_t>(std::ceil(static_cast<double>(bytes) * f - 1e-9));
}

std::vector<Visit> enumerate_visits(const OpShape& nest, const Mapping& m, double wt_fraction) {
    DimArray n, i{};
    for (int d = 0; d < kDims; ++d) n[d] = cdiv(nest.extent[d], m.gb_tile[d]);
    std::vector<Visit> visits;
    DimArray prev{};
    bool first = true;
    while (true) {
        Visit v;
        for (int d = 0; d < kDims; ++d) {
            v.box.origin[d] = i[d] * m.gb_tile[d];
            v.box.size[d] = std::min(m.gb_tile[d], nest.extent[d] - v.box.origin[d]);
        }
        auto moved = [&](std::initializer_list<Dim> ds) {
            if (first) return true;
            for (Dim d : ds)
                if (i[idx(d)] != prev[idx(d)]) return true;
            return false;
        };
        const Box& b = v.box;
        if (moved({Dim::K, Dim::C, Dim::R, Dim::S}))
            v.loads.push_back(scaled(4 * b.s(Dim::K) * b.s(Dim::C) * b.s(Dim::R) * b.s(Dim::S), wt_fraction));
        if (moved({Dim::N, Dim::C, Dim::P, Dim::Q, Dim::R, Dim::S}))
            v.loads.push_back(4 * b.s(Dim::N) * b.s(Dim::C) *
                              rows_touched(b.o(Dim::P), b.s(Dim::P), b.o(Dim::R), b.s(Dim::R), nest.stride_h,
                                           nest.dilation_h, nest.pad_h, nest.in_h, true) *
                              rows_touched(b.o(Dim::Q), b.s(Dim::Q), b.o(Dim::S), b.s(Dim::S), nest.stride_w,
                                           nest.dilation_w, nest.pad_w, nest.in_w, true));
        v.first_red = i[idx(Dim::C)] == 0 && i[idx(Dim::R)] == 0 && i[idx(Dim::S)] == 0;
        if (i[idx(Dim::C)] == n[idx(Dim::C)] - 1 && i[idx(Dim::R)] == n[idx(Dim::R)] - 1 &&
            i[idx(Dim::S)] == n[idx(Dim::S)] - 1) {
            const int64_t out = b.s(Dim::N) * b.s(Dim::K) * b.s(Dim::P) * b.s(Dim::Q);
            v.wbs.push_back(4 * ((nest.relu_mask ? out : 0) + (nest.bias_read ? b.s(Dim::K) : 0)));
            v.wbs.push_back(4 * out);
        }
        visits.push_back(v);
        first = false;
        prev = i;
        int l = kDims - 1;
        for (; l >= 0; --l) {
            const int d = idx(m.gb_order[l]);
            if (++i[d] < n[d]) break;
            i[d] = 0;
        }
        if (l < 0) break;
    }
    return visits;
}

// The load balancer's pairs of one window: ascending order, the i-th smallest half with the
// i-th largest; returns the largest pair.
int64_t largest_pair(std::vector<int64_t> h) {
    std::sort(h.begin(), h.end());
    int64_t most = 0;
    for (size_t i = 0; i < h.size() / 2; ++i) most = std::max(most, h[i] + h[h.size() - 1 - i]);
    return most;
}

std::vector<Step> enumerate_steps(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const Visit& v,
                                  const PeWorkSource* src) {
    const bool balanced = src && src->balanced();
    const bool cxn = m.dataflow == Dataflow::CxN;
    const Dim col = cxn ? Dim::N : Dim::K;
    const Dim out_t = cxn ? Dim::K : Dim::N;
    // Loop order: column folds, out_t, P, Q, row folds (C), R, S.
    const Dim dims[7] = {col, out_t, Dim::P, Dim::Q, Dim::C, Dim::R, Dim::S};
    int64_t chunk[7], ext[7], cnt[7];
    for (int l = 0; l < 7; ++l) {
        ext[l] = v.box.s(dims[l]);
        chunk[l] = l == 0 ? cfg.cols : l == 4 ? cfg.rows : m.pe_tile[idx(dims[l])];
        cnt[l] = cdiv(ext[l], chunk[l]);
    }
    std::vector<Step> steps;
    int64_t i[7] = {0, 0, 0, 0, 0, 0, 0};
    const int64_t pes = int64_t{cfg.rows} * cfg.cols;
    while (true) {
        StepView view;
        view.nest = &nest;
        view.mapping = &m;
        view.origin = v.box.origin;
        view.size = DimArray{1, 1, 1, 1, 1, 1, 1};
        for (int l = 0; l < 7; ++l) {
            view.origin[idx(dims[l])] = v.box.origin[idx(dims[l])] + i[l] * chunk[l];
            view.size[idx(dims[l])] = std::min(chunk[l], ext[l] - i[l] * chunk[l]);
        }
        auto z = [&](Dim d) { return view.size[idx(d)]; };
        const int64_t ar = z(Dim::C), ac = z(col);
        Step st;
        st.work.assign(pes, 0);
        st.dense_pe = z(out_t) * z(Dim::P) * z(Dim::Q) * z(Dim::R) * z(Dim::S);
        if (balanced) {
            st.halves.assign(2 * pes, 0);
            src->step_halves(view, cfg.rows, cfg.cols, st.halves.data());
            for (int64_t p = 0; p < pes; ++p) st.work[p] = st.halves[2 * p] + st.halves[2 * p + 1];
        } else if (src) {
            src->step_work(view, cfg.rows, cfg.cols, st.work.data());
        } else {
            for (int64_t a = 0; a < ar; ++a)
                for (int64_t b = 0; b < ac; ++b) st.work[a * cfg.cols + b] = st.dense_pe;
        }
        st.active.assign(pes, false);
        for (int64_t a = 0; a < ar; ++a)
            for (int64_t b = 0; b < ac; ++b) st.active[a * cfg.cols + b] = true;
        st.timed = st.work;
        // What one PE holds: a Wt chunk, an In window (padding included), its partial sums.
        const int64_t in_win = rows_touched(0, z(Dim::P), 0, z(Dim::R), nest.stride_h, nest.dilation_h, 0, 0, false) *
                               rows_touched(0, z(Dim::Q), 0, z(Dim::S), nest.stride_w, nest.dilation_w, 0, 0, false);
        int64_t wt_words, in_words, out_words;
        if (cxn) {  // PE (c, n): Wt[k-chunk][c][r][s] shared along the row, In[n][c] own, Y[n][k..] per column
            wt_words = ar * z(Dim::K) * z(Dim::R) * z(Dim::S);
            in_words = ar * ac * in_win;
            out_words = ac * z(Dim::K) * z(Dim::P) * z(Dim::Q);
        } else {  // PE (c, k): Wt[k][c][r][s] own, In[n-chunk][c] shared along the row, Y[n..][k] per column
            wt_words = ar * ac * z(Dim::R) * z(Dim::S);
            in_words = ar * z(Dim::N) * in_win;
            out_words = ac * z(Dim::N) * z(Dim::P) * z(Dim::Q);
        }
        // A compressed Wt format moves only its stored words.
        st.fill_bytes = 4 * in_words + scaled(4 * wt_words, src ? src->wt_word_fraction() : 1.0);
        const bool chunk_end = i[4] == cnt[4] - 1 && i[5] == cnt[5] - 1 && i[6] == cnt[6] - 1;
        st.wb_bytes = chunk_end ? 4 * out_words * (v.first_red ? 1 : 2) : 0;
        steps.push_back(std::move(st));
        int l = 6;
        for (; l >= 0; --l) {
            if (++i[l] < cnt[l]) break;
            i[l] = 0;
        }
        if (l < 0) break;
    }
    if (balanced && cfg.sync == SyncMode::Step) {
        // The balancer pairs the halves of the step's active PEs; the step waits for the largest pair.
        for (Step& st : steps) {
            std::vector<int64_t> h;
            for (int64_t p = 0; p < pes; ++p)
                if (st.active[p]) h.push_back(st.halves[2 * p]), h.push_back(st.halves[2 * p + 1]);
            std::fill(st.timed.begin(), st.timed.end(), 0);
            st.timed[0] = largest_pair(h);
        }
    }
    if (src && cfg.sync == SyncMode::Tile) {
        // Tile sync: the PEs run free inside the tile and the array waits for the PE with the
        // most work over the tile, as the source counts it for the whole tile (tile_halves;
        // balanced: the largest pair of the PEs' half totals). The steps' slots share that PE's
        // time in proportion to the dense steps: slot_s = ceil(cum_s x most / D) -
        // ceil(cum_{s-1} x most / D), cum_s = the dense step cycles up to s, D = dense work of
        // a PE busy in every step.
        StepView tile;
        tile.nest = &nest, tile.mapping = &m, tile.origin = v.box.origin, tile.size = v.box.size;
        std::vector<int64_t> halves(2 * pes, 0);
        src->tile_halves(tile, cfg.rows, cfg.cols, halves.data());
        const int64_t ar = std::min<int64_t>(cfg.rows, v.box.s(Dim::C)), ac = std::min<int64_t>(cfg.cols, v.box.s(col));
        std::vector<int64_t> h;
        int64_t most = 0, dense_total = 0, macs = 0;
        for (int64_t a = 0; a < ar; ++a)
            for (int64_t b = 0; b < ac; ++b) {
                const int64_t p = a * cfg.cols + b;
                h.push_back(halves[2 * p]), h.push_back(halves[2 * p + 1]);
                most = std::max(most, halves[2 * p] + halves[2 * p + 1]);
            }
        for (int64_t x : halves) macs += x;
        if (balanced) most = largest_pair(h);
        for (const Step& st : steps) dense_total += st.dense_pe;
        const int64_t mpe = cfg.macs_per_pe;
        int64_t cum = 0, before = 0;
        for (Step& st : steps) {
            cum += cdiv(st.dense_pe, mpe);
            const int64_t upto = dense_total > 0 ? cdiv(cum * most, dense_total) : 0;
            std::fill(st.timed.begin(), st.timed.end(), 0);
            st.timed[0] = (upto - before) * mpe;
            before = upto;
            std::fill(st.work.begin(), st.work.end(), 0);  // the tile's MACs are counted once below
        }
        steps[0].work[0] = macs;
    }
    return steps;
}

}  // namespace

RefResult simulate_array(const ArrayConfig& cfg, const OpShape& nest, const Mapping& m, const PeWorkSource* work) {
    RefResult res;
    const std::vector<Visit> visits = enumerate_visits(nest, m, work ? work->wt_word_fraction() : 1.0);
    const int nv = static_cast<int>(visits.size());
    res.tiles = nv;
    for (const Visit& v : visits) {
        for (int64_t b : v.loads) res.dram_read_bytes += b;
        if (!v.wbs.empty()) res.dram_read_bytes += v.wbs[0], res.dram_write_bytes += v.wbs[1];
    }

    Channel dram{cfg.dram_bytes_per_cycle(), cfg.dram_latency_cycles()};
    Channel port{static_cast<double>(cfg.gb_bytes_per_cycle), 0};
    const int64_t pes = int64_t{cfg.rows} * cfg.cols;
    std::vector<int64_t> rem(pes, 0);

    // DRAM job ids: 2*j = loads of visit j, 2*j+1 = write-back of visit j. Port ids: the global
    // step index (fills) and -1 - index (write-backs); kLastWb - j the last write-back of visit j.
    // With overlapping tiles (cfg.tiles_overlap()) the next visit's first fill is requested
    // during the current visit's last step (once its DRAM loads are in), the array goes on to
    // the next visit without draining, and a visit's DRAM write-back starts once its last
    // partial sums have left the port; only the last visit drains.
    constexpr int kLastWb = -100000000;
    const bool overlap = cfg.tiles_overlap();
    enum class Tile { Idle, WaitFill, Run, Drain, WaitWb } state = Tile::Idle;
    int cur = -1;                // visit being computed
    int loaded_upto = -1;        // loads enqueued for visits <= this
    std::vector<Step> steps, next_steps;
    bool prefilled = false;      // next_steps[0]'s fill is on the port
    int base = 0;                // global index of steps[0]
    size_t s = 0;                // current step
    int64_t drain_left = 0;
    std::vector<bool> wb_on_port(nv, false), wb_queued(nv, false);
    bool bias_done = !nest.bias_grad, bias_queued = false;

    auto enqueue_loads = [&](int j) {
        for (int64_t b : visits[j].loads) dram.push(b, 2 * j);
        loaded_upto = j;
    };
    auto loads_pending = [&](int j) { return loaded_upto < j || dram.pending(2 * j); };
    auto start_visit = [&](std::vector<Step>&& st) {
        ++cur;
        steps = std::move(st);
        res.steps += steps.size();
        s = 0;
        state = Tile::WaitFill;
        if (cfg.double_buffering && cur + 1 < nv) enqueue_loads(cur + 1);
    };
    enqueue_loads(0);

    uint64_t cycle = 0;
    while (true) {
        // Settle all transitions that take no time.
        for (bool changed = true; changed;) {
            changed = false;
            if (state == Tile::Idle && cur + 1 < nv && !loads_pending(cur + 1)) {
                base += static_cast<int>(steps.size());
                start_visit(enumerate_steps(cfg, nest, m, visits[cur + 1], work));
                port.push(steps[0].fill_bytes, base);
                changed = true;
            }
            if (state == Tile::WaitFill && !port.pending(base + static_cast<int>(s))) {
                for (int64_t p = 0; p < pes; ++p) {
                    rem[p] = steps[s].timed[p];
                    res.macs_done += steps[s].work[p];
                }
                if (s + 1 < steps.size()) port.push(steps[s + 1].fill_bytes, base + static_cast<int>(s + 1));
                state = Tile::Run;
                changed = true;
            }
            if (overlap && state == Tile::Run && s + 1 == steps.size() && !prefilled && cur + 1 < nv &&
                !loads_pending(cur + 1)) {
                next_steps = enumerate_steps(cfg, nest, m, visits[cur + 1], work);
                port.push(next_steps[0].fill_bytes, base + static_cast<int>(steps.size()));
                prefilled = true;
                changed = true;
            }
            if (state == Tile::Run && std::all_of(rem.begin(), rem.end(), [](int64_t r) { return r <= 0; })) {
                if (s + 1 < steps.size()) {
                    port.push(steps[s].wb_bytes, -1 - (base + static_cast<int>(s)));
                    ++s;
                    state = Tile::WaitFill;
                } else if (overlap && cur + 1 < nv) {
                    port.push(steps[s].wb_bytes, kLastWb - cur);
                    wb_on_port[cur] = true;
                    if (prefilled) {
                        base += static_cast<int>(steps.size());
                        start_visit(std::move(next_steps));
                        prefilled = false;
                    } else {
                        state = Tile::Idle;
                    }
                } else {
                    drain_left = int64_t{cfg.rows} + cfg.cols;
                    state = Tile::Drain;
                }
                changed = true;
            }
            for (int j = 0; j < nv; ++j)
                if (wb_on_port[j] && !wb_queued[j] && !port.pending(kLastWb - j)) {
                    for (int64_t b : visits[j].wbs) dram.push(b, 2 * j + 1);
                    wb_queued[j] = true;
                    changed = true;
                }
            if (state == Tile::Drain && drain_left == 0) {
                port.push(steps[s].wb_bytes, kLastWb - cur);
                state = Tile::WaitWb;
                changed = true;
            }
            if (state == Tile::WaitWb && port.idle()) {
                for (int64_t b : visits[cur].wbs) dram.push(b, 2 * cur + 1);
                wb_queued[cur] = true;
                state = Tile::Idle;
                changed = true;
            }
            // Without double buffering the next tile loads after this one is written back.
            if (!cfg.double_buffering && state == Tile::Idle && cur >= 0 && cur + 1 < nv && loaded_upto == cur &&
                !dram.pending(2 * cur + 1)) {
                enqueue_loads(cur + 1);
                changed = true;
            }
            if (!bias_queued && nest.bias_grad && cur == nv - 1 && state == Tile::Idle && dram.idle()) {
                dram.push(4 * nest.e(Dim::K), -7);
                bias_queued = true;
                changed = true;
            }
        }
        if (bias_queued && dram.idle()) bias_done = true;
        if (cur == nv - 1 && state == Tile::Idle && dram.idle() && bias_done) break;

        // One clock cycle.
        dram.tick();
        port.tick();
        if (state == Tile::Run)
            for (int64_t& r : rem) r -= cfg.macs_per_pe;
        if (state == Tile::Drain) --drain_left;
        ++cycle;
    }
    res.cycles = cycle;
    return res;
}

}  // namespace stvp::accel::test
