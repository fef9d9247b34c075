#include <frugal/core/result.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

using frugal::core::Errc;
using frugal::core::Error;
using frugal::core::make_error;
using frugal::core::Result;

namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(Errc::malformed, "not positive", 7);
  return v;
}

Result<int> doubled(int v) {
  FRUGAL_TRY(int x, parse_positive(v));
  return 2 * x;
}

Result<void> check(int v) {
  FRUGAL_CHECK(parse_positive(v));
  return frugal::core::ok();
}

}  // namespace

TEST(Result, HoldsValueOrError) {
  Result<int> good = parse_positive(3);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 3);
  Result<int> bad = parse_positive(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  EXPECT_STREQ(bad.error().message, "not positive");
  EXPECT_EQ(bad.error().offset, 7u);
}

TEST(Result, TryAndCheckPropagate) {
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_EQ(doubled(0).error().code, Errc::malformed);
  EXPECT_TRUE(check(1));
  EXPECT_FALSE(check(0));
}

TEST(Result, MoveOnlyValuesAndReassignment) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("x");
  ASSERT_TRUE(r);
  auto p = std::move(r).value();
  EXPECT_EQ(*p, "x");
  Result<std::string> s = std::string("a");
  s = make_error(Errc::io, "gone");
  EXPECT_FALSE(s);
  s = std::string("b");
  EXPECT_EQ(*s, "b");
}

TEST(ResultDeathTest, ValueOfErrorIsAProgrammerError) {
  Result<int> bad = parse_positive(0);
  EXPECT_DEATH((void)bad.value(), "assertion failed");
}

TEST(Errc, NamesAreStable) {
  EXPECT_STREQ(frugal::core::errc_name(Errc::limit_exceeded), "limit_exceeded");
  EXPECT_STREQ(frugal::core::errc_name(Errc::end_of_stream), "end_of_stream");
  EXPECT_STREQ(frugal::core::errc_name(Errc::cancelled), "cancelled");
}
