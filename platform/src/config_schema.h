// A typed schema over a YAML document: every configuration key is bound to a field of a
// plain struct, with a type, a documentation string and a check. Parsing rejects unknown
// keys, wrong types and impossible values with an error naming the file, the key and the
// reason; the same schema dumps the effective configuration and documents every key.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace stvp {

// A configuration error: message already names file, key and reason.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
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
    // A byte size or address: an integer (decimal or 0x hex) or a string with a KiB/MiB/GiB suffix.
    void bind_size(const std::string& key, uint64_t* field, std::string doc, Check<uint64_t> check = {});

    // Reads a YAML document (already merged with overrides). `origin` names it in messages.
    void parse(const YAML::Node& root, const std::string& origin) const;

    // The effective configuration as YAML (every bound key, current value, doc as comment).
    std::string dump() const;
    // Key reference for --help-config.
    std::string reference() const;

    bool has_key(const std::string& key) const { return entries_.count(key) != 0; }

    // Applies "key=value" to a YAML tree (creating maps on the way). Throws ConfigError if the
    // key is not in the schema or the text is malformed.
    void apply_override(YAML::Node& root, const std::string& assignment) const;

private:
    struct Entry {
        std::string doc;
        std::function<void(const YAML::Node&, const std::string& where)> read;
        std::function<std::string()> show;
    };
    void add(const std::string& key, Entry e);
    std::map<std::string, Entry> entries_;  // by dotted key
};

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
