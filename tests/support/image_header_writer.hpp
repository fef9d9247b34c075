#pragma once
// Test-only writers of image headers, for ImageInfo's edge cases: PNG
// signature + IHDR (with its CRC) + IEND, JPEG marker segments (JFIF APP0,
// Adobe APP14, EXIF APP1 in either byte order, any SOFn), GIF, BMP file and
// DIB headers of every size, WebP's VP8, VP8L and VP8X first chunks. They
// write exactly the fields they are told, broken ones included.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace frugal::test {

using Bytes = std::vector<std::byte>;

/// A PNG: signature, IHDR (width, height, bit depth, colour type,
/// compression 0, filter 0, interlace), IEND; CRCs computed.
Bytes png_header(std::uint32_t width, std::uint32_t height, std::uint8_t depth, std::uint8_t colour,
                 std::uint8_t interlace = 0);

/// What an EXIF APP1 segment holds: the TIFF header in either byte order,
/// IFD0 at `ifd_offset` (from the TIFF header) with `entries_before` dummy
/// entries (tags 0x010F, ascending) and, when `orientation` is set, a 0x0112
/// entry of `type` (3 SHORT) and count 1; then `padding` zero bytes.
struct ExifSpec {
  bool little_endian = true;
  std::optional<std::uint16_t> orientation;
  std::uint32_t ifd_offset = 8;
  std::uint16_t type = 3;
  std::uint16_t entries_before = 0;
  std::size_t padding = 0;
};

/// A JPEG built marker by marker, starting with SOI.
class JpegBuilder {
 public:
  JpegBuilder();
  /// A marker segment: 0xFF `marker`, length 2 + body, body.
  JpegBuilder& segment(std::uint8_t marker, const Bytes& body);
  /// A marker without a length (RSTn, TEM) or raw bytes (fill bytes...).
  JpegBuilder& raw(std::initializer_list<int> bytes);
  JpegBuilder& jfif();                            ///< APP0 "JFIF\0" 1.01
  JpegBuilder& adobe(std::uint8_t transform);     ///< APP14 "Adobe" version 100
  JpegBuilder& exif(const ExifSpec& spec);        ///< APP1 "Exif\0\0" + TIFF
  JpegBuilder& com(std::size_t bytes);            ///< a COM segment of `bytes` body bytes
  /// A frame header (SOFn, DHP 0xDE): P, Y, X, Nf components with ids
  /// `ids` (default 1, 2, 3...), sampling 0x11, table 0.
  JpegBuilder& frame(std::uint8_t marker, std::uint8_t precision, std::uint16_t width, std::uint16_t height,
                     std::uint8_t components, const std::string& ids = "");
  /// The bytes so far, then an empty SOS stand-in and EOI.
  Bytes take() const;

 private:
  Bytes out_;
};

/// A GIF: "GIF87a" or "GIF89a", logical screen descriptor (width, height,
/// packed fields), then a trailer.
Bytes gif_header(const char* version, std::uint16_t width, std::uint16_t height, std::uint8_t packed);

/// A BMP file header and a DIB header of `dib_bytes` (12: BITMAPCOREHEADER
/// with 16-bit fields, else BITMAPINFOHEADER's fields and zeros up to the
/// size), `masks` (red, green, blue, alpha) written at file offset 54 when
/// given, then 16 bytes of pixels.
Bytes bmp_header(std::uint32_t dib_bytes, std::int32_t width, std::int32_t height, std::uint16_t bit_count,
                 std::uint32_t compression = 0, std::vector<std::uint32_t> masks = {}, std::uint16_t planes = 1);

/// "RIFF" size "WEBP" and one chunk `fourcc` holding `data`.
Bytes webp_chunk(const char* fourcc, const Bytes& data);
/// A VP8 key frame header (RFC 6386 §9.1) of width × height.
Bytes webp_vp8(std::uint16_t width, std::uint16_t height);
/// A VP8L header: signature 0x2F, width−1, height−1, alpha_is_used, version.
Bytes webp_vp8l(std::uint32_t width, std::uint32_t height, bool alpha, std::uint32_t version = 0);
/// A VP8X chunk: flags byte (0x10 alpha, 0x02 animation), canvas width−1,
/// height−1 (24 bits each).
Bytes webp_vp8x(std::uint32_t width, std::uint32_t height, std::uint8_t flags);

}  // namespace frugal::test
