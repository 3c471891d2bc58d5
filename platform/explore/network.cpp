#include "network.h"

#include <fstream>

#include <yaml-cpp/yaml.h>

namespace stvp::explore {

const char* to_string(LayerType t) {
    switch (t) {
        case LayerType::Conv: return "conv";
        case LayerType::Fc: return "fc";
        case LayerType::Pool: return "pool";
    }
    return "?";
}

uint32_t Layer::out_h() const {
    if (type == LayerType::Fc) return 1;
    return (in_h + 2 * pad - kernel) / stride + 1;
}
uint32_t Layer::out_w() const {
    if (type == LayerType::Fc) return 1;
    return (in_w + 2 * pad - kernel) / stride + 1;
}
uint64_t Layer::weights() const {
    switch (type) {
        case LayerType::Fc: return uint64_t{in_c} * out_c;
        case LayerType::Conv: return uint64_t{depthwise ? 1u : in_c} * out_c * kernel * kernel;
        case LayerType::Pool: return 0;
    }
    return 0;
}

uint64_t Network::weights() const {
    uint64_t w = 0;
    for (const Layer& l : layers) w += l.weights();
    return w;
}
uint32_t Network::classes() const { return layers.empty() ? 0 : layers.back().out_c; }

namespace {

// Bounds every extent so that a batch of up to 4096 keeps the core's tensors in range.
constexpr uint32_t kMaxExtent = 1u << 16;

struct Reader {
    const YAML::Node& n;
    std::string where;  // "<origin>: layers[i] (name)"

    [[noreturn]] void fail(const std::string& key, const std::string& why) const {
        throw ExploreError(where + "." + key + ": " + why);
    }
    uint32_t u32(const std::string& key, bool required, uint32_t def, uint32_t lo) const {
        const YAML::Node v = n[key];
        if (!v) {
            if (required) fail(key, "missing");
            return def;
        }
        int64_t x;
        try {
            x = v.as<int64_t>();
        } catch (const YAML::Exception&) {
            fail(key, "must be an integer");
        }
        if (x < lo || x > kMaxExtent) fail(key, std::to_string(x) + " out of range [" + std::to_string(lo) + ", " +
                                                    std::to_string(kMaxExtent) + "]");
        return uint32_t(x);
    }
    bool boolean(const std::string& key, bool def) const {
        const YAML::Node v = n[key];
        if (!v) return def;
        try {
            return v.as<bool>();
        } catch (const YAML::Exception&) {
            fail(key, "must be true or false");
        }
    }
    void shape3(Layer& l) const {
        const YAML::Node v = n["in"];
        if (!v) fail("in", "missing");
        if (!v.IsSequence() || v.size() != 3) fail("in", "must be [channels, height, width]");
        uint32_t x[3];
        for (int i = 0; i < 3; ++i) {
            int64_t e = 0;
            try {
                e = v[i].as<int64_t>();
            } catch (const YAML::Exception&) {
                fail("in", "must be [channels, height, width] of integers");
            }
            if (e < 1 || e > kMaxExtent) fail("in", "extent " + std::to_string(e) + " out of range");
            x[i] = uint32_t(e);
        }
        l.in_c = x[0], l.in_h = x[1], l.in_w = x[2];
    }
};

}  // namespace

std::string scalar_text(const YAML::Node& n, const std::string& where) {
    if (!n.IsScalar()) throw ExploreError(where + ": must be a scalar");
    return n.as<std::string>();
}

Network parse_network(const YAML::Node& root, const std::string& origin) {
    Network net;
    net.origin = origin;
    if (!root.IsMap()) throw ExploreError(origin + ": not a YAML map with name and layers");
    for (const auto& kv : root) {
        const std::string k = scalar_text(kv.first, origin + ": a key");
        if (k != "name" && k != "input" && k != "layers") throw ExploreError(origin + ": " + k + ": unknown key");
    }
    if (!root["name"]) throw ExploreError(origin + ": name: missing");
    net.name = scalar_text(root["name"], origin + ": name");
    const YAML::Node layers = root["layers"];
    if (!layers || !layers.IsSequence() || layers.size() == 0)
        throw ExploreError(origin + ": layers: missing or not a non-empty list");
    for (size_t i = 0; i < layers.size(); ++i) {
        const YAML::Node n = layers[i];
        std::string where = origin + ": layers[" + std::to_string(i) + "]";
        if (!n.IsMap()) throw ExploreError(where + ": not a map");
        Layer l;
        l.name = n["name"] ? scalar_text(n["name"], where + ".name") : "layer" + std::to_string(i);
        where += " (" + l.name + ")";
        Reader r{n, where};
        const std::string type = n["type"] ? scalar_text(n["type"], where + ".type") : "";
        static const char* const common[] = {"name", "type", "in"};
        const std::vector<std::string> allowed =
            type == "conv" ? std::vector<std::string>{"out", "kernel", "stride", "pad", "relu", "depthwise"}
            : type == "fc" ? std::vector<std::string>{"out", "relu"}
                           : std::vector<std::string>{"kernel", "stride", "kind"};
        if (type == "conv") {
            l.type = LayerType::Conv;
            r.shape3(l);
            l.out_c = r.u32("out", true, 0, 1);
            l.kernel = r.u32("kernel", true, 0, 1);
            l.stride = r.u32("stride", false, 1, 1);
            l.pad = r.u32("pad", false, 0, 0);
            l.relu = r.boolean("relu", true);
            l.depthwise = r.boolean("depthwise", false);
            if (l.depthwise && l.out_c != l.in_c)
                r.fail("out", std::to_string(l.out_c) + " must equal the input channels " + std::to_string(l.in_c) +
                                  " for a depthwise conv");
            if (l.pad >= l.kernel) r.fail("pad", std::to_string(l.pad) + " must be smaller than the kernel");
            if (int64_t{l.in_h} + 2 * l.pad < l.kernel || int64_t{l.in_w} + 2 * l.pad < l.kernel)
                r.fail("kernel", std::to_string(l.kernel) + " larger than the padded input");
        } else if (type == "fc") {
            l.type = LayerType::Fc;
            l.in_c = r.u32("in", true, 0, 1);
            l.out_c = r.u32("out", true, 0, 1);
            l.relu = r.boolean("relu", true);
        } else if (type == "pool") {
            l.type = LayerType::Pool;
            r.shape3(l);
            l.out_c = l.in_c;
            l.kernel = r.u32("kernel", true, 0, 1);
            l.stride = r.u32("stride", false, l.kernel, 1);
            const std::string kind = n["kind"] ? scalar_text(n["kind"], where + ".kind") : "max";
            if (kind != "max" && kind != "avg") r.fail("kind", "'" + kind + "' is not max or avg");
            l.avg = kind == "avg";
            if (l.in_h < l.kernel || l.in_w < l.kernel) r.fail("kernel", std::to_string(l.kernel) + " larger than the input");
        } else {
            r.fail("type", type.empty() ? "missing" : "'" + type + "' is not conv, fc or pool");
        }
        for (const auto& kv : n) {
            const std::string k = scalar_text(kv.first, where + ": a key");
            bool ok = false;
            for (const char* c : common) ok |= k == c;
            for (const std::string& a : allowed) ok |= k == a;
            if (!ok) r.fail(k, "unknown key for a " + type + " layer");
        }
        net.layers.push_back(l);
    }
    return net;
}

Network load_network(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw ExploreError(path + ": cannot open network file");
    YAML::Node root;
    try {
        root = YAML::Load(f);
    } catch (const YAML::ParserException& e) {
        throw ExploreError(path + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
    }
    return parse_network(root, path);
}

}  // namespace stvp::explore
