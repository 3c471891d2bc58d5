// The accelerator's part of the platform configuration: the checks of the accel.* keys (declared
// by the model, models/accel/accel_config.h) across keys and with the rest of the platform.
// Plain data (no SystemC), so the configuration library stays light.
#pragma once

#include <cstdint>
#include <string>

#include "accel/accel_config.h"
#include "config_schema.h"

namespace stvp {

// The model's checks across keys and the spad region's: throws ConfigError naming `origin` and
// the key. `spad_region_size` is memory_map.spad.size.
void validate_accel_config(const AccelParams& cfg, uint64_t spad_region_size, const std::string& origin);

}  // namespace stvp
