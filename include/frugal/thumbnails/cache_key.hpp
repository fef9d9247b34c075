#pragma once
// Keys of the thumbnail caches: XXH3-128 (xxHash 0.8, https://xxhash.com) of
// what identifies the source (its bytes, or a caller's identity such as
// path + size + mtime) and of the thumbnail's parameters (size, format...),
// rendered as 32 lowercase hex characters. The same key names an entry in
// the memory cache (L1) and a file in the disk cache (L2), so a key is
// always validated text, never a path taken from outside.

#include <frugal/core/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace frugal::thumbnails {

/// A cache key: 32 lowercase hex characters (128 bits). Plain value.
class CacheKey {
 public:
  static constexpr std::size_t kLength = 32;

  /// Parses `hex`: exactly kLength characters of [0-9a-f]. Errors:
  /// Errc::invalid_argument (wrong length, upper case, any other character).
  static core::Result<CacheKey> parse(std::string_view hex) noexcept;
  /// The key of a 128-bit hash, high half first (big-endian hex, as
  /// XXH128_canonicalFromHash renders it).
  static CacheKey from_hash(std::uint64_t high, std::uint64_t low) noexcept;

  /// The 32 hex characters (no terminator).
  std::string_view hex() const noexcept { return {hex_.data(), hex_.size()}; }
  /// The first two characters: the disk cache's bucket folder.
  std::string_view bucket() const noexcept { return hex().substr(0, 2); }

  friend bool operator==(const CacheKey&, const CacheKey&) = default;

 private:
  CacheKey() = default;
  std::array<char, kLength> hex_{};
};

/// Builds a CacheKey by feeding XXH3-128's streaming state. Every add_* call
/// hashes a one-byte field tag (and strings their length) before the value,
/// so ("ab", "c") and ("a", "bc") give different keys. No allocation (the
/// state lives inside the builder). Thread-safety: one builder per thread.
class CacheKeyBuilder {
 public:
  CacheKeyBuilder() noexcept;
  CacheKeyBuilder(const CacheKeyBuilder&) = delete;
  CacheKeyBuilder& operator=(const CacheKeyBuilder&) = delete;

  /// The source's bytes (may be called repeatedly to stream a large file;
  /// each call is one field).
  CacheKeyBuilder& add_bytes(std::span<const std::byte> bytes) noexcept;
  /// Text, e.g. a path or a format name ("png").
  CacheKeyBuilder& add_string(std::string_view text) noexcept;
  /// A number, e.g. a file size in bytes, an mtime in nanoseconds, a
  /// thumbnail's width or height in pixels (hashed little-endian).
  CacheKeyBuilder& add_u64(std::uint64_t value) noexcept;

  /// The key of everything added so far (the builder can go on).
  CacheKey finish() const noexcept;

 private:
  void update(const void* data, std::size_t size) noexcept;
  // XXH3_state_t (576 bytes in xxHash 0.8, 64-byte aligned); the .cpp checks it fits.
  alignas(64) std::byte state_[640];
};

/// std::hash-compatible hasher for containers keyed by CacheKey.
struct CacheKeyHash {
  std::size_t operator()(const CacheKey& key) const noexcept {
    return std::hash<std::string_view>{}(key.hex());
  }
};

}  // namespace frugal::thumbnails
