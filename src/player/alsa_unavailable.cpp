// Builds without ALSA (FRUGAL_WITH_ALSA off, or not found).
#include <frugal/player/alsa_sink.hpp>

namespace frugal::player {

bool alsa_supported() noexcept { return false; }

core::Result<std::unique_ptr<Sink>> make_alsa_sink(const std::string&) {
  return core::make_error(core::Errc::unsupported, "built without ALSA");
}

}  // namespace frugal::player
