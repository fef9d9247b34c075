// The image header readers (PNG, JPEG, GIF, BMP, WebP) on hostile bytes:
// never a read outside the input (ASan), and dimensions only with a format.
#include <frugal/tags/image_header.hpp>

#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = std::as_bytes(std::span(data, size));
  const frugal::tags::ImageInfo info = frugal::tags::read_image_header(input);
  if (info.has_size() && info.format == frugal::tags::ImageFormat::unknown) std::abort();
  if ((info.width == 0) != (info.height == 0)) std::abort();  // both or neither
  return 0;
}
