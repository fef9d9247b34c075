#include "assets/rom_header.hpp"

#include <algorithm>
#include <array>

namespace frugal::assets::detail {

using core::Errc;
using core::make_error;

namespace {

constexpr std::size_t kHeaderBytes = 0x50;  // $xxB0-$xxFF: extended header, header, vectors
constexpr int kMinScore = 8;  // more than map mode + reset vector, which garbage meets 1 time in 128

struct Candidate {
  std::uint64_t base;  // image offset of $xxB0
  RomMapping mapping;  // by location; SA-1 is told by the map mode
};

// Tie order: the Ex locations first (an ExLoROM/ExHiROM image often keeps a
// copy of its header in the first 4 MiB; the CPU reads the Ex one), then
// LoROM before HiROM.
constexpr std::array<Candidate, 4> kCandidates{{
    {0x40FFB0, RomMapping::exhirom},
    {0x407FB0, RomMapping::exlorom},
    {0x7FB0, RomMapping::lorom},
    {0xFFB0, RomMapping::hirom},
}};

std::uint16_t le16(const std::byte* p) {
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) | std::to_integer<unsigned>(p[1]) << 8);
}
std::uint8_t byte_at(const std::array<std::byte, kHeaderBytes>& h, std::size_t i) {
  return std::to_integer<std::uint8_t>(h[i]);
}

// 1 KiB << code, 0 for 0 or codes past 8 MiB.
std::uint32_t kib_log2(std::uint8_t code) { return code >= 1 && code <= 13 ? std::uint32_t{1024} << code : 0; }

bool map_mode_fits(RomMapping location, std::uint8_t mode) {
  switch (location) {
    case RomMapping::lorom:
      return mode == 0x20 || mode == 0x30 || mode == 0x22 || mode == 0x32 || mode == 0x23 || mode == 0x33;
    case RomMapping::hirom: return mode == 0x21 || mode == 0x31 || mode == 0x2A || mode == 0x3A;
    case RomMapping::exlorom: return mode == 0x20 || mode == 0x30 || mode == 0x32;
    case RomMapping::exhirom: return mode == 0x25 || mode == 0x35;
    case RomMapping::sa1: break;
  }
  return false;
}

bool katakana(std::uint8_t b) { return b >= 0xA1 && b <= 0xDF; }
bool printable(std::uint8_t b) { return (b >= 0x20 && b <= 0x7E) || katakana(b); }

// The title bytes without trailing spaces and NULs.
std::span<const std::byte> trimmed_title(const std::array<std::byte, kHeaderBytes>& h) {
  std::size_t n = RomHeader::kTitleBytes;
  while (n && (byte_at(h, 0x10 + n - 1) == 0x20 || byte_at(h, 0x10 + n - 1) == 0x00)) --n;
  return std::span(h).subspan(0x10, n);
}

void decode_title(std::span<const std::byte> title, RomHeader& out) {
  std::size_t n = 0;
  for (std::byte raw : title) {
    const auto b = std::to_integer<std::uint8_t>(raw);
    if (katakana(b)) {  // U+FF61 + (b - 0xA1), three UTF-8 bytes: EF BD A1..BF, EF BE 80..9F
      const unsigned cp = 0xFF61 + (b - 0xA1u);
      out.title_utf8[n++] = static_cast<char>(0xE0 | cp >> 12);
      out.title_utf8[n++] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      out.title_utf8[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out.title_utf8[n++] = b >= 0x20 && b <= 0x7E ? static_cast<char>(b) : '?';
    }
  }
  out.title_length = n;
}

RomChip chip_of(std::uint8_t type, std::uint8_t subtype) {
  if ((type & 0x0F) < 3) return RomChip::none;
  switch (type >> 4) {
    case 0x0: return RomChip::dsp1;
    case 0x1: return RomChip::superfx;
    case 0x2: return RomChip::obc1;
    case 0x3: return RomChip::sa1;
    case 0x4: return RomChip::sdd1;
    case 0x5: return RomChip::srtc;
    case 0xE: return RomChip::other;
    case 0xF:
      switch (subtype) {
        case 0x00: return RomChip::spc7110;
        case 0x01: return RomChip::st010;
        case 0x02: return RomChip::st018;
        case 0x10: return RomChip::cx4;
        default: break;
      }
      break;
    default: break;
  }
  return RomChip::unknown;
}

void add_reason(RomHeader& h, bool good, int points, const char* yes, const char* no) {
  if (good) h.score += points;
  h.reasons[h.reason_count++] = good ? yes : no;
}

// Scores the header at `c` and decodes it into `out`.
void score(const Candidate& c, const std::array<std::byte, kHeaderBytes>& h, std::uint64_t image_bytes,
           std::uint16_t computed, RomHeader& out) {
  out.base_offset = c.base;
  out.map_mode = byte_at(h, 0x25);
  out.cartridge_type = byte_at(h, 0x26);
  out.rom_size = kib_log2(byte_at(h, 0x27));
  out.ram_size = kib_log2(byte_at(h, 0x28));
  out.region = byte_at(h, 0x29);
  out.developer_id = byte_at(h, 0x2A);
  out.version = byte_at(h, 0x2B);
  out.complement = le16(&h[0x2C]);
  out.checksum = le16(&h[0x2E]);
  out.computed_checksum = computed;
  out.reset_vector = le16(&h[0x4C]);
  out.chip = chip_of(out.cartridge_type, byte_at(h, 0x0F));
  out.mapping = c.mapping == RomMapping::lorom && (out.map_mode & 0xEF) == 0x23 ? RomMapping::sa1 : c.mapping;
  if (out.developer_id == 0x33) {
    RomExtendedHeader x;
    for (std::size_t i = 0; i < 2; ++i) x.maker_code[i] = static_cast<char>(byte_at(h, i));
    for (std::size_t i = 0; i < 4; ++i) x.game_code[i] = static_cast<char>(byte_at(h, 2 + i));
    x.expansion_flash_bytes = kib_log2(byte_at(h, 0x0C));
    x.expansion_ram_bytes = kib_log2(byte_at(h, 0x0D));
    x.special_version = byte_at(h, 0x0E);
    x.chip_subtype = byte_at(h, 0x0F);
    out.extended = x;
  }
  const std::span<const std::byte> title = trimmed_title(h);
  decode_title(title, out);

  const bool pair = static_cast<std::uint16_t>(out.checksum + out.complement) == 0xFFFF;
  add_reason(out, pair, 4, "checksum + complement = $FFFF", "checksum + complement != $FFFF");
  add_reason(out, pair && out.checksum == computed, 4, "stored checksum equals the computed one",
             "stored checksum differs from the computed one");
  add_reason(out, map_mode_fits(c.mapping, out.map_mode), 4, "map mode fits the header's location",
             "map mode does not fit the header's location");
  const bool reset_in_rom = out.reset_vector >= 0x8000;
  add_reason(out, reset_in_rom, 2, "reset vector >= $8000", "reset vector < $8000 (not ROM)");
  if (!reset_in_rom) out.score -= 4;
  add_reason(out, !title.empty() && std::all_of(title.begin(), title.end(), [](std::byte b) {
               return printable(std::to_integer<std::uint8_t>(b));
             }),
             2, "title is printable", "title is empty or has unprintable bytes");
  add_reason(out, out.rom_size && image_bytes > out.rom_size / 2 && image_bytes <= out.rom_size, 2,
             "declared ROM size fits the image", "declared ROM size does not fit the image");
}

}  // namespace

core::Result<std::uint16_t> computed_checksum(core::ByteSource& source, std::uint64_t base, std::uint64_t size) {
  std::array<std::byte, 1024> buffer;
  const auto sum = [&](std::uint64_t offset, std::uint64_t length) -> core::Result<std::uint32_t> {
    std::uint32_t total = 0;
    while (length) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length, buffer.size()));
      auto r = core::read_exact(source, base + offset, std::span(buffer).first(n));
      if (!r) {
        if (r.error().code == Errc::end_of_stream) return make_error(Errc::io, "ROM image shrank while open", base + offset);
        return r.error();
      }
      for (std::size_t i = 0; i < n; ++i) total += std::to_integer<std::uint32_t>(buffer[i]);
      offset += n;
      length -= n;
    }
    return total;
  };
  // snes9x's (after NSRT) mirrored sum: the largest power of two once, the
  // rest's own mirrored sum doubled until it covers as much. `covered` is
  // what the returned sum stands for.
  struct Mirrored {
    std::uint32_t sum;
    std::uint64_t covered;
  };
  const auto mirrored = [&](auto& self, std::uint64_t offset, std::uint64_t length) -> core::Result<Mirrored> {
    std::uint64_t mask = 1;
    while (mask <= length / 2) mask <<= 1;
    FRUGAL_TRY(std::uint32_t first, sum(offset, mask));
    if (length == mask) return Mirrored{first, mask};
    FRUGAL_TRY(Mirrored rest, self(self, offset + mask, length - mask));
    for (; rest.covered < mask; rest.covered *= 2) rest.sum *= 2;
    return Mirrored{first + rest.sum, 2 * mask};
  };
  FRUGAL_TRY(Mirrored all, mirrored(mirrored, 0, size));
  return static_cast<std::uint16_t>(all.sum);
}

core::Result<RomHeader> detect_header(core::ByteSource& source, std::uint64_t base, std::uint64_t size,
                                      std::uint16_t computed) {
  std::optional<RomHeader> best;
  for (const Candidate& c : kCandidates) {
    if (c.base + kHeaderBytes > size) continue;
    std::array<std::byte, kHeaderBytes> bytes;
    auto r = core::read_exact(source, base + c.base, bytes);
    if (!r) {
      if (r.error().code == Errc::end_of_stream) return make_error(Errc::io, "ROM image shrank while open", base + c.base);
      return r.error();
    }
    RomHeader h;
    score(c, bytes, size, computed, h);
    if (!best || h.score > best->score) best = h;
  }
  if (!best || best->score < kMinScore) return make_error(Errc::malformed, "no SNES cartridge header found (no candidate scores 8)");
  const std::uint8_t mode = best->map_mode & 0xEF;
  if (best->base_offset == 0x7FB0 && (mode == 0x21 || mode == 0x25))
    return make_error(Errc::unsupported, "HiROM header at $7FC0: an interleaved image (de-interleave it first)",
                      base + best->base_offset + 0x25);
  return *best;
}

}  // namespace frugal::assets::detail
