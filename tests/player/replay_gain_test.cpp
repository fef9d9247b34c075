#include <frugal/player/replay_gain.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace frugal::player {
namespace {

double db(double factor) { return 20 * std::log10(factor); }

const core::ReplayGain kBoth{-6.0, 0.5, -3.0, 0.9};

TEST(ReplayGain, OffIsUnity) { EXPECT_EQ(replay_gain_factor(GainSettings{}, kBoth), 1.0); }

TEST(ReplayGain, TrackAndAlbumModesUseTheirGain) {
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, 0, false}, kBoth)), -6.0, 1e-9);
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::album, 0, false}, kBoth)), -3.0, 1e-9);
}

TEST(ReplayGain, PreampAddsToTheTaggedGain) {
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, 4.5, false}, kBoth)), -1.5, 1e-9);
}

TEST(ReplayGain, UntaggedFilesAreLeftAloneEvenWithAPreamp) {
  EXPECT_EQ(replay_gain_factor(GainSettings{GainMode::album, 6, true}, core::ReplayGain{}), 1.0);
}

TEST(ReplayGain, EachModeFallsBackToTheOtherGainAndItsPeak) {
  const core::ReplayGain track_only{2.0, 0.5, std::nullopt, std::nullopt};
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::album, 0, false}, track_only)), 2.0, 1e-9);
  const core::ReplayGain album_only{std::nullopt, std::nullopt, 12.0, 0.5};
  // +12 dB would clip a 0.5 peak: capped at 1 / 0.5.
  EXPECT_NEAR(replay_gain_factor(GainSettings{GainMode::track, 0, true}, album_only), 2.0, 1e-12);
}

TEST(ReplayGain, ClippingPreventionCapsAtTheInversePeak) {
  const core::ReplayGain loud_gain{10.0, 0.8, std::nullopt, std::nullopt};
  EXPECT_NEAR(replay_gain_factor(GainSettings{GainMode::track, 0, true}, loud_gain), 1.25, 1e-12);
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, 0, false}, loud_gain)), 10.0, 1e-9);
  // A peak that allows the gain changes nothing; a zero or missing peak is ignored.
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, 0, true}, core::ReplayGain{-6.0, 0.9, {}, {}})), -6.0, 1e-9);
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, 0, true}, core::ReplayGain{3.0, 0.0, {}, {}})), 3.0, 1e-9);
}

TEST(ReplayGain, HostileTagsAreBounded) {
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, 0, false}, core::ReplayGain{7000.0, {}, {}, {}})), kMaxGainDb, 1e-9);
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, -500, false}, core::ReplayGain{0.0, {}, {}, {}})), kMinGainDb, 1e-9);
  // A peak of 1e-6 would allow +120 dB: ignored, the clamp holds.
  EXPECT_NEAR(db(replay_gain_factor(GainSettings{GainMode::track, 0, true}, core::ReplayGain{100.0, 1e-6, {}, {}})), kMaxGainDb, 1e-9);
  EXPECT_EQ(replay_gain_factor(GainSettings{GainMode::track, INFINITY, true}, core::ReplayGain{1.0, {}, {}, {}}), 1.0);
}

TEST(ReplayGain, NonFiniteGainIsIgnored) {
  EXPECT_EQ(replay_gain_factor(GainSettings{GainMode::track, 0, true}, core::ReplayGain{NAN, {}, {}, {}}), 1.0);
}

}  // namespace
}  // namespace frugal::player
