#include "sweep.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config_schema.h"
#include "estimate_io.h"
#include "platform_config.h"
#include "sweep_training.h"
#include "network.h"
#include "explore_config.h"
#include "timing_only.h"

namespace stvp::explore {

namespace fs = std::filesystem;

namespace {

std::string resolve(const std::string& dir, const std::string& p) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(dir) / p).lexically_normal().string();
}
std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> v;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) v.push_back(x);
    return v;
}

}  // namespace

std::string SweepPoint::value(const std::string& key) const {
    for (const auto& [k, v] : values)
        if (k == key) return v;
    return "";
}

namespace {

// "FILE:LINE" of a node, "FILE" if it has no position (parsed from a built node).
std::string at(const std::string& origin, const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    return m.is_null() ? origin : origin + ":" + std::to_string(m.line + 1);
}

// What a point or grid key does for `program`: "" if it is fine, else why not.
std::string key_problem(SweepProgram program, const std::string& k) {
    if (k == "id" || k == "preset") return "";
    if (program == SweepProgram::Explore) {
        if (k == "args") return "only for program stvp_reftrain (its study options)";
        return "";
    }
    if (k == "args") return program == SweepProgram::Reftrain ? "" : "only for program stvp_reftrain (its study options)";
    if (k == "network")
        return "training sweeps choose the network with workload.network (network is explore's layer table file)";
    if (k.find('.') == std::string::npos || k.front() == '.' || k.back() == '.')
        return "not a configuration key (section.key, e.g. workload.seed; stvp --help-config), preset, args or id";
    return "";
}

// A training sweep's overrides must be configuration keys with valid values: checked now, one
// at a time against the preset and the fixed set, so a typo names its own line.
void check_config(const std::string& where, const std::string& preset, std::vector<std::string> sets) {
    try {
        load_platform_config(preset, sets);
    } catch (const ConfigError& e) {
        throw ExploreError(where + ": " + e.what());
    }
}

}  // namespace

Sweep parse_sweep(const YAML::Node& root, const std::string& origin, const std::string& dir) {
    if (!root.IsMap()) throw ExploreError(origin + ": not a YAML map");
    for (const auto& kv : root) {
        const std::string k = scalar_text(kv.first, origin + ": a key");
        if (k == "plots")
            throw ExploreError(origin + ": plots: no longer used: stvp-plot draws the speedup, energy ratio, energy "
                                        "and utilisation figures from the CSV (remove the key; 'title' sets their title)");
        if (k != "name" && k != "title" && k != "preset" && k != "network" && k != "set" && k != "grid" &&
            k != "program" && k != "firmware" && k != "points")
            throw ExploreError(at(origin, kv.first) + ": " + k +
                               ": unknown key (name, title, program, preset, network, firmware, set, grid, points)");
    }
    Sweep s;
    s.name = root["name"] ? scalar_text(root["name"], origin + ": name") : fs::path(origin).stem().string();
    if (s.name.empty() || s.name.find_first_of("/\\ '\"") != std::string::npos)
        throw ExploreError(origin + ": name: '" + s.name + "' must be a plain file stem");
    if (root["title"]) s.title = scalar_text(root["title"], origin + ": title");
    if (const YAML::Node prog = root["program"]) {
        const std::string p = scalar_text(prog, at(origin, prog) + ": program");
        if (p == "stvp") s.program = SweepProgram::Stvp;
        else if (p == "stvp_reftrain") s.program = SweepProgram::Reftrain;
        else if (p != "explore")
            throw ExploreError(at(origin, prog) + ": program: '" + p + "' is not explore, stvp or stvp_reftrain");
    }
    const bool training = s.program != SweepProgram::Explore;
    if (const YAML::Node fw = root["firmware"]) {
        if (s.program != SweepProgram::Stvp)
            throw ExploreError(at(origin, fw) + ": firmware: only for program stvp (the ELF it runs)");
        s.firmware = resolve(dir, scalar_text(fw, at(origin, fw) + ": firmware"));
        if (!fs::is_regular_file(s.firmware))
            throw ExploreError(at(origin, fw) + ": firmware: " + s.firmware + ": no such file");
    }
    SweepPoint base;
    if (root["preset"]) base.preset = resolve(dir, scalar_text(root["preset"], origin + ": preset"));
    if (const YAML::Node net = root["network"]) {
        if (training) throw ExploreError(at(origin, net) + ": network: " + key_problem(s.program, "network"));
        base.network = resolve(dir, scalar_text(net, origin + ": network"));
    }
    if (const YAML::Node set = root["set"]) {
        if (!set.IsSequence()) throw ExploreError(origin + ": set: must be a list of key=value");
        for (size_t i = 0; i < set.size(); ++i) {
            const std::string a = scalar_text(set[i], origin + ": set[" + std::to_string(i) + "]");
            if (a.find('=') == std::string::npos || a[0] == '=')
                throw ExploreError(origin + ": set[" + std::to_string(i) + "]: '" + a + "' is not key=value");
            if (training) {
                const std::string where = at(origin, set[i]) + ": set[" + std::to_string(i) + "]";
                if (const std::string why = key_problem(s.program, a.substr(0, a.find('='))); !why.empty())
                    throw ExploreError(where + ": " + why);
                base.sets.push_back(a);
                check_config(where, base.preset, base.sets);
                continue;
            }
            base.sets.push_back(a);
        }
    }
    if (training) check_config(at(origin, root["preset"] ? root["preset"] : root), base.preset, base.sets);
    // One (key, value) of a point or grid axis, checked where it is written.
    struct Entry {
        std::string key, value;
    };
    auto entry = [&](const std::string& k, const YAML::Node& v, const std::string& where) {
        Entry e{k, scalar_text(v, where)};
        if (const std::string why = key_problem(s.program, k); !why.empty()) throw ExploreError(where + ": " + why);
        if (training && k != "id" && k != "args") {
            const std::string preset = k == "preset" ? resolve(dir, e.value) : base.preset;
            std::vector<std::string> sets = base.sets;
            if (k != "preset") sets.push_back(k + "=" + e.value);
            check_config(where, preset, sets);
        }
        return e;
    };
    // Explicit points (each a map), then the grid axes.
    std::vector<std::vector<Entry>> rows;
    if (const YAML::Node pts = root["points"]) {
        if (!pts.IsSequence() || pts.size() == 0)
            throw ExploreError(at(origin, pts) + ": points: must be a list of maps (key: value)");
        for (size_t i = 0; i < pts.size(); ++i) {
            const std::string where = at(origin, pts[i]) + ": points[" + std::to_string(i) + "]";
            if (!pts[i].IsMap()) throw ExploreError(where + ": must be a map (key: value)");
            std::vector<Entry> row;
            for (const auto& kv : pts[i]) {
                const std::string k = scalar_text(kv.first, where + ": a key");
                row.push_back(entry(k, kv.second, at(origin, kv.second) + ": points[" + std::to_string(i) + "]." + k));
                if (std::find(s.keys.begin(), s.keys.end(), k) == s.keys.end()) s.keys.push_back(k);
            }
            rows.push_back(row);
        }
        std::vector<std::string> ids;
        for (size_t i = 0; i < rows.size(); ++i)
            for (const Entry& e : rows[i])
                if (e.key == "id") {
                    if (std::find(ids.begin(), ids.end(), e.value) != ids.end())
                        throw ExploreError(at(origin, pts[i]) + ": points[" + std::to_string(i) + "].id: '" + e.value +
                                           "' is used twice");
                    ids.push_back(e.value);
                }
    } else {
        rows.emplace_back();
    }
    std::vector<std::pair<std::string, std::vector<Entry>>> axes;
    if (const YAML::Node grid = root["grid"]) {
        if (!grid.IsMap()) throw ExploreError(origin + ": grid: must be a map of key: [values]");
        for (const auto& kv : grid) {
            const std::string k = scalar_text(kv.first, origin + ": grid: a key");
            const std::string where = origin + ": grid." + k;
            if (std::find(s.keys.begin(), s.keys.end(), k) != s.keys.end())
                throw ExploreError(at(origin, kv.first) + ": grid." + k + ": also a key of the points");
            std::vector<Entry> vals;
            if (kv.second.IsSequence()) {
                for (size_t i = 0; i < kv.second.size(); ++i)
                    vals.push_back(entry(k, kv.second[i], training ? at(origin, kv.second[i]) + ": grid." + k : where));
            } else {
                vals.push_back(entry(k, kv.second, training ? at(origin, kv.second) + ": grid." + k : where));
            }
            if (vals.empty()) throw ExploreError(where + ": no values");
            axes.emplace_back(k, vals);
            s.keys.push_back(k);
        }
    }
    // Every point row crossed with the cartesian product of the axes, last axis fastest.
    // Checked after every axis: a product over many axes could wrap and pass.
    size_t total = rows.size();
    for (const auto& a : axes) {
        total *= a.second.size();
        if (total > 100000) throw ExploreError(origin + ": grid: more than 100000 points");
    }
    const size_t per_row = total / rows.size();
    // The points' settings are bounded in bytes too, before they are built: each point copies
    // the `set` entries and its values, so a small file (many set entries crossed with a large
    // grid) could otherwise ask for gigabytes. A string counts its text and its own size; an
    // entry is at most a "key=value" setting (or a path, or args words) and a (key, value) column.
    constexpr size_t kMaxSettingsBytes = size_t{64} << 20;
    const auto text = [](const std::string& x) { return sizeof(std::string) + x.size(); };
    const auto entry_bytes = [&](const Entry& e) {
        return 3 * sizeof(std::string) + 2 * (e.key.size() + e.value.size()) + 1 +
               (e.key == "preset" || e.key == "network" ? dir.size() + 1 : 0) +
               (e.key == "args" ? e.value.size() * sizeof(std::string) : 0);
    };
    size_t base_bytes = text(base.preset) + text(base.network);
    for (const std::string& x : base.sets) base_bytes += text(x);
    size_t settings_bytes = total * base_bytes;
    for (const auto& row : rows)
        for (const Entry& e : row) settings_bytes += per_row * entry_bytes(e);
    for (const auto& a : axes)
        for (const Entry& e : a.second) settings_bytes += total / a.second.size() * entry_bytes(e);
    if (settings_bytes > kMaxSettingsBytes)
        throw ExploreError(origin + ": grid: " + std::to_string(total) +
                           " points need more than 64 MiB of settings (fewer points, grid values or set entries)");
    for (size_t p = 0; p < total; ++p) {
        SweepPoint pt = base;
        size_t rest = p % per_row;
        std::vector<Entry> vals = rows[p / per_row];
        std::vector<Entry> grid_vals(axes.size());
        for (size_t a = axes.size(); a-- > 0;) {
            const auto& ax = axes[a];
            grid_vals[a] = ax.second[rest % ax.second.size()];
            rest /= ax.second.size();
        }
        vals.insert(vals.end(), grid_vals.begin(), grid_vals.end());
        for (const Entry& e : vals) {
            if (e.key == "preset") pt.preset = resolve(dir, e.value);
            else if (e.key == "network") pt.network = resolve(dir, e.value);
            else if (e.key == "args") {
                std::istringstream in(e.value);
                for (std::string w; in >> w;) pt.args.push_back(w);
            } else if (e.key != "id") pt.sets.push_back(e.key + "=" + e.value);
        }
        for (const std::string& k : s.keys)  // column order; a point row may lack a key
            for (const Entry& e : vals)
                if (e.key == k) pt.values.emplace_back(k, e.value);
        if (!training && pt.network.empty()) throw ExploreError(origin + ": network: missing (top level or grid)");
        s.points.push_back(pt);
    }
    return s;
}

Sweep load_sweep(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw ExploreError(path + ": cannot open sweep file");
    YAML::Node root;
    try {
        root = YAML::Load(f);
    } catch (const YAML::ParserException& e) {
        throw ExploreError(path + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
    }
    Sweep s = parse_sweep(root, path, fs::path(path).parent_path().string());
    s.source = path;
    return s;
}

namespace {

// Runs the commands (argv[0] is the program), at most `jobs` at a time, each with stdout and
// stderr into logs[i], with a progress bar on stderr. ok(i, exit status) decides success; a
// failed command's log is echoed under names[i], a successful one's removed. Returns the
// failed indices.
std::vector<size_t> run_processes(const std::vector<std::vector<std::string>>& cmds,
                                  const std::vector<std::string>& logs, const std::vector<std::string>& names,
                                  unsigned jobs,
                                  const std::function<bool(size_t, int)>& ok) {
    std::map<pid_t, size_t> running;
    std::vector<size_t> failed;
    size_t next = 0, done = 0;
    const bool tty = isatty(2);
    auto progress = [&]() {
        const int width = 40, filled = cmds.empty() ? width : int(width * done / cmds.size());
        std::fprintf(stderr, "%s[%s%s] %zu/%zu points%s%s", tty ? "\r" : "", std::string(size_t(filled), '#').c_str(),
                     std::string(size_t(width - filled), '.').c_str(), done, cmds.size(),
                     failed.empty() ? "" : (", " + std::to_string(failed.size()) + " failed").c_str(),
                     tty ? "" : "\n");
        std::fflush(stderr);
    };
    progress();
    while (done < cmds.size()) {
        while (next < cmds.size() && running.size() < jobs) {
            std::vector<std::string> args = cmds[next];
            const pid_t pid = fork();
            if (pid == 0) {
                if (!std::freopen(logs[next].c_str(), "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(127);
                std::vector<char*> argv;
                for (std::string& x : args) argv.push_back(x.data());
                argv.push_back(nullptr);
                execv(argv[0], argv.data());
                _exit(127);
            }
            if (pid < 0) throw ExploreError("fork failed");
            running[pid] = next++;
        }
        int status = 0;
        const pid_t pid = wait(&status);
        if (pid < 0) break;
        auto it = running.find(pid);
        if (it == running.end()) continue;
        const size_t i = it->second;
        running.erase(it);
        ++done;
        if (ok(i, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status))) {
            fs::remove(logs[i]);
        } else {
            failed.push_back(i);
            std::ifstream log(logs[i]);
            std::fprintf(stderr, "%s%s failed:\n%s", tty ? "\n" : "", names[i].c_str(),
                         std::string(std::istreambuf_iterator<char>(log), {}).c_str());
        }
        progress();
    }
    if (tty) std::fprintf(stderr, "\n");
    return failed;
}

}  // namespace

std::vector<std::string> run_points(const std::vector<SweepPoint>& points, unsigned jobs, const std::string& self,
                                    const std::string& tmp_dir) {
    fs::create_directories(tmp_dir);
    auto file = [&](size_t i, const char* ext) { return tmp_dir + "/point" + std::to_string(i) + ext; };
    std::vector<std::vector<std::string>> cmds;
    std::vector<std::string> logs, names;
    for (size_t i = 0; i < points.size(); ++i) {
        names.push_back("point " + std::to_string(i));
        const SweepPoint& p = points[i];
        std::vector<std::string> args{self, "--network", p.network, "--summary", file(i, ".csv")};
        if (!p.preset.empty()) args.insert(args.end(), {"--preset", p.preset});
        for (const std::string& x : p.sets) args.insert(args.end(), {"--set", x});
        cmds.push_back(args);
        logs.push_back(file(i, ".log"));
    }
    std::vector<std::string> rows(points.size());
    run_processes(cmds, logs, names, jobs, [&](size_t i, int status) {
        std::ifstream f(file(i, ".csv"));
        return status == 0 && f && std::getline(f, rows[i]);
    });
    return rows;
}

std::string sweep_csv(const Sweep& s, const std::vector<std::string>& rows) {
    const std::vector<std::string> summary = split_csv(summary_csv_header());
    std::vector<bool> keep(summary.size(), true);  // summary columns not already a grid column
    for (size_t c = 0; c < summary.size(); ++c)
        for (const std::string& k : s.keys) keep[c] = keep[c] && summary[c] != k;
    std::string out;
    for (const std::string& k : s.keys) out += k + ",";
    for (size_t c = 0; c < summary.size(); ++c)
        if (keep[c]) out += summary[c] + ",";
    out.back() = '\n';
    for (size_t i = 0; i < rows.size() && i < s.points.size(); ++i) {
        if (rows[i].empty()) continue;
        std::string line;
        for (const std::string& k : s.keys) line += s.points[i].value(k) + ",";
        const std::vector<std::string> v = split_csv(rows[i]);
        for (size_t c = 0; c < v.size(); ++c)
            if (c >= keep.size() || keep[c]) line += v[c] + ",";
        line.back() = '\n';
        out += line;
    }
    return out;
}

// 'text' for a POSIX shell.
std::string shell_quote(const std::string& t) {
    std::string q = "'";
    for (char c : t) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

int run_program(const std::vector<std::string>& args, std::string* out) {
    int fds[2];
    if (out && pipe(fds) != 0) throw ExploreError("pipe failed");
    const pid_t pid = fork();
    if (pid < 0) throw ExploreError("fork failed");
    if (pid == 0) {
        if (out) {
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
        }
        std::vector<char*> argv;
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        std::fprintf(stderr, "stvp_explore: cannot run %s\n", args[0].c_str());
        _exit(127);
    }
    if (out) {
        close(fds[1]);
        char buf[4096];
        ssize_t n;
        while ((n = read(fds[0], buf, sizeof buf)) > 0) out->append(buf, size_t(n));
        close(fds[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string this_program() {
    std::error_code ec;
    std::string self = fs::read_symlink("/proc/self/exe", ec).string();
    // Rebuilt while running (a long sweep): the link names the replaced file; the new one is
    // at the same path.
    const std::string deleted = " (deleted)";
    if (self.size() > deleted.size() && self.compare(self.size() - deleted.size(), deleted.size(), deleted) == 0)
        self.resize(self.size() - deleted.size());
    return ec ? "" : self;
}

namespace {

std::string self_path(const char* argv0) {
    const std::string self = this_program();
    return self.empty() ? std::string(argv0) : self;
}

// stvp-plot: $STVP_PLOT, next to this program (build/bin, an install's bin), or on PATH.
std::string plot_program() {
    if (const char* e = std::getenv("STVP_PLOT"); e && *e) return e;
    const fs::path here = fs::path(this_program()).parent_path() / "stvp-plot";
    if (fs::exists(here)) return here.string();
    return "stvp-plot";
}

// What a point's result was computed from: the first line of an estimate's result file, a
// training result's sweep_point.signature.
std::string signature(const Sweep& s, const SweepPoint& p) {
    std::string sig = "# preset=" + p.preset + " network=" + p.network;
    if (s.program != SweepProgram::Explore) sig = "# " + training_build_stamp(s) + " preset=" + p.preset;
    for (const std::string& x : p.sets) sig += " " + x;
    for (const std::string& x : p.args) sig += " " + x;
    return sig;
}

}  // namespace

std::vector<std::string> render_plots(const Sweep& s, const std::string& csv, const std::string& out_dir) {
    const std::string csv_path = out_dir + "/" + s.name + ".csv";
    {
        std::ofstream f(csv_path);
        if (!(f << csv)) throw ExploreError(csv_path + ": cannot write");
    }
    std::vector<std::string> args{plot_program(), "--out", out_dir};
    if (!s.title.empty()) args.insert(args.end(), {"--title", s.title});
    args.push_back(csv_path);
    std::string out;
    const int rc = run_program(args, &out);
    if (rc != 0)
        throw ExploreError("stvp-plot failed (exit " + std::to_string(rc) + ") on " + csv_path +
                           (rc == 127 ? " (not found: set STVP_PLOT or put stvp-plot on PATH)" : ""));
    std::vector<std::string> files;
    std::stringstream ss(out);
    for (std::string line; std::getline(ss, line);)
        if (!line.empty()) files.push_back(line);
    return files;
}

std::pair<unsigned, unsigned> parse_shard(const std::string& text) {
    unsigned k = 0, n = 0;
    char slash = 0, extra = 0;
    std::istringstream in(text);
    if (!(in >> k >> slash >> n) || slash != '/' || (in >> extra) || k < 1 || k > n || n > 100000)
        throw ExploreError("--shard: '" + text + "' is not K/N with 1 <= K <= N (e.g. 2/4)");
    return {k, n};
}

std::vector<size_t> selected_points(const Sweep& s, const SweepCommand& c) {
    std::vector<size_t> v;
    if (c.point >= 0) {
        if (size_t(c.point) >= s.points.size())
            throw ExploreError("--point " + std::to_string(c.point) + ": the sweep has points 0.." +
                               std::to_string(s.points.size() - 1));
        return {size_t(c.point)};
    }
    for (size_t i = 0; i < s.points.size(); ++i)
        if (c.shards == 0 || i % c.shards == c.shard - 1) v.push_back(i);
    return v;
}

std::string point_result_path(const Sweep& s, const std::string& out_dir, size_t i) {
    return out_dir + "/" + s.name + ".points/point" + std::to_string(i) +
           (s.program == SweepProgram::Explore ? ".csv" : ".json");
}

std::string point_result(const Sweep& s, const std::string& out_dir, size_t i) {
    std::ifstream f(point_result_path(s, out_dir, i));
    if (f && s.program != SweepProgram::Explore) {
        const nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("training") || !j.contains("sweep_point") ||
            j["sweep_point"].value("signature", "") != signature(s, s.points[i]))
            return "";
        return j.dump();
    }
    std::string sig, row;
    if (!f || !std::getline(f, sig) || sig != signature(s, s.points[i]) || !std::getline(f, row)) return "";
    return row;
}

void run_point(const Sweep& s, const std::string& out_dir, size_t i) {
    const SweepPoint& p = s.points.at(i);
    if (s.program != SweepProgram::Explore) return run_training_point(s, out_dir, i, signature(s, p));
    const Network net = load_network(p.network);
    const ExploreSetup setup = load_setup(p.preset, p.sets);
    const Estimate e = estimate(net, setup.workload, setup.array, setup.energy, setup.sparse);
    const std::string path = point_result_path(s, out_dir, i);
    fs::create_directories(fs::path(path).parent_path());
    const std::string tmp = path + ".tmp" + std::to_string(getpid());
    {
        std::ofstream f(tmp);
        f << signature(s, p) << "\n" << summary_csv_row(e, net.name, setup.workload) << "\n";
        if (!f.flush()) throw ExploreError(tmp + ": cannot write");
    }
    fs::rename(tmp, path);  // atomic: a reader sees the whole result or none
}

std::string point_command(const std::string& self, const std::string& file, const std::string& out_dir, size_t i) {
    return shell_quote(self) + " --sweep " + shell_quote(file) + " --out " + shell_quote(out_dir) + " --point " +
           std::to_string(i);
}

std::string array_ranges(const std::vector<size_t>& v) {
    std::string r;
    for (size_t a = 0; a < v.size();) {
        size_t b = a;
        while (b + 1 < v.size() && v[b + 1] == v[b] + 1) ++b;
        r += (r.empty() ? "" : ",") + std::to_string(v[a]) + (b > a ? "-" + std::to_string(v[b]) : "");
        a = b + 1;
    }
    return r;
}

std::string slurm_script(const Sweep& s, const std::string& self, const std::string& file, const std::string& out_dir,
                         const std::vector<size_t>& todo, unsigned max_running) {
    const std::string logs = out_dir + "/" + s.name + ".points";
    return "#!/bin/bash\n"
           "# Generated by stvp_explore --backend slurm: one sweep point per array task; each task writes\n"
           "# its result atomically to " + logs + "/point<i>. Merge with:\n"
           "#   " + shell_quote(self) + " --sweep " + shell_quote(file) + " --out " + shell_quote(out_dir) +
           " --collect\n"
           "#SBATCH --job-name=stvp-" + s.name + "\n"
           "#SBATCH --array=" + array_ranges(todo) + (max_running ? "%" + std::to_string(max_running) : "") + "\n"
           "#SBATCH --ntasks=1\n"
           "#SBATCH --cpus-per-task=1\n"
           "#SBATCH --output=" + logs + "/slurm-%A_%a.log\n"
           "exec " + shell_quote(self) + " --sweep " + shell_quote(file) + " --out " + shell_quote(out_dir) +
           " --point \"$SLURM_ARRAY_TASK_ID\"\n";
}

namespace {

// Runs `todo` as local child processes (`self --sweep FILE --out DIR --point I`), `jobs` at a
// time; returns how many failed (their output is echoed).
size_t run_local(const Sweep& s, const std::string& self, const std::string& file, const std::string& out_dir,
                 const std::vector<size_t>& todo, unsigned jobs) {
    const std::string dir = out_dir + "/" + s.name + ".points";
    fs::create_directories(dir);
    std::vector<std::vector<std::string>> cmds;
    std::vector<std::string> logs, names;
    for (size_t i : todo) {
        names.push_back("point " + std::to_string(i));
        cmds.push_back({self, "--sweep", file, "--out", out_dir, "--point", std::to_string(i)});
        logs.push_back(dir + "/point" + std::to_string(i) + ".log");
    }
    return run_processes(cmds, logs, names, jobs, [&](size_t k, int status) {
               return status == 0 && !point_result(s, out_dir, todo[k]).empty();
           }).size();
}

// Merges the existing results into DIR/<name>.csv (point order) and draws the figures;
// returns 1 (naming them) if points are missing.
int collect(const Sweep& s, const std::string& out_dir) {
    std::vector<std::string> rows(s.points.size());
    std::vector<size_t> missing;
    for (size_t i = 0; i < s.points.size(); ++i)
        if ((rows[i] = point_result(s, out_dir, i)).empty()) missing.push_back(i);
    if (missing.size() == s.points.size()) {  // nothing to merge or draw
        std::fprintf(stderr, "sweep %s: no point has a result yet\n", s.name.c_str());
        return 1;
    }
    std::printf("%s/%s.csv\n", out_dir.c_str(), s.name.c_str());
    if (s.program == SweepProgram::Explore) {
        for (const std::string& f : render_plots(s, sweep_csv(s, rows), out_dir)) std::printf("%s\n", f.c_str());
    } else {  // training: the CSV is the result (tables: stvp-plot --table; figures: stvp-plot on the JSON)
        const std::string path = out_dir + "/" + s.name + ".csv";
        std::ofstream f(path);
        if (!(f << training_csv(s, rows))) throw ExploreError(path + ": cannot write");
    }
    if (missing.empty()) return 0;
    std::fprintf(stderr, "sweep %s: %zu of %zu points have no result yet (points %s); the CSV has the others\n",
                 s.name.c_str(), missing.size(), s.points.size(), array_ranges(missing).c_str());
    return 1;
}

}  // namespace

int run_sweep_command(const SweepCommand& c, const char* argv0) {
    if (c.backend != "local" && c.backend != "slurm")
        throw ExploreError("--backend: '" + c.backend + "' is not local or slurm");
    if (c.point >= 0 && c.shards) throw ExploreError("--point and --shard: give one of them");
    if (c.collect && (c.point >= 0 || c.shards || c.list))
        throw ExploreError("--collect merges every point: no --point, --shard or --list with it");
    std::error_code ec;
    const std::string file = fs::weakly_canonical(c.file, ec).string();
    Sweep s = load_sweep(file);
    fs::create_directories(c.out_dir, ec);
    const std::string out_dir = fs::weakly_canonical(c.out_dir).string();
    const std::string self = self_path(argv0);
    if (c.collect) return collect(s, out_dir);
    const std::vector<size_t> sel = selected_points(s, c);
    if (c.list) {
        for (size_t i : sel) std::printf("%s\n", point_command(self, file, out_dir, i).c_str());
        return 0;
    }
    std::vector<size_t> todo;
    for (size_t i : sel)
        if (point_result(s, out_dir, i).empty()) todo.push_back(i);
    if (c.point >= 0) {  // one point in this process: what an array task or a listed command runs
        if (todo.empty()) {
            std::fprintf(stderr, "point %ld: done (%s)\n", c.point, point_result_path(s, out_dir, size_t(c.point)).c_str());
            return 0;
        }
        run_point(s, out_dir, size_t(c.point));
        return 0;
    }
    std::fprintf(stderr, "sweep %s: %zu points, %zu selected, %zu to run (%zu done)\n", s.name.c_str(),
                 s.points.size(), sel.size(), todo.size(), sel.size() - todo.size());
    if (c.backend == "slurm" && !todo.empty()) {
        const std::string script = out_dir + "/" + s.name + ".sbatch";
        fs::create_directories(out_dir + "/" + s.name + ".points");
        {
            std::ofstream f(script);
            if (!(f << slurm_script(s, self, file, out_dir, todo, c.max_running))) throw ExploreError(script + ": cannot write");
        }
        std::vector<std::string> args{"sbatch", "--parsable"};
        if (c.wait) args.push_back("--wait");
        args.insert(args.end(), c.sbatch_args.begin(), c.sbatch_args.end());
        args.push_back(script);
        std::string out;
        const int rc = run_program(args, &out);
        if (rc == 127) throw ExploreError("sbatch not found: the slurm backend needs Slurm's commands (slurm-client)");
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        if (rc != 0 && !c.wait) throw ExploreError("sbatch " + script + " failed (exit " + std::to_string(rc) + ")");
        std::fprintf(stderr, "sweep %s: submitted job array %s (%zu tasks, %s)\n", s.name.c_str(), out.c_str(),
                     todo.size(), script.c_str());
        if (!c.wait) {
            std::fprintf(stderr, "when it has finished: %s --sweep %s --out %s --collect\n", shell_quote(self).c_str(),
                         shell_quote(file).c_str(), shell_quote(out_dir).c_str());
            return 0;
        }
    } else if (!todo.empty()) {
        run_local(s, self, file, out_dir, todo, c.jobs);  // failures are echoed, then counted below
    }
    std::vector<size_t> missing;
    for (size_t i : sel)
        if (point_result(s, out_dir, i).empty()) missing.push_back(i);
    if (!missing.empty()) {
        std::fprintf(stderr, "sweep %s: points %s have no result\n", s.name.c_str(), array_ranges(missing).c_str());
        collect(s, out_dir);
        return 1;
    }
    for (size_t i = 0; i < s.points.size(); ++i)
        if (point_result(s, out_dir, i).empty()) {  // other shards still to run
            std::fprintf(stderr, "sweep %s: the selected points are done; merge all of them with --collect\n",
                         s.name.c_str());
            return 0;
        }
    return collect(s, out_dir);
}

}  // namespace stvp::explore
