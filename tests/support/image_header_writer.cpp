#include "support/image_header_writer.hpp"

#include <array>
#include <cstring>

namespace frugal::test {

namespace {

void put(Bytes& out, std::initializer_list<int> bytes) {
  for (int b : bytes) out.push_back(static_cast<std::byte>(b));
}
void put(Bytes& out, const char* text, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(text[i]));
}
void be16(Bytes& out, std::uint32_t v) { put(out, {static_cast<int>((v >> 8) & 0xFF), static_cast<int>(v & 0xFF)}); }
void be32(Bytes& out, std::uint32_t v) {
  be16(out, v >> 16);
  be16(out, v & 0xFFFF);
}
void le16(Bytes& out, std::uint32_t v) { put(out, {static_cast<int>(v & 0xFF), static_cast<int>((v >> 8) & 0xFF)}); }
void le24(Bytes& out, std::uint32_t v) {
  le16(out, v & 0xFFFF);
  put(out, {static_cast<int>((v >> 16) & 0xFF)});
}
void le32(Bytes& out, std::uint32_t v) {
  le16(out, v & 0xFFFF);
  le16(out, v >> 16);
}

// CRC-32 of PNG chunks (ISO/IEC 15948 Annex D).
std::uint32_t crc32(const std::byte* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= std::to_integer<std::uint32_t>(p[i]);
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

void png_chunk(Bytes& out, const char* type, const Bytes& data) {
  be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  put(out, type, 4);
  out.insert(out.end(), data.begin(), data.end());
  be32(out, crc32(&out[start], out.size() - start));
}

}  // namespace

Bytes png_header(std::uint32_t width, std::uint32_t height, std::uint8_t depth, std::uint8_t colour,
                 std::uint8_t interlace) {
  Bytes out;
  put(out, "\x89PNG\r\n\x1A\n", 8);
  Bytes ihdr;
  be32(ihdr, width);
  be32(ihdr, height);
  put(ihdr, {depth, colour, 0, 0, interlace});
  png_chunk(out, "IHDR", ihdr);
  png_chunk(out, "IEND", {});
  return out;
}

JpegBuilder::JpegBuilder() { put(out_, {0xFF, 0xD8}); }

JpegBuilder& JpegBuilder::segment(std::uint8_t marker, const Bytes& body) {
  put(out_, {0xFF, marker});
  be16(out_, static_cast<std::uint32_t>(body.size() + 2));
  out_.insert(out_.end(), body.begin(), body.end());
  return *this;
}

JpegBuilder& JpegBuilder::raw(std::initializer_list<int> bytes) {
  put(out_, bytes);
  return *this;
}

JpegBuilder& JpegBuilder::jfif() {
  Bytes b;
  put(b, "JFIF\0", 5);
  put(b, {1, 1, 0, 0, 1, 0, 1, 0, 0});
  return segment(0xE0, b);
}

JpegBuilder& JpegBuilder::adobe(std::uint8_t transform) {
  Bytes b;
  put(b, "Adobe", 5);
  put(b, {0, 100, 0, 0, 0, 0, transform});
  return segment(0xEE, b);
}

JpegBuilder& JpegBuilder::exif(const ExifSpec& spec) {
  Bytes t;  // the TIFF structure
  const auto u16 = [&](std::uint32_t v) { spec.little_endian ? le16(t, v) : be16(t, v); };
  const auto u32 = [&](std::uint32_t v) { spec.little_endian ? le32(t, v) : be32(t, v); };
  put(t, spec.little_endian ? "II" : "MM", 2);
  u16(42);
  u32(spec.ifd_offset);
  if (spec.ifd_offset > 8) t.resize(spec.ifd_offset);
  u16(spec.entries_before + (spec.orientation ? 1 : 0));
  for (std::uint16_t i = 0; i < spec.entries_before; ++i) {  // ASCII entries (Make...) pointing nowhere
    u16(0x010F);
    u16(2);
    u32(4);
    u32(0);
  }
  if (spec.orientation) {
    u16(0x0112);
    u16(spec.type);
    u32(1);
    u16(*spec.orientation);  // left-justified in the 4-byte value field
    u16(0);
  }
  u32(0);  // no next IFD
  t.resize(t.size() + spec.padding);
  Bytes body;
  put(body, "Exif\0\0", 6);
  body.insert(body.end(), t.begin(), t.end());
  return segment(0xE1, body);
}

JpegBuilder& JpegBuilder::com(std::size_t bytes) { return segment(0xFE, Bytes(bytes, std::byte{'c'})); }

JpegBuilder& JpegBuilder::frame(std::uint8_t marker, std::uint8_t precision, std::uint16_t width,
                                std::uint16_t height, std::uint8_t components, const std::string& ids) {
  Bytes b;
  put(b, {precision});
  be16(b, height);
  be16(b, width);
  put(b, {components});
  for (int i = 0; i < components; ++i)
    put(b, {i < static_cast<int>(ids.size()) ? static_cast<unsigned char>(ids[static_cast<std::size_t>(i)]) : i + 1,
            0x11, 0});
  return segment(marker, b);
}

Bytes JpegBuilder::take() const {
  Bytes out = out_;
  put(out, {0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0, 0xFF, 0xD9});
  return out;
}

Bytes gif_header(const char* version, std::uint16_t width, std::uint16_t height, std::uint8_t packed) {
  Bytes out;
  put(out, "GIF", 3);
  put(out, version, 3);
  le16(out, width);
  le16(out, height);
  put(out, {packed, 0, 0});
  out.resize(out.size() + ((packed & 0x80) ? 3u << ((packed & 7) + 1) : 0));  // global colour table
  put(out, {0x3B});
  return out;
}

Bytes bmp_header(std::uint32_t dib_bytes, std::int32_t width, std::int32_t height, std::uint16_t bit_count,
                 std::uint32_t compression, std::vector<std::uint32_t> masks, std::uint16_t planes) {
  Bytes out;
  put(out, "BM", 2);
  le32(out, 0);  // file size: not checked by readers
  le32(out, 0);
  le32(out, 14 + dib_bytes + 16);
  le32(out, dib_bytes);
  if (dib_bytes == 12) {
    le16(out, static_cast<std::uint32_t>(width));
    le16(out, static_cast<std::uint32_t>(height));
    le16(out, planes);
    le16(out, bit_count);
  } else {
    le32(out, static_cast<std::uint32_t>(width));
    le32(out, static_cast<std::uint32_t>(height));
    le16(out, planes);
    le16(out, bit_count);
    if (dib_bytes >= 20) le32(out, compression);
  }
  out.resize(14 + dib_bytes);
  if (!masks.empty()) {
    out.resize(std::max<std::size_t>(out.size(), 54 + 4 * masks.size()));
    for (std::size_t i = 0; i < masks.size(); ++i)
      for (int k = 0; k < 4; ++k) out[54 + 4 * i + static_cast<std::size_t>(k)] = static_cast<std::byte>(masks[i] >> (8 * k));
  }
  out.resize(out.size() + 16);
  return out;
}

Bytes webp_chunk(const char* fourcc, const Bytes& data) {
  Bytes out;
  put(out, "RIFF", 4);
  le32(out, static_cast<std::uint32_t>(4 + 8 + data.size()));
  put(out, "WEBP", 4);
  put(out, fourcc, 4);
  le32(out, static_cast<std::uint32_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  if (data.size() % 2) out.push_back(std::byte{0});
  return out;
}

Bytes webp_vp8(std::uint16_t width, std::uint16_t height) {
  Bytes d;
  put(d, {0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A});  // key frame tag, start code
  le16(d, width);
  le16(d, height);
  d.resize(d.size() + 8);
  return webp_chunk("VP8 ", d);
}

Bytes webp_vp8l(std::uint32_t width, std::uint32_t height, bool alpha, std::uint32_t version) {
  Bytes d;
  put(d, {0x2F});
  le32(d, (width - 1) | (height - 1) << 14 | std::uint32_t{alpha} << 28 | version << 29);
  d.resize(d.size() + 8);
  return webp_chunk("VP8L", d);
}

Bytes webp_vp8x(std::uint32_t width, std::uint32_t height, std::uint8_t flags) {
  Bytes d;
  put(d, {flags, 0, 0, 0});
  le24(d, width - 1);
  le24(d, height - 1);
  return webp_chunk("VP8X", d);
}

}  // namespace frugal::test
