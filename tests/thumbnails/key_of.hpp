#pragma once
// Test-only: distinct cache keys numbered n (the cache tests' keys).
#include <frugal/thumbnails/cache_key.hpp>

#include <cstdint>

namespace frugal::thumbnails {

inline CacheKey key_of(std::uint64_t n) {
  CacheKeyBuilder b;
  b.add_u64(n);
  return b.finish();
}

}  // namespace frugal::thumbnails
