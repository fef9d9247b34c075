#include <frugal/player/audio_stream.hpp>

#include <frugal/codec/sample_convert.hpp>
#include <frugal/core/arith.hpp>
#include <frugal/player/container.hpp>

#include <algorithm>
#include <atomic>
#include <vector>

namespace frugal::player {

using core::Errc;
using core::make_error;
using core::Result;

// Corrupt packets skipped in a row before read() gives up.
constexpr unsigned kMaxCorruptInARow = 16;
// Frames of silence (empty edits) returned by one read().
constexpr std::uint64_t kSilenceFrames = 4096;

struct AudioStream::Impl {
  std::unique_ptr<core::Demuxer> demuxer;
  const core::Track* track = nullptr;
  std::unique_ptr<codec::Decoder> decoder;
  std::uint32_t description = 1;  // the sample entry (1-based) `decoder` was made from
  const codec::DecoderRegistry* registry = nullptr;
  codec::DecoderOptions decoder_options;
  std::optional<core::SampleFormat> requested;  // StreamOptions::format
  core::AudioFormat format;       // output: the last block's
  core::AudioFormat block_format; // the last block's as the decoder gave it
  std::uint32_t timeline_rate = 0;  // the starting rate, which frame counts and seeks use
  bool proportional = false;        // AAC: a block at another rate counts in proportion (read_media)
  Presentation presentation;
  double gain = 1;                // StreamOptions::gain
  std::size_t segment = 0;        // the presentation segment being played
  std::uint64_t segment_done = 0; // its frames returned so far
  std::uint64_t decoded = 0;      // media frame the decoder's next output starts at
  std::uint64_t origin = 0;       // the track's first decode time, in frames (fragments may start late)
  std::uint64_t position = 0;     // frames returned so far
  std::uint64_t skipped = 0;      // corrupt packets skipped
  unsigned corrupt_in_a_row = 0;
  std::vector<std::byte> packet;  // grows to the largest packet
  std::vector<std::byte> out;     // grows to the largest block
  mem::Charge buffers_charge;     // packet + out capacity
  std::atomic<bool> release_buffers{false};  // set by the pressure callback, acted on in read()
  mem::Subscription pressure;

  explicit Impl(std::unique_ptr<core::Demuxer> d) : demuxer(std::move(d)) {}

  // Grows `buffer` to `bytes`, charging the growth first.
  core::Result<void> grow(std::vector<std::byte>& buffer, std::size_t bytes) {
    if (buffer.size() >= bytes) return core::ok();
    if (!buffers_charge.try_resize(buffers_charge.bytes() + (bytes - buffer.size())))
      return make_error(Errc::out_of_memory, "stream buffers over the memory budget");
    buffer.reserve(bytes);  // exactly: resize() alone may double the capacity past the charge
    buffer.resize(bytes);
    return core::ok();
  }

  // Packets of another sample entry (an MP4 track with several, the links
  // of a chained Ogg stream) need a decoder made from that entry.
  core::Result<void> use_description(std::uint32_t index) {
    if (index == description) return core::ok();
    const auto& entries = track->sample_entries;
    if (index == 0 || index > entries.size())
      return make_error(Errc::malformed, "packet names a sample description the track lacks");
    const core::SampleEntry& entry = entries[index - 1];
    if (entry.error) return *entry.error;
    const core::CodecParameters& a = entries[description - 1].codec;
    const core::CodecParameters& b = entry.codec;
    // The same stream described twice: the decoder carries on.
    if (!entry.new_stream && a.codec == b.codec && a.sample_rate == b.sample_rate && a.channels == b.channels &&
        a.bits_per_sample == b.bits_per_sample && a.pcm == b.pcm && a.config == b.config) {
      description = index;
      return core::ok();
    }
    FRUGAL_TRY(decoder, registry->create(entry.codec, decoder_options));
    description = index;
    return core::ok();
  }

  // The output format for blocks decoded in `in`: the requested
  // sample format, else the codec's default for it.
  core::AudioFormat output_for(const core::AudioFormat& in) const {
    core::AudioFormat f = in;
    f.format = requested.value_or(codec::default_output_format(track->sample_entries[description - 1].codec, in));
    if (core::bytes_per_sample(f.format) * 8 < f.valid_bits || core::is_float(f.format))
      f.valid_bits = static_cast<std::uint8_t>(core::bytes_per_sample(f.format) * 8);
    return f;
  }

  // Follows a block of another format than the last: the output changes
  // only when it cannot hold the block (another rate or channel count, more
  // bits than its sample format takes), so a sink is reopened only then.
  // Valid bits stay the starting ones while the sample format stays.
  void follow(const core::AudioFormat& in) {
    if (in.sample_rate == format.sample_rate && in.channels == format.channels && holds(in)) return;
    format = output_for(in);
  }

  bool holds(const core::AudioFormat& in) const {
    if (requested) return true;  // the caller's sample format, whatever comes
    if (core::is_float(format.format)) return core::is_float(in.format) || in.valid_bits <= 24;  // f32 is exact to 24 bits
    if (core::is_float(in.format)) return false;
    return in.valid_bits <= format.valid_bits || output_for(in).format == format.format;
  }

  // Restarts decoding early enough for media frame `target` to come out
  // right: by the file's roll groups when it has them, else the codec's
  // pre-roll (where packets are not numbered: always by the codec). The
  // frames before `target` are then dropped by read().
  core::Result<void> seek_media(std::uint64_t target) {
    const core::Track& t = *track;
    const std::uint32_t rate = timeline_rate;
    if (t.timescale == 0 || rate == 0) return make_error(Errc::unsupported, "cannot seek: no timescale or rate");
    const auto to_ticks = [&](std::uint64_t frames) { return core::mul_div(frames, t.timescale, rate); };
    std::uint64_t sample = 0;
    std::optional<std::uint32_t> roll;
    if (demuxer->indexed()) {
      FRUGAL_TRY(sample, demuxer->sample_at_time(t.id, to_ticks(target)));
      FRUGAL_TRY(roll, demuxer->preroll_samples(t.id, sample));
    }
    core::SeekPoint point;
    if (roll) {
      FRUGAL_TRY(point, demuxer->seek_to_sample(t.id, sample > *roll ? sample - *roll : 0));
    } else {
      const std::uint64_t preroll = codec::preroll_frames(t.sample_entries.front().codec);
      FRUGAL_TRY(point, demuxer->seek(t.id, to_ticks(target > preroll ? target - preroll : 0)));
    }
    decoder->reset();
    const std::uint64_t at =
        core::mul_div(static_cast<std::uint64_t>(std::max<std::int64_t>(point.dts, 0)), rate, t.timescale);
    decoded = at > origin ? at - origin : 0;
    corrupt_in_a_row = 0;
    return core::ok();
  }

  // The next block of the media segment `s` from frame `want` on: empty when
  // the media ends first; `covered` says how many timeline frames it
  // spans. Frames the media lacks (it starts after `want`) are passed over:
  // `want` moves to where the media is.
  core::Result<std::span<const std::byte>> read_media(const Segment& s, std::uint64_t& want,
                                                      std::uint64_t& covered);

  // Critical pressure: give the buffers back; the next packet regrows them.
  void release_buffers_now() {
    packet = {};
    out = {};
    buffers_charge.resize(0);
  }
};

AudioStream::AudioStream(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
AudioStream::AudioStream(AudioStream&&) noexcept = default;
AudioStream& AudioStream::operator=(AudioStream&&) noexcept = default;
AudioStream::~AudioStream() = default;

Result<AudioStream> AudioStream::open(core::ByteSource& source, const codec::DecoderRegistry& registry,
                                      const StreamOptions& options) {
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  core::DemuxerOptions demuxer_options = options.demuxer;
  demuxer_options.tracker = &tracker;
  codec::DecoderOptions decoder_options = options.decoder;
  decoder_options.tracker = &tracker;
  FRUGAL_TRY(mem::Account buffers_account, tracker.account("player/stream_buffers"));
  FRUGAL_TRY(std::unique_ptr<core::Demuxer> demuxer, open_demuxer(source, demuxer_options));
  auto impl = std::make_unique<Impl>(std::move(demuxer));
  impl->buffers_charge = mem::Charge(buffers_account, 0);
  core::Demuxer& d = *impl->demuxer;

  const core::Track* chosen = nullptr;
  for (const core::Track& t : d.tracks()) {
    if (options.track ? t.id != *options.track : (t.type != core::TrackType::audio || t.error)) continue;
    chosen = &t;
    break;
  }
  if (!chosen) {
    if (options.track) return make_error(Errc::invalid_argument, "no track with that track ID");
    for (const core::Track& t : d.tracks())
      if (t.type == core::TrackType::audio && t.error) return *t.error;
    return make_error(Errc::unsupported, "no audio track");
  }
  if (chosen->type != core::TrackType::audio) return make_error(Errc::invalid_argument, "track is not audio");
  if (chosen->error) return *chosen->error;
  if (chosen->sample_entries.empty()) return make_error(Errc::malformed, "audio track without sample description");
  const core::SampleEntry& entry = chosen->sample_entries.front();
  if (entry.error) return *entry.error;
  if (entry.codec.codec == core::Codec::unknown) return make_error(Errc::unsupported, "unknown audio codec");

  for (const core::Track& t : d.tracks())
    if (!t.error) FRUGAL_CHECK(d.set_track_enabled(t.id, &t == chosen));
  FRUGAL_TRY(impl->decoder, registry.create(entry.codec, decoder_options));
  impl->registry = &registry;
  impl->gain = options.gain;
  impl->decoder_options = decoder_options;
  impl->track = chosen;
  impl->requested = options.format;
  impl->block_format = impl->decoder->format();
  impl->format = impl->output_for(impl->block_format);
  impl->timeline_rate = impl->format.sample_rate;
  impl->proportional = entry.codec.codec == core::Codec::aac;
  // iTunSMPB speaks for the file's first audio track.
  const core::Track* first_audio = nullptr;
  for (const core::Track& t : d.tracks())
    if (!first_audio && t.type == core::TrackType::audio) first_audio = &t;
  const std::optional<core::GaplessInfo> none;
  FRUGAL_TRY(impl->presentation, player::presentation(*chosen, d.movie_timescale(), impl->format.sample_rate,
                                              first_audio == chosen ? d.gapless() : none,
                                              options.use_edit_list));
  // Fragments and streams may start late (live streams, a segment list
  // joined in the middle): media frames count from the first decode time.
  if (!d.indexed()) {
    FRUGAL_TRY(core::SeekPoint first, d.seek(chosen->id, 0));
    impl->origin = core::mul_div(static_cast<std::uint64_t>(std::max<std::int64_t>(first.dts, 0)),
                                 impl->format.sample_rate, chosen->timescale);
  }
  Impl* m = impl.get();
  impl->pressure = tracker.subscribe([m](mem::PressureLevel level) {
    if (level == mem::PressureLevel::critical) m->release_buffers.store(true);
  });
  return AudioStream(std::move(impl));
}

const core::AudioFormat& AudioStream::format() const noexcept { return impl_->format; }
const core::Track& AudioStream::track() const noexcept { return *impl_->track; }
const core::Demuxer& AudioStream::demuxer() const noexcept { return *impl_->demuxer; }
std::uint64_t AudioStream::position_frames() const noexcept { return impl_->position; }
std::uint64_t AudioStream::skipped_packets() const noexcept { return impl_->skipped; }

std::optional<std::uint64_t> AudioStream::total_frames() const noexcept { return impl_->presentation.frames; }
const Presentation& AudioStream::presentation() const noexcept { return impl_->presentation; }

Result<void> AudioStream::seek(std::uint64_t frame) {
  Impl& m = *impl_;
  const auto& segments = m.presentation.segments;
  if (m.presentation.frames_exact && frame >= *m.presentation.frames) {  // past the end: at the end
    m.segment = segments.size();
    m.segment_done = 0;
    m.position = *m.presentation.frames;
    return core::ok();
  }
  // The segment holding output frame `frame`.
  std::uint64_t before = 0;
  std::size_t k = 0;
  for (; k < segments.size(); ++k) {
    const std::optional<std::uint64_t> n = segments[k].frames;
    if (!n || frame - before < *n) break;
    before += *n;
  }
  if (k < segments.size() && !segments[k].silence) {
    std::uint64_t target = ~std::uint64_t{0};
    if (!core::checked_add(segments[k].start, frame - before, target)) target = ~std::uint64_t{0};
    FRUGAL_CHECK(m.seek_media(target));
  }
  m.segment = k;
  m.segment_done = k < segments.size() ? frame - before : 0;
  m.position = k < segments.size() ? frame : before;
  return core::ok();
}

Result<std::span<const std::byte>> AudioStream::Impl::read_media(const Segment& s, std::uint64_t& want,
                                                                 std::uint64_t& covered) {
  std::uint64_t end = ~std::uint64_t{0};  // no length, or one past the end of time: to the end
  if (s.frames && !core::checked_add(s.start, *s.frames, end)) end = ~std::uint64_t{0};
  // An edit going back in the media, or far ahead of it: seek rather than
  // decode what would be thrown away.
  if (decoded > want || want - decoded > timeline_rate) {
    FRUGAL_CHECK(seek_media(want));
    if (decoded > want) want = decoded;
  }
  while (decoded < end) {
    core::Packet p;
    if (auto r = demuxer->next_packet(p); !r) {
      if (r.error().code == Errc::end_of_stream) break;
      return r.error();
    }
    FRUGAL_CHECK(use_description(p.sample_description_index));
    FRUGAL_CHECK(grow(packet, p.size));
    FRUGAL_CHECK(demuxer->read_packet(p, packet));
    auto block = decoder->decode(std::span(packet).first(p.size));
    if (!block) {
      // A corrupt packet is skipped, as players do (its audio is lost; the
      // decoder stays usable). Many in a row means the stream is not what
      // its sample entry says: give up.
      if (block.error().code != Errc::malformed || ++corrupt_in_a_row > kMaxCorruptInARow) return block.error();
      ++skipped;
      continue;
    }
    corrupt_in_a_row = 0;
    if (block->format != block_format) {  // a change: most streams have none, so no work per block
      block_format = block->format;
      follow(block_format);
    }
    // Keep the part of [decoded, decoded + frames) inside [want, end), on the
    // timeline. AAC whose SBR only the bitstream signals comes at twice the
    // configuration's rate, the timeline's: its frames count in proportion.
    // Other changes of rate count frame for frame, as FLAC numbers samples
    // (RFC 9639 §9.1.5) and STREAMINFO totals them.
    const std::uint32_t rate = proportional ? block->format.sample_rate : timeline_rate;
    const auto on_timeline = [&](std::uint64_t n) { return core::mul_div(n, timeline_rate, rate); };
    const auto in_block = [&](std::uint64_t n) { return core::mul_div(n, rate, timeline_rate); };
    const std::uint64_t first = decoded;
    decoded += on_timeline(block->frames);
    const std::uint64_t keep_from = std::max(first, want);
    const std::uint64_t keep_to = std::min(decoded, end);
    if (keep_to <= keep_from) continue;
    covered = keep_to - keep_from;
    const auto skip = static_cast<std::size_t>(in_block(keep_from - first));
    const auto frames = static_cast<std::size_t>(in_block(keep_to - first) - skip);
    if (frames == 0) {  // less than one of the block's frames (rates of no whole ratio): passed over
      want = keep_to;
      continue;
    }
    const std::size_t in_frame = block->format.bytes_per_frame();
    const std::size_t out_bytes = frames * format.bytes_per_frame();
    FRUGAL_CHECK(grow(out, out_bytes));
    codec::convert_samples(block->format.format, block->data.subspan(skip * in_frame), format.format, out,
                           frames * format.channels);
    if (gain != 1) codec::apply_gain(format.format, out, frames * format.channels, gain);
    return std::span<const std::byte>(out).first(out_bytes);
  }
  return std::span<const std::byte>{};
}

Result<std::span<const std::byte>> AudioStream::read() {
  Impl& m = *impl_;
  if (m.release_buffers.exchange(false)) m.release_buffers_now();
  const auto& segments = m.presentation.segments;
  for (; m.segment < segments.size(); ++m.segment, m.segment_done = 0) {
    const Segment& s = segments[m.segment];
    if (s.frames && m.segment_done >= *s.frames) continue;
    std::span<const std::byte> block;
    std::uint64_t covered = 0;  // timeline frames the block spans
    if (s.silence) {
      // Silence is zero in every output format (signed and float samples).
      covered = std::min<std::uint64_t>(*s.frames - m.segment_done, kSilenceFrames);
      // At the output's rate: an AAC stream past its SBR's doubling plays
      // twice the timeline's frames (read_media).
      const std::uint64_t frames =
          m.proportional ? core::mul_div(covered, m.format.sample_rate, m.timeline_rate) : covered;
      const std::size_t bytes = static_cast<std::size_t>(frames) * m.format.bytes_per_frame();
      FRUGAL_CHECK(m.grow(m.out, bytes));
      std::fill_n(m.out.begin(), bytes, std::byte{0});
      block = std::span<const std::byte>(m.out).first(bytes);
    } else {
      std::uint64_t want = s.start + m.segment_done;
      FRUGAL_TRY(block, m.read_media(s, want, covered));
      const std::uint64_t absent = want - (s.start + m.segment_done);
      m.segment_done += absent;
      m.position += absent;
      if (block.empty()) continue;  // the media ended before the edit did
    }
    m.segment_done += covered;
    m.position += covered;
    return block;
  }
  return std::span<const std::byte>{};
}

}  // namespace frugal::player
