#include <frugal/core/demuxer.hpp>

namespace frugal::core {

const char* track_type_name(TrackType type) noexcept {
  switch (type) {
    case TrackType::audio: return "audio";
    case TrackType::video: return "video";
    case TrackType::text: return "text";
    case TrackType::metadata: return "metadata";
    case TrackType::other: return "other";
  }
  return "other";
}

const Track* Demuxer::track(std::uint32_t id) const noexcept {
  for (const Track& t : tracks())
    if (t.id == id) return &t;
  return nullptr;
}

}  // namespace frugal::core
