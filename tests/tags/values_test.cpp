// Tag text → numbers: ReplayGain gains and peaks, R128 gains, positions,
// Vorbis chapters.
#include "tags/values.hpp"

#include <gtest/gtest.h>

using namespace frugal::tags::detail;

namespace {

TEST(TagValues, ReplayGainTextsAsWritersSpellThem) {
  EXPECT_DOUBLE_EQ(*parse_decimal("-6.48 dB"), -6.48);
  EXPECT_DOUBLE_EQ(*parse_decimal("+1.50 dB"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_decimal(" 0.988831"), 0.988831);
  EXPECT_DOUBLE_EQ(*parse_decimal("3dB"), 3.0);
  EXPECT_FALSE(parse_decimal(""));
  EXPECT_FALSE(parse_decimal("dB"));
  EXPECT_FALSE(parse_decimal("nan"));
  EXPECT_FALSE(parse_decimal("inf dB"));
}

TEST(TagValues, R128GainsAreQ78RelativeToMinus23Lufs) {
  // RFC 7845 §5.2.1: Q7.8; +5 dB brings them to ReplayGain's −18 LUFS.
  EXPECT_DOUBLE_EQ(*r128_to_replaygain_db("0"), 5.0);
  EXPECT_DOUBLE_EQ(*r128_to_replaygain_db("-2560"), -5.0);
  EXPECT_DOUBLE_EQ(*r128_to_replaygain_db("384"), 6.5);
  EXPECT_DOUBLE_EQ(*r128_to_replaygain_db("-32768"), -123.0);
  EXPECT_FALSE(r128_to_replaygain_db("32768"));
  EXPECT_FALSE(r128_to_replaygain_db("1.5"));
  EXPECT_FALSE(r128_to_replaygain_db("-6 dB"));
}

TEST(TagValues, Positions) {
  EXPECT_EQ(parse_position("3"), std::make_pair(3u, 0u));
  EXPECT_EQ(parse_position("3/12"), std::make_pair(3u, 12u));
  EXPECT_EQ(parse_position(" 2 / 3 "), std::make_pair(2u, 3u));
  EXPECT_EQ(parse_position("/9"), std::make_pair(0u, 9u));
  EXPECT_EQ(parse_position("A"), std::make_pair(0u, 0u));
  EXPECT_EQ(parse_position("99999999999"), std::make_pair(0u, 0u));
}

TEST(TagValues, ChaptersInNumberOrderWithNamesAndEnds) {
  const auto chapters = parse_chapters({{"CHAPTER002", "00:01:30.5"},
                                        {"CHAPTER001NAME", "Intro"},
                                        {"CHAPTER001", "00:00:00.000"},
                                        {"CHAPTER002NAME", "Verse"},
                                        {"CHAPTER003", "01:00:00.1234"},
                                        {"CHAPTER004", "bad"},
                                        {"CHAPTER005", "00:61:00"},
                                        {"CHAPTERS", "00:00:01"},
                                        {"TITLE", "x"}});
  ASSERT_EQ(chapters.size(), 3u);
  EXPECT_EQ(chapters[0].title, "Intro");
  EXPECT_EQ(chapters[0].start, 0u);
  EXPECT_EQ(chapters[0].end, 90500u);
  EXPECT_EQ(chapters[1].title, "Verse");
  EXPECT_EQ(chapters[1].start, 90500u);
  EXPECT_EQ(chapters[1].end, 3600123u);
  EXPECT_EQ(chapters[2].start, 3600123u);
  EXPECT_EQ(chapters[2].end, 3600123u);  // the tags do not know the duration
  EXPECT_EQ(chapters[2].timescale, 1000u);
  EXPECT_TRUE(chapters[2].title.empty());
}

}  // namespace
