// The training step's chain builder (sw/lib/chain) on the host: every mode on the networks of
// the train table. The expected chains are spelled out here from the accelerator's op table
// (accel_desc.h) and train.elf's step (sw/train/README.md), not from the builder.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "simctrl/workload.h"
#include "train_chain.h"

namespace {

constexpr uint32_t kBatch = 4;

// Distinct, recognisable addresses: tensor t of layer i at 0x80000000 + i * 0x100000 + t * 0x1000.
train_chain_bufs_t make_bufs() {
    train_chain_bufs_t b;
    std::memset(&b, 0, sizeof b);
    b.x_batch = 0x90000000u, b.y_batch = 0x90100000u, b.xent = 0x90200000u, b.images = 0xA0000000u;
    b.image_cols = 28;
    for (uint32_t i = 0; i < TRAIN_MAX_LAYERS; ++i) {
        train_chain_layer_bufs_t& l = b.layer[i];
        const uint32_t base = 0x80000000u + i * 0x100000u;
        l.w = base + 0x1000, l.b = base + 0x2000, l.dw = base + 0x3000, l.db = base + 0x4000;
        l.out = base + 0x5000, l.dout = base + 0x6000, l.blocks = base + 0x7000, l.dropback_result = base + 0x8000;
        l.nm_fwd = base + 0x9000, l.nm_bwd = base + 0xA000, l.prune_result = base + 0xB000;
    }
    return b;
}

// The workload's defaults (workload.def) with the network, the mode bits and the fields of
// `mode_arg` above them (the N:M pattern or the Procrustes budget in bits 8..15, M in 16..23,
// the SparseTrain prune rate in % in 24..31; 0 keeps the default), seed 7 and kBatch.
train_params_t params(uint32_t net, uint32_t mode_arg) {
    stvp::workload::Registers wl = stvp::workload::default_registers();
    wl[STVP_WL_NETWORK] = net;
    wl[STVP_WL_MODE] = mode_arg & 0xFFu;
    const uint32_t a = (mode_arg >> 8) & 0xFFu, m = (mode_arg >> 16) & 0xFFu, prune = mode_arg >> 24;
    if (a) wl[(mode_arg & TRAIN_MODE_PROCRUSTES) ? STVP_WL_PROCRUSTES_BUDGET : STVP_WL_NM_N] = a;
    if (m) wl[STVP_WL_NM_M] = m;
    if (prune) wl[STVP_WL_PRUNE_RATE] = prune;
    wl[STVP_WL_SEED] = 7;
    wl[STVP_WL_BATCH] = kBatch;
    train_params_t p;
    train_params_from_workload(&p, wl.data());
    return p;
}

struct Built {
    train_params_t p;
    train_chain_bufs_t bufs = make_bufs();
    train_chain_t c{};
    std::vector<stvp_accel_desc> d = std::vector<stvp_accel_desc>(TRAIN_CHAIN_STEP_MAX);
    uint32_t len = 0;
    Built(uint32_t net, uint32_t mode_arg, int use_block = 0, void (*edit)(train_params_t&) = nullptr)
        : p(params(net, mode_arg)) {
        if (edit) edit(p);
        len = train_chain_step(&c, d.data(), uint32_t(d.size()), &train_nets[net], &p, &bufs, use_block);
    }
    const train_net_t& net() const { return *c.net; }
};

std::vector<uint32_t> opcodes(const Built& b) {
    std::vector<uint32_t> v;
    for (uint32_t i = 0; i < b.len; ++i) v.push_back(b.d[i].opcode);
    return v;
}

constexpr uint32_t COPY = STVP_ACCEL_OP_COPY, FCF = STVP_ACCEL_OP_FC_FWD, FCD = STVP_ACCEL_OP_FC_BWD_DATA,
                   FCW = STVP_ACCEL_OP_FC_BWD_WEIGHT, CVF = STVP_ACCEL_OP_CONV_FWD,
                   CVD = STVP_ACCEL_OP_CONV_BWD_DATA, CVW = STVP_ACCEL_OP_CONV_BWD_WEIGHT,
                   MPF = STVP_ACCEL_OP_MAXPOOL_FWD, MPB = STVP_ACCEL_OP_MAXPOOL_BWD, XENT = STVP_ACCEL_OP_SOFTMAX_XENT,
                   SGD = STVP_ACCEL_OP_SGD, DB = STVP_ACCEL_OP_DROPBACK, NM = STVP_ACCEL_OP_NM_PREGEN,
                   GP = STVP_ACCEL_OP_GRAD_PRUNE;

std::vector<uint32_t> with_copies(std::vector<uint32_t> tail) {
    std::vector<uint32_t> v(kBatch, COPY);
    v.insert(v.end(), tail.begin(), tail.end());
    return v;
}

TEST(TrainChain, DenseLenet300IsGatherForwardLossBackwardUpdate) {
    Built b(TRAIN_NET_LENET300, 0);
    const std::vector<uint32_t> want = with_copies({FCF, FCF, FCF, XENT, FCW, FCD, FCW, FCD, FCW, SGD, SGD, SGD, SGD, SGD, SGD});
    ASSERT_EQ(opcodes(b), want);
    EXPECT_EQ(b.len, train_chain_step_count(&b.net(), &b.p));
    EXPECT_EQ(b.c.len, b.len);
    EXPECT_EQ(b.c.copy_first, 0u);
    EXPECT_EQ(b.c.copy_count, kBatch);
    EXPECT_EQ(b.c.sgd_first, kBatch + 9);
    EXPECT_EQ(b.c.sgd_count, 6u);
    EXPECT_EQ(b.c.dropback_count, 0u);
    EXPECT_EQ(b.c.nm_count, 0u);
    for (uint32_t i = 0; i < TRAIN_MAX_LAYERS; ++i) EXPECT_EQ(b.c.prune_at[i], TRAIN_CHAIN_NONE);

    // Gather: sample j into row j of the batch, 784 floats, from the images until patched.
    for (uint32_t j = 0; j < kBatch; ++j) {
        EXPECT_EQ(b.d[j].dst0, b.bufs.x_batch + j * 784 * 4);
        EXPECT_EQ(b.d[j].src0, b.bufs.images);
        EXPECT_EQ(b.d[j].n, 784u * 4);
        EXPECT_EQ(b.d[j].layer, 0u);
    }
    // Forward: 784 -> 300 -> 100 -> 10, bias everywhere, ReLU but on the logits.
    const uint32_t C[3] = {784, 300, 100}, K[3] = {300, 100, 10};
    for (uint32_t i = 0; i < 3; ++i) {
        const stvp_accel_desc& f = b.d[kBatch + i];
        EXPECT_EQ(f.n, kBatch);
        EXPECT_EQ(f.c, C[i]);
        EXPECT_EQ(f.k, K[i]);
        EXPECT_EQ(f.src0, i == 0 ? b.bufs.x_batch : b.bufs.layer[i - 1].out);
        EXPECT_EQ(f.src1, b.bufs.layer[i].w);
        EXPECT_EQ(f.src2, b.bufs.layer[i].b);
        EXPECT_EQ(f.dst0, b.bufs.layer[i].out);
        EXPECT_EQ(f.flags, STVP_ACCEL_FLAG_BIAS | (i < 2 ? STVP_ACCEL_FLAG_RELU : 0u));
        EXPECT_EQ(f.format, STVP_ACCEL_FORMAT_DENSE);
        EXPECT_EQ(f.layer, i + 1);
    }
    const stvp_accel_desc& x = b.d[kBatch + 3];
    EXPECT_EQ(x.n, kBatch);
    EXPECT_EQ(x.k, 10u);
    EXPECT_EQ(x.src0, b.bufs.layer[2].out);
    EXPECT_EQ(x.src1, b.bufs.y_batch);
    EXPECT_EQ(x.dst0, b.bufs.layer[2].dout);
    EXPECT_EQ(x.dst1, b.bufs.xent);
    EXPECT_EQ(x.layer, 3u);
    // Backward of layer 3: dW from dlogits and layer 2's output; dX masked by that output (ReLU).
    const stvp_accel_desc& w3 = b.d[kBatch + 4];
    EXPECT_EQ(w3.src0, b.bufs.layer[2].dout);
    EXPECT_EQ(w3.src1, b.bufs.layer[1].out);
    EXPECT_EQ(w3.dst0, b.bufs.layer[2].dw);
    EXPECT_EQ(w3.dst1, b.bufs.layer[2].db);
    EXPECT_EQ(w3.flags, STVP_ACCEL_FLAG_BIAS);
    const stvp_accel_desc& d3 = b.d[kBatch + 5];
    EXPECT_EQ(d3.src0, b.bufs.layer[2].dout);
    EXPECT_EQ(d3.src1, b.bufs.layer[2].w);
    EXPECT_EQ(d3.src2, b.bufs.layer[1].out);
    EXPECT_EQ(d3.dst0, b.bufs.layer[1].dout);
    EXPECT_EQ(d3.flags, STVP_ACCEL_FLAG_RELU_MASK);
    EXPECT_EQ(d3.layer, 3u);
    // Layer 2's input gradient is masked by layer 1's ReLU output.
    const stvp_accel_desc& d2 = b.d[kBatch + 7];
    EXPECT_EQ(d2.src2, b.bufs.layer[0].out);
    EXPECT_EQ(d2.dst0, b.bufs.layer[0].dout);
    EXPECT_EQ(d2.flags, STVP_ACCEL_FLAG_RELU_MASK);
    // Layer 1's weight gradient reads the gathered batch; no input gradient below it.
    const stvp_accel_desc& w1 = b.d[kBatch + 8];
    EXPECT_EQ(w1.src1, b.bufs.x_batch);
    EXPECT_EQ(w1.layer, 1u);
    // SGD: W with weight decay, then b without, per layer in order; learning rate 0 until set.
    for (uint32_t i = 0; i < 3; ++i) {
        const stvp_accel_desc& sw = b.d[b.c.sgd_first + 2 * i];
        const stvp_accel_desc& sb = b.d[b.c.sgd_first + 2 * i + 1];
        EXPECT_EQ(sw.n, C[i] * K[i]);
        EXPECT_EQ(sw.dst0, b.bufs.layer[i].w);
        EXPECT_EQ(sw.src0, b.bufs.layer[i].dw);
        EXPECT_EQ(sw.alpha, 0.0f);
        EXPECT_EQ(sw.beta, 5e-4f);
        EXPECT_EQ(sb.n, K[i]);
        EXPECT_EQ(sb.dst0, b.bufs.layer[i].b);
        EXPECT_EQ(sb.beta, 0.0f);
        EXPECT_EQ(sw.layer, i + 1);
        EXPECT_EQ(sb.layer, i + 1);
    }
}

TEST(TrainChain, DenseLenet5HasConvPoolAndMaskedPoolBackward) {
    Built b(TRAIN_NET_LENET5, 0);
    const std::vector<uint32_t> want = with_copies({CVF, MPF, CVF, MPF, FCF, FCF, FCF, XENT,
                                                    FCW, FCD, FCW, FCD, FCW, FCD, MPB, CVW, CVD, MPB, CVW,
                                                    SGD, SGD, SGD, SGD, SGD, SGD, SGD, SGD, SGD, SGD});
    ASSERT_EQ(opcodes(b), want);
    const stvp_accel_desc& conv1 = b.d[kBatch];
    EXPECT_EQ(conv1.c, 1u);
    EXPECT_EQ(conv1.h, 28u);
    EXPECT_EQ(conv1.k, 6u);
    EXPECT_EQ(conv1.r, 5u);
    EXPECT_EQ(conv1.pad_h, 2u);
    EXPECT_EQ(conv1.pad_w, 2u);
    EXPECT_EQ(conv1.stride_w, 1u);
    const stvp_accel_desc& pool1 = b.d[kBatch + 1];
    EXPECT_EQ(pool1.c, 6u);
    EXPECT_EQ(pool1.stride_h, 2u);
    EXPECT_EQ(pool1.src0, b.bufs.layer[0].out);
    // pool2's backward (layer 4): its input is conv2's ReLU output, so the argmax mask applies.
    const stvp_accel_desc& pb = b.d[kBatch + 14];
    EXPECT_EQ(pb.flags, STVP_ACCEL_FLAG_RELU_MASK);
    EXPECT_EQ(pb.src0, b.bufs.layer[2].out);
    EXPECT_EQ(pb.src1, b.bufs.layer[3].dout);
    EXPECT_EQ(pb.dst0, b.bufs.layer[2].dout);
    EXPECT_EQ(pb.layer, 4u);
    // conv2's input gradient masks by pool1's output (a pool of ReLU outputs).
    const stvp_accel_desc& cd = b.d[kBatch + 16];
    EXPECT_EQ(cd.flags, STVP_ACCEL_FLAG_RELU_MASK);
    EXPECT_EQ(cd.src2, b.bufs.layer[1].out);
    // SGD of conv1: 6 x 1 x 5 x 5 weights.
    EXPECT_EQ(b.d[b.c.sgd_first].n, 150u);
}

// vgg5 fills the layer table (TRAIN_MAX_LAYERS layers): three padded 3x3 convolutions, each
// followed by a pool whose backward masks by the convolution's ReLU, the last pool keeping 3x3
// of 7x7, then two FC layers.
TEST(TrainChain, DenseVgg5FillsTheLayerTable) {
    ASSERT_EQ(train_nets[TRAIN_NET_VGG5].layer_count, TRAIN_MAX_LAYERS);
    Built b(TRAIN_NET_VGG5, 0);
    const std::vector<uint32_t> want = with_copies({CVF, MPF, CVF, MPF, CVF, MPF, FCF, FCF, XENT,
                                                    FCW, FCD, FCW, FCD, MPB, CVW, CVD, MPB, CVW, CVD, MPB, CVW,
                                                    SGD, SGD, SGD, SGD, SGD, SGD, SGD, SGD, SGD, SGD});
    ASSERT_EQ(opcodes(b), want);
    const uint32_t in_c[3] = {1, 16, 32}, k[3] = {16, 32, 64}, hw[3] = {28, 14, 7};
    for (uint32_t j = 0; j < 3; ++j) {
        const stvp_accel_desc& conv = b.d[kBatch + 2 * j];
        EXPECT_EQ(conv.c, in_c[j]) << j;
        EXPECT_EQ(conv.h, hw[j]) << j;
        EXPECT_EQ(conv.w, hw[j]) << j;
        EXPECT_EQ(conv.k, k[j]) << j;
        EXPECT_EQ(conv.r, 3u) << j;
        EXPECT_EQ(conv.s, 3u) << j;
        EXPECT_EQ(conv.pad_h, 1u) << j;
        EXPECT_EQ(conv.pad_w, 1u) << j;
        EXPECT_EQ(conv.flags & STVP_ACCEL_FLAG_RELU, STVP_ACCEL_FLAG_RELU) << j;
        const stvp_accel_desc& pool = b.d[kBatch + 2 * j + 1];
        EXPECT_EQ(pool.c, k[j]) << j;
        EXPECT_EQ(pool.h, hw[j]) << j;
        EXPECT_EQ(pool.stride_h, 2u) << j;
    }
    EXPECT_EQ(train_out_h(&train_nets[TRAIN_NET_VGG5].layers[5]), 3u);  // 7x7 pooled to 3x3
    const stvp_accel_desc& fc1 = b.d[kBatch + 6];
    EXPECT_EQ(fc1.c, 64u * 3 * 3);
    EXPECT_EQ(fc1.k, 128u);
    EXPECT_EQ(fc1.src0, b.bufs.layer[5].out);
    // Every pool's backward masks by its convolution's ReLU output; the last layer's is layer 8.
    for (uint32_t at : {13u, 16u, 19u}) {
        const stvp_accel_desc& pb = b.d[kBatch + at];
        EXPECT_EQ(pb.opcode, MPB) << at;
        EXPECT_EQ(pb.flags, STVP_ACCEL_FLAG_RELU_MASK) << at;
        EXPECT_EQ(pb.src0, b.bufs.layer[pb.layer - 2].out) << at;
    }
    EXPECT_EQ(b.d[kBatch + 9].layer, 8u);
    // SGD of conv3: 64 x 32 x 3 x 3 weights; of fc1: 128 x 576.
    EXPECT_EQ(b.d[b.c.sgd_first + 4].n, 18432u);
    EXPECT_EQ(b.d[b.c.sgd_first + 6].n, 73728u);
}

TEST(TrainChain, ProcrustesAddsOneDropbackPerWeightLayerAndSwitchesToBlocks) {
    for (int use_block : {0, 1}) {
        Built b(TRAIN_NET_LENET5, TRAIN_MODE_PROCRUSTES | 20u << 8, use_block);
        ASSERT_EQ(b.len, kBatch + 29 + 5);
        EXPECT_EQ(b.c.dropback_first, kBatch + 29);
        EXPECT_EQ(b.c.dropback_count, 5u);
        const uint32_t weight_layers[5] = {0, 2, 4, 5, 6};
        for (uint32_t j = 0; j < 5; ++j) {
            const stvp_accel_desc& d = b.d[b.c.dropback_first + j];
            const uint32_t i = weight_layers[j];
            EXPECT_EQ(d.opcode, DB);
            EXPECT_EQ(d.layer, i + 1);
            EXPECT_EQ(d.k, b.net().layers[i].k);
            EXPECT_EQ(d.c, b.net().layers[i].c);
            EXPECT_EQ(d.r, b.net().layers[i].kind == TRAIN_CONV ? 5u : 1u);
            EXPECT_EQ(d.dst0, b.bufs.layer[i].w);
            EXPECT_EQ(d.meta0, b.bufs.layer[i].blocks);
            EXPECT_EQ(d.dst1, b.bufs.layer[i].dropback_result);
            EXPECT_EQ(d.alpha, 1.0f);
            EXPECT_EQ(d.beta, 0.2f);
            EXPECT_EQ(d.param0, 7u);  // the seed
            EXPECT_EQ(d.flags, STVP_ACCEL_FLAG_RESULT | (j == 0 ? STVP_ACCEL_FLAG_FIRST : 0u));
        }
        // The forward and input-gradient ops read the block copies once use_block is set.
        for (uint32_t k = 0; k < b.len; ++k) {
            const stvp_accel_desc& d = b.d[k];
            const bool weights_read = d.opcode == FCF || d.opcode == CVF || d.opcode == FCD || d.opcode == CVD;
            if (!weights_read) {
                EXPECT_EQ(d.format, STVP_ACCEL_FORMAT_DENSE);
                continue;
            }
            EXPECT_EQ(d.format, use_block ? STVP_ACCEL_FORMAT_BLOCK : STVP_ACCEL_FORMAT_DENSE) << k;
            EXPECT_EQ(d.src1, use_block ? 0u : b.bufs.layer[d.layer - 1].w) << k;
            EXPECT_EQ(d.meta0, use_block ? b.bufs.layer[d.layer - 1].blocks : 0u) << k;
        }
        train_chain_set_decay(&b.c, b.d.data(), 0.81f);
        for (uint32_t k = 0; k < b.len; ++k)
            EXPECT_EQ(b.d[k].alpha, b.d[k].opcode == DB ? 0.81f : 0.0f) << k;
    }
}

TEST(TrainChain, NmReadsTheCopiesAndRegeneratesThemAfterTheUpdate) {
    Built b(TRAIN_NET_LENET300, TRAIN_MODE_NM | 2u << 8 | 8u << 16);
    const std::vector<uint32_t> want =
        with_copies({FCF, FCF, FCF, XENT, FCW, FCD, FCW, FCD, FCW, SGD, SGD, SGD, SGD, SGD, SGD, NM, NM, NM});
    ASSERT_EQ(opcodes(b), want);
    EXPECT_EQ(b.c.nm_first, kBatch + 15);
    EXPECT_EQ(b.c.nm_count, 3u);
    for (uint32_t k = 0; k < b.len; ++k) {
        const stvp_accel_desc& d = b.d[k];
        const train_chain_layer_bufs_t& lb = b.bufs.layer[d.layer ? d.layer - 1 : 0];
        if (d.opcode == FCF || d.opcode == FCD) {
            EXPECT_EQ(d.format, STVP_ACCEL_FORMAT_NM);
            EXPECT_EQ(d.src1, 0u);
            EXPECT_EQ(d.meta0, d.opcode == FCF ? lb.nm_fwd : lb.nm_bwd);
            EXPECT_EQ(d.param0, 2u);
            EXPECT_EQ(d.param1, 8u);
        } else if (d.opcode == NM) {
            EXPECT_EQ(d.src0, lb.w);
            EXPECT_EQ(d.meta0, lb.nm_fwd);
            EXPECT_EQ(d.meta1, lb.nm_bwd);
            EXPECT_EQ(d.param0, 2u);
            EXPECT_EQ(d.param1, 8u);
            EXPECT_EQ(d.r, 1u);
            EXPECT_EQ(d.flags & STVP_ACCEL_FLAG_NM_BWD_FROM_FWD, 0u) << "workload.nm.backward=master";
        } else {
            EXPECT_EQ(d.format, STVP_ACCEL_FORMAT_DENSE);
        }
    }
}

// workload.nm.backward=forward: every NM_PREGEN (the step's and W0's) prunes the backward copy
// from the forward copy; nothing else changes.
TEST(TrainChain, NmBackwardFromForwardFlagsEveryPregen) {
    Built master(TRAIN_NET_VGG5, TRAIN_MODE_NM | 2u << 8 | 8u << 16);
    Built fwd(TRAIN_NET_VGG5, TRAIN_MODE_NM | 2u << 8 | 8u << 16, 0, [](train_params_t& p) { p.nm_bwd_from_fwd = 1; });
    ASSERT_EQ(fwd.len, master.len);
    ASSERT_EQ(fwd.c.nm_count, 5u);
    for (uint32_t k = 0; k < fwd.len; ++k) {
        stvp_accel_desc d = fwd.d[k];
        if (d.opcode == NM) {
            EXPECT_EQ(d.flags, master.d[k].flags | STVP_ACCEL_FLAG_NM_BWD_FROM_FWD) << k;
            d.flags = master.d[k].flags;
        }
        EXPECT_EQ(0, std::memcmp(&d, &master.d[k], sizeof d)) << k;
    }
}

TEST(TrainChain, SparseTrainPrunesEveryWeightLayerButTheLastAndSkipsZeros) {
    Built b(TRAIN_NET_LENET300, TRAIN_MODE_SPARSETRAIN | 50u << 24);
    const std::vector<uint32_t> want =
        with_copies({FCF, FCF, FCF, XENT, FCW, FCD, GP, FCW, FCD, GP, FCW, SGD, SGD, SGD, SGD, SGD, SGD});
    ASSERT_EQ(opcodes(b), want);
    EXPECT_EQ(b.c.prune_at[2], TRAIN_CHAIN_NONE);
    EXPECT_EQ(b.c.prune_at[1], kBatch + 6);
    EXPECT_EQ(b.c.prune_at[0], kBatch + 9);
    const stvp_accel_desc& g = b.d[b.c.prune_at[1]];
    EXPECT_EQ(g.n, kBatch * 100);
    EXPECT_EQ(g.dst0, b.bufs.layer[1].dout);
    EXPECT_EQ(g.dst1, b.bufs.layer[1].prune_result);
    EXPECT_EQ(g.alpha, 0.5f);
    EXPECT_EQ(g.layer, 2u);
    for (uint32_t k = 0; k < b.len; ++k) {
        const uint32_t op = b.d[k].opcode;
        const bool fc = op == FCF || op == FCD || op == FCW;
        EXPECT_EQ((b.d[k].flags & STVP_ACCEL_FLAG_SKIP_ZEROS) != 0, fc) << k;
    }
    train_chain_set_prune_seeds(&b.c, b.d.data(), 41);
    EXPECT_EQ(b.d[b.c.prune_at[1]].param0, train_prune_seed(7, 41, 1));
    EXPECT_EQ(b.d[b.c.prune_at[0]].param0, train_prune_seed(7, 41, 0));
    EXPECT_NE(train_prune_seed(7, 41, 1), train_prune_seed(7, 41, 0));
}

TEST(TrainChain, EveryModeOnEveryNetworkHasTheCountedLength) {
    // Per network: weight layers W, layers L. Dense: B + L + 1 + (L - 1) input gradients + W
    // weight gradients + 2W SGDs; SparseTrain adds W - 1 GRAD_PRUNEs; Procrustes or N:M adds W.
    struct Net {
        uint32_t id, layers, weight_layers;
    };
    for (const Net n : {Net{TRAIN_NET_LENET300, 3, 3}, Net{TRAIN_NET_LENET5, 7, 5}, Net{TRAIN_NET_VGG5, 8, 5},
                        Net{TRAIN_NET_VGG5P2, 7, 5}}) {
        for (uint32_t mode : {0u, 1u, 2u, 4u, 5u, 6u}) {
            Built b(n.id, mode);
            uint32_t want = kBatch + n.layers + 1 + (n.layers - 1) + 3 * n.weight_layers;
            if (mode & TRAIN_MODE_SPARSETRAIN) want += n.weight_layers - 1;
            if (mode & (TRAIN_MODE_PROCRUSTES | TRAIN_MODE_NM)) want += n.weight_layers;
            EXPECT_EQ(b.len, want) << "net " << n.id << " mode " << mode;
            EXPECT_EQ(train_chain_step_count(&b.net(), &b.p), want);
            EXPECT_LE(want, TRAIN_CHAIN_STEP_MAX - TRAIN_MAX_BATCH + kBatch);
            for (uint32_t k = 0; k < b.len; ++k) EXPECT_LE(b.d[k].layer, n.layers) << k;
        }
    }
}

TEST(TrainChain, LearningRatePatchTouchesOnlyTheSgdOps) {
    Built b(TRAIN_NET_LENET5, TRAIN_MODE_PROCRUSTES | TRAIN_MODE_SPARSETRAIN);
    std::vector<stvp_accel_desc> before(b.d.begin(), b.d.begin() + b.len);
    train_chain_set_lr(&b.c, b.d.data(), 0.0625f);
    for (uint32_t k = 0; k < b.len; ++k) {
        stvp_accel_desc want = before[k];
        if (want.opcode == SGD) want.alpha = 0.0625f;
        EXPECT_EQ(std::memcmp(&want, &b.d[k], sizeof want), 0) << k;
    }
}

TEST(TrainChain, RefusesWhatWouldReachTheDeviceBroken) {
    train_params_t p = params(TRAIN_NET_LENET300, TRAIN_MODE_PROCRUSTES);
    train_chain_bufs_t bufs = make_bufs();
    train_chain_t c{};
    std::vector<stvp_accel_desc> d(TRAIN_CHAIN_STEP_MAX);
    const train_net_t* net = &train_nets[TRAIN_NET_LENET300];
    const uint32_t need = train_chain_step_count(net, &p);
    EXPECT_EQ(train_chain_step(&c, d.data(), need - 1, net, &p, &bufs, 0), 0u);  // too small
    EXPECT_EQ(d[0].opcode, 0u);  // nothing written
    EXPECT_EQ(train_chain_step(&c, d.data(), need, net, &p, &bufs, 0), need);
    bufs.layer[1].blocks = 0;  // Procrustes without a block copy for layer 2
    EXPECT_EQ(train_chain_step(&c, d.data(), need, net, &p, &bufs, 0), 0u);
    bufs = make_bufs();
    bufs.images = 0;
    EXPECT_EQ(train_chain_step(&c, d.data(), need, net, &p, &bufs, 0), 0u);
    bufs = make_bufs();
    p.mode = TRAIN_MODE_PROCRUSTES | TRAIN_MODE_NM;  // refused by train_params_check
    EXPECT_EQ(train_chain_step(&c, d.data(), need, net, &p, &bufs, 0), 0u);
}

// workload.augment = flip: the gather patch sets MIRROR with rows of the image's width on the
// samples train_flip picks (about half, a different half per epoch and seed) and touches
// nothing else; without flip every COPY stays the plain copy the builder wrote.
TEST(TrainChain, FlipPatchMirrorsTheChosenSamplesOnly) {
    auto flip = [](train_params_t& p) { p.augment = TRAIN_AUGMENT_FLIP; };
    Built b(TRAIN_NET_VGG5, TRAIN_MODE_DENSE, 0, flip), plain(TRAIN_NET_VGG5, TRAIN_MODE_DENSE);
    ASSERT_GT(b.len, 0u);
    ASSERT_EQ(b.len, plain.len);
    const std::vector<stvp_accel_desc> built(b.d.begin(), b.d.begin() + b.len);
    uint32_t mirrored = 0, differ_epoch = 0, differ_seed = 0;
    train_params_t other_seed = b.p;
    other_seed.seed = 8;
    constexpr uint32_t kSteps = 500;
    for (uint32_t s = 0; s < kSteps; ++s) {
        for (uint32_t j = 0; j < kBatch; ++j) {
            const uint32_t pos = s * kBatch + j, src = 0xA0000000u + pos * 3136u;
            b.d[b.c.copy_first + j].src0 = plain.d[plain.c.copy_first + j].src0 = src;
            train_chain_set_flip(&b.c, b.d.data(), j, 1, pos);
            train_chain_set_flip(&plain.c, plain.d.data(), j, 1, pos);
            const int want = train_flip(&b.p, 1, pos);
            mirrored += want;
            differ_epoch += want != train_flip(&b.p, 2, pos);
            differ_seed += want != train_flip(&other_seed, 1, pos);
            const stvp_accel_desc& d = b.d[b.c.copy_first + j];
            ASSERT_EQ(d.opcode, COPY);
            EXPECT_EQ(d.src0, src);
            EXPECT_EQ(d.flags, want ? STVP_ACCEL_FLAG_MIRROR : 0u) << pos;
            EXPECT_EQ(d.w, want ? 28u : 0u) << pos;
            stvp_accel_desc unflipped = d;
            unflipped.flags = 0, unflipped.w = 0;
            EXPECT_EQ(std::memcmp(&unflipped, &plain.d[plain.c.copy_first + j], sizeof d), 0) << pos;
            EXPECT_EQ(plain.d[plain.c.copy_first + j].flags, 0u) << "augment none never flips";
        }
        for (uint32_t k = kBatch; k < b.len; ++k)
            ASSERT_EQ(std::memcmp(&built[k], &b.d[k], sizeof built[k]), 0) << k;
    }
    const uint32_t n = kSteps * kBatch;  // 2000 draws: 1/2 +- 4 sigma is 0.455..0.545
    EXPECT_GT(mirrored, n * 455 / 1000);
    EXPECT_LT(mirrored, n * 545 / 1000);
    EXPECT_GT(differ_epoch, n * 455 / 1000) << "an epoch's flips are independent of the last's";
    EXPECT_GT(differ_seed, n * 455 / 1000);
    train_params_t none = b.p;
    none.augment = TRAIN_AUGMENT_NONE;
    for (uint32_t pos = 0; pos < 100; ++pos) EXPECT_EQ(train_flip(&none, 0, pos), 0);
}

// flip needs rows that tile the input; a bad workload.augment register is refused.
TEST(TrainChain, FlipRefusesRowsThatDoNotTileTheImage) {
    train_params_t p = params(TRAIN_NET_VGG5, TRAIN_MODE_DENSE);
    p.augment = TRAIN_AUGMENT_FLIP;
    train_chain_bufs_t bufs = make_bufs();
    train_chain_t c{};
    std::vector<stvp_accel_desc> d(TRAIN_CHAIN_STEP_MAX);
    const train_net_t* net = &train_nets[TRAIN_NET_VGG5];
    const uint32_t need = train_chain_step_count(net, &p);
    EXPECT_EQ(train_chain_step(&c, d.data(), need, net, &p, &bufs, 0), need);
    for (uint32_t cols : {0u, 27u}) {
        bufs.image_cols = cols;
        EXPECT_EQ(train_chain_step(&c, d.data(), need, net, &p, &bufs, 0), 0u) << cols;
    }
    p.augment = TRAIN_AUGMENT_NONE;  // rows are not used
    EXPECT_EQ(train_chain_step(&c, d.data(), need, net, &p, &bufs, 0), need);
    p.augment = 2;
    EXPECT_STREQ(train_params_check(&p), "workload.augment must be none or flip");
}

TEST(TrainChain, EvaluationBatchIsForwardAndLossOnTheGivenSamples) {
    Built b(TRAIN_NET_LENET300, TRAIN_MODE_NM);
    std::vector<stvp_accel_desc> e(8);
    EXPECT_EQ(train_chain_eval_batch(&b.c, e.data(), 3, 100, 0xB0000000u, 0xB1000000u, 0xB2000000u), 0u);
    ASSERT_EQ(train_chain_eval_batch(&b.c, e.data(), 4, 100, 0xB0000000u, 0xB1000000u, 0xB2000000u), 4u);
    EXPECT_EQ(e[0].opcode, FCF);
    EXPECT_EQ(e[0].n, 100u);
    EXPECT_EQ(e[0].src0, 0xB0000000u);
    EXPECT_EQ(e[0].format, STVP_ACCEL_FORMAT_NM);  // as the step's forward reads W
    EXPECT_EQ(e[1].src0, b.bufs.layer[0].out);
    EXPECT_EQ(e[3].opcode, XENT);
    EXPECT_EQ(e[3].src1, 0xB1000000u);
    EXPECT_EQ(e[3].dst1, 0xB2000000u);
    EXPECT_EQ(e[3].n, 100u);
}

TEST(TrainChain, InitWeightsCoversEveryWeightLayerWithTheSeed) {
    train_params_t p = params(TRAIN_NET_LENET5, 0);
    p.seed = 0x12345678u;
    const train_chain_bufs_t bufs = make_bufs();
    std::vector<stvp_accel_desc> d(8);
    EXPECT_EQ(train_chain_init_weights(d.data(), 4, &train_nets[TRAIN_NET_LENET5], &p, &bufs), 0u);
    ASSERT_EQ(train_chain_init_weights(d.data(), 8, &train_nets[TRAIN_NET_LENET5], &p, &bufs), 5u);
    const uint32_t layers[5] = {1, 3, 5, 6, 7};
    for (uint32_t j = 0; j < 5; ++j) {
        EXPECT_EQ(d[j].opcode, STVP_ACCEL_OP_INIT_WEIGHTS);
        EXPECT_EQ(d[j].layer, layers[j]);
        EXPECT_EQ(d[j].dst0, bufs.layer[layers[j] - 1].w);
        EXPECT_EQ(d[j].param0, 0x12345678u);
        EXPECT_EQ(d[j].param1, 0u);
    }
    EXPECT_EQ(d[0].s, 5u);
    EXPECT_EQ(d[4].s, 1u);
}

}  // namespace
