// How a model declares its configuration keys, once, next to its config struct.
//
// A model writes one function template per config struct,
//   template <class Keys> void declare_keys(Keys& k, MyConfig& c);
// that names every configurable field with its key (below the model's YAML section), its
// range or choices and a one-line documentation; the field's default is the struct's own
// initializer. Whoever walks the declaration supplies `Keys`:
//   - the platform binds each key into its YAML schema (platform/src/config_schema.h,
//     SchemaKeys): parsing, --set, --help-config and the effective configuration;
//   - RangeCheck (below) checks a struct's values against the declared ranges, so a model's
//     validate() does not restate them.
// The calls a declaration may make:
//   k.flag(name, bool&, doc)
//   k.integer(name, uint32_t& | uint64_t&, lo, hi, doc)
//   k.real(name, double&, lo, hi, doc)
//   k.whole(name, double&, lo, hi, doc)              a real that must be a whole number (a rate in Hz)
//   k.size(name, uint64_t&, lo, hi, multiple, doc)   bytes; YAML may say 64KiB
//   k.power_of_two(name, uint32_t&, lo, hi, doc)
//   k.choice(name, Enum&, {{"name", Enum::X}, ...}, doc)
//   auto sub = k.section(name); declare_keys(sub, c.part);
// SystemC-free and header-only.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace stvp::config {

// A configuration problem as a value: the key (dotted, relative to the struct that found it)
// and why. Whoever knows the section and the file adds them (Problem::in, ConfigError).
struct Problem {
    std::string key;     // "" = no problem
    std::string reason;  // "0 outside 1..1024"

    bool ok() const { return key.empty(); }
    // The form of the models' validate() strings: "<key> <reason>".
    std::string text() const { return ok() ? std::string() : key + " " + reason; }
    // The same problem seen from the enclosing section.
    Problem in(const std::string& section) const { return ok() ? *this : Problem{section + "." + key, reason}; }
};

template <class E>
struct Choice {
    const char* name;
    E value;
};

// Why a value declared with whole() is refused.
inline constexpr const char* kWholeRule = "must be a whole number";

// Walks a declaration and records the first value outside its declared range.
class RangeCheck {
public:
    explicit RangeCheck(Problem& out, std::string prefix = {}) : out_(&out), prefix_(std::move(prefix)) {}

    RangeCheck section(const std::string& name) const { return RangeCheck(*out_, key(name.c_str())); }

    void flag(const char*, const bool&, const char*) {}
    template <class T>
    void integer(const char* name, const T& v, uint64_t lo, uint64_t hi, const char*) {
        if (uint64_t(v) < lo || uint64_t(v) > hi)
            report(name, std::to_string(v) + " outside " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    void real(const char* name, const double& v, double lo, double hi, const char*) {
        if (!(v >= lo && v <= hi && std::isfinite(v))) report(name, num(v) + " outside " + num(lo) + ".." + num(hi));
    }
    void whole(const char* name, const double& v, double lo, double hi, const char* doc) {
        real(name, v, lo, hi, doc);
        if (v != std::floor(v)) report(name, num(v) + " " + kWholeRule);
    }
    void size(const char* name, const uint64_t& v, uint64_t lo, uint64_t hi, uint64_t multiple, const char*) {
        if (v < lo || v > hi || v % multiple) report(name, std::to_string(v) + " " + size_rule(lo, hi, multiple));
    }
    void power_of_two(const char* name, const uint32_t& v, uint64_t lo, uint64_t hi, const char* doc) {
        integer(name, v, lo, hi, doc);
        if (v & (v - 1)) report(name, std::to_string(v) + " must be a power of two");
    }
    template <class E>
    void choice(const char* name, const E& v, std::initializer_list<Choice<E>> choices, const char*) {
        for (const Choice<E>& c : choices)
            if (c.value == v) return;
        report(name, std::to_string(static_cast<long long>(v)) + " unknown");
    }

    // "must be a multiple of 4 between 4 and 1 GiB": the rule of a declared size.
    static std::string size_rule(uint64_t lo, uint64_t hi, uint64_t multiple) {
        std::string s = "must be ";
        if (multiple > 1) s += "a multiple of " + std::to_string(multiple) + " ";
        return s + "between " + bytes(lo) + " and " + bytes(hi);
    }

private:
    static std::string num(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }
    static std::string bytes(uint64_t v) {
        const std::pair<uint64_t, const char*> units[] = {{1ull << 30, " GiB"}, {1ull << 20, " MiB"}, {1ull << 10, " KiB"}};
        for (const auto& [u, name] : units)
            if (v >= u && v % u == 0) return std::to_string(v / u) + name;
        return std::to_string(v);
    }
    std::string key(const char* name) const { return prefix_.empty() ? name : prefix_ + "." + name; }
    void report(const char* name, std::string reason) {
        if (out_->ok()) *out_ = Problem{key(name), std::move(reason)};
    }
    Problem* out_;
    std::string prefix_;
};

// The first value of `c` outside its declaration (declare_keys found by argument lookup).
template <class S>
Problem check_ranges(S c) {
    Problem p;
    RangeCheck r(p);
    declare_keys(r, c);
    return p;
}

}  // namespace stvp::config
