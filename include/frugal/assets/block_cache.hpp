#pragma once
// Decompressed HAL blocks of one ROM, kept in a small LRU cache keyed by ROM
// offset, so a viewer scrolling through a ROM's graphics decodes each block
// once. The cache holds only decoded bytes, each block in an allocation of
// its exact size, charged to the tracker account "assets/hal_cache"; it
// reacts to memory pressure itself (high: holds half its capacity; critical:
// holds nothing) and grows back when the level returns to normal.

#include <frugal/assets/hal.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace frugal::assets {

/// Counters of a HalBlockCache, for tests and --stats.
struct HalCacheStats {
  std::uint64_t hits = 0;       ///< get() calls served from the cache
  std::uint64_t misses = 0;     ///< get() calls that decoded
  std::uint64_t evictions = 0;  ///< blocks dropped for room or pressure
  std::size_t blocks = 0;       ///< blocks held now
  std::size_t bytes = 0;        ///< decoded bytes held now (= the account's charge)
};

class HalBlockCache {
 public:
  static constexpr const char* kAccountName = "assets/hal_cache";

  /// A cache of at most `capacity` decoded bytes (a block larger than that is
  /// decoded but not kept) over `rom`, charged to kAccountName in `tracker`
  /// and subscribed to its pressure levels. `rom` and `tracker` must outlive
  /// the cache. Errors: the tracker's (Errc::invalid_argument,
  /// Errc::limit_exceeded for the account); Errc::out_of_memory.
  static core::Result<std::unique_ptr<HalBlockCache>> create(core::ByteSource& rom, mem::MemoryTracker& tracker,
                                                             std::size_t capacity);

  ~HalBlockCache();
  HalBlockCache(const HalBlockCache&) = delete;
  HalBlockCache& operator=(const HalBlockCache&) = delete;

  /// Copies the block decoded from the HAL stream at ROM byte `offset` into
  /// `out` and returns its sizes; decodes it (into `out`, then keeps a copy
  /// when it fits the capacity and the tracker's budget) on a miss. A block
  /// larger than `out` fails as hal_decompress does. Errors: hal_decompress's;
  /// failed decodes are not cached.
  /// Thread-safe: concurrent get() calls are allowed; the lock is not held
  /// while decoding, so two threads missing the same block may both decode it
  /// (the first to finish keeps it). `rom` must allow concurrent reads.
  core::Result<HalBlock> get(std::uint64_t offset, std::span<std::byte> out);

  /// Drops every block (counted as evictions). Thread-safe.
  void clear();

  /// Counters and current holdings. Thread-safe.
  HalCacheStats stats() const;
  /// Bytes the cache may hold now: the capacity, or less under pressure.
  std::size_t limit() const;

 private:
  struct Impl;
  explicit HalBlockCache(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::assets
