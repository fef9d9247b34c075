#pragma once
// Little-endian loads (Vorbis comments, Ogg page headers, GIF, BMP, WebP);
// core/byte_reader.hpp has the big-endian ones.

#include <cstddef>
#include <cstdint>

namespace frugal::tags::detail {

constexpr std::uint32_t load_le16(const std::byte* p) noexcept {
  return std::to_integer<std::uint32_t>(p[0]) | std::to_integer<std::uint32_t>(p[1]) << 8;
}
constexpr std::uint32_t load_le24(const std::byte* p) noexcept {
  return load_le16(p) | std::to_integer<std::uint32_t>(p[2]) << 16;
}
constexpr std::uint32_t load_le32(const std::byte* p) noexcept {
  return load_le24(p) | std::to_integer<std::uint32_t>(p[3]) << 24;
}

}  // namespace frugal::tags::detail
