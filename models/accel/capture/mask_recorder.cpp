#include "accel/capture/mask_recorder.h"

#include <algorithm>
#include <tuple>

namespace stvp::capture {

namespace {

LayerShape fc_layer(uint32_t id, const accel::FcShape& s) {
    LayerShape l;
    l.id = id, l.kind = LayerKind::Fc, l.c = s.in_features, l.k = s.out_features;
    return l;
}

LayerShape conv_layer(uint32_t id, const accel::Conv2dShape& s) {
    LayerShape l;
    l.id = id, l.kind = LayerKind::Conv, l.c = s.in_channels, l.h = s.in_h, l.w = s.in_w, l.k = s.out_channels;
    l.r = s.kernel_h, l.s = s.kernel_w, l.stride = s.stride_h, l.pad = s.pad_h;
    return l;
}

}  // namespace

MaskRecorder::MaskRecorder(const std::vector<uint32_t>& steps) : steps_(steps.begin(), steps.end()) {}

void MaskRecorder::layer_seen(const LayerShape& l, uint32_t batch) {
    if (batch_ == 0) batch_ = batch;
    if (batch != batch_ && error_.empty())
        error_ = "layer " + std::to_string(l.id) + " ran at batch " + std::to_string(batch) + " in a captured step, " +
                 "other layers at " + std::to_string(batch_);
    for (const LayerShape& k : layers_)
        if (k.id == l.id) {
            if (k != l && error_.empty())
                error_ = "layer tag " + std::to_string(l.id) + " names two shapes (" + k.describe() + " and " +
                         l.describe() + ")";
            return;
        }
    layers_.push_back(l);
}

void MaskRecorder::add(uint32_t layer, MapKind kind, BitMap map) {
    for (const MaskRecord& r : records_)
        if (r.step == step_ && r.layer == layer && r.kind == kind) return;  // the first op of the step wins
    records_.push_back(MaskRecord{step_, layer, kind, std::move(map)});
}

void MaskRecorder::forward_fc(uint32_t layer, const accel::FcShape& s, const float* x, const float* w) {
    if (!active()) return;
    layer_seen(fc_layer(layer, s), s.batch);
    add(layer, MapKind::Weights, BitMap::from_floats({s.out_features, s.in_features, 1, 1}, w));
    add(layer, MapKind::Inputs, BitMap::from_floats({s.batch, s.in_features, 1, 1}, x));
}

void MaskRecorder::forward_conv(uint32_t layer, const accel::Conv2dShape& s, const float* x, const float* w) {
    if (!active()) return;
    layer_seen(conv_layer(layer, s), s.batch);
    add(layer, MapKind::Weights, BitMap::from_floats({s.out_channels, s.in_channels, s.kernel_h, s.kernel_w}, w));
    add(layer, MapKind::Inputs, BitMap::from_floats({s.batch, s.in_channels, s.in_h, s.in_w}, x));
}

void MaskRecorder::weight_grad_fc(uint32_t layer, const accel::FcShape& s, const float* dy) {
    if (!active()) return;
    layer_seen(fc_layer(layer, s), s.batch);
    add(layer, MapKind::OutputGrads, BitMap::from_floats({s.batch, s.out_features, 1, 1}, dy));
}

void MaskRecorder::weight_grad_conv(uint32_t layer, const accel::Conv2dShape& s, const float* dy) {
    if (!active()) return;
    layer_seen(conv_layer(layer, s), s.batch);
    add(layer, MapKind::OutputGrads, BitMap::from_floats({s.batch, s.out_channels, s.out_h(), s.out_w()}, dy));
}

void MaskRecorder::record(const accel::Command& cmd, const float* w) {
    if (!active()) return;
    const accel::Operand* src0 = cmd.operand(STVP_ACCEL_FIELD_SRC0);
    const float* in = src0 ? reinterpret_cast<const float*>(src0->host) : nullptr;
    const uint32_t layer = cmd.desc.layer;
    switch (cmd.desc.opcode) {
        case STVP_ACCEL_OP_FC_FWD: forward_fc(layer, cmd.fc, in, w); break;
        case STVP_ACCEL_OP_CONV_FWD: forward_conv(layer, cmd.conv, in, w); break;
        case STVP_ACCEL_OP_FC_BWD_WEIGHT: weight_grad_fc(layer, cmd.fc, in); break;
        case STVP_ACCEL_OP_CONV_BWD_WEIGHT: weight_grad_conv(layer, cmd.conv, in); break;
        default: break;
    }
}

std::vector<uint32_t> MaskRecorder::missing_steps() const {
    std::vector<uint32_t> m;
    for (uint32_t s : steps_)
        if (std::none_of(records_.begin(), records_.end(), [s](const MaskRecord& r) { return r.step == s; }))
            m.push_back(s);
    return m;
}

MaskFile MaskRecorder::file() const {
    MaskFile f;
    f.batch = batch_ ? batch_ : 1;
    f.layers = layers_;
    std::sort(f.layers.begin(), f.layers.end(), [](const LayerShape& a, const LayerShape& b) { return a.id < b.id; });
    f.records = records_;
    std::sort(f.records.begin(), f.records.end(), [](const MaskRecord& a, const MaskRecord& b) {
        return std::make_tuple(a.step, a.layer, int(a.kind)) < std::make_tuple(b.step, b.layer, int(b.kind));
    });
    return f;
}

}  // namespace stvp::capture
