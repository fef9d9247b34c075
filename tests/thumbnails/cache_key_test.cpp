// Cache keys: XXH3-128 of tagged fields, rendered and parsed as 32 lowercase
// hex characters.

#include <frugal/thumbnails/cache_key.hpp>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace frugal::thumbnails {
namespace {

using core::Errc;

TEST(CacheKey, ParseAcceptsOnlyLowercaseHexOf32) {
  const std::string good = "0123456789abcdef0123456789abcdef";
  auto key = CacheKey::parse(good);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->hex(), good);
  EXPECT_EQ(key->bucket(), "01");
  for (const std::string& bad : {std::string("0123456789ABCDEF0123456789abcdef"), good.substr(1), good + "0",
                                std::string("../3456789abcdef0123456789abcdef"), std::string("0123456789abcdef0123456789abcde\0", 32),
                                std::string("0123456789abcdef0123456789abcdeg"), std::string()}) {
    auto r = CacheKey::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
}

TEST(CacheKey, FromHashIsXxh128sCanonicalHex) {
  const std::string text = "frugal";
  const XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  std::string expected;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char byte : canonical.digest) {
    expected += kDigits[byte >> 4];
    expected += kDigits[byte & 0xF];
  }
  EXPECT_EQ(CacheKey::from_hash(h.high64, h.low64).hex(), expected);
}

TEST(CacheKeyBuilder, SameFieldsSameKeyAndFieldsAreDelimited) {
  const std::vector<std::byte> source = {std::byte{1}, std::byte{2}, std::byte{3}};
  auto build = [&](std::string_view path, std::uint64_t width) {
    CacheKeyBuilder b;
    b.add_string(path).add_u64(width).add_bytes(source);
    return b.finish();
  };
  EXPECT_EQ(build("a/b.jpg", 128), build("a/b.jpg", 128));
  EXPECT_NE(build("a/b.jpg", 128), build("a/b.jpg", 256));  // thumbnail parameters matter
  EXPECT_NE(build("a/b.jpg", 128), build("a/c.jpg", 128));

  CacheKeyBuilder ab_c, a_bc;
  ab_c.add_string("ab").add_string("c");
  a_bc.add_string("a").add_string("bc");
  EXPECT_NE(ab_c.finish(), a_bc.finish());
  CacheKeyBuilder number, text;
  number.add_u64(0x6f6f66);
  text.add_string("foo");
  EXPECT_NE(number.finish(), text.finish());
  // The result parses back: it is valid key text.
  auto parsed = CacheKey::parse(build("x", 1).hex());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, build("x", 1));
}

TEST(CacheKeyBuilder, FinishIsTheHashOfTheTaggedStream) {
  // One string field: tag 2, length (u64 LE), bytes.
  CacheKeyBuilder b;
  b.add_string("png");
  const unsigned char stream[] = {2, 3, 0, 0, 0, 0, 0, 0, 0, 'p', 'n', 'g'};
  const XXH128_hash_t h = XXH3_128bits(stream, sizeof stream);
  EXPECT_EQ(b.finish(), CacheKey::from_hash(h.high64, h.low64));
}

}  // namespace
}  // namespace frugal::thumbnails
