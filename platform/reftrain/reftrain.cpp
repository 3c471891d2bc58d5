#include "reftrain.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>

#include "accel/sparse/dropback.h"
#include "accel/sparse/init_weights.h"

namespace stvp::reftrain {

namespace acc = stvp::accel;

namespace {

// Where device memory starts (any non-zero bus address: the chain only names addresses).
constexpr uint32_t kDeviceBase = 0x10000000u;
constexpr uint64_t kAlign = 64;

uint64_t aligned(uint64_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

acc::EngineConfig engine_config(const acc::AccelSparseConfig& sparse) {
    acc::EngineConfig cfg;
    cfg.sparse = sparse;
    cfg.execute_only = true;  // the numbers alone: no cycles, no energy
    return cfg;
}

}  // namespace

namespace {
const char* const kSelectNames[] = {"quantile", "topk", "topk-per-layer", "random"};
}  // namespace

bool parse_select(const std::string& name, SelectionVariant::Select* out) {
    for (size_t i = 0; i < std::size(kSelectNames); ++i)
        if (name == kSelectNames[i]) {
            *out = static_cast<SelectionVariant::Select>(i);
            return true;
        }
    return false;
}

std::string SelectionVariant::describe() const {
    std::string d = std::string("select ") + kSelectNames[static_cast<size_t>(select)];
    if (dense_steps) d += ", dense steps " + std::to_string(dense_steps);
    if (ramp_steps) d += ", ramp steps " + std::to_string(ramp_steps);
    return d;
}

RefTrainer::RefTrainer(const Dataset& data, const train_params_t& params, const acc::AccelSparseConfig& sparse,
                       const SelectionVariant& variant)
    : data_(data),
      p_(params),
      sparse_(sparse),
      variant_(variant),
      net_(&train_nets[params.net < TRAIN_NET_COUNT ? params.net : 0]),
      engine_(engine_config(sparse)) {
    if (!validate().empty()) return;
    layers_.resize(net_->layer_count);
    order_.resize(data_.train_count());
    allocate();
    engine_.on_execute([this](const acc::Command& cmd, const float* w) {
        if (recorder_) recorder_->record(cmd, w);
    });
    if (p_.mode & TRAIN_MODE_PROCRUSTES) {
        acc::SelectionHooks hooks;
        if (variant_.select != SelectionVariant::Select::Quantile)
            hooks.select = [this](const acc::Command& c, uint8_t* mask) {
                const std::vector<uint8_t>& keep = layers_[c.desc.layer - 1].keep;
                std::copy(keep.begin(), keep.end(), mask);
                return true;
            };
        hooks.tracked = [this](const acc::Command& c, const uint8_t* mask) { on_tracked(c.desc.layer - 1, mask); };
        engine_.set_selection_hooks(std::move(hooks));
    }
    // W0 by the accelerator's INIT_WEIGHTS, as train.elf.
    std::vector<stvp_accel_desc> init(TRAIN_MAX_LAYERS);
    run_descs(init.data(), train_chain_init_weights(init.data(), TRAIN_MAX_LAYERS, net_, &p_, &bufs_),
              "weight initialisation");
    build_step_chain();
    if (chain_.nm_count)  // the copies of W0, for the first step's forward and input-gradient ops
        run_descs(&descs_[chain_.nm_first], chain_.nm_count, "N:M copies of W0");
    if (variant_.select != SelectionVariant::Select::Quantile)
        for (uint32_t i = 0; i < net_->layer_count; ++i)
            if (train_has_weights(&net_->layers[i])) layers_[i].w0 = weights(i);  // DROPBACK regenerates exactly these
}

// Device memory: every tensor of the step chain in one zeroed buffer (biases start at 0, as
// train.elf's .bss), then the data set's splits mapped where they are (only ever read: COPY
// sources, evaluation inputs and labels).
void RefTrainer::allocate() {
    const uint32_t nmax = p_.batch > TRAIN_EVAL_BATCH ? p_.batch : TRAIN_EVAL_BATCH;
    uint64_t next = kDeviceBase;
    auto alloc = [&](uint64_t bytes) {
        const uint64_t a = next;
        next += aligned(bytes);
        return uint32_t(a);
    };
    for (uint32_t i = 0; i < net_->layer_count; ++i) {
        const train_layer_t& l = net_->layers[i];
        train_chain_layer_bufs_t& b = bufs_.layer[i];
        if (train_has_weights(&l)) {
            const uint64_t wc = train_weight_count(&l);
            const uint32_t rs = l.kind == TRAIN_CONV ? l.r : 1u, ss = l.kind == TRAIN_CONV ? l.s : 1u;
            b.w = alloc(4 * wc), b.dw = alloc(4 * wc), b.b = alloc(4 * l.k), b.db = alloc(4 * l.k);
            if (p_.mode & TRAIN_MODE_PROCRUSTES) {
                b.blocks = alloc(STVP_ACCEL_BLOCK_BYTES(uint64_t{l.k}, l.c, rs, ss));
                b.dropback_result = alloc(sizeof(stvp_accel_dropback_result));
            }
            if (p_.mode & TRAIN_MODE_NM) {
                b.nm_fwd = alloc(STVP_ACCEL_NM_BYTES(uint64_t{l.k}, rs * ss, l.c, p_.nm_n, p_.nm_m));
                b.nm_bwd = alloc(STVP_ACCEL_NM_BYTES(uint64_t{l.c}, rs * ss, l.k, p_.nm_n, p_.nm_m));
            }
            if (train_chain_prunes_layer(net_, &p_, i)) b.prune_result = alloc(sizeof(stvp_accel_prune_result));
        }
        b.out = alloc(4 * uint64_t{nmax} * train_out_size(&l));
        b.dout = alloc(4 * uint64_t{nmax} * train_out_size(&l));
    }
    bufs_.x_batch = alloc(4 * uint64_t{p_.batch} * train_in_size(&net_->layers[0]));
    bufs_.y_batch = alloc(4 * uint64_t{p_.batch});
    bufs_.xent = alloc(sizeof(stvp_accel_xent_result));
    eval_xent_ = alloc(sizeof(stvp_accel_xent_result));
    dram_.assign(next - kDeviceBase, 0);
    mem_.add({kDeviceBase, dram_.data(), dram_.size(), false});
    auto map = [&](const void* host, uint64_t bytes) {
        const uint32_t a = alloc(bytes);
        mem_.add({a, static_cast<uint8_t*>(const_cast<void*>(host)), bytes, false});
        return a;
    };
    bufs_.images = map(data_.train_x.data(), 4 * data_.train_x.size());
    bufs_.image_cols = data_.cols;
    test_x_ = map(data_.test_x.data(), 4 * data_.test_x.size());
    test_y_ = map(data_.test_y.data(), 4 * data_.test_y.size());
    if (next > 0xFFFFF000u) throw std::length_error("reftrain: the data set and the tensors exceed the 32-bit bus");
}

void RefTrainer::build_step_chain() {
    const bool use_block = (p_.mode & TRAIN_MODE_PROCRUSTES) && global_step_ > variant_.dense_steps;
    descs_.assign(TRAIN_CHAIN_STEP_MAX, stvp_accel_desc{});
    if (!train_chain_step(&chain_, descs_.data(), TRAIN_CHAIN_STEP_MAX, net_, &p_, &bufs_, use_block))
        throw std::logic_error("reftrain: cannot build the training step's chain");
    descs_.resize(chain_.len);
}

void RefTrainer::run_descs(const stvp_accel_desc* d, uint32_t count, const char* what) {
    if (count == 0) return;
    const acc::ChainResult r = engine_.run_chain(d, count, mem_);
    if (!r)
        throw std::logic_error(std::string("reftrain: ") + what + ": descriptor " + std::to_string(r.index) + " (" +
                               acc::opcode_name(d[r.index].opcode) + "): " + acc::error_name(r.error.code) +
                               ", field " + acc::field_name(r.error.field));
}

template <class T>
T* RefTrainer::at(uint32_t address) const {
    return reinterpret_cast<T*>(mem_.find(address, sizeof(T)));
}

std::vector<float> RefTrainer::weights(uint32_t layer) const {
    const uint32_t n = train_weight_count(&net_->layers[layer]);
    const float* w = at<float>(bufs_.layer[layer].w);
    return std::vector<float>(w, w + n);
}

uint32_t RefTrainer::tracked(uint32_t layer) const {
    return at<stvp_accel_dropback_result>(bufs_.layer[layer].dropback_result)->tracked;
}

std::string RefTrainer::validate() const {
    const std::string bad = train_params_check(&p_);
    if (!bad.empty()) return bad;
    const train_layer_t& l0 = net_->layers[0];
    if (data_.channels * data_.rows * data_.cols != train_in_size(&l0) ||
        data_.classes != net_->layers[net_->layer_count - 1].k)
        return std::string("the data set does not fit ") + net_->name;
    if (data_.train_count() < p_.batch || data_.test_count() == 0) return "the data set is too small";
    const bool selection_study = variant_.select != SelectionVariant::Select::Quantile || variant_.dense_steps ||
                                 variant_.ramp_steps;
    if (selection_study && !(p_.mode & TRAIN_MODE_PROCRUSTES))
        return "the selection variants (select, dense steps, ramp steps) need Procrustes (workload.mode)";
    if (variant_.ramp_steps && variant_.select == SelectionVariant::Select::Quantile)
        return "ramp steps need an exact selection (topk or topk-per-layer): the quantile estimator's target "
               "does not follow a budget that changes every step";
    return {};
}

uint32_t RefTrainer::steps_per_epoch() const { return train_steps_per_epoch(&p_, data_.train_count()); }

void RefTrainer::begin_epoch(uint32_t epoch) {
    train_epoch_order(order_.data(), data_.train_count(), p_.seed, epoch);
    lr_ = train_lr(&p_, epoch);
    epoch_ = epoch;
}

// DROPBACK told layer `layer`'s tracked set (SelectionHooks::tracked): the snapshot report.
void RefTrainer::on_tracked(uint32_t layer, const uint8_t* mask) {
    if (!snapshot_step_) return;
    Layer& L = layers_[layer];
    const size_t count = train_weight_count(&net_->layers[layer]);
    const bool counting = global_step_ > snapshot_step_;
    if (L.was.size() != count) L.was.assign(count, 0);
    for (size_t j = 0; j < count; ++j) {
        const bool keep = mask[j] != 0;
        entered_ += counting && keep && !L.was[j];
        L.was[j] = keep;
    }
    if (global_step_ == snapshot_step_) L.snapshot = L.was;
}

uint32_t RefTrainer::tracked_since_snapshot(uint32_t layer) const {
    const Layer& L = layers_[layer];
    uint32_t n = 0;
    for (size_t j = 0; j < L.snapshot.size() && j < L.was.size(); ++j) n += L.snapshot[j] && L.was[j];
    return n;
}

float RefTrainer::keep_fraction() const {
    const float f = train_keep_fraction(&p_);
    const uint32_t since = global_step_ - variant_.dense_steps;  // selections made before this one
    if (since >= variant_.ramp_steps) return f;
    const double u = 1.0 - static_cast<double>(since) / variant_.ramp_steps;
    return static_cast<float>(f + (1.0 - f) * u * u * u);
}

// The study's selections, on the weights the step's SGD left in device memory (before any
// DROPBACK of the step resets them), scored as DROPBACK scores them.
void RefTrainer::select_tracked(float f) {
    using Select = SelectionVariant::Select;
    std::vector<float> scores;
    for (uint32_t i = 0; i < net_->layer_count; ++i) {
        if (!train_has_weights(&net_->layers[i])) continue;
        Layer& L = layers_[i];
        const float* w = at<float>(bufs_.layer[i].w);
        L.keep.assign(L.w0.size(), 0);
        if (variant_.select == Select::TopKPerLayer) scores.clear();
        for (size_t j = 0; j < L.w0.size(); ++j) scores.push_back(acc::sparse::score(w[j], L.w0[j], decay_));
        if (variant_.select == Select::TopKPerLayer) {
            const int64_t k = std::llround(static_cast<double>(f) * static_cast<double>(L.w0.size()));
            for (const int64_t j : acc::sparse::exact_top_k(scores, k)) L.keep[static_cast<size_t>(j)] = 1;
        }
    }
    if (variant_.select == Select::TopK) {
        const int64_t k = std::llround(static_cast<double>(f) * static_cast<double>(scores.size()));
        std::vector<int64_t> top = acc::sparse::exact_top_k(scores, k);
        size_t at = 0, base = 0;
        for (uint32_t i = 0; i < net_->layer_count; ++i) {
            if (!train_has_weights(&net_->layers[i])) continue;
            Layer& L = layers_[i];
            for (; at < top.size() && static_cast<size_t>(top[at]) < base + L.keep.size(); ++at)
                L.keep[static_cast<size_t>(top[at]) - base] = 1;
            base += L.keep.size();
        }
    } else if (variant_.select == Select::Random) {
        // One draw per weight from (seed, layer, index), fixed for the run (nested as a ramp
        // shrinks f): a mask no training signal chose, to measure what a selection rule adds.
        const uint64_t threshold = static_cast<uint64_t>(std::llround(static_cast<double>(f) * 4294967296.0));
        for (uint32_t i = 0; i < net_->layer_count; ++i) {
            if (!train_has_weights(&net_->layers[i])) continue;
            Layer& L = layers_[i];
            for (size_t j = 0; j < L.keep.size(); ++j)
                L.keep[j] = uint64_t{train_mix32(train_mix32(p_.seed ^ 0xA511E9B3u) ^
                                                 train_mix32(i * 0x9E3779B9u ^ uint32_t(j)))} < threshold;
        }
    }
}

uint32_t RefTrainer::weights_kept() const {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < net_->layer_count; ++i) {
        const train_layer_t& l = net_->layers[i];
        if (p_.mode & TRAIN_MODE_PROCRUSTES)
            kept += train_has_weights(&l) ? tracked(i) : 0;
        else if (p_.mode & TRAIN_MODE_NM)
            kept += train_nm_kept(&l, p_.nm_n, p_.nm_m);
        else
            kept += train_weight_count(&l);
    }
    return kept;
}

StepResult RefTrainer::step(uint32_t s) {
    const uint32_t B = p_.batch, in_bytes = 4 * train_in_size(&net_->layers[0]);
    if (!validate().empty() || size_t{s + 1} * B > order_.size())
        throw std::out_of_range("reftrain: step " + std::to_string(s) + " is outside the epoch (" +
                                std::to_string(order_.size() / (B ? B : 1)) + " whole batches) or the trainer is invalid");
    const bool procrustes = p_.mode & TRAIN_MODE_PROCRUSTES;
    // As train.elf: the block copies serve the ops from the step after the first selection.
    if (procrustes && global_step_ == variant_.dense_steps + 1 && !chain_.use_block) build_step_chain();
    stvp_accel_desc* d = descs_.data();
    train_chain_set_lr(&chain_, d, lr_);
    train_chain_set_decay(&chain_, d, decay_);
    train_chain_set_prune_seeds(&chain_, d, global_step_);
    const float f = keep_fraction();
    for (uint32_t j = 0; j < chain_.dropback_count; ++j) d[chain_.dropback_first + j].beta = f;
    int32_t* labels = at<int32_t>(bufs_.y_batch);
    for (uint32_t j = 0; j < B; ++j) {
        const uint32_t idx = order_[size_t{s} * B + j];
        d[chain_.copy_first + j].src0 = bufs_.images + idx * in_bytes;
        train_chain_set_flip(&chain_, d, j, epoch_, s * B + j);
        labels[j] = data_.train_y[idx];
    }
    if (recorder_) recorder_->set_step(global_step_);
    // The chain up to its DROPBACK ops (none unless Procrustes; dense steps skip them), which
    // the study's selections choose for on the host first, then the N:M copies.
    run_descs(d, chain_.dropback_first, "training step");
    if (procrustes && global_step_ >= variant_.dense_steps) {
        if (variant_.select != SelectionVariant::Select::Quantile) select_tracked(f);
        run_descs(d + chain_.dropback_first, chain_.dropback_count, "training step (DROPBACK)");
    }
    run_descs(d + chain_.nm_first, chain_.nm_count, "training step (NM_PREGEN)");
    if (recorder_) recorder_->set_step(capture::kNoStep);
    for (uint32_t i = 0; i < net_->layer_count; ++i)
        if (train_chain_prunes_layer(net_, &p_, i)) {
            const stvp_accel_prune_result* r = at<stvp_accel_prune_result>(bufs_.layer[i].prune_result);
            grad_elements_ += r->elements;
            grad_zeros_after_ += r->zeros_after;
        }
    ++global_step_;
    decay_ *= TRAIN_DECAY_FACTOR;
    const stvp_accel_xent_result* xent = at<stvp_accel_xent_result>(bufs_.xent);
    return {xent->loss, xent->correct};
}

// As train.elf's evaluation: per batch the forward ops and SOFTMAX_XENT of the step chain's
// weights (train_chain_eval_batch) on the test split in place.
EvalResult RefTrainer::evaluate() {
    const uint32_t L = net_->layer_count, in_bytes = 4 * train_in_size(&net_->layers[0]);
    EvalResult e;
    e.count = data_.test_count();
    std::vector<stvp_accel_desc> d(L + 1);
    const stvp_accel_xent_result* xent = at<stvp_accel_xent_result>(eval_xent_);
    float loss_sum = 0.0f;
    for (uint32_t first = 0; first < e.count; first += TRAIN_EVAL_BATCH) {
        const uint32_t n = e.count - first < TRAIN_EVAL_BATCH ? e.count - first : TRAIN_EVAL_BATCH;
        run_descs(d.data(),
                  train_chain_eval_batch(&chain_, d.data(), L + 1, n, test_x_ + first * in_bytes, test_y_ + first * 4,
                                         eval_xent_),
                  "evaluation");
        e.correct += xent->correct;
        loss_sum += xent->loss * static_cast<float>(n);
    }
    e.loss = loss_sum / static_cast<float>(e.count);
    return e;
}

EvalResult RefTrainer::run(std::FILE* out) {
    using clock = std::chrono::steady_clock;
    const uint32_t steps = steps_per_epoch();
    std::fprintf(out, "reftrain: %s, mode %u, %u epochs x %u steps, batch %u, lr %g, seed %u, %u train / %u test "
                "samples, %u weights\n",
                net_->name, p_.mode, p_.epochs, steps, p_.batch, double(p_.lr), p_.seed, data_.train_count(), data_.test_count(),
                train_total_weights(net_));
    if (!variant_.is_vp()) std::fprintf(out, "reftrain: study variant (not the VP's algorithm): %s\n", variant_.describe().c_str());
    EvalResult ev;
    uint32_t global_step = 0;
    double train_wall = 0;
    for (uint32_t epoch = 0; epoch < p_.epochs; ++epoch) {
        const auto t0 = clock::now();
        begin_epoch(epoch);
        uint32_t seen = 0, correct = 0, since = 0;
        float loss_sum = 0.0f;
        for (uint32_t s = 0; s < steps; ++s) {
            const StepResult r = step(s);
            ++global_step;
            seen += p_.batch;
            correct += r.correct;
            loss_sum += r.loss;
            ++since;
            if (p_.print_every == 1) {
                uint32_t bits;
                std::memcpy(&bits, &r.loss, 4);
                std::fprintf(out, "trace step %u loss %.7f 0x%08x\n", global_step, static_cast<double>(r.loss), bits);
            }
            if ((s + 1) % p_.print_every == 0 || s + 1 == steps) {
                std::fprintf(out, "epoch %u step %u/%u loss %.4f acc %.1f%%\n", epoch + 1, s + 1, steps,
                            static_cast<double>(loss_sum / static_cast<float>(since)),
                            100.0 * correct / static_cast<double>(seen));
                loss_sum = 0.0f;
                since = 0;
            }
        }
        const auto t1 = clock::now();
        ev = evaluate();
        const auto t2 = clock::now();
        const double tw = std::chrono::duration<double>(t1 - t0).count();
        train_wall += tw;
        std::fprintf(out, "epoch %u test loss %.4f acc %.2f%% (%u/%u) lr %.5f, host wall %.3f s training, %.3f s evaluation\n",
                    epoch + 1, static_cast<double>(ev.loss), 100.0 * ev.correct / static_cast<double>(ev.count),
                    ev.correct, ev.count, static_cast<double>(train_lr(&p_, epoch)), tw,
                    std::chrono::duration<double>(t2 - t1).count());
    }
    std::fprintf(out, "reftrain: test accuracy %.2f%% (%u/%u), weights kept %.4f, host wall per training epoch %.3f s\n",
                100.0 * ev.correct / static_cast<double>(ev.count), ev.correct, ev.count,
                weights_kept() / static_cast<double>(train_total_weights(net_)), p_.epochs ? train_wall / p_.epochs : 0.0);
    if (p_.mode & TRAIN_MODE_PROCRUSTES) {  // where the global selection put the budget
        std::fprintf(out, "reftrain: tracked per layer:");
        for (uint32_t i = 0; i < net_->layer_count; ++i) {
            const train_layer_t& l = net_->layers[i];
            if (!train_has_weights(&l)) continue;
            std::fprintf(out, " layer %u %u/%u (%.1f%%)", i + 1, tracked(i), train_weight_count(&l),
                         100.0 * tracked(i) / train_weight_count(&l));
        }
        std::fprintf(out, "\n");
        if (snapshot_step_ && global_step_ > snapshot_step_) {
            std::fprintf(out, "reftrain: tracked now and already at step %u:", snapshot_step_);
            for (uint32_t i = 0; i < net_->layer_count; ++i)
                if (train_has_weights(&net_->layers[i]))
                    std::fprintf(out, " layer %u %u/%u (%.0f%%)", i + 1, tracked_since_snapshot(i), tracked(i),
                                 tracked(i) ? 100.0 * tracked_since_snapshot(i) / tracked(i) : 0.0);
            const uint32_t after = global_step_ - snapshot_step_ - 1;
            std::fprintf(out, "; %" PRIu64 " weights entered the set after it (%.0f per step)\n", entered_,
                         after ? static_cast<double>(entered_) / after : 0.0);
        }
    }
    return ev;
}

}  // namespace stvp::reftrain
