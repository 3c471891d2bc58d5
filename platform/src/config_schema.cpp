#include "config_schema.h"

#include "file_bytes.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace stvp {

namespace {

ConfigWhere where_of(const YAML::Node& n, const std::string& origin, const std::string& key) {
    return {origin, n.Mark().line >= 0 ? n.Mark().line + 1 : 0, key};
}

[[noreturn]] void fail(const ConfigWhere& where, const std::string& reason) { throw ConfigError(where, reason); }

std::string scalar_of(const YAML::Node& n, const ConfigWhere& where, const char* what) {
    if (!n.IsScalar()) fail(where, std::string("expected ") + what + ", got a " + (n.IsMap() ? "map" : n.IsSequence() ? "list" : "null"));
    return n.Scalar();
}

bool parse_u64(const std::string& s, uint64_t& out) {
    if (s.empty() || s[0] == '-' || s[0] == '+') return false;
    std::string t;
    for (char c : s)
        if (c != '_') t += c;  // allow 0x8000_0000
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(t.c_str(), &end, 0);
    if (errno || !end || *end) {
        // Allow integral values written in exponent form, e.g. 500e6.
        char* end2 = nullptr;
        double d = std::strtod(t.c_str(), &end2);
        if (!end2 || *end2 || !(d >= 0) || d > 1.8e19 || std::floor(d) != d) return false;
        out = static_cast<uint64_t>(d);
        return true;
    }
    out = v;
    return true;
}

std::string hex(uint64_t v) {
    std::ostringstream o;
    o << "0x" << std::hex << v;
    return o.str();
}

}  // namespace

std::string ConfigSchema::scalar(const YAML::Node& n, const ConfigWhere& where, const char* what) {
    return scalar_of(n, where, what);
}

void ConfigSchema::add(const std::string& key, Entry e) {
    if (entries_.count(key)) throw std::logic_error("config key bound twice: " + key);
    if (e.doc.empty() || e.doc.find('\n') != std::string::npos)
        throw std::logic_error("config key " + key + " needs a one-line documentation");
    entries_[key] = std::move(e);
}

void ConfigSchema::bind(const std::string& key, bool* field, std::string doc) {
    add(key, {std::move(doc),
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::string s = scalar_of(n, w, "true or false");
                  if (s == "true" || s == "on" || s == "yes") *field = true;
                  else if (s == "false" || s == "off" || s == "no") *field = false;
                  else fail(w, "expected true or false, got '" + s + "'");
              },
              [=] { return std::string(*field ? "true" : "false"); }});
}

void ConfigSchema::bind(const std::string& key, uint64_t* field, std::string doc, Check<uint64_t> check) {
    add(key, {std::move(doc),
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::string s = scalar_of(n, w, "a non-negative integer");
                  uint64_t v;
                  if (!parse_u64(s, v)) fail(w, "expected a non-negative integer, got '" + s + "'");
                  if (check) {
                      std::string why = check(v);
                      if (!why.empty()) fail(w, why + " (got " + s + ")");
                  }
                  *field = v;
              },
              [=] { return std::to_string(*field); }});
}

void ConfigSchema::bind(const std::string& key, uint32_t* field, std::string doc, Check<uint64_t> check) {
    add(key, {std::move(doc),
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::string s = scalar_of(n, w, "a non-negative integer");
                  uint64_t v;
                  if (!parse_u64(s, v)) fail(w, "expected a non-negative integer, got '" + s + "'");
                  if (v > 0xffffffffull) fail(w, "value " + s + " does not fit in 32 bits");
                  if (check) {
                      std::string why = check(v);
                      if (!why.empty()) fail(w, why + " (got " + s + ")");
                  }
                  *field = static_cast<uint32_t>(v);
              },
              [=] { return std::to_string(*field); }});
}

void ConfigSchema::bind(const std::string& key, double* field, std::string doc, Check<double> check) {
    add(key, {std::move(doc),
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::string s = scalar_of(n, w, "a number");
                  char* end = nullptr;
                  double v = std::strtod(s.c_str(), &end);
                  if (s.empty() || !end || *end || !std::isfinite(v)) fail(w, "expected a number, got '" + s + "'");
                  if (check) {
                      std::string why = check(v);
                      if (!why.empty()) fail(w, why + " (got " + s + ")");
                  }
                  *field = v;
              },
              [=] {
                  std::ostringstream o;
                  o.precision(12);
                  o << *field;
                  return o.str();
              }});
}

void ConfigSchema::bind(const std::string& key, std::string* field, std::string doc, Check<std::string> check) {
    add(key, {std::move(doc),
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::string s = n.IsNull() ? std::string() : scalar_of(n, w, "a string");
                  if (check) {
                      std::string why = check(s);
                      if (!why.empty()) fail(w, why + " (got '" + s + "')");
                  }
                  *field = s;
              },
              [=] { return "\"" + *field + "\""; }});
}

void ConfigSchema::bind(const std::string& key, std::vector<std::string>* field, std::string doc,
                        Check<std::vector<std::string>> check) {
    add(key, {std::move(doc),
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::vector<std::string> out;
                  if (n.IsNull()) {
                  } else if (n.IsSequence()) {
                      for (const auto& e : n) out.push_back(scalar_of(e, w, "a list of strings"));
                  } else {
                      fail(w, "expected a list of strings");
                  }
                  if (check)
                      if (std::string why = check(out); !why.empty()) fail(w, why);
                  *field = out;
              },
              [=] {
                  std::string s = "[";
                  for (size_t i = 0; i < field->size(); ++i) s += (i ? ", \"" : "\"") + (*field)[i] + "\"";
                  return s + "]";
              }});
}

void ConfigSchema::bind_enum(const std::string& key, std::string* field, std::vector<std::string> choices,
                             std::string doc) {
    std::string list;
    for (auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    add(key, {doc + " (one of: " + list + ")",
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::string s = scalar_of(n, w, "a name");
                  for (auto& c : choices)
                      if (c == s) {
                          *field = s;
                          return;
                      }
                  fail(w, "'" + s + "' is not one of: " + list);
              },
              [=] { return *field; }});
}

void ConfigSchema::bind_size(const std::string& key, uint64_t* field, std::string doc, Check<uint64_t> check) {
    add(key, {std::move(doc),
              [=](const YAML::Node& n, const ConfigWhere& w) {
                  std::string s = scalar_of(n, w, "a size");
                  std::string num = s;
                  uint64_t mult = 1;
                  static const std::pair<const char*, uint64_t> suffixes[] = {
                      {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"B", 1}};
                  for (auto& [suf, m] : suffixes) {
                      std::string sf = suf;
                      if (s.size() > sf.size() && s.compare(s.size() - sf.size(), sf.size(), sf) == 0) {
                          num = s.substr(0, s.size() - sf.size());
                          while (!num.empty() && num.back() == ' ') num.pop_back();
                          mult = m;
                          break;
                      }
                  }
                  uint64_t v;
                  if (!parse_u64(num, v) || (v && mult > UINT64_MAX / v))
                      fail(w, "expected a size such as 4096, 0x1000, 64KiB or 512MiB, got '" + s + "'");
                  v *= mult;
                  if (check) {
                      std::string why = check(v);
                      if (!why.empty()) fail(w, why + " (got " + s + ")");
                  }
                  *field = v;
              },
              [=] { return hex(*field); }});
}

void ConfigSchema::parse(const YAML::Node& root, const std::string& origin) const {
    if (!root || root.IsNull()) return;
    if (!root.IsMap()) fail({origin, 0, ""}, "the top level must be a map of sections");
    // Walk the document: every leaf must be a bound key; every bound key found is read.
    std::function<void(const YAML::Node&, const std::string&)> walk = [&](const YAML::Node& node,
                                                                          const std::string& prefix) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (!it->first.IsScalar())
                fail(where_of(it->first, origin, prefix.empty() ? "(top level)" : prefix),
                     std::string("a key must be a plain name, got a ") + (it->first.IsMap() ? "map" : "list"));
            std::string name = it->first.as<std::string>();
            std::string key = prefix.empty() ? name : prefix + "." + name;
            auto e = entries_.find(key);
            if (e != entries_.end()) {
                e->second.read(it->second, where_of(it->second, origin, key));
                continue;
            }
            // A section: some bound key starts with "key."
            auto lb = entries_.lower_bound(key + ".");
            bool is_section = lb != entries_.end() && lb->first.compare(0, key.size() + 1, key + ".") == 0;
            if (!is_section) fail(where_of(it->first, origin, key), "unknown key");
            if (!it->second.IsMap()) {
                if (it->second.IsNull()) continue;  // an empty section
                fail(where_of(it->second, origin, key), "expected a map (a section of keys)");
            }
            walk(it->second, key);
        }
    };
    walk(root, "");
}

std::string ConfigSchema::dump() const {
    // Nested YAML from the dotted keys (entries_ is sorted, so sections group together).
    std::ostringstream out;
    std::vector<std::string> open;
    for (const auto& [key, e] : entries_) {
        std::vector<std::string> parts;
        std::stringstream ss(key);
        for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
        size_t common = 0;
        while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
        open.resize(common);
        for (size_t i = common; i + 1 < parts.size(); ++i) {
            out << std::string(2 * i, ' ') << parts[i] << ":\n";
            open.push_back(parts[i]);
        }
        out << std::string(2 * (parts.size() - 1), ' ') << parts.back() << ": " << e.show() << "\n";
    }
    return out.str();
}

std::vector<std::string> ConfigSchema::keys() const {
    std::vector<std::string> out;
    for (const auto& [key, e] : entries_) out.push_back(key);
    return out;
}

std::string ConfigSchema::reference() const {
    std::ostringstream out;
    for (const auto& [key, e] : entries_) out << "  " << key << " (default " << e.show() << ")\n      " << e.doc << "\n";
    return out.str();
}

void ConfigSchema::apply_override(YAML::Node& root, const std::string& assignment) const {
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw ConfigError({"--set '" + assignment + "'"}, "expected key=value");
    std::string key = assignment.substr(0, eq);
    std::string value = assignment.substr(eq + 1);
    if (!entries_.count(key)) throw ConfigError({"--set '" + assignment + "'"}, "unknown key '" + key + "'");
    YAML::Node parsed;
    try {
        parsed = YAML::Load(value);
    } catch (const YAML::Exception& ex) {
        throw ConfigError({"--set '" + assignment + "'"}, "malformed value: " + ex.msg);
    }
    if (!root || !root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
    std::vector<std::string> parts;
    std::stringstream ss(key);
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    // yaml-cpp nodes are handles: walk by reassignment.
    std::vector<YAML::Node> chain{root};
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        YAML::Node next = chain.back()[parts[i]];
        if (!next.IsMap()) next = YAML::Node(YAML::NodeType::Map);
        chain.back()[parts[i]] = next;
        chain.push_back(chain.back()[parts[i]]);
    }
    chain.back()[parts.back()] = parsed;
}

void SchemaKeys::integer(const char* name, uint32_t& field, uint64_t lo, uint64_t hi, const char* doc) {
    schema_->bind(key(name), &field, doc, check::range(lo, hi));
}

void SchemaKeys::integer(const char* name, uint64_t& field, uint64_t lo, uint64_t hi, const char* doc) {
    schema_->bind(key(name), &field, doc, check::range(lo, hi));
}

void SchemaKeys::real(const char* name, double& field, double lo, double hi, const char* doc) {
    schema_->bind(key(name), &field, doc, check::range_real(lo, hi));
}

void SchemaKeys::whole(const char* name, double& field, double lo, double hi, const char* doc) {
    schema_->bind(key(name), &field, doc, [range = check::range_real(lo, hi)](const double& v) {
        const std::string why = range(v);
        return why.empty() && v != std::floor(v) ? std::string(config::kWholeRule) : why;
    });
}

void SchemaKeys::size(const char* name, uint64_t& field, uint64_t lo, uint64_t hi, uint64_t multiple, const char* doc) {
    schema_->bind_size(key(name), &field, doc, [=](const uint64_t& v) {
        return (v < lo || v > hi || v % multiple) ? config::RangeCheck::size_rule(lo, hi, multiple) : std::string();
    });
}

void SchemaKeys::power_of_two(const char* name, uint32_t& field, uint64_t lo, uint64_t hi, const char* doc) {
    schema_->bind(key(name), &field, doc, [range = check::range(lo, hi), pow2 = check::power_of_two()](const uint64_t& v) {
        const std::string why = range(v);
        return why.empty() ? pow2(v) : why;
    });
}

namespace check {
ConfigSchema::Check<uint64_t> positive() {
    return [](const uint64_t& v) { return v > 0 ? std::string() : std::string("must be greater than 0"); };
}
ConfigSchema::Check<uint64_t> range(uint64_t lo, uint64_t hi) {
    return [=](const uint64_t& v) {
        return (v >= lo && v <= hi) ? std::string()
                                    : "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
    };
}
ConfigSchema::Check<uint64_t> power_of_two() {
    return [](const uint64_t& v) {
        return (v && !(v & (v - 1))) ? std::string() : std::string("must be a power of two");
    };
}
ConfigSchema::Check<double> positive_real() {
    return [](const double& v) { return v > 0 ? std::string() : std::string("must be greater than 0"); };
}
ConfigSchema::Check<double> range_real(double lo, double hi) {
    return [=](const double& v) {
        std::ostringstream o;
        o << "must be between " << lo << " and " << hi;
        return (v >= lo && v <= hi) ? std::string() : o.str();
    };
}
}  // namespace check

YAML::Node load_yaml_file(const std::string& path) {
    std::vector<uint8_t> bytes;
    const std::string why = read_file_bytes(path, "configuration file", bytes);
    if (!why.empty()) throw ConfigError({path, 0, ""}, why);
    try {
        YAML::Node n = YAML::Load(std::string(bytes.begin(), bytes.end()));
        return n;
    } catch (const YAML::ParserException& ex) {
        throw ConfigError({path, ex.mark.line + 1, "", ex.mark.column + 1}, "malformed YAML: " + ex.msg);
    }
}

}  // namespace stvp
