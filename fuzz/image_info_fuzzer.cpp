// assets::read_image_info (PNG, JPEG, GIF, BMP, WebP) on hostile bytes: never
// a read outside the input (ASan); a clean error (unsupported exactly when no
// signature matches, else malformed or limit_exceeded) or an answer that
// obeys the header's rules; the ByteSource form agrees with the span form
// and makes a bounded number of reads.
#include "harness.hpp"

#include <frugal/assets/image_info.hpp>

using frugal::fuzz::check;
namespace assets = frugal::assets;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = std::as_bytes(std::span(data, size));
  const auto info = assets::read_image_info(input);
  frugal::core::MemorySource memory(input);
  frugal::core::CountingSource counted(memory);
  const auto again = assets::read_image_info(counted);
  check(info.has_value() == again.has_value(), "span and source forms disagree");
  // Each marker walked costs at most two reads, each EXIF entry one.
  check(counted.read_calls() <= 2 * assets::kMaxJpegMarkers + assets::kMaxExifEntries + 16, "too many reads");
  const bool known = assets::sniff_image_format(input) != assets::ImageFormat::unknown;
  if (!info) {
    const frugal::core::Errc code = info.error().code;
    check(again.error().code == code && again.error().offset == info.error().offset, "errors differ");
    check(known ? code == frugal::core::Errc::malformed || code == frugal::core::Errc::limit_exceeded
                : code == frugal::core::Errc::unsupported,
          "unexpected error category");
    return 0;
  }
  const assets::ImageInfo& i = *info;
  check(known && i.format == assets::sniff_image_format(input), "an answer without its signature");
  check(i.width == again->width && i.height == again->height && i.colour_type == again->colour_type, "answers differ");
  check(i.width > 0 && (i.height > 0 || i.format == assets::ImageFormat::jpeg), "zero width or height");
  check(i.jpeg.orientation >= 1 && i.jpeg.orientation <= 8, "orientation out of 1..8");
  check(i.bits_per_pixel >= i.bit_depth, "bits per pixel under the bit depth");
  check(i.has_alpha == (i.colour_type == assets::ColourType::rgba || i.colour_type == assets::ColourType::gray_alpha),
        "alpha without an alpha colour type");
  return 0;
}
