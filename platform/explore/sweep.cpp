#include "sweep.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "estimate_io.h"
#include "network.h"
#include "svg_plot.h"

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

Sweep parse_sweep(const YAML::Node& root, const std::string& origin, const std::string& dir) {
    if (!root.IsMap()) throw ExploreError(origin + ": not a YAML map");
    for (const auto& kv : root) {
        const std::string k = scalar_text(kv.first, origin + ": a key");
        if (k != "name" && k != "preset" && k != "network" && k != "set" && k != "grid" && k != "plots")
            throw ExploreError(origin + ": " + k + ": unknown key (name, preset, network, set, grid, plots)");
    }
    Sweep s;
    s.name = root["name"] ? scalar_text(root["name"], origin + ": name") : fs::path(origin).stem().string();
    SweepPoint base;
    if (root["preset"]) base.preset = resolve(dir, scalar_text(root["preset"], origin + ": preset"));
    if (root["network"]) base.network = resolve(dir, scalar_text(root["network"], origin + ": network"));
    if (const YAML::Node set = root["set"]) {
        if (!set.IsSequence()) throw ExploreError(origin + ": set: must be a list of key=value");
        for (size_t i = 0; i < set.size(); ++i) {
            const std::string a = scalar_text(set[i], origin + ": set[" + std::to_string(i) + "]");
            if (a.find('=') == std::string::npos || a[0] == '=')
                throw ExploreError(origin + ": set[" + std::to_string(i) + "]: '" + a + "' is not key=value");
            base.sets.push_back(a);
        }
    }
    std::vector<std::pair<std::string, std::vector<std::string>>> axes;
    if (const YAML::Node grid = root["grid"]) {
        if (!grid.IsMap()) throw ExploreError(origin + ": grid: must be a map of key: [values]");
        for (const auto& kv : grid) {
            const std::string k = scalar_text(kv.first, origin + ": grid: a key");
            const std::string where = origin + ": grid." + k;
            std::vector<std::string> vals;
            if (kv.second.IsSequence()) {
                for (size_t i = 0; i < kv.second.size(); ++i) vals.push_back(scalar_text(kv.second[i], where));
            } else {
                vals.push_back(scalar_text(kv.second, where));
            }
            if (vals.empty()) throw ExploreError(where + ": no values");
            axes.emplace_back(k, vals);
            s.keys.push_back(k);
        }
    }
    // Cartesian product, last axis fastest.
    // Checked after every axis: a product over many axes could wrap and pass.
    size_t total = 1;
    for (const auto& a : axes) {
        total *= a.second.size();
        if (total > 100000) throw ExploreError(origin + ": grid: more than 100000 points");
    }
    for (size_t p = 0; p < total; ++p) {
        SweepPoint pt = base;
        size_t rest = p;
        std::vector<std::pair<std::string, std::string>> vals(axes.size());
        for (size_t a = axes.size(); a-- > 0;) {
            const auto& ax = axes[a];
            vals[a] = {ax.first, ax.second[rest % ax.second.size()]};
            rest /= ax.second.size();
        }
        for (const auto& [k, v] : vals) {
            if (k == "preset") pt.preset = resolve(dir, v);
            else if (k == "network") pt.network = resolve(dir, v);
            else pt.sets.push_back(k + "=" + v);
        }
        pt.values = vals;
        if (pt.network.empty()) throw ExploreError(origin + ": network: missing (top level or grid)");
        s.points.push_back(pt);
    }
    if (const YAML::Node plots = root["plots"]) {
        if (!plots.IsSequence()) throw ExploreError(origin + ": plots: must be a list");
        for (size_t i = 0; i < plots.size(); ++i) {
            const std::string where = origin + ": plots[" + std::to_string(i) + "]";
            PlotSpec ps;
            for (const auto& kv : plots[i]) {
                const std::string k = scalar_text(kv.first, where + ": a key"), v = scalar_text(kv.second, where + "." + k);
                if (k == "kind") ps.kind = v;
                else if (k == "x") ps.x = v;
                else if (k == "y") ps.y = v;
                else if (k == "series") ps.series = v;
                else if (k == "label") ps.label = v;
                else if (k == "title") ps.title = v;
                else throw ExploreError(where + "." + k + ": unknown key (kind, x, y, series, label, title)");
            }
            if (ps.kind != "line" && ps.kind != "energy" && ps.kind != "bar")
                throw ExploreError(where + ".kind: '" + ps.kind + "' is not line, energy or bar");
            if (ps.kind == "line" && (ps.x.empty() || ps.y.empty()))
                throw ExploreError(where + ": a line plot needs x and y");
            if (ps.kind == "bar" && ps.y.empty()) throw ExploreError(where + ": a bar plot needs y");
            s.plots.push_back(ps);
        }
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
    return parse_sweep(root, path, fs::path(path).parent_path().string());
}

std::vector<std::string> run_points(const std::vector<SweepPoint>& points, unsigned jobs, const std::string& self,
                                    const std::string& tmp_dir) {
    fs::create_directories(tmp_dir);
    std::vector<std::string> rows(points.size());
    std::map<pid_t, size_t> running;
    size_t next = 0, done = 0, failed = 0;
    const bool tty = isatty(2);
    auto progress = [&]() {
        const int width = 40, filled = points.empty() ? width : int(width * done / points.size());
        std::fprintf(stderr, "%s[%s%s] %zu/%zu points%s%s", tty ? "\r" : "", std::string(size_t(filled), '#').c_str(),
                     std::string(size_t(width - filled), '.').c_str(), done, points.size(),
                     failed ? (", " + std::to_string(failed) + " failed").c_str() : "", tty ? "" : "\n");
        std::fflush(stderr);
    };
    auto file = [&](size_t i, const char* ext) { return tmp_dir + "/point" + std::to_string(i) + ext; };
    progress();
    while (done < points.size()) {
        while (next < points.size() && running.size() < jobs) {
            const SweepPoint& p = points[next];
            std::vector<std::string> args{self, "--network", p.network, "--summary", file(next, ".csv")};
            if (!p.preset.empty()) args.insert(args.end(), {"--preset", p.preset});
            for (const std::string& s : p.sets) args.insert(args.end(), {"--set", s});
            const std::string out = file(next, ".log");
            const pid_t pid = fork();
            if (pid == 0) {
                // Child: its table and errors go to the point's log.
                if (!std::freopen(out.c_str(), "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(127);
                std::vector<char*> argv;
                for (std::string& a : args) argv.push_back(a.data());
                argv.push_back(nullptr);
                execv(self.c_str(), argv.data());
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
        std::ifstream f(file(i, ".csv"));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && f && std::getline(f, rows[i])) {
        } else {
            ++failed;
            rows[i].clear();
            std::ifstream log(file(i, ".log"));
            std::fprintf(stderr, "%spoint %zu failed:\n%s", tty ? "\n" : "", i,
                         std::string(std::istreambuf_iterator<char>(log), {}).c_str());
        }
        progress();
    }
    if (tty) std::fprintf(stderr, "\n");
    return rows;
}

std::string sweep_csv(const Sweep& s, const std::vector<std::string>& rows) {
    std::string out;
    for (const std::string& k : s.keys) out += k + ",";
    out += summary_csv_header() + "\n";
    for (size_t i = 0; i < rows.size() && i < s.points.size(); ++i) {
        if (rows[i].empty()) continue;
        for (const auto& kv : s.points[i].values) out += kv.second + ",";
        out += rows[i] + "\n";
    }
    return out;
}

namespace {

// Column lookup over the CSV written by sweep_csv.
struct Table {
    std::vector<std::string> head;
    std::vector<std::vector<std::string>> rows;
    int col(const std::string& name) const {
        for (size_t i = 0; i < head.size(); ++i)
            if (head[i] == name) return int(i);
        throw ExploreError("plot: no column '" + name + "'");
    }
};
Table table(const std::string& csv) {
    Table t;
    std::stringstream ss(csv);
    std::string line;
    std::getline(ss, line);
    t.head = split_csv(line);
    while (std::getline(ss, line))
        if (!line.empty()) t.rows.push_back(split_csv(line));
    return t;
}
std::string pretty(const std::string& col) {
    static const std::map<std::string, std::string> names{
        {"speedup", "speedup vs dense (same array)"}, {"energy_ratio", "energy ratio (dense / sparse)"},
        {"utilisation", "MAC utilisation"},           {"weight_density", "weight density"},
        {"act_density", "activation density"},        {"prune_rate", "gradient prune rate"},
        {"accel.rows", "PE rows"},                    {"accel.gb_bytes", "global buffer bytes"},
        {"dram.bandwidth_gbps", "DRAM GB/s"},         {"accel.gb_bytes_per_cycle", "GB port bytes/cycle"}};
    auto it = names.find(col);
    return it == names.end() ? col : it->second;
}

}  // namespace

std::vector<std::string> render_plots(const Sweep& s, const std::string& csv, const std::string& out_dir) {
    std::vector<std::string> files;
    const Table t = table(csv);
    for (size_t pi = 0; pi < s.plots.size(); ++pi) {
        const PlotSpec& p = s.plots[pi];
        std::string svg;
        auto label_of = [&](const std::vector<std::string>& r) {
            if (!p.label.empty()) return r[size_t(t.col(p.label))];
            std::string l;
            for (size_t k = 0; k < s.keys.size(); ++k) l += (k ? " " : "") + r[k];
            return l;
        };
        if (p.kind == "line") {
            std::vector<Series> series;
            std::map<std::string, size_t> index;
            for (const auto& r : t.rows) {
                // Legend entries carry the series key unless it is the scheme name.
                const std::string name = p.series.empty()      ? p.y
                                         : p.series == "scheme" ? r[size_t(t.col(p.series))]
                                                                : pretty(p.series) + " " + r[size_t(t.col(p.series))];
                if (!index.count(name)) index[name] = series.size(), series.push_back({name, {}});
                series[index[name]].points.emplace_back(std::atof(r[size_t(t.col(p.x))].c_str()),
                                                        std::atof(r[size_t(t.col(p.y))].c_str()));
            }
            std::vector<std::pair<double, std::string>> ref;
            if (p.y == "speedup" || p.y == "energy_ratio") ref.emplace_back(1.0, "dense");
            svg = svg_lines(p.title, pretty(p.x), pretty(p.y), series, ref);
        } else if (p.kind == "energy") {
            std::vector<std::string> labels;
            std::vector<std::vector<double>> vals;
            for (const auto& r : t.rows) {
                labels.push_back(label_of(r));
                std::vector<double> v;
                for (const char* c : {"pe_uj", "rf_uj", "gb_uj", "dram_uj", "sparse_uj"})
                    v.push_back(std::atof(r[size_t(t.col(c))].c_str()) * 1e-3);
                vals.push_back(v);
            }
            svg = svg_stacked_bars(p.title, "energy per iteration (mJ)", labels,
                                   {"PE (MACs)", "register files", "global buffer", "DRAM", "sparse units"}, vals);
        } else {
            std::vector<std::string> labels;
            std::vector<std::vector<double>> vals;
            for (const auto& r : t.rows) {
                labels.push_back(label_of(r));
                vals.push_back({std::atof(r[size_t(t.col(p.y))].c_str())});
            }
            svg = svg_stacked_bars(p.title, pretty(p.y), labels, {pretty(p.y)}, vals);
        }
        const std::string path = out_dir + "/" + s.name + "_" + std::to_string(pi + 1) + "_" + p.kind + ".svg";
        std::ofstream f(path);
        if (!f) throw ExploreError(path + ": cannot write");
        f << svg;
        files.push_back(path);
    }
    return files;
}

int run_sweep(const std::string& path, const std::string& out_dir_arg, unsigned jobs, const char* self_arg) {
    const Sweep s = load_sweep(path);
    const std::string out_dir = out_dir_arg.empty() ? "." : out_dir_arg;
    fs::create_directories(out_dir);
    std::error_code ec;
    std::string self = fs::canonical("/proc/self/exe", ec).string();
    if (ec) self = self_arg;
    std::fprintf(stderr, "sweep %s: %zu points, %u processes\n", s.name.c_str(), s.points.size(), jobs);
    const std::string tmp = out_dir + "/." + s.name + ".points";
    const std::vector<std::string> rows = run_points(s.points, jobs, self, tmp);
    fs::remove_all(tmp, ec);
    const std::string csv = sweep_csv(s, rows);
    const std::string csv_path = out_dir + "/" + s.name + ".csv";
    std::ofstream(csv_path) << csv;
    std::printf("%s\n", csv_path.c_str());
    for (const std::string& f : render_plots(s, csv, out_dir)) std::printf("%s\n", f.c_str());
    for (const std::string& r : rows)
        if (r.empty()) return 1;
    return 0;
}

}  // namespace stvp::explore
