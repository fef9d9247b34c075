// player::presentation(): what of a track is presented, from its edit list,
// iTunSMPB or codec priming.
#include <frugal/player/presentation.hpp>

#include "support/mp4_writer.hpp"

#include <gtest/gtest.h>

using namespace frugal;
using namespace frugal::test;
using core::Codec;
using player::Presentation;
using player::Segment;

namespace {

struct Case {
  const char* name;
  Codec codec;
  std::uint32_t media_timescale;
  std::uint32_t movie_timescale;
  std::uint32_t sample_rate;
  std::uint64_t duration;  // mdhd, media ticks; 0: unknown
  std::vector<core::EditListEntry> edits;
  std::optional<core::GaplessInfo> itunes;
  bool use_gapless_info;
  std::vector<Segment> segments;
  std::uint64_t delay;
  std::optional<std::uint64_t> padding;
  std::optional<std::uint64_t> frames;
};

// An Opus dOps body with a pre-skip of 312 frames.
Bytes opus_config() {
  OpusSpec opus;
  opus.pre_skip = 312;
  const Bytes box = dops_box(opus);
  return Bytes(box.begin() + 8, box.end());
}

core::Track track_for(const Case& c) {
  core::Track t;
  t.type = core::TrackType::audio;
  t.timescale = c.media_timescale;
  t.duration = c.duration;
  core::SampleEntry e;
  e.codec.codec = c.codec;
  if (c.codec == Codec::opus) e.codec.config = opus_config();
  t.sample_entries.push_back(e);
  t.edit_list = c.edits;
  return t;
}

Segment media(std::uint64_t start, std::optional<std::uint64_t> frames) { return Segment{false, start, frames}; }
Segment silence(std::uint64_t frames) { return Segment{true, 0, frames}; }

constexpr std::uint64_t kLength = 44100 * 7 + 123;  // the example length

class PresentationCases : public testing::TestWithParam<Case> {};

TEST_P(PresentationCases, SegmentsDelayPaddingAndLength) {
  const Case& c = GetParam();
  auto p = player::presentation(track_for(c), c.movie_timescale, c.sample_rate, c.itunes, c.use_gapless_info);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->segments.size(), c.segments.size());
  for (std::size_t i = 0; i < c.segments.size(); ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_EQ(p->segments[i].silence, c.segments[i].silence);
    EXPECT_EQ(p->segments[i].start, c.segments[i].start);
    EXPECT_EQ(p->segments[i].frames, c.segments[i].frames);
  }
  EXPECT_EQ(p->encoder_delay, c.delay);
  EXPECT_EQ(p->padding, c.padding);
  EXPECT_EQ(p->frames, c.frames);
}

const core::GaplessInfo kItunes{2112, 588, kLength};

INSTANTIATE_TEST_SUITE_P(
    Cases, PresentationCases,
    testing::Values(
        // 1 s of movie time from media tick 2112; media length unknown.
        Case{"edit_start_and_length", Codec::pcm, 44100, 1000, 44100, 0, {{1000, 2112}}, {}, true,
             {media(2112, 44100)}, 2112, std::nullopt, 44100},
        // Media ticks at 24 kHz decoded at 48 kHz: times double; 0.5 s of a 600 Hz movie clock.
        Case{"media_timescale_differs_from_rate", Codec::pcm, 24000, 600, 48000, 0, {{300, 100}}, {}, true,
             {media(200, 24000)}, 200, std::nullopt, 24000},
        // The exact length in the file when the movie timescale is the rate.
        Case{"exact_edit_with_movie_timescale_at_the_rate", Codec::aac, 44100, 44100, 44100, 2112 + kLength + 588,
             {{kLength, 2112}}, {}, true, {media(2112, kLength)}, 2112, 588, kLength},
        // In milliseconds the edit is 7003 ms: the exact answer is the rounded edit.
        Case{"edit_in_milliseconds_rounds", Codec::aac, 44100, 1000, 44100, 2112 + kLength + 588, {{7003, 2112}},
             {}, true, {media(2112, 308832)}, 2112, 579, 308832},
        Case{"empty_edit_is_silence", Codec::opus, 48000, 1000, 48000, 0, {{500, -1}, {1000, 312}}, {}, true,
             {silence(24000), media(312, 48000)}, 312, std::nullopt, 72000},
        Case{"several_media_edits", Codec::pcm, 48000, 1000, 48000, 96000, {{500, 0}, {500, 48000}}, {}, true,
             {media(0, 24000), media(48000, 24000)}, 0, 24000, 48000},
        // A zero duration means "to the end of the media".
        Case{"zero_segment_duration_runs_to_the_end", Codec::pcm, 44100, 1000, 44100, 44200, {{0, 100}}, {}, true,
             {media(100, std::nullopt)}, 100, 0, 44100},
        Case{"edit_longer_than_the_media_is_clipped", Codec::pcm, 44100, 1000, 44100, 44100, {{2000, 100}}, {},
             true, {media(100, 44000)}, 100, 0, 44000},
        Case{"zero_movie_timescale_has_no_length", Codec::pcm, 44100, 0, 44100, 0, {{1000, 100}}, {}, true,
             {media(100, std::nullopt)}, 100, std::nullopt, std::nullopt},
        Case{"edit_list_wins_over_priming", Codec::opus, 48000, 1000, 48000, 0, {{1000, 0}}, {}, true,
             {media(0, 48000)}, 0, std::nullopt, 48000},
        Case{"no_edit_list_drops_opus_priming", Codec::opus, 48000, 1000, 48000, 48312, {}, {}, true,
             {media(312, std::nullopt)}, 312, 0, 48000},
        Case{"only_empty_edits_fall_back_to_priming", Codec::opus, 48000, 1000, 48000, 0, {{500, -1}}, {}, true,
             {media(312, std::nullopt)}, 312, std::nullopt, std::nullopt},
        Case{"no_gapless_info_drops_priming_only", Codec::opus, 48000, 1000, 48000, 0, {{1000, 1000}}, kItunes,
             false, {media(312, std::nullopt)}, 312, std::nullopt, std::nullopt},
        Case{"nothing_to_trim", Codec::pcm, 44100, 1000, 44100, 0, {}, {}, true, {media(0, std::nullopt)}, 0,
             std::nullopt, std::nullopt},
        Case{"itunsmpb_without_edit_list", Codec::aac, 44100, 1000, 44100, 2112 + kLength + 588, {}, kItunes, true,
             {media(2112, kLength)}, 2112, 588, kLength},
        Case{"itunsmpb_over_an_untouched_edit", Codec::aac, 44100, 1000, 44100, 2112 + kLength + 588,
             {{7053, 0}}, kItunes, true, {media(2112, kLength)}, 2112, 588, kLength},
        Case{"edit_list_over_itunsmpb", Codec::aac, 44100, 44100, 44100, 2112 + kLength + 588, {{1000, 1024}},
             kItunes, true, {media(1024, 1000)}, 1024, 2112 + kLength + 588 - 2024, 1000},
        // iTunSMPB without the original length: the media less delay and padding.
        Case{"itunsmpb_length_from_padding", Codec::aac, 44100, 1000, 44100, 2112 + kLength + 588, {},
             core::GaplessInfo{2112, 588, 0}, true, {media(2112, kLength)}, 2112, 588, kLength}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Presentation, EditRateOtherThanOneIsUnsupported) {
  Case c{"", Codec::pcm, 44100, 1000, 44100, 0, {{1000, 0, 1 << 15}}, {}, true, {}, 0, {}, {}};
  auto p = player::presentation(track_for(c), 1000, 44100, std::nullopt, true);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, core::Errc::unsupported);
}

TEST(Presentation, NonAudioTrackIsPresentedWhole) {
  core::Track t;
  t.type = core::TrackType::video;
  t.timescale = 90000;
  t.sample_entries.emplace_back();
  t.edit_list = {{1000, 3000}};
  auto p = player::presentation(t, 1000, 48000, std::nullopt, true);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->segments.size(), 1u);
  EXPECT_EQ(p->segments[0].start, 0u);
  EXPECT_FALSE(p->segments[0].frames);
}

}  // namespace
