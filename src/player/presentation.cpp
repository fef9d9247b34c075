#include <frugal/player/presentation.hpp>

#include <frugal/codec/registry.hpp>
#include <frugal/core/arith.hpp>

#include <algorithm>

namespace frugal::player {

using core::Errc;
using core::make_error;
using core::Result;

namespace {

// round(a * b / c), without overflow for b up to 2^63 (sample rates).
std::uint64_t mul_div_round(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const std::uint64_t twice = core::mul_div(a, 2 * b, c);
  return twice == ~std::uint64_t{0} ? twice : twice / 2 + (twice & 1);
}

}  // namespace

Result<Presentation> presentation(const core::Track& track, std::uint32_t movie_timescale, std::uint32_t sample_rate,
                                  const std::optional<core::GaplessInfo>& itunes, bool use_gapless_info) {
  Presentation p;
  const core::CodecParameters* audio = track.audio();
  if (!audio || track.timescale == 0 || sample_rate == 0) {
    p.segments = {Segment{}};
    return p;
  }
  const auto media_frames = [&](std::uint64_t ticks) { return mul_div_round(ticks, sample_rate, track.timescale); };
  const auto movie_frames = [&](std::uint64_t ticks) -> std::optional<std::uint64_t> {
    if (movie_timescale == 0) return std::nullopt;
    return mul_div_round(ticks, sample_rate, movie_timescale);
  };
  const std::optional<std::uint64_t> media_total =
      track.duration != 0 ? std::optional(media_frames(track.duration)) : std::nullopt;

  // An edit list without media edits presents nothing of the track: it is
  // taken for a broken one; one that presents the media untouched says
  // nothing about priming.
  const auto& edits = track.edit_list;
  const bool has_media = std::any_of(edits.begin(), edits.end(), [](const auto& e) { return e.media_time >= 0; });
  const bool untouched = edits.size() == 1 && edits[0].media_time == 0;
  if (use_gapless_info && has_media && !(untouched && itunes)) {
    p.source = Presentation::Source::edit_list;
    for (const core::EditListEntry& e : edits) {
      if (e.media_rate != 1 << 16)
        return make_error(Errc::unsupported, "edit list with a rate other than 1 (slow or fast motion, dwell)");
      Segment s;
      s.silence = e.media_time < 0;
      if (!s.silence) s.start = media_frames(static_cast<std::uint64_t>(e.media_time));
      // A zero duration (fragmented files) means "to the end of the media".
      if (e.segment_duration != 0) s.frames = movie_frames(e.segment_duration);
      if (s.silence && !s.frames) continue;  // an empty edit of no known length presents nothing
      p.segments.push_back(s);
    }
  } else if (use_gapless_info && itunes) {
    p.source = Presentation::Source::itunes;
    Segment s{false, itunes->encoder_delay, std::nullopt};
    if (itunes->original_length != 0) {
      s.frames = itunes->original_length;
    } else if (media_total && *media_total >= std::uint64_t{itunes->encoder_delay} + itunes->padding) {
      s.frames = *media_total - itunes->encoder_delay - itunes->padding;
    }
    p.segments.push_back(s);
  } else {
    p.source = Presentation::Source::codec;
    p.segments.push_back(Segment{false, codec::priming_frames(*audio), std::nullopt});
  }

  // The delay is where the first media edit starts, the padding what the
  // media holds after the last; totals count media edits only as far as the
  // media goes (mdhd), and edits that run to its end up to it.
  const Segment* first = nullptr;
  const Segment* last = nullptr;
  std::optional<std::uint64_t> total = 0;
  p.frames_exact = true;
  for (Segment& s : p.segments) {
    std::optional<std::uint64_t> n = s.frames;
    if (!s.silence) {
      if (!first) first = &s;
      last = &s;
      const std::optional<std::uint64_t> left =
          media_total ? std::optional(*media_total > s.start ? *media_total - s.start : 0) : std::nullopt;
      // An edit cannot present more than the media holds (an edit rounded
      // to milliseconds may say more; the last packet may decode to more).
      if (s.frames && left) s.frames = std::min(*s.frames, *left);
      if (!s.frames) p.frames_exact = false;
      n = s.frames ? s.frames : left;
    }
    if (!n || !total || !core::checked_add(*total, *n, *total)) total = std::nullopt;
  }
  p.frames = total;
  if (!p.frames) p.frames_exact = false;
  if (first) p.encoder_delay = first->start;
  if (last && media_total) {
    std::uint64_t end = *media_total;
    if (last->frames && !core::checked_add(last->start, *last->frames, end)) end = ~std::uint64_t{0};
    p.padding = *media_total - std::min(*media_total, end);
  }
  return p;
}

}  // namespace frugal::player
