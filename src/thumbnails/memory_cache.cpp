#include <frugal/thumbnails/memory_cache.hpp>

#include <list>
#include <mutex>
#include <new>
#include <unordered_map>
#include <utility>

namespace frugal::thumbnails {

using core::Errc;
using core::make_error;

struct MemoryCache::Impl {
  struct Entry {
    CacheKey key;
    Blob blob;
    std::size_t cost = 0;
    mem::Charge charge;  // `cost` bytes on the account
  };
  using List = std::list<Entry>;  // front: most recently used

  Impl(mem::Account account_in, std::size_t capacity_in) noexcept
      : account(account_in), capacity(capacity_in), limit(capacity_in) {}

  // Drops entries from the back until at most `target` bytes are held.
  // Called with the lock held.
  void evict_to(std::size_t target) {
    while (bytes > target && !lru.empty()) drop(std::prev(lru.end()));
  }
  void drop(List::iterator it) {
    bytes -= it->cost;
    index.erase(it->key);
    lru.erase(it);
    ++evictions;
  }

  void apply(mem::PressureLevel level) {
    std::lock_guard<std::mutex> lock(mutex);
    limit = level == mem::PressureLevel::critical ? 0
            : level == mem::PressureLevel::high   ? capacity / 2
                                                  : capacity;
    evict_to(limit);
  }

  mem::Account account;
  const std::size_t capacity;
  mutable std::mutex mutex;
  // Guarded by mutex.
  List lru;
  std::unordered_map<CacheKey, List::iterator, CacheKeyHash> index;
  std::size_t limit;
  std::size_t bytes = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;
  // Last: unsubscribed (waiting for a running callback) before the rest goes.
  mem::Subscription pressure;
};

std::size_t MemoryCache::entry_cost(std::size_t blob_bytes) noexcept {
  // A list node (two links + Entry), an unordered_map node (link, key,
  // iterator, cached hash) and make_shared's control block with the vector.
  constexpr std::size_t kOverhead = 2 * sizeof(void*) + sizeof(Impl::Entry) +
                                    (sizeof(void*) + sizeof(CacheKey) + sizeof(Impl::List::iterator) + sizeof(std::size_t)) +
                                    (2 * sizeof(long) + sizeof(std::vector<std::byte>));
  return blob_bytes > SIZE_MAX - kOverhead ? SIZE_MAX : blob_bytes + kOverhead;
}

core::Result<std::unique_ptr<MemoryCache>> MemoryCache::create(mem::MemoryTracker& tracker, std::size_t capacity) {
  FRUGAL_TRY(mem::Account account, tracker.account(kAccountName));
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl(account, capacity));
  if (!impl) return make_error(Errc::out_of_memory, "thumbnail L1 cache: no memory for the cache");
  Impl* m = impl.get();
  try {
    m->pressure = tracker.subscribe([m](mem::PressureLevel level) { m->apply(level); });
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "thumbnail L1 cache: no memory for the subscription");
  }
  // After subscribing: a level delivered in between reaches the callback.
  m->apply(tracker.level());
  std::unique_ptr<MemoryCache> cache(new (std::nothrow) MemoryCache(std::move(impl)));
  if (!cache) return make_error(Errc::out_of_memory, "thumbnail L1 cache: no memory for the cache");
  return cache;
}

MemoryCache::MemoryCache(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
MemoryCache::~MemoryCache() = default;

Blob MemoryCache::get(const CacheKey& key) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  const auto found = m.index.find(key);
  if (found == m.index.end()) {
    ++m.misses;
    return nullptr;
  }
  m.lru.splice(m.lru.begin(), m.lru, found->second);
  ++m.hits;
  return found->second->blob;
}

core::Result<void> MemoryCache::put(const CacheKey& key, Blob blob) {
  if (!blob) return make_error(Errc::invalid_argument, "thumbnail L1 cache: null blob");
  Impl& m = *impl_;
  const std::size_t cost = entry_cost(blob->size());
  std::lock_guard<std::mutex> lock(m.mutex);
  if (cost > m.limit) return make_error(Errc::limit_exceeded, "thumbnail L1 cache: entry larger than the cache");

  // The new entry's nodes first (its list node, and its index node unless
  // the key is there already): a refused allocation changes nothing.
  Impl::List fresh;
  bool added = false;
  try {
    fresh.push_back(Impl::Entry{key, std::move(blob), cost, {}});
    added = m.index.try_emplace(key, m.lru.end()).second;
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "thumbnail L1 cache: no memory for an entry");
  }

  // Entries leave for side lists, their charges released, until the new one
  // fits the limit and the tracker accepts its charge; on refusal they are
  // charged again and put back where they were. Splicing allocates nothing
  // and keeps the index's iterators valid.
  std::size_t held = m.bytes;
  Impl::List replaced;  // the entry of the same key, if any
  Impl::List::iterator replaced_next = m.lru.end();
  if (!added) {
    const auto old = m.index.find(key)->second;
    replaced_next = std::next(old);
    held -= old->cost;
    old->charge.reset();
    replaced.splice(replaced.end(), m.lru, old);
  }
  Impl::List victims;  // taken from the back: least recently used first
  auto take_lru = [&] {
    const auto it = std::prev(m.lru.end());
    held -= it->cost;
    it->charge.reset();
    victims.splice(victims.end(), m.lru, it);
  };
  while (held > m.limit - cost) take_lru();  // cost <= limit: no wrap
  auto charge = mem::Charge::try_make(m.account, cost);
  while (!charge && !m.lru.empty()) {
    take_lru();
    charge = mem::Charge::try_make(m.account, cost);
  }
  if (!charge) {
    for (Impl::Entry& e : victims) e.charge = mem::Charge(m.account, e.cost);
    for (Impl::Entry& e : replaced) e.charge = mem::Charge(m.account, e.cost);
    victims.reverse();
    m.lru.splice(m.lru.end(), victims);
    m.lru.splice(replaced_next, replaced);
    if (added) m.index.erase(key);
    return make_error(Errc::out_of_memory, "thumbnail L1 cache: the tracker refused the entry's charge");
  }
  for (const Impl::Entry& e : victims) {
    m.bytes -= e.cost;
    m.index.erase(e.key);
    ++m.evictions;
  }
  for (const Impl::Entry& e : replaced) m.bytes -= e.cost;  // replaced, not evicted
  fresh.front().charge = std::move(*charge);
  m.lru.splice(m.lru.begin(), fresh);
  m.index.find(key)->second = m.lru.begin();
  m.bytes += cost;
  return core::ok();
}

bool MemoryCache::invalidate(const CacheKey& key) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  const auto found = m.index.find(key);
  if (found == m.index.end()) return false;
  m.bytes -= found->second->cost;
  m.lru.erase(found->second);
  m.index.erase(found);
  return true;
}

void MemoryCache::clear() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->evict_to(0);
}

std::size_t MemoryCache::size() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->lru.size();
}

std::size_t MemoryCache::memory_usage_bytes() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->bytes;
}

std::size_t MemoryCache::limit() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->limit;
}

MemoryCacheStats MemoryCache::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return MemoryCacheStats{impl_->hits, impl_->misses, impl_->evictions, impl_->lru.size(), impl_->bytes};
}

}  // namespace frugal::thumbnails
