// A small streaming JSON writer (objects, arrays, numbers, strings, booleans) with proper
// escaping; enough for stats files without another dependency.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace stvp {

class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : out_(out) {}

    JsonWriter& begin_object(const std::string& key = "");
    JsonWriter& end_object();
    JsonWriter& begin_array(const std::string& key = "");
    JsonWriter& end_array();

    JsonWriter& value(const std::string& key, const std::string& v);
    JsonWriter& value(const std::string& key, const char* v) { return value(key, std::string(v)); }
    JsonWriter& value(const std::string& key, double v);
    JsonWriter& value(const std::string& key, uint64_t v);
    JsonWriter& value(const std::string& key, int64_t v);
    JsonWriter& value(const std::string& key, int v) { return value(key, int64_t(v)); }
    JsonWriter& value(const std::string& key, unsigned v) { return value(key, uint64_t(v)); }
    JsonWriter& value(const std::string& key, bool v);

    static std::string escape(const std::string& s);

private:
    void prefix(const std::string& key);
    std::ostream& out_;
    std::vector<bool> first_{true};  // per nesting level: no element written yet
};

}  // namespace stvp
