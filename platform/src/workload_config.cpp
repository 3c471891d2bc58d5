#include "workload_config.h"

#include <cmath>
#include <sstream>

namespace stvp {

using workload::Key;
using workload::Type;

WorkloadConfig::WorkloadConfig() : values(STVP_WORKLOAD_KEYS) {
    for (const Key& k : workload::keys) {
        Value& v = values[k.index];
        switch (k.type) {
        case Type::NAME: v.name = workload::choices_of(k).at(static_cast<size_t>(k.def)); break;
        case Type::U32: v.integer = static_cast<uint32_t>(k.def); break;
        case Type::PCT: v.number = k.def / 100.0; break;
        case Type::F32: v.number = k.def; break;
        }
    }
}

namespace {

// A fraction in whole percent lo..hi ("" if fine).
ConfigSchema::Check<double> whole_percent(double lo, double hi) {
    return [=](const double& v) -> std::string {
        const double pct = v * 100.0;
        std::ostringstream o;
        o << "must be a fraction between " << lo / 100.0 << " and " << hi / 100.0 << " in steps of 0.01";
        if (!(pct >= lo - 1e-9 && pct <= hi + 1e-9) || std::fabs(pct - std::round(pct)) > 1e-9) return o.str();
        return "";
    };
}

}  // namespace

void bind_workload_config(ConfigSchema& s, WorkloadConfig& c) {
    for (const Key& k : workload::keys) {
        WorkloadConfig::Value& v = c.values[k.index];
        switch (k.type) {
        case Type::NAME: {
            std::vector<std::string> names;
            for (const std::string& n : workload::choices_of(k))
                if (!n.empty()) names.push_back(n);
            s.bind_enum(k.key, &v.name, names, k.doc);
            break;
        }
        case Type::U32:
            s.bind(k.key, &v.integer, k.doc,
                   check::range(static_cast<uint64_t>(k.lo), static_cast<uint64_t>(k.hi)));
            break;
        case Type::PCT: s.bind(k.key, &v.number, k.doc, whole_percent(k.lo, k.hi)); break;
        case Type::F32: s.bind(k.key, &v.number, k.doc, check::range_real(k.lo, k.hi)); break;
        }
    }
}

void validate_workload_config(const WorkloadConfig& c, const std::string& origin) {
    const uint32_t n = c.values[STVP_WL_NM_N].integer, m = c.values[STVP_WL_NM_M].integer;
    if (n >= m)
        throw ConfigError({origin}, "'workload.nm.n' (" + std::to_string(n) + ") must be less than 'workload.nm.m' (" +
                                        std::to_string(m) + ")");
}

workload::Registers workload_registers(const WorkloadConfig& c) {
    workload::Registers r{};
    for (const Key& k : workload::keys) {
        const WorkloadConfig::Value& v = c.values[k.index];
        switch (k.type) {
        case Type::NAME: {
            const std::vector<std::string> names = workload::choices_of(k);
            for (size_t i = 0; i < names.size(); ++i)
                if (names[i] == v.name) r[k.index] = static_cast<uint32_t>(i);
            break;
        }
        case Type::U32: r[k.index] = v.integer; break;
        case Type::PCT: r[k.index] = workload::register_value(k, v.number * 100.0); break;
        case Type::F32: r[k.index] = workload::register_value(k, v.number); break;
        }
    }
    return r;
}

}  // namespace stvp
