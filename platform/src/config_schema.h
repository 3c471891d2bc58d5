// A typed schema over a YAML document: every configuration key is bound to a field of a
// plain struct, with a type, a documentation string and a check. Parsing rejects unknown
// keys, wrong types and impossible values with an error naming the file, the key and the
// reason; the same schema dumps the effective configuration and documents every key.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/config_keys.h"

namespace stvp {

// Where a configuration value comes from: a file (or "--set KEY", "<defaults>"), its line
// (0 = none) and the dotted key ("" = the file as a whole); a column for YAML syntax errors.
struct ConfigWhere {
    ConfigWhere() = default;
    ConfigWhere(std::string file_, int line_ = 0, std::string key_ = {}, int column_ = 0)
        : file(std::move(file_)), line(line_), key(std::move(key_)), column(column_) {}
    std::string file;
    int line = 0;
    std::string key;
    int column = 0;
};

// A configuration error as a value: where (file, line, key) and why. what() is the message
// every configuration error prints: "FILE[:LINE]: 'KEY': REASON".
class ConfigError : public std::runtime_error {
public:
    ConfigError(ConfigWhere where, std::string reason)
        : std::runtime_error(message(where, reason)), where_(std::move(where)), reason_(std::move(reason)) {}
    // An error about no one key of a file (a malformed command-line option, a whole-file problem).
    explicit ConfigError(const std::string& text) : std::runtime_error(text), reason_(text) {}

    const ConfigWhere& where() const { return where_; }
    const std::string& reason() const { return reason_; }

private:
    static std::string message(const ConfigWhere& w, const std::string& reason) {
        std::string m = w.file;
        if (w.line > 0) m += ":" + std::to_string(w.line);
        if (w.line > 0 && w.column > 0) m += ":" + std::to_string(w.column);
        if (!w.key.empty()) m += ": '" + w.key + "'";
        return m + ": " + reason;
    }
    ConfigWhere where_;
    std::string reason_;
};

class ConfigSchema {
public:
    // A check returns an empty string if the value is fine, or the reason it is not.
    template <class T>
    using Check = std::function<std::string(const T&)>;

    void bind(const std::string& key, bool* field, std::string doc);
    void bind(const std::string& key, uint64_t* field, std::string doc, Check<uint64_t> check = {});
    void bind(const std::string& key, uint32_t* field, std::string doc, Check<uint64_t> check = {});
    void bind(const std::string& key, double* field, std::string doc, Check<double> check = {});
    void bind(const std::string& key, std::string* field, std::string doc, Check<std::string> check = {});
    void bind(const std::string& key, std::vector<std::string>* field, std::string doc,
              Check<std::vector<std::string>> check = {});
    // One of a fixed set of names.
    void bind_enum(const std::string& key, std::string* field, std::vector<std::string> choices, std::string doc);
    // One of a fixed set of names, each standing for a value of the field's type (an enum).
    template <class E>
    void bind_choice(const std::string& key, E* field, std::vector<std::pair<std::string, E>> choices, std::string doc);
    // A byte size or address: an integer (decimal or 0x hex) or a string with a KiB/MiB/GiB suffix.
    void bind_size(const std::string& key, uint64_t* field, std::string doc, Check<uint64_t> check = {});

    // Reads a YAML document (already merged with overrides). `origin` names it in messages.
    void parse(const YAML::Node& root, const std::string& origin) const;

    // The effective configuration as YAML (every bound key, current value, doc as comment).
    std::string dump() const;
    // Key reference for --help-config.
    std::string reference() const;

    bool has_key(const std::string& key) const { return entries_.count(key) != 0; }
    // Every bound key, sorted.
    std::vector<std::string> keys() const;

    // Applies "key=value" to a YAML tree (creating maps on the way). Throws ConfigError if the
    // key is not in the schema or the text is malformed.
    void apply_override(YAML::Node& root, const std::string& assignment) const;

private:
    struct Entry {
        std::string doc;
        std::function<void(const YAML::Node&, const ConfigWhere& where)> read;
        std::function<std::string()> show;
    };
    // Every key needs a one-line documentation: a key bound without one is a programming
    // error (std::logic_error), as is a key bound twice.
    void add(const std::string& key, Entry e);
    static std::string scalar(const YAML::Node& n, const ConfigWhere& where, const char* what);
    std::map<std::string, Entry> entries_;  // by dotted key
};

// Binds the keys a model declares (common/config_keys.h) under a section of the schema:
//   SchemaKeys keys(schema, "accel");
//   declare_keys(keys, cfg.accel);
class SchemaKeys {
public:
    SchemaKeys(ConfigSchema& schema, std::string section) : schema_(&schema), section_(std::move(section)) {}
    SchemaKeys section(const std::string& name) const { return SchemaKeys(*schema_, key(name.c_str())); }

    void flag(const char* name, bool& field, const char* doc) { schema_->bind(key(name), &field, doc); }
    void integer(const char* name, uint32_t& field, uint64_t lo, uint64_t hi, const char* doc);
    void integer(const char* name, uint64_t& field, uint64_t lo, uint64_t hi, const char* doc);
    void real(const char* name, double& field, double lo, double hi, const char* doc);
    void whole(const char* name, double& field, double lo, double hi, const char* doc);
    void size(const char* name, uint64_t& field, uint64_t lo, uint64_t hi, uint64_t multiple, const char* doc);
    void power_of_two(const char* name, uint32_t& field, uint64_t lo, uint64_t hi, const char* doc);
    template <class E>
    void choice(const char* name, E& field, std::initializer_list<config::Choice<E>> choices, const char* doc) {
        std::vector<std::pair<std::string, E>> list;
        for (const config::Choice<E>& c : choices) list.emplace_back(c.name, c.value);
        schema_->bind_choice(key(name), &field, std::move(list), doc);
    }

private:
    std::string key(const char* name) const { return section_.empty() ? name : section_ + "." + name; }
    ConfigSchema* schema_;
    std::string section_;
};

template <class E>
void ConfigSchema::bind_choice(const std::string& key, E* field, std::vector<std::pair<std::string, E>> choices,
                               std::string doc) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c.first;
    add(key, {doc + " (one of: " + list + ")",
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  const std::string s = scalar(n, w, "a name");
                  for (const auto& c : choices)
                      if (c.first == s) {
                          *field = c.second;
                          return;
                      }
                  throw ConfigError(w, "'" + s + "' is not one of: " + list);
              },
              [=] {
                  for (const auto& c : choices)
                      if (c.second == *field) return c.first;
                  return std::string("?");
              }});
}

// Helpers for common checks.
namespace check {
ConfigSchema::Check<uint64_t> positive();
ConfigSchema::Check<uint64_t> range(uint64_t lo, uint64_t hi);
ConfigSchema::Check<uint64_t> power_of_two();
ConfigSchema::Check<double> positive_real();
ConfigSchema::Check<double> range_real(double lo, double hi);
}  // namespace check

// Loads a YAML file; errors name the file and line.
YAML::Node load_yaml_file(const std::string& path);

}  // namespace stvp
