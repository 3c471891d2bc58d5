#include "json_writer.h"

#include <cmath>
#include <cstdio>

namespace stvp {

std::string JsonWriter::escape(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': o += "\\\""; break;
        case '\\': o += "\\\\"; break;
        case '\n': o += "\\n"; break;
        case '\r': o += "\\r"; break;
        case '\t': o += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                o += buf;
            } else {
                o += char(c);
            }
        }
    }
    return o + "\"";
}

void JsonWriter::prefix(const std::string& key) {
    if (!first_.back()) out_ << ",";
    out_ << "\n" << std::string(2 * (first_.size() - 1), ' ');
    first_.back() = false;
    if (!key.empty()) out_ << escape(key) << ": ";
}

JsonWriter& JsonWriter::begin_object(const std::string& key) {
    if (first_.size() > 1 || !first_.back()) prefix(key);
    out_ << "{";
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    first_.pop_back();
    out_ << "\n" << std::string(2 * (first_.size() - 1), ' ') << "}";
    if (first_.size() == 1) out_ << "\n";
    return *this;
}

JsonWriter& JsonWriter::begin_array(const std::string& key) {
    prefix(key);
    out_ << "[";
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    first_.pop_back();
    out_ << "\n" << std::string(2 * (first_.size() - 1), ' ') << "]";
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, const std::string& v) {
    prefix(key);
    out_ << escape(v);
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, double v) {
    prefix(key);
    if (!std::isfinite(v)) {
        out_ << "null";
    } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", v);
        out_ << buf;
    }
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, uint64_t v) {
    prefix(key);
    out_ << v;
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, int64_t v) {
    prefix(key);
    out_ << v;
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, bool v) {
    prefix(key);
    out_ << (v ? "true" : "false");
    return *this;
}

}  // namespace stvp
