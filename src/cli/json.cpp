#include "cli/json.hpp"

#include <cmath>
#include <cstdio>

namespace frugal::cli {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

JsonObject& JsonObject::field(std::string_view key, std::string_view json) {
  if (!body_.empty()) body_ += ',';
  body_ += json_string(key);
  body_ += ':';
  body_ += json;
  return *this;
}

JsonObject& JsonObject::add(std::string_view key, std::string_view value) {
  return field(key, json_string(value));
}
JsonObject& JsonObject::add(std::string_view key, std::int64_t value) {
  return field(key, std::to_string(value));
}
JsonObject& JsonObject::add(std::string_view key, std::uint64_t value) {
  return field(key, std::to_string(value));
}
JsonObject& JsonObject::add(std::string_view key, bool value) {
  return field(key, value ? "true" : "false");
}
JsonObject& JsonObject::add(std::string_view key, double value) {
  if (!std::isfinite(value)) return field(key, "null");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", value);
  return field(key, buf);
}
JsonObject& JsonObject::add_raw(std::string_view key, std::string_view json) { return field(key, json); }

}  // namespace frugal::cli
