// A small VCD reader for tests: variables by full dotted name (scopes joined with '.'), their
// value changes with times (in timescale units), and the $dumpoff/$dumpon times.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace stvp::test {

struct VcdVar {
    std::string type;  // wire, real
    unsigned width = 0;
    std::vector<std::pair<uint64_t, std::string>> changes;  // (time, value text: "1", "b101", "r0.5", "x")
    std::vector<bool> dumped;  // per change: listed in a $dumpvars/$dumpon/$dumpoff block
};

struct Vcd {
    std::string timescale;
    std::map<std::string, VcdVar> vars;  // by full name
    std::vector<uint64_t> dumpoff, dumpon;
    uint64_t last_time = 0;
    bool ok = false;
    std::string error;

    const VcdVar* var(const std::string& name) const {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : &it->second;
    }
    // Times at which `name` changes to `value` (binary vectors as "b..." with leading zeros
    // dropped); values listed in $dumpvars/$dumpon/$dumpoff blocks count only with `dumps`.
    std::vector<uint64_t> times(const std::string& name, const std::string& value, bool dumps = false) const {
        std::vector<uint64_t> t;
        if (const VcdVar* v = var(name))
            for (std::size_t i = 0; i < v->changes.size(); ++i)
                if (v->changes[i].second == value && (dumps || !v->dumped[i])) t.push_back(v->changes[i].first);
        return t;
    }
    // Value at time t (the last change at or before t), "" if none.
    std::string at(const std::string& name, uint64_t t) const {
        std::string out;
        if (const VcdVar* v = var(name))
            for (auto& [when, val] : v->changes)
                if (when <= t) out = val;
        return out;
    }
};

inline Vcd read_vcd(const std::string& path) {
    Vcd vcd;
    std::ifstream f(path);
    if (!f) {
        vcd.error = "cannot open " + path;
        return vcd;
    }
    std::map<std::string, std::string> by_code;  // code -> full name
    std::vector<std::string> scope;
    std::string tok;
    uint64_t now = 0;
    bool defs = true;
    std::string block;  // inside $dumpvars/$dumpon/$dumpoff
    while (f >> tok) {
        if (defs) {
            if (tok == "$timescale") {
                std::string a, b;
                f >> a;
                if (a.find_first_not_of("0123456789") == std::string::npos) {
                    f >> b;
                    a += " " + b;
                }
                vcd.timescale = a;
                f >> tok;  // $end
            } else if (tok == "$scope") {
                std::string kind, name, end;
                f >> kind >> name >> end;
                scope.push_back(name);
            } else if (tok == "$upscope") {
                f >> tok;
                if (!scope.empty()) scope.pop_back();
            } else if (tok == "$var") {
                std::string type, code, name, rest;
                unsigned width;
                f >> type >> width >> code >> name;
                while (f >> rest && rest != "$end") {
                }  // an optional range: "[31:0]"
                std::string full;
                for (auto& s : scope) full += s + ".";
                full += name;
                vcd.vars[full].type = type;
                vcd.vars[full].width = width;
                by_code[code] = full;
            } else if (tok == "$enddefinitions") {
                f >> tok;
                defs = false;
            } else if (tok[0] == '$') {
                while (f >> tok && tok != "$end") {
                }
            }
            continue;
        }
        if (tok[0] == '#') {
            now = std::stoull(tok.substr(1));
            vcd.last_time = now;
        } else if (tok == "$dumpvars" || tok == "$dumpon" || tok == "$dumpoff") {
            block = tok;
            if (tok == "$dumpoff") vcd.dumpoff.push_back(now);
            if (tok == "$dumpon") vcd.dumpon.push_back(now);
        } else if (tok == "$end") {
            block.clear();
        } else if (tok[0] == 'b' || tok[0] == 'B' || tok[0] == 'r' || tok[0] == 'R') {
            std::string code;
            f >> code;
            auto it = by_code.find(code);
            if (it == by_code.end()) {
                vcd.error = "unknown code " + code;
                return vcd;
            }
            std::string v = tok;
            if (v[0] == 'b' && v.size() > 2) {  // normalise: no leading zeros
                const auto one = v.find_first_not_of('0', 1);
                v = one == std::string::npos ? "b0" : "b" + v.substr(one);
            }
            vcd.vars[it->second].changes.emplace_back(now, v == "bx" ? "x" : v);
            vcd.vars[it->second].dumped.push_back(!block.empty());
        } else {
            const std::string code = tok.substr(1);
            auto it = by_code.find(code);
            if (it == by_code.end()) {
                vcd.error = "unknown code " + code;
                return vcd;
            }
            vcd.vars[it->second].changes.emplace_back(now, tok.substr(0, 1));
            vcd.vars[it->second].dumped.push_back(!block.empty());
        }
    }
    vcd.ok = true;
    return vcd;
}

// Binary text of a value as the reader normalises it ("b101").
inline std::string bin(uint64_t v) {
    std::string s;
    do {
        s.insert(s.begin(), char('0' + (v & 1)));
        v >>= 1;
    } while (v);
    return "b" + s;
}

}  // namespace stvp::test
