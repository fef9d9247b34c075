#include "tags/fixtures.hpp"

#include <array>
#include <cstring>

namespace frugal::test {

namespace {

void le32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}
void be32(Bytes& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}
void append(Bytes& out, std::string_view s) {
  const auto b = bytes_of(s);
  out.insert(out.end(), b.begin(), b.end());
}

// The Ogg CRC: polynomial 0x04C11DB7, initial 0, not reflected, no final xor.
std::uint32_t ogg_crc(std::span<const std::byte> page) {
  std::uint32_t crc = 0;
  for (std::byte b : page) {
    crc ^= std::to_integer<std::uint32_t>(b) << 24;
    for (int i = 0; i < 8; ++i) crc = crc & 0x80000000u ? crc << 1 ^ 0x04C11DB7u : crc << 1;
  }
  return crc;
}

}  // namespace

Bytes vorbis_comment(const Fields& fields, const std::string& vendor) {
  Bytes out;
  le32(out, static_cast<std::uint32_t>(vendor.size()));
  append(out, vendor);
  le32(out, static_cast<std::uint32_t>(fields.size()));
  for (const auto& [key, value] : fields) {
    le32(out, static_cast<std::uint32_t>(key.size() + 1 + value.size()));
    append(out, key + "=" + value);
  }
  return out;
}

Bytes flac_file(const std::vector<FlacBlock>& blocks, const Bytes& audio) {
  Bytes out;
  append(out, "fLaC");
  // STREAMINFO: block sizes 4096/4096, frame sizes unknown, 44100 Hz, 2
  // channels, 16 bits, 44100 samples, MD5 zero.
  const std::array<std::uint8_t, 18> info{0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0,
                                          0x0A, 0xC4, 0x42, 0xF0, 0x00, 0x00, 0xAC, 0x44};
  std::vector<FlacBlock> all{{0, Bytes(34)}};
  for (std::size_t i = 0; i < info.size(); ++i) all[0].body[i] = std::byte{info[i]};
  all.insert(all.end(), blocks.begin(), blocks.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto n = static_cast<std::uint32_t>(all[i].body.size());
    out.push_back(static_cast<std::byte>(all[i].type | (i + 1 == all.size() ? 0x80 : 0)));
    for (int s = 16; s >= 0; s -= 8) out.push_back(static_cast<std::byte>(n >> s));
    out.insert(out.end(), all[i].body.begin(), all[i].body.end());
  }
  out.insert(out.end(), audio.begin(), audio.end());
  return out;
}

Bytes flac_picture(std::uint32_t type, const std::string& mime, const std::string& description, std::uint32_t width,
                   std::uint32_t height, const Bytes& data) {
  Bytes out;
  be32(out, type);
  be32(out, static_cast<std::uint32_t>(mime.size()));
  append(out, mime);
  be32(out, static_cast<std::uint32_t>(description.size()));
  append(out, description);
  be32(out, width);
  be32(out, height);
  be32(out, 24);
  be32(out, 0);
  be32(out, static_cast<std::uint32_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes ogg_stream(const std::vector<Bytes>& packets) {
  Bytes out;
  std::uint32_t sequence = 0;
  for (std::size_t p = 0; p < packets.size(); ++p) {
    const Bytes& packet = packets[p];
    std::size_t at = 0;
    bool continued = false;
    do {
      // Up to 255 segments per page; a packet ends at a lacing value < 255.
      std::vector<std::uint8_t> lacing;
      std::size_t take = 0;
      bool ends = false;
      while (lacing.size() < 255) {
        const std::size_t left = packet.size() - at - take;
        const auto seg = static_cast<std::uint8_t>(left < 255 ? left : 255);
        lacing.push_back(seg);
        take += seg;
        if (seg < 255) {
          ends = true;
          break;
        }
      }
      Bytes page;
      append(page, "OggS");
      page.push_back(std::byte{0});
      std::uint8_t flags = continued ? 1 : 0;
      if (p == 0 && at == 0) flags |= 2;
      if (p + 1 == packets.size() && ends) flags |= 4;
      page.push_back(std::byte{flags});
      for (int i = 0; i < 8; ++i) page.push_back(std::byte{0});  // granule position 0
      le32(page, 0x1234);
      le32(page, sequence++);
      le32(page, 0);  // CRC, filled below
      page.push_back(static_cast<std::byte>(lacing.size()));
      for (std::uint8_t l : lacing) page.push_back(std::byte{l});
      page.insert(page.end(), packet.begin() + static_cast<std::ptrdiff_t>(at),
                  packet.begin() + static_cast<std::ptrdiff_t>(at + take));
      const std::uint32_t crc = ogg_crc(page);
      for (int i = 0; i < 4; ++i) page[22 + i] = static_cast<std::byte>(crc >> (8 * i));
      out.insert(out.end(), page.begin(), page.end());
      at += take;
      continued = !ends;
    } while (continued);
  }
  return out;
}

Bytes opus_head() {
  Bytes out;
  append(out, "OpusHead");
  out.push_back(std::byte{1});
  out.push_back(std::byte{2});
  out.push_back(std::byte{0x38});  // pre-skip 312, little-endian
  out.push_back(std::byte{0x01});
  le32(out, 48000);
  out.push_back(std::byte{0});  // output gain
  out.push_back(std::byte{0});
  out.push_back(std::byte{0});  // mapping family
  return out;
}

Bytes opus_tags(const Fields& fields) {
  Bytes out;
  append(out, "OpusTags");
  const Bytes body = vorbis_comment(fields);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes opus_file(const Fields& fields) { return ogg_stream({opus_head(), opus_tags(fields), Bytes{std::byte{0xF8}}}); }

Bytes m4a_with(const Bytes& udta) {
  BoxWriter w;
  w.begin("ftyp").fourcc("M4A ").u32(0).fourcc("M4A ").end();
  w.begin("moov").bytes(udta).end();
  w.begin("mdat").zeros(32).end();
  return w.take();
}

Bytes png_image(std::uint32_t width, std::uint32_t height, std::size_t extra) {
  Bytes out;
  append(out, "\x89PNG\r\n\x1A\n");
  be32(out, 13);
  append(out, "IHDR");
  be32(out, width);
  be32(out, height);
  out.push_back(std::byte{8});  // bit depth 8, colour type 2 (RGB)
  out.push_back(std::byte{2});
  out.resize(out.size() + 3 + 4 + extra);  // compression, filter, interlace 0; CRC (not checked); filler
  return out;
}

Bytes jpeg_image(std::uint16_t width, std::uint16_t height, std::size_t extra) {
  // SOI, an APP0 segment (length 16), SOF0 (length 11: precision, height,
  // width, one component).
  const std::uint8_t head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
                               0xFF, 0xC0, 0x00, 0x0B, 0x08};
  Bytes out;
  for (std::uint8_t b : head) out.push_back(std::byte{b});
  out.push_back(static_cast<std::byte>(height >> 8));
  out.push_back(static_cast<std::byte>(height));
  out.push_back(static_cast<std::byte>(width >> 8));
  out.push_back(static_cast<std::byte>(width));
  const std::uint8_t component[] = {1, 1, 0x11, 0};
  for (std::uint8_t b : component) out.push_back(std::byte{b});
  out.resize(out.size() + extra);
  return out;
}

}  // namespace frugal::test
