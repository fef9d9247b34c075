#pragma once
// L1 of the thumbnail caches: blobs in memory, least recently used evicted
// first, bounded in bytes. Each entry is charged to the tracker account
// "thumbnails/l1" before it is inserted (the blob's bytes plus the entry's
// bookkeeping, see entry_cost); the cache follows the tracker's pressure
// levels itself (high: holds at most half its capacity; critical: nothing)
// and grows back when the level returns to normal.

#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/thumbnails/blob.hpp>
#include <frugal/thumbnails/cache_key.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace frugal::thumbnails {

/// Counters of a MemoryCache.
struct MemoryCacheStats {
  std::uint64_t hits = 0;       ///< get() calls that found their key
  std::uint64_t misses = 0;     ///< get() calls that did not
  std::uint64_t evictions = 0;  ///< entries dropped for room, for pressure, or by clear()
  std::size_t entries = 0;      ///< entries held now
  std::size_t bytes = 0;        ///< memory_usage_bytes() now
};

class MemoryCache {
 public:
  static constexpr const char* kAccountName = "thumbnails/l1";

  /// Bytes an entry of `blob_bytes` counts against the capacity and the
  /// account: the blob plus a fixed estimate of the entry's bookkeeping (its
  /// LRU list node, index node and the blob's shared_ptr control block).
  static std::size_t entry_cost(std::size_t blob_bytes) noexcept;

  /// A cache of at most `capacity` bytes (entry_cost summed), charged to
  /// kAccountName in `tracker` and subscribed to its pressure levels.
  /// `tracker` must outlive the cache. Errors: the tracker's account errors;
  /// Errc::out_of_memory.
  static core::Result<std::unique_ptr<MemoryCache>> create(mem::MemoryTracker& tracker, std::size_t capacity);

  ~MemoryCache();
  MemoryCache(const MemoryCache&) = delete;
  MemoryCache& operator=(const MemoryCache&) = delete;

  /// The blob stored under `key` (marked most recently used), or nullptr.
  Blob get(const CacheKey& key);

  /// Stores `blob` (non-null) under `key`, replacing an entry of the same key,
  /// as the most recently used entry; evicts least recently used entries for
  /// room under the current limit and, when the tracker refuses the charge,
  /// for the budget. Errors (the cache then holds exactly what it held before):
  /// Errc::invalid_argument for a null blob; Errc::limit_exceeded when the
  /// entry alone exceeds the current limit (see limit()); Errc::out_of_memory
  /// when the tracker refuses the charge even with every other entry evicted,
  /// or the heap refuses.
  core::Result<void> put(const CacheKey& key, Blob blob);

  /// Drops the entry of `key`; returns whether there was one.
  bool invalidate(const CacheKey& key);
  /// Drops every entry (counted as evictions).
  void clear();

  /// Entries held.
  std::size_t size() const;
  /// Bytes held: entry_cost summed over the entries; equals the account's
  /// charge when no other cache shares the account.
  std::size_t memory_usage_bytes() const;
  /// Bytes the cache may hold now: the capacity, less under pressure.
  std::size_t limit() const;
  MemoryCacheStats stats() const;

  // Thread-safety: every member may be called from any thread (one mutex;
  // blobs are copied out as shared_ptr, never while another thread writes).

 private:
  struct Impl;
  explicit MemoryCache(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::thumbnails
