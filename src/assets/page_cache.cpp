#include "assets/page_cache.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace frugal::assets::detail {

using core::Errc;
using core::make_error;

core::Result<void> PageCache::resize(std::size_t pages) {
  if (pages == slots_.size()) return core::ok();
  if (pages > SIZE_MAX / (page_bytes_ + sizeof(Slot)))  // 32-bit targets
    return make_error(Errc::limit_exceeded, "ROM page cache: more pages than the address space holds");
  FRUGAL_CHECK(charge_.try_resize(std::max(charge_.bytes(), bytes_for(pages, page_bytes_))));
  // Fresh vectors: clear() would keep the old capacity allocated.
  std::vector<std::byte>(pages * page_bytes_).swap(storage_);
  std::vector<Slot>(pages).swap(slots_);
  charge_.resize(bytes_for(pages, page_bytes_));
  return core::ok();
}

core::Result<void> PageCache::read_source(std::uint64_t offset, std::span<std::byte> dst) {
  auto r = core::read_exact(source_, base_ + offset, dst);
  if (!r && r.error().code == Errc::end_of_stream)
    return make_error(Errc::io, "ROM image shrank while open", base_ + offset);
  return r;
}

core::Result<const std::byte*> PageCache::page(std::uint64_t index) {
  Slot* victim = &slots_[0];
  for (Slot& s : slots_) {
    if (s.page == index) {
      s.last_use = ++clock_;
      return storage_.data() + (&s - slots_.data()) * page_bytes_;
    }
    if (s.last_use < victim->last_use) victim = &s;
  }
  std::byte* bytes = storage_.data() + (victim - slots_.data()) * page_bytes_;
  const std::uint64_t start = index * page_bytes_;
  const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(page_bytes_, length_ - start));
  victim->page = kNoPage;  // until the read succeeds
  FRUGAL_CHECK(read_source(start, {bytes, length}));
  ++page_reads_;
  victim->page = index;
  victim->last_use = ++clock_;
  return bytes;
}

core::Result<void> PageCache::read(std::uint64_t offset, std::span<std::byte> dst) {
  if (slots_.empty()) return read_source(offset, dst);
  while (!dst.empty()) {
    const std::uint64_t index = offset / page_bytes_;
    const auto within = static_cast<std::size_t>(offset % page_bytes_);
    const std::size_t n = std::min(dst.size(), page_bytes_ - within);
    FRUGAL_TRY(const std::byte* bytes, page(index));
    std::memcpy(dst.data(), bytes + within, n);
    dst = dst.subspan(n);
    offset += n;
  }
  return core::ok();
}

}  // namespace frugal::assets::detail
