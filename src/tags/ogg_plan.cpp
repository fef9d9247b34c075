// Ogg: the comment header, the stream's second packet (Vorbis I §4.2.3;
// RFC 7845 §5.2 OpusTags; the Ogg FLAC mapping's VORBIS_COMMENT block). Its
// size comes from the page lacing values (RFC 3533 §6: a packet ends at the
// first lacing value under 255). TagLib's view: the stream from its start
// to the end of the page where the comment packet ends; every byte of it
// counts against max_tag_bytes, pictures in METADATA_BLOCK_PICTURE
// comments included.
#include "tags/plan.hpp"

#include <array>
#include <cstring>

namespace frugal::tags::detail {

using core::Errc;
using core::make_error;

namespace {

constexpr std::size_t kPageHeader = 27;

core::Result<TagFormat> codec_of(core::ByteSource& source, std::uint64_t first_packet) {
  std::array<std::byte, 8> id{};
  FRUGAL_CHECK(core::read_exact(source, first_packet, id));
  const auto is = [&](const char* magic, std::size_t n) { return std::memcmp(id.data(), magic, n) == 0; };
  if (is("OpusHead", 8)) return TagFormat::ogg_opus;
  if (is("\x01vorbis", 7)) return TagFormat::ogg_vorbis;
  if (is("\x7F" "FLAC", 5)) return TagFormat::ogg_flac;
  return make_error(Errc::unsupported, "Ogg: not Vorbis, Opus or FLAC", first_packet);
}

}  // namespace

core::Result<Plan> plan_ogg(core::ByteSource& source, std::uint64_t size, const TagOptions& options) {
  Plan plan;
  std::uint64_t pos = 0, tag_bytes = 0;
  std::uint32_t serial = 0;
  int packet = 0;  // packets of the first stream completed so far
  while (packet < 2) {
    std::array<std::byte, kPageHeader + 255> h{};
    if (pos + kPageHeader > size) return make_error(Errc::malformed, "Ogg: stream ends before its comment header", pos);
    FRUGAL_CHECK(core::read_exact(source, pos, std::span(h).first(kPageHeader)));
    if (std::memcmp(h.data(), "OggS", 4) != 0) return make_error(Errc::malformed, "Ogg: page without capture pattern", pos);
    const std::size_t segments = std::to_integer<std::size_t>(h[26]);
    FRUGAL_CHECK(core::read_exact(source, pos + kPageHeader, std::span(h).subspan(kPageHeader, segments)));
    const std::uint32_t page_serial = std::to_integer<std::uint32_t>(h[14]) | std::to_integer<std::uint32_t>(h[15]) << 8 |
                                      std::to_integer<std::uint32_t>(h[16]) << 16 |
                                      std::to_integer<std::uint32_t>(h[17]) << 24;
    const std::uint64_t body = pos + kPageHeader + segments;
    if (pos == 0) {
      serial = page_serial;
      FRUGAL_TRY(plan.format, codec_of(source, body));
    }
    std::uint64_t body_size = 0;
    for (std::size_t i = 0; i < segments; ++i) {
      const auto lacing = std::to_integer<std::uint32_t>(h[kPageHeader + i]);
      body_size += lacing;
      if (page_serial == serial && lacing < 255 && packet < 2) ++packet;
    }
    if (body + body_size > size) return make_error(Errc::malformed, "Ogg: page past the end", pos);
    FRUGAL_CHECK(add_tag_bytes(tag_bytes, body + body_size - pos, options, pos));
    pos = body + body_size;
  }
  plan.view.add_source(0, pos);
  return plan;
}

}  // namespace frugal::tags::detail
