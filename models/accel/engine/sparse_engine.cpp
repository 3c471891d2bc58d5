#include "accel/engine/sparse_engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "accel/core/loop_nest.h"
#include "accel/core/ops.h"
#include "accel/sparse/block_sparse.h"
#include "accel/sparse/gradient_pruner.h"
#include "accel/sparse/nm_sparse.h"

namespace stvp::accel {

namespace {

using sparse::BlockSparseWeights;
using sparse::NmAxis;
using sparse::NmConfig;
using sparse::NmWeights;

constexpr uint32_t kPointerBits = 20;  // the hardware's block pointer (accel_desc.h, BLOCK COPY)

uint8_t* host(const Command& c, uint32_t field) {
    const Operand* o = c.operand(field);
    return o ? o->host : nullptr;
}
float* fhost(const Command& c, uint32_t field) { return reinterpret_cast<float*>(host(c, field)); }

uint32_t rd32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
void wr32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

void block_extent(const WeightDims& w, int64_t* bk, int64_t* bc) {
    sparse::BlockSparseConfig bcfg;
    bcfg.fc_block = STVP_ACCEL_BLOCK_FC;
    BlockSparseWeights::block_shape(bcfg, int64_t(w.r), int64_t(w.s), bk, bc);
}

// Packed metadata bytes of a block copy as the hardware stores it (mask bits + 20-bit pointers).
uint64_t block_metadata_bytes(uint64_t blocks, uint64_t block_elements) {
    return (blocks * (block_elements + kPointerBits) + 7) / 8;
}

uint32_t index_bits(uint32_t m) {
    uint32_t b = 0;
    while ((uint32_t{1} << b) < m) ++b;
    return b;
}

// Restrict pointers: the byte stores may not alias the floats, so the loop vectorises.
void nz_bytes(const float* __restrict t, int64_t n, uint8_t* __restrict out) {
    for (int64_t i = 0; i < n; ++i) out[i] = t[i] != 0.0f;
}

std::vector<uint8_t>& nz_map(const float* t, int64_t n, std::vector<uint8_t>& out) {
    out.resize(static_cast<size_t>(n));
    nz_bytes(t, n, out.data());
    return out;
}

}  // namespace

SparseEngine::SparseEngine(const AccelSparseConfig& cfg) : cfg_(cfg), qe_(cfg.quantile) {}

void SparseEngine::reset() {
    qe_ = sparse::QuantileEstimator(cfg_.quantile);
    step_open_ = false;
    tracked_step_ = 0;
}

sparse::InitWeights SparseEngine::init_of(const Command& c) const {
    sparse::InitWeightsConfig ic;
    ic.seed = uint64_t{c.desc.param1} << 32 | c.desc.param0;
    ic.kind = cfg_.init_kind;
    ic.uniform_bound = cfg_.init_uniform_bound;
    return sparse::InitWeights(ic);
}

CommandError SparseEngine::check(const Command& c) {
    const stvp_accel_desc& d = c.desc;
    if (d.format == STVP_ACCEL_FORMAT_DENSE) return {};
    const WeightDims wd = weight_dims(c);
    const uint8_t* meta = host(c, STVP_ACCEL_FIELD_META0);
    const int64_t K = int64_t(wd.k), C = int64_t(wd.c), R = int64_t(wd.r), S = int64_t(wd.s), RS = R * S;
    w_dec_.assign(size_t(wd.count()), 0.0f);
    const CommandError bad_header{STVP_ACCEL_ERR_METADATA, STVP_ACCEL_FIELD_META0, 0xFFFFFFFFu};
    if (d.format == STVP_ACCEL_FORMAT_BLOCK) {
        int64_t bk, bc;
        block_extent(wd, &bk, &bc);
        const uint64_t blocks = block_count(wd);
        stvp_accel_block_header h;
        std::memcpy(&h, meta, sizeof h);
        const uint32_t nnz = h.nnz;
        if (h.blocks != blocks || h.bk != bk || h.bc != bc || nnz > wd.count()) return bad_header;
        const uint8_t* masks = meta + sizeof h;
        const uint8_t* ptrs = masks + 8 * blocks;
        const uint8_t* values = ptrs + 4 * blocks;
        const int64_t cb_n = (C + bc - 1) / bc, elems = bk * bc * RS, cw = bc * RS;
        // Bit `bit` of a block is weight (bit / cw, (bit % cw) / RS, bit % RS) of it: its k and
        // c within the block and its offset from the block's first weight, once per op
        // instead of divisions per kept weight (every FC/CONV op of every sparse step).
        int64_t bit_k[64], bit_c[64], bit_off[64];
        for (int64_t bit = 0; bit < std::min<int64_t>(elems, 64); ++bit)
            bit_k[bit] = bit / cw, bit_c[bit] = (bit % cw) / RS, bit_off[bit] = bit_k[bit] * C * RS + bit % cw;
        for (uint64_t b = 0; b < blocks; ++b) {
            uint64_t m = uint64_t{rd32(masks + 8 * b)} | uint64_t{rd32(masks + 8 * b + 4)} << 32;
            const uint32_t p = rd32(ptrs + 4 * b);
            const CommandError bad{STVP_ACCEL_ERR_METADATA, STVP_ACCEL_FIELD_META0, uint32_t(b)};
            if (elems < 64 && (m >> elems)) return bad;
            if (uint64_t(p) + uint64_t(__builtin_popcountll(m)) > nnz) return bad;
            const int64_t kb = int64_t(b) / cb_n, cb = int64_t(b) % cb_n, k0 = kb * bk, c0 = cb * bc;
            // An edge block's bits past K or C are metadata errors.
            const bool edge = k0 + bk > K || c0 + bc > C;
            float* base = &w_dec_[size_t((k0 * C + c0) * RS)];
            const uint8_t* v = values + 4 * uint64_t(p);
            while (m) {
                const int bit = __builtin_ctzll(m);
                m &= m - 1;
                if (edge && (k0 + bit_k[bit] >= K || c0 + bit_c[bit] >= C)) return bad;
                std::memcpy(base + bit_off[bit], v, 4);
                v += 4;
            }
        }
        wf_ = {};
        wf_.compressed = true;
        wf_.density = wd.count() ? double(nnz) / double(wd.count()) : 0;
        wf_.metadata_bits_per_weight = double(blocks * (uint64_t(elems) + kPointerBits)) / double(wd.count());
        wf_.unit_elements = elems;
        wf_.transposed_walk = c.phase == STVP_ACCEL_PHASE_BWD_DATA;
        return {};
    }
    // N:M: the forward copy for *_FWD (groups along C), the backward copy for *_BWD_DATA.
    const bool backward = c.phase == STVP_ACCEL_PHASE_BWD_DATA;
    const int64_t n = d.param0, m = d.param1;
    const int64_t L = backward ? K : C, lines = backward ? C : K, per_line = (L + m - 1) / m;
    const uint64_t slots = nm_slots(wd, backward, d.param0, d.param1);
    const uint8_t* values = meta;
    const uint8_t* idx = meta + 4 * slots;
    // Group j of line (a, rs) starts at weight `first` and its positions are `step` apart.
    const int64_t step = backward ? C * RS : RS;
    float* dec = w_dec_.data();
    uint64_t slot = 0, kept = 0;
    for (int64_t a = 0; a < lines; ++a)
        for (int64_t rs = 0; rs < RS; ++rs)
            for (int64_t j = 0; j < per_line; ++j) {
                const int64_t len = std::min(m, L - j * m);
                float* first = dec + (backward ? (j * m * C + a) * RS + rs : (a * C + j * m) * RS + rs);
                for (int64_t t = 0; t < n; ++t, ++slot) {
                    if (idx[slot] >= len) return {STVP_ACCEL_ERR_METADATA, STVP_ACCEL_FIELD_META0, uint32_t(slot)};
                    float v;
                    std::memcpy(&v, values + 4 * slot, 4);
                    // Padding slots hold 0 at index 0: skipping zeros keeps them from
                    // overwriting a real weight kept at index 0.
                    if (v == 0.0f) continue;
                    first[idx[slot] * step] = v;
                    ++kept;
                }
            }
    wf_ = {};
    wf_.compressed = true;
    wf_.density = double(slots) / double(wd.count());
    wf_.metadata_bits_per_weight = double(slots * index_bits(uint32_t(m))) / double(wd.count());
    wf_.unit_elements = m;
    (void)kept;
    return {};
}

std::string SparseEngine::init_weights(const Command& c, OpWork&) {
    const WeightDims wd = weight_dims(c);
    init_of(c).fill(c.desc.layer, 0, wd.count(), wd.c * wd.r * wd.s, fhost(c, STVP_ACCEL_FIELD_DST0));
    return {};
}

OpCharge SparseEngine::init_weights_cost(const Command& c, const OpWork&, TimingModel& tm) const {
    // One generator evaluation per weight on the vector lanes; W written once.
    const uint64_t count = weight_dims(c).count();
    return {vector_cost(tm.config(), count, 0, 4 * count), {}};
}

std::string SparseEngine::dropback(const Command& c, OpWork& work) {
    const stvp_accel_desc& d = c.desc;
    const WeightDims wd = weight_dims(c);
    const int64_t count = int64_t(wd.count());
    float* w = fhost(c, STVP_ACCEL_FIELD_DST0);
    const std::vector<float>& w0 = w0_.get(init_of(c), d.layer, uint64_t(count), wd.c * wd.r * wd.s);
    const float dec = d.alpha;
    const bool topk = d.flags & STVP_ACCEL_FLAG_TOPK;
    // The estimator writes every mask byte; TOPK and a host selection set only the tracked ones.
    if (topk || hooks_.select)
        mask_.assign(size_t(count), 0);
    else
        mask_.resize(size_t(count));
    if (d.flags & STVP_ACCEL_FLAG_FIRST) tracked_step_ = 0;
    double threshold = 0;
    uint64_t vector_ops = 3 * uint64_t(count);  // W0 regeneration, score, compare / reset
    if (hooks_.select && hooks_.select(c, mask_.data())) {
        // The host chose the tracked set (SelectionHooks); the estimator is left as it was.
    } else if (!topk) {
        // The estimator's step: FIRST ends the previous one and opens a new one (as
        // WeightSelector::step does over its layer table); without an open step, one opens.
        if (d.flags & STVP_ACCEL_FLAG_FIRST || !step_open_) {
            if (step_open_) qe_.end_step();
            qe_.begin_step(1.0 - double(d.beta));
            step_open_ = true;
        }
        sparse::observe_layer(qe_, w, w0.data(), count, dec, mask_.data());
        threshold = qe_.estimate();
    } else {
        scores_.resize(size_t(count));
        for (int64_t i = 0; i < count; ++i) scores_[size_t(i)] = sparse::score(w[i], w0[size_t(i)], dec);
        const int64_t k = std::llround(double(d.beta) * double(count));
        const std::vector<int64_t> top = sparse::exact_top_k(scores_, k);
        float kth = top.empty() ? 0.0f : scores_[size_t(top[0])];
        for (int64_t g : top) {
            mask_[size_t(g)] = 1;
            kth = std::min(kth, scores_[size_t(g)]);
        }
        threshold = kth;
        // A sorting network's compares, log2(count) per weight [open].
        uint64_t lg = 1;
        while ((int64_t{1} << lg) < count) ++lg;
        vector_ops += uint64_t(count) * lg;
    }
    if (hooks_.tracked) hooks_.tracked(c, mask_.data());
    const uint32_t tracked = uint32_t(sparse::reset_untracked(w, w0.data(), mask_.data(), count, dec));
    tracked_step_ += tracked;

    // The block copy (accel_desc.h, BLOCK COPY).
    int64_t bk, bc;
    block_extent(wd, &bk, &bc);
    BlockSparseWeights bs;
    BlockSparseWeights::encode(w, mask_.data(), int64_t(wd.k), int64_t(wd.c), int64_t(wd.r), int64_t(wd.s), bk, bc,
                               kPointerBits, &bs);
    uint8_t* meta = host(c, STVP_ACCEL_FIELD_META0);
    const uint64_t blocks = uint64_t(bs.blocks());
    const stvp_accel_block_header header{uint32_t(blocks), uint32_t(bs.nnz()), uint32_t(bk), uint32_t(bc)};
    std::memcpy(meta, &header, sizeof header);
    uint8_t* masks = meta + sizeof header;
    uint8_t* ptrs = masks + 8 * blocks;
    for (uint64_t b = 0; b < blocks; ++b) {
        wr32(masks + 8 * b, uint32_t(bs.mask(int64_t(b))));
        wr32(masks + 8 * b + 4, uint32_t(bs.mask(int64_t(b)) >> 32));
        wr32(ptrs + 4 * b, bs.pointer(int64_t(b)));
    }
    if (!bs.values().empty())  // an empty vector's data() may be null, which memcpy must not get
        std::memcpy(ptrs + 4 * blocks, bs.values().data(), 4 * bs.values().size());
    if (d.flags & STVP_ACCEL_FLAG_RESULT) {
        stvp_accel_dropback_result res{tracked, uint32_t(count), float(threshold), dec};
        std::memcpy(host(c, STVP_ACCEL_FIELD_DST1), &res, sizeof res);
    }
    work.vector_ops = vector_ops;
    work.units = blocks;
    work.values = uint64_t(bs.nnz());
    work.unit_elements = uint64_t(bs.block_elements());
    return {};
}

OpCharge SparseEngine::dropback_cost(const Command& c, const OpWork& work, TimingModel& tm) const {
    // Only the compressed weights move: tracked values + bitmasks + packed pointers, read (the
    // tracked weights after the update) and written (the new copy); untracked weights are
    // regenerated, never stored. The dense master in DRAM is the model's SGD operand.
    const uint64_t meta_bytes = block_metadata_bytes(work.units, work.unit_elements);
    const uint64_t bytes = 4 * work.values + meta_bytes;
    OpCharge r;
    r.op = vector_cost(tm.config(), work.vector_ops, bytes, bytes);
    if (!(c.desc.flags & STVP_ACCEL_FLAG_TOPK)) r.extra.quantile_ops = weight_dims(c).count();
    r.extra.decoded_units = work.units;
    r.extra.metadata_dram_bytes = 2 * meta_bytes;
    return r;
}

std::string SparseEngine::nm_pregen(const Command& c, OpWork& work) {
    const stvp_accel_desc& d = c.desc;
    const WeightDims wd = weight_dims(c);
    const NmConfig nc{d.param0, d.param1};
    const int64_t K = int64_t(wd.k), C = int64_t(wd.c), R = int64_t(wd.r), S = int64_t(wd.s);
    const float* w = fhost(c, STVP_ACCEL_FIELD_SRC0);
    NmWeights copies[2];
    NmWeights::prune(w, K, C, R, S, nc, NmAxis::Input, &copies[0]);
    // BWD_FROM_FWD (Bi-Mask): the backward copy is pruned from the forward copy's weights, so
    // the input gradient only uses weights the forward pass used; from W, the two masks
    // disagree and the input gradient is not that of the forward function.
    const float* bwd_src = w;
    if (d.flags & STVP_ACCEL_FLAG_NM_BWD_FROM_FWD) {
        nm_fwd_dense_.resize(size_t(wd.count()));
        copies[0].decode(nm_fwd_dense_.data());
        bwd_src = nm_fwd_dense_.data();
    }
    NmWeights::prune(bwd_src, K, C, R, S, nc, NmAxis::Output, &copies[1]);
    for (const bool backward : {false, true}) {
        const NmWeights& nm = copies[backward];
        uint8_t* out = host(c, backward ? STVP_ACCEL_FIELD_META1 : STVP_ACCEL_FIELD_META0);
        const size_t slots = nm.values().size();
        std::memcpy(out, nm.values().data(), 4 * slots);
        std::memcpy(out + 4 * slots, nm.indices().data(), slots);
        std::memset(out + 5 * slots, 0, ((slots + 3) & ~size_t{3}) - slots);
        work.written_bytes += uint64_t(nm.value_bytes()) + uint64_t(nm.metadata_bytes());
        work.metadata_bytes += uint64_t(nm.metadata_bytes());
        work.units += uint64_t(nm.groups());
    }
    return {};
}

OpCharge SparseEngine::nm_pregen_cost(const Command& c, const OpWork& work, TimingModel& tm) const {
    // Two magnitude sorts per group element (a compare tree per group) [open]; with
    // BWD_FROM_FWD the backward tree compares the forward selection's values (zero where it
    // dropped one): the same compares.
    const uint64_t count = weight_dims(c).count();
    OpCharge r;
    r.op = vector_cost(tm.config(), 2 * count, 4 * count, work.written_bytes);
    r.extra.decoded_units = work.units;
    r.extra.metadata_dram_bytes = work.metadata_bytes;
    return r;
}

std::string SparseEngine::grad_prune(const Command& c, OpWork& work) {
    const stvp_accel_desc& d = c.desc;
    sparse::GradientPrunerConfig pc;
    pc.prune_rate = d.alpha;
    pc.lanes = cfg_.prune_lanes;
    pc.seed = d.param0;
    sparse::GradientPruner pruner(pc);
    float* g = fhost(c, STVP_ACCEL_FIELD_DST0);
    const sparse::PruneStats st = pruner.prune(g, int64_t(d.n));
    work.pruned = uint64_t(st.zeros_after - st.zeros_before);
    if (d.flags & STVP_ACCEL_FLAG_RESULT) {
        stvp_accel_prune_result res{d.n, uint32_t(st.zeros_before), uint32_t(st.zeros_after), float(st.tau)};
        std::memcpy(host(c, STVP_ACCEL_FIELD_DST1), &res, sizeof res);
    }
    return {};
}

OpCharge SparseEngine::grad_prune_cost(const Command& c, const OpWork&, TimingModel& tm) const {
    // Two passes: mean|g| for tau, then the stochastic rule; g read twice, written once.
    const uint64_t n = c.desc.n;
    OpCharge r;
    r.op = vector_cost(tm.config(), 2 * n, 8 * n, 4 * n);
    r.extra.pruner_ops = n;
    return r;
}

OpCharge SparseEngine::layer_cost(const Command& c, const float* w, TimingModel& tm) {
    const stvp_accel_desc& d = c.desc;
    const bool relu = d.flags & STVP_ACCEL_FLAG_RELU, bias = d.flags & STVP_ACCEL_FLAG_BIAS,
               mask = d.flags & STVP_ACCEL_FLAG_RELU_MASK, skip = d.flags & STVP_ACCEL_FLAG_SKIP_ZEROS;
    const bool dense_w = d.format == STVP_ACCEL_FORMAT_DENSE;
    const float* s0 = fhost(c, STVP_ACCEL_FIELD_SRC0);
    const float* s1 = fhost(c, STVP_ACCEL_FIELD_SRC1);
    const bool fc = d.opcode <= STVP_ACCEL_OP_FC_BWD_WEIGHT;
    Phase ph = Phase::Forward;
    if (c.phase == STVP_ACCEL_PHASE_BWD_DATA) ph = Phase::InputGrad;
    if (c.phase == STVP_ACCEL_PHASE_BWD_WEIGHT) ph = Phase::WeightGrad;

    // Zero maps of the operands the op read (execute() wrote only outputs, which never overlap them).
    const uint8_t* wnz = dense_w ? nullptr : nz_map(w, int64_t(weight_dims(c).count()), wnz_).data();
    const uint8_t *xnz = nullptr, *dynz = nullptr;
    if (skip) {
        const int64_t xe = fc ? c.fc.x_elements() : c.conv.x_elements();
        const int64_t ye = fc ? c.fc.y_elements() : c.conv.y_elements();
        if (ph == Phase::Forward) xnz = nz_map(s0, xe, xnz_).data();
        if (ph == Phase::InputGrad) dynz = nz_map(s0, ye, dynz_).data();
        if (ph == Phase::WeightGrad) xnz = nz_map(s1, xe, xnz_).data(), dynz = nz_map(s0, ye, dynz_).data();
    }

    NestOptions opt;
    opt.bias = bias;
    opt.relu = relu;
    opt.relu_mask = mask;
    sparse::NestOperands ops;
    const sparse::WeightFormat wf = dense_w ? sparse::WeightFormat{} : wf_;
    OpCharge r;
    if (fc) {
        if (sparse::fc_operands(c.fc, ph, wnz, xnz, dynz, &ops).empty()) {
            const sparse::SparseCost sc = sparse::sparse_nest_cost(tm, fc_nest(c.fc, ph, opt), ops, wf, cfg_.load_balance);
            r.op = sc.op, r.extra = sc.extra;
            return r;
        }
    } else {
        const std::vector<OpShape> nests = conv_nests(c.conv, ph, opt);
        if (nests.size() == 1 && sparse::conv_operands(c.conv, ph, wnz, xnz, dynz, &ops).empty()) {
            const sparse::SparseCost sc = sparse::sparse_nest_cost(tm, nests[0], ops, wf, cfg_.load_balance);
            r.op = sc.op, r.extra = sc.extra;
            return r;
        }
    }
    // A strided input gradient is split into sub-pixel nests whose operand maps the sparse
    // work source does not build: charged as the dense op (conservative).
    r.op = fc ? tm.fc(c.fc, ph, opt) : tm.conv2d(c.conv, ph, opt);
    return r;
}

}  // namespace stvp::accel
