#include "mp4/page_cache.hpp"

#include <algorithm>
#include <numeric>

namespace frugal::mp4::detail {

using core::Errc;
using core::make_error;

std::uint64_t TableRef::per_page() const noexcept { return PageCache::kPageBytes * 8 / entry_bits; }

PageCache::PageCache(core::ByteSource& source, mem::Account account, std::size_t pages)
    : source_(source), charge_(account, 0) {
  resize(pages);
}

void PageCache::resize(std::size_t pages) {
  pages = std::max(pages, kMinPages);
  if (pages == slots_.size()) return;
  // Keep the most recently used pages, in a fresh buffer of the new size.
  std::vector<std::size_t> order(slots_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return slots_[a].last_use > slots_[b].last_use; });
  std::vector<std::byte> storage(pages * kPageBytes);
  std::vector<Slot> slots(pages);
  for (std::size_t i = 0; i < std::min(pages, order.size()); ++i) {
    slots[i] = slots_[order[i]];
    std::copy_n(storage_.begin() + static_cast<std::ptrdiff_t>(order[i] * kPageBytes), kPageBytes,
                storage.begin() + static_cast<std::ptrdiff_t>(i * kPageBytes));
  }
  storage_.swap(storage);
  slots_.swap(slots);
  charge_.resize(storage_.size() + bulk_.size());
}

void PageCache::release_bulk() {
  std::vector<std::byte>().swap(bulk_);
  window_count_ = 0;
  charge_.resize(storage_.size());
}

core::Result<const std::byte*> PageCache::read_entries(const TableRef& table, std::uint64_t first,
                                                      std::uint64_t& count) {
  FRUGAL_ASSERT(first < table.count && (table.entry_bits % 8 == 0 || first % 2 == 0));
  count = std::min({count, table.count - first, std::uint64_t{kBulkBytes} * 8 / table.entry_bits});
  if (bulk_.empty()) {
    bulk_.resize(kBulkBytes);
    charge_.resize(charge_.bytes() + kBulkBytes);
  }
  window_count_ = 0;
  const std::uint64_t offset = table.offset + first * table.entry_bits / 8;
  const auto bytes = static_cast<std::size_t>((count * table.entry_bits + 7) / 8);
  auto r = core::read_exact(source_, offset, std::span(bulk_).first(bytes));
  if (!r) {
    if (r.error().code == Errc::end_of_stream) return make_error(Errc::malformed, "sample table cut off by end of file", offset);
    return r.error();
  }
  ++page_reads_;
  if (table.entry_bits % 8 == 0) {
    window_table_ = table.id;
    window_first_ = first;
    window_count_ = count;
  }
  return bulk_.data();
}

core::Result<void> PageCache::prefetch(const TableRef& table, std::uint64_t first, std::uint64_t count) {
  if (first >= table.count || table.entry_bits % 8) return core::ok();
  if (std::min(count, table.count - first) * table.entry_bits <= kPageBytes * 8) return core::ok();  // a page or two: the cache does it
  FRUGAL_TRY(const std::byte* p, read_entries(table, first, count));
  (void)p;
  return core::ok();
}

core::Result<const std::byte*> PageCache::entry(const TableRef& table, std::uint64_t index) {
  FRUGAL_ASSERT(index < table.count);
  if (window_count_ && table.id == window_table_ && index >= window_first_ && index - window_first_ < window_count_)
    return bulk_.data() + (index - window_first_) * table.entry_bits / 8;
  const std::uint64_t per_page = table.per_page();
  const std::uint64_t page = index / per_page;
  const std::uint64_t in_page = index % per_page;
  const std::size_t byte_in_page = static_cast<std::size_t>(in_page * table.entry_bits / 8);

  Slot* victim = &slots_[0];
  for (Slot& s : slots_) {
    if (s.table == table.id && s.page == page) {
      s.last_use = ++clock_;
      return storage_.data() + (&s - slots_.data()) * kPageBytes + byte_in_page;
    }
    if (s.last_use < victim->last_use) victim = &s;
  }
  // Miss: read the page (the table's last page may be short).
  const std::uint64_t first = page * per_page;
  const std::uint64_t entries = std::min(per_page, table.count - first);
  const std::size_t bytes = static_cast<std::size_t>((entries * table.entry_bits + 7) / 8);
  std::byte* dst = storage_.data() + (victim - slots_.data()) * kPageBytes;
  victim->page = ~std::uint64_t{0};  // invalid until the read succeeds
  auto r = core::read_exact(source_, table.offset + first * table.entry_bits / 8, std::span(dst, bytes));
  if (!r) {
    if (r.error().code == Errc::end_of_stream)
      return make_error(Errc::malformed, "sample table cut off by end of file", table.offset);
    return r.error();
  }
  ++page_reads_;
  victim->table = table.id;
  victim->page = page;
  victim->last_use = ++clock_;
  return dst + byte_in_page;
}

}  // namespace frugal::mp4::detail
