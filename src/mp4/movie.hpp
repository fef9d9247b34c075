#pragma once
// Parsing of the movie box ('moov', ISO/IEC 14496-12 §8.2) into tracks and
// the locations of their sample tables.

#include "mp4/fragment.hpp"
#include "mp4/sample_table.hpp"

#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mp4/box.hpp>
#include <frugal/mp4/demuxer.hpp>
#include "mp4/vocabulary.hpp"

#include <vector>

namespace frugal::mp4::detail {

struct ParsedTrack {
  Track track;
  TableBoxes tables;
  std::uint32_t chapter_track = 0;  // tref/'chap': the first track_ID it names (0: none)
};

struct Movie {
  std::uint32_t timescale = 0;
  std::uint64_t duration = 0;
  bool fragmented = false;  // mvex present
  std::uint64_t fragment_duration = 0;  // mehd, movie timescale ticks (0: not given)
  std::vector<TrackExtends> extends;    // trex, one per track
  std::optional<GaplessInfo> itunes_gapless;  // iTunSMPB in moov/udta/meta/ilst
  std::optional<core::Result<std::vector<std::byte>>> chpl;  // moov/udta/chpl body, or why it is unreadable
  std::vector<ParsedTrack> tracks;
};

/// Parses the text of an iTunSMPB tag (" 00000000 00000840 000001E4
/// 0000000000A8C7DC ..."): hexadecimal words; the second is the encoder
/// delay, the third the padding, the fourth the original length. nullopt
/// for text that is not that.
std::optional<GaplessInfo> parse_itunsmpb(std::span<const std::byte> text);

/// Parses `moov` (a child of `top`). A trak whose boxes are broken becomes a
/// track with `error` set; only a broken moov structure fails the call.
/// Errors: Errc::malformed, Errc::limit_exceeded (Limits::max_tracks), Errc::io.
core::Result<Movie> parse_moov(core::ByteSource& source, const BoxReader& top, const BoxHeader& moov,
                               const core::Limits& limits);

}  // namespace frugal::mp4::detail
