#include <frugal/player/container.hpp>

#include <frugal/mp4/demuxer.hpp>
#ifdef FRUGAL_HAVE_OGG
#include <frugal/ogg/demuxer.hpp>
#endif

#include <array>
#include <cstring>

namespace frugal::player {

using core::Result;

namespace {

// ID3v2 header (id3v2.4.0-structure §3.1): "ID3", version, flags, a
// 28-bit syncsafe size; a footer adds 10 bytes.
std::uint64_t id3v2_size(const std::array<std::byte, 10>& h) {
  if (std::memcmp(h.data(), "ID3", 3) != 0) return 0;
  std::uint32_t size = 0;
  for (int i = 6; i < 10; ++i) size = size << 7 | (std::to_integer<std::uint32_t>(h[i]) & 0x7f);
  const bool footer = (std::to_integer<unsigned>(h[5]) & 0x10) != 0;
  return 10 + std::uint64_t{size} + (footer ? 10 : 0);
}

Result<bool> starts_with(core::ByteSource& source, std::uint64_t at, const char (&magic)[5]) {
  std::array<std::byte, 4> b{};
  FRUGAL_TRY(std::size_t n, source.read_at(at, b));
  return n == b.size() && std::memcmp(b.data(), magic, 4) == 0;
}

}  // namespace

Result<Container> detect_container(core::ByteSource& source) {
  std::array<std::byte, 10> head{};
  FRUGAL_TRY(std::size_t n, source.read_at(0, head));
  if (n < 4) return Container::mp4;  // too short for anything: MP4's open says why
  if (std::memcmp(head.data(), "OggS", 4) == 0) return Container::ogg;
  if (std::memcmp(head.data(), "fLaC", 4) == 0) return Container::flac;
  if (n == head.size()) {
    const std::uint64_t skip = id3v2_size(head);
    if (skip != 0) {
      FRUGAL_TRY(bool flac, starts_with(source, skip, "fLaC"));
      if (flac) return Container::flac;
    }
  }
  return Container::mp4;
}

Result<std::unique_ptr<core::Demuxer>> open_demuxer(core::ByteSource& source, const core::DemuxerOptions& options) {
  FRUGAL_TRY(Container container, detect_container(source));
  switch (container) {
    case Container::mp4: break;
    case Container::flac: return core::make_error(core::Errc::unsupported, "FLAC files are not read yet");
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
