#include <frugal/player/container.hpp>

#include <frugal/flac/demuxer.hpp>
#include <frugal/mp4/demuxer.hpp>
#ifdef FRUGAL_HAVE_OGG
#include <frugal/ogg/demuxer.hpp>
#endif

#include <array>
#include <cstring>

namespace frugal::player {

using core::Result;

namespace {

Result<bool> starts_with(core::ByteSource& source, const char (&magic)[5]) {
  std::array<std::byte, 4> b{};
  FRUGAL_TRY(std::size_t n, source.read_at(0, b));
  return n == b.size() && std::memcmp(b.data(), magic, 4) == 0;
}

}  // namespace

Result<Container> detect_container(core::ByteSource& source) {
  FRUGAL_TRY(bool ogg, starts_with(source, "OggS"));
  if (ogg) return Container::ogg;
  // "fLaC", also after an ID3v2 tag; anything else (too short for anything
  // included) goes to MP4, whose open says why.
  FRUGAL_TRY(std::optional<std::uint64_t> flac, flac::stream_marker(source));
  return flac ? Container::flac : Container::mp4;
}

Result<std::unique_ptr<core::Demuxer>> open_demuxer(core::ByteSource& source, const core::DemuxerOptions& options) {
  FRUGAL_TRY(Container container, detect_container(source));
  switch (container) {
    case Container::mp4: break;
    case Container::flac: {
      FRUGAL_TRY(flac::Demuxer d, flac::Demuxer::open(source, options));
      return std::unique_ptr<core::Demuxer>(std::make_unique<flac::Demuxer>(std::move(d)));
    }
    case Container::ogg: {
#ifdef FRUGAL_HAVE_OGG
      FRUGAL_TRY(ogg::Demuxer d, ogg::Demuxer::open(source, options));
      return std::unique_ptr<core::Demuxer>(std::make_unique<ogg::Demuxer>(std::move(d)));
#else
      return core::make_error(core::Errc::unsupported, "Ogg files are not read in this build (no libogg)");
#endif
    }
  }
  FRUGAL_TRY(mp4::Demuxer d, mp4::Demuxer::open(source, options));
  return std::unique_ptr<core::Demuxer>(std::make_unique<mp4::Demuxer>(std::move(d)));
}

}  // namespace frugal::player
