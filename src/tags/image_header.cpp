#include <frugal/tags/image_header.hpp>

#include "tags/little_endian.hpp"

#include <frugal/core/byte_reader.hpp>

#include <cstring>

namespace frugal::tags {

namespace {

using Bytes = std::span<const std::byte>;

bool starts_with(Bytes b, const char* magic, std::size_t n, std::size_t at = 0) {
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

using detail::load_le16;
using detail::load_le24;
using detail::load_le32;

ImageInfo sized(ImageFormat f, std::uint32_t w, std::uint32_t h) {
  return w && h ? ImageInfo{f, w, h} : ImageInfo{f, 0, 0};
}

ImageInfo png(Bytes b) {
  // Signature (8), then IHDR: length (4), "IHDR", width, height (big-endian).
  if (!starts_with(b, "IHDR", 4, 12) || b.size() < 24) return {ImageFormat::png};
  return sized(ImageFormat::png, core::load_be32(&b[16]), core::load_be32(&b[20]));
}

ImageInfo gif(Bytes b) {
  if (b.size() < 10) return {ImageFormat::gif};
  return sized(ImageFormat::gif, load_le16(&b[6]), load_le16(&b[8]));
}

ImageInfo bmp(Bytes b) {
  if (b.size() < 18) return {ImageFormat::bmp};
  const std::uint32_t dib = load_le32(&b[14]);
  if (dib == 12) {  // BITMAPCOREHEADER: unsigned 16-bit width and height
    if (b.size() < 22) return {ImageFormat::bmp};
    return sized(ImageFormat::bmp, load_le16(&b[18]), load_le16(&b[20]));
  }
  if (dib < 40 || b.size() < 26) return {ImageFormat::bmp};
  const auto w = static_cast<std::int32_t>(load_le32(&b[18]));
  const auto h = static_cast<std::int32_t>(load_le32(&b[22]));
  if (w <= 0 || h == INT32_MIN) return {ImageFormat::bmp};
  return sized(ImageFormat::bmp, static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(h < 0 ? -h : h));
}

ImageInfo webp(Bytes b) {
  // RIFF size "WEBP", then the first chunk: fourcc, size, data at 20.
  if (b.size() < 30) return {ImageFormat::webp};
  const std::byte* d = &b[20];
  if (starts_with(b, "VP8 ", 4, 12)) {
    // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height.
    if (d[3] != std::byte{0x9D} || d[4] != std::byte{0x01} || d[5] != std::byte{0x2A}) return {ImageFormat::webp};
    return sized(ImageFormat::webp, load_le16(&d[6]) & 0x3FFF, load_le16(&d[8]) & 0x3FFF);
  }
  if (starts_with(b, "VP8L", 4, 12)) {
    if (d[0] != std::byte{0x2F}) return {ImageFormat::webp};
    const std::uint32_t bits = load_le32(&d[1]);
    return sized(ImageFormat::webp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (starts_with(b, "VP8X", 4, 12)) return sized(ImageFormat::webp, load_le24(&d[4]) + 1, load_le24(&d[7]) + 1);
  return {ImageFormat::webp};
}

bool is_sof(std::uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

ImageInfo jpeg(Bytes b) {
  std::size_t pos = 2;  // after SOI
  while (pos + 4 <= b.size()) {
    if (b[pos] != std::byte{0xFF}) return {ImageFormat::jpeg};
    const auto marker = std::to_integer<std::uint8_t>(b[pos + 1]);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // TEM, RSTn, SOI: no length
      pos += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return {ImageFormat::jpeg};  // EOI, SOS before any frame
    const std::uint32_t length = core::load_be16(&b[pos + 2]);
    if (length < 2) return {ImageFormat::jpeg};
    if (is_sof(marker)) {
      // Length, precision (1), number of lines (2), samples per line (2).
      if (length < 7 || pos + 9 > b.size()) return {ImageFormat::jpeg};
      return sized(ImageFormat::jpeg, core::load_be16(&b[pos + 7]), core::load_be16(&b[pos + 5]));
    }
    pos += 2 + length;
  }
  return {ImageFormat::jpeg};
}

}  // namespace

ImageInfo read_image_header(std::span<const std::byte> head) noexcept {
  if (starts_with(head, "\x89PNG\r\n\x1A\n", 8)) return png(head);
  if (starts_with(head, "\xFF\xD8\xFF", 3)) return jpeg(head);
  if (starts_with(head, "GIF87a", 6) || starts_with(head, "GIF89a", 6)) return gif(head);
  if (starts_with(head, "BM", 2)) return bmp(head);
  if (starts_with(head, "RIFF", 4) && starts_with(head, "WEBP", 4, 8)) return webp(head);
  return {};
}

const char* image_mime_type(ImageFormat format) noexcept {
  switch (format) {
    case ImageFormat::png: return "image/png";
    case ImageFormat::jpeg: return "image/jpeg";
    case ImageFormat::gif: return "image/gif";
    case ImageFormat::bmp: return "image/bmp";
    case ImageFormat::webp: return "image/webp";
    case ImageFormat::unknown: break;
  }
  return "";
}

}  // namespace frugal::tags
