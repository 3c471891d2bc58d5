#include "stats.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "simctrl/training_results.h"

namespace stvp {

namespace {

Json scalar_json(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    if (n.Tag() != "?") return s;  // quoted: a string whatever it looks like
    if (s.empty() || s == "~" || s == "null") return nullptr;
    if (s == "true") return true;
    if (s == "false") return false;
    const char* b = s.c_str();
    char* end = nullptr;
    const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    long long i = std::strtoll(b, &end, hex ? 16 : 10);
    if (*end == '\0') return int64_t(i);
    double d = std::strtod(b, &end);
    if (*end == '\0' && !hex) return d;
    return s;
}

Json node_json(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: {
        Json o = Json::object();
        for (const auto& kv : n) o[kv.first.Scalar()] = node_json(kv.second);
        return o;
    }
    case YAML::NodeType::Sequence: {
        Json a = Json::array();
        for (const auto& e : n) a.push_back(node_json(e));
        return a;
    }
    case YAML::NodeType::Scalar: return scalar_json(n);
    default: return nullptr;
    }
}

Json field_json(const TrainingResults::Field& f) {
    if (f.info->type != ResultInfo::Type::F32) return f.bits;
    char buf[32];  // float32 carries about 7 significant digits; more would be noise
    std::snprintf(buf, sizeof buf, "%.7g", f.as_double());
    return std::strtod(buf, nullptr);
}

}  // namespace

Json config_json(const std::string& yaml) {
    try {
        return node_json(YAML::Load(yaml));
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(std::string("effective configuration is not YAML: ") + e.what());
    }
}

Json training_json(const TrainingResults& results) {
    Json t = Json::object();
    Json epochs = Json::array();
    for (const auto& rec : results.epochs()) {
        Json e = Json::object();
        for (const auto& f : rec) e[f.info->json] = field_json(f);
        epochs.push_back(std::move(e));
    }
    t["epochs"] = std::move(epochs);
    for (const auto& f : results.run()) t[f.info->json] = field_json(f);
    return t;
}

}  // namespace stvp
