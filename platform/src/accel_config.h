// The accelerator's part of the platform configuration: the accel.* keys the model declares
// (models/accel/accel_config.h), bound into the ConfigSchema, and the checks that need the
// rest of the platform. Plain data (no SystemC), so the configuration library stays light.
#pragma once

#include <cstdint>
#include <string>

#include "accel/accel_config.h"
#include "config_schema.h"

namespace stvp {

// Binds every accel.* key to `cfg` (defaults: the model's).
void bind_accel_config(ConfigSchema& schema, AccelParams& cfg);

// The model's checks across keys and the spad region's: throws ConfigError naming `origin` and
// the key. `spad_region_size` is memory_map.spad.size.
void validate_accel_config(const AccelParams& cfg, uint64_t spad_region_size, const std::string& origin);

}  // namespace stvp
