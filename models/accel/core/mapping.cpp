#include "accel/core/mapping.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace stvp::accel {

std::array<Dim, 3> output_temporal_dims(Dataflow d) {
    if (d == Dataflow::CxK) return {Dim::N, Dim::P, Dim::Q};
    return {Dim::K, Dim::P, Dim::Q};
}

int64_t gb_tile_words(const OpShape& nest, const DimArray& t) {
    auto T = [&](Dim d) { return t[idx(d)]; };
    // The window of a tile anywhere in the plane: at most the unclipped window, at most the plane.
    const int64_t h = std::min(window(T(Dim::P), T(Dim::R), nest.stride_h, nest.dilation_h), nest.in_h);
    const int64_t w = std::min(window(T(Dim::Q), T(Dim::S), nest.stride_w, nest.dilation_w), nest.in_w);
    return T(Dim::K) * T(Dim::C) * T(Dim::R) * T(Dim::S) + T(Dim::N) * T(Dim::C) * h * w +
           T(Dim::N) * T(Dim::K) * T(Dim::P) * T(Dim::Q);
}

StepWords step_words(const OpShape& nest, const Mapping& m, const DimArray& z_in, int64_t ar, int64_t ac) {
    DimArray z = z_in;
    z[idx(m.row_dim)] = 1;
    z[idx(m.col_dim)] = 1;
    auto Z = [&](Dim d) { return z[idx(d)]; };
    StepWords w;
    w.wt_pe = Z(Dim::K) * Z(Dim::C) * Z(Dim::R) * Z(Dim::S);
    w.in_pe = Z(Dim::N) * Z(Dim::C) * window(Z(Dim::P), Z(Dim::R), nest.stride_h, nest.dilation_h) *
              window(Z(Dim::Q), Z(Dim::S), nest.stride_w, nest.dilation_w);
    w.out_pe = Z(Dim::N) * Z(Dim::K) * Z(Dim::P) * Z(Dim::Q);
    // The row dim (C) indexes Wt and In, so every row has its own; the column dim is N (indexes
    // In, not Wt) or K (indexes Wt, not In): the operand it does not index is multicast.
    const bool wt_shared = m.col_dim == Dim::N;
    const bool in_shared = m.col_dim == Dim::K;
    w.wt_gb = ar * (wt_shared ? 1 : ac) * w.wt_pe;
    w.fill_gb = w.wt_gb + ar * (in_shared ? 1 : ac) * w.in_pe;
    w.rf_fill = ar * ac * (w.wt_pe + w.in_pe);
    w.out_gb = ac * w.out_pe;
    return w;
}

int64_t rf_step_words(const StepWords& w, bool double_buffering) {
    return (w.wt_pe + w.in_pe) * (double_buffering ? 2 : 1) + w.out_pe;
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Search state shared by the PE-chunk search and the GB-tile greedy.
struct Tiler {
    const ArrayConfig& cfg;
    const OpShape& nest;
    SparseHints hints;
    Mapping m;
    std::vector<Dim> temporal;

    Tiler(const ArrayConfig& c, const OpShape& n, const SparseHints& h) : cfg(c), nest(n), hints(h) {
        m.dataflow = c.dataflow;
        m.row_dim = Dim::C;
        m.col_dim = c.dataflow == Dataflow::CxK ? Dim::K : Dim::N;
        for (int d = 0; d < kDims; ++d)
            if (is_temporal(m, static_cast<Dim>(d))) temporal.push_back(static_cast<Dim>(d));
    }

    int64_t E(Dim d) const { return nest.e(d); }
    double gb_cycles(double words) const { return std::ceil(4.0 * words / cfg.gb_bytes_per_cycle); }
    // Compute cycles of a step whose busiest PE has `work` dense MACs, scaled by the hints.
    double step_compute(int64_t work) const {
        if (hints.work >= 1.0) return static_cast<double>(ceil_div(work, cfg.macs_per_pe));
        return std::max(1.0, std::ceil(static_cast<double>(work) * hints.work / cfg.macs_per_pe));
    }
    // GB words of a step's fill with the Wt part in its stored format.
    double fill_words(const StepWords& sw) const {
        return static_cast<double>(sw.fill_gb - sw.wt_gb) + static_cast<double>(sw.wt_gb) * hints.wt_words;
    }

    // Estimated array time of one GB tile of extents t with PE chunk u (clipped to t): every
    // step taken as a full one.
    double tile_compute(const DimArray& t, const DimArray& u_full) const {
        DimArray u = u_full;
        for (int d = 0; d < kDims; ++d) u[d] = std::min(u[d], t[d]);
        const int64_t tr = t[idx(m.row_dim)], tc = t[idx(m.col_dim)];
        const int64_t ar = std::min<int64_t>(cfg.rows, tr), ac = std::min<int64_t>(cfg.cols, tc);
        int64_t steps = ceil_div(tr, cfg.rows) * ceil_div(tc, cfg.cols);
        int64_t work = 1;
        for (Dim d : temporal) {
            steps *= ceil_div(t[idx(d)], u[idx(d)]);
            work *= u[idx(d)];
        }
        const StepWords sw = step_words(nest, m, u, ar, ac);
        const int64_t red_steps =
            ceil_div(tr, cfg.rows) * ceil_div(t[idx(Dim::R)], u[idx(Dim::R)]) * ceil_div(t[idx(Dim::S)], u[idx(Dim::S)]);
        const double c = step_compute(work);
        return static_cast<double>(cfg.rows + cfg.cols) +
               static_cast<double>(steps) * step_time(c, sw, red_steps, 1.0);
    }

    // Mean time of a step: the port fills every step and writes partial sums back once per
    // output chunk of red_steps steps (wb_factor 2 when they are read-modify-written).
    double step_time(double c, const StepWords& sw, int64_t red_steps, double wb_factor) const {
        if (cfg.timing == TimingRule::ComputeOnly) return c;  // memory is free under the published rule
        const double fill = gb_cycles(fill_words(sw)), wb = gb_cycles(static_cast<double>(sw.out_gb)) * wb_factor;
        return (static_cast<double>(red_steps - 1) * std::max(c, fill) + std::max(c, fill + wb)) /
               static_cast<double>(red_steps);
    }

    // ---- PE chunk: exhaustive over candidate sizes, pruned by the RF capacity ----
    static std::vector<int64_t> chunk_candidates(int64_t e) {
        std::vector<int64_t> v;
        for (int64_t x = 1; x <= std::min<int64_t>(e, 8); ++x) v.push_back(x);
        for (int64_t x = 16; x <= e; x *= 2) v.push_back(x);
        for (int64_t k = 1; k <= 16; ++k) v.push_back(ceil_div(e, k));
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
    }

    int64_t rf_need(const DimArray& u) const {
        return rf_step_words(step_words(nest, m, u, 1, 1), cfg.double_buffering);
    }

    void search_pe(size_t level, DimArray& u, const std::vector<std::vector<int64_t>>& cand, double& best,
                   DimArray& best_u, int64_t& best_work) const {
        if (level == temporal.size()) {
            DimArray full;
            for (int d = 0; d < kDims; ++d) full[d] = E(static_cast<Dim>(d));
            const double cost = tile_compute(full, u);
            int64_t work = 1;
            for (Dim d : temporal) work *= u[idx(d)];
            if (cost < best || (cost == best && work > best_work)) {
                best = cost;
                best_u = u;
                best_work = work;
            }
            return;
        }
        const int di = idx(temporal[level]);
        for (int64_t v : cand[level]) {
            u[di] = v;
            // RF words grow with every chunk size; deeper dims are still 1 here.
            if (rf_need(u) > cfg.rf_words()) break;
            search_pe(level + 1, u, cand, best, best_u, best_work);
        }
        u[di] = 1;
    }

    DimArray choose_pe_tile() const {
        std::vector<std::vector<int64_t>> cand;
        for (Dim d : temporal) cand.push_back(chunk_candidates(E(d)));
        DimArray u{1, 1, 1, 1, 1, 1, 1}, best_u = u;
        double best = std::numeric_limits<double>::infinity();
        int64_t best_work = 0;
        search_pe(0, u, cand, best, best_u, best_work);
        return best_u;
    }

    // ---- GB tile ----
    // Estimated cycles of the whole nest with GB tile t: steps counted per dimension (full and
    // edge tiles), each taken as a full step; DRAM traffic from the loop order (an operand is
    // fetched again for every iteration of a loop outside its innermost relevant loop).
    double estimate(const DimArray& t, const std::array<Dim, kDims>& order, const DimArray& u_full) const {
        DimArray n, last, u;
        int64_t tiles = 1;
        for (int d = 0; d < kDims; ++d) {
            const int64_t e = E(static_cast<Dim>(d));
            n[d] = ceil_div(e, t[d]);
            last[d] = e - (n[d] - 1) * t[d];
            u[d] = std::min(u_full[d], t[d]);
            tiles *= n[d];
        }
        double steps = 1;
        for (int d = 0; d < kDims; ++d) {
            const Dim dim = static_cast<Dim>(d);
            const int64_t chunk = dim == m.row_dim ? cfg.rows : dim == m.col_dim ? cfg.cols : u[d];
            steps *= static_cast<double>((n[d] - 1) * ceil_div(t[d], chunk) + ceil_div(last[d], chunk));
        }
        const int64_t tr = t[idx(m.row_dim)], tc = t[idx(m.col_dim)];
        const int64_t ar = std::min<int64_t>(cfg.rows, tr), ac = std::min<int64_t>(cfg.cols, tc);
        int64_t work = 1;
        for (Dim d : temporal) work *= u[idx(d)];
        const StepWords sw = step_words(nest, m, u, ar, ac);
        const int64_t red_steps =
            ceil_div(tr, cfg.rows) * ceil_div(t[idx(Dim::R)], u[idx(Dim::R)]) * ceil_div(t[idx(Dim::S)], u[idx(Dim::S)]);
        const double c = step_compute(work);
        const double red_tiles = static_cast<double>(n[idx(Dim::C)] * n[idx(Dim::R)] * n[idx(Dim::S)]);
        const double compute = static_cast<double>(tiles) * (cfg.rows + cfg.cols) +
                               steps * step_time(c, sw, red_steps, 2.0 - 1.0 / red_tiles);

        auto T = [&](Dim d) { return t[idx(d)]; };
        auto Lst = [&](Dim d) { return last[idx(d)]; };
        auto N_ = [&](Dim d) { return n[idx(d)]; };
        // Input rows summed over all (P tile, R tile) pairs, likewise columns.
        auto win_sum = [&](Dim p, Dim r, int64_t st, int64_t dil, int64_t in) {
            double sum = 0;
            for (int a = 0; a < 2; ++a)
                for (int b = 0; b < 2; ++b) {
                    const int64_t cnt = (a ? 1 : N_(p) - 1) * (b ? 1 : N_(r) - 1);
                    if (cnt == 0) continue;
                    sum += static_cast<double>(cnt) * std::min(window(a ? Lst(p) : T(p), b ? Lst(r) : T(r), st, dil), in);
                }
            return sum;
        };
        const double in_cover = static_cast<double>(E(Dim::N) * E(Dim::C)) *
                                win_sum(Dim::P, Dim::R, nest.stride_h, nest.dilation_h, nest.in_h) *
                                win_sum(Dim::Q, Dim::S, nest.stride_w, nest.dilation_w, nest.in_w);
        int64_t fw = 1, fi = 1, mw = 1, mi = 1;
        reuse(order, n, {Dim::K, Dim::C, Dim::R, Dim::S}, fw, mw);
        reuse(order, n, {Dim::N, Dim::C, Dim::P, Dim::Q, Dim::R, Dim::S}, fi, mi);
        const int64_t fo = n[idx(Dim::N)] * n[idx(Dim::K)] * n[idx(Dim::P)] * n[idx(Dim::Q)];
        const int mask = nest.relu_mask ? 2 : 1;
        const double bytes = 4.0 * (static_cast<double>(nest.elements(Role::Weight)) * hints.wt_words * mw +
                                    in_cover * mi +
                                    static_cast<double>(nest.elements(Role::Output)) * mask);
        const double requests = static_cast<double>(fw + fi + fo * mask);
        const double dram = bytes / cfg.dram_bytes_per_cycle() + requests * cfg.dram_latency_cycles();
        if (cfg.timing == TimingRule::ComputeOnly) return compute;
        return cfg.double_buffering ? std::max(compute, dram) : compute + dram;
    }

    // Tile loads of an operand (fetches) and how often each element is loaded (mult): every
    // iteration of the loops down to the innermost one (with more than one tile) it depends on.
    static void reuse(const std::array<Dim, kDims>& order, const DimArray& n, std::initializer_list<Dim> deps,
                      int64_t& fetches, int64_t& mult) {
        auto dep = [&](Dim d) { return std::find(deps.begin(), deps.end(), d) != deps.end(); };
        int innermost = -1;
        for (int i = 0; i < kDims; ++i)
            if (n[idx(order[i])] > 1 && dep(order[i])) innermost = i;
        fetches = mult = 1;
        for (int i = 0; i <= innermost; ++i) {
            fetches *= n[idx(order[i])];
            if (!dep(order[i])) mult *= n[idx(order[i])];
        }
    }

    std::vector<int64_t> tile_candidates(Dim d, int64_t align) const {
        const int64_t e = E(d);
        std::vector<int64_t> v;
        for (int64_t k = 1; k <= e; ++k) {
            const int64_t c = ceil_div(e, k);
            v.push_back(c);
            if (c == 1) break;
            k = std::max(k, ceil_div(e, c - 1) - 1);  // next k that changes ceil(e/k): O(sqrt(e)) values
        }
        if (align > 1)
            for (int64_t x = align; x < e; x += align) v.push_back(x);
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
    }

    bool fits(const DimArray& t) const {
        return gb_tile_words(nest, t) * (cfg.double_buffering ? 2 : 1) <= cfg.gb_words();
    }

    // GB tile for one loop order: greedy shrinking from the whole nest until it fits (the move
    // with the least estimated time added per word freed; a move that makes it fit is judged by
    // its time alone), then hill climbing (grow one dim, shrinking another just enough to fit)
    // while the estimate improves.
    DimArray search(const std::array<Dim, kDims>& order, const DimArray& u, double& cost) const {
        std::array<std::vector<int64_t>, kDims> cand;
        for (int d = 0; d < kDims; ++d) {
            const Dim dim = static_cast<Dim>(d);
            const int64_t align = dim == m.row_dim ? cfg.rows : dim == m.col_dim ? cfg.cols : u[d];
            cand[d] = tile_candidates(dim, align);
        }
        auto pos = [&](int d, int64_t v) {
            return static_cast<int>(std::lower_bound(cand[d].begin(), cand[d].end(), v) - cand[d].begin());
        };
        DimArray t;
        for (int d = 0; d < kDims; ++d) t[d] = E(static_cast<Dim>(d));
        cost = estimate(t, order, u);
        while (!fits(t)) {
            const int64_t fp = gb_tile_words(nest, t);
            bool found = false, best_fits = false;
            double best_score = 0, best_cost = 0;
            DimArray best_t = t;
            for (int d = 0; d < kDims; ++d) {
                for (int i = pos(d, t[d]) - 1; i >= 0; --i) {
                    DimArray t2 = t;
                    t2[d] = cand[d][i];
                    const int64_t fp2 = gb_tile_words(nest, t2);
                    if (fp2 >= fp) continue;
                    const double c2 = estimate(t2, order, u);
                    const bool f2 = fits(t2);
                    const double score = f2 ? c2 : (c2 - cost) / static_cast<double>(fp - fp2);
                    if (!found || (f2 && !best_fits) || (f2 == best_fits && score < best_score)) {
                        found = true, best_fits = f2, best_score = score, best_cost = c2, best_t = t2;
                    }
                    if (f2) break;  // smaller values of this dim only add time
                }
            }
            if (!found) break;  // all ones: fits whenever the config validates
            t = best_t;
            cost = best_cost;
        }
        // Largest value of dim d (at most t[d]) that makes t fit, or 0.
        auto fit_down = [&](DimArray t2, int d) -> int64_t {
            int lo = 0, hi = pos(d, t2[d]);  // candidates [0, hi] ; cand[d][hi] may equal t2[d]
            if (hi >= static_cast<int>(cand[d].size())) hi = static_cast<int>(cand[d].size()) - 1;
            t2[d] = cand[d][lo];
            if (!fits(t2)) return 0;
            while (lo < hi) {
                const int mid = (lo + hi + 1) / 2;
                t2[d] = cand[d][mid];
                if (fits(t2)) lo = mid; else hi = mid - 1;
            }
            return cand[d][lo];
        };
        for (int iter = 0; iter < 64 && fits(t); ++iter) {
            double best = cost;
            DimArray best_t = t;
            for (int d1 = 0; d1 < kDims; ++d1) {
                for (int i = 0; i < static_cast<int>(cand[d1].size()); ++i) {
                    if (cand[d1][i] == t[d1]) continue;
                    DimArray t2 = t;
                    t2[d1] = cand[d1][i];
                    if (fits(t2)) {
                        const double c = estimate(t2, order, u);
                        if (c < best) best = c, best_t = t2;
                        continue;
                    }
                    for (int d2 = 0; d2 < kDims; ++d2) {
                        if (d2 == d1) continue;
                        const int64_t v = fit_down(t2, d2);
                        if (v == 0) continue;
                        DimArray t3 = t2;
                        t3[d2] = v;
                        const double c = estimate(t3, order, u);
                        if (c < best) best = c, best_t = t3;
                    }
                }
            }
            if (!(best < cost)) break;
            t = best_t;
            cost = best;
        }
        return t;
    }
};

}  // namespace

Mapping map_op(const ArrayConfig& cfg, const OpShape& nest, const SparseHints& hints) {
    Tiler tl(cfg, nest, hints);
    Mapping m = tl.m;
    const DimArray u = tl.choose_pe_tile();
    const std::array<std::array<Dim, kDims>, 2> orders{{
        {Dim::K, Dim::N, Dim::P, Dim::Q, Dim::C, Dim::R, Dim::S},  // weights stay across N, P, Q tiles
        {Dim::N, Dim::P, Dim::Q, Dim::K, Dim::C, Dim::R, Dim::S},  // inputs stay across K tiles
    }};
    double best = std::numeric_limits<double>::infinity();
    for (const auto& order : orders) {
        double cost = 0;
        const DimArray t = tl.search(order, u, cost);
        if (cost < best) {
            best = cost;
            m.gb_tile = t;
            m.gb_order = order;
        }
    }
    for (int d = 0; d < kDims; ++d) m.pe_tile[d] = std::min(u[d], m.gb_tile[d]);
    m.pe_tile[idx(m.row_dim)] = 1;
    m.pe_tile[idx(m.col_dim)] = 1;
    m.gb_words = gb_tile_words(nest, m.gb_tile);
    const int64_t ar = std::min<int64_t>(cfg.rows, m.gb_tile[idx(m.row_dim)]);
    const int64_t ac = std::min<int64_t>(cfg.cols, m.gb_tile[idx(m.col_dim)]);
    m.rf_words = rf_step_words(step_words(nest, m, m.pe_tile, ar, ac), cfg.double_buffering);
    if (!tl.fits(m.gb_tile) || m.rf_words > cfg.rf_words())
        m.error = "no tiling fits the buffers (gb " + std::to_string(m.gb_words) + " words, rf " +
                  std::to_string(m.rf_words) + " words)";
    return m;
}

}  // namespace stvp::accel
