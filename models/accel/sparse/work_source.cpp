#include "accel/sparse/work_source.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <utility>

#include "accel/core/loop_nest.h"
#include "accel/sparse/block_sparse.h"

namespace stvp::accel::sparse {

std::string conv_operands(const Conv2dShape& s, Phase phase, const uint8_t* w_nz, const uint8_t* x_nz,
                          const uint8_t* dy_nz, NestOperands* out) {
    std::string e = validate(s);
    if (!e.empty()) return e;
    const int64_t N = s.batch, C = s.in_channels, H = s.in_h, W = s.in_w, K = s.out_channels, R = s.kernel_h,
                  S = s.kernel_w, P = s.out_h(), Q = s.out_w();
    NestOperands o;
    switch (phase) {
        case Phase::Forward:
            if (w_nz) o.wt.assign(w_nz, w_nz + K * C * R * S);
            if (x_nz) o.in.assign(x_nz, x_nz + N * C * H * W);
            break;
        case Phase::InputGrad:
            if (s.stride_h != 1 || s.stride_w != 1) return "input-grad operand maps need stride 1";
            if (w_nz) {  // Wt[c][k][r][s] = W[k][c][R-1-r][S-1-s]
                o.wt.resize(static_cast<size_t>(K * C * R * S));
                for (int64_t k = 0; k < K; ++k)
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t r = 0; r < R; ++r)
                            for (int64_t t = 0; t < S; ++t)
                                o.wt[static_cast<size_t>(((c * K + k) * R + r) * S + t)] =
                                    w_nz[((k * C + c) * R + (R - 1 - r)) * S + (S - 1 - t)];
            }
            if (dy_nz) o.in.assign(dy_nz, dy_nz + N * K * P * Q);
            break;
        case Phase::WeightGrad:
            if (dy_nz) {  // Wt[k][c=n][r=p][s=q] = dY[n][k][p][q]
                o.wt.resize(static_cast<size_t>(N * K * P * Q));
                for (int64_t n = 0; n < N; ++n)
                    for (int64_t k = 0; k < K; ++k)
                        for (int64_t pq = 0; pq < P * Q; ++pq)
                            o.wt[static_cast<size_t>((k * N + n) * P * Q + pq)] = dy_nz[(n * K + k) * P * Q + pq];
            }
            if (x_nz) {  // In[n=c][c=n][h][w] = X[n][c][h][w]
                o.in.resize(static_cast<size_t>(N * C * H * W));
                if (H * W == 1) {  // an FC layer: a byte transpose (a copy call per byte cost 7% of a run)
                    uint8_t* in = o.in.data();
                    for (int64_t n = 0; n < N; ++n)
                        for (int64_t c = 0; c < C; ++c) in[c * N + n] = x_nz[n * C + c];
                } else {
                    for (int64_t n = 0; n < N; ++n)
                        for (int64_t c = 0; c < C; ++c)
                            std::copy(x_nz + (n * C + c) * H * W, x_nz + (n * C + c + 1) * H * W,
                                      o.in.begin() + (c * N + n) * H * W);
                }
            }
            break;
    }
    *out = std::move(o);
    return {};
}

std::string fc_operands(const FcShape& s, Phase phase, const uint8_t* w_nz, const uint8_t* x_nz,
                        const uint8_t* dy_nz, NestOperands* out) {
    Conv2dShape c;
    c.batch = s.batch, c.in_channels = s.in_features, c.out_channels = s.out_features;
    return conv_operands(c, phase, w_nz, x_nz, dy_nz, out);
}

namespace {
// The prefix of each column of a map[rows][cols] down its rows: out[col * (rows + 1) + r] = the
// sum of map[0 .. r-1][col]. A band of columns at a time, so the map is read row by row
// (contiguous) and each column's running sum is an independent chain.
void column_prefix(const uint8_t* map, int64_t rows, int64_t cols, int32_t* out) {
    constexpr int64_t kBand = 16;
    const int64_t R1 = rows + 1;
    for (int64_t c0 = 0; c0 < cols; c0 += kBand) {
        const int64_t nc = std::min(kBand, cols - c0);
        int32_t acc[kBand] = {};
        for (int64_t c = 0; c < nc; ++c) out[(c0 + c) * R1] = 0;
        for (int64_t r = 0; r < rows; ++r) {
            const uint8_t* src = map + r * cols + c0;
            for (int64_t c = 0; c < nc; ++c) {
                acc[c] += src[c];
                out[(c0 + c) * R1 + r + 1] = acc[c];
            }
        }
    }
}
}  // namespace

SparsePeWork::SparsePeWork(const OpShape& nest, const NestOperands& ops, bool load_balance, double wt_fraction)
    : nest_(nest), ops_(ops), balance_(load_balance), wt_fraction_(wt_fraction) {
    const OpShape& o = nest_;
    fc_like_ = o.e(Dim::R) == 1 && o.e(Dim::S) == 1 && o.e(Dim::P) == 1 && o.e(Dim::Q) == 1 && o.in_h == 1 &&
               o.in_w == 1 && o.pad_h == 0 && o.pad_w == 0;
    // With unit column stride a box's input columns are contiguous: a 2-D prefix over (w, n)
    // per (c, h) sums them in O(1).
    rect_ = !fc_like_ && o.stride_w == 1;
    cube_ = rect_ && o.stride_h == 1;
}

void SparsePeWork::build_prefix() const {
    // Prefix sums of the operand maps along the dims a PE box spans but the per-(c, r, s) sum
    // of box_work does not iterate: Wt over k, In over n (and w). box_work then costs O(c*r*s*p) per
    // box instead of O(c*r*s*(k + p*q*n)); the walk asks for every PE of every step, which made
    // the count as expensive as the op itself (callgrind: 55% of a Procrustes training run).
    const OpShape& o = nest_;
    const int64_t K = o.e(Dim::K), C = o.e(Dim::C), R = o.e(Dim::R), S = o.e(Dim::S), CRS = C * R * S;
    if (!ops_.wt.empty()) {
        wt_prefix_.resize(static_cast<size_t>(CRS * (K + 1)));
        column_prefix(ops_.wt.data(), K, CRS, wt_prefix_.data());
    }
    build_in_prefix();
    prefix_built_ = true;
}

const int32_t* SparsePeWork::wt_channel_sums(int64_t k0, int64_t k1) const {
    for (const WtSums& w : wt_sums_)
        if (w.k0 == k0 && w.k1 == k1) return w.sums.data();
    // Rows k0 .. k1-1 of the map added column by column: contiguous bytes, independent sums.
    const int64_t C = nest_.e(Dim::C);
    WtSums w{k0, k1, std::vector<int32_t>(static_cast<size_t>(C), 0)};
    int32_t* __restrict out = w.sums.data();
    for (int64_t k = k0; k < k1; ++k) {
        const uint8_t* __restrict row = ops_.wt.data() + k * C;
        for (int64_t c = 0; c < C; ++c) out[c] += row[c];
    }
    wt_sums_.push_back(std::move(w));
    return wt_sums_.back().sums.data();
}

void SparsePeWork::build_in_prefix() const {
    if (in_built_) return;
    in_built_ = true;
    const OpShape& o = nest_;
    const int64_t C = o.e(Dim::C), N = o.e(Dim::N), H = o.in_h, W = o.in_w, CHW = C * H * W;
    if (!ops_.in.empty() && cube_) {
        // in_cube_[c][h + 1] = in_cube_[c][h] + the (w, n) prefix of row h.
        const int64_t W1 = W + 1, N1 = N + 1, plane = W1 * N1;
        in_cube_.assign(static_cast<size_t>(C * (H + 1) * plane), 0);
        for (int64_t c = 0; c < C; ++c)
            for (int64_t h = 0; h < H; ++h) {
                const int32_t* up = &in_cube_[static_cast<size_t>((c * (H + 1) + h) * plane)];
                int32_t* P = &in_cube_[static_cast<size_t>((c * (H + 1) + h + 1) * plane)];
                for (int64_t w = 0; w < W; ++w) {
                    int32_t* cur = P + (w + 1) * N1;
                    const int32_t* left = P + w * N1;
                    const int32_t* below = up + (w + 1) * N1;
                    const int32_t* diag = up + w * N1;
                    int32_t run = 0;
                    for (int64_t n = 0; n < N; ++n) {
                        run += ops_.in[static_cast<size_t>(((n * C + c) * H + h) * W + w)];
                        // run: row h, column w, n' <= n; left - diag: row h, columns < w.
                        cur[n + 1] = run + left[n + 1] - diag[n + 1] + below[n + 1];
                    }
                }
            }
    } else if (!ops_.in.empty() && rect_) {
        const int64_t W1 = W + 1, N1 = N + 1;
        in_rect_.assign(static_cast<size_t>(C * H * W1 * N1), 0);
        for (int64_t ch = 0; ch < C * H; ++ch) {
            int32_t* P = &in_rect_[static_cast<size_t>(ch * W1 * N1)];
            const int64_t c = ch / H, h = ch % H;
            for (int64_t w = 0; w < W; ++w) {
                int32_t* cur = P + (w + 1) * N1;
                const int32_t* up = P + w * N1;
                int32_t run = 0;
                for (int64_t n = 0; n < N; ++n) {
                    run += ops_.in[static_cast<size_t>(((n * C + c) * H + h) * W + w)];
                    cur[n + 1] = up[n + 1] + run;
                }
            }
        }
    } else if (!ops_.in.empty()) {
        in_prefix_.resize(static_cast<size_t>(CHW * (N + 1)));
        column_prefix(ops_.in.data(), N, CHW, in_prefix_.data());
    }
}

namespace {
// First output index p >= 0 with p * stride + off >= 0, and one past the last with
// p * stride + off < in (the output rows that read inside an input of `in` rows).
int64_t first_inside(int64_t off, int64_t stride) { return off >= 0 ? 0 : (-off + stride - 1) / stride; }
int64_t end_inside(int64_t off, int64_t stride, int64_t in) {
    return in - 1 - off < 0 ? 0 : (in - 1 - off) / stride + 1;
}
}  // namespace

void SparsePeWork::taps_of(const DimArray& lo, const DimArray& hi, std::vector<Tap>* taps) const {
    const OpShape& o = nest_;
    taps->clear();
    const int64_t p0 = lo[idx(Dim::P)], p1 = hi[idx(Dim::P)], q0 = lo[idx(Dim::Q)], q1 = hi[idx(Dim::Q)];
    for (int64_t r = lo[idx(Dim::R)]; r < hi[idx(Dim::R)]; ++r) {
        // Output rows of the box that read inside the input.
        const int64_t oh = r * o.dilation_h - o.pad_h;
        const int64_t vp0 = std::max(p0, first_inside(oh, o.stride_h)), vp1 = std::min(p1, end_inside(oh, o.stride_h, o.in_h));
        if (vp0 >= vp1) continue;
        for (int64_t s = lo[idx(Dim::S)]; s < hi[idx(Dim::S)]; ++s) {
            const int64_t ow = s * o.dilation_w - o.pad_w;
            const int64_t vq0 = std::max(q0, first_inside(ow, o.stride_w)),
                          vq1 = std::min(q1, end_inside(ow, o.stride_w, o.in_w));
            if (vq0 < vq1) taps->push_back(Tap{r, s, vp0, vp1, vq0, vq1, oh, ow});
        }
    }
}

int64_t SparsePeWork::taps_work(const std::vector<Tap>& taps, int64_t c0, int64_t c1, int64_t k0, int64_t k1,
                                int64_t n0, int64_t n1) const {
    const OpShape& o = nest_;
    const int64_t K = o.e(Dim::K), N = o.e(Dim::N), R = o.e(Dim::R), S = o.e(Dim::S), H = o.in_h, W = o.in_w;
    const bool wd = ops_.wt.empty(), id = ops_.in.empty();
    const int64_t N1 = N + 1, W1 = W + 1, plane = W1 * N1;
    int64_t total = 0;
    for (int64_t c = c0; c < c1; ++c)
        for (const Tap& t : taps) {
            int64_t wsum = k1 - k0;
            if (!wd) {
                const int32_t* row = &wt_prefix_[static_cast<size_t>(((c * R + t.r) * S + t.s) * (K + 1))];
                wsum = row[k1] - row[k0];
            }
            if (wsum == 0) continue;
            int64_t isum = 0;
            if (id) {
                isum = (t.p1 - t.p0) * (t.q1 - t.q0) * (n1 - n0);
            } else if (cube_) {
                // Unit strides: rows h0 .. h1-1 and columns w0 .. w1-1, one 3-D box.
                const int64_t w0 = t.q0 + t.ow, w1 = t.q1 + t.ow;
                const int32_t* base = &in_cube_[static_cast<size_t>(c * (H + 1) * plane)];
                auto rect = [&](const int32_t* P) {
                    return P[w1 * N1 + n1] - P[w0 * N1 + n1] - P[w1 * N1 + n0] + P[w0 * N1 + n0];
                };
                isum = rect(base + (t.p1 + t.oh) * plane) - rect(base + (t.p0 + t.oh) * plane);
            } else if (rect_) {
                // Unit column stride: columns w0 .. w1-1, summed with the (w, n) prefix.
                const int64_t w0 = t.q0 + t.ow, w1 = t.q1 + t.ow;
                for (int64_t p = t.p0; p < t.p1; ++p) {
                    const int64_t h = p * o.stride_h + t.oh;
                    const int32_t* P = &in_rect_[static_cast<size_t>((c * H + h) * plane)];
                    isum += P[w1 * N1 + n1] - P[w0 * N1 + n1] - P[w1 * N1 + n0] + P[w0 * N1 + n0];
                }
            } else {
                for (int64_t p = t.p0; p < t.p1; ++p) {
                    const int64_t h = p * o.stride_h + t.oh;
                    for (int64_t q = t.q0; q < t.q1; ++q) {
                        const int64_t w = q * o.stride_w + t.ow;
                        const int32_t* row = &in_prefix_[static_cast<size_t>(((c * H + h) * W + w) * N1)];
                        isum += row[n1] - row[n0];
                    }
                }
            }
            total += wsum * isum;
        }
    return total;
}

int64_t SparsePeWork::fc_work(int64_t c0, int64_t c1, int64_t k0, int64_t k1, int64_t n0, int64_t n1) const {
    // FC nests (R = S = P = Q = 1, 1x1 planes, no padding): one product per channel.
    const int64_t K = nest_.e(Dim::K), N = nest_.e(Dim::N);
    const bool wd = ops_.wt.empty(), id = ops_.in.empty();
    int64_t total = 0;
    for (int64_t c = c0; c < c1; ++c) {
        const int32_t* wr = wd ? nullptr : &wt_prefix_[static_cast<size_t>(c * (K + 1))];
        const int32_t* ir = id ? nullptr : &in_prefix_[static_cast<size_t>(c * (N + 1))];
        total += (wd ? k1 - k0 : wr[k1] - wr[k0]) * (id ? n1 - n0 : ir[n1] - ir[n0]);
    }
    return total;
}

int64_t SparsePeWork::box_work(const DimArray& lo, const DimArray& hi) const {
    if (!prefix_built_) build_prefix();
    const auto [c0, c1] = std::pair{lo[idx(Dim::C)], hi[idx(Dim::C)]};
    const auto [k0, k1] = std::pair{lo[idx(Dim::K)], hi[idx(Dim::K)]};
    const auto [n0, n1] = std::pair{lo[idx(Dim::N)], hi[idx(Dim::N)]};
    if (fc_like_) return fc_work(c0, c1, k0, k1, n0, n1);
    std::vector<Tap> taps;
    taps_of(lo, hi, &taps);
    return taps_work(taps, c0, c1, k0, k1, n0, n1);
}

double SparsePeWork::work_fraction() const {
    if (work_fraction_ < 0) {
        auto density = [](const std::vector<uint8_t>& v) {
            if (v.empty()) return 1.0;
            // Chunks of 2^16 bytes counted in 32 bits: the byte compares vectorise.
            int64_t nz = 0;
            for (size_t at = 0; at < v.size(); at += size_t{1} << 16) {
                const uint8_t* p = v.data() + at;
                const size_t n = std::min(v.size() - at, size_t{1} << 16);
                uint32_t chunk = 0;
                for (size_t i = 0; i < n; ++i) chunk += p[i] != 0;
                nz += chunk;
            }
            return static_cast<double>(nz) / static_cast<double>(v.size());
        };
        work_fraction_ = density(ops_.wt) * density(ops_.in);
    }
    return work_fraction_;
}

void SparsePeWork::step_work(const StepView& v, int64_t rows, int64_t cols, int64_t* work) const {
    const Mapping& m = *v.mapping;
    const int rd = idx(m.row_dim), cd = idx(m.col_dim);
    const int64_t ar = v.size[rd], ac = v.size[cd];
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
            int64_t& out = work[i * cols + j];
            out = 0;
            if (i >= ar || j >= ac) continue;
            DimArray lo = v.origin, hi;
            lo[rd] += i, lo[cd] += j;
            for (int d = 0; d < kDims; ++d) hi[d] = lo[d] + (d == rd || d == cd ? 1 : v.size[d]);
            out = box_work(lo, hi);
        }
}

namespace {
// Split dim of a PE's box: the largest temporal extent (with every extent 1 the second half is
// empty: -1).
int split_dim(const StepView& v) {
    const int rd = idx(v.mapping->row_dim), cd = idx(v.mapping->col_dim);
    int split = -1;
    for (int d = 0; d < kDims; ++d)
        if (d != rd && d != cd && v.size[d] > 1 && (split < 0 || v.size[d] > v.size[split])) split = d;
    return split;
}
}  // namespace

void SparsePeWork::pe_halves(const StepView& v, int split, int64_t i, int64_t j, int64_t* out) const {
    const int rd = idx(v.mapping->row_dim), cd = idx(v.mapping->col_dim);
    DimArray lo = v.origin, hi;
    lo[rd] += i, lo[cd] += j;
    for (int d = 0; d < kDims; ++d) hi[d] = lo[d] + (d == rd || d == cd ? 1 : v.size[d]);
    if (split < 0 || !balance_) {  // unbalanced: only the sum of the halves is used
        out[0] = box_work(lo, hi), out[1] = 0;
        return;
    }
    DimArray mid = hi, lo2 = lo;
    mid[split] = lo2[split] = lo[split] + v.size[split] / 2;
    out[0] = box_work(lo, mid);
    out[1] = box_work(lo2, hi);
}

void SparsePeWork::step_halves(const StepView& v, int64_t rows, int64_t cols, int64_t* halves) const {
    const int rd = idx(v.mapping->row_dim), cd = idx(v.mapping->col_dim);
    const int64_t ar = v.size[rd], ac = v.size[cd];
    const int split = split_dim(v);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
            int64_t* out = &halves[2 * (i * cols + j)];
            out[0] = out[1] = 0;
            if (i < ar && j < ac) pe_halves(v, split, i, j, out);
        }
}

void SparsePeWork::tile_halves(const StepView& tile, int64_t rows, int64_t cols, int64_t* halves) const {
    const int rd = idx(tile.mapping->row_dim), cd = idx(tile.mapping->col_dim);
    const int xd = rd == idx(Dim::C) ? cd : cd == idx(Dim::C) ? rd : -1;  // the array dim beside C
    // An FC-like nest with C on the rows and N beside it reads Wt only through its channels'
    // sums over the halves' k ranges (wt_channel_sums), not the prefix.
    if (fc_like_ && rd == idx(Dim::C) && xd == idx(Dim::N))
        build_in_prefix();
    else if (!prefix_built_)
        build_prefix();
    // Every fold has the tile's temporal extents, hence the same split dim and the same two
    // half boxes in the temporal dims.
    const int split = split_dim(tile);
    const bool two = split >= 0 && balance_;
    DimArray lo[2], hi[2];
    lo[0] = lo[1] = tile.origin;
    for (int d = 0; d < kDims; ++d) hi[0][d] = hi[1][d] = tile.origin[d] + tile.size[d];
    if (two) hi[0][split] = lo[1][split] = tile.origin[split] + tile.size[split] / 2;
    // The taps depend on P, Q, R, S only, all temporal (the array spans C and N or K).
    auto spatial_pqrs = [](int d) { return d == idx(Dim::P) || d == idx(Dim::Q) || d == idx(Dim::R) || d == idx(Dim::S); };
    if (spatial_pqrs(rd) || spatial_pqrs(cd)) {
        PeWorkSource::tile_halves(tile, rows, cols, halves);
        return;
    }
    if (fc_like_ && (xd == idx(Dim::K) || xd == idx(Dim::N))) {
        fc_tile_halves(tile, rows, cols, lo, hi, two ? 2 : 1, halves);
        return;
    }
    std::vector<Tap> taps[2];
    if (!fc_like_)
        for (int h = 0; h < (two ? 2 : 1); ++h) taps_of(lo[h], hi[h], &taps[h]);
    if (!fc_like_ && rd == idx(Dim::C) && cd == idx(Dim::N)) {
        conv_tile_halves(tile, rows, cols, lo, hi, taps, two ? 2 : 1, halves);
        return;
    }
    auto work = [&](int h, const DimArray& a, const DimArray& b) {
        const int64_t c0 = a[idx(Dim::C)], c1 = b[idx(Dim::C)], k0 = a[idx(Dim::K)], k1 = b[idx(Dim::K)],
                      n0 = a[idx(Dim::N)], n1 = b[idx(Dim::N)];
        return fc_like_ ? fc_work(c0, c1, k0, k1, n0, n1) : taps_work(taps[h], c0, c1, k0, k1, n0, n1);
    };
    // box_work reads k only through the Wt map and n only through the In map: when the column
    // dim indexes a dense operand, every column of a row has the same boxes' work.
    const bool same_columns = (cd == idx(Dim::N) && ops_.in.empty()) || (cd == idx(Dim::K) && ops_.wt.empty());
    int64_t w[2] = {0, 0};
    for (int64_t fr = 0; fr < tile.size[rd]; fr += rows)
        for (int64_t fc = 0; fc < tile.size[cd]; fc += cols) {
            const int64_t ar = std::min(rows, tile.size[rd] - fr), ac = std::min(cols, tile.size[cd] - fc);
            for (int64_t i = 0; i < ar; ++i)
                for (int64_t j = 0; j < ac; ++j) {
                    if (j == 0 || !same_columns)
                        for (int h = 0; h < (two ? 2 : 1); ++h) {
                            DimArray a = lo[h], b = hi[h];
                            a[rd] = tile.origin[rd] + fr + i, b[rd] = a[rd] + 1;
                            a[cd] = tile.origin[cd] + fc + j, b[cd] = a[cd] + 1;
                            w[h] = work(h, a, b);
                        }
                    halves[2 * (i * cols + j)] += w[0];
                    halves[2 * (i * cols + j) + 1] += w[1];
                }
        }
}

namespace {
// out[2j] += t0 * (r[j + 1] - r[j]), out[2j + 1] += t1 * (the same) for j < n: a row of PEs
// whose channel fixes each half's factor, the one-element counts read from a prefix row. With
// both factors within 32 bits the products are widening 32 x 32 multiplies, which vectorise
// (every PE of every GB tile of a sparse op passes here).
__attribute__((target_clones("avx2", "default"))) void add_row_halves(int64_t* out, const int32_t* r, int64_t n,
                                                                       int64_t t0, int64_t t1) {
    if (t0 >= 0 && t1 >= 0 && t0 <= INT32_MAX && t1 <= INT32_MAX) {
        const int32_t a = static_cast<int32_t>(t0), b = static_cast<int32_t>(t1);
        for (int64_t j = 0; j < n; ++j) {
            const int32_t one = r[j + 1] - r[j];
            out[2 * j] += int64_t{a} * one, out[2 * j + 1] += int64_t{b} * one;
        }
        return;
    }
    for (int64_t j = 0; j < n; ++j) {
        const int64_t one = r[j + 1] - r[j];
        out[2 * j] += t0 * one, out[2 * j + 1] += t1 * one;
    }
}
}  // namespace

void SparsePeWork::fc_tile_halves(const StepView& tile, int64_t rows, int64_t cols, const DimArray* lo,
                                  const DimArray* hi, int nh, int64_t* halves) const {
    // One channel per PE: fc_work's sum over c has a single term, the PE's Wt non-zeros over its
    // k range times its In non-zeros over its n range. The array dim beside C (K or N) picks
    // one index of its operand; the other range is the half's temporal box.
    const int rd = idx(tile.mapping->row_dim), cd = idx(tile.mapping->col_dim), Cd = idx(Dim::C);
    const bool c_rows = rd == Cd, x_is_k = (c_rows ? cd : rd) == idx(Dim::K);
    const int64_t K1 = nest_.e(Dim::K) + 1, N1 = nest_.e(Dim::N) + 1;
    auto wsum = [&](int64_t c, int64_t k0, int64_t k1) {
        if (ops_.wt.empty()) return k1 - k0;
        const int32_t* r = &wt_prefix_[static_cast<size_t>(c * K1)];
        return int64_t{r[k1] - r[k0]};
    };
    auto isum = [&](int64_t c, int64_t n0, int64_t n1) {
        if (ops_.in.empty()) return n1 - n0;
        const int32_t* r = &in_prefix_[static_cast<size_t>(c * N1)];
        return int64_t{r[n1] - r[n0]};
    };
    // PE work of channel c and array index x (of K or N) in half h.
    auto work = [&](int64_t c, int64_t x, int h) {
        return x_is_k ? wsum(c, x, x + 1) * isum(c, lo[h][idx(Dim::N)], hi[h][idx(Dim::N)])
                      : wsum(c, lo[h][idx(Dim::K)], hi[h][idx(Dim::K)]) * isum(c, x, x + 1);
    };
    // C on the rows and N beside it: each half's Wt count per channel over the half's k range,
    // summed once per range for the op (tile_halves builds no Wt prefix for this case).
    const int32_t* ksums[2] = {nullptr, nullptr};
    if (c_rows && !x_is_k && !ops_.wt.empty())
        for (int h = 0; h < nh; ++h) ksums[h] = wt_channel_sums(lo[h][idx(Dim::K)], hi[h][idx(Dim::K)]);
    const int64_t c_base = tile.origin[Cd], x_base = tile.origin[c_rows ? cd : rd];
    // Half h's temporal factor of channel c (C on the rows).
    auto factor = [&](int64_t c, int h) {
        return x_is_k     ? isum(c, lo[h][idx(Dim::N)], hi[h][idx(Dim::N)])
               : ksums[h] ? int64_t{ksums[h][c]}
                          : wsum(c, lo[h][idx(Dim::K)], hi[h][idx(Dim::K)]);
    };
    if (c_rows && (x_is_k ? ops_.wt : ops_.in).empty()) {
        // The columns' operand is dense: in a fold every active column of row i adds the row's
        // factors, so PE (i, j) adds row i's factors summed over the row folds once per column
        // fold that reaches column j.
        const int64_t ar = std::min(rows, tile.size[rd]), ac = std::min(cols, tile.size[cd]);
        fold_sums_.assign(static_cast<size_t>(2 * ar + ac), 0);
        int64_t* t = fold_sums_.data();
        int64_t* reach = t + 2 * ar;
        for (int64_t fr = 0; fr < tile.size[rd]; fr += rows)
            for (int64_t i = 0; i < std::min(rows, tile.size[rd] - fr); ++i)
                for (int h = 0; h < nh; ++h) t[2 * i + h] += factor(c_base + fr + i, h);
        for (int64_t fc = 0; fc < tile.size[cd]; fc += cols)
            for (int64_t j = 0; j < std::min(cols, tile.size[cd] - fc); ++j) ++reach[j];
        for (int64_t i = 0; i < ar; ++i)
            for (int64_t j = 0; j < ac; ++j) {
                halves[2 * (i * cols + j)] += reach[j] * t[2 * i];
                halves[2 * (i * cols + j) + 1] += reach[j] * t[2 * i + 1];
            }
        return;
    }
    for (int64_t fr = 0; fr < tile.size[rd]; fr += rows)
        for (int64_t fc = 0; fc < tile.size[cd]; fc += cols) {
            const int64_t ar = std::min(rows, tile.size[rd] - fr), ac = std::min(cols, tile.size[cd] - fc);
            if (!c_rows) {
                for (int64_t i = 0; i < ar; ++i)
                    for (int64_t j = 0; j < ac; ++j)
                        for (int h = 0; h < nh; ++h) halves[2 * (i * cols + j) + h] += work(c_base + fc + j, x_base + fr + i, h);
                continue;
            }
            // C on the rows: a row's channel fixes the temporal factor of each half; the columns
            // differ only in the one-element count of their K or N index.
            for (int64_t i = 0; i < ar; ++i) {
                const int64_t c = c_base + fr + i, x0 = x_base + fc;
                const int64_t t0 = factor(c, 0), t1 = nh > 1 ? factor(c, 1) : 0;
                const std::vector<int32_t>& pre = x_is_k ? wt_prefix_ : in_prefix_;
                add_row_halves(&halves[2 * i * cols], &pre[static_cast<size_t>(c * (x_is_k ? K1 : N1) + x0)], ac, t0, t1);
            }
        }
}

void SparsePeWork::conv_tile_halves(const StepView& tile, int64_t rows, int64_t cols, const DimArray* lo,
                                    const DimArray* hi, const std::vector<Tap>* taps, int nh, int64_t* halves) const {
    // taps_work of PE (i, j) is the sum over the taps of its channel's Wt count over the half's
    // k range (the same for the whole row) times its In count at its single n. Per row, half
    // and tap the Wt count is looked up once and the In counts of the row's columns are read
    // at consecutive n.
    const OpShape& o = nest_;
    const int64_t K1 = o.e(Dim::K) + 1, N1 = o.e(Dim::N) + 1, R = o.e(Dim::R), S = o.e(Dim::S), H = o.in_h,
                  W = o.in_w, plane = (W + 1) * N1;
    const bool wd = ops_.wt.empty(), id = ops_.in.empty();
    for (int64_t fr = 0; fr < tile.size[idx(Dim::C)]; fr += rows)
        for (int64_t fc = 0; fc < tile.size[idx(Dim::N)]; fc += cols) {
            const int64_t ar = std::min(rows, tile.size[idx(Dim::C)] - fr),
                          ac = std::min(cols, tile.size[idx(Dim::N)] - fc), n0 = tile.origin[idx(Dim::N)] + fc;
            // A row's and half's sums over the taps, column by column (contiguous, added to the
            // halves once per row and half).
            fold_sums_.resize(static_cast<size_t>(ac));
            int64_t* out = fold_sums_.data();
            for (int64_t i = 0; i < ar; ++i) {
                const int64_t c = tile.origin[idx(Dim::C)] + fr + i;
                for (int h = 0; h < nh; ++h) {
                    std::fill(out, out + ac, 0);
                    const int64_t k0 = lo[h][idx(Dim::K)], k1 = hi[h][idx(Dim::K)];
                    for (const Tap& t : taps[h]) {
                        int64_t wsum = k1 - k0;
                        if (!wd) {
                            const int32_t* row = &wt_prefix_[static_cast<size_t>(((c * R + t.r) * S + t.s) * K1)];
                            wsum = row[k1] - row[k0];
                        }
                        if (wsum == 0) continue;
                        // d(P, n): the In count of prefix column P at n alone.
                        auto d = [](const int32_t* P, int64_t n) { return int64_t{P[n + 1] - P[n]}; };
                        const int64_t w0 = t.q0 + t.ow, w1 = t.q1 + t.ow;
                        if (id) {
                            const int64_t area = (t.p1 - t.p0) * (t.q1 - t.q0);
                            for (int64_t j = 0; j < ac; ++j) out[j] += wsum * area;
                        } else if (cube_) {
                            const int32_t* base = &in_cube_[static_cast<size_t>(c * (H + 1) * plane)];
                            const int32_t *top = base + (t.p1 + t.oh) * plane, *bot = base + (t.p0 + t.oh) * plane;
                            const uint32_t *a = reinterpret_cast<const uint32_t*>(top + w1 * N1 + n0),
                                           *b = reinterpret_cast<const uint32_t*>(top + w0 * N1 + n0),
                                           *e = reinterpret_cast<const uint32_t*>(bot + w1 * N1 + n0),
                                           *f = reinterpret_cast<const uint32_t*>(bot + w0 * N1 + n0);
                            // Both factors are counts below 2^31: a widening unsigned 32 x 32
                            // multiply (one vector instruction even without SSE4), the count's
                            // differences taken modulo 2^32 (exact: it is non-negative).
                            const uint64_t ws = static_cast<uint32_t>(wsum);
                            for (int64_t j = 0; j < ac; ++j) {
                                const uint32_t n = (a[j + 1] - a[j]) - (b[j + 1] - b[j]) - (e[j + 1] - e[j]) + (f[j + 1] - f[j]);
                                out[j] += static_cast<int64_t>(ws * n);
                            }
                        } else if (rect_) {
                            for (int64_t p = t.p0; p < t.p1; ++p) {
                                const int32_t* P = &in_rect_[static_cast<size_t>((c * H + p * o.stride_h + t.oh) * plane)];
                                const int32_t *a = P + w1 * N1 + n0, *b = P + w0 * N1 + n0;
                                for (int64_t j = 0; j < ac; ++j) out[j] += wsum * (d(a, j) - d(b, j));
                            }
                        } else {
                            for (int64_t p = t.p0; p < t.p1; ++p)
                                for (int64_t q = t.q0; q < t.q1; ++q) {
                                    const int64_t hh = p * o.stride_h + t.oh, ww = q * o.stride_w + t.ow;
                                    const int32_t* row = &in_prefix_[static_cast<size_t>(((c * H + hh) * W + ww) * N1 + n0)];
                                    for (int64_t j = 0; j < ac; ++j) out[j] += wsum * d(row, j);
                                }
                        }
                    }
                    for (int64_t j = 0; j < ac; ++j) halves[2 * (i * cols + j) + h] += out[j];
                }
            }
        }
}

std::string block_weight_format(const Conv2dShape& s, const uint8_t* mask, WeightFormat* out) {
    const size_t nw = static_cast<size_t>(s.w_elements());
    const std::vector<float> ones(nw, 1.0f);
    int64_t bk, bc, kept = 0;
    BlockSparseWeights::block_shape({}, s.kernel_h, s.kernel_w, &bk, &bc);
    for (size_t i = 0; i < nw; ++i) kept += mask[i] != 0;
    uint32_t pointer_bits = 20;
    while ((int64_t{1} << pointer_bits) < kept) ++pointer_bits;
    BlockSparseWeights b;
    const std::string e = BlockSparseWeights::encode(ones.data(), mask, s.out_channels, s.in_channels, s.kernel_h,
                                                     s.kernel_w, bk, bc, pointer_bits, &b);
    if (!e.empty()) return e;
    WeightFormat wf;
    wf.compressed = true, wf.density = b.density();
    wf.metadata_bits_per_weight = static_cast<double>(b.metadata_bits()) / static_cast<double>(b.elements());
    wf.unit_elements = b.block_elements();
    *out = wf;
    return {};
}

std::string SparseEnergyTable::validate() const {
    const std::pair<const char*, double> pj[] = {{"decoder_unit_pj", decoder_unit_pj},
                                                 {"zero_check_pj", zero_check_pj},
                                                 {"pruner_op_pj", pruner_op_pj},
                                                 {"quantile_op_pj", quantile_op_pj}};
    for (const auto& [name, v] : pj)
        if (!(v >= 0 && std::isfinite(v))) return std::string(name) + " must be finite and >= 0";
    if (!(transposed_pointer_factor >= 1 && std::isfinite(transposed_pointer_factor)))
        return "transposed_pointer_factor must be finite and >= 1";
    return {};
}

SparseCost sparse_nest_cost(TimingModel& tm, const OpShape& nest, const NestOperands& ops, const WeightFormat& wf,
                            bool load_balance) {
    SparsePeWork w(nest, ops, load_balance, wf.word_fraction());
    SparseCost c;
    c.op = tm.nest(nest, &w);
    SparseCounts& x = c.extra;
    x.lb_entries = c.op.balancer_entries;
    if (!ops.in.empty()) x.zero_checks = c.op.in_streamed;
    if (wf.compressed) {
        // The metadata's share of the compressed traffic (already inside the op's counts).
        const uint64_t dense = tm.nest(nest).traffic[static_cast<int>(Role::Weight)].read_bytes;
        x.metadata_dram_bytes =
            static_cast<uint64_t>(std::ceil(static_cast<double>(dense) / 4 * wf.metadata_bits_per_weight / 8));
        x.metadata_gb_bytes = static_cast<uint64_t>(
            std::ceil(static_cast<double>(c.op.wt_streamed) * wf.metadata_bits_per_weight / 8));
        x.decoded_units = c.op.wt_streamed / static_cast<uint64_t>(std::max<int64_t>(1, wf.unit_elements));
        if (wf.transposed_walk) x.transposed_pointer_reads = x.decoded_units;
    }
    return c;
}

SparseUnitEnergy sparse_unit_energy(const SparseCounts& x, const EnergyTable& t, const SparseEnergyTable& s) {
    auto d = [](uint64_t v) { return static_cast<double>(v); };
    SparseUnitEnergy e;
    e.decoder_pj = d(x.decoded_units) * s.decoder_unit_pj;
    e.zero_check_pj = d(x.zero_checks) * s.zero_check_pj;
    e.pruner_pj = d(x.pruner_ops) * s.pruner_op_pj;
    e.quantile_pj = d(x.quantile_ops) * s.quantile_op_pj;
    e.load_balancer_pj = d(x.lb_entries) * t.gb_read_pj;
    e.pointer_pj = d(x.transposed_pointer_reads) * (s.transposed_pointer_factor - 1.0) * t.gb_read_pj;
    return e;
}

double sparse_energy_pj(const SparseCost& c, const EnergyTable& t, const SparseEnergyTable& s) {
    return energy_of(c.op.counts, t).total_pj() + sparse_unit_energy(c.extra, t, s).total_pj();
}

}  // namespace stvp::accel::sparse
