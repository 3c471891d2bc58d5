// Fuzz harness: the YAML configuration as `stvp --config FILE --set ...` reads it (parse,
// schema, cross-key validation, the effective configuration's dump). Input: a YAML file; its
// lines of the form "#set KEY=VALUE" (comments to YAML) are also applied as --set overrides.
// The only acceptable failure is ConfigError (exit 2 with a message naming file:line:key).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config_schema.h"
#include "platform_config.h"

namespace {
// The file the loader reads, removed at exit. In a memory file system where there is one:
// writing and truncating a file on disk for every input cost the harness about as much as the
// configuration schema.
char g_path[64];
const char* input_path() {
    if (!g_path[0]) {
        struct stat st {};
        const bool shm = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0;
        std::snprintf(g_path, sizeof g_path, "%s/stvp_fuzz_config_%d.yaml", shm ? "/dev/shm" : "/tmp", int(getpid()));
        std::atexit([] { std::remove(g_path); });
    }
    return g_path;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = input_path();
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
