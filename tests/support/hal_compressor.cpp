#include "support/hal_compressor.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace frugal::test {

namespace {

constexpr std::size_t kMaxLen = 1024;  // a long form's length field
constexpr int kChainDepth = 64;

std::uint8_t reverse_bits(std::uint8_t b) {
  std::uint8_t r = 0;
  for (int i = 0; i < 8; ++i) r = static_cast<std::uint8_t>((r << 1) | ((b >> i) & 1));
  return r;
}

struct Choice {
  unsigned cmd = 0;
  std::size_t bytes = 0;   // output bytes covered
  std::size_t from = 0;    // copies: source offset
};

}  // namespace

void hal_command(std::vector<std::byte>& out, unsigned cmd, std::size_t len) {
  assert(len >= 1 && len <= kMaxLen && cmd < 8);
  const std::size_t n = len - 1;
  if (n < 32 && cmd < 7) {
    out.push_back(static_cast<std::byte>(cmd << 5 | n));
  } else {
    out.push_back(static_cast<std::byte>(0xE0 | cmd << 2 | n >> 8));
    out.push_back(static_cast<std::byte>(n & 0xFF));
  }
}

std::vector<std::byte> hal_compress(std::span<const std::byte> bytes, HalCommandCounts* counts,
                                    assets::LzFormat format) {
  const bool lz2 = format == assets::LzFormat::lc_lz2;
  assert(bytes.size() <= 0x10000);
  const auto* d = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::size_t size = bytes.size();
  std::vector<std::byte> out;
  HalCommandCounts used{};
  // Chains of earlier positions p by the pair (d[p], d[p + 1]).
  std::vector<std::int32_t> head(0x10000, -1), prev(size, -1);
  std::size_t indexed = 0;
  const auto key = [](std::uint8_t a, std::uint8_t b) { return static_cast<std::size_t>(a << 8 | b); };

  std::size_t literal_start = 0, pos = 0;
  const auto flush_literals = [&] {
    for (std::size_t at = literal_start; at < pos;) {
      const std::size_t n = std::min(kMaxLen, pos - at);
      hal_command(out, 0, n);
      out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at),
                 bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
      ++used[0];
      at += n;
    }
  };

  while (pos < size) {
    for (; indexed + 2 <= pos; ++indexed) {  // positions up to pos - 2
      const std::size_t k = key(d[indexed], d[indexed + 1]);
      prev[indexed] = head[k];
      head[k] = static_cast<std::int32_t>(indexed);
    }
    const std::size_t room = std::min(kMaxLen, size - pos);
    Choice best;
    const auto consider = [&](unsigned cmd, std::size_t covered, std::size_t from, std::size_t least) {
      if (covered >= least && covered > best.bytes) best = Choice{cmd, covered, from};
    };
    std::size_t n = 0;
    while (n < room && d[pos + n] == d[pos]) ++n;
    consider(1, n, 0, 3);
    n = 0;
    while (n < room && d[pos + n] == static_cast<std::uint8_t>(d[pos] + n)) ++n;
    consider(3, n, 0, 3);
    if (pos + 1 < size && lz2) {  // word fill in bytes: any length
      for (n = 0; n < room && d[pos + n] == d[pos + (n & 1)];) ++n;
      consider(2, n, 0, 4);
    } else if (pos + 1 < size) {  // in words
      std::size_t words = 0;
      while (words < kMaxLen && pos + 2 * words + 1 < size && d[pos + 2 * words] == d[pos] &&
             d[pos + 2 * words + 1] == d[pos + 1])
        ++words;
      consider(2, 2 * words, 0, 4);
    }
    if (pos + 1 < size) {
      // Forward (may overlap what it writes), bit-reversed, backwards copies.
      int depth = 0;
      for (std::int32_t p = head[key(d[pos], d[pos + 1])]; p >= 0 && depth < kChainDepth; p = prev[p], ++depth) {
        const auto from = static_cast<std::size_t>(p);
        for (n = 0; n < room && d[from + n] == d[pos + n];) ++n;
        consider(4, n, from, 4);
      }
      depth = lz2 ? kChainDepth : 0;  // LC_LZ2 has no commands 5 and 6
      for (std::int32_t p = head[key(reverse_bits(d[pos]), reverse_bits(d[pos + 1]))]; p >= 0 && depth < kChainDepth;
           p = prev[p], ++depth) {
        const auto from = static_cast<std::size_t>(p);
        for (n = 0; n < room && d[from + n] == reverse_bits(d[pos + n]);) ++n;
        consider(5, n, from, 4);
      }
      depth = lz2 ? kChainDepth : 0;
      for (std::int32_t q = head[key(d[pos + 1], d[pos])]; q >= 0 && depth < kChainDepth; q = prev[q], ++depth) {
        const auto from = static_cast<std::size_t>(q) + 1;  // d[from] == d[pos], d[from - 1] == d[pos + 1]
        for (n = 0; n < room && n <= from && d[from - n] == d[pos + n];) ++n;
        consider(6, n, from, 4);
      }
    }
    if (best.bytes == 0) {
      ++pos;
      if (pos - literal_start == kMaxLen) {
        flush_literals();
        literal_start = pos;
      }
      continue;
    }
    flush_literals();
    hal_command(out, best.cmd, best.cmd == 2 && !lz2 ? best.bytes / 2 : best.bytes);
    if (best.cmd >= 4) {
      out.push_back(static_cast<std::byte>(best.from >> 8));
      out.push_back(static_cast<std::byte>(best.from & 0xFF));
    } else {
      out.push_back(bytes[pos]);
      if (best.cmd == 2) out.push_back(bytes[pos + 1]);
    }
    ++used[best.cmd];
    pos += best.bytes;
    literal_start = pos;
  }
  flush_literals();
  out.push_back(std::byte{0xFF});
  if (counts) *counts = used;
  return out;
}

}  // namespace frugal::test
