#include "accel/engine/handlers.h"

#include <cstring>

#include "accel/core/ops.h"
#include "accel/engine/load_store.h"
#include "accel/engine/sparse_engine.h"

namespace stvp::accel {

namespace {

float* fp(const Command& c, uint32_t field) {
    const Operand* o = c.operand(field);
    return o ? reinterpret_cast<float*>(o->host) : nullptr;
}
float* src0(const OpArgs& a) { return fp(a.cmd, STVP_ACCEL_FIELD_SRC0); }
float* src1(const OpArgs& a) { return fp(a.cmd, STVP_ACCEL_FIELD_SRC1); }
float* dst0(const OpArgs& a) { return fp(a.cmd, STVP_ACCEL_FIELD_DST0); }
bool flag(const OpArgs& a, uint32_t f) { return (a.cmd.desc.flags & f) != 0; }
// Optional operands: the bias (src2), the ReLU mask's X (src2), db (dst1).
float* bias(const OpArgs& a) { return flag(a, STVP_ACCEL_FLAG_BIAS) ? fp(a.cmd, STVP_ACCEL_FIELD_SRC2) : nullptr; }
float* relu_mask(const OpArgs& a) {
    return flag(a, STVP_ACCEL_FLAG_RELU_MASK) ? fp(a.cmd, STVP_ACCEL_FIELD_SRC2) : nullptr;
}
float* db(const OpArgs& a) { return flag(a, STVP_ACCEL_FLAG_BIAS) ? fp(a.cmd, STVP_ACCEL_FIELD_DST1) : nullptr; }

OpCharge charge(const OpCost& c) { return {c, {}}; }

// FC/CONV: the dense loop nest, or with a sparse copy or SKIP_ZEROS the sparse units' walk.
NestOptions nest_options(const stvp_accel_desc& d) {
    NestOptions opt;
    opt.bias = d.flags & STVP_ACCEL_FLAG_BIAS;
    opt.relu = d.flags & STVP_ACCEL_FLAG_RELU;
    opt.relu_mask = d.flags & STVP_ACCEL_FLAG_RELU_MASK;
    return opt;
}
OpCharge fc_cost(const OpArgs& a, Phase ph, TimingModel& tm) {
    if (is_sparse(a.cmd)) return a.sparse.layer_cost(a.cmd, a.weights, tm);
    return charge(tm.fc(a.cmd.fc, ph, nest_options(a.cmd.desc)));
}
OpCharge conv_cost(const OpArgs& a, Phase ph, TimingModel& tm) {
    if (is_sparse(a.cmd)) return a.sparse.layer_cost(a.cmd, a.weights, tm);
    return charge(tm.conv2d(a.cmd.conv, ph, nest_options(a.cmd.desc)));
}

// ---- one execute / cost pair per opcode (accel_ops.def), in opcode order ----

std::string execute_FC_FWD(const OpArgs& a, OpWork&) {
    return fc_forward(a.cmd.fc, src0(a), a.weights, bias(a), dst0(a), flag(a, STVP_ACCEL_FLAG_RELU));
}
OpCharge cost_FC_FWD(const OpArgs& a, const OpWork&, TimingModel& tm) { return fc_cost(a, Phase::Forward, tm); }

std::string execute_FC_BWD_DATA(const OpArgs& a, OpWork&) {
    return fc_input_grad(a.cmd.fc, src0(a), a.weights, relu_mask(a), dst0(a));
}
OpCharge cost_FC_BWD_DATA(const OpArgs& a, const OpWork&, TimingModel& tm) { return fc_cost(a, Phase::InputGrad, tm); }

std::string execute_FC_BWD_WEIGHT(const OpArgs& a, OpWork&) {
    return fc_weight_grad(a.cmd.fc, src0(a), src1(a), dst0(a), db(a));
}
OpCharge cost_FC_BWD_WEIGHT(const OpArgs& a, const OpWork&, TimingModel& tm) {
    return fc_cost(a, Phase::WeightGrad, tm);
}

std::string execute_CONV_FWD(const OpArgs& a, OpWork&) {
    return conv2d_forward(a.cmd.conv, src0(a), a.weights, bias(a), dst0(a), flag(a, STVP_ACCEL_FLAG_RELU));
}
OpCharge cost_CONV_FWD(const OpArgs& a, const OpWork&, TimingModel& tm) { return conv_cost(a, Phase::Forward, tm); }

std::string execute_CONV_BWD_DATA(const OpArgs& a, OpWork&) {
    return conv2d_input_grad(a.cmd.conv, src0(a), a.weights, relu_mask(a), dst0(a));
}
OpCharge cost_CONV_BWD_DATA(const OpArgs& a, const OpWork&, TimingModel& tm) {
    return conv_cost(a, Phase::InputGrad, tm);
}

std::string execute_CONV_BWD_WEIGHT(const OpArgs& a, OpWork&) {
    return conv2d_weight_grad(a.cmd.conv, src0(a), src1(a), dst0(a), db(a));
}
OpCharge cost_CONV_BWD_WEIGHT(const OpArgs& a, const OpWork&, TimingModel& tm) {
    return conv_cost(a, Phase::WeightGrad, tm);
}

std::string execute_MAXPOOL_FWD(const OpArgs& a, OpWork&) { return maxpool2d_forward(a.cmd.pool, src0(a), dst0(a)); }
OpCharge cost_MAXPOOL_FWD(const OpArgs& a, const OpWork&, TimingModel& tm) {
    return charge(tm.maxpool2d_forward(a.cmd.pool));
}

std::string execute_MAXPOOL_BWD(const OpArgs& a, OpWork&) {
    return maxpool2d_backward(a.cmd.pool, src0(a), src1(a), dst0(a), flag(a, STVP_ACCEL_FLAG_RELU_MASK));
}
OpCharge cost_MAXPOOL_BWD(const OpArgs& a, const OpWork&, TimingModel& tm) {
    return charge(tm.maxpool2d_backward(a.cmd.pool));
}

std::string execute_SOFTMAX_XENT(const OpArgs& a, OpWork&) {
    XentResult r;
    std::string e = softmax_xent(a.cmd.xent, src0(a), reinterpret_cast<const int32_t*>(src1(a)), dst0(a), &r);
    if (!e.empty()) return e;
    const stvp_accel_xent_result out{r.loss, r.correct};
    std::memcpy(fp(a.cmd, STVP_ACCEL_FIELD_DST1), &out, sizeof out);
    return {};
}
OpCharge cost_SOFTMAX_XENT(const OpArgs& a, const OpWork&, TimingModel& tm) {
    return charge(tm.softmax_xent(a.cmd.xent));
}

std::string execute_SGD(const OpArgs& a, OpWork&) {
    return sgd_update(a.cmd.sgd, dst0(a), src0(a), a.cmd.desc.alpha, a.cmd.desc.beta);
}
OpCharge cost_SGD(const OpArgs& a, const OpWork&, TimingModel& tm) { return charge(tm.sgd(a.cmd.sgd)); }

std::string execute_COPY(const OpArgs& a, OpWork&) {
    const stvp_accel_desc& d = a.cmd.desc;
    copy_data(reinterpret_cast<uint8_t*>(dst0(a)), reinterpret_cast<const uint8_t*>(src0(a)), d.n,
              d.flags & STVP_ACCEL_FLAG_MIRROR ? d.w : 0);
    return {};
}
// MIRROR moves the same bytes as a plain COPY (copy_cost, load_store.h).
OpCharge cost_COPY(const OpArgs& a, const OpWork&, TimingModel& tm) {
    const Operand* s = a.cmd.operand(STVP_ACCEL_FIELD_SRC0);
    const Operand* o = a.cmd.operand(STVP_ACCEL_FIELD_DST0);
    return charge(copy_cost(tm.config(), a.cmd.desc.n, s && s->in_scratchpad, o && o->in_scratchpad));
}

// The sparse opcodes run on the sparse units (sparse_engine.h), which keep their state.
std::string execute_INIT_WEIGHTS(const OpArgs& a, OpWork& w) { return a.sparse.init_weights(a.cmd, w); }
OpCharge cost_INIT_WEIGHTS(const OpArgs& a, const OpWork& w, TimingModel& tm) {
    return a.sparse.init_weights_cost(a.cmd, w, tm);
}

std::string execute_DROPBACK(const OpArgs& a, OpWork& w) { return a.sparse.dropback(a.cmd, w); }
OpCharge cost_DROPBACK(const OpArgs& a, const OpWork& w, TimingModel& tm) { return a.sparse.dropback_cost(a.cmd, w, tm); }

std::string execute_NM_PREGEN(const OpArgs& a, OpWork& w) { return a.sparse.nm_pregen(a.cmd, w); }
OpCharge cost_NM_PREGEN(const OpArgs& a, const OpWork& w, TimingModel& tm) {
    return a.sparse.nm_pregen_cost(a.cmd, w, tm);
}

std::string execute_GRAD_PRUNE(const OpArgs& a, OpWork& w) { return a.sparse.grad_prune(a.cmd, w); }
OpCharge cost_GRAD_PRUNE(const OpArgs& a, const OpWork& w, TimingModel& tm) {
    return a.sparse.grad_prune_cost(a.cmd, w, tm);
}

// The table: one row per opcode of accel_ops.def (a row without its pair above fails to compile).
constexpr OpHandler kHandlers[] = {
#define STVP_ACCEL_OP(name, value, phase, kind, flags, formats, uses) \
    {STVP_ACCEL_OP_##name, execute_##name, cost_##name},
#include "stvp/hw/accel_ops.def"
};

// Indexed by opcode; opcodes are small (the OPS register's bitmap has 32 bits).
struct HandlerIndex {
    const OpHandler* by_opcode[32] = {};
    constexpr HandlerIndex() {
        for (const OpHandler& h : kHandlers) by_opcode[h.opcode] = &h;
    }
};
constexpr HandlerIndex kIndex{};

}  // namespace

const OpHandler* op_handler(uint32_t opcode) { return opcode < 32 ? kIndex.by_opcode[opcode] : nullptr; }

}  // namespace stvp::accel
