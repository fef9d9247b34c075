#pragma once
// Test-only PNG reading through libpng's own reader (the oracle for
// imageio's writer): the header, PLTE/tRNS as stored, and the pixels with
// sub-byte indexes unpacked to one byte each (RGBA as 4 bytes).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace frugal::test {

struct PngFile {
  std::uint32_t width = 0, height = 0;
  int bit_depth = 0;   ///< as stored in IHDR
  int color_type = 0;  ///< PNG_COLOR_TYPE_* (3 palette, 6 RGBA)
  std::vector<std::array<std::uint8_t, 3>> palette;  ///< PLTE entries
  std::vector<std::uint8_t> alpha;                   ///< tRNS entries (empty: none)
  std::vector<std::uint8_t> pixels;  ///< rows of width (indexed) or width × 4 (RGBA) bytes
  std::uint8_t at(std::uint32_t x, std::uint32_t y) const { return pixels[std::size_t{y} * width + x]; }
};

/// The PNG at `path`, or nullopt when libpng cannot read it (or it is absent).
std::optional<PngFile> read_png(const std::string& path);

}  // namespace frugal::test
