#include <frugal/player/replay_gain.hpp>

#include <algorithm>
#include <cmath>

namespace frugal::player {

double replay_gain_factor(const GainSettings& settings, const core::ReplayGain& values) noexcept {
  if (settings.mode == GainMode::off) return 1;
  const bool album = settings.mode == GainMode::album ? values.album_gain_db.has_value()
                                                      : !values.track_gain_db && values.album_gain_db;
  const std::optional<double>& gain = album ? values.album_gain_db : values.track_gain_db;
  const std::optional<double>& peak = album ? values.album_peak : values.track_peak;
  if (!gain || !std::isfinite(*gain) || !std::isfinite(settings.preamp_db)) return 1;
  double factor = std::pow(10.0, std::clamp(*gain + settings.preamp_db, kMinGainDb, kMaxGainDb) / 20.0);
  // A peak below -60 dBFS is not a real track's: it would allow any gain.
  if (settings.prevent_clipping && peak && *peak >= 0.001 && std::isfinite(*peak))
    factor = std::min(factor, 1.0 / *peak);
  return factor;
}

}  // namespace frugal::player
