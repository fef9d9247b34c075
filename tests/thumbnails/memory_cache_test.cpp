// The L1 memory cache: LRU order by bytes, the tracker's charge, capacity and
// budget refusals leaving the cache as it was, pressure, invalidate/clear,
// concurrent use.

#include <frugal/mem/manual_source.hpp>
#include <frugal/thumbnails/memory_cache.hpp>

#include "thumbnails/key_of.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace frugal::thumbnails {
namespace {

using core::Errc;

Blob blob_of(std::size_t bytes, std::uint8_t fill) {
  auto b = make_blob(std::vector<std::byte>(bytes, std::byte{fill}));
  EXPECT_TRUE(b);
  return *b;
}

TEST(Blob, TakesAVectorOverWithoutCopyingIt) {
  std::vector<std::byte> bytes(1000, std::byte{7});
  const std::byte* data = bytes.data();
  auto b = make_blob(std::move(bytes));
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)->data(), data);
  EXPECT_EQ((*b)->size(), 1000u);
}

class MemoryCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<MemoryCache> make(std::size_t capacity) {
    auto cache = MemoryCache::create(tracker, capacity);
    EXPECT_TRUE(cache);
    return std::move(*cache);
  }
  std::size_t charged() { return tracker.account(MemoryCache::kAccountName)->current(); }
  static std::size_t cost(std::size_t n) { return MemoryCache::entry_cost(n); }

  mem::MemoryTracker tracker{mem::TrackerOptions{.cooldown_ms = 0}};  // levels delivered at once
};

TEST_F(MemoryCacheTest, PutGetCountsHitsMissesAndBytes) {
  auto cache = make(1 << 20);
  EXPECT_EQ(cache->get(key_of(1)), nullptr);
  const Blob b = blob_of(1000, 7);
  ASSERT_TRUE(cache->put(key_of(1), b));
  const Blob got = cache->get(key_of(1));
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, *b);
  EXPECT_EQ(cache->size(), 1u);
  EXPECT_EQ(cache->memory_usage_bytes(), cost(1000));
  EXPECT_GT(cost(1000), 1000u);  // bookkeeping counts
  EXPECT_EQ(charged(), cache->memory_usage_bytes());
  const MemoryCacheStats s = cache->stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.bytes, cost(1000));
}

TEST_F(MemoryCacheTest, EvictsLeastRecentlyUsedFirst) {
  auto cache = make(3 * cost(1000));
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(cache->put(key_of(i), blob_of(1000, static_cast<std::uint8_t>(i))));
  ASSERT_NE(cache->get(key_of(0)), nullptr);  // order now 0, 2, 1 (most recent first)
  ASSERT_TRUE(cache->put(key_of(3), blob_of(1000, 3)));  // evicts 1
  EXPECT_EQ(cache->get(key_of(1)), nullptr);
  EXPECT_NE(cache->get(key_of(0)), nullptr);
  EXPECT_NE(cache->get(key_of(2)), nullptr);
  EXPECT_NE(cache->get(key_of(3)), nullptr);
  // A blob twice the size evicts the two least recent (0 then 2).
  ASSERT_TRUE(cache->put(key_of(4), blob_of(2 * 1000 + cost(0), 4)));
  EXPECT_EQ(cache->get(key_of(0)), nullptr);
  EXPECT_EQ(cache->get(key_of(2)), nullptr);
  EXPECT_NE(cache->get(key_of(3)), nullptr);
  EXPECT_EQ(cache->stats().evictions, 3u);
  EXPECT_LE(cache->memory_usage_bytes(), 3 * cost(1000));
  EXPECT_EQ(charged(), cache->memory_usage_bytes());
}

TEST_F(MemoryCacheTest, ReplacingAKeyKeepsOneEntry) {
  auto cache = make(1 << 20);
  ASSERT_TRUE(cache->put(key_of(1), blob_of(100, 1)));
  ASSERT_TRUE(cache->put(key_of(1), blob_of(300, 2)));
  EXPECT_EQ(cache->size(), 1u);
  EXPECT_EQ(cache->memory_usage_bytes(), cost(300));
  EXPECT_EQ(charged(), cost(300));
  EXPECT_EQ((*cache->get(key_of(1)))[0], std::byte{2});
  EXPECT_EQ(cache->stats().evictions, 0u);
}

TEST_F(MemoryCacheTest, EntryOverTheCapacityIsRefusedAndChangesNothing) {
  auto cache = make(2 * cost(1000));
  ASSERT_TRUE(cache->put(key_of(1), blob_of(1000, 1)));
  auto r = cache->put(key_of(2), blob_of(2 * cost(1000), 2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
  EXPECT_EQ(cache->size(), 1u);
  EXPECT_NE(cache->get(key_of(1)), nullptr);
  EXPECT_EQ(charged(), cost(1000));
  EXPECT_EQ(cache->put(key_of(3), nullptr).error().code, Errc::invalid_argument);
}

TEST_F(MemoryCacheTest, BudgetRefusalEvictsForRoomElseLeavesTheCacheAsItWas) {
  // The budget, not the capacity, bounds the cache: another account holds part of it.
  const std::size_t c = cost(1000);
  mem::MemoryTracker tight{mem::TrackerOptions{.budget = 4 * c + c / 2, .cooldown_ms = 0}};
  auto other = tight.account("other");
  ASSERT_TRUE(other);
  auto made = MemoryCache::create(tight, 1 << 20);
  ASSERT_TRUE(made);
  MemoryCache& cache = **made;
  auto charged_tight = [&] { return tight.account(MemoryCache::kAccountName)->current(); };
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(cache.put(key_of(i), blob_of(1000, static_cast<std::uint8_t>(i))));
  // Room for one more only after evicting the least recent entry (0).
  other->charge(c);
  ASSERT_TRUE(cache.put(key_of(3), blob_of(1000, 3)));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(charged_tight(), 3 * c);

  // The other account grows past the budget: a 4000-byte blob cannot be
  // charged even with the cache empty, so nothing may change — neither for
  // a new key nor when replacing an existing one (2, in the middle).
  other->charge(c);
  const MemoryCacheStats before = cache.stats();
  for (std::uint64_t k : {9u, 2u}) {
    auto r = cache.put(key_of(k), blob_of(4000, 9));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::out_of_memory);
    const MemoryCacheStats after = cache.stats();
    EXPECT_EQ(after.entries, 3u);
    EXPECT_EQ(after.bytes, before.bytes);
    EXPECT_EQ(after.evictions, before.evictions);
    EXPECT_EQ(charged_tight(), before.bytes);
  }
  // The LRU order survived too: with room for one more entry, the next put
  // evicts exactly the oldest (1), and 2 still holds its own bytes.
  other->release(2 * c);
  ASSERT_TRUE(cache.put(key_of(10), blob_of(1000, 10)));
  ASSERT_TRUE(cache.put(key_of(11), blob_of(1000, 11)));
  EXPECT_EQ(cache.size(), 4u);
  EXPECT_EQ(cache.get(key_of(1)), nullptr);
  const Blob two = cache.get(key_of(2));
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->size(), 1000u);
  EXPECT_EQ((*two)[0], std::byte{2});
  EXPECT_EQ(cache.get(key_of(9)), nullptr);
  EXPECT_EQ(charged_tight(), cache.memory_usage_bytes());
}

TEST_F(MemoryCacheTest, InvalidateAndClear) {
  auto cache = make(1 << 20);
  for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(cache->put(key_of(i), blob_of(500, 1)));
  EXPECT_TRUE(cache->invalidate(key_of(2)));
  EXPECT_FALSE(cache->invalidate(key_of(2)));
  EXPECT_EQ(cache->get(key_of(2)), nullptr);
  EXPECT_EQ(cache->size(), 3u);
  EXPECT_EQ(charged(), 3 * cost(500));
  cache->clear();
  EXPECT_EQ(cache->size(), 0u);
  EXPECT_EQ(cache->memory_usage_bytes(), 0u);
  EXPECT_EQ(charged(), 0u);
  EXPECT_EQ(cache->stats().evictions, 3u);
}

TEST_F(MemoryCacheTest, BlobHeldByTheCallerOutlivesEviction) {
  auto cache = make(cost(1000));
  ASSERT_TRUE(cache->put(key_of(1), blob_of(1000, 5)));
  const Blob held = cache->get(key_of(1));
  ASSERT_TRUE(cache->put(key_of(2), blob_of(1000, 6)));  // evicts 1
  EXPECT_EQ(cache->get(key_of(1)), nullptr);
  ASSERT_EQ(held->size(), 1000u);
  EXPECT_EQ((*held)[999], std::byte{5});
  EXPECT_EQ(charged(), cost(1000));
}

TEST_F(MemoryCacheTest, ShrinksUnderPressureAndGrowsBack) {
  mem::ManualPressureSource pressure(&tracker);
  ASSERT_TRUE(tracker.add_source(pressure));
  auto cache = make(4 * cost(1000));
  for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(cache->put(key_of(i), blob_of(1000, 1)));

  pressure.set(mem::PressureLevel::high);
  tracker.dispatch();
  EXPECT_EQ(cache->limit(), 2 * cost(1000));
  EXPECT_EQ(cache->size(), 2u);
  EXPECT_EQ(charged(), 2 * cost(1000));
  EXPECT_NE(cache->get(key_of(3)), nullptr);  // the most recent survived
  EXPECT_EQ(cache->get(key_of(0)), nullptr);

  pressure.set(mem::PressureLevel::critical);
  tracker.dispatch();
  EXPECT_EQ(cache->limit(), 0u);
  EXPECT_EQ(cache->size(), 0u);
  EXPECT_EQ(charged(), 0u);
  EXPECT_EQ(cache->put(key_of(5), blob_of(10, 1)).error().code, Errc::limit_exceeded);

  pressure.set(mem::PressureLevel::normal);
  tracker.dispatch();
  EXPECT_EQ(cache->limit(), 4 * cost(1000));
  EXPECT_TRUE(cache->put(key_of(5), blob_of(1000, 1)));
  EXPECT_EQ(charged(), cost(1000));
  tracker.remove_source(pressure);
}

TEST_F(MemoryCacheTest, ConcurrentPutsAndGetsKeepTheChargeExact) {
  auto cache = make(20 * cost(256));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0; i < 2000; ++i) {
        const std::uint64_t k = (i * 7 + static_cast<std::uint64_t>(t)) % 50;
        if (i % 3 == 0) (void)cache->put(key_of(k), blob_of(256, static_cast<std::uint8_t>(k)));
        else if (const Blob b = cache->get(key_of(k)); b && (*b)[0] != std::byte{static_cast<std::uint8_t>(k)})
          ++wrong;
        if (i % 97 == 0) cache->invalidate(key_of(k));
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache->memory_usage_bytes(), 20 * cost(256));
  EXPECT_EQ(charged(), cache->memory_usage_bytes());
}

}  // namespace
}  // namespace frugal::thumbnails
