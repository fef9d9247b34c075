// ImageInfo: image headers through a 256-byte window. Facts and sources: see
// the header.
#include <frugal/assets/image_info.hpp>

#include <frugal/core/byte_reader.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace frugal::assets {

using core::Errc;
using core::make_error;
using core::Result;

namespace {

using Bytes = std::span<const std::byte>;

bool starts_with(Bytes b, const char* magic, std::size_t n, std::size_t at = 0) {
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}
std::uint8_t u8(const std::byte* p) { return std::to_integer<std::uint8_t>(*p); }

// Positional reads through one small read-ahead window (nothing allocated).
class Reader {
 public:
  explicit Reader(core::ByteSource& source) noexcept : buffered_(source, window_) {}

  // Up to dst.size() bytes at `offset`; the count read.
  Result<std::size_t> read_some(std::uint64_t offset, std::span<std::byte> dst) {
    return buffered_.read_at(offset, dst);
  }
  // Exactly dst.size() bytes, else Errc::malformed `what` at `offset`.
  Result<void> read(std::uint64_t offset, std::span<std::byte> dst, const char* what) {
    FRUGAL_TRY(std::size_t n, read_some(offset, dst));
    if (n < dst.size()) return make_error(Errc::malformed, what, offset);
    return core::ok();
  }

 private:
  std::array<std::byte, 256> window_{};
  core::BufferedSource buffered_;
};

ImageInfo base(ImageFormat format, std::uint32_t width, std::uint32_t height, std::uint8_t depth,
               std::uint8_t channels, ColourType colour) {
  ImageInfo info;
  info.format = format;
  info.width = width;
  info.height = height;
  info.bit_depth = depth;
  info.channels = channels;
  info.bits_per_pixel = static_cast<std::uint16_t>(depth * channels);
  info.colour_type = colour;
  return info;
}

// --- PNG (ISO/IEC 15948 §11.2.2) -------------------------------------------

bool png_depth_allowed(std::uint8_t colour, std::uint8_t depth) {
  switch (colour) {
    case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    default: return depth == 8 || depth == 16;  // 2, 4, 6
  }
}

Result<ImageInfo> png(Reader& r) {
  // Signature (8); IHDR: length (4) "IHDR" (4), width, height, bit depth,
  // colour type, compression, filter, interlace (13).
  std::array<std::byte, 29> b;
  FRUGAL_CHECK(r.read(0, b, "PNG: IHDR cut short"));
  if (core::load_be32(&b[8]) != 13 || std::memcmp(&b[12], "IHDR", 4) != 0)
    return make_error(Errc::malformed, "PNG: first chunk is not a 13-byte IHDR", 8);
  const std::uint32_t width = core::load_be32(&b[16]), height = core::load_be32(&b[20]);
  if (width == 0 || height == 0 || width > INT32_MAX || height > INT32_MAX)
    return make_error(Errc::malformed, "PNG: IHDR width or height 0 or over 2^31 - 1", 16);
  const std::uint8_t depth = u8(&b[24]), colour = u8(&b[25]);
  static constexpr std::uint8_t kChannels[7] = {1, 0, 3, 1, 2, 0, 4};
  static constexpr ColourType kColour[7] = {ColourType::gray,       ColourType::unknown, ColourType::rgb,
                                            ColourType::palette,    ColourType::gray_alpha,
                                            ColourType::unknown,    ColourType::rgba};
  if (colour > 6 || kChannels[colour] == 0)
    return make_error(Errc::malformed, "PNG: IHDR colour type not 0, 2, 3, 4 or 6", 25);
  if (!png_depth_allowed(colour, depth))
    return make_error(Errc::malformed, "PNG: IHDR bit depth not allowed for its colour type", 24);
  if (u8(&b[26]) != 0 || u8(&b[27]) != 0)
    return make_error(Errc::malformed, "PNG: IHDR compression or filter method not 0", 26);
  if (u8(&b[28]) > 1) return make_error(Errc::malformed, "PNG: IHDR interlace method not 0 or 1", 28);
  ImageInfo info = base(ImageFormat::png, width, height, depth, kChannels[colour], kColour[colour]);
  info.has_alpha = colour == 4 || colour == 6;
  info.png.colour_type = colour;
  info.png.interlaced = u8(&b[28]) == 1;
  return info;
}

// --- JPEG (ITU-T T.81 Annex B; EXIF 2.32; TIFF 6.0) ------------------------

// IFD0's orientation from the TIFF structure at [tiff, end) (an APP1 "Exif"
// body after its identifier). A problem here leaves orientation 1: the
// picture itself is still fine.
Result<void> exif_orientation(Reader& r, std::uint64_t tiff, std::uint64_t end, JpegInfo& jpeg) {
  std::array<std::byte, 12> b;
  if (end - tiff < 8) return core::ok();
  FRUGAL_TRY(std::size_t n, r.read_some(tiff, std::span(b).first(8)));
  if (n < 8) return core::ok();
  const bool le = starts_with(b, "II*\0", 4), be = starts_with(b, "MM\0*", 4);
  if (!le && !be) return core::ok();
  const auto u16 = [le](const std::byte* p) { return le ? core::load_le16(p) : std::uint32_t{core::load_be16(p)}; };
  const auto u32 = [le](const std::byte* p) { return le ? core::load_le32(p) : core::load_be32(p); };
  const std::uint64_t ifd = tiff + u32(&b[4]);
  if (ifd < tiff + 8 || ifd > end || end - ifd < 2) return core::ok();  // IFD0 outside the segment
  FRUGAL_TRY(n, r.read_some(ifd, std::span(b).first(2)));
  if (n < 2) return core::ok();
  const std::uint64_t room = (end - ifd - 2) / 12;
  const std::uint64_t entries = std::min<std::uint64_t>({u16(&b[0]), room, kMaxExifEntries});
  for (std::uint64_t i = 0; i < entries; ++i) {
    FRUGAL_TRY(n, r.read_some(ifd + 2 + 12 * i, b));
    if (n < b.size()) return core::ok();
    const std::uint32_t tag = u16(&b[0]);
    if (tag > 0x0112) break;  // entries are sorted by tag (TIFF 6.0 §2)
    if (tag != 0x0112) continue;
    if (u16(&b[2]) != 3 || u32(&b[4]) != 1) break;  // not one SHORT
    const std::uint32_t v = u16(&b[8]);  // left-justified in the value field
    jpeg.stored_orientation = static_cast<std::uint16_t>(v);
    if (v >= 1 && v <= 8) jpeg.orientation = static_cast<std::uint8_t>(v);
    break;
  }
  return core::ok();
}

bool is_sof(std::uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

// The colour type libjpeg assumes (jdapimin.c default_decompress_parms).
ColourType jpeg_colour(const JpegInfo& j, std::uint8_t components, const std::byte* ids) {
  switch (components) {
    case 1: return ColourType::gray;
    case 3:
      if (j.jfif) return ColourType::ycbcr;
      if (j.adobe) return j.adobe_transform == 0 ? ColourType::rgb : ColourType::ycbcr;
      return u8(&ids[0]) == 'R' && u8(&ids[3]) == 'G' && u8(&ids[6]) == 'B' ? ColourType::rgb : ColourType::ycbcr;
    case 4:
      if (j.adobe) return j.adobe_transform == 0 ? ColourType::cmyk : ColourType::ycck;
      return ColourType::cmyk;
    default: return ColourType::unknown;
  }
}

// Table B.1: SOF0 baseline; then by the low two bits, whatever the entropy
// coding (C1-C3, C5-C7, C9-CB, CD-CF): sequential, progressive, lossless.
JpegProcess jpeg_process(std::uint8_t sof) {
  switch (sof & 3) {
    case 0: return JpegProcess::baseline;  // only C0: C4, C8, CC are not frames
    case 1: return JpegProcess::extended_sequential;
    case 2: return JpegProcess::progressive;
    default: return JpegProcess::lossless;
  }
}

// Precision P allowed by the process (T.81 §B.2.2 Table B.2).
bool jpeg_precision_allowed(JpegProcess p, std::uint8_t precision) {
  switch (p) {
    case JpegProcess::baseline: return precision == 8;
    case JpegProcess::lossless: return precision >= 2 && precision <= 16;
    default: return precision == 8 || precision == 12;
  }
}

Result<ImageInfo> jpeg(Reader& r) {
  JpegInfo j;
  bool exif_seen = false, dhp_seen = false;
  std::uint32_t dhp_width = 0, dhp_height = 0;
  std::uint64_t pos = 2;  // after SOI
  for (std::uint32_t markers = 0;; ++markers) {
    if (markers == kMaxJpegMarkers)
      return make_error(Errc::limit_exceeded, "JPEG: more than 1024 markers before the frame header", pos);
    std::array<std::byte, 4> m;
    FRUGAL_CHECK(r.read(pos, std::span(m).first(2), "JPEG: cut short before the frame header"));
    const std::uint8_t marker = u8(&m[1]);
    if (u8(&m[0]) != 0xFF) return make_error(Errc::malformed, "JPEG: a marker (0xFF) expected", pos);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // TEM, RSTn, SOI: no length
      pos += 2;
      continue;
    }
    if (marker == 0x00) return make_error(Errc::malformed, "JPEG: a marker (0xFF) expected", pos);
    if (marker == 0xD9) return make_error(Errc::malformed, "JPEG: end of image (EOI) before a frame header", pos);
    if (marker == 0xDA) return make_error(Errc::malformed, "JPEG: scan (SOS) before a frame header", pos);
    FRUGAL_CHECK(r.read(pos + 2, std::span(m).subspan(2), "JPEG: marker segment length cut short"));
    const std::uint32_t length = core::load_be16(&m[2]);
    if (length < 2) return make_error(Errc::malformed, "JPEG: marker segment length under 2", pos + 2);
    const std::uint64_t body = pos + 4, end = pos + 2 + length;
    const std::uint32_t body_bytes = length - 2;

    if (is_sof(marker) || marker == 0xDE) {  // SOFn or DHP: P, Y, X, Nf, then Nf × (C, H|V, Tq)
      std::array<std::byte, 6 + 3 * 3> f{};
      const std::size_t want = std::min<std::size_t>(f.size(), body_bytes);
      if (want < 6) return make_error(Errc::malformed, "JPEG: frame header shorter than 8 bytes", pos + 2);
      FRUGAL_CHECK(r.read(body, std::span(f).first(want), "JPEG: frame header cut short"));
      const std::uint8_t precision = u8(&f[0]), components = u8(&f[5]);
      const std::uint32_t height = core::load_be16(&f[1]), width = core::load_be16(&f[3]);
      if (components == 0) return make_error(Errc::malformed, "JPEG: frame header with no components (Nf 0)", body + 5);
      if (body_bytes != 6 + 3u * components)
        return make_error(Errc::malformed, "JPEG: frame header length does not match its components (8 + 3 Nf)", pos + 2);
      if (width == 0) return make_error(Errc::malformed, "JPEG: frame header samples per line (X) 0", body + 3);
      if (marker == 0xDE) {
        dhp_seen = true;
        dhp_width = width;
        dhp_height = height;
        pos = end;
        continue;
      }
      j.sof_marker = marker;
      j.process = jpeg_process(marker);
      j.progressive = j.process == JpegProcess::progressive;
      j.arithmetic = marker >= 0xC9;
      j.differential = (marker & 4) != 0;  // C5-C7, CD-CF
      if (!jpeg_precision_allowed(j.process, precision))
        return make_error(Errc::malformed, "JPEG: sample precision (P) not allowed for the coding process", body);
      if (j.progressive && components > 4)
        return make_error(Errc::malformed, "JPEG: progressive frame with more than 4 components", body + 5);
      ImageInfo info = base(ImageFormat::jpeg, dhp_seen ? dhp_width : width, dhp_seen ? dhp_height : height,
                            precision, components, jpeg_colour(j, components, &f[6]));
      info.jpeg = j;
      return info;
    }
    if (marker == 0xE0 && body_bytes >= 5 && !j.jfif) {
      std::array<std::byte, 5> id;
      FRUGAL_CHECK(r.read(body, id, "JPEG: APP0 cut short"));
      j.jfif = std::memcmp(id.data(), "JFIF\0", 5) == 0;
    } else if (marker == 0xE1 && body_bytes >= 6 && !exif_seen) {
      std::array<std::byte, 6> id;
      FRUGAL_CHECK(r.read(body, id, "JPEG: APP1 cut short"));
      if (std::memcmp(id.data(), "Exif\0\0", 6) == 0) {
        exif_seen = true;
        FRUGAL_CHECK(exif_orientation(r, body + 6, end, j));
      }
    } else if (marker == 0xEE && body_bytes >= 12 && !j.adobe) {
      std::array<std::byte, 12> a;  // "Adobe", version (2), flags0 (2), flags1 (2), transform (1)
      FRUGAL_CHECK(r.read(body, a, "JPEG: APP14 cut short"));
      if (std::memcmp(a.data(), "Adobe", 5) == 0) {
        j.adobe = true;
        j.adobe_transform = u8(&a[11]);
      }
    }
    pos = end;  // the rest of the segment is skipped, not read
  }
}

// --- GIF (GIF89a §18) -------------------------------------------------------

Result<ImageInfo> gif(Reader& r) {
  // Signature (6), logical screen width, height, packed fields, background, aspect.
  std::array<std::byte, 13> b;
  FRUGAL_CHECK(r.read(0, b, "GIF: logical screen descriptor cut short"));
  const std::uint32_t width = core::load_le16(&b[6]), height = core::load_le16(&b[8]);
  if (width == 0 || height == 0) return make_error(Errc::malformed, "GIF: logical screen width or height 0", 6);
  const std::uint8_t packed = u8(&b[10]);
  // With a global colour table, its size 2^(n+1) gives the index depth;
  // else the colour resolution (bits per primary colour, minus 1).
  const auto depth = static_cast<std::uint8_t>((packed & 0x80) ? (packed & 7) + 1 : ((packed >> 4) & 7) + 1);
  return base(ImageFormat::gif, width, height, depth, 1, ColourType::palette);
}

// --- BMP (Microsoft "Bitmap Header Types", "BITMAPINFOHEADER") ------------

Result<ImageInfo> bmp(Reader& r) {
  // File header (14), then the DIB header; fields at file offsets.
  std::array<std::byte, 70> b{};
  FRUGAL_CHECK(r.read(0, std::span(b).first(18), "BMP: DIB header size cut short"));
  const std::uint32_t dib = core::load_le32(&b[14]);
  static constexpr std::uint32_t kSizes[] = {12, 16, 40, 52, 56, 64, 108, 124};
  if (std::find(std::begin(kSizes), std::end(kSizes), dib) == std::end(kSizes))
    return make_error(Errc::malformed, "BMP: DIB header size not 12, 16, 40, 52, 56, 64, 108 or 124", 14);
  const bool core_header = dib == 12, os2 = dib == 16 || dib == 64;
  FRUGAL_CHECK(r.read(18, std::span(b).subspan(18, std::min<std::uint32_t>(dib, 56) - 4), "BMP: DIB header cut short"));
  std::int64_t width, height;
  std::uint32_t planes, bit_count, compression = 0;
  if (core_header) {
    width = core::load_le16(&b[18]);
    height = core::load_le16(&b[20]);
    planes = core::load_le16(&b[22]);
    bit_count = core::load_le16(&b[24]);
  } else {
    width = static_cast<std::int32_t>(core::load_le32(&b[18]));
    height = static_cast<std::int32_t>(core::load_le32(&b[22]));
    planes = core::load_le16(&b[26]);
    bit_count = core::load_le16(&b[28]);
    if (dib >= 40) compression = core::load_le32(&b[30]);
  }
  const std::uint64_t planes_at = core_header ? 22 : 26, count_at = core_header ? 24 : 28;
  if (width <= 0) return make_error(Errc::malformed, "BMP: width not positive", 18);
  if (height == 0 || height == INT32_MIN) return make_error(Errc::malformed, "BMP: height 0 or -2^31", core_header ? 20 : 22);
  if (planes != 1) return make_error(Errc::malformed, "BMP: planes not 1", planes_at);
  static constexpr std::uint32_t kCounts[] = {0, 1, 2, 4, 8, 16, 24, 32};
  if (std::find(std::begin(kCounts), std::end(kCounts), bit_count) == std::end(kCounts))
    return make_error(Errc::malformed, "BMP: bit count not 0, 1, 2, 4, 8, 16, 24 or 32", count_at);
  if (compression > 6) return make_error(Errc::malformed, "BMP: unknown compression", 30);
  const bool embedded = compression == 4 || compression == 5 || (os2 && compression >= 3);  // JPEG, PNG, OS/2 Huffman/RLE24
  if (bit_count == 0 && !embedded) return make_error(Errc::malformed, "BMP: bit count 0 without JPEG or PNG data", count_at);
  if ((compression == 1 && bit_count != 8) || (compression == 2 && bit_count != 4) ||
      ((compression == 3 || compression == 6) && !os2 && bit_count != 16 && bit_count != 32))
    return make_error(Errc::malformed, "BMP: compression does not fit the bit count", 30);

  ImageInfo info;
  if (embedded) {
    info = base(ImageFormat::bmp, 0, 0, 0, 0, ColourType::unknown);
  } else if (bit_count <= 8) {
    info = base(ImageFormat::bmp, 0, 0, static_cast<std::uint8_t>(bit_count), 1, ColourType::palette);
  } else if (compression == 3 || compression == 6) {
    // Masks after the 40-byte header (inside it from V2 on): red, green,
    // blue, then alpha (V3 and up, or BI_ALPHABITFIELDS).
    const bool alpha_mask = compression == 6 || dib >= 56;
    FRUGAL_CHECK(r.read(54, std::span(b).subspan(54, alpha_mask ? 16 : 12), "BMP: colour masks cut short"));
    int depth = 0;
    std::uint32_t seen = 0;
    const std::uint32_t room = bit_count == 32 ? UINT32_MAX : (1u << bit_count) - 1;
    for (int i = 0; i < (alpha_mask ? 4 : 3); ++i) {
      const std::uint32_t mask = core::load_le32(&b[54 + 4 * i]);
      if ((mask & seen) || (mask & ~room))
        return make_error(Errc::malformed, "BMP: colour masks overlap or exceed the bit count", 54);
      seen |= mask;
      if (i < 3) depth = std::max(depth, std::popcount(mask));
    }
    const bool alpha = alpha_mask && core::load_le32(&b[66]) != 0;
    info = base(ImageFormat::bmp, 0, 0, static_cast<std::uint8_t>(depth), alpha ? 4 : 3,
                alpha ? ColourType::rgba : ColourType::rgb);
    info.has_alpha = alpha;
  } else {  // BI_RGB 16 (5-5-5), 24, 32 (the fourth byte "reserved": no alpha)
    info = base(ImageFormat::bmp, 0, 0, bit_count == 16 ? 5 : 8, 3, ColourType::rgb);
  }
  info.width = static_cast<std::uint32_t>(width);
  info.height = static_cast<std::uint32_t>(height < 0 ? -height : height);
  info.bits_per_pixel = static_cast<std::uint16_t>(bit_count);
  info.bmp.header_bytes = dib;
  info.bmp.compression = compression;
  info.bmp.top_down = height < 0;
  return info;
}

// --- WebP (RFC 9649 §2.5-2.7; RFC 6386 §9.1) ------------------------------

Result<ImageInfo> webp(Reader& r) {
  // "RIFF" size "WEBP", then the first chunk: FourCC (12), size (16), data (20).
  std::array<std::byte, 30> b;
  FRUGAL_CHECK(r.read(0, b, "WebP: first chunk cut short"));
  const std::byte* d = &b[20];
  const std::uint32_t chunk_bytes = core::load_le32(&b[16]);
  ImageInfo info;
  if (starts_with(b, "VP8 ", 4, 12)) {
    if (chunk_bytes < 10) return make_error(Errc::malformed, "WebP: VP8 chunk under 10 bytes", 16);
    if (u8(&d[0]) & 1) return make_error(Errc::malformed, "WebP: VP8 frame is not a key frame", 20);
    if (u8(&d[3]) != 0x9D || u8(&d[4]) != 0x01 || u8(&d[5]) != 0x2A)
      return make_error(Errc::malformed, "WebP: VP8 start code not 9D 01 2A", 23);
    info = base(ImageFormat::webp, core::load_le16(&d[6]) & 0x3FFF, core::load_le16(&d[8]) & 0x3FFF, 8, 3,
                ColourType::ycbcr);
    if (!info.has_size()) return make_error(Errc::malformed, "WebP: VP8 width or height 0", 26);
    info.webp.kind = WebpKind::vp8;
  } else if (starts_with(b, "VP8L", 4, 12)) {
    if (chunk_bytes < 5) return make_error(Errc::malformed, "WebP: VP8L chunk under 5 bytes", 16);
    if (u8(&d[0]) != 0x2F) return make_error(Errc::malformed, "WebP: VP8L signature not 0x2F", 20);
    const std::uint32_t bits = core::load_le32(&d[1]);
    if (bits >> 29) return make_error(Errc::malformed, "WebP: VP8L version not 0", 21);
    const bool alpha = (bits >> 28) & 1;
    info = base(ImageFormat::webp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, 8, alpha ? 4 : 3,
                alpha ? ColourType::rgba : ColourType::rgb);
    info.has_alpha = alpha;
    info.webp.kind = WebpKind::vp8l;
  } else if (starts_with(b, "VP8X", 4, 12)) {
    if (chunk_bytes < 10) return make_error(Errc::malformed, "WebP: VP8X chunk under 10 bytes", 16);
    const std::uint32_t width = core::load_le24(&d[4]) + 1, height = core::load_le24(&d[7]) + 1;
    if (std::uint64_t{width} * height > UINT32_MAX)
      return make_error(Errc::malformed, "WebP: VP8X canvas width x height over 2^32 - 1", 24);
    const bool alpha = u8(&d[0]) & 0x10;
    info = base(ImageFormat::webp, width, height, 8, alpha ? 4 : 3, alpha ? ColourType::rgba : ColourType::rgb);
    info.has_alpha = alpha;
    info.webp.kind = WebpKind::vp8x;
    info.webp.animated = u8(&d[0]) & 0x02;
  } else {
    return make_error(Errc::malformed, "WebP: first chunk is not VP8, VP8L or VP8X", 12);
  }
  return info;
}

}  // namespace

ImageFormat sniff_image_format(std::span<const std::byte> head) noexcept {
  if (starts_with(head, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::png;
  if (starts_with(head, "\xFF\xD8\xFF", 3)) return ImageFormat::jpeg;
  if (starts_with(head, "GIF87a", 6) || starts_with(head, "GIF89a", 6)) return ImageFormat::gif;
  if (starts_with(head, "BM", 2)) return ImageFormat::bmp;
  if (starts_with(head, "RIFF", 4) && starts_with(head, "WEBP", 4, 8)) return ImageFormat::webp;
  return ImageFormat::unknown;
}

Result<ImageInfo> read_image_info(core::ByteSource& source) {
  Reader r(source);
  std::array<std::byte, 12> head;
  FRUGAL_TRY(std::size_t n, r.read_some(0, head));
  switch (sniff_image_format(std::span(head).first(n))) {
    case ImageFormat::png: return png(r);
    case ImageFormat::jpeg: return jpeg(r);
    case ImageFormat::gif: return gif(r);
    case ImageFormat::bmp: return bmp(r);
    case ImageFormat::webp: return webp(r);
    case ImageFormat::unknown: break;
  }
  return make_error(Errc::unsupported, "image: not a PNG, JPEG, GIF, BMP or WebP file", 0);
}

Result<ImageInfo> read_image_info(std::span<const std::byte> image) noexcept {
  core::MemorySource source(image);
  return read_image_info(source);
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

const char* image_format_name(ImageFormat format) noexcept {
  switch (format) {
    case ImageFormat::png: return "png";
    case ImageFormat::jpeg: return "jpeg";
    case ImageFormat::gif: return "gif";
    case ImageFormat::bmp: return "bmp";
    case ImageFormat::webp: return "webp";
    case ImageFormat::unknown: break;
  }
  return "unknown";
}

const char* colour_type_name(ColourType type) noexcept {
  static constexpr const char* kNames[] = {"unknown", "gray", "gray_alpha", "rgb", "rgba",
                                           "palette", "ycbcr", "cmyk",       "ycck"};
  const auto i = static_cast<unsigned>(type);
  return i < 9 ? kNames[i] : "unknown";
}

const char* jpeg_process_name(JpegProcess process) noexcept {
  switch (process) {
    case JpegProcess::baseline: return "baseline";
    case JpegProcess::extended_sequential: return "extended_sequential";
    case JpegProcess::progressive: return "progressive";
    case JpegProcess::lossless: return "lossless";
  }
  return "unknown";
}

const char* webp_kind_name(WebpKind kind) noexcept {
  switch (kind) {
    case WebpKind::vp8: return "vp8";
    case WebpKind::vp8l: return "vp8l";
    case WebpKind::vp8x: return "vp8x";
  }
  return "unknown";
}

}  // namespace frugal::assets
