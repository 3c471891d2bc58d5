#include "reftrain.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>

#include "accel/core/ops.h"
#include "accel/sparse/gradient_pruner.h"
#include "accel/sparse/init_weights.h"
#include "accel/sparse/nm_sparse.h"

namespace stvp::reftrain {

namespace acc = stvp::accel;

namespace {

acc::FcShape fc_shape(const train_layer_t& l, uint32_t n) {
    acc::FcShape s;
    s.batch = n, s.in_features = l.c, s.out_features = l.k;
    return s;
}

acc::Conv2dShape conv_shape(const train_layer_t& l, uint32_t n) {
    acc::Conv2dShape s;
    s.batch = n, s.in_channels = l.c, s.in_h = l.h, s.in_w = l.w, s.out_channels = l.k;
    s.kernel_h = l.r, s.kernel_w = l.s, s.stride_h = s.stride_w = l.stride, s.pad_h = s.pad_w = l.pad;
    return s;
}

acc::Pool2dShape pool_shape(const train_layer_t& l, uint32_t n) {
    acc::Pool2dShape s;
    s.batch = n, s.channels = l.c, s.in_h = l.h, s.in_w = l.w, s.kernel_h = l.r, s.kernel_w = l.s;
    s.stride_h = s.stride_w = l.stride;
    return s;
}

// INIT_WEIGHTS / DROPBACK's W0 generator as the device configures it (SparseEngine).
acc::sparse::InitWeightsConfig init_config(uint32_t seed, const acc::AccelSparseConfig& sparse) {
    acc::sparse::InitWeightsConfig ic;
    ic.seed = seed;
    ic.kind = sparse.init_kind;
    ic.uniform_bound = sparse.init_uniform_bound;
    return ic;
}

// An op's error is a bug of this program (the shapes come from the tables), never data.
void check(const std::string& err, const char* what) {
    if (!err.empty()) throw std::logic_error(std::string("reftrain: ") + what + ": " + err);
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
      qe_(sparse.quantile) {
    if (!validate().empty()) return;
    const uint32_t nmax = p_.batch > TRAIN_EVAL_BATCH ? p_.batch : TRAIN_EVAL_BATCH;
    const acc::sparse::InitWeights init(init_config(p_.seed, sparse_));
    layers_.resize(net_->layer_count);
    for (uint32_t i = 0; i < net_->layer_count; ++i) {
        const train_layer_t& l = net_->layers[i];
        Layer& L = layers_[i];
        if (train_has_weights(&l)) {
            const uint32_t wc = train_weight_count(&l);
            L.w.resize(wc), L.dw.resize(wc), L.b.assign(l.k, 0.0f), L.db.resize(l.k);
            init.fill(train_init_layer_id(i), 0, wc, train_fan_in(&l), L.w.data());
            if (p_.mode & TRAIN_MODE_PROCRUSTES) L.w0 = L.w;  // DROPBACK regenerates exactly these
            if (p_.mode & TRAIN_MODE_NM) nm_pregen(i);  // train.elf's copies of W0
        }
        L.out.resize(size_t{nmax} * train_out_size(&l));
        L.dout.resize(L.out.size());
    }
    x_.resize(size_t{p_.batch} * train_in_size(&net_->layers[0]));
    y_.resize(p_.batch);
    order_.resize(data_.train_count());
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
}

const float* RefTrainer::input_of(uint32_t i) const { return i == 0 ? x_.data() : layers_[i - 1].out.data(); }

const float* RefTrainer::fwd_weights(uint32_t i) const {
    const Layer& L = layers_[i];
    return use_block_ || (p_.mode & TRAIN_MODE_NM) ? L.w_fwd.data() : L.w.data();
}
const float* RefTrainer::bwd_weights(uint32_t i) const {
    const Layer& L = layers_[i];
    if (p_.mode & TRAIN_MODE_NM) return L.w_bwd.data();
    return use_block_ ? L.w_fwd.data() : L.w.data();  // the block copy serves both directions
}

bool RefTrainer::prunes_layer(uint32_t i) const {
    return (p_.mode & TRAIN_MODE_SPARSETRAIN) && train_has_weights(&net_->layers[i]) && i + 1 < net_->layer_count;
}

// NM_PREGEN (SparseEngine::nm_pregen): both copies from the master, decoded (pruned = 0), as
// the device decodes them for its FC/CONV ops.
void RefTrainer::nm_pregen(uint32_t i) {
    const train_layer_t& l = net_->layers[i];
    Layer& L = layers_[i];
    const int64_t R = l.kind == TRAIN_CONV ? l.r : 1, S = l.kind == TRAIN_CONV ? l.s : 1;
    const acc::sparse::NmConfig nc{p_.nm_n, p_.nm_m};
    acc::sparse::NmWeights nm;
    L.w_fwd.assign(L.w.size(), 0.0f);
    L.w_bwd.assign(L.w.size(), 0.0f);
    check(acc::sparse::NmWeights::prune(L.w.data(), l.k, l.c, R, S, nc, acc::sparse::NmAxis::Input, &nm), "nm prune");
    nm.decode(L.w_fwd.data());
    check(acc::sparse::NmWeights::prune(L.w.data(), l.k, l.c, R, S, nc, acc::sparse::NmAxis::Output, &nm), "nm prune");
    nm.decode(L.w_bwd.data());
}

// DROPBACK over the weight layers in order (SparseEngine::dropback, quantile mode): the first
// layer ends the estimator's previous step and begins one with q = 1 - f (f in binary32, as
// the descriptor's beta); untracked weights reset to d*W0; the tracked ones form the copy.
// The study's other selections decide the tracked set first (select_tracked) and then reset
// and copy the same way (observe_layer and reset_untracked: the selection the device runs).
void RefTrainer::dropback() {
    const float f = keep_fraction();
    const bool quantile = variant_.select == SelectionVariant::Select::Quantile;
    if (!quantile) select_tracked(f);
    bool first = true;
    for (uint32_t i = 0; i < net_->layer_count; ++i) {
        const train_layer_t& l = net_->layers[i];
        if (!train_has_weights(&l)) continue;
        Layer& L = layers_[i];
        const size_t count = L.w.size();
        if (first && quantile) {
            if (qe_open_) qe_.end_step();
            qe_.begin_step(1.0 - static_cast<double>(f));
            qe_open_ = true;
        }
        first = false;
        if (quantile) {
            L.keep.resize(count);
            acc::sparse::observe_layer(qe_, L.w.data(), L.w0.data(), int64_t(count), decay_, L.keep.data());
        }
        L.tracked = uint32_t(acc::sparse::reset_untracked(L.w.data(), L.w0.data(), L.keep.data(), int64_t(count), decay_));
        L.w_fwd.assign(count, 0.0f);
        const bool counting = snapshot_step_ && global_step_ > snapshot_step_;
        if (L.was.size() != count) L.was.assign(count, 0);
        for (size_t j = 0; j < count; ++j) {
            const bool keep = L.keep[j] != 0;
            entered_ += counting && keep && !L.was[j];
            L.was[j] = keep;
            if (keep) L.w_fwd[j] = L.w[j];
        }
        if (snapshot_step_ && global_step_ == snapshot_step_) L.snapshot = L.was;
    }
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

void RefTrainer::select_tracked(float f) {
    using Select = SelectionVariant::Select;
    std::vector<float> scores;
    for (uint32_t i = 0; i < net_->layer_count; ++i) {
        if (!train_has_weights(&net_->layers[i])) continue;
        Layer& L = layers_[i];
        L.keep.assign(L.w.size(), 0);
        if (variant_.select == Select::TopKPerLayer) scores.clear();
        for (size_t j = 0; j < L.w.size(); ++j) scores.push_back(acc::sparse::score(L.w[j], L.w0[j], decay_));
        if (variant_.select == Select::TopKPerLayer) {
            const int64_t k = std::llround(static_cast<double>(f) * static_cast<double>(L.w.size()));
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
            for (; at < top.size() && static_cast<size_t>(top[at]) < base + L.w.size(); ++at)
                L.keep[static_cast<size_t>(top[at]) - base] = 1;
            base += L.w.size();
        }
    } else if (variant_.select == Select::Random) {
        // One draw per weight from (seed, layer, index), fixed for the run (nested as a ramp
        // shrinks f): a mask no training signal chose, to measure what a selection rule adds.
        const uint64_t threshold = static_cast<uint64_t>(std::llround(static_cast<double>(f) * 4294967296.0));
        for (uint32_t i = 0; i < net_->layer_count; ++i) {
            if (!train_has_weights(&net_->layers[i])) continue;
            Layer& L = layers_[i];
            for (size_t j = 0; j < L.w.size(); ++j)
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
            kept += train_has_weights(&l) ? layers_[i].tracked : 0;
        else if (p_.mode & TRAIN_MODE_NM)
            kept += train_nm_kept(&l, p_.nm_n, p_.nm_m);
        else
            kept += train_weight_count(&l);
    }
    return kept;
}

void RefTrainer::forward(uint32_t n, const float* input) {
    for (uint32_t i = 0; i < net_->layer_count; ++i) {
        const train_layer_t& l = net_->layers[i];
        Layer& L = layers_[i];
        const float* in = i == 0 ? input : layers_[i - 1].out.data();
        if (recorder_ && l.kind == TRAIN_FC) recorder_->forward_fc(i + 1, fc_shape(l, n), in, fwd_weights(i));
        if (recorder_ && l.kind == TRAIN_CONV) recorder_->forward_conv(i + 1, conv_shape(l, n), in, fwd_weights(i));
        if (l.kind == TRAIN_FC)
            check(acc::fc_forward(fc_shape(l, n), in, fwd_weights(i), L.b.data(), L.out.data(), l.relu), "fc_forward");
        else if (l.kind == TRAIN_CONV)
            check(acc::conv2d_forward(conv_shape(l, n), in, fwd_weights(i), L.b.data(), L.out.data(), l.relu),
                  "conv2d_forward");
        else
            check(acc::maxpool2d_forward(pool_shape(l, n), in, L.out.data()), "maxpool2d_forward");
    }
}

StepResult RefTrainer::step(uint32_t s) {
    const uint32_t B = p_.batch, in_size = train_in_size(&net_->layers[0]), L = net_->layer_count;
    if (!validate().empty() || size_t{s + 1} * B > order_.size())
        throw std::out_of_range("reftrain: step " + std::to_string(s) + " is outside the epoch (" +
                                std::to_string(order_.size() / (B ? B : 1)) + " whole batches) or the trainer is invalid");
    // As train.elf: the block copy serves the ops from the step after the first selection.
    if ((p_.mode & TRAIN_MODE_PROCRUSTES) && global_step_ == variant_.dense_steps + 1) use_block_ = true;
    for (uint32_t j = 0; j < B; ++j) {
        const uint32_t idx = order_[size_t{s} * B + j];
        std::memcpy(&x_[size_t{j} * in_size], &data_.train_x[size_t{idx} * in_size], in_size * sizeof(float));
        y_[j] = data_.train_y[idx];
    }
    if (recorder_) recorder_->set_step(global_step_);
    forward(B, x_.data());
    acc::XentResult xr;
    acc::SoftmaxXentShape xs;
    xs.batch = B, xs.classes = net_->layers[L - 1].k;
    check(acc::softmax_xent(xs, layers_[L - 1].out.data(), y_.data(), layers_[L - 1].dout.data(), &xr),
          "softmax_xent");
    for (uint32_t i = L; i-- > 0;) {
        const train_layer_t& l = net_->layers[i];
        Layer& Ly = layers_[i];
        const float* in = input_of(i);
        const float* mask = i > 0 && train_out_relu(net_, i - 1) ? in : nullptr;
        float* din = i > 0 ? layers_[i - 1].dout.data() : nullptr;
        if (prunes_layer(i)) {
            acc::sparse::GradientPrunerConfig pc;
            pc.prune_rate = static_cast<double>(train_prune_rate(&p_));
            pc.lanes = 16;  // AccelSparseConfig::prune_lanes' default
            pc.seed = train_prune_seed(p_.seed, global_step_, i);
            acc::sparse::GradientPruner pruner(pc);
            const auto st = pruner.prune(Ly.dout.data(), int64_t{B} * train_out_size(&l));
            grad_elements_ += static_cast<uint64_t>(st.elements);
            grad_zeros_after_ += static_cast<uint64_t>(st.zeros_after);
        }
        if (recorder_ && l.kind == TRAIN_FC) recorder_->weight_grad_fc(i + 1, fc_shape(l, B), Ly.dout.data());
        if (recorder_ && l.kind == TRAIN_CONV) recorder_->weight_grad_conv(i + 1, conv_shape(l, B), Ly.dout.data());
        if (l.kind == TRAIN_FC) {
            check(acc::fc_weight_grad(fc_shape(l, B), Ly.dout.data(), in, Ly.dw.data(), Ly.db.data()),
                  "fc_weight_grad");
            if (din) check(acc::fc_input_grad(fc_shape(l, B), Ly.dout.data(), bwd_weights(i), mask, din), "fc_input_grad");
        } else if (l.kind == TRAIN_CONV) {
            check(acc::conv2d_weight_grad(conv_shape(l, B), Ly.dout.data(), in, Ly.dw.data(), Ly.db.data()),
                  "conv2d_weight_grad");
            if (din)
                check(acc::conv2d_input_grad(conv_shape(l, B), Ly.dout.data(), bwd_weights(i), mask, din),
                      "conv2d_input_grad");
        } else if (din) {
            check(acc::maxpool2d_backward(pool_shape(l, B), in, Ly.dout.data(), din, mask != nullptr),
                  "maxpool2d_backward");
        }
    }
    for (uint32_t i = 0; i < L; ++i) {
        const train_layer_t& l = net_->layers[i];
        if (!train_has_weights(&l)) continue;
        Layer& Ly = layers_[i];
        acc::SgdShape ws, bs;
        ws.count = train_weight_count(&l), bs.count = l.k;
        check(acc::sgd_update(ws, Ly.w.data(), Ly.dw.data(), lr_, p_.weight_decay), "sgd_update");
        check(acc::sgd_update(bs, Ly.b.data(), Ly.db.data(), lr_, 0.0f), "sgd_update");
    }
    if ((p_.mode & TRAIN_MODE_PROCRUSTES) && global_step_ >= variant_.dense_steps) dropback();
    if (p_.mode & TRAIN_MODE_NM)
        for (uint32_t i = 0; i < L; ++i)
            if (train_has_weights(&net_->layers[i])) nm_pregen(i);
    if (recorder_) recorder_->set_step(capture::kNoStep);
    ++global_step_;
    decay_ *= TRAIN_DECAY_FACTOR;
    return {xr.loss, xr.correct};
}

EvalResult RefTrainer::evaluate() {
    const uint32_t L = net_->layer_count, in_size = train_in_size(&net_->layers[0]);
    EvalResult e;
    e.count = data_.test_count();
    float loss_sum = 0.0f;
    for (uint32_t first = 0; first < e.count; first += TRAIN_EVAL_BATCH) {
        const uint32_t n = e.count - first < TRAIN_EVAL_BATCH ? e.count - first : TRAIN_EVAL_BATCH;
        forward(n, &data_.test_x[size_t{first} * in_size]);
        acc::XentResult xr;
        acc::SoftmaxXentShape xs;
        xs.batch = n, xs.classes = net_->layers[L - 1].k;
        check(acc::softmax_xent(xs, layers_[L - 1].out.data(), &data_.test_y[first], layers_[L - 1].dout.data(),
                                &xr),
              "softmax_xent");
        e.correct += xr.correct;
        loss_sum += xr.loss * static_cast<float>(n);
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
            std::fprintf(out, " layer %u %u/%u (%.1f%%)", i + 1, layers_[i].tracked, train_weight_count(&l),
                         100.0 * layers_[i].tracked / train_weight_count(&l));
        }
        std::fprintf(out, "\n");
        if (snapshot_step_ && global_step_ > snapshot_step_) {
            std::fprintf(out, "reftrain: tracked now and already at step %u:", snapshot_step_);
            for (uint32_t i = 0; i < net_->layer_count; ++i)
                if (train_has_weights(&net_->layers[i]))
                    std::fprintf(out, " layer %u %u/%u (%.0f%%)", i + 1, tracked_since_snapshot(i), layers_[i].tracked,
                                 layers_[i].tracked ? 100.0 * tracked_since_snapshot(i) / layers_[i].tracked : 0.0);
            const uint32_t after = global_step_ - snapshot_step_ - 1;
            std::fprintf(out, "; %" PRIu64 " weights entered the set after it (%.0f per step)\n", entered_,
                         after ? static_cast<double>(entered_) / after : 0.0);
        }
    }
    return ev;
}

}  // namespace stvp::reftrain
