#pragma once
// What of a decoded audio track is presented, and in what order: gapless
// playback. From the track's edit list (ISO/IEC 14496-12 §8.6.6: empty
// edits are silence, media edits are stretches of the media, in list
// order), else iTunes' iTunSMPB (encoder delay, padding, original length),
// else the codec's priming (RFC 7845 §4.2 Opus pre-skip). Thread-safety:
// plain values and a pure function.

#include <frugal/core/result.hpp>
#include <frugal/core/demuxer.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::player {

/// One stretch of the output: frames [start, start + frames) of the
/// decoded media (frames at the decoder's output rate, 0 = the first the
/// decoder gives), or `frames` of silence.
struct Segment {
  bool silence = false;
  std::uint64_t start = 0;
  std::optional<std::uint64_t> frames;  ///< nullopt: to the end of the media
};

struct Presentation {
  enum class Source : std::uint8_t { none, edit_list, itunes, codec };
  Source source = Source::none;
  std::vector<Segment> segments;         ///< in output order; empty: nothing presented
  std::uint64_t encoder_delay = 0;       ///< media frames before the first presented one
  std::optional<std::uint64_t> padding;  ///< media frames after the last presented one, when known
  /// Output frames in all, when known: media edits are cut to mdhd's end;
  /// an edit that runs to the end of the media counts up to mdhd's end,
  /// an estimate (decoding goes on to the last packet).
  std::optional<std::uint64_t> frames;
  /// `frames` is what decoding gives: every segment has a length.
  bool frames_exact = false;
};

/// The presentation of `track` decoded at `sample_rate`. `movie_timescale`
/// (mvhd) converts edit durations; `itunes` is the file's iTunSMPB when
/// `track` is its first audio track. With `use_gapless_info` false, only the
/// codec's priming is dropped (what `ffmpeg -ignore_editlist 1` decodes).
/// An edit list that presents the media untouched (one edit from media time
/// 0) leaves the choice to iTunSMPB when there is one; one without media
/// edits is ignored. Media edits are cut to mdhd's duration; one that runs
/// to the end of the media plays to the last packet. Frames convert from
/// other timescales rounding to nearest (an edit written in milliseconds is
/// exact only to the millisecond).
/// Errors: Errc::unsupported for an edit whose rate is not 1 (slow or fast
/// motion, dwells).
core::Result<Presentation> presentation(const core::Track& track, std::uint32_t movie_timescale,
                                        std::uint32_t sample_rate, const std::optional<core::GaplessInfo>& itunes,
                                        bool use_gapless_info);

}  // namespace frugal::player
