#include "platform_config.h"

#include <cctype>

#include <algorithm>
#include <optional>
#include <cstdlib>
#include <sstream>

#include "stvp/hw/memmap.h"


namespace stvp {

PlatformConfig::PlatformConfig() {
#define STVP_DEFAULT_REGION(U, l) memory_map[#l] = RegionConfig{STVP_##U##_BASE, STVP_##U##_SIZE};
    STVP_MEMMAP_REGIONS(STVP_DEFAULT_REGION)
#undef STVP_DEFAULT_REGION
}

namespace {
// A firmware argument (decimal, 0x hex or 0 octal, signed or unsigned 32-bit) as its register value.
std::optional<uint32_t> parse_arg(const std::string& a) {
    char* end = nullptr;
    const long long v = std::strtoll(a.c_str(), &end, 0);
    if (a.empty() || *end || v < -2147483648LL || v > 4294967295LL) return std::nullopt;
    return static_cast<uint32_t>(v);
}
}  // namespace

void bind_platform_config(ConfigSchema& s, PlatformConfig& c) {
    using namespace check;
    // The models' sections, in the order of the SoC.
    const auto model = [&s](const char* section, auto& params) {
        SchemaKeys keys(s, section);
        declare_keys(keys, params);
    };
    model("cpu", c.cpu);
    model("dram", c.dram);
    model("bus", c.bus);
    model("clint", c.clint);
    model("uart", c.uart);
    model("dma", c.dma);
    model("accel", c.accel);
    s.bind("sim.max_time_ns", &c.sim.max_time_ns, "stop the simulation at this simulated time in ns (0 = never)");
    s.bind("sim.max_instructions", &c.sim.max_instructions,
           "stop after this many retired CPU instructions (0 = never)");
    s.bind("sim.hang_timeout_ns", &c.sim.hang_timeout_ns,
           "end the run with a diagnosis when the CPU waits (WFI, or polling device registers) this long in "
           "simulated ns with no progress (no device-register write, no DMA/accelerator descriptor completed); "
           "0 = never");
    s.bind("trace.vcd", &c.trace.vcd,
           "VCD waveform file (\"\" = none; --vcd overrides); a name ending in .gz is written gzip-compressed "
           "(GTKWave opens it directly)");
    s.bind("trace.date", &c.trace.date,
           "the VCD's $date: \"now\" (the host's local time), other text verbatim, \"\" = no $date (for "
           "byte-identical traces of identical runs)");
    s.bind("trace.signals", &c.trace.signals,
           "VCD variables to write: module names (soc.cpu), patterns with * and ? (soc.*.busy), exclusions with "
           "a leading - (-soc.accel.units); quote a pattern that starts with *");
    s.bind("trace.start_ns", &c.trace.start_ns, "VCD window start in simulated ns (the firmware's SIMCTRL TRACE "
           "register also opens and closes it)");
    s.bind("trace.stop_ns", &c.trace.stop_ns, "VCD window end in simulated ns (0 = end of the run)");
    s.bind_enum("trace.pc", &c.trace.pc, {"changes", "slices"},
                "when the VCD samples the CPU's pc: at CPU state changes (trap, mret, WFI) and debugger halts, or "
                "also at the end of every CPU time slice");
    s.bind("trace.txlog", &c.trace.txlog, "transaction log file (\"\" = none; --txlog overrides)");
    s.bind_enum("trace.txlog_format", &c.trace.txlog_format, {"text", "jsonl"}, "transaction log format");
    s.bind("trace.txlog_filter", &c.trace.txlog_filter,
           "transaction log filter terms, all must hold: initiator=cpu,dma,accel target=REGION,hole "
           "kind=reg,mem,desc,op addr=LO-HI|LO+SIZE response=ok|error");
    s.bind_enum("dataset.name", &c.dataset.name, {"none", "fashion-mnist"},
                "data set preloaded into DRAM for training firmware (layout: firmware/include/stvp/hw/dataset.h)");
    s.bind("dataset.dir", &c.dataset.dir, "folder holding the data set's IDX files (.gz)");
    s.bind_size("dataset.address", &c.dataset.address, "address of the data set header in DRAM (64-byte aligned)",
                [](const uint64_t& v) { return v % 64 ? std::string("must be 64-byte aligned") : std::string(); });
    s.bind("dataset.train_limit", &c.dataset.train_limit, "use only the first N training samples (0 = all)");
    s.bind("dataset.test_limit", &c.dataset.test_limit, "use only the first N test samples (0 = all)");
    for (auto& [name, region] : c.memory_map) {
        s.bind_size("memory_map." + name + ".base", &region.base, "base address of the " + name + " region");
        s.bind_size("memory_map." + name + ".size", &region.size, "size of the " + name + " region in bytes",
                    positive());
    }
    s.bind("preload", &c.preload,
           "data files copied into memory before the CPU starts, as FILE@ADDRESS (relative paths from the "
           "working directory)");
    s.bind("args", &c.args,
           "generic firmware arguments, readable in SIMCTRL NARGS/ARG[i] (32-bit integers, at most 8; the "
           "training program reads the workload.* keys instead)",
           [](const std::vector<std::string>& args) -> std::string {
               if (args.size() > 8) return "at most 8 firmware arguments";
               for (const std::string& a : args)
                   if (!parse_arg(a)) return "'" + a + "' is not a 32-bit integer";
               return "";
           });
    s.bind("capture.masks", &c.capture.masks,
           "masks file to write: per chosen training step and weight layer, the non-zero maps of the weights, "
           "input activations and output gradients the accelerator's ops read (models/accel/capture/README.md; "
           "\"\" = no capture). The firmware names steps through SIMCTRL STEP (sw/train does)");
    s.bind("capture.steps", &c.capture.steps,
           "global training steps (from 0) to capture, e.g. [0, 100, 936]; needs capture.masks",
           [](const std::vector<std::string>& steps) -> std::string {
               for (size_t i = 0; i < steps.size(); ++i) {
                   const std::string& t = steps[i];
                   char* end = nullptr;
                   const unsigned long long v = std::strtoull(t.c_str(), &end, 10);
                   if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0])) || *end || v >= 0xFFFFFFFFull)
                       return "'" + t + "' is not a step number (0 .. 4294967294)";
                   for (size_t j = 0; j < i; ++j)
                       if (std::strtoull(steps[j].c_str(), nullptr, 10) == v) return "step " + t + " is listed twice";
               }
               return "";
           });
    bind_workload_config(s, c.workload);
}

std::vector<uint32_t> firmware_args(const PlatformConfig& c) {
    std::vector<uint32_t> v;
    for (const std::string& a : c.args) v.push_back(*parse_arg(a));
    return v;
}

AccelParams accel_params(const PlatformConfig& c) {
    AccelParams a = c.accel;
    a.array.dram_bytes_per_s = c.dram.bytes_per_s();
    a.array.dram_latency_ns = double(c.dram.latency_ns);
    return a;
}

std::vector<uint32_t> capture_steps(const PlatformConfig& c) {
    std::vector<uint32_t> v;
    for (const std::string& t : c.capture.steps) v.push_back(static_cast<uint32_t>(std::stoull(t)));
    return v;
}

void validate_platform_config(const PlatformConfig& c, const std::string& origin) {
    std::vector<std::pair<std::string, RegionConfig>> regions(c.memory_map.begin(), c.memory_map.end());
    for (auto& [name, r] : regions)
        if (r.base + r.size > (1ull << 32))
            throw ConfigError({origin, 0, "memory_map." + name}, "region ends beyond the 32-bit address space");
    std::sort(regions.begin(), regions.end(), [](auto& a, auto& b) { return a.second.base < b.second.base; });
    for (size_t i = 1; i < regions.size(); ++i) {
        auto& [pn, p] = regions[i - 1];
        auto& [qn, q] = regions[i];
        if (p.base + p.size > q.base) {
            std::ostringstream o;
            o << "regions '" << pn << "' [0x" << std::hex << p.base << ", 0x" << p.base + p.size << ") and '" << qn
              << "' [0x" << q.base << ", 0x" << q.base + q.size << ") overlap";
            throw ConfigError({origin, 0, "memory_map"}, o.str());
        }
    }
    for (auto& p : c.preload) parse_preload(p);
    if (c.capture.masks.empty() != c.capture.steps.empty())
        throw ConfigError({origin}, std::string("'capture.masks' and 'capture.steps' go together (") +
                                        (c.capture.masks.empty() ? "steps without a masks file" : "a masks file without steps") +
                                        ")");

    validate_accel_config(c.accel, c.memory_map.at("spad").size, origin);
    validate_workload_config(c.workload, origin);
}

PreloadEntry parse_preload(const std::string& entry) {
    auto at = entry.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == entry.size())
        throw ConfigError("preload '" + entry + "': expected FILE@ADDRESS");
    std::string addr = entry.substr(at + 1);
    char* end = nullptr;
    unsigned long long a = std::strtoull(addr.c_str(), &end, 0);
    if (*end || addr[0] == '-') throw ConfigError("preload '" + entry + "': address '" + addr + "' is not a number");
    return PreloadEntry{entry.substr(0, at), a};
}

std::string dump_platform_config(const PlatformConfig& cfg) {
    PlatformConfig copy = cfg;
    ConfigSchema schema;
    bind_platform_config(schema, copy);
    return schema.dump();
}

PlatformConfig load_platform_config(const std::string& path, const std::vector<std::string>& overrides,
                                    std::string* effective_yaml) {
    PlatformConfig cfg;
    ConfigSchema schema;
    bind_platform_config(schema, cfg);
    YAML::Node root = path.empty() ? YAML::Node(YAML::NodeType::Map) : load_yaml_file(path);
    if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    std::string origin = path.empty() ? std::string("<defaults>") : path;
    schema.parse(root, origin);
    // Overrides are parsed on their own so their errors name the --set, not the file.
    for (auto& o : overrides) {
        YAML::Node one(YAML::NodeType::Map);
        schema.apply_override(one, o);
        schema.parse(one, "--set " + o.substr(0, o.find('=')));
    }
    validate_platform_config(cfg, origin);
    if (effective_yaml) *effective_yaml = schema.dump();
    return cfg;
}

}  // namespace stvp
