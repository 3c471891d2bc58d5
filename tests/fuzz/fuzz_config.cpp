// Fuzz harness: the YAML configuration as `stvp --config FILE --set ...` reads it (parse,
// schema, cross-key validation, the effective configuration's dump). Input: a YAML file; its
// lines of the form "#set KEY=VALUE" (comments to YAML) are also applied as --set overrides.
// The only acceptable failure is ConfigError (exit 2 with a message naming file:line:key).
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config_schema.h"
#include "platform_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = "/tmp/stvp_fuzz_config_" + std::to_string(getpid()) + ".yaml";
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    std::vector<std::string> sets;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("#set ", 0) == 0) sets.push_back(line.substr(5));
    try {
        std::string effective;
        stvp::load_platform_config(path, sets, &effective);
    } catch (const stvp::ConfigError&) {
    }
    return 0;
}
