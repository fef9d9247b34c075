#include "cli/json.hpp"

#include <cmath>
#include <cstdio>

namespace frugal::cli {

namespace {

// Bytes of the well-formed UTF-8 sequence at s[i] (Unicode 15 §3.9, table
// 3-7: no overlongs, surrogates or code points past U+10FFFF), 0 if none.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = byte(i);
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c == 0xED) n = 3, hi = 0x9F;
  else if (c >= 0xE1 && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c == 0xF4) n = 4, hi = 0x8F;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else return 0;
  if (s.size() - i < n || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

// Strings from files are not always UTF-8 (EXR attributes, tags): a byte
// that starts no well-formed sequence becomes U+FFFD, so the output parses.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
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
        } else if (c < 0x80) {
          out += static_cast<char>(c);
        } else if (const std::size_t n = utf8_length(s, i)) {
          out.append(s.substr(i, n));
          i += n - 1;
        } else {
          out += "\\ufffd";
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
