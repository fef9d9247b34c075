#include <frugal/thumbnails/cache_key.hpp>

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t's definition, to hold it inline
#include <xxhash.h>

#include <cstring>
#include <new>

namespace frugal::thumbnails {

using core::Errc;
using core::make_error;

namespace {

static_assert(sizeof(XXH3_state_t) <= 640 && alignof(XXH3_state_t) <= 64, "CacheKeyBuilder::state_ too small");

enum Tag : unsigned char { kBytes = 1, kString = 2, kU64 = 3 };

void put_le64(unsigned char* out, std::uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}

}  // namespace

core::Result<CacheKey> CacheKey::parse(std::string_view hex) noexcept {
  if (hex.size() != kLength) return make_error(Errc::invalid_argument, "cache key: not 32 characters");
  CacheKey key;
  for (std::size_t i = 0; i < kLength; ++i) {
    const char c = hex[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return make_error(Errc::invalid_argument, "cache key: not lowercase hex", i);
    key.hex_[i] = c;
  }
  return key;
}

CacheKey CacheKey::from_hash(std::uint64_t high, std::uint64_t low) noexcept {
  static constexpr char kDigits[] = "0123456789abcdef";
  CacheKey key;
  for (std::size_t i = 0; i < 16; ++i) {
    key.hex_[i] = kDigits[(high >> (60 - 4 * i)) & 0xF];
    key.hex_[16 + i] = kDigits[(low >> (60 - 4 * i)) & 0xF];
  }
  return key;
}

CacheKeyBuilder::CacheKeyBuilder() noexcept {
  auto* state = new (state_) XXH3_state_t;
  std::memset(static_cast<void*>(state), 0, sizeof *state);  // as XXH3_INITSTATE
  (void)XXH3_128bits_reset(state);
}

void CacheKeyBuilder::update(const void* data, std::size_t size) noexcept {
  (void)XXH3_128bits_update(std::launder(reinterpret_cast<XXH3_state_t*>(state_)), data, size);
}

CacheKeyBuilder& CacheKeyBuilder::add_bytes(std::span<const std::byte> bytes) noexcept {
  const unsigned char tag = kBytes;
  update(&tag, 1);
  update(bytes.data(), bytes.size());
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::add_string(std::string_view text) noexcept {
  unsigned char head[9] = {kString};
  put_le64(head + 1, text.size());
  update(head, sizeof head);
  update(text.data(), text.size());
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::add_u64(std::uint64_t value) noexcept {
  unsigned char field[9] = {kU64};
  put_le64(field + 1, value);
  update(field, sizeof field);
  return *this;
}

CacheKey CacheKeyBuilder::finish() const noexcept {
  const XXH128_hash_t h = XXH3_128bits_digest(std::launder(reinterpret_cast<const XXH3_state_t*>(state_)));
  return CacheKey::from_hash(h.high64, h.low64);
}

}  // namespace frugal::thumbnails
