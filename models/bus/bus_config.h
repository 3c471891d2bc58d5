// The interconnect's configurable parameters, plain data without SystemC, and their bus.* keys
// declared once (common/config_keys.h): the router's RouterConfig (router.h) is built from them,
// the platform binds the keys into its YAML schema. Header-only.
#pragma once

#include <cstdint>

#include "common/config_keys.h"

namespace stvp {

struct BusParams {
    // Time one transaction spends in the router, ns (a registered crossbar hop).
    uint64_t latency_ns = 1;
};

// The bus.* keys.
template <class Keys>
void declare_keys(Keys& k, BusParams& c) {
    k.integer("latency_ns", c.latency_ns, 0, 1000000, "latency added per transaction by the interconnect in ns");
}

}  // namespace stvp
