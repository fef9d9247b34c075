#pragma once
// Image dimensions from the first bytes of an image: a header-only read, no
// decoding and no allocation, so cover art can be described (and thumbnails
// planned) without holding or decoding the picture.
//
// Formats and where the dimensions come from:
// - PNG: the IHDR chunk, which must come first (ISO/IEC 15948 §11.2.2);
// - JPEG: the first SOFn frame header (ITU-T T.81 §B.2.2; SOF0–SOF15 except
//   DHT C4, JPG C8, DAC CC), walking the marker segments before it;
// - GIF: the logical screen descriptor (GIF89a §18);
// - BMP: the DIB header after the 14-byte file header (BITMAPCOREHEADER's
//   16-bit fields, else BITMAPINFOHEADER's signed 32-bit ones; a negative
//   height is a top-down image);
// - WebP: the first chunk after RIFF/WEBP: VP8 (RFC 6386 §9.1 key frame),
//   VP8L (the 14-bit fields after the 0x2F signature) or VP8X (24-bit
//   canvas width/height minus one) (RFC 9649 §2.5–2.7).
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::tags {

enum class ImageFormat : std::uint8_t { unknown, png, jpeg, gif, bmp, webp };

/// What the first bytes of an image say. `format` comes from the signature
/// alone; `width` and `height` (pixels) are 0 when the header is truncated,
/// malformed or states 0 (a JPEG whose height comes later in a DNL marker).
struct ImageInfo {
  ImageFormat format = ImageFormat::unknown;
  std::uint32_t width = 0;
  std::uint32_t height = 0;

  bool has_size() const noexcept { return width != 0 && height != 0; }
};

/// Reads `head`, the first bytes of an image (the whole image, or a prefix:
/// PNG, GIF, BMP and WebP need at most 30 bytes; JPEG needs the bytes up to
/// its frame header, usually under 1 KiB but behind EXIF data up to 64 KiB).
/// Never reads outside `head`.
ImageInfo read_image_header(std::span<const std::byte> head) noexcept;

/// The MIME type of a format ("image/png"...; "" for unknown).
const char* image_mime_type(ImageFormat format) noexcept;

}  // namespace frugal::tags
