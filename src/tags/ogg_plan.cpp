// Ogg: the comment header, the stream's second packet (Vorbis I §4.2.3;
// RFC 7845 §5.2 OpusTags; the Ogg FLAC mapping's VORBIS_COMMENT block). Its
// size comes from the page lacing values (RFC 3533 §6: a packet ends at the
// first lacing value under 255). TagLib's view: the stream from its start
// to the end of the page where the comment packet ends; every byte of it
// counts against max_tag_bytes, pictures in METADATA_BLOCK_PICTURE
// comments included.
#include "tags/plan.hpp"

#include <frugal/core/byte_reader.hpp>

#include <array>
#include <cstring>

namespace frugal::tags::detail {

using core::Errc;
using core::make_error;

namespace {

constexpr std::size_t kPageHeader = 27;

// Where the comment packet's bytes lie: one run per page it crosses. The
// first few runs are enough to find its field count.
constexpr std::size_t kMaxRuns = 16;

struct Run {
  std::uint64_t offset, length;
};

struct Codec {
  TagFormat format;
  std::uint64_t comment_header;  // bytes before the comment body in the packet
};

core::Result<Codec> codec_of(core::ByteSource& source, std::uint64_t first_packet) {
  std::array<std::byte, 8> id{};
  FRUGAL_CHECK(core::read_exact(source, first_packet, id));
  const auto is = [&](const char* magic, std::size_t n) { return std::memcmp(id.data(), magic, n) == 0; };
  if (is("OpusHead", 8)) return Codec{TagFormat::ogg_opus, 8};     // "OpusTags"
  if (is("\x01vorbis", 7)) return Codec{TagFormat::ogg_vorbis, 7};  // "\x03vorbis"
  if (is("\x7F" "FLAC", 5)) return Codec{TagFormat::ogg_flac, 4};   // metadata block header
  return make_error(Errc::unsupported, "Ogg: not Vorbis, Opus or FLAC", first_packet);
}

// Reads bytes [at, at + 4) of the packet laid out in `runs`; false when the
// runs recorded do not hold them.
core::Result<bool> read_packet_u32(core::ByteSource& source, const std::vector<Run>& runs, std::uint64_t at,
                                   std::uint32_t& out) {
  std::array<std::byte, 4> b{};
  std::size_t got = 0;
  for (const Run& r : runs) {
    while (got < b.size() && at < r.length) {
      FRUGAL_CHECK(core::read_exact(source, r.offset + at, std::span(b).subspan(got, 1)));
      ++got;
      ++at;
    }
    at -= std::min(at, r.length);
  }
  if (got < b.size()) return false;
  out = core::load_le32(b.data());
  return true;
}

// The comment's field count (vendor length, vendor, count), at most one per
// 4 bytes of the packet.
core::Result<std::uint64_t> comment_fields(core::ByteSource& source, const std::vector<Run>& runs,
                                           std::uint64_t packet_bytes, std::uint64_t header) {
  const std::uint64_t bound = packet_bytes / 4;
  std::uint32_t vendor = 0, count = 0;
  FRUGAL_TRY(bool ok, read_packet_u32(source, runs, header, vendor));
  if (!ok) return bound;
  FRUGAL_TRY(ok, read_packet_u32(source, runs, header + 4 + std::uint64_t{vendor}, count));
  return ok ? std::min<std::uint64_t>(count, bound) : bound;
}

}  // namespace

core::Result<Plan> plan_ogg(core::ByteSource& source, std::uint64_t size, const TagOptions& options) {
  Plan plan;
  Codec codec{};
  std::uint64_t pos = 0, comment_bytes = 0;
  std::uint32_t serial = 0;
  std::vector<Run> runs;
  int packet = 0;  // packets of the first stream completed so far
  while (packet < 2) {
    std::array<std::byte, kPageHeader + 255> h{};
    if (pos + kPageHeader > size) return make_error(Errc::malformed, "Ogg: stream ends before its comment header", pos);
    FRUGAL_CHECK(core::read_exact(source, pos, std::span(h).first(kPageHeader)));
    if (std::memcmp(h.data(), "OggS", 4) != 0) return make_error(Errc::malformed, "Ogg: page without capture pattern", pos);
    const std::size_t segments = std::to_integer<std::size_t>(h[26]);
    FRUGAL_CHECK(core::read_exact(source, pos + kPageHeader, std::span(h).subspan(kPageHeader, segments)));
    const std::uint32_t page_serial = core::load_le32(&h[14]);
    const std::uint64_t body = pos + kPageHeader + segments;
    if (pos == 0) {
      serial = page_serial;
      FRUGAL_TRY(codec, codec_of(source, body));
      plan.format = codec.format;
    }
    std::uint64_t at = body;
    for (std::size_t i = 0; i < segments; ++i) {
      const auto lacing = std::to_integer<std::uint32_t>(h[kPageHeader + i]);
      const bool ours = page_serial == serial && packet < 2;
      if (ours && packet == 1) {
        comment_bytes += lacing;
        if (!runs.empty() && runs.back().offset + runs.back().length == at) runs.back().length += lacing;
        else if (runs.size() < kMaxRuns) runs.push_back({at, lacing});
      }
      at += lacing;
      if (ours && lacing < 255) ++packet;
    }
    if (at > size) return make_error(Errc::malformed, "Ogg: page past the end", pos);
    FRUGAL_CHECK(add_tag_bytes(plan, at - pos, options, pos));
    pos = at;
  }
  FRUGAL_TRY(plan.items, comment_fields(source, runs, comment_bytes, codec.comment_header));
  plan.view.add_source(0, pos);
  return plan;
}

}  // namespace frugal::tags::detail
