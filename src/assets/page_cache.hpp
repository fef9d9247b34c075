#pragma once
// Fixed-size pages of a byte range of a source, LRU, charged to an account.
// Not thread-safe: RomImage holds its mutex around every call.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace frugal::assets::detail {

class PageCache {
 public:
  struct Slot {
    std::uint64_t page = kNoPage;
    std::uint64_t last_use = 0;
  };
  static constexpr std::uint64_t kNoPage = ~std::uint64_t{0};

  /// Pages of `page_bytes` over source bytes [base, base + length).
  PageCache(core::ByteSource& source, std::uint64_t base, std::uint64_t length, std::size_t page_bytes,
            mem::Account account) noexcept
      : source_(source), base_(base), length_(length), page_bytes_(page_bytes), charge_(account, 0) {}

  /// Bytes `pages` pages charge.
  static std::size_t bytes_for(std::size_t pages, std::size_t page_bytes) noexcept {
    return pages * (page_bytes + sizeof(Slot));
  }

  /// Sets the number of pages, dropping what they held. Growth is charged
  /// first. Errors: Errc::out_of_memory, Errc::limit_exceeded (more pages
  /// than size_t counts bytes for); nothing changes.
  core::Result<void> resize(std::size_t pages);

  /// Copies bytes [offset, offset + dst.size()) of the range; the caller
  /// keeps it inside the range. With no pages, reads go straight through.
  /// Errors: Errc::io ("ROM image shrank" on a short read), the source's.
  core::Result<void> read(std::uint64_t offset, std::span<std::byte> dst);

  std::size_t pages() const noexcept { return slots_.size(); }
  std::uint64_t page_reads() const noexcept { return page_reads_; }

 private:
  core::Result<void> read_source(std::uint64_t offset, std::span<std::byte> dst);
  core::Result<const std::byte*> page(std::uint64_t index);

  core::ByteSource& source_;
  std::uint64_t base_;
  std::uint64_t length_;
  std::size_t page_bytes_;
  mem::Charge charge_;
  std::vector<std::byte> storage_;
  std::vector<Slot> slots_;
  std::uint64_t clock_ = 0;
  std::uint64_t page_reads_ = 0;
};

}  // namespace frugal::assets::detail
