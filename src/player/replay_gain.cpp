#include <frugal/player/replay_gain.hpp>

#include <algorithm>
#include <cmath>

namespace frugal::player {

double replay_gain_factor(const ReplayGain& settings, const GainValues& values) noexcept {
  if (settings.mode == GainMode::off) return 1;
  const bool album = settings.mode == GainMode::album ? values.album_gain_db.has_value()
                                                      : !values.track_gain_db && values.album_gain_db;
  const std::optional<double>& gain = album ? values.album_gain_db : values.track_gain_db;
  const std::optional<double>& peak = album ? values.album_peak : values.track_peak;
  if (!gain || !std::isfinite(*gain)) return 1;
  double factor = std::pow(10.0, (*gain + settings.preamp_db) / 20.0);
  if (settings.prevent_clipping && peak && *peak > 0 && std::isfinite(*peak)) factor = std::min(factor, 1.0 / *peak);
  return factor;
}

}  // namespace frugal::player
