#pragma once
// L2 of the thumbnail caches: blobs in files under a root folder, kept across
// restarts. Layout: root/<first 2 key characters>/<32-character key>, e.g.
// root/3f/3fa4...e1. An entry file is a 64-byte header then the payload
// (all numbers little-endian):
//   0  magic "FRTH"              4  format version (u32, 2)
//   8  payload length (u64)      16 checksum (u64): XXH3-64 of the header's
//   other bytes (0-15, 24-63), seeded with the payload's XXH3-64 (seed 0)
//   24 created (i64, seconds since the Unix epoch)
//   32 the key's 32 hex characters
// Files are written through platform::AtomicFile (a temporary file beside
// the entry, fsync, rename), so a reader never sees a partial entry; a
// writer killed mid-write leaves only a temporary "<key>.partial-..." file,
// which get() never reads and open() deletes. get() checks magic, version,
// key, length, checksum and that `created` is at most a day ahead of now
// (else it would never expire), and deletes an entry failing any (a miss).
//
// An in-memory index (key → file bytes, last access) is built on open() by
// scanning the buckets (names that are not a key in its own bucket are
// ignored, never followed), bounded by max_entries and charged to the
// tracker account "thumbnails/l2_index". Eviction is least recently used
// first: a hit sets the file's mtime to now, so the order survives restarts.
// Entries expire ttl_seconds after they were created (the header's time):
// an expired entry is a miss and is deleted.
//
// One process per root: another process's temporary files would be deleted
// by open(). Thread-safety: every member may be called from any thread; one
// mutex guards the index only: get() reads and hashes, put() writes, fsyncs
// and renames without it (temporary names are unique; of two puts of a key
// the last rename wins). A removal racing a put of the same key may delete
// the new file: a later miss, never a wrong blob.

#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/thumbnails/blob.hpp>
#include <frugal/thumbnails/cache_key.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace frugal::thumbnails {

struct DiskCacheOptions {
  /// Bytes all entry files (headers included) may take together.
  std::uint64_t max_bytes = std::uint64_t{64} << 20;
  /// Entries the index may hold (the oldest go first past it).
  std::size_t max_entries = 16384;
  /// Largest payload stored or read, bytes (a longer header length is corrupt).
  std::uint32_t max_entry_bytes = std::uint32_t{4} << 20;
  /// Seconds after creation an entry expires; 0 = never; at most INT64_MAX.
  std::uint64_t ttl_seconds = std::uint64_t{30} * 24 * 3600;
  /// Now, in seconds since the Unix epoch (tests inject one); empty: time().
  std::function<std::int64_t()> clock;
  /// Where the index is charged; nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

/// Counters of a DiskCache (since open()).
struct DiskCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;     ///< includes the corrupt and expired entries below
  std::uint64_t corrupt = 0;    ///< entries deleted because a check failed
  std::uint64_t expired = 0;    ///< entries deleted because their TTL passed
  std::uint64_t evictions = 0;  ///< entries deleted for the size or count cap
  std::uint64_t writes = 0;     ///< put() calls that stored an entry
  std::size_t entries = 0;      ///< entries indexed now
  std::uint64_t bytes = 0;      ///< their file bytes now
};

class DiskCache {
 public:
  static constexpr const char* kAccountName = "thumbnails/l2_index";
  /// Charged with a payload's length while get() reads it (released when
  /// get() returns: the blob is then the caller's to account for).
  static constexpr const char* kReadAccountName = "thumbnails/l2_read";
  static constexpr std::size_t kHeaderBytes = 64;
  static constexpr std::uint32_t kFormatVersion = 2;  ///< 2: the checksum covers the header
  /// Bytes one index entry is charged (its nodes, estimated from their types).
  static std::size_t index_entry_cost() noexcept;

  /// Opens (creating it if needed, but not its parents) the cache at `root`:
  /// deletes stale temporary files, indexes the entries, then evicts what
  /// is over the caps or surely expired (last access older than the TTL).
  /// Errors: Errc::io (os_error = errno) when root cannot be created or read;
  /// Errc::invalid_argument for bad options (zero caps, ttl_seconds >
  /// INT64_MAX) or a root that is not a folder; Errc::out_of_memory when the index's charge is refused.
  static core::Result<std::unique_ptr<DiskCache>> open(const std::string& root, DiskCacheOptions options = {});

  ~DiskCache();
  DiskCache(const DiskCache&) = delete;
  DiskCache& operator=(const DiskCache&) = delete;

  /// The payload stored under `key`, or nullptr for a miss (not indexed,
  /// gone, expired or corrupt; the last two are deleted). A hit sets the
  /// file's mtime to now. Errors (the entry stays): Errc::io for a read
  /// error other than a missing file; Errc::out_of_memory when the tracker
  /// refuses the read buffer's charge (kReadAccountName) or the heap refuses.
  core::Result<Blob> get(const CacheKey& key);

  /// Stores `payload` under `key` (replacing an entry of that key), then,
  /// once it is committed, evicts least recently used entries past the caps.
  /// Errors (the cache is then left as it was: nothing evicted, the previous
  /// entry of `key`, if any, intact): Errc::limit_exceeded when the payload
  /// exceeds max_entry_bytes or the entry alone exceeds max_bytes; Errc::io
  /// (os_error) when writing fails; Errc::out_of_memory when the index's
  /// tracker charge or the heap is refused.
  core::Result<void> put(const CacheKey& key, std::span<const std::byte> payload);

  /// Deletes the entry of `key`; returns whether there was one.
  bool invalidate(const CacheKey& key);
  /// Deletes the entries whose last access is older than the TTL (they are
  /// surely expired); returns how many.
  std::size_t evict_expired();

  /// The entry file's path for `key` (whether or not it exists).
  std::string entry_path(const CacheKey& key) const;
  DiskCacheStats stats() const;

 private:
  struct Impl;
  explicit DiskCache(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::thumbnails
