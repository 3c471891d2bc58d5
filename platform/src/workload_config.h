// The workload.* configuration keys: the training workload the firmware (sw/train) and the
// host reference trainer read, declared once in firmware/include/stvp/hw/workload.def
// (models/simctrl/workload.h) and bound here into the platform's schema with their
// documentation, defaults and checks; passed to the firmware in SIMCTRL WORKLOAD[i].
#pragma once

#include <string>
#include <vector>

#include "config_schema.h"
#include "simctrl/workload.h"

namespace stvp {

struct WorkloadConfig {
    // One value per workload.def row (by its index): NAME keys hold `name`, U32 keys
    // `integer`, PCT and F32 keys `number` (PCT as the fraction the YAML gives).
    struct Value {
        std::string name;
        uint32_t integer = 0;
        double number = 0;
    };
    std::vector<Value> values;

    WorkloadConfig();  // every key at its default
};

void bind_workload_config(ConfigSchema& schema, WorkloadConfig& cfg);

// Checks across keys (N < M). Throws ConfigError naming `origin` and the keys.
void validate_workload_config(const WorkloadConfig& cfg, const std::string& origin);

// The SIMCTRL WORKLOAD[i] registers' contents.
workload::Registers workload_registers(const WorkloadConfig& cfg);

}  // namespace stvp
