#pragma once
// Four-character codes (ISO/IEC 14496-12 box types, sample entry formats).

#include <array>
#include <cstdint>

namespace frugal::core {

struct FourCC {
  std::uint32_t value = 0;

  constexpr FourCC() = default;
  constexpr explicit FourCC(std::uint32_t v) : value(v) {}
  /// From a 4-character literal: FourCC("stsz").
  constexpr FourCC(const char (&s)[5])
      : value((std::uint32_t{static_cast<unsigned char>(s[0])} << 24) |
              (std::uint32_t{static_cast<unsigned char>(s[1])} << 16) |
              (std::uint32_t{static_cast<unsigned char>(s[2])} << 8) |
              std::uint32_t{static_cast<unsigned char>(s[3])}) {}

  friend constexpr bool operator==(FourCC, FourCC) = default;

  /// Printable form: the four characters, with bytes outside 0x20..0x7E
  /// written as '?'. NUL-terminated.
  constexpr std::array<char, 5> str() const {
    std::array<char, 5> out{};
    for (int i = 0; i < 4; ++i) {
      char c = static_cast<char>((value >> (24 - 8 * i)) & 0xFF);
      out[static_cast<unsigned>(i)] = (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    return out;
  }
};

}  // namespace frugal::core
