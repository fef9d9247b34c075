#include <frugal/core/arith.hpp>

#include <gtest/gtest.h>

using frugal::core::checked_add;
using frugal::core::checked_mul;
using frugal::core::mul_div;

TEST(MulDiv, ExactWhenTheProductFits) {
  EXPECT_EQ(mul_div(10, 48000, 1000), 480u);
  EXPECT_EQ(mul_div(7, 3, 2), 10u);
  EXPECT_EQ(mul_div(0, 5, 3), 0u);
}

TEST(MulDiv, ExactBeyondSixtyFourBitProducts) {
  const std::uint64_t big = std::uint64_t{1} << 62;
  EXPECT_EQ(mul_div(big, 48000, 48000), big);
  EXPECT_EQ(mul_div(big, 44100, 88200), big / 2);
  EXPECT_EQ(mul_div(0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFull, 0x100000000ull), 0xFFFFFFFEFFFFFFFFull);
}

TEST(MulDiv, SaturatesWhenTheQuotientOverflows) {
  EXPECT_EQ(mul_div(~std::uint64_t{0}, 3, 2), ~std::uint64_t{0});
  EXPECT_EQ(mul_div(5, 5, 0), ~std::uint64_t{0});
}

TEST(Checked, AddAndMulDetectOverflow) {
  std::uint64_t out = 0;
  EXPECT_TRUE(checked_add(1, 2, out));
  EXPECT_EQ(out, 3u);
  EXPECT_FALSE(checked_add(~std::uint64_t{0}, 1, out));
  EXPECT_TRUE(checked_mul(1u << 20, 1u << 20, out));
  EXPECT_FALSE(checked_mul(std::uint64_t{1} << 33, std::uint64_t{1} << 31, out));
}
