#include "sweep_training.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "network.h"
#include "sweep.h"

namespace stvp::explore {

namespace fs = std::filesystem;
using nlohmann::json;

nlohmann::json parse_reftrain_output(const std::string& text, const std::string& origin) {
    static const std::regex header(
        R"(^reftrain: ([^,]+), mode (\d+), (\d+) epochs x (\d+) steps, batch (\d+), lr ([^,]+), seed (\d+),)");
    static const std::regex epoch(R"(^epoch (\d+) test loss (\S+) acc [0-9.]+% \((\d+)/(\d+)\))");
    static const std::regex final(R"(^reftrain: test accuracy [0-9.]+% \((\d+)/(\d+)\), weights kept ([0-9.]+))");
    static const std::regex layer(R"( layer (\d+) (\d+)/(\d+) \()");
    static const std::regex snapshot(R"(^reftrain: tracked now and already at step (\d+):)");
    static const std::regex entered(R"(; (\d+) weights entered the set after it \(([0-9.]+) per step\))");
    json t = json::object();
    json epochs = json::array();
    bool done = false, diverged = false;
    std::istringstream in(text);
    std::smatch m;
    // Per layer: (layer, a, b) of every " layer L A/B (" group of the line.
    auto layers = [&](const std::string& line, const char* a, const char* b) {
        json v = json::array();
        for (auto it = std::sregex_iterator(line.begin(), line.end(), layer); it != std::sregex_iterator(); ++it)
            v.push_back({{"layer", std::stoul((*it)[1])}, {a, std::stoul((*it)[2])}, {b, std::stoul((*it)[3])}});
        return v;
    };
    for (std::string line; std::getline(in, line);) {
        if (std::regex_search(line, m, header)) {
            t["network"] = m[1].str();
            t["mode"] = std::stoul(m[2]);
            t["epoch_count"] = std::stoul(m[3]);
            t["steps_per_epoch"] = std::stoul(m[4]);
            t["batch"] = std::stoul(m[5]);
            t["lr"] = std::stod(m[6]);
            t["seed"] = std::stoul(m[7]);
        } else if (std::regex_search(line, m, epoch)) {
            const double loss = std::strtod(m[2].str().c_str(), nullptr);
            const unsigned long correct = std::stoul(m[3]), count = std::stoul(m[4]);
            diverged = diverged || !std::isfinite(loss);
            epochs.push_back({{"epoch", std::stoul(m[1])},
                              {"test_loss", std::isfinite(loss) ? json(loss) : json(nullptr)},
                              {"test_correct", correct},
                              {"test_count", count},
                              {"test_accuracy", count ? double(correct) / double(count) : 0.0}});
        } else if (std::regex_search(line, m, final)) {
            const unsigned long correct = std::stoul(m[1]), count = std::stoul(m[2]);
            t["final_correct"] = correct;
            t["final_count"] = count;
            t["final_accuracy"] = count ? double(correct) / double(count) : 0.0;
            t["kept_fraction"] = std::stod(m[3]);
            done = true;
        } else if (line.rfind("reftrain: tracked per layer:", 0) == 0) {
            t["tracked"] = layers(line, "tracked", "weights");
        } else if (std::regex_search(line, m, snapshot)) {
            t["snapshot_step"] = std::stoul(m[1]);
            t["snapshot"] = layers(line.substr(0, line.find(';')), "since", "tracked");
            if (std::regex_search(line, m, entered)) {
                t["entered_after_snapshot"] = std::stoull(m[1]);
                t["entered_per_step"] = std::stod(m[2]);
            }
        }
    }
    if (!done) throw ExploreError(origin + ": stvp_reftrain printed no final result ('reftrain: test accuracy ...')");
    t["epochs"] = epochs;
    t["diverged"] = diverged;
    return t;
}

std::vector<std::string> training_command(const Sweep& s, const SweepPoint& p, const std::string& program,
                                          const std::string& firmware, const std::string& stats) {
    std::vector<std::string> a{program};
    if (s.program == SweepProgram::Stvp) a.push_back("--quiet");
    if (!p.preset.empty()) a.insert(a.end(), {"--config", p.preset});
    for (const std::string& x : p.sets) a.insert(a.end(), {"--set", x});
    if (s.program == SweepProgram::Stvp) a.insert(a.end(), {"--firmware", firmware, "--stats", stats});
    a.insert(a.end(), p.args.begin(), p.args.end());
    return a;
}

namespace {

// The training programs are installed beside stvp_explore (build/bin, an install's bin); the
// firmware is under build/target/bin or an install's share/stvp/firmware.
fs::path program_dir() {
    const std::string self = this_program();
    if (self.empty()) throw ExploreError("cannot find this program's directory (/proc/self/exe)");
    return fs::path(self).parent_path();
}

std::string default_firmware(const fs::path& bin) {
    for (const fs::path& p : {bin / "../target/bin/train.elf", bin / "../share/stvp/firmware/train.elf"})
        if (fs::exists(p)) return p.lexically_normal().string();
    throw ExploreError("train.elf not found beside " + bin.string() +
                       " (../target/bin, ../share/stvp/firmware): build target_sw or give the sweep file 'firmware'");
}

// The last `n` lines of text, for an error message.
std::string tail(const std::string& text, size_t n) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::string t;
    for (size_t k = lines.size() > n ? lines.size() - n : 0; k < lines.size(); ++k) t += lines[k] + "\n";
    return t;
}

std::string program_path(const Sweep& s, const fs::path& bin) {
    return (bin / (s.program == SweepProgram::Stvp ? "stvp" : "stvp_reftrain")).string();
}

std::string firmware_path(const Sweep& s, const fs::path& bin) {
    if (s.program != SweepProgram::Stvp) return "";
    return s.firmware.empty() ? default_firmware(bin) : s.firmware;
}

// "size@mtime" of a file, "missing" if there is none.
std::string file_stamp(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return "missing";
    const auto t = fs::last_write_time(path, ec).time_since_epoch();
    return std::to_string(size) + "@" + std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(t).count());
}

}  // namespace

std::string training_build_stamp(const Sweep& s) {
    const fs::path bin = program_dir();
    std::string stamp = fs::path(program_path(s, bin)).filename().string() + "=" + file_stamp(program_path(s, bin));
    if (s.program == SweepProgram::Stvp) stamp += " train.elf=" + file_stamp(firmware_path(s, bin));
    return stamp;
}

void run_training_point(const Sweep& s, const std::string& out_dir, size_t i, const std::string& signature) {
    const SweepPoint& p = s.points.at(i);
    const fs::path bin = program_dir();
    const bool vp = s.program == SweepProgram::Stvp;
    const std::string program = program_path(s, bin);
    const std::string path = point_result_path(s, out_dir, i);
    fs::create_directories(fs::path(path).parent_path());
    const std::string base = path.substr(0, path.size() - 5);  // without .json
    const std::string stats = path + ".stats" + std::to_string(getpid());
    const std::string firmware = firmware_path(s, bin);
    const auto cmd = training_command(s, p, program, firmware, stats);
    std::string out;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = run_program(cmd, &out);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    {
        std::ofstream log(base + ".out");  // the program's standard output, kept as the run's log
        log << out;
    }
    std::string line;
    for (const std::string& a : cmd) line += (line.empty() ? "" : " ") + shell_quote(a);
    if (rc != 0) {
        fs::remove(stats);
        const std::string last = tail(out, 5);
        throw ExploreError("point " + std::to_string(i) + ": " + line + " exited with code " + std::to_string(rc) +
                           (last.empty() ? "" : "; its last output:\n" + last));
    }
    json result;
    if (vp) {
        std::ifstream f(stats);
        result = json::parse(f, nullptr, false);
        fs::remove(stats);
        if (result.is_discarded() || !result.is_object() || !result.contains("training"))
            throw ExploreError("point " + std::to_string(i) + ": " + line +
                               " reported no training results in its stats file (a training firmware reports them "
                               "through SIMCTRL)");
    } else {
        result["training"] = parse_reftrain_output(out, "point " + std::to_string(i) + ": " + line);
    }
    json values = json::object();
    for (const auto& [k, v] : p.values) values[k] = v;
    result["sweep_point"] = {{"index", i},          {"signature", signature},    {"command", line},
                             {"values", values},    {"host_seconds", seconds}};
    const std::string tmp = path + ".tmp" + std::to_string(getpid());
    {
        std::ofstream f(tmp);
        f << result.dump(1) << "\n";
        if (!f.flush()) throw ExploreError(tmp + ": cannot write");
    }
    fs::rename(tmp, path);  // atomic: a reader sees the whole result or none
}

namespace {

std::string cell(const json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

// Appends the flattened columns of v under `name` (see training_csv).
void flatten(const json& v, const std::string& name, std::vector<std::pair<std::string, std::string>>* out) {
    if (v.is_object()) {
        for (const auto& [k, x] : v.items()) flatten(x, name.empty() ? k : name + "." + k, out);
        return;
    }
    if (!v.is_array()) {
        out->emplace_back(name, cell(v));
        return;
    }
    std::vector<std::string> fields;  // a list of records: one column per field
    bool records = !v.empty();
    for (const json& e : v) {
        records = records && e.is_object();
        if (e.is_object())
            for (const auto& [k, x] : e.items())
                if (std::find(fields.begin(), fields.end(), k) == fields.end()) fields.push_back(k);
    }
    auto joined = [&](auto get) {
        std::string t;
        for (const json& e : v) t += (t.empty() ? "" : " ") + get(e);
        return t;
    };
    if (!records) {
        out->emplace_back(name, joined([](const json& e) { return e.is_null() ? std::string("nan") : cell(e); }));
        return;
    }
    for (const std::string& f : fields)
        out->emplace_back(name + "." + f, joined([&](const json& e) {
                              return !e.contains(f) || e[f].is_null() ? std::string("nan") : cell(e[f]);
                          }));
}

std::string csv_cell(const std::string& t) {
    if (t.find_first_of(",\"\n") == std::string::npos) return t;
    std::string q = "\"";
    for (char c : t) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

}  // namespace

std::string training_csv(const Sweep& s, const std::vector<std::string>& results) {
    std::vector<std::string> columns = s.keys;
    columns.push_back("host_seconds");
    const size_t fixed = columns.size();
    std::vector<std::vector<std::pair<std::string, std::string>>> rows(results.size());
    for (size_t i = 0; i < results.size() && i < s.points.size(); ++i) {
        if (results[i].empty()) continue;
        const json j = json::parse(results[i]);
        for (const std::string& k : s.keys) rows[i].emplace_back(k, s.points[i].value(k));
        rows[i].emplace_back("host_seconds", cell(j["sweep_point"].value("host_seconds", json())));
        flatten(j["training"], "", &rows[i]);
        for (size_t c = fixed; c < rows[i].size(); ++c)
            if (std::find(columns.begin(), columns.end(), rows[i][c].first) == columns.end())
                columns.push_back(rows[i][c].first);
    }
    std::string out;
    for (const std::string& c : columns) out += (out.empty() ? "" : ",") + csv_cell(c);
    out += "\n";
    for (const auto& row : rows) {
        if (row.empty()) continue;
        std::string line;
        for (size_t c = 0; c < columns.size(); ++c) {
            std::string v;
            for (const auto& [k, x] : row)
                if (k == columns[c]) v = x;
            line += (c ? "," : "") + csv_cell(v);
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace stvp::explore
