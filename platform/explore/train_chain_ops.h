// The training step stvp_explore costs, from the chain builder train.elf runs (sw/lib/chain)
// when the network is one train.elf could train: a row of the train network table
// (sw/train/train_defs.h) — at most TRAIN_MAX_LAYERS conv / fc / max-pool layers in a line (each
// reads the previous one's output), square kernels, no depthwise or average pooling, an FC
// layer last, and a batch of at most TRAIN_MAX_BATCH. Other networks (residual or concatenated
// inputs, more layers, larger batches) keep the explorer's own per-layer op list.
#pragma once

#include <string>
#include <vector>

#include "network.h"
#include "stvp/hw/accel_desc.h"
#include "train_defs.h"

namespace stvp::explore {

// The network as a train table row; false (and why) if it is not one.
bool as_train_net(const Network& net, uint32_t batch, train_net_t* out, std::string* why);

// The step chain of `tn` for scheme mode bits `mode` (TRAIN_MODE_*, the scheme's default
// parameters) and `batch`, on placeholder addresses (the explorer reads shapes, opcodes and
// flags only). Empty if the builder refuses it.
std::vector<stvp_accel_desc> train_step_chain(const train_net_t& tn, uint32_t mode, uint32_t batch);

}  // namespace stvp::explore
