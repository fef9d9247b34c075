#include <frugal/player/replay_gain.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace frugal::player {
namespace {

double db(double factor) { return 20 * std::log10(factor); }

const GainValues kBoth{-6.0, 0.5, -3.0, 0.9};

TEST(ReplayGain, OffIsUnity) { EXPECT_EQ(replay_gain_factor({}, kBoth), 1.0); }

TEST(ReplayGain, TrackAndAlbumModesUseTheirGain) {
  EXPECT_NEAR(db(replay_gain_factor({GainMode::track, 0, false}, kBoth)), -6.0, 1e-9);
  EXPECT_NEAR(db(replay_gain_factor({GainMode::album, 0, false}, kBoth)), -3.0, 1e-9);
}

TEST(ReplayGain, PreampAddsToTheTaggedGain) {
  EXPECT_NEAR(db(replay_gain_factor({GainMode::track, 4.5, false}, kBoth)), -1.5, 1e-9);
}

TEST(ReplayGain, UntaggedFilesAreLeftAloneEvenWithAPreamp) {
  EXPECT_EQ(replay_gain_factor({GainMode::album, 6, true}, GainValues{}), 1.0);
}

TEST(ReplayGain, EachModeFallsBackToTheOtherGainAndItsPeak) {
  const GainValues track_only{2.0, 0.5, std::nullopt, std::nullopt};
  EXPECT_NEAR(db(replay_gain_factor({GainMode::album, 0, false}, track_only)), 2.0, 1e-9);
  const GainValues album_only{std::nullopt, std::nullopt, 12.0, 0.5};
  // +12 dB would clip a 0.5 peak: capped at 1 / 0.5.
  EXPECT_NEAR(replay_gain_factor({GainMode::track, 0, true}, album_only), 2.0, 1e-12);
}

TEST(ReplayGain, ClippingPreventionCapsAtTheInversePeak) {
  const GainValues loud_gain{10.0, 0.8, std::nullopt, std::nullopt};
  EXPECT_NEAR(replay_gain_factor({GainMode::track, 0, true}, loud_gain), 1.25, 1e-12);
  EXPECT_NEAR(db(replay_gain_factor({GainMode::track, 0, false}, loud_gain)), 10.0, 1e-9);
  // A peak that allows the gain changes nothing; a zero or missing peak is ignored.
  EXPECT_NEAR(db(replay_gain_factor({GainMode::track, 0, true}, GainValues{-6.0, 0.9, {}, {}})), -6.0, 1e-9);
  EXPECT_NEAR(db(replay_gain_factor({GainMode::track, 0, true}, GainValues{3.0, 0.0, {}, {}})), 3.0, 1e-9);
}

TEST(ReplayGain, NonFiniteGainIsIgnored) {
  EXPECT_EQ(replay_gain_factor({GainMode::track, 0, true}, GainValues{NAN, {}, {}, {}}), 1.0);
}

}  // namespace
}  // namespace frugal::player
