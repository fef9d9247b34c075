#include "player/ring_buffer.hpp"

#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace frugal::player::detail {
namespace {

using namespace std::chrono_literals;

// A byte sequence that does not repeat with any small period.
std::vector<std::byte> pattern(std::size_t n) {
  std::vector<std::byte> out(n);
  std::uint32_t x = 12345;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::byte>(x >> 24);
  }
  return out;
}

std::vector<std::byte> bytes(std::size_t n, unsigned char value) { return std::vector<std::byte>(n, std::byte{value}); }

// Reads until the ring says it is done; checks every read is a multiple of `align`.
std::vector<std::byte> drain(RingBuffer& ring, std::size_t chunk, std::size_t align) {
  std::vector<std::byte> out;
  std::vector<std::byte> buf(chunk);
  while (const std::size_t n = ring.read(buf, align)) {
    EXPECT_EQ(n % align, 0u);
    EXPECT_LE(n, chunk);
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

TEST(RingBuffer, CapacityIsChargedAndChangesWithoutLosingBytes) {
  mem::MemoryTracker tracker;
  auto account = tracker.account("player/ring_buffer");
  ASSERT_TRUE(account);
  const std::vector<std::byte> data = pattern(300);
  std::vector<std::byte> received(300);
  {
    RingBuffer ring(1000, *account);
    EXPECT_EQ(account->current(), 1000u);
    ASSERT_TRUE(ring.write(std::span(data).first(100)));
    ASSERT_EQ(ring.read(std::span(received).first(40), 1), 40u);  // head moves off 0: the content wraps later
    ASSERT_TRUE(ring.write(std::span(data).subspan(100, 200)));
    ring.set_capacity(64);  // 260 bytes buffered: the memory stays until they drain
    EXPECT_EQ(ring.capacity(), 1000u);
    ASSERT_EQ(ring.read(std::span(received).subspan(40, 150), 1), 150u);
    EXPECT_EQ(ring.capacity(), 1000u);  // 110 left: still more than 64
    ASSERT_EQ(ring.read(std::span(received).subspan(190, 50), 1), 50u);
    EXPECT_EQ(ring.capacity(), 64u);  // 60 left: shrunk, charge follows
    EXPECT_EQ(account->current(), 64u);
    ring.set_capacity(2000);  // growing is immediate
    EXPECT_EQ(account->current(), 2000u);
    ring.finish();
    ASSERT_EQ(ring.read(std::span(received).subspan(240), 1), 60u);
    EXPECT_TRUE(received == data);
  }
  EXPECT_EQ(account->current(), 0u);
  EXPECT_EQ(account->peak(), 2000u);
}

// The pressure callback shrinks the ring from another thread while audio
// flows: nothing is lost or reordered.
TEST(RingBuffer, ShrinksWhileBothSidesRun) {
  const std::vector<std::byte> data = pattern(4 * 200000);
  RingBuffer ring(64 * 1024);
  std::thread producer([&] {
    for (std::size_t at = 0; at < data.size(); at += 3000)
      EXPECT_TRUE(ring.write(std::span(data).subspan(at, std::min<std::size_t>(3000, data.size() - at))));
    ring.finish();
  });
  std::thread shrinker([&] {
    for (std::size_t capacity : {32768u, 8192u, 20000u, 4096u}) {
      std::this_thread::sleep_for(1ms);
      ring.set_capacity(capacity);
    }
  });
  const std::vector<std::byte> received = drain(ring, 4096, 4);
  producer.join();
  shrinker.join();
  EXPECT_TRUE(received == data);
}

TEST(RingBuffer, MovesAMegabyteThroughASmallRingInOrder) {
  constexpr std::size_t kAlign = 6;                              // e.g. s24 stereo frames
  const std::vector<std::byte> data = pattern(kAlign * 175000);  // ~1 MB
  RingBuffer ring(4096);
  std::thread producer([&] {
    // Uneven write sizes, some larger than the ring.
    std::span<const std::byte> rest(data);
    for (std::size_t i = 0; !rest.empty(); ++i) {
      const std::size_t n = std::min(rest.size(), std::size_t{1 + (i * 977) % 9000});
      EXPECT_TRUE(ring.write(rest.first(n)));
      rest = rest.subspan(n);
    }
    ring.finish();
  });
  const std::vector<std::byte> received = drain(ring, 1000, kAlign);
  producer.join();
  EXPECT_EQ(received.size(), data.size());
  EXPECT_TRUE(received == data) << "bytes lost, duplicated or reordered";
}

TEST(RingBuffer, ReadReturnsWholeMultiplesOfAlign) {
  RingBuffer ring(100);
  ASSERT_TRUE(ring.write(pattern(50)));
  std::vector<std::byte> buf(20);
  EXPECT_EQ(ring.read(buf, 6), 18u);  // at most dst.size(), rounded down to 6
  EXPECT_EQ(ring.read(buf, 4), 20u);
  EXPECT_EQ(ring.read(buf, 5), 10u);  // 12 left: 10 of them
  EXPECT_EQ(ring.read(buf, 1), 2u);
}

TEST(RingBuffer, DataSurvivesWrappingAroundTheEnd) {
  RingBuffer ring(10);
  std::vector<std::byte> buf(10);
  ASSERT_TRUE(ring.write(bytes(7, 1)));
  ASSERT_EQ(ring.read(buf, 1), 7u);
  const auto data = pattern(9);  // starts at offset 7: wraps
  ASSERT_TRUE(ring.write(data));
  ASSERT_EQ(ring.read(buf, 1), 9u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), buf.begin()));
}

TEST(RingBuffer, FinishDrainsThenReturnsZero) {
  RingBuffer ring(64);
  const auto data = pattern(10);
  ASSERT_TRUE(ring.write(data));
  ring.finish();
  std::vector<std::byte> buf(64);
  ASSERT_EQ(ring.read(buf, 1), 10u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), buf.begin()));
  EXPECT_EQ(ring.read(buf, 1), 0u);
  EXPECT_EQ(ring.read(buf, 1), 0u);
}

TEST(RingBuffer, FinishDropsATrailingPartialUnit) {
  RingBuffer ring(64);
  ASSERT_TRUE(ring.write(pattern(10)));
  ring.finish();
  std::vector<std::byte> buf(64);
  EXPECT_EQ(ring.read(buf, 4), 8u);
  EXPECT_EQ(ring.read(buf, 4), 0u);  // 2 bytes left: less than a frame
}

TEST(RingBuffer, ReaderWaitsForAWholeUnit) {
  RingBuffer ring(64);
  ASSERT_TRUE(ring.write(bytes(3, 9)));
  std::atomic<std::size_t> got{~std::size_t{0}};
  std::thread reader([&] {
    std::vector<std::byte> buf(16);
    got = ring.read(buf, 4);
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(got.load(), ~std::size_t{0}) << "read returned before a whole unit was there";
  ASSERT_TRUE(ring.write(bytes(1, 9)));
  reader.join();
  EXPECT_EQ(got.load(), 4u);
}

TEST(RingBuffer, FinishWakesAWaitingReader) {
  RingBuffer ring(64);
  std::atomic<bool> returned{false};
  std::thread reader([&] {
    std::vector<std::byte> buf(16);
    EXPECT_EQ(ring.read(buf, 4), 0u);
    returned = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(returned.load());
  ring.finish();
  reader.join();
  EXPECT_TRUE(returned.load());
}

TEST(RingBuffer, CancelUnblocksAWriterOnAFullRing) {
  RingBuffer ring(16);
  std::atomic<bool> returned{false};
  bool result = true;
  std::thread writer([&] {
    result = ring.write(pattern(64));  // fills the ring, then waits for room
    returned = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(returned.load()) << "write returned before there was room";
  ring.cancel();
  writer.join();
  EXPECT_FALSE(result);
}

TEST(RingBuffer, CancelUnblocksAReaderOnAnEmptyRing) {
  RingBuffer ring(16);
  std::size_t result = 1;
  std::thread reader([&] {
    std::vector<std::byte> buf(16);
    result = ring.read(buf, 1);
  });
  std::this_thread::sleep_for(20ms);
  ring.cancel();
  reader.join();
  EXPECT_EQ(result, 0u);
}

TEST(RingBuffer, AfterCancelNothingMoves) {
  RingBuffer ring(16);
  ASSERT_TRUE(ring.write(pattern(8)));
  ring.cancel();
  std::vector<std::byte> buf(16);
  EXPECT_EQ(ring.read(buf, 1), 0u);  // buffered data is dropped
  EXPECT_FALSE(ring.write(pattern(4)));
}

}  // namespace
}  // namespace frugal::player::detail
