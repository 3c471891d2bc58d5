#include "json_writer.h"

#include <cmath>
#include <stdexcept>

namespace stvp {

std::string JsonWriter::escape(const std::string& s) {
    return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

JsonWriter& JsonWriter::value(const std::string& key, double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9007199254740992.0)  // 2^53: exact
        return put(key, Json(int64_t(v)));
    return put(key, Json(v));
}

Json& JsonWriter::slot(const std::string& key) {
    if (open_.empty()) return root_;
    Json& parent = *open_.back();
    if (parent.is_array()) {
        parent.push_back(nullptr);
        return parent.back();
    }
    return parent[key];
}

JsonWriter& JsonWriter::put(const std::string& key, Json v) {
    if (open_.empty()) throw std::logic_error("JsonWriter: a value outside any object or array");
    slot(key) = std::move(v);
    return *this;
}

JsonWriter& JsonWriter::begin_object(const std::string& key) {
    Json& s = slot(key);
    s = Json::object();
    open_.push_back(&s);
    return *this;
}

JsonWriter& JsonWriter::begin_array(const std::string& key) {
    Json& s = slot(key);
    s = Json::array();
    open_.push_back(&s);
    return *this;
}

JsonWriter& JsonWriter::end_object() { return close(); }
JsonWriter& JsonWriter::end_array() { return close(); }

JsonWriter& JsonWriter::close() {
    if (open_.empty()) throw std::logic_error("JsonWriter: end without begin");
    open_.pop_back();
    if (open_.empty()) out_ << root_.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    return *this;
}

}  // namespace stvp
