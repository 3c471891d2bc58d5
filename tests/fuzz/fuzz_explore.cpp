// Fuzz harness: stvp_explore's network and sweep files. Input: byte 0 even = a network file,
// odd = a sweep file; the rest is the YAML text. The only acceptable failures are ExploreError
// and a malformed-YAML ParserException (both reported naming the file and line).
#include <cstdint>
#include <string>

#include <yaml-cpp/yaml.h>

#include "config_schema.h"
#include "network.h"
#include "sweep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const bool sweep = data[0] & 1;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const YAML::Node root = YAML::Load(text);
        if (sweep)
            stvp::explore::parse_sweep(root, "fuzz.yaml", "/nonexistent");
        else
            stvp::explore::parse_network(root, "fuzz.yaml");
    } catch (const stvp::explore::ExploreError&) {
    } catch (const stvp::ConfigError&) {
    } catch (const YAML::ParserException&) {
    }
    return 0;
}
