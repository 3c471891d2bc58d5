#include "training_results.h"

#include <cmath>
#include <cstring>

namespace stvp {

const std::vector<ResultInfo>& result_table() {
    static const std::vector<ResultInfo> table = {
#define STVP_RESULT(name, key, scope, type, json, doc) \
    {key, ResultInfo::Scope::scope, ResultInfo::Type::type, json, doc},
#include "stvp/hw/simctrl_results.def"
#undef STVP_RESULT
    };
    return table;
}

const ResultInfo* find_result(uint32_t key) {
    for (const ResultInfo& r : result_table())
        if (r.key == key) return &r;
    return nullptr;
}

namespace {
float f32(uint64_t bits) {
    uint32_t u = uint32_t(bits);
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
}  // namespace

double TrainingResults::Field::as_double() const {
    return info->type == ResultInfo::Type::F32 ? double(f32(bits)) : double(bits);
}

void TrainingResults::set(Record& r, const ResultInfo* info, uint64_t bits) {
    for (Field& f : r)
        if (f.info == info) {
            f.bits = bits;
            return;
        }
    r.push_back(Field{info, bits});
}

std::string TrainingResults::put(uint32_t key, uint64_t value) {
    const ResultInfo* info = find_result(key);
    if (!info) return "unknown result key " + std::to_string(key);
    uint64_t bits = value;
    if (info->type != ResultInfo::Type::U64) bits &= 0xFFFFFFFFu;
    if (info->type == ResultInfo::Type::F32 && !std::isfinite(f32(bits)))
        return std::string("result '") + info->json + "' is not a finite number";
    if (info->scope == ResultInfo::Scope::RUN) {
        set(run_, info, bits);
        return "";
    }
    if (key == result_key::EPOCH) {
        epochs_.push_back(Record{});
    } else if (epochs_.empty()) {
        return std::string("result '") + info->json + "' before any epoch was started (key EPOCH)";
    }
    set(epochs_.back(), info, bits);
    return "";
}

}  // namespace stvp
