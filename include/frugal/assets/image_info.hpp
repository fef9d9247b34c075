#pragma once
// ImageInfo: what an image's header says — format, pixels, bit depth, colour
// type — read without decoding, so cover art can be described and a
// thumbnail's memory planned before any pixel is touched.
//
// Formats and where each field comes from:
// - PNG: the IHDR chunk, which must come first (ISO/IEC 15948 §11.2.2):
//   width, height, bit depth, colour type, interlace method (0 none, 1
//   Adam7). has_alpha from the colour type only (4, 6): a tRNS chunk after
//   IHDR is not read. The IHDR CRC is not checked.
// - JPEG: the marker segments up to the first frame header (ITU-T T.81
//   §B.2.2): SOFn gives the coding process (Table B.1), sample precision P,
//   lines Y (0: defined later by a DNL marker), samples per line X and the
//   component count Nf; a DHP header (hierarchical, §B.3.2) before it gives
//   the full image's size. The colour type follows libjpeg's rules
//   (jdapimin.c): 1 component gray; 3: JFIF APP0 → ycbcr, else Adobe APP14
//   transform 0 → rgb, other transforms ycbcr, else component ids 'R','G','B'
//   → rgb, else ycbcr; 4: Adobe transform 0 → cmyk, other transforms ycck,
//   no Adobe segment cmyk; other counts unknown. EXIF orientation from APP1
//   "Exif\0\0": TIFF header (II or MM, 42), IFD0's tag 0x0112 SHORT
//   (TIFF 6.0 §2; EXIF 2.32 §4.6.4 A); 1 when absent or unreadable;
//   `jpeg.stored_orientation` keeps a value out of 1..8 (then orientation 1).
// - GIF: the logical screen descriptor (GIF89a §18): screen width and height;
//   palette, depth = log2 of the global colour table's size (else the colour
//   resolution). Transparency lives in per-frame extensions: not read.
// - BMP: the file header, then the DIB header (BITMAPCOREHEADER 12 bytes,
//   OS/2 2.x 16/64, BITMAPINFOHEADER 40, V2 52, V3 56, V4 108, V5 124;
//   Microsoft "Bitmap Header Types"): width, height (negative: top-down),
//   biBitCount, biCompression, colour masks. has_alpha only for bit fields
//   with a non-zero alpha mask: a 32-bit BI_RGB image's fourth byte is
//   "reserved" and used as alpha by some writers, so it is reported rgb.
// - WebP: the first chunk after "RIFF" size "WEBP" (RFC 9649 §2.5–2.7): VP8
//   (key frame header, RFC 6386 §9.1; lossy YCbCr 4:2:0, no alpha), VP8L
//   (signature 0x2F, 14-bit width−1 and height−1, alpha_is_used, version 0)
//   or VP8X (flags: alpha, animation; 24-bit canvas width−1, height−1; the
//   canvas's width × height at most 2^32 − 1). Depth 8.
//
// Reading: over a ByteSource, through one 256-byte window on the stack
// (core::BufferedSource); nothing is allocated, so no tracker is needed.
// JPEG marker segments before the frame header (APPn, COM, DQT, DHT... up to
// 64 KiB each) are skipped by offset, not read, except the first bytes of
// APP0/APP1/APP14 and at most kMaxExifEntries IFD0 entries; at most
// kMaxJpegMarkers markers (fill bytes included) are walked. A JPEG with a
// 60 KiB EXIF block before its frame header costs a few hundred bytes of
// reads (tests/assets/image_info_test.cpp: ReadsOnlyTheHeaderBytes).
//
// Thread-safety: pure functions; the source form reads `source` only
// (concurrent calls need a source that allows concurrent reads).

#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::assets {

enum class ImageFormat : std::uint8_t { unknown, png, jpeg, gif, bmp, webp };

/// How samples make up a pixel. palette: one index into a colour table;
/// ycbcr/ycck: JPEG's (and VP8's) luma-chroma encodings of rgb/cmyk.
enum class ColourType : std::uint8_t { unknown, gray, gray_alpha, rgb, rgba, palette, ycbcr, cmyk, ycck };

/// JPEG coding processes (ITU-T T.81 Table B.1), Huffman or arithmetic
/// coding apart (JpegInfo::arithmetic).
enum class JpegProcess : std::uint8_t { baseline, extended_sequential, progressive, lossless };

/// The WebP chunk that describes the image (RFC 9649 §2.5–2.7).
enum class WebpKind : std::uint8_t { vp8, vp8l, vp8x };

/// JPEG specifics (when ImageInfo::format is jpeg).
struct JpegInfo {
  std::uint8_t sof_marker = 0;  ///< 0xC0..0xCF less 0xC4 DHT, 0xC8 JPG, 0xCC DAC
  JpegProcess process = JpegProcess::baseline;
  bool progressive = false;   ///< process == progressive (SOF2, SOF6, SOF10, SOF14)
  bool arithmetic = false;    ///< arithmetic coding (SOF9 and up), else Huffman
  bool differential = false;  ///< hierarchical (SOF5-7, SOF13-15; a DHP gave the size)
  bool jfif = false;          ///< an APP0 "JFIF\0" segment came before the frame
  bool adobe = false;         ///< an APP14 "Adobe" segment came before the frame
  std::uint8_t adobe_transform = 0;  ///< its transform (0 none/CMYK/RGB, 1 YCbCr, 2 YCCK)
  /// EXIF orientation 1..8 (1: as stored; 6: rotate 90° clockwise to display...).
  std::uint8_t orientation = 1;
  /// The 0x0112 value as stored, 0 when there is none; out of 1..8 means
  /// the file's value was ignored (orientation is then 1).
  std::uint16_t stored_orientation = 0;
};

/// PNG specifics.
struct PngInfo {
  std::uint8_t colour_type = 0;  ///< IHDR colour type as stored (0, 2, 3, 4, 6)
  bool interlaced = false;       ///< interlace method 1, Adam7: a decoder needs the whole image
};

/// WebP specifics.
struct WebpInfo {
  WebpKind kind = WebpKind::vp8;
  bool animated = false;  ///< VP8X animation flag (frames in ANMF chunks)
};

/// BMP specifics.
struct BmpInfo {
  std::uint32_t header_bytes = 0;  ///< DIB header size (12, 16, 40, 52, 56, 64, 108, 124)
  std::uint32_t compression = 0;   ///< biCompression (0 BI_RGB, 1 RLE8, 2 RLE4, 3 BITFIELDS, 4 JPEG, 5 PNG, 6 ALPHABITFIELDS)
  bool top_down = false;           ///< negative biHeight: first row at the top
};

/// What an image's header says.
struct ImageInfo {
  ImageFormat format = ImageFormat::unknown;
  std::uint32_t width = 0;   ///< pixels, > 0
  std::uint32_t height = 0;  ///< pixels; 0 only for a JPEG whose height comes in a DNL marker
  /// Bits per sample (PNG bit depth; JPEG precision P; GIF/BMP palettes:
  /// bits per index; BMP bit fields: the widest mask; WebP 8); 0 when
  /// unknown (BMP holding a JPEG or PNG).
  std::uint8_t bit_depth = 0;
  std::uint8_t channels = 0;         ///< samples per pixel as stored (palette: 1, the index)
  std::uint16_t bits_per_pixel = 0;  ///< as stored (BMP biBitCount; else bit_depth × channels)
  ColourType colour_type = ColourType::unknown;
  bool has_alpha = false;  ///< see each format above for what is looked at
  JpegInfo jpeg;
  PngInfo png;
  WebpInfo webp;
  BmpInfo bmp;

  bool has_size() const noexcept { return width != 0 && height != 0; }
};

/// Markers (segments, standalone markers and fill bytes) walked before a
/// JPEG frame header at most; past it, Errc::limit_exceeded.
inline constexpr std::uint32_t kMaxJpegMarkers = 1024;
/// IFD0 entries looked at for the orientation at most (TIFF sorts them by
/// tag, so 0x0112 comes early); past it, orientation 1.
inline constexpr std::uint32_t kMaxExifEntries = 256;

/// The format named by the first bytes' signature (at most 12 bytes needed);
/// unknown when none matches or `head` is too short for it.
ImageFormat sniff_image_format(std::span<const std::byte> head) noexcept;

/// Reads the header of the image that starts at offset 0 of `source`.
/// Errors: Errc::unsupported — no known signature ("image: not a PNG, JPEG,
/// GIF, BMP or WebP file", offset 0); Errc::malformed — a header cut short
/// or breaking its format's rules, the message naming the format and the
/// field, the offset where it is; Errc::limit_exceeded — more than
/// kMaxJpegMarkers markers before a JPEG frame; the source's Errc::io.
core::Result<ImageInfo> read_image_info(core::ByteSource& source);

/// The same over an image (or its first bytes) in memory, e.g. cover art
/// already loaded; never reads outside `image`. A prefix too short for the
/// header is Errc::malformed (too short for the signature: unsupported).
/// Errors: as above (no io).
core::Result<ImageInfo> read_image_info(std::span<const std::byte> image) noexcept;

/// The MIME type ("image/png"...; "" for unknown).
const char* image_mime_type(ImageFormat format) noexcept;
/// Lower-case names: "png", "jpeg", "gif", "bmp", "webp", "unknown".
const char* image_format_name(ImageFormat format) noexcept;
/// "gray", "gray_alpha", "rgb", "rgba", "palette", "ycbcr", "cmyk", "ycck", "unknown".
const char* colour_type_name(ColourType type) noexcept;
/// "baseline", "extended_sequential", "progressive", "lossless".
const char* jpeg_process_name(JpegProcess process) noexcept;
/// "vp8", "vp8l", "vp8x".
const char* webp_kind_name(WebpKind kind) noexcept;

}  // namespace frugal::assets
