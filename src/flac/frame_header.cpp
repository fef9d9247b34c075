#include "flac/frame_header.hpp"

#include <array>

namespace frugal::flac::detail {

namespace {

constexpr std::array<std::uint8_t, 256> make_crc8_table() {
  std::array<std::uint8_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned c = i;
    for (int k = 0; k < 8; ++k) c = (c & 0x80) ? ((c << 1) ^ 0x07) : (c << 1);
    t[i] = static_cast<std::uint8_t>(c);
  }
  return t;
}

constexpr std::array<std::uint16_t, 256> make_crc16_table() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned c = i << 8;
    for (int k = 0; k < 8; ++k) c = (c & 0x8000) ? ((c << 1) ^ 0x8005) : (c << 1);
    t[i] = static_cast<std::uint16_t>(c);
  }
  return t;
}

constexpr auto kCrc8 = make_crc8_table();
constexpr auto kCrc16 = make_crc16_table();

// §9.1.1 block size codes 1-5 and 8-15 (6 and 7: uncommon, after the number).
std::uint32_t common_block_size(unsigned code) {
  if (code == 1) return 192;
  if (code >= 2 && code <= 5) return 576u << (code - 2);
  return 256u << (code - 8);
}

// §9.1.2 sample rate codes 1-11.
constexpr std::array<std::uint32_t, 12> kSampleRates = {0,     88200, 176400, 192000, 8000,  16000,
                                                        22050, 24000, 32000,  44100,  48000, 96000};
// §9.1.4 bit depth codes (3: reserved).
constexpr std::array<std::uint8_t, 8> kBitDepths = {0, 8, 12, 0, 16, 20, 24, 32};

// The frame sync code: 0xFFF8 or 0xFFF9 (the blocking strategy bit).
bool is_sync(std::span<const std::byte> b) noexcept {
  return b.size() >= 2 && b[0] == std::byte{0xFF} && (std::to_integer<unsigned>(b[1]) & 0xFE) == 0xF8;
}

}  // namespace

bool parse_frame_header(std::span<const std::byte> b, FrameHeader& out) noexcept {
  if (b.size() < 6 || !is_sync(b)) return false;
  const auto at = [&](std::size_t i) { return std::to_integer<unsigned>(b[i]); };
  FrameHeader h;
  h.variable = (at(1) & 1) != 0;
  const unsigned block_code = at(2) >> 4, rate_code = at(2) & 15;
  const unsigned channel_code = at(3) >> 4, depth_code = (at(3) >> 1) & 7;
  if (block_code == 0 || rate_code == 15 || channel_code > 10 || depth_code == 3 || (at(3) & 1) != 0) return false;
  h.channels = static_cast<std::uint8_t>(channel_code < 8 ? channel_code + 1 : 2);
  h.bits_per_sample = kBitDepths[depth_code];

  // §9.1.5 coded number: UTF-8-like, 1 to 7 bytes; 31 bits for a frame
  // number, 36 for a sample number.
  std::size_t pos = 4;
  const unsigned first = at(pos++);
  unsigned extra = 0;
  std::uint64_t value = 0;
  if (first < 0x80) value = first;
  else if (first >= 0xC0 && first < 0xE0) extra = 1, value = first & 0x1F;
  else if (first >= 0xE0 && first < 0xF0) extra = 2, value = first & 0x0F;
  else if (first >= 0xF0 && first < 0xF8) extra = 3, value = first & 0x07;
  else if (first >= 0xF8 && first < 0xFC) extra = 4, value = first & 0x03;
  else if (first >= 0xFC && first < 0xFE) extra = 5, value = first & 0x01;
  else if (first == 0xFE) extra = 6, value = 0;
  else return false;
  if (b.size() < pos + extra) return false;
  for (unsigned i = 0; i < extra; ++i) {
    const unsigned c = at(pos++);
    if ((c & 0xC0) != 0x80) return false;
    value = value << 6 | (c & 0x3F);
  }
  if (value >= (h.variable ? std::uint64_t{1} << 36 : std::uint64_t{1} << 31)) return false;
  h.number = value;

  if (block_code == 6 || block_code == 7) {
    const std::size_t n = block_code == 6 ? 1 : 2;
    if (b.size() < pos + n) return false;
    h.block_size = (n == 1 ? at(pos) : at(pos) << 8 | at(pos + 1)) + 1;
    pos += n;
  } else {
    h.block_size = common_block_size(block_code);
  }
  if (rate_code >= 12) {
    const std::size_t n = rate_code == 12 ? 1 : 2;
    if (b.size() < pos + n) return false;
    const std::uint32_t v = n == 1 ? at(pos) : at(pos) << 8 | at(pos + 1);
    h.sample_rate = rate_code == 12 ? v * 1000 : rate_code == 13 ? v : v * 10;
    pos += n;
  } else {
    h.sample_rate = kSampleRates[rate_code];
  }
  if (b.size() < pos + 1 || crc8(b.first(pos)) != at(pos)) return false;
  h.length = static_cast<std::uint8_t>(pos + 1);
  out = h;
  return true;
}

std::uint16_t crc16_byte(std::uint16_t crc, std::byte b) noexcept {
  return static_cast<std::uint16_t>((crc << 8) ^ kCrc16[(crc >> 8) ^ std::to_integer<unsigned>(b)]);
}

std::uint8_t crc8(std::span<const std::byte> bytes) noexcept {
  std::uint8_t crc = 0;
  for (std::byte b : bytes) crc = kCrc8[crc ^ std::to_integer<unsigned>(b)];
  return crc;
}

}  // namespace frugal::flac::detail
