// Builds a JSON document (stats files, estimates) through a streaming-style interface and
// writes it with nlohmann-json when the outermost object or array is closed. Non-finite
// numbers become null, whole doubles are written as integers; invalid UTF-8 in strings is replaced, never fatal.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stvp {

using Json = nlohmann::ordered_json;  // keeps the keys in the order written

class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : out_(out) {}

    // key is ignored inside arrays (elements are appended) and for the outermost value.
    JsonWriter& begin_object(const std::string& key = "");
    JsonWriter& end_object();
    JsonWriter& begin_array(const std::string& key = "");
    JsonWriter& end_array();

    JsonWriter& value(const std::string& key, const std::string& v) { return put(key, Json(v)); }
    JsonWriter& value(const std::string& key, const char* v) { return put(key, Json(v)); }
    // Whole numbers (times in ns, counts kept as double) are written without a fraction.
    JsonWriter& value(const std::string& key, double v);
    JsonWriter& value(const std::string& key, uint64_t v) { return put(key, Json(v)); }
    JsonWriter& value(const std::string& key, int64_t v) { return put(key, Json(v)); }
    JsonWriter& value(const std::string& key, int v) { return put(key, Json(int64_t(v))); }
    JsonWriter& value(const std::string& key, unsigned v) { return put(key, Json(uint64_t(v))); }
    JsonWriter& value(const std::string& key, bool v) { return put(key, Json(v)); }
    // A whole subtree (the configuration, the training results).
    JsonWriter& tree(const std::string& key, const Json& v) { return put(key, v); }

    // s as a JSON string literal, quotes included.
    static std::string escape(const std::string& s);

private:
    JsonWriter& put(const std::string& key, Json v);
    Json& slot(const std::string& key);
    JsonWriter& close();
    std::ostream& out_;
    Json root_;
    std::vector<Json*> open_;  // the path of open objects/arrays, outermost first
};

}  // namespace stvp
