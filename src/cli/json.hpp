#pragma once
// Minimal JSON output for the frugal command (objects built field by field).

#include <cstdint>
#include <string>
#include <string_view>

namespace frugal::cli {

/// `s` as a JSON string literal, quotes included.
std::string json_string(std::string_view s);

class JsonObject {
 public:
  JsonObject& add(std::string_view key, std::string_view value);
  JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  JsonObject& add(std::string_view key, std::int64_t value);
  JsonObject& add(std::string_view key, std::uint64_t value);
  JsonObject& add(std::string_view key, std::uint32_t value) { return add(key, std::uint64_t{value}); }
  JsonObject& add(std::string_view key, int value) { return add(key, std::int64_t{value}); }
  JsonObject& add(std::string_view key, double value);
  JsonObject& add(std::string_view key, bool value);
  /// `json` must already be valid JSON (an object, an array, null).
  JsonObject& add_raw(std::string_view key, std::string_view json);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  JsonObject& field(std::string_view key, std::string_view json);
  std::string body_;
};

/// Joins already-encoded JSON values into an array.
class JsonArray {
 public:
  JsonArray& add_raw(std::string_view json) {
    if (!body_.empty()) body_ += ',';
    body_ += json;
    return *this;
  }
  std::string str() const { return "[" + body_ + "]"; }

 private:
  std::string body_;
};

}  // namespace frugal::cli
