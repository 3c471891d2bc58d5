// Layer tables of the networks stvp_explore estimates (configs/networks/*.yaml).
//
// Every layer names its own input shape, so residual adds and concatenations need no graph
// (element-wise adds and batch norm are not charged: they are small next to the convolutions
// and the accelerator has no op for them). Layer kinds:
//   conv: in [C, H, W], out K, kernel (square), stride, pad, relu, depthwise (K == C, one filter
//         per channel: charged as C single-channel convolutions, the core has no grouped conv)
//   fc:   in C, out K, relu
//   pool: in [C, H, W], kernel, stride, kind max|avg (avg is charged as max: the same element
//         ops and traffic on the array; no padding, floor mode as the core's Pool2dShape)
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace stvp::explore {

// A network table that cannot be used: the message names file, key and reason.
class ExploreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class LayerType : uint8_t { Conv, Fc, Pool };
const char* to_string(LayerType t);

struct Layer {
    std::string name;
    LayerType type = LayerType::Conv;
    uint32_t in_c = 1, in_h = 1, in_w = 1;  // input shape (FC: in_c features)
    uint32_t out_c = 1;                     // output channels / features (pool: in_c)
    uint32_t kernel = 1, stride = 1, pad = 0;
    bool relu = false;       // the output passes a ReLU (fused into the op)
    bool depthwise = false;  // conv only
    bool avg = false;        // pool only: average pooling (charged as max)

    uint32_t out_h() const;
    uint32_t out_w() const;
    uint64_t weights() const;  // without bias
};

struct Network {
    std::string name;
    std::string origin;  // file it came from
    std::vector<Layer> layers;
    uint64_t weights() const;
    uint32_t classes() const;  // output features of the last layer
};

// The text of a scalar node (a key or a value); throws ExploreError "<where>: must be a scalar"
// for a list, a map or null, which yaml-cpp would refuse with an uncaught "bad conversion".
std::string scalar_text(const YAML::Node& n, const std::string& where);

// Throws ExploreError "<origin>: layers[i] (<name>).<key>: <reason>".
Network parse_network(const YAML::Node& root, const std::string& origin);
Network load_network(const std::string& path);

}  // namespace stvp::explore
