#pragma once
// ReplayGain: the loudness normalisation players apply from a file's tags
// (ReplayGain 2.0 specification, "Player requirements": track or album
// gain, a pre-amp, and clipping prevention from the stored peak).
// Thread-safety: plain values and a pure function.

#include <frugal/core/media.hpp>

#include <cstdint>

namespace frugal::player {

enum class GainMode : std::uint8_t { off, track, album };

struct GainSettings {
  GainMode mode = GainMode::off;
  /// Added to the tagged gain (dB); not applied to files without gain tags.
  double preamp_db = 0;
  /// Lowers the gain so that peak × gain ≤ 1 when the peak is tagged.
  bool prevent_clipping = true;
};

/// Bounds of gain + pre-amp applied, in dB: tags beyond them are clamped.
inline constexpr double kMinGainDb = -60;
inline constexpr double kMaxGainDb = 24;

/// The linear factor samples are multiplied by: 10^((gain + preamp) / 20)
/// with the mode's gain (album mode falls back to the track gain and track
/// mode to the album gain when theirs is missing, with the same choice of
/// peak), gain + preamp clamped to [kMinGainDb, kMaxGainDb], capped at
/// 1 / peak when clipping prevention is on and the peak is at least 0.001;
/// 1 when the mode is off or no finite gain is tagged.
double replay_gain_factor(const GainSettings& settings, const core::ReplayGain& values) noexcept;

}  // namespace frugal::player
