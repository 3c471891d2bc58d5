// Training results the firmware reports through SIMCTRL RESULT_LO/HI/PUT, keyed by the table
// firmware/include/stvp/hw/simctrl_results.def (shared with the firmware). The platform writes
// them into the stats file's "training" block.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stvp {

struct ResultInfo {
    enum class Scope { EPOCH, RUN };  // spelled as in the .def
    enum class Type { F32, U32, U64 };
    uint32_t key;
    Scope scope;
    Type type;
    const char* json;  // field name in the stats' "training" object
    const char* doc;
};

// The keys as constants (result_key::EPOCH, ...).
namespace result_key {
enum : uint32_t {
#define STVP_RESULT(name, key, scope, type, json, doc) name = key,
#include "stvp/hw/simctrl_results.def"
#undef STVP_RESULT
};
}  // namespace result_key

// The key's description, or nullptr for an unknown key.
const ResultInfo* find_result(uint32_t key);
const std::vector<ResultInfo>& result_table();

class TrainingResults {
public:
    struct Field {
        const ResultInfo* info;
        uint64_t bits;  // F32: the float's bits; U32/U64: the value
        double as_double() const;
    };
    using Record = std::vector<Field>;  // in the order first written

    // Records value under key. Empty if accepted, else why not (unknown key, per-epoch key
    // before an EPOCH key, a non-finite float).
    std::string put(uint32_t key, uint64_t value);

    bool empty() const { return epochs_.empty() && run_.empty(); }
    const std::vector<Record>& epochs() const { return epochs_; }
    const Record& run() const { return run_; }

private:
    static void set(Record& r, const ResultInfo* info, uint64_t bits);
    std::vector<Record> epochs_;
    Record run_;
};

}  // namespace stvp
