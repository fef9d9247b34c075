// The decompressed-block cache: hits and misses, byte-bounded LRU eviction,
// the tracker charge, pressure, concurrent readers.

#include <frugal/assets/block_cache.hpp>
#include <frugal/mem/manual_source.hpp>

#include "support/hal_compressor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace frugal::assets {
namespace {

using core::Errc;

// A ROM holding kBlocks HAL streams, block i at offset i * kStride decoding
// to 1000 + i bytes of a pattern of its own.
constexpr std::size_t kBlocks = 6;
constexpr std::uint64_t kStride = 0x1000;

struct Rom {
  Rom() : bytes(kBlocks * kStride, std::byte{0xFF}), source(bytes) {
    for (std::size_t i = 0; i < kBlocks; ++i) {
      std::vector<std::byte> data(1000 + i);
      for (std::size_t j = 0; j < data.size(); ++j) data[j] = static_cast<std::byte>((j / 7 + i * 31) & 0xFF);
      const auto stream = test::hal_compress(data);
      std::copy(stream.begin(), stream.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i * kStride));
      decoded.push_back(std::move(data));
    }
  }
  std::vector<std::byte> bytes;
  core::MemorySource source;
  std::vector<std::vector<std::byte>> decoded;
};

class HalBlockCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<HalBlockCache> make(std::size_t capacity) {
    auto cache = HalBlockCache::create(rom.source, tracker, capacity);
    EXPECT_TRUE(cache);
    return std::move(*cache);
  }
  // Gets block i and checks its bytes.
  void get(HalBlockCache& cache, std::size_t i) {
    std::vector<std::byte> out(kHalMaxOutput);
    auto r = cache.get(i * kStride, out);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->decompressed, rom.decoded[i].size());
    EXPECT_TRUE(std::equal(rom.decoded[i].begin(), rom.decoded[i].end(), out.begin()));
  }
  std::size_t charged() { return tracker.account(HalBlockCache::kAccountName)->current(); }

  Rom rom;
  mem::MemoryTracker tracker{mem::TrackerOptions{.cooldown_ms = 0}};  // levels delivered at once
};

TEST_F(HalBlockCacheTest, MissThenHit) {
  auto cache = make(10000);
  get(*cache, 2);
  get(*cache, 2);
  const HalCacheStats s = cache->stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.blocks, 1u);
  EXPECT_EQ(s.bytes, 1002u);
  EXPECT_EQ(charged(), 1002u);
  // The compressed size comes back on hits too.
  std::vector<std::byte> out(kHalMaxOutput);
  const auto direct = hal_decompress(rom.source, 2 * kStride, out);
  const auto hit = cache->get(2 * kStride, out);
  ASSERT_TRUE(direct && hit);
  EXPECT_EQ(hit->compressed, direct->compressed);
}

TEST_F(HalBlockCacheTest, EvictsLeastRecentlyUsedWithinCapacity) {
  auto cache = make(2500);  // two blocks of ~1000 bytes
  get(*cache, 0);
  get(*cache, 1);
  get(*cache, 0);  // 0 is now the most recent
  get(*cache, 2);  // evicts 1
  HalCacheStats s = cache->stats();
  EXPECT_EQ(s.blocks, 2u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_LE(s.bytes, 2500u);
  EXPECT_EQ(charged(), s.bytes);
  get(*cache, 0);  // still there
  EXPECT_EQ(cache->stats().hits, 2u);
  get(*cache, 1);  // gone: a miss, evicting 2 (0 was used more recently)
  s = cache->stats();
  EXPECT_EQ(s.misses, 4u);
  get(*cache, 0);
  EXPECT_EQ(cache->stats().hits, 3u);
  EXPECT_LE(charged(), 2500u);
}

TEST_F(HalBlockCacheTest, BlockLargerThanCapacityIsReturnedNotKept) {
  auto cache = make(500);
  get(*cache, 3);
  get(*cache, 3);
  const HalCacheStats s = cache->stats();
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.blocks, 0u);
  EXPECT_EQ(charged(), 0u);
}

TEST_F(HalBlockCacheTest, ErrorsAreNotCached) {
  auto cache = make(10000);
  rom.bytes[5 * kStride] = std::byte{0x80};  // a copy with nothing written
  std::vector<std::byte> out(kHalMaxOutput);
  for (int i = 0; i < 2; ++i) {
    auto r = cache->get(5 * kStride, out);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::malformed);
  }
  EXPECT_EQ(cache->stats().misses, 2u);
  EXPECT_EQ(cache->stats().blocks, 0u);
}

TEST_F(HalBlockCacheTest, SmallOutputOnAHitIsAnError) {
  auto cache = make(10000);
  get(*cache, 1);
  std::vector<std::byte> out(10);
  auto r = cache->get(1 * kStride, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST_F(HalBlockCacheTest, ShrinksUnderPressureAndGrowsBack) {
  mem::ManualPressureSource pressure(&tracker);
  ASSERT_TRUE(tracker.add_source(pressure));
  auto cache = make(5000);
  for (std::size_t i = 0; i < 4; ++i) get(*cache, i);
  EXPECT_EQ(cache->stats().blocks, 4u);

  pressure.set(mem::PressureLevel::high);
  tracker.dispatch();
  EXPECT_EQ(cache->limit(), 2500u);
  EXPECT_LE(charged(), 2500u);
  EXPECT_EQ(cache->stats().blocks, 2u);
  get(*cache, 3);  // the most recent survived
  EXPECT_EQ(cache->stats().hits, 1u);

  pressure.set(mem::PressureLevel::critical);
  tracker.dispatch();
  EXPECT_EQ(cache->limit(), 0u);
  EXPECT_EQ(charged(), 0u);
  get(*cache, 3);  // decoded, not kept
  EXPECT_EQ(cache->stats().blocks, 0u);

  pressure.set(mem::PressureLevel::normal);
  tracker.dispatch();
  EXPECT_EQ(cache->limit(), 5000u);
  get(*cache, 3);
  EXPECT_EQ(cache->stats().blocks, 1u);
  tracker.remove_source(pressure);
}

TEST_F(HalBlockCacheTest, StartsAtTheTrackersLevel) {
  mem::ManualPressureSource pressure(&tracker);
  ASSERT_TRUE(tracker.add_source(pressure));
  pressure.set(mem::PressureLevel::high);
  tracker.dispatch();
  auto cache = make(4000);
  EXPECT_EQ(cache->limit(), 2000u);
  cache.reset();
  tracker.remove_source(pressure);
}

TEST_F(HalBlockCacheTest, KeepsNothingOverTheBudget) {
  mem::MemoryTracker tight(mem::TrackerOptions{.budget = 1500});
  auto cache = HalBlockCache::create(rom.source, tight, 10000);
  ASSERT_TRUE(cache);
  std::vector<std::byte> out(kHalMaxOutput);
  ASSERT_TRUE((*cache)->get(0, out));
  ASSERT_TRUE((*cache)->get(kStride, out));  // 1000 + 1001 > 1500: not kept
  EXPECT_EQ((*cache)->stats().blocks, 1u);
  EXPECT_LE(tight.total(), 1500u);
}

TEST_F(HalBlockCacheTest, ClearDropsEverything) {
  auto cache = make(10000);
  get(*cache, 0);
  get(*cache, 1);
  cache->clear();
  EXPECT_EQ(cache->stats().blocks, 0u);
  EXPECT_EQ(charged(), 0u);
}

TEST_F(HalBlockCacheTest, ConcurrentReadersGetTheRightBytes) {
  auto cache = make(3500);  // room for about three of the six blocks
  std::atomic<int> wrong{0};
  std::atomic<bool> stop{false};
  mem::ManualPressureSource pressure(&tracker);
  ASSERT_TRUE(tracker.add_source(pressure));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> out(kHalMaxOutput);
      for (int n = 0; n < 300; ++n) {
        const std::size_t i = static_cast<std::size_t>(t * 7 + n * 5) % kBlocks;
        auto r = cache->get(i * kStride, out);
        if (!r || r->decompressed != rom.decoded[i].size() ||
            !std::equal(rom.decoded[i].begin(), rom.decoded[i].end(), out.begin()))
          ++wrong;
      }
    });
  }
  // Pressure changes while they read.
  std::thread dispatcher([&] {
    for (int n = 0; !stop.load(); ++n) {
      pressure.set(static_cast<mem::PressureLevel>(n % 3));
      tracker.dispatch();
      std::this_thread::yield();
    }
  });
  for (auto& th : threads) th.join();
  stop = true;
  dispatcher.join();
  tracker.remove_source(pressure);
  EXPECT_EQ(wrong.load(), 0);
  const HalCacheStats s = cache->stats();
  EXPECT_EQ(s.hits + s.misses, 4u * 300u);
  EXPECT_LE(s.bytes, 3500u);
  EXPECT_EQ(charged(), s.bytes);
}

}  // namespace
}  // namespace frugal::assets
