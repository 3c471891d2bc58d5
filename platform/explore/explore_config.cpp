#include "explore_config.h"

#include <fstream>

#include <yaml-cpp/yaml.h>

#include "platform_config.h"

namespace stvp::explore {

ExploreSetup load_setup(const std::string& preset, const std::vector<std::string>& overrides) {
    ExploreSetup s;
    std::vector<std::string> platform;
    std::vector<std::pair<std::string, std::string>> workload;
    for (const std::string& o : overrides) {
        const size_t eq = o.find('=');
        if (eq == std::string::npos || eq == 0) throw ExploreError("--set '" + o + "': expected key=value");
        const std::string key = o.substr(0, eq), value = o.substr(eq + 1);
        Workload probe;
        if (probe.set(key, value)) workload.emplace_back(key, value);
        else platform.push_back(o);
    }
    // The workload document (second YAML document of the preset).
    if (!preset.empty()) {
        std::ifstream f(preset);
        if (!f) throw ExploreError(preset + ": cannot open preset");
        std::vector<YAML::Node> docs;
        try {
            docs = YAML::LoadAll(f);
        } catch (const YAML::ParserException& e) {
            throw ExploreError(preset + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
        }
        if (docs.size() > 2) throw ExploreError(preset + ": more than two YAML documents");
        if (docs.size() == 2 && docs[1].IsMap())
            for (const auto& kv : docs[1]) {
                const std::string key = scalar_text(kv.first, preset + ": a workload key");
                if (!kv.second.IsScalar()) throw ExploreError(preset + ": workload key '" + key + "' must be a scalar");
                try {
                    if (!s.workload.set(key, kv.second.as<std::string>()))
                        throw ExploreError(preset + ": '" + key + "': not a workload key (scheme, batch, weight_density, "
                                                    "act_density, prune_rate, n, m, sample_batch, exact_macs, seed)");
                } catch (const ExploreError& e) {
                    throw ExploreError(preset + ": " + e.what());
                }
            }
    }
    for (const auto& kv : workload) s.workload.set(kv.first, kv.second);
    const std::string we = s.workload.validate();
    if (!we.empty()) throw ExploreError("workload: " + we);

    const PlatformConfig pc = load_platform_config(preset, platform);
    const AccelParams accel = accel_params(pc);  // as the SoC builds it
    s.array = accel.array;
    s.energy = accel.energy;
    s.sparse = accel.sparse;
    const std::string ae = s.array.validate();
    if (!ae.empty()) throw ExploreError("accel." + ae);
    return s;
}

}  // namespace stvp::explore
