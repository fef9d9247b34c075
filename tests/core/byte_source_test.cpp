#include <frugal/core/byte_source.hpp>

#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <vector>

using namespace frugal::core;

namespace {

std::vector<std::byte> iota_bytes(std::size_t n) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>(i & 0xFF);
  return v;
}

}  // namespace

TEST(MemorySource, ShortReadOnlyAtEnd) {
  auto data = iota_bytes(10);
  MemorySource src(data);
  std::array<std::byte, 4> buf{};
  EXPECT_EQ(*src.read_at(0, buf), 4u);
  EXPECT_EQ(buf[3], std::byte{3});
  EXPECT_EQ(*src.read_at(8, buf), 2u);
  EXPECT_EQ(buf[0], std::byte{8});
  EXPECT_EQ(*src.read_at(10, buf), 0u);
  EXPECT_EQ(*src.read_at(~std::uint64_t{0}, buf), 0u);
  EXPECT_EQ(*src.size(), 10u);
}

TEST(ReadExact, ReportsEndOfStreamWithOffset) {
  auto data = iota_bytes(10);
  MemorySource src(data);
  std::array<std::byte, 4> buf{};
  EXPECT_TRUE(read_exact(src, 6, buf));
  auto r = read_exact(src, 7, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::end_of_stream);
  EXPECT_EQ(r.error().offset, 7u);
}

TEST(SubSource, StaysInsideItsWindow) {
  auto data = iota_bytes(100);
  MemorySource src(data);
  SubSource sub(src, 10, 20);
  EXPECT_EQ(*sub.size(), 20u);
  std::array<std::byte, 8> buf{};
  EXPECT_EQ(*sub.read_at(0, buf), 8u);
  EXPECT_EQ(buf[0], std::byte{10});
  EXPECT_EQ(*sub.read_at(16, buf), 4u);
  EXPECT_EQ(buf[3], std::byte{29});
  EXPECT_EQ(*sub.read_at(20, buf), 0u);
}

TEST(SubSource, ClipsToParentSize) {
  auto data = iota_bytes(30);
  MemorySource src(data);
  SubSource beyond(src, 25, 1000);
  EXPECT_EQ(*beyond.size(), 5u);
  SubSource outside(src, 40, 10);
  EXPECT_EQ(*outside.size(), 0u);
}

TEST(CountingSource, CountsCallsAndBytesReturned) {
  auto data = iota_bytes(10);
  MemorySource src(data);
  CountingSource counting(src);
  std::array<std::byte, 6> buf{};
  (void)counting.read_at(0, buf);
  (void)counting.read_at(8, buf);
  EXPECT_EQ(counting.read_calls(), 2u);
  EXPECT_EQ(counting.bytes_read(), 8u);
}
