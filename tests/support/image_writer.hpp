#pragma once
// Test-only JPEG and PNG images made in memory with libjpeg and libpng's own
// encoders (never committed: every test builds what it reads), and a full
// JPEG decode through libjpeg as the thumbnail tests' oracle.
#include "support/mp4_writer.hpp"  // Bytes

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::test {

struct JpegSpec {
  std::uint32_t width = 0, height = 0;
  /// 1 grey, 3 YCbCr (from RGB samples), 4 CMYK (Adobe-inverted samples
  /// as given: libjpeg writes an APP14 marker).
  int components = 3;
  bool progressive = false;
  int quality = 95;
  /// width × height × components samples, row-major.
  std::vector<std::uint8_t> samples;
};

/// The JPEG file of `spec`.
Bytes jpeg_file(const JpegSpec& spec);

/// A full decode of `jpeg` at scale `scale_num`/8 as RGBA8 rows (grey and
/// YCbCr through libjpeg's JCS_EXT_RGBA); nullopt when libjpeg refuses.
struct RgbaImage {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  ///< width × height × 4
};
std::optional<RgbaImage> decode_jpeg_rgba(const Bytes& jpeg, unsigned scale_num = 8);

struct PngSpec {
  std::uint32_t width = 0, height = 0;
  int color_type = 6;  ///< PNG_COLOR_TYPE_*: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA
  int bit_depth = 8;   ///< 1, 2, 4 (grey, palette), 8, 16
  bool interlaced = false;  ///< Adam7
  std::vector<std::array<std::uint8_t, 3>> palette;  ///< PLTE (color_type 3)
  std::vector<std::uint8_t> trns;  ///< tRNS: palette alphas, or (grey/RGB) one 16-bit sample per channel, big-endian
  /// Rows as stored, unfiltered (png_write_image's input: sub-byte samples
  /// packed, 16-bit big-endian).
  std::vector<std::uint8_t> rows;
};

/// The PNG file of `spec`.
Bytes png_file(const PngSpec& spec);

}  // namespace frugal::test
