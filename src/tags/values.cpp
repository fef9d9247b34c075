#include "tags/values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace frugal::tags::detail {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A whole unsigned decimal number of at most `max_digits` digits.
std::optional<std::uint64_t> parse_unsigned(std::string_view s, std::size_t max_digits = 9) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::uint32_t clamp32(std::optional<std::uint64_t> v) {
  return v ? static_cast<std::uint32_t>(std::min<std::uint64_t>(*v, 0xFFFFFFFFu)) : 0;
}

// HH:MM:SS[.fff...] → milliseconds.
std::optional<std::uint64_t> parse_time_ms(std::string_view s) {
  s = trim(s);
  const auto c1 = s.find(':'), c2 = s.find(':', c1 == s.npos ? s.npos : c1 + 1);
  if (c1 == s.npos || c2 == s.npos) return std::nullopt;
  const auto dot = s.find('.', c2);
  const auto h = parse_unsigned(s.substr(0, c1));
  const auto m = parse_unsigned(s.substr(c1 + 1, c2 - c1 - 1), 2);
  const auto sec = parse_unsigned(s.substr(c2 + 1, dot == s.npos ? s.npos : dot - c2 - 1), 2);
  if (!h || !m || !sec || *m > 59 || *sec > 59) return std::nullopt;
  std::uint64_t ms = 0;
  if (dot != s.npos) {
    std::string_view frac = s.substr(dot + 1);
    if (!parse_unsigned(frac)) return std::nullopt;
    std::string three(frac.substr(0, 3));  // milliseconds: first three digits
    three.resize(3, '0');
    ms = *parse_unsigned(three);
  }
  return ((*h * 60 + *m) * 60 + *sec) * 1000 + ms;
}

}  // namespace

std::optional<double> parse_decimal(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> r128_to_replaygain_db(std::string_view text) {
  text = trim(text);
  int q = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), q);
  if (ec != std::errc() || end != text.data() + text.size() || q < -32768 || q > 32767) return std::nullopt;
  return q / 256.0 + 5.0;
}

std::pair<std::uint32_t, std::uint32_t> parse_position(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  if (slash == text.npos) return {clamp32(parse_unsigned(text)), 0};
  return {clamp32(parse_unsigned(trim(text.substr(0, slash)))), clamp32(parse_unsigned(trim(text.substr(slash + 1))))};
}

std::vector<core::Chapter> parse_chapters(const std::vector<std::pair<std::string, std::string>>& fields) {
  constexpr std::string_view kPrefix = "CHAPTER";
  std::map<std::uint64_t, core::Chapter> by_number;
  std::map<std::uint64_t, std::string> names;
  for (const auto& [key, value] : fields) {
    std::string_view k = key;
    if (k.substr(0, kPrefix.size()) != kPrefix) continue;
    k.remove_prefix(kPrefix.size());
    const bool name = k.size() > 4 && k.substr(k.size() - 4) == "NAME";
    if (name) k.remove_suffix(4);
    const auto number = parse_unsigned(k);
    if (!number) continue;
    if (name) {
      names[*number] = value;
    } else if (const auto ms = parse_time_ms(value)) {
      by_number[*number] = core::Chapter{*ms, *ms, 1000, {}};
    }
  }
  std::vector<core::Chapter> out;
  for (auto& [number, chapter] : by_number) {
    if (auto it = names.find(number); it != names.end()) chapter.title = it->second;
    if (!out.empty()) out.back().end = std::max(out.back().start, chapter.start);
    out.push_back(std::move(chapter));
  }
  return out;
}

}  // namespace frugal::tags::detail
