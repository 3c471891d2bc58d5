// The sparse modes through descriptors on the device (accel_desc.h, SPARSE MODES): each op
// against the sparse library's references (bit-exact: the same code paths), sparse formats
// against the dense core op on the decoded weights, and the new fields' validation.
#include <cmath>
#include <cstring>
#include <vector>

#include "accel/core/ops.h"
#include "accel/sparse/block_sparse.h"
#include "accel/sparse/dropback.h"
#include "accel/sparse/gradient_pruner.h"
#include "accel/sparse/init_weights.h"
#include "accel/sparse/nm_sparse.h"
#include "accel_bench.h"

namespace stvp::test {
namespace {

using namespace stvp::accel::sparse;

// Registers read at the end of the chain, inside the stimulus (a register read waits).
struct Regs {
    uint32_t status = 0, err_code = 0, err_field = 0, err_value = 0, pruned = 0;
};
Regs read_regs(Bench& b) {
    return {b.rd(ACCEL_STATUS), b.rd(ACCEL_ERR_CODE), b.rd(ACCEL_ERR_FIELD), b.rd(ACCEL_ERR_VALUE), b.rd(ACCEL_PRUNED_LO)};
}

stvp_accel_desc weights_desc(uint32_t op, uint32_t layer, uint32_t k, uint32_t c, uint32_t r = 1, uint32_t s = 1) {
    stvp_accel_desc d = make_desc(op, 0, layer);
    d.k = k, d.c = c, d.r = r, d.s = s;
    return d;
}

TEST(AccelSparse, InitWeightsBitExact) {
    Bench b("bench");
    const uint64_t seed = 0x1234567890ull;
    const uint32_t w = b.alloc(4 * 6 * 3 * 3 * 3);
    stvp_accel_desc d = weights_desc(STVP_ACCEL_OP_INIT_WEIGHTS, 3, 6, 3, 3, 3);
    d.dst0 = w, d.param0 = uint32_t(seed), d.param1 = uint32_t(seed >> 32);
    b.put_desc(0, d);
    Regs rg;
    b.run([&](Bench& b) { b.run_chain(1), rg = read_regs(b); });
    EXPECT_EQ(rg.status, uint32_t(ACCEL_STATUS_DONE_MASK));
    std::vector<float> ref(162);
    InitWeightsConfig ic;
    ic.seed = seed;
    InitWeights(ic).fill(3, 0, 162, 27, ref.data());
    EXPECT_EQ(b.floats(w, 162), ref);
}

// Two FC layers, two steps: the device's DROPBACK chain equals WeightSelector::step (quantile
// mode) bit for bit: masters, tracked counts, and the block copies decode to the tracked weights.
// The FC_FWD / FC_BWD_DATA ops on the block copy equal the dense ops on the decoded weights.
TEST(AccelSparse, DropbackQuantileMatchesWeightSelectorAndBlockOps) {
    AccelConfig cfg;
    cfg.sparse.quantile.lambda = 1e-2;
    cfg.sparse.quantile.initial = 0.05;
    Bench b("bench", cfg);
    const uint32_t K[2] = {16, 8}, C[2] = {24, 16};
    uint32_t w[2], blk[2], res[2];
    std::vector<float> host_w[2];
    for (int l = 0; l < 2; ++l) {
        w[l] = b.alloc(4 * K[l] * C[l]);
        blk[l] = b.alloc(STVP_ACCEL_BLOCK_BYTES(K[l], C[l], 1, 1));
        res[l] = b.alloc(16);
        host_w[l] = random_floats(K[l] * C[l], 11 + l, -0.5f, 0.5f);
        b.put_floats(w[l], host_w[l]);
    }
    const uint32_t N = 3, x = b.alloc(4 * N * 24), y = b.alloc(4 * N * 16), dy = b.alloc(4 * N * 16),
                   dx = b.alloc(4 * N * 24);
    const std::vector<float> xv = random_floats(N * 24, 5), dyv = random_floats(N * 16, 6);
    b.put_floats(x, xv);
    b.put_floats(dy, dyv);

    WeightSelectorConfig sc;
    sc.budget = 128;  // of 512: f = 0.25 exactly
    sc.quantile = cfg.sparse.quantile;
    InitWeightsConfig ic;
    ic.seed = 42;
    const InitWeights init(ic);
    WeightSelector sel(sc, init);

    b.run([&](Bench& b) {
        for (int step = 0; step < 2; ++step) {
            const float d_now = float(sel.decay().value());
            for (int l = 0; l < 2; ++l) {
                stvp_accel_desc d = weights_desc(STVP_ACCEL_OP_DROPBACK, uint32_t(l), K[l], C[l]);
                d.flags = (l == 0 ? STVP_ACCEL_FLAG_FIRST : 0) | STVP_ACCEL_FLAG_RESULT;
                d.dst0 = w[l], d.meta0 = blk[l], d.dst1 = res[l], d.alpha = d_now, d.beta = 0.25f, d.param0 = 42;
                b.put_desc(uint32_t(l), d);
            }
            b.run_chain(2);
            ASSERT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK)) << b.rd(ACCEL_ERR_CODE);
            std::vector<SelectorLayer> layers(2);
            for (int l = 0; l < 2; ++l)
                layers[size_t(l)] = {host_w[l].data(), int64_t(K[l]) * C[l], C[l], uint32_t(l)};
            std::vector<std::vector<uint8_t>> masks;
            const SelectStats st = sel.step(layers, &masks);
            EXPECT_EQ(b.rd(ACCEL_TRACKED), uint32_t(st.tracked));
            for (int l = 0; l < 2; ++l) {
                EXPECT_EQ(b.floats(w[l], K[l] * C[l]), host_w[l]) << "step " << step << " layer " << l;
                stvp_accel_dropback_result r;
                std::memcpy(&r, b.host(res[l]), sizeof r);
                EXPECT_EQ(int64_t(r.tracked), st.tracked_per_layer[size_t(l)]);
                EXPECT_EQ(r.total, K[l] * C[l]);
                BlockSparseWeights bs;
                BlockSparseWeights::encode(host_w[l].data(), masks[size_t(l)].data(), K[l], C[l], 1, 1, 8, 8, 20, &bs);
                stvp_accel_block_header h;
                std::memcpy(&h, b.host(blk[l]), sizeof h);
                EXPECT_EQ(int64_t(h.nnz), bs.nnz());
                EXPECT_EQ(int64_t(h.blocks), bs.blocks());
            }
            // Noise as an SGD update would add, the same on both sides.
            for (int l = 0; l < 2; ++l) {
                const std::vector<float> g = random_floats(host_w[l].size(), 100 + step * 2 + l, -0.05f, 0.05f);
                for (size_t i = 0; i < g.size(); ++i) host_w[l][i] -= g[i];
                b.put_floats(w[l], host_w[l]);
            }
        }
        // Layer 0's block copy (written in step 1) as W and W^T.
        std::vector<float> dec(16 * 24);
        {
            const stvp_accel_block_header* h = reinterpret_cast<const stvp_accel_block_header*>(b.host(blk[0]));
            const uint8_t* masks = b.host(blk[0]) + 16;
            const uint32_t* ptr = reinterpret_cast<const uint32_t*>(masks + 8 * h->blocks);
            const float* vals = reinterpret_cast<const float*>(ptr + h->blocks);
            for (uint32_t blkno = 0; blkno < h->blocks; ++blkno) {
                uint64_t m;
                std::memcpy(&m, masks + 8 * blkno, 8);
                const float* v = vals + ptr[blkno];
                while (m) {
                    const int bit = __builtin_ctzll(m);
                    m &= m - 1;
                    const uint32_t k = (blkno / 3) * 8 + uint32_t(bit) / 8, c = (blkno % 3) * 8 + uint32_t(bit) % 8;
                    dec[k * 24 + c] = *v++;
                }
            }
        }
        stvp_accel_desc f = make_desc(STVP_ACCEL_OP_FC_FWD, 0, 0);
        f.n = N, f.c = 24, f.k = 16, f.src0 = x, f.dst0 = y, f.format = STVP_ACCEL_FORMAT_BLOCK, f.meta0 = blk[0];
        stvp_accel_desc g = make_desc(STVP_ACCEL_OP_FC_BWD_DATA, 0, 0);
        g.n = N, g.c = 24, g.k = 16, g.src0 = dy, g.dst0 = dx, g.format = STVP_ACCEL_FORMAT_BLOCK, g.meta0 = blk[0];
        b.put_desc(0, f);
        b.put_desc(1, g);
        b.run_chain(2);
        ASSERT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK)) << b.rd(ACCEL_ERR_CODE);
        std::vector<float> yref(N * 16), dxref(N * 24);
        accel::fc_forward(accel::FcShape{N, 24, 16}, xv.data(), dec.data(), nullptr, yref.data(), false);
        accel::fc_input_grad(accel::FcShape{N, 24, 16}, dyv.data(), dec.data(), nullptr, dxref.data());
        EXPECT_EQ(b.floats(y, N * 16), yref);
        EXPECT_EQ(b.floats(dx, N * 24), dxref);
        EXPECT_GT(b.rd(ACCEL_META_BYTES_LO), 0u);
    });
}

TEST(AccelSparse, NmPregenAndNmOpsEqualDenseOnDecoded) {
    Bench b("bench");
    const uint32_t K = 8, C = 12, N = 2, Nn = 2, M = 4;
    const std::vector<float> wv = random_floats(K * C, 3), xv = random_floats(N * C, 4), dyv = random_floats(N * K, 5);
    const uint32_t w = b.alloc(4 * K * C), fwd = b.alloc(STVP_ACCEL_NM_BYTES(K, 1, C, Nn, M)),
                   bwd = b.alloc(STVP_ACCEL_NM_BYTES(C, 1, K, Nn, M)), x = b.alloc(4 * N * C), y = b.alloc(4 * N * K),
                   dy = b.alloc(4 * N * K), dx = b.alloc(4 * N * C);
    b.put_floats(w, wv), b.put_floats(x, xv), b.put_floats(dy, dyv);
    stvp_accel_desc p = weights_desc(STVP_ACCEL_OP_NM_PREGEN, 1, K, C);
    p.src0 = w, p.meta0 = fwd, p.meta1 = bwd, p.param0 = Nn, p.param1 = M;
    stvp_accel_desc f = make_desc(STVP_ACCEL_OP_FC_FWD, 0, 1);
    f.n = N, f.c = C, f.k = K, f.src0 = x, f.dst0 = y, f.format = STVP_ACCEL_FORMAT_NM, f.meta0 = fwd;
    f.param0 = Nn, f.param1 = M;
    stvp_accel_desc g = make_desc(STVP_ACCEL_OP_FC_BWD_DATA, 0, 1);
    g.n = N, g.c = C, g.k = K, g.src0 = dy, g.dst0 = dx, g.format = STVP_ACCEL_FORMAT_NM, g.meta0 = bwd;
    g.param0 = Nn, g.param1 = M;
    b.put_desc(0, p), b.put_desc(1, f), b.put_desc(2, g);
    Regs rg;
    b.run([&](Bench& b) { b.run_chain(3), rg = read_regs(b); });
    ASSERT_EQ(rg.status, uint32_t(ACCEL_STATUS_DONE_MASK)) << rg.err_code;
    NmWeights nf, nb;
    NmWeights::prune(wv.data(), K, C, 1, 1, NmConfig{Nn, M}, NmAxis::Input, &nf);
    NmWeights::prune(wv.data(), K, C, 1, 1, NmConfig{Nn, M}, NmAxis::Output, &nb);
    EXPECT_EQ(b.floats(fwd, nf.values().size()), nf.values());
    EXPECT_EQ(0, std::memcmp(b.host(fwd) + 4 * nf.values().size(), nf.indices().data(), nf.indices().size()));
    EXPECT_EQ(b.floats(bwd, nb.values().size()), nb.values());
    EXPECT_EQ(b.floats(w, K * C), wv) << "the master stays dense";
    std::vector<float> wf(K * C), wb(K * C), yref(N * K), dxref(N * C);
    nf.decode(wf.data()), nb.decode(wb.data());
    // The N:M pattern: every group of M along C (forward) keeps N.
    for (uint32_t k = 0; k < K; ++k)
        for (uint32_t j = 0; j < C / M; ++j) {
            uint32_t nz = 0;
            for (uint32_t t = 0; t < M; ++t) nz += wf[k * C + j * M + t] != 0;
            EXPECT_EQ(nz, Nn);
        }
    accel::fc_forward(accel::FcShape{N, C, K}, xv.data(), wf.data(), nullptr, yref.data(), false);
    accel::fc_input_grad(accel::FcShape{N, C, K}, dyv.data(), wb.data(), nullptr, dxref.data());
    EXPECT_EQ(b.floats(y, N * K), yref);
    EXPECT_EQ(b.floats(dx, N * C), dxref);
}

// NM_BWD_FROM_FWD (Bi-Mask): the backward copy is the N:M-along-K pruning of the forward copy
// (decoded, dropped weights 0), so every weight it keeps is one the forward copy keeps; the
// forward copy, the master and the charge are those of the plain op. A 3x3 conv layer.
TEST(AccelSparse, NmPregenBackwardFromForwardKeepsOnlyForwardWeights) {
    const uint32_t K = 16, C = 12, R = 3, S = 3, Nn = 2, M = 8, count = K * C * R * S;
    const std::vector<float> wv = random_floats(count, 11);
    NmWeights ref_fwd, ref_bwd, plain_bwd;
    NmWeights::prune(wv.data(), K, C, R, S, NmConfig{Nn, M}, NmAxis::Input, &ref_fwd);
    std::vector<float> fwd_dense(count), bwd_dense(count), plain_dense(count);
    ref_fwd.decode(fwd_dense.data());
    NmWeights::prune(fwd_dense.data(), K, C, R, S, NmConfig{Nn, M}, NmAxis::Output, &ref_bwd);
    NmWeights::prune(wv.data(), K, C, R, S, NmConfig{Nn, M}, NmAxis::Output, &plain_bwd);
    ref_bwd.decode(bwd_dense.data()), plain_bwd.decode(plain_dense.data());
    uint32_t outside_fwd_plain = 0, kept_bwd = 0;
    for (uint32_t i = 0; i < count; ++i) {
        if (bwd_dense[i] != 0) {
            ++kept_bwd;
            EXPECT_EQ(bwd_dense[i], fwd_dense[i]) << i;
        }
        outside_fwd_plain += plain_dense[i] != 0 && fwd_dense[i] == 0;
    }
    ASSERT_GT(outside_fwd_plain, count / 50) << "without the flag the masks disagree (the case the flag is for)";
    EXPECT_GT(kept_bwd, count / 8) << "most of the forward copy's weights survive the second pruning";

    // One chain: the plain op, then the flagged one into a second pair of copies.
    Bench b("bench");
    const uint32_t w = b.alloc(4 * count);
    uint32_t fwd[2], bwd[2];
    b.put_floats(w, wv);
    for (const bool flag : {false, true}) {
        fwd[flag] = b.alloc(STVP_ACCEL_NM_BYTES(K, R * S, C, Nn, M));
        bwd[flag] = b.alloc(STVP_ACCEL_NM_BYTES(C, R * S, K, Nn, M));
        stvp_accel_desc p = weights_desc(STVP_ACCEL_OP_NM_PREGEN, 1, K, C, R, S);
        p.src0 = w, p.meta0 = fwd[flag], p.meta1 = bwd[flag], p.param0 = Nn, p.param1 = M;
        if (flag) p.flags |= STVP_ACCEL_FLAG_NM_BWD_FROM_FWD;
        b.put_desc(flag, p);
    }
    Regs rg;
    b.run([&](Bench& b) { b.run_chain(2), rg = read_regs(b); });
    ASSERT_EQ(rg.status, uint32_t(ACCEL_STATUS_DONE_MASK)) << rg.err_code;
    EXPECT_EQ(b.floats(w, count), wv) << "the master stays dense";
    for (const bool flag : {false, true}) {
        EXPECT_EQ(b.floats(fwd[flag], ref_fwd.values().size()), ref_fwd.values()) << flag;
        const NmWeights& want_bwd = flag ? ref_bwd : plain_bwd;
        EXPECT_EQ(b.floats(bwd[flag], want_bwd.values().size()), want_bwd.values()) << flag;
        EXPECT_EQ(0, std::memcmp(b.host(bwd[flag]) + 4 * want_bwd.values().size(), want_bwd.indices().data(),
                                 want_bwd.indices().size()))
            << flag;
    }
    ASSERT_EQ(b.records.size(), 2u);
    EXPECT_EQ(b.records[1].cost.cycles, b.records[0].cost.cycles) << "the same compare trees";
    EXPECT_EQ(b.records[1].cost.energy.total_pj(), b.records[0].cost.energy.total_pj());
}

TEST(AccelSparse, GradPruneMatchesLibraryAndCounts) {
    Bench b("bench");
    const uint32_t n = 1000;
    std::vector<float> gv = random_floats(n, 9);
    for (uint32_t i = 0; i < n; i += 5) gv[i] = 0;  // natural ReLU zeros
    const uint32_t g = b.alloc(4 * n), res = b.alloc(16);
    b.put_floats(g, gv);
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_GRAD_PRUNE, STVP_ACCEL_FLAG_RESULT, 2);
    d.n = n, d.dst0 = g, d.dst1 = res, d.alpha = 0.8f, d.param0 = 7;
    b.put_desc(0, d);
    Regs rg;
    b.run([&](Bench& b) { b.run_chain(1), rg = read_regs(b); });
    ASSERT_EQ(rg.status, uint32_t(ACCEL_STATUS_DONE_MASK)) << rg.err_code;
    GradientPrunerConfig pc;
    pc.prune_rate = double(0.8f);
    pc.seed = 7;
    GradientPruner pr(pc);
    const PruneStats st = pr.prune(gv.data(), n);
    EXPECT_EQ(b.floats(g, n), gv);
    stvp_accel_prune_result r;
    std::memcpy(&r, b.host(res), sizeof r);
    EXPECT_EQ(r.elements, n);
    EXPECT_EQ(int64_t(r.zeros_before), st.zeros_before);
    EXPECT_EQ(int64_t(r.zeros_after), st.zeros_after);
    EXPECT_EQ(rg.pruned, uint32_t(st.zeros_after - st.zeros_before));
    EXPECT_GT(st.sparsity(), 0.4) << "uniform g: fewer small values than the Gaussian the rule assumes";
    // The pruner's energy is in the (layer, phase) breakdown and the accountant's entry.
    ASSERT_EQ(b.records.size(), 1u);
    const AccelOpTotals& c = b.records[0].cost;
    EXPECT_DOUBLE_EQ(c.energy.sparse_pj, double(n) * SparseEnergyTable{}.pruner_op_pj);
    EXPECT_DOUBLE_EQ(c.sparse_pj, c.energy.sparse_pj);
    const auto& per_op = b.accel.energy().per_op();
    ASSERT_EQ(per_op.size(), 1u);
    EXPECT_DOUBLE_EQ(per_op.begin()->second.energy.sparse_pj, c.energy.sparse_pj);
    EXPECT_DOUBLE_EQ(b.accel.stats().total.energy.total_pj(), c.energy.total_pj());
    EXPECT_GT(c.energy.total_pj(), c.energy.sparse_pj);
}

// SKIP_ZEROS: numerics unchanged, fewer MACs and no more cycles than the dense op.
TEST(AccelSparse, SkipZerosKeepsNumericsAndSkipsMacs) {
    Bench b("bench");
    const uint32_t N = 8, C = 64, K = 32;
    std::vector<float> xv = random_floats(N * C, 1);
    for (size_t i = 0; i < xv.size(); ++i)
        if (xv[i] < 0.3f) xv[i] = 0;
    const std::vector<float> wv = random_floats(K * C, 2);
    const uint32_t x = b.alloc(4 * N * C), w = b.alloc(4 * K * C), y1 = b.alloc(4 * N * K), y2 = b.alloc(4 * N * K);
    b.put_floats(x, xv), b.put_floats(w, wv);
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_FWD);
    d.n = N, d.c = C, d.k = K, d.src0 = x, d.src1 = w, d.dst0 = y1;
    stvp_accel_desc s = d;
    s.dst0 = y2, s.flags = STVP_ACCEL_FLAG_SKIP_ZEROS;
    b.put_desc(0, d), b.put_desc(1, s);
    Regs rg;
    b.run([&](Bench& b) { b.run_chain(2), rg = read_regs(b); });
    ASSERT_EQ(rg.status, uint32_t(ACCEL_STATUS_DONE_MASK)) << rg.err_code;
    EXPECT_EQ(b.floats(y1, N * K), b.floats(y2, N * K));
    ASSERT_EQ(b.records.size(), 2u);
    EXPECT_LT(b.records[1].cost.macs, b.records[0].cost.macs);
    EXPECT_LE(b.records[1].cost.cycles, b.records[0].cost.cycles);
    EXPECT_GT(b.records[1].cost.sparse.zero_checks, 0u);
}

// Found by fuzzing: k*c*r*s = 2^64 wrapped to 0 in the size check, then the N:M encoder
// indexed far outside the simulator's memory (SIGSEGV). Refused on K, nothing written.
TEST(AccelSparse, NmPregenOfTwoTo64WeightsIsAShapeError) {
    Bench b("bench");
    const uint32_t w = b.alloc(64), fwd = b.alloc(64), bwd = b.alloc(64);
    stvp_accel_desc p = weights_desc(STVP_ACCEL_OP_NM_PREGEN, 0, 1u << 16, 1u << 16, 1u << 16, 1u << 16);
    p.src0 = w, p.meta0 = fwd, p.meta1 = bwd, p.param0 = 2, p.param1 = 4;
    b.put_desc(0, p);
    Regs rg;
    b.run([&](Bench& b) { b.run_chain(1), rg = read_regs(b); });
    EXPECT_EQ(rg.err_code, uint32_t(STVP_ACCEL_ERR_SHAPE));
    EXPECT_EQ(rg.err_field, uint32_t(STVP_ACCEL_FIELD_K));
    EXPECT_EQ(rg.err_value, 1u << 16);
}

TEST(AccelSparse, CorruptBlockCopyIsAMetadataError) {
    Bench b("bench");
    const uint32_t x = b.alloc(4 * 8), y = b.alloc(4 * 8), blk = b.alloc(STVP_ACCEL_BLOCK_BYTES(8, 8, 1, 1));
    const stvp_accel_block_header h{2, 0, 8, 8};  // one block expected
    b.put(blk, &h, sizeof h);
    stvp_accel_desc f = make_desc(STVP_ACCEL_OP_FC_FWD);
    f.n = 1, f.c = 8, f.k = 8, f.src0 = x, f.dst0 = y, f.format = STVP_ACCEL_FORMAT_BLOCK, f.meta0 = blk;
    b.put_desc(0, f);
    Regs rg;
    b.run([&](Bench& b) { b.run_chain(1), rg = read_regs(b); });
    EXPECT_EQ(rg.err_code, uint32_t(STVP_ACCEL_ERR_METADATA));
    EXPECT_EQ(rg.err_field, uint32_t(STVP_ACCEL_FIELD_META0));
    EXPECT_EQ(rg.err_value, 0xFFFFFFFFu);
}

// Mask capture (Accel::set_mask_recorder): at a chosen step the FC forward op on a block copy
// hands the recorder the weights it reads (the DROPBACK's tracked set: the weights the DROPBACK
// left at their value, the others became d * W0), its input's zero map, and the weight-gradient
// op its dY's; values and cycles equal those of the same ops without a recorder; a step not
// chosen records nothing.
TEST(AccelSparse, MaskRecorderSeesTheOperandsTheOpsRead) {
    Bench b("bench");
    const uint32_t N = 4, C = 16, K = 8, layer = 5;
    const std::vector<float> w0v = random_floats(K * C, 21);
    std::vector<float> xv = random_floats(N * C, 22), dyv = random_floats(N * K, 23);
    for (float& v : xv) v = v < 0 ? 0.0f : v;    // ReLU zeros
    for (float& v : dyv) v = v < 0.3f ? 0.0f : v;  // pruned gradients
    const uint32_t w = b.alloc(4 * K * C), blk = b.alloc(STVP_ACCEL_BLOCK_BYTES(K, C, 1, 1)), x = b.alloc(4 * N * C),
                   dy = b.alloc(4 * N * K), y1 = b.alloc(4 * N * K), y2 = b.alloc(4 * N * K), dw1 = b.alloc(4 * K * C),
                   dw2 = b.alloc(4 * K * C);
    b.put_floats(w, w0v), b.put_floats(x, xv), b.put_floats(dy, dyv);
    stvp_accel_desc db = weights_desc(STVP_ACCEL_OP_DROPBACK, layer, K, C);
    db.flags = STVP_ACCEL_FLAG_TOPK, db.dst0 = w, db.meta0 = blk, db.alpha = 1.0f, db.beta = 0.25f, db.param0 = 7;
    auto ops = [&](uint32_t first, uint32_t y, uint32_t dw) {
        stvp_accel_desc f = make_desc(STVP_ACCEL_OP_FC_FWD, 0, layer);
        f.n = N, f.c = C, f.k = K, f.src0 = x, f.dst0 = y, f.format = STVP_ACCEL_FORMAT_BLOCK, f.meta0 = blk;
        stvp_accel_desc g = make_desc(STVP_ACCEL_OP_FC_BWD_WEIGHT, 0, layer);
        g.n = N, g.c = C, g.k = K, g.src0 = dy, g.src1 = x, g.dst0 = dw;
        b.put_desc(first, f), b.put_desc(first + 1, g);
    };
    b.put_desc(0, db);
    ops(1, y1, dw1);
    capture::MaskRecorder rec({2});
    b.run([&](Bench& b) {
        b.run_chain(3);  // DROPBACK, then the ops without a recorder
        ops(0, y2, dw2);
        b.accel.set_mask_recorder(&rec);
        rec.set_step(2);
        b.run_chain(2);
        rec.set_step(3);
        b.run_chain(2);
        ASSERT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK)) << b.rd(ACCEL_ERR_CODE);
    });
    EXPECT_EQ(b.floats(y1, N * K), b.floats(y2, N * K));
    EXPECT_EQ(b.floats(dw1, K * C), b.floats(dw2, K * C));
    ASSERT_EQ(b.records.size(), 7u);
    EXPECT_EQ(b.records[3].cost.cycles, b.records[1].cost.cycles);
    EXPECT_EQ(b.records[4].cost.cycles, b.records[2].cost.cycles);
    EXPECT_EQ(b.records[3].cost.energy.total_pj(), b.records[1].cost.energy.total_pj());

    const capture::MaskFile f = rec.file();
    EXPECT_EQ(f.steps(), std::vector<uint32_t>{2});
    ASSERT_EQ(f.records.size(), 3u);
    ASSERT_EQ(f.layers.size(), 1u);
    EXPECT_EQ(f.layers[0].describe(), "fc 16 -> 8");
    const std::vector<float> after = b.floats(w, K * C);
    std::vector<uint8_t> tracked(K * C), xnz(N * C), dynz(N * K);
    for (size_t i = 0; i < tracked.size(); ++i) tracked[i] = after[i] == w0v[i];
    for (size_t i = 0; i < xnz.size(); ++i) xnz[i] = xv[i] != 0.0f;
    for (size_t i = 0; i < dynz.size(); ++i) dynz[i] = dyv[i] != 0.0f;
    const capture::MaskRecord* wr = f.find(2, layer, capture::MapKind::Weights);
    ASSERT_NE(wr, nullptr);
    EXPECT_EQ(wr->map.ones(), 32u);  // round(0.25 x 128)
    EXPECT_EQ(wr->map.unpack(K * C), tracked);
    EXPECT_EQ(f.find(2, layer, capture::MapKind::Inputs)->map.unpack(N * C), xnz);
    EXPECT_EQ(f.find(2, layer, capture::MapKind::OutputGrads)->map.unpack(N * K), dynz);
}

void expect_decode(const stvp_accel_desc& d, uint32_t code, uint32_t field) {
    accel::Command c;
    const accel::CommandError e = accel::decode(d, c);
    EXPECT_EQ(e.code, code) << accel::error_name(e.code);
    EXPECT_EQ(e.field, field) << accel::field_name(e.field);
}

TEST(AccelSparse, BadSparseFields) {
    stvp_accel_desc db = weights_desc(STVP_ACCEL_OP_DROPBACK, 0, 8, 8);
    db.dst0 = kDram + 0x1000, db.meta0 = kDram + 0x2000, db.alpha = 1, db.beta = 0.5f;
    expect_decode(db, 0, STVP_ACCEL_FIELD_NONE);
    stvp_accel_desc t = db;
    t.beta = 0, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_BETA);
    t.beta = 1.5f, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_BETA);
    t = db, t.alpha = -1, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_ALPHA);
    t = db, t.alpha = NAN, expect_decode(t, STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_ALPHA);
    t = db, t.k = 2048, t.c = 1024, expect_decode(t, STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_K);
    t = db, t.r = 9, t.s = 9, expect_decode(t, STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_R);
    t = db, t.src1 = 4, expect_decode(t, STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_SRC1);
    t = db, t.meta0 = 2, expect_decode(t, STVP_ACCEL_ERR_ALIGN, STVP_ACCEL_FIELD_META0);
    t = db, t.c = 0, expect_decode(t, STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_C);

    stvp_accel_desc nm = weights_desc(STVP_ACCEL_OP_NM_PREGEN, 0, 8, 8);
    nm.src0 = kDram, nm.meta0 = kDram + 0x1000, nm.meta1 = kDram + 0x2000, nm.param0 = 2, nm.param1 = 4;
    expect_decode(nm, 0, STVP_ACCEL_FIELD_NONE);
    t = nm, t.param0 = 0, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_PARAM0);
    t = nm, t.param1 = 2, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_PARAM1);
    t = nm, t.param1 = 257, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_PARAM1);
    t = nm, t.alpha = 1, expect_decode(t, STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_ALPHA);

    stvp_accel_desc gp = make_desc(STVP_ACCEL_OP_GRAD_PRUNE);
    gp.n = 16, gp.dst0 = kDram, gp.alpha = 0.5f;
    expect_decode(gp, 0, STVP_ACCEL_FIELD_NONE);
    t = gp, t.alpha = 1, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_ALPHA);
    t = gp, t.dst1 = kDram + 0x100, expect_decode(t, STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_DST1);
    t = gp, t.n = 0, expect_decode(t, STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N);
    t = gp, t.param1 = 1, expect_decode(t, STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_PARAM1);

    stvp_accel_desc f = make_desc(STVP_ACCEL_OP_FC_FWD);
    f.n = 1, f.c = 8, f.k = 8, f.src0 = kDram, f.dst0 = kDram + 0x1000, f.format = STVP_ACCEL_FORMAT_BLOCK,
    f.meta0 = kDram + 0x2000;
    expect_decode(f, 0, STVP_ACCEL_FIELD_NONE);
    t = f, t.src1 = kDram + 0x3000, expect_decode(t, STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_SRC1);
    t = f, t.param0 = 2, expect_decode(t, STVP_ACCEL_ERR_UNUSED, STVP_ACCEL_FIELD_PARAM0);
    t = f, t.format = STVP_ACCEL_FORMAT_NM, expect_decode(t, STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_PARAM0);
    t = f, t.opcode = STVP_ACCEL_OP_FC_BWD_WEIGHT, t.src1 = kDram + 0x3000;
    expect_decode(t, STVP_ACCEL_ERR_FORMAT, STVP_ACCEL_FIELD_FORMAT);
}

}  // namespace
}  // namespace stvp::test
