#include "accel_config.h"

namespace stvp {

void validate_accel_config(const AccelParams& c, uint64_t spad_region_size, const std::string& origin) {
    // The model's problem names its key below accel.*; the reason keeps the model's wording
    // ("rf_bytes 16 must be ...").
    if (const config::Problem p = c.problem(); !p.ok())
        throw ConfigError({origin, 0, "accel." + p.key}, p.key.substr(p.key.rfind('.') + 1) + " " + p.reason);
    if (c.spad_bytes > spad_region_size)
        throw ConfigError({origin, 0, "accel.spad_bytes"},
                          std::to_string(c.spad_bytes) + " bytes do not fit the spad region ('memory_map.spad.size' " +
                              std::to_string(spad_region_size) + ")");
}

}  // namespace stvp
