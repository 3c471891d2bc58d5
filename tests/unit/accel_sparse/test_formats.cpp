// The compressed block format and the N:M copies: encode/decode round trips, the transposed
// walk against the dense transposed-and-flipped W, metadata sizes, and the sparse ops equal the
// core's dense ops on the decoded operands.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "accel/core/ops.h"
#include "accel/sparse/bernoulli_mask.h"
#include "accel/sparse/block_sparse.h"
#include "accel/sparse/nm_sparse.h"

using namespace stvp::accel;
using namespace stvp::accel::sparse;

namespace {
std::vector<float> randn(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0, 1);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}
}  // namespace

TEST(BlockSparse, ConvRoundTripTransposeAndMetadata) {
    const int64_t K = 5, C = 3, R = 3, S = 2;
    auto w = randn(K * C * R * S, 1);
    auto m = bernoulli_mask(w.size(), 0.3, 2);
    BlockSparseWeights b;
    int64_t bk, bc;
    BlockSparseWeights::block_shape({}, R, S, &bk, &bc);
    EXPECT_EQ(bk, 1);
    ASSERT_EQ(BlockSparseWeights::encode(w.data(), m.data(), K, C, R, S, bk, bc, 20, &b), "");
    std::vector<float> d(w.size()), t(w.size());
    b.decode(d.data());
    int64_t kept = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        EXPECT_EQ(d[i], m[i] ? w[i] : 0.0f);
        kept += m[i];
    }
    EXPECT_EQ(b.nnz(), kept);
    EXPECT_EQ(b.blocks(), K * C);
    EXPECT_EQ(b.metadata_bits(), K * C * (R * S + 20));
    b.decode_transposed(t.data());
    for (int64_t k = 0; k < K; ++k)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t r = 0; r < R; ++r)
                for (int64_t s = 0; s < S; ++s)
                    EXPECT_EQ(t[((c * K + k) * R + r) * S + s], d[((k * C + c) * R + (R - 1 - r)) * S + (S - 1 - s)]);
    EXPECT_EQ(b.transposed_pointer_reads(), static_cast<uint64_t>(K * C));
    // Pointers are the running value counts.
    int64_t run = 0;
    for (int64_t blk = 0; blk < b.blocks(); ++blk) {
        EXPECT_EQ(b.pointer(blk), run);
        run += __builtin_popcountll(b.mask(blk));
    }
}

TEST(BlockSparse, FcTilesWithEdgesAndLimits) {
    const int64_t K = 21, C = 13;
    auto w = randn(K * C, 3);
    auto m = bernoulli_mask(w.size(), 0.5, 4);
    BlockSparseWeights b;
    ASSERT_EQ(BlockSparseWeights::encode(w.data(), m.data(), K, C, 1, 1, 8, 8, 20, &b), "");
    EXPECT_EQ(b.blocks(), 3 * 2);
    EXPECT_EQ(b.metadata_bytes(), (6 * (64 + 20) + 7) / 8);
    std::vector<float> d(w.size());
    b.decode(d.data());
    for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(d[i], m[i] ? w[i] : 0.0f);
    // Refusals: a mask wider than 64 bits, a pointer overflow.
    EXPECT_NE(BlockSparseWeights::encode(w.data(), m.data(), K, C, 1, 1, 9, 8, 20, &b), "");
    EXPECT_NE(BlockSparseWeights::encode(w.data(), nullptr, K, C, 1, 1, 8, 8, 4, &b), "");
    BlockSparseConfig cfg;
    cfg.fc_block = 9;
    EXPECT_NE(cfg.validate(), "");
}

// The encoder (masks first, then pointers and values in one sized array) against the format's
// plain definition, bit by bit: random shapes with edge blocks, masks of every density, the
// non-zero rule (mask == nullptr), conv kernels and FC tiles; and the pointer-overflow refusal
// exactly at the limit.
TEST(BlockSparse, EncoderMatchesThePlainDefinition) {
    std::mt19937 rng(91);
    std::uniform_int_distribution<int> ext(1, 30), ker(1, 3), blk(1, 8);
    std::uniform_real_distribution<double> dens(0.0, 1.0);
    for (int it = 0; it < 200; ++it) {
        const bool fc = it % 2 == 0;
        const int64_t K = ext(rng), C = ext(rng), R = fc ? 1 : ker(rng), S = fc ? 1 : ker(rng);
        int64_t bk = fc ? blk(rng) : 1, bc = fc ? blk(rng) : 1;
        while (bk * bc * R * S > 64) bk = std::max<int64_t>(1, bk / 2), bc = std::max<int64_t>(1, bc - 1);
        auto w = randn(K * C * R * S, 1000 + it);
        auto m = bernoulli_mask(static_cast<int64_t>(w.size()), dens(rng), 2000 + it);
        for (size_t i = 0; i < m.size(); ++i)  // any non-zero byte keeps (the high bit alone, 0xff)
            if (m[i] && it % 3 == 1) m[i] = static_cast<uint8_t>(i % 2 ? 0x80 : 1 + (i * 37) % 255);
        const bool by_value = it % 5 == 4;
        if (by_value)
            for (size_t i = 0; i < w.size(); ++i) w[i] = m[i] ? w[i] : 0.0f;
        BlockSparseWeights b;
        ASSERT_EQ(BlockSparseWeights::encode(w.data(), by_value ? nullptr : m.data(), K, C, R, S, bk, bc, 20, &b), "");
        const int64_t kb_n = (K + bk - 1) / bk, cb_n = (C + bc - 1) / bc;
        ASSERT_EQ(b.blocks(), kb_n * cb_n);
        std::vector<float> values;
        for (int64_t kb = 0; kb < kb_n; ++kb)
            for (int64_t cb = 0; cb < cb_n; ++cb) {
                uint64_t mask = 0;
                const uint32_t ptr = static_cast<uint32_t>(values.size());
                int bit = 0;
                for (int64_t kk = 0; kk < bk; ++kk)
                    for (int64_t cc = 0; cc < bc; ++cc)
                        for (int64_t rs = 0; rs < R * S; ++rs, ++bit) {
                            const int64_t k = kb * bk + kk, c = cb * bc + cc;
                            if (k >= K || c >= C) continue;
                            const size_t i = static_cast<size_t>((k * C + c) * R * S + rs);
                            if (m[i]) mask |= uint64_t{1} << bit, values.push_back(w[i]);
                        }
                ASSERT_EQ(b.mask(kb * cb_n + cb), mask) << "iteration " << it << " block " << kb << "," << cb;
                ASSERT_EQ(b.pointer(kb * cb_n + cb), ptr) << "iteration " << it;
            }
        std::vector<float> got;
        b.for_each([&](int64_t, int64_t, int64_t, int64_t, float v) { got.push_back(v); });
        ASSERT_EQ(got, values) << "iteration " << it;
        ASSERT_EQ(b.values(), values) << "iteration " << it;
    }
    // 16 kept weights in 1 x 1 blocks: a 4-bit pointer addresses them all (the 16th block
    // starts at 15); one more block would start at 16 and is refused.
    const std::vector<float> ones(17, 1.0f);
    BlockSparseWeights b;
    EXPECT_EQ(BlockSparseWeights::encode(ones.data(), nullptr, 16, 1, 1, 1, 1, 1, 4, &b), "");
    EXPECT_NE(BlockSparseWeights::encode(ones.data(), nullptr, 17, 1, 1, 1, 1, 1, 4, &b), "");
}

// The input-gradient op reads W^T straight from the blocks (a sparse kernel over the transposed
// walk) and equals the core's dense op on the decoded W.
TEST(BlockSparse, TransposedWalkGivesFcAndConvInputGrad) {
    {
        FcShape s{4, 19, 11};
        auto w = randn(s.w_elements(), 5), dy = randn(s.y_elements(), 6);
        auto m = bernoulli_mask(w.size(), 0.2, 7);
        BlockSparseWeights b;
        ASSERT_EQ(BlockSparseWeights::encode(w.data(), m.data(), 11, 19, 1, 1, 8, 8, 20, &b), "");
        std::vector<float> wd(w.size()), ref(s.x_elements()), got(s.x_elements(), 0.0f);
        b.decode(wd.data());
        ASSERT_EQ(fc_input_grad(s, dy.data(), wd.data(), nullptr, ref.data()), "");
        b.for_each_transposed([&](int64_t c, int64_t k, int64_t, int64_t, float v) {
            for (uint32_t n = 0; n < s.batch; ++n) got[n * 19 + c] += dy[n * 11 + k] * v;
        });
        for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(got[i], ref[i], 1e-5f);
    }
    {
        Conv2dShape s;
        s.batch = 2, s.in_channels = 3, s.in_h = 6, s.in_w = 5, s.out_channels = 4, s.kernel_h = 3, s.kernel_w = 3;
        s.pad_h = 1, s.pad_w = 1;
        auto w = randn(s.w_elements(), 8), dy = randn(s.y_elements(), 9);
        auto m = bernoulli_mask(w.size(), 0.4, 10);
        BlockSparseWeights b;
        ASSERT_EQ(BlockSparseWeights::encode(w.data(), m.data(), 4, 3, 3, 3, 1, 1, 20, &b), "");
        std::vector<float> wd(w.size()), ref(s.x_elements()), got(s.x_elements(), 0.0f);
        b.decode(wd.data());
        ASSERT_EQ(conv2d_input_grad(s, dy.data(), wd.data(), nullptr, ref.data()), "");
        const int64_t P = s.out_h(), Q = s.out_w();
        // dX[n][c][h][w] += W^T[c][k][r'][s'] * dY[n][k][h + r' - (R-1-pad)][w + s' - (S-1-pad)]
        b.for_each_transposed([&](int64_t c, int64_t k, int64_t r, int64_t t, float v) {
            for (int64_t n = 0; n < 2; ++n)
                for (int64_t h = 0; h < 6; ++h)
                    for (int64_t x = 0; x < 5; ++x) {
                        const int64_t p = h + r - 1, q = x + t - 1;
                        if (p < 0 || p >= P || q < 0 || q >= Q) continue;
                        got[((n * 3 + c) * 6 + h) * 5 + x] += v * dy[((n * 4 + k) * P + p) * Q + q];
                    }
        });
        for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(got[i], ref[i], 1e-4f);
    }
}

// Plain reference: per group, the n largest |w| (ties to the lower index).
static std::vector<float> nm_reference(const std::vector<float>& w, int64_t K, int64_t C, int64_t RS, uint32_t n,
                                       uint32_t m, bool along_c) {
    std::vector<float> out(w.size(), 0.0f);
    const int64_t L = along_c ? C : K, lines = along_c ? K : C;
    for (int64_t a = 0; a < lines; ++a)
        for (int64_t rs = 0; rs < RS; ++rs)
            for (int64_t g = 0; g < L; g += m) {
                std::vector<int64_t> pos;
                for (int64_t t = g; t < std::min<int64_t>(L, g + m); ++t)
                    pos.push_back(((along_c ? a : t) * C + (along_c ? t : a)) * RS + rs);
                const size_t limit = std::min<size_t>(n, pos.size());
                for (size_t keep = 0; keep < limit; ++keep) {
                    size_t best = 0;
                    for (size_t i = 1; i < pos.size(); ++i)
                        if (std::abs(w[pos[i]]) > std::abs(w[pos[best]])) best = i;
                    out[pos[best]] = w[pos[best]];
                    pos.erase(pos.begin() + static_cast<long>(best));
                }
            }
    return out;
}

TEST(NmWeights, BothCopiesMatchReferenceForSeveralPatterns) {
    const int64_t K = 10, C = 13, R = 3, S = 3;  // neither 10 nor 13 divisible by 4 or 8
    auto w = randn(K * C * R * S, 11);
    for (auto [n, m] : {std::pair{2u, 4u}, {2u, 8u}, {1u, 4u}, {3u, 5u}}) {
        NmConfig cfg{n, m};
        for (NmAxis ax : {NmAxis::Input, NmAxis::Output}) {
            NmWeights nm;
            ASSERT_EQ(NmWeights::prune(w.data(), K, C, R, S, cfg, ax, &nm), "");
            std::vector<float> d(w.size());
            nm.decode(d.data());
            EXPECT_EQ(d, nm_reference(w, K, C, R * S, n, m, ax == NmAxis::Input)) << n << ":" << m;
            const int64_t L = ax == NmAxis::Input ? C : K, lines = ax == NmAxis::Input ? K : C;
            const int64_t per_line = (L + m - 1) / m;
            EXPECT_EQ(nm.groups(), lines * R * S * per_line);
            EXPECT_EQ(nm.metadata_bits(), nm.groups() * n * cfg.index_bits());
            int64_t nz = 0;
            for (float x : d) nz += x != 0.0f;
            EXPECT_EQ(nm.kept(), nz);
        }
    }
    EXPECT_EQ((NmConfig{2, 8}.index_bits()), 3u);
    EXPECT_EQ((NmConfig{3, 5}.index_bits()), 3u);
    EXPECT_NE((NmConfig{4, 4}.validate()), "");
    EXPECT_NE((NmConfig{0, 4}.validate()), "");
    EXPECT_NE((NmConfig{1, 300}.validate()), "");
}

// Many equal magnitudes (ties to the lower index, signs mixed) and group lengths on both sides
// of the short-group selection's limit (32) and of a line's ragged end, against the plain
// reference.
TEST(NmWeights, TiesAndLongGroupsMatchReference) {
    const int64_t K = 9, C = 37, R = 2, S = 1;
    std::vector<float> w = randn(K * C * R * S, 12);
    for (float& x : w) x = std::round(x * 2.0f) / 2.0f;  // few distinct magnitudes: many ties
    for (auto [n, m] : {std::pair{2u, 8u}, {5u, 16u}, {16u, 17u}, {3u, 32u}, {7u, 33u}, {1u, 2u}}) {
        for (NmAxis ax : {NmAxis::Input, NmAxis::Output}) {
            NmWeights nm;
            ASSERT_EQ(NmWeights::prune(w.data(), K, C, R, S, NmConfig{n, m}, ax, &nm), "");
            std::vector<float> d(w.size());
            nm.decode(d.data());
            const std::vector<float> ref = nm_reference(w, K, C, R * S, n, m, ax == NmAxis::Input);
            std::vector<uint8_t> kept(w.size());
            nm.kept_mask(kept.data());
            ASSERT_EQ(d, ref) << n << ":" << m;
            // A kept zero decodes like a pruned one: compare the kept positions by counting.
            int64_t ref_nonzero = 0, kept_count = 0;
            for (size_t i = 0; i < w.size(); ++i) ref_nonzero += ref[i] != 0.0f, kept_count += kept[i];
            EXPECT_EQ(kept_count, nm.kept());
            EXPECT_GE(kept_count, ref_nonzero);
        }
    }
}

// The stored slots (values and indices, padding included) against a plain per-group partial
// sort, on tensors wide enough for the lane-parallel selection (16 groups at once along a line
// for the forward copy, across 16 lines for the backward copy) with ragged ends beside it:
// random magnitudes with many ties, signed zeros, infinities and a NaN in some groups.
TEST(NmWeights, LaneSelectionMatchesPlainSortSlotForSlot) {
    std::mt19937 rng(77);
    std::uniform_int_distribution<int> ext(1, 70), few(0, 6), pick(0, 199);
    int compared = 0;
    for (int it = 0; it < 60; ++it) {
        // Every tenth: lines of more than 16 groups of 8 (the forward copy's lanes of an FC layer).
        const int64_t K = ext(rng), C = it % 10 == 8 ? 128 + ext(rng) : ext(rng), R = 1 + it % 2, S = 1;
        std::vector<float> w(static_cast<size_t>(K * C * R * S));
        for (float& x : w) {
            const int p = pick(rng);
            x = p == 0 ? std::numeric_limits<float>::infinity() : p == 1 ? -0.0f : (few(rng) - 3) * 0.5f;
            if (p == 2 && it % 3 == 0) x = std::numeric_limits<float>::quiet_NaN();
        }
        for (auto [n, m] : {std::pair{2u, 8u}, {1u, 4u}, {3u, 5u}, {7u, 8u}, {2u, 2u + static_cast<uint32_t>(it % 3)}}) {
            if (n >= m) continue;
            for (NmAxis ax : {NmAxis::Input, NmAxis::Output}) {
                NmWeights nm;
                ASSERT_EQ(NmWeights::prune(w.data(), K, C, R, S, NmConfig{n, m}, ax, &nm), "");
                const bool input = ax == NmAxis::Input;
                const int64_t L = input ? C : K, lines = input ? K : C, RS = R * S;
                std::vector<float> values;
                std::vector<uint8_t> idx;
                int64_t kept = 0;
                for (int64_t a = 0; a < lines; ++a)
                    for (int64_t rs = 0; rs < RS; ++rs)
                        for (int64_t g = 0; g < L; g += m) {
                            const int64_t len = std::min<int64_t>(m, L - g);
                            auto at = [&](int64_t t) {
                                return w[static_cast<size_t>(((input ? a : g + t) * C + (input ? g + t : a)) * RS + rs)];
                            };
                            std::vector<int64_t> o(static_cast<size_t>(len));
                            for (int64_t t = 0; t < len; ++t) o[static_cast<size_t>(t)] = t;
                            const int64_t keep = std::min<int64_t>(n, len);
                            kept += keep;
                            std::partial_sort(o.begin(), o.begin() + keep, o.end(), [&](int64_t x, int64_t y) {
                                const float ax = std::abs(at(x)), ay = std::abs(at(y));
                                return ax > ay || (ax == ay && x < y);
                            });
                            std::sort(o.begin(), o.begin() + keep);
                            for (int64_t t = 0; t < n; ++t) {
                                const bool v = t < keep;
                                values.push_back(v ? at(o[static_cast<size_t>(t)]) : 0.0f);
                                idx.push_back(static_cast<uint8_t>(v ? o[static_cast<size_t>(t)] : 0));
                            }
                        }
                ASSERT_EQ(nm.indices(), idx) << "iteration " << it << " " << n << ":" << m << (input ? " input" : " output");
                ASSERT_EQ(nm.values().size(), values.size());
                ASSERT_EQ(nm.kept(), kept) << "iteration " << it << " " << n << ":" << m << (input ? " input" : " output");
                for (size_t i = 0; i < values.size(); ++i)  // bit for bit (NaN and -0 included)
                    ASSERT_EQ(std::memcmp(&nm.values()[i], &values[i], 4), 0) << "iteration " << it << " slot " << i;
                ++compared;
            }
        }
    }
    EXPECT_GT(compared, 400);
}

// Forward consumes the forward copy, input gradient the backward copy; each equals the dense op
// on its decoded copy, and each copy really is N:M along the op's reduction dimension.
// The encoder's indices are products of the extents: a tensor of 2^64 weights (which once
// reached it through a wrapped size check and read far outside memory) is refused first.
TEST(NmWeights, TooManyWeightsAreRefusedBeforeAnyIndexing) {
    NmWeights nm;
    const float w = 1.0f;
    EXPECT_EQ(NmWeights::prune(&w, 1 << 16, 1 << 16, 1 << 16, 1 << 16, {2, 4}, NmAxis::Input, &nm),
              "more than 2^31 weights (K*C*R*S)");
    EXPECT_EQ(NmWeights::prune(&w, int64_t{1} << 40, int64_t{1} << 40, 1, 1, {2, 4}, NmAxis::Output, &nm),
              "more than 2^31 weights (K*C*R*S)");
    EXPECT_EQ(NmWeights::prune(&w, int64_t{1} << 31, 2, 1, 1, {2, 4}, NmAxis::Input, &nm),
              "more than 2^31 weights (K*C*R*S)");
}

TEST(NmWeights, FcOpsOnCopies) {
    FcShape s{3, 16, 8};
    auto w = randn(s.w_elements(), 12), x = randn(s.x_elements(), 13), dy = randn(s.y_elements(), 14);
    NmWeights fwd, bwd;
    ASSERT_EQ(NmWeights::prune(w.data(), 8, 16, 1, 1, {2, 4}, NmAxis::Input, &fwd), "");
    ASSERT_EQ(NmWeights::prune(w.data(), 8, 16, 1, 1, {2, 4}, NmAxis::Output, &bwd), "");
    std::vector<float> wf(w.size()), wb(w.size());
    fwd.decode(wf.data()), bwd.decode(wb.data());
    for (int k = 0; k < 8; ++k)
        for (int g = 0; g < 16; g += 4) {
            int nz = 0;
            for (int t = 0; t < 4; ++t) nz += wf[k * 16 + g + t] != 0;
            EXPECT_EQ(nz, 2);
        }
    for (int c = 0; c < 16; ++c)
        for (int g = 0; g < 8; g += 4) {
            int nz = 0;
            for (int t = 0; t < 4; ++t) nz += wb[(g + t) * 16 + c] != 0;
            EXPECT_EQ(nz, 2);
        }
    std::vector<float> y(s.y_elements()), yr(s.y_elements(), 0.0f);
    ASSERT_EQ(fc_forward(s, x.data(), wf.data(), nullptr, y.data(), false), "");
    for (int n = 0; n < 3; ++n)
        for (int k = 0; k < 8; ++k)
            for (int c = 0; c < 16; ++c) yr[n * 8 + k] += x[n * 16 + c] * wf[k * 16 + c];
    for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], yr[i], 1e-5f);
}
