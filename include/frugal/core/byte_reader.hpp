#pragma once
// Big-endian (network order, as in ISO-BMFF) and little-endian loads, and a
// bounds-checked big-endian cursor.
// Thread-safety: plain values.

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::core {

constexpr std::uint16_t load_be16(const std::byte* p) noexcept {
  return static_cast<std::uint16_t>((std::to_integer<unsigned>(p[0]) << 8) |
                                    std::to_integer<unsigned>(p[1]));
}
constexpr std::uint32_t load_be24(const std::byte* p) noexcept {
  return (std::to_integer<std::uint32_t>(p[0]) << 16) |
         (std::to_integer<std::uint32_t>(p[1]) << 8) | std::to_integer<std::uint32_t>(p[2]);
}
constexpr std::uint32_t load_be32(const std::byte* p) noexcept {
  return (std::uint32_t{load_be16(p)} << 16) | load_be16(p + 2);
}
constexpr std::uint64_t load_be64(const std::byte* p) noexcept {
  return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}

// Little-endian loads (RIFF/WebP, GIF, BMP, Vorbis comments, Ogg pages).
constexpr std::uint32_t load_le16(const std::byte* p) noexcept {
  return std::to_integer<std::uint32_t>(p[0]) | std::to_integer<std::uint32_t>(p[1]) << 8;
}
constexpr std::uint32_t load_le24(const std::byte* p) noexcept {
  return load_le16(p) | std::to_integer<std::uint32_t>(p[2]) << 16;
}
constexpr std::uint32_t load_le32(const std::byte* p) noexcept {
  return load_le24(p) | std::to_integer<std::uint32_t>(p[3]) << 24;
}

/// Reads big-endian fields from a byte span. A read past the end yields zero
/// and makes the reader fail for good (`ok()` false), so a parser can read a
/// whole structure and check once; nothing outside the span is ever touched.
class ByteReader {
 public:
  constexpr explicit ByteReader(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}

  std::uint8_t u8() noexcept { return take(1) ? std::to_integer<std::uint8_t>(bytes_[pos_ - 1]) : 0; }
  std::uint16_t u16() noexcept { return take(2) ? load_be16(&bytes_[pos_ - 2]) : 0; }
  std::uint32_t u24() noexcept { return take(3) ? load_be24(&bytes_[pos_ - 3]) : 0; }
  std::uint32_t u32() noexcept { return take(4) ? load_be32(&bytes_[pos_ - 4]) : 0; }
  std::uint64_t u64() noexcept { return take(8) ? load_be64(&bytes_[pos_ - 8]) : 0; }
  std::int16_t i16() noexcept { return static_cast<std::int16_t>(u16()); }
  std::int32_t i32() noexcept { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() noexcept { return static_cast<std::int64_t>(u64()); }

  /// The next `n` bytes (empty and failed if fewer remain).
  std::span<const std::byte> bytes(std::size_t n) noexcept {
    return take(n) ? bytes_.subspan(pos_ - n, n) : std::span<const std::byte>{};
  }
  void skip(std::size_t n) noexcept { take(n); }

  std::size_t position() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  /// Everything not read yet.
  std::span<const std::byte> rest() const noexcept { return bytes_.subspan(pos_); }
  bool ok() const noexcept { return ok_; }

 private:
  bool take(std::size_t n) noexcept {
    if (!ok_ || n > bytes_.size() - pos_) {
      ok_ = false;
      pos_ = bytes_.size();
      return false;
    }
    pos_ += n;
    return true;
  }

  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace frugal::core
