#pragma once
// ReplayGain: the loudness normalisation players apply from a file's tags
// (ReplayGain 2.0 specification, "Player requirements": track or album
// gain, a pre-amp, and clipping prevention from the stored peak).
// Thread-safety: plain values and a pure function.

#include <cstdint>
#include <optional>

namespace frugal::player {

/// Gains and peaks as tagged (REPLAYGAIN_* Vorbis comments, MP4
/// ----:com.apple.iTunes:replaygain_*; R128 gains converted to the
/// ReplayGain reference).
struct GainValues {
  std::optional<double> track_gain_db;  ///< dB to apply for this track alone
  std::optional<double> track_peak;     ///< largest sample magnitude, 1.0 = full scale
  std::optional<double> album_gain_db;  ///< dB to apply so the album plays at one level
  std::optional<double> album_peak;
};

enum class GainMode : std::uint8_t { off, track, album };

struct ReplayGain {
  GainMode mode = GainMode::off;
  /// Added to the tagged gain (dB); not applied to files without gain tags.
  double preamp_db = 0;
  /// Lowers the gain so that peak × gain ≤ 1 when the peak is tagged.
  bool prevent_clipping = true;
};

/// The linear factor samples are multiplied by: 10^((gain + preamp) / 20)
/// with the mode's gain (album mode falls back to the track gain and track
/// mode to the album gain when theirs is missing, with the same choice of
/// peak), capped at 1 / peak when clipping prevention is on; 1 when the mode
/// is off or no gain is tagged.
double replay_gain_factor(const ReplayGain& settings, const GainValues& values) noexcept;

}  // namespace frugal::player
