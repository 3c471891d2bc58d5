#include "train_chain_ops.h"

#include "simctrl/workload.h"
#include "train_chain.h"

namespace stvp::explore {

bool as_train_net(const Network& net, uint32_t batch, train_net_t* out, std::string* why) {
    auto no = [&](const std::string& reason) {
        *why = reason;
        return false;
    };
    if (net.layers.empty() || net.layers.size() > TRAIN_MAX_LAYERS)
        return no(std::to_string(net.layers.size()) + " layers (the train table holds 1 to " +
                  std::to_string(TRAIN_MAX_LAYERS) + ")");
    if (batch == 0 || batch > TRAIN_MAX_BATCH)
        return no("batch " + std::to_string(batch) + " (train.elf runs 1 to " + std::to_string(TRAIN_MAX_BATCH) + ")");
    if (net.layers.back().type != LayerType::Fc) return no("the last layer is not fc");
    *out = train_net_t{};
    out->name = "explore";
    out->layer_count = uint32_t(net.layers.size());
    const Layer& first = net.layers.front();
    uint32_t c = first.in_c, h = first.in_h, w = first.in_w;  // the previous layer's output
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        train_layer_t& t = out->layers[i];
        if (l.depthwise) return no(l.name + " is depthwise");
        if (l.avg) return no(l.name + " is average pooling");
        if (l.type == LayerType::Fc) {
            if (l.in_c != c * h * w) return no(l.name + " does not read the previous layer's output");
            t = train_layer_t{TRAIN_FC, l.in_c, 1, 1, l.out_c, 1, 1, 1, 0, l.relu ? 1u : 0u};
        } else {
            if (l.in_c != c || l.in_h != h || l.in_w != w) return no(l.name + " does not read the previous layer's output");
            if (l.type == LayerType::Conv)
                t = train_layer_t{TRAIN_CONV, l.in_c, l.in_h, l.in_w, l.out_c, l.kernel, l.kernel, l.stride, l.pad,
                                  l.relu ? 1u : 0u};
            else
                t = train_layer_t{TRAIN_POOL, l.in_c, l.in_h, l.in_w, l.in_c, l.kernel, l.kernel, l.stride, 0, 0};
        }
        c = train_out_c(&t), h = train_out_h(&t), w = train_out_w(&t);
    }
    return true;
}

std::vector<stvp_accel_desc> train_step_chain(const train_net_t& tn, uint32_t mode, uint32_t batch) {
    // The workload's defaults (workload.def) with the network's mode and batch.
    workload::Registers wl = workload::default_registers();
    wl[STVP_WL_MODE] = mode;
    wl[STVP_WL_BATCH] = batch;
    train_params_t p;
    train_params_from_workload(&p, wl.data());
    // Placeholder addresses: distinct, non-zero, never dereferenced.
    train_chain_bufs_t bufs{};
    uint32_t next = 0x1000;
    for (uint32_t* a : {&bufs.x_batch, &bufs.y_batch, &bufs.xent, &bufs.images}) *a = next += 0x1000;
    for (train_chain_layer_bufs_t& l : bufs.layer)
        for (uint32_t* a : {&l.w, &l.b, &l.dw, &l.db, &l.out, &l.dout, &l.blocks, &l.dropback_result, &l.nm_fwd,
                            &l.nm_bwd, &l.prune_result})
            *a = next += 0x1000;
    std::vector<stvp_accel_desc> d(TRAIN_CHAIN_STEP_MAX);
    train_chain_t c;
    d.resize(train_chain_step(&c, d.data(), uint32_t(d.size()), &tn, &p, &bufs, 0));
    return d;
}

}  // namespace stvp::explore
