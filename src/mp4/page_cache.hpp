#pragma once
// Sample-table entries read from the file a page at a time, through a small
// LRU cache charged to the tracker: the tables themselves never sit in
// memory whole, whatever the length of the file.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace frugal::mp4::detail {

/// Where a table's entries are: `count` entries of `entry_bits` bits (4, 8,
/// 16, 32, 64 or 96) from file offset `offset`. `id` tells tables apart in
/// the cache.
struct TableRef {
  std::uint64_t offset = 0;
  std::uint64_t count = 0;
  std::uint32_t entry_bits = 0;
  std::uint32_t id = 0;

  bool empty() const noexcept { return count == 0; }
  /// Entries per cache page; whole entries only (96-bit entries: 85).
  std::uint64_t per_page() const noexcept;
};

class PageCache {
 public:
  static constexpr std::size_t kPageBytes = 1024;
  static constexpr std::size_t kDefaultPages = 16;
  static constexpr std::size_t kMinPages = 2;

  /// `pages` pages of kPageBytes, allocated here and charged to `account`.
  PageCache(core::ByteSource& source, mem::Account account, std::size_t pages = kDefaultPages);

  /// The bytes of entry `index` of `table` (for 4-bit entries, the byte
  /// holding it), valid until the next call on the cache. One read of up to
  /// kPageBytes on a miss; nothing allocated. Errors: Errc::malformed when
  /// the table runs past the end of the file; Errc::io.
  core::Result<const std::byte*> entry(const TableRef& table, std::uint64_t index);

  static constexpr std::size_t kBulkBytes = 16 * 1024;

  /// Reads entries [first, first + count) of `table` — as many as kBulkBytes
  /// holds, whole bytes: 4-bit tables from an even entry — in one read,
  /// bypassing the pages, and returns them; entry() also finds them there
  /// until the next bulk read. For spans read once: a pass over a table, a
  /// big chunk's sizes, the runs after an index point. The buffer is
  /// allocated on first use and charged. Returns the number of entries read
  /// through `read`. Errors: as entry().
  core::Result<const std::byte*> read_entries(const TableRef& table, std::uint64_t first, std::uint64_t& count);

  /// read_entries() when the span is longer than a page; nothing otherwise.
  core::Result<void> prefetch(const TableRef& table, std::uint64_t first, std::uint64_t count);

  /// Changes the number of pages (at least kMinPages), keeping the most
  /// recently used. Allocates: for pressure callbacks' owners, not the hot path.
  void resize(std::size_t pages);
  std::size_t pages() const noexcept { return slots_.size(); }

  /// Frees the bulk buffer (critical pressure); the next bulk read makes it again.
  void release_bulk();

  /// Pages read from the file so far (for tests and --stats).
  std::uint64_t page_reads() const noexcept { return page_reads_; }

 private:
  struct Slot {
    std::uint32_t table = 0;
    std::uint64_t page = ~std::uint64_t{0};  // none
    std::uint64_t last_use = 0;
  };

  core::ByteSource& source_;
  mem::Charge charge_;
  std::vector<std::byte> storage_;  // slots_.size() pages
  std::vector<std::byte> bulk_;     // kBulkBytes once read_entries has been used
  // The entries the last read_entries left in bulk_, for entry() to find.
  std::uint32_t window_table_ = 0;
  std::uint64_t window_first_ = 0;
  std::uint64_t window_count_ = 0;
  std::vector<Slot> slots_;
  std::uint64_t clock_ = 0;
  std::uint64_t page_reads_ = 0;
};

}  // namespace frugal::mp4::detail
