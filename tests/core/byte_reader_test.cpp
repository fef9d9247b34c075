#include <frugal/core/byte_reader.hpp>
#include <frugal/core/fourcc.hpp>

#include <gtest/gtest.h>

#include <array>

using frugal::core::ByteReader;

namespace {
template <typename... T>
constexpr std::array<std::byte, sizeof...(T)> bytes(T... v) {
  return {static_cast<std::byte>(v)...};
}
}  // namespace

TEST(ByteReader, ReadsBigEndianFields) {
  auto data = bytes(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xFF, 0xFE);
  ByteReader r(data);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_EQ(r.u16(), 0x0809);
  EXPECT_EQ(r.i16(), -2);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReader, SixtyFourBitAndTwentyFourBit) {
  auto data = bytes(0x80, 0, 0, 0, 0, 0, 0, 1, 0xAB, 0xCD, 0xEF);
  ByteReader r(data);
  EXPECT_EQ(r.u64(), 0x8000000000000001ull);
  EXPECT_EQ(r.u24(), 0xABCDEFu);
  EXPECT_TRUE(r.ok());
}

TEST(ByteReader, OverrunFailsForGoodAndReadsZero) {
  auto data = bytes(0x01, 0x02, 0x03);
  ByteReader r(data);
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0u);  // even though a byte was there before the overrun
  EXPECT_TRUE(r.bytes(1).empty());
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, BytesAndSkip) {
  auto data = bytes(1, 2, 3, 4, 5);
  ByteReader r(data);
  r.skip(1);
  auto s = r.bytes(2);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], std::byte{2});
  EXPECT_EQ(r.rest().size(), 2u);
  r.skip(3);
  EXPECT_FALSE(r.ok());
}

TEST(FourCC, RoundTripsAndEscapesUnprintable) {
  constexpr frugal::core::FourCC stsz("stsz");
  EXPECT_EQ(stsz.value, 0x7374737Au);
  EXPECT_STREQ(stsz.str().data(), "stsz");
  EXPECT_STREQ(frugal::core::FourCC(0xA9616C62u).str().data(), "?alb");
}
