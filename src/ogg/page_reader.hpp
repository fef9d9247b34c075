#pragma once
// Ogg pages (RFC 3533 §6) from a ByteSource through libogg's sync layer:
// ogg_sync_pageseek finds the next page whose CRC checks, skipping garbage
// and corrupt pages (resync). The sync buffer holds at most one page plus
// one read chunk; it is charged to an account before it grows.

#include <frugal/core/byte_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <ogg/ogg.h>

#include <cstdint>

namespace frugal::ogg::detail {

/// A page found by PageReader. `page` points into the reader's buffer
/// until its next call.
struct Page {
  ogg_page page{};
  std::uint64_t offset = 0;  ///< file offset of its capture pattern "OggS"
  std::uint32_t size = 0;    ///< header and body bytes

  std::uint32_t serial() const noexcept { return static_cast<std::uint32_t>(ogg_page_serialno(&page)); }
  /// The granule position; -1 (none) also for values past 2^62 (millions
  /// of years at 48 kHz): only a hostile file has them, and timing built on
  /// them would overflow.
  std::int64_t granule() const noexcept {
    const std::int64_t g = ogg_page_granulepos(&page);
    return g > std::int64_t{1} << 62 ? -1 : g;
  }
  bool bos() const noexcept { return ogg_page_bos(&page) != 0; }
  bool eos() const noexcept { return ogg_page_eos(&page) != 0; }
  std::uint64_t end() const noexcept { return offset + size; }
};

/// Not thread-safe; not movable (libogg keeps pointers in its state).
class PageReader {
 public:
  PageReader(core::ByteSource& source, mem::Account account) noexcept;
  ~PageReader() { ogg_sync_clear(&sync_); }
  PageReader(const PageReader&) = delete;
  PageReader& operator=(const PageReader&) = delete;

  /// Forgets buffered bytes; the next page is the first one at or after `offset`.
  void seek(std::uint64_t offset) noexcept;
  /// The next page starting before `limit`; false when the data ends (or
  /// reaches `limit`) first. Errors: Errc::out_of_memory, the source's.
  core::Result<bool> next(Page& out, std::uint64_t limit = ~std::uint64_t{0});

 private:
  core::ByteSource& source_;
  ogg_sync_state sync_{};
  mem::Charge charge_;       // sync_.storage
  std::uint64_t fed_ = 0;    // file offset of the next byte to feed libogg
  std::uint64_t at_ = 0;     // file offset of libogg's first unreturned byte
};

}  // namespace frugal::ogg::detail
