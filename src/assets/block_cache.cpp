#include <frugal/assets/block_cache.hpp>

#include "sync.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

namespace frugal::assets {

using core::Errc;
using core::make_error;

struct HalBlockCache::Impl {
  struct Entry {
    std::uint64_t offset = 0;
    HalBlock block;
    std::unique_ptr<std::byte[]> data;  // block.decompressed bytes
    mem::Charge charge;                 // the same bytes, on the account
    std::uint64_t last_use = 0;
  };

  Impl(core::ByteSource& rom_in, mem::Account account_in, std::size_t capacity_in) noexcept
      : rom(rom_in), account(account_in), capacity(capacity_in), limit(capacity_in) {}

  // Drops least recently used blocks until at most `target` bytes are held.
  // Called with the lock held.
  void evict_to(std::size_t target) {
    while (bytes > target) {
      const auto lru = std::min_element(entries.begin(), entries.end(),
                                        [](const Entry& a, const Entry& b) { return a.last_use < b.last_use; });
      bytes -= lru->block.decompressed;
      *lru = std::move(entries.back());
      entries.pop_back();
      ++evictions;
    }
  }

  // The capacity a pressure level leaves the cache (see the header).
  void apply(mem::PressureLevel level) {
    platform::LockGuard lock(mutex);
    limit = level == mem::PressureLevel::critical ? 0
            : level == mem::PressureLevel::high   ? capacity / 2
                                                  : capacity;
    evict_to(limit);
  }

  core::ByteSource& rom;
  mem::Account account;
  const std::size_t capacity;
  mutable platform::Mutex mutex;
  // Guarded by mutex: a handful of blocks, so a linear search (as PageCache's).
  std::vector<Entry> entries;
  std::size_t limit;
  std::size_t bytes = 0;
  std::uint64_t clock = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;
  // Last: unsubscribed (waiting for a running callback) before the rest goes.
  mem::Subscription pressure;
};

core::Result<std::unique_ptr<HalBlockCache>> HalBlockCache::create(core::ByteSource& rom, mem::MemoryTracker& tracker,
                                                                   std::size_t capacity) {
  FRUGAL_TRY(mem::Account account, tracker.account(kAccountName));
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl(rom, account, capacity));
  if (!impl) return make_error(Errc::out_of_memory, "HAL cache: no memory for the cache");
  Impl* m = impl.get();
  m->apply(tracker.level());
  m->pressure = tracker.subscribe([m](mem::PressureLevel level) { m->apply(level); });
  std::unique_ptr<HalBlockCache> cache(new (std::nothrow) HalBlockCache(std::move(impl)));
  if (!cache) return make_error(Errc::out_of_memory, "HAL cache: no memory for the cache");
  return cache;
}

HalBlockCache::HalBlockCache(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
HalBlockCache::~HalBlockCache() = default;

core::Result<HalBlock> HalBlockCache::get(std::uint64_t offset, std::span<std::byte> out) {
  Impl& m = *impl_;
  {
    platform::LockGuard lock(m.mutex);
    for (Impl::Entry& e : m.entries) {
      if (e.offset != offset) continue;
      if (e.block.decompressed > out.size())
        return make_error(Errc::limit_exceeded, "HAL: output exceeds the caller's buffer", offset);
      if (e.block.decompressed) std::memcpy(out.data(), e.data.get(), e.block.decompressed);
      e.last_use = ++m.clock;
      ++m.hits;
      return e.block;
    }
    ++m.misses;
  }
  // Decode without the lock: other threads' hits go on meanwhile.
  FRUGAL_TRY(HalBlock block, hal_decompress(m.rom, offset, out));
  const std::size_t n = block.decompressed;
  if (n > m.capacity) return block;
  {
    platform::LockGuard lock(m.mutex);
    if (n > m.limit) return block;  // pressure: nothing is kept, nothing allocated
  }
  // Charged before it is allocated; not kept (the caller has its bytes)
  // when the tracker's budget or the heap refuses.
  auto charge = mem::Charge::try_make(m.account, n);
  if (!charge) return block;
  Impl::Entry entry{offset, block, std::unique_ptr<std::byte[]>(new (std::nothrow) std::byte[n]), {}, 0};
  if (!entry.data) return block;
  if (n) std::memcpy(entry.data.get(), out.data(), n);
  entry.charge = std::move(*charge);

  platform::LockGuard lock(m.mutex);
  if (n > m.limit) return block;
  for (const Impl::Entry& e : m.entries)
    if (e.offset == offset) return block;  // another thread kept it first
  m.evict_to(m.limit - n);
  entry.last_use = ++m.clock;
  m.entries.push_back(std::move(entry));
  m.bytes += n;
  return block;
}

void HalBlockCache::clear() {
  platform::LockGuard lock(impl_->mutex);
  impl_->evict_to(0);
}

HalCacheStats HalBlockCache::stats() const {
  platform::LockGuard lock(impl_->mutex);
  return HalCacheStats{impl_->hits, impl_->misses, impl_->evictions, impl_->entries.size(), impl_->bytes};
}

std::size_t HalBlockCache::limit() const {
  platform::LockGuard lock(impl_->mutex);
  return impl_->limit;
}

}  // namespace frugal::assets
