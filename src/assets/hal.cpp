#include <frugal/assets/hal.hpp>

#include <algorithm>
#include <array>

namespace frugal::assets {

using core::Errc;
using core::make_error;

namespace {

// Each format's error messages (static strings, named after the format).
struct Messages {
  const char* truncated;
  const char* too_long;
  const char* over_buffer;
  const char* not_written;
  const char* below_zero;
  const char* unused;
  const char* ahead;
};
constexpr Messages kHalMessages{"HAL: input ends before the 0xFF end marker", "HAL: output exceeds 64 KiB",
                                "HAL: output exceeds the caller's buffer", "HAL: copy from output not written yet",
                                "HAL: backwards copy runs below offset 0", nullptr,
                                "HAL: input runs too far ahead of output for a scan"};
constexpr Messages kLz2Messages{"LC_LZ2: input ends before the 0xFF end marker", "LC_LZ2: output exceeds 64 KiB",
                                "LC_LZ2: output exceeds the caller's buffer", "LC_LZ2: copy from output not written yet",
                                nullptr, "LC_LZ2: unused command (5, 6, or 7 in a long form)",
                                "LC_LZ2: input runs too far ahead of output for a scan"};

constexpr std::byte reverse_bits(std::byte b) noexcept {
  unsigned in = std::to_integer<unsigned>(b);
  unsigned out = 0;
  for (int i = 0; i < 8; ++i, in >>= 1) out = (out << 1) | (in & 1);
  return static_cast<std::byte>(out);
}

constexpr std::size_t kNoExcessLimit = ~std::size_t{0};

// The decoder proper: `source` is read at [start, ...) in small reads (the
// public entry points put a read-ahead buffer in front of it). A decode whose
// input runs more than `max_excess` bytes ahead of its output stops (scans).
// LC_LZ2 is HAL's command set less commands 5 and 6, its word fill counting
// bytes rather than words.
core::Result<HalBlock> decode(core::ByteSource& source, std::uint64_t start, std::span<std::byte> output,
                              LzFormat format, std::size_t max_excess = kNoExcessLimit) {
  const bool lz2 = format == LzFormat::lc_lz2;
  const Messages& m = lz2 ? kLz2Messages : kHalMessages;
  std::uint64_t pos = start;
  std::size_t written = 0;
  // Reads the next dst.size() bytes of the command that starts at `at`.
  const auto read = [&](std::span<std::byte> dst, std::uint64_t at) -> core::Result<void> {
    FRUGAL_TRY(std::size_t got, source.read_at(pos, dst));
    if (got != dst.size()) return make_error(Errc::malformed, m.truncated, at);
    pos += got;
    return core::ok();
  };
  for (;;) {
    const std::uint64_t at = pos;
    std::array<std::byte, 2> arg{};
    FRUGAL_CHECK(read(std::span(arg).first(1), at));
    const auto b = std::to_integer<unsigned>(arg[0]);
    if (b == 0xFF) return HalBlock{written, static_cast<std::size_t>(pos - start)};
    unsigned cmd = b >> 5;
    std::size_t len = (b & 0x1F) + 1;
    if (cmd == 7) {  // long form: 3 more bits of command, 10 of length
      FRUGAL_CHECK(read(std::span(arg).first(1), at));
      cmd = (b >> 2) & 7;
      len = (((b & 3) << 8) | std::to_integer<unsigned>(arg[0])) + 1;
    }
    if (lz2 && cmd >= 5) return make_error(Errc::malformed, m.unused, at);
    const std::size_t bytes = cmd == 2 && !lz2 ? 2 * len : len;
    if (written + bytes > kHalMaxOutput) return make_error(Errc::malformed, m.too_long, at);
    if (written + bytes > output.size()) return make_error(Errc::limit_exceeded, m.over_buffer, at);
    const std::span<std::byte> out = output.subspan(written, bytes);
    switch (cmd) {
      case 0:
        FRUGAL_CHECK(read(out, at));
        break;
      case 1:
        FRUGAL_CHECK(read(std::span(arg).first(1), at));
        std::fill(out.begin(), out.end(), arg[0]);
        break;
      case 2:
        FRUGAL_CHECK(read(arg, at));
        for (std::size_t i = 0; i < bytes; ++i) out[i] = arg[i & 1];
        break;
      case 3:
        FRUGAL_CHECK(read(std::span(arg).first(1), at));
        for (std::size_t i = 0; i < len; ++i)
          out[i] = static_cast<std::byte>(std::to_integer<unsigned>(arg[0]) + i);
        break;
      default: {  // 4, 7 (HAL) copy; 5 bit-reversed copy; 6 backwards copy
        FRUGAL_CHECK(read(arg, at));
        const std::size_t from = (std::to_integer<std::size_t>(arg[0]) << 8) | std::to_integer<std::size_t>(arg[1]);
        // Byte by byte: a forward copy may read what it has just written.
        if (from >= written) return make_error(Errc::malformed, m.not_written, at);
        if (cmd == 6) {
          if (from + 1 < len) return make_error(Errc::malformed, m.below_zero, at);
          for (std::size_t i = 0; i < len; ++i) out[i] = output[from - i];
        } else if (cmd == 5) {
          for (std::size_t i = 0; i < len; ++i) out[i] = reverse_bits(output[from + i]);
        } else {
          for (std::size_t i = 0; i < len; ++i) out[i] = output[from + i];
        }
      }
    }
    written += bytes;
    if (pos - start > written && pos - start - written > max_excess)
      return make_error(Errc::limit_exceeded, m.ahead, at);
  }
}

core::Result<HalBlock> decode_span(std::span<const std::byte> input, std::span<std::byte> output, LzFormat format) {
  core::MemorySource source(input);
  return decode(source, 0, output, format);
}

core::Result<HalBlock> decode_source(core::ByteSource& source, std::uint64_t offset, std::span<std::byte> output,
                                     LzFormat format) {
  std::array<std::byte, 256> window;
  core::BufferedSource buffered(source, window);
  return decode(buffered, offset, output, format);
}

}  // namespace

core::Result<HalBlock> hal_decompress(std::span<const std::byte> input, std::span<std::byte> output) {
  return decode_span(input, output, LzFormat::hal);
}

core::Result<HalBlock> hal_decompress(core::ByteSource& source, std::uint64_t offset, std::span<std::byte> output) {
  return decode_source(source, offset, output, LzFormat::hal);
}

core::Result<HalBlock> lz2_decompress(std::span<const std::byte> input, std::span<std::byte> output) {
  return decode_span(input, output, LzFormat::lc_lz2);
}

core::Result<HalBlock> lz2_decompress(core::ByteSource& source, std::uint64_t offset, std::span<std::byte> output) {
  return decode_source(source, offset, output, LzFormat::lc_lz2);
}

core::Result<HalScanResult> hal_scan(core::ByteSource& source, std::uint64_t begin, std::uint64_t end,
                                     std::span<std::byte> output, std::span<HalCandidate> found,
                                     const HalScanOptions& options) {
  // One window for the whole scan: neighbouring offsets read the same bytes.
  std::array<std::byte, 512> window;
  core::BufferedSource buffered(source, window);
  HalScanResult result;
  std::uint64_t at = begin;
  for (; at < end && result.found < found.size(); ++at) {
    auto block = decode(buffered, at, output, options.format, options.max_excess);
    if (!block) {
      if (block.error().code == Errc::io) return block.error();
      continue;
    }
    const bool plausible = block->decompressed >= options.min_decompressed &&
                           std::uint64_t{block->decompressed} * 100 >=
                               std::uint64_t{block->compressed} * options.min_ratio_percent;
    if (!plausible) continue;
    found[result.found++] = HalCandidate{at, *block};
    at += block->compressed - 1;  // streams do not overlap; the loop adds the last one
  }
  result.next = std::min(at, end);
  return result;
}

}  // namespace frugal::assets
