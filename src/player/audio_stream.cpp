#include <frugal/player/audio_stream.hpp>

#include <frugal/codec/sample_convert.hpp>
#include <frugal/core/arith.hpp>

#include <algorithm>
#include <atomic>
#include <vector>

namespace frugal::player {

using core::Errc;
using core::make_error;
using core::Result;

TrimWindow trim_window(const mp4::Track& track, std::uint32_t movie_timescale, std::uint32_t sample_rate,
                       bool use_edit_list) {
  TrimWindow w;
  const core::CodecParameters* audio = track.audio();
  if (!audio || track.timescale == 0) return w;
  const auto to_frames = [&](std::uint64_t ticks) { return core::mul_div(ticks, sample_rate, track.timescale); };
  if (use_edit_list) {
    for (const mp4::EditListEntry& e : track.edit_list) {
      if (e.media_time < 0) continue;  // an empty edit (delay): not applied yet
      w.start = to_frames(static_cast<std::uint64_t>(e.media_time));
      if (e.segment_duration != 0 && movie_timescale != 0)
        w.length = to_frames(core::mul_div(e.segment_duration, track.timescale, movie_timescale));
      return w;
    }
  }
  w.start = codec::priming_frames(*audio);
  return w;
}

// Corrupt packets skipped in a row before read() gives up.
constexpr unsigned kMaxCorruptInARow = 16;

struct AudioStream::Impl {
  mp4::Demuxer demuxer;
  const mp4::Track* track = nullptr;
  std::unique_ptr<codec::Decoder> decoder;
  core::AudioFormat format;       // output
  TrimWindow trim;
  std::uint64_t decoded = 0;      // media frame the decoder's next output starts at
  std::uint64_t keep_from = 0;    // first media frame to return (trim start, or a seek target)
  std::uint64_t position = 0;     // frames returned so far
  std::uint64_t skipped = 0;      // corrupt packets skipped
  unsigned corrupt_in_a_row = 0;
  std::vector<std::byte> packet;  // grows to the largest packet
  std::vector<std::byte> out;     // grows to the largest block
  mem::Charge buffers_charge;     // packet + out capacity
  std::atomic<bool> release_buffers{false};  // set by the pressure callback, acted on in read()
  mem::Subscription pressure;

  explicit Impl(mp4::Demuxer d) : demuxer(std::move(d)) {}

  // Grows `buffer` to `bytes`, charging the growth first.
  core::Result<void> grow(std::vector<std::byte>& buffer, std::size_t bytes) {
    if (buffer.size() >= bytes) return core::ok();
    if (!buffers_charge.try_resize(buffers_charge.bytes() + (bytes - buffer.size())))
      return make_error(Errc::out_of_memory, "stream buffers over the memory budget");
    buffer.resize(bytes);
    return core::ok();
  }

  // The decoder was made from the first sample entry; a packet of another
  // entry decodes with it only when that entry describes the same stream.
  core::Result<void> check_description(std::uint32_t index) const {
    if (index == 1) return core::ok();
    const auto& entries = track->sample_entries;
    if (index == 0 || index > entries.size())
      return make_error(Errc::malformed, "packet names a sample description the track lacks");
    const core::CodecParameters& a = entries.front().codec;
    const core::CodecParameters& b = entries[index - 1].codec;
    if (a.codec != b.codec || a.sample_rate != b.sample_rate || a.channels != b.channels ||
        a.bits_per_sample != b.bits_per_sample || !(a.pcm == b.pcm) || a.config != b.config)
      return make_error(Errc::unsupported, "track switches to a different sample description mid-stream");
    return core::ok();
  }

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
  mp4::DemuxerOptions demuxer_options = options.demuxer;
  demuxer_options.tracker = &tracker;
  codec::DecoderOptions decoder_options = options.decoder;
  decoder_options.tracker = &tracker;
  FRUGAL_TRY(mem::Account buffers_account, tracker.account("player/stream_buffers"));
  FRUGAL_TRY(mp4::Demuxer demuxer, mp4::Demuxer::open(source, demuxer_options));
  auto impl = std::make_unique<Impl>(std::move(demuxer));
  impl->buffers_charge = mem::Charge(buffers_account, 0);
  mp4::Demuxer& d = impl->demuxer;

  const mp4::Track* chosen = nullptr;
  for (const mp4::Track& t : d.tracks()) {
    if (options.track ? t.id != *options.track : (t.type != mp4::TrackType::audio || t.error)) continue;
    chosen = &t;
    break;
  }
  if (!chosen) {
    if (options.track) return make_error(Errc::invalid_argument, "no track with that track ID");
    for (const mp4::Track& t : d.tracks())
      if (t.type == mp4::TrackType::audio && t.error) return *t.error;
    return make_error(Errc::unsupported, "no audio track");
  }
  if (chosen->type != mp4::TrackType::audio) return make_error(Errc::invalid_argument, "track is not audio");
  if (chosen->error) return *chosen->error;
  if (chosen->sample_entries.empty()) return make_error(Errc::malformed, "audio track without sample description");
  const mp4::SampleEntry& entry = chosen->sample_entries.front();
  if (entry.error) return *entry.error;
  if (entry.codec.codec == core::Codec::unknown) return make_error(Errc::unsupported, "unknown audio codec");

  for (const mp4::Track& t : d.tracks())
    if (!t.error) FRUGAL_CHECK(d.set_track_enabled(t.id, &t == chosen));
  FRUGAL_TRY(impl->decoder, registry.create(entry.codec, decoder_options));
  impl->track = chosen;
  impl->format = impl->decoder->format();
  impl->format.format = options.format.value_or(codec::default_output_format(entry.codec, impl->format));
  if (core::bytes_per_sample(impl->format.format) * 8 < impl->format.valid_bits || core::is_float(impl->format.format))
    impl->format.valid_bits = static_cast<std::uint8_t>(core::bytes_per_sample(impl->format.format) * 8);
  impl->trim = trim_window(*chosen, d.movie_timescale(), impl->format.sample_rate, options.use_edit_list);
  impl->keep_from = impl->trim.start;
  Impl* m = impl.get();
  impl->pressure = tracker.subscribe([m](mem::PressureLevel level) {
    if (level == mem::PressureLevel::critical) m->release_buffers.store(true);
  });
  return AudioStream(std::move(impl));
}

const core::AudioFormat& AudioStream::format() const noexcept { return impl_->format; }
const mp4::Track& AudioStream::track() const noexcept { return *impl_->track; }
const mp4::Demuxer& AudioStream::demuxer() const noexcept { return impl_->demuxer; }
std::uint64_t AudioStream::position_frames() const noexcept { return impl_->position; }
std::uint64_t AudioStream::skipped_packets() const noexcept { return impl_->skipped; }

std::optional<std::uint64_t> AudioStream::total_frames() const noexcept {
  const Impl& m = *impl_;
  if (m.track->duration == 0 || m.track->timescale == 0) return m.trim.length;
  // The media after the trim start, cut to the edit's length when it is shorter.
  const std::uint64_t all = core::mul_div(m.track->duration, m.format.sample_rate, m.track->timescale);
  const std::uint64_t left = all > m.trim.start ? all - m.trim.start : 0;
  return m.trim.length ? std::min(*m.trim.length, left) : left;
}

Result<void> AudioStream::seek(std::uint64_t frame) {
  Impl& m = *impl_;
  const mp4::Track& t = *m.track;
  const std::uint32_t rate = m.format.sample_rate;
  if (t.timescale == 0 || rate == 0) return make_error(Errc::unsupported, "cannot seek: no timescale or rate");
  std::uint64_t target = ~std::uint64_t{0};  // media frame
  if (!core::checked_add(m.trim.start, frame, target)) target = ~std::uint64_t{0};
  if (auto total = total_frames(); total && frame >= *total) target = m.trim.start + *total;
  const auto to_ticks = [&](std::uint64_t frames) { return core::mul_div(frames, t.timescale, rate); };

  // Where decoding restarts: the file's roll groups, else the codec's
  // pre-roll (fragments number no samples: always by the codec).
  std::uint64_t sample = 0;
  std::optional<std::uint32_t> roll;
  if (!m.demuxer.fragmented()) {
    FRUGAL_TRY(sample, m.demuxer.sample_at_time(t.id, to_ticks(target)));
    FRUGAL_TRY(roll, m.demuxer.preroll_samples(t.id, sample));
  }
  mp4::SeekPoint point;
  if (roll) {
    FRUGAL_TRY(point, m.demuxer.seek_to_sample(t.id, sample > *roll ? sample - *roll : 0));
  } else {
    const std::uint64_t preroll = codec::preroll_frames(t.sample_entries.front().codec);
    FRUGAL_TRY(point, m.demuxer.seek(t.id, to_ticks(target > preroll ? target - preroll : 0)));
  }
  m.decoder->reset();
  m.decoded = core::mul_div(static_cast<std::uint64_t>(std::max<std::int64_t>(point.dts, 0)), rate, t.timescale);
  m.keep_from = std::max(target, m.trim.start);
  m.position = m.keep_from - m.trim.start;
  m.corrupt_in_a_row = 0;
  return core::ok();
}

Result<std::span<const std::byte>> AudioStream::read() {
  Impl& m = *impl_;
  std::uint64_t end = ~std::uint64_t{0};  // no length, or one past the end of time: to the end
  if (m.trim.length && !core::checked_add(m.trim.start, *m.trim.length, end)) end = ~std::uint64_t{0};
  if (m.release_buffers.exchange(false)) m.release_buffers_now();
  while (m.decoded < end) {
    mp4::Packet p;
    if (auto r = m.demuxer.next_packet(p); !r) {
      if (r.error().code == Errc::end_of_stream) break;
      return r.error();
    }
    FRUGAL_CHECK(m.check_description(p.sample_description_index));
    FRUGAL_CHECK(m.grow(m.packet, p.size));
    FRUGAL_CHECK(m.demuxer.read_packet(p, m.packet));
    auto decoded = m.decoder->decode(std::span(m.packet).first(p.size));
    if (!decoded) {
      // A corrupt packet is skipped, as players do (its audio is lost; the
      // decoder stays usable). Many in a row means the stream is not what
      // its sample entry says: give up.
      if (decoded.error().code != Errc::malformed || ++m.corrupt_in_a_row > kMaxCorruptInARow)
        return decoded.error();
      ++m.skipped;
      continue;
    }
    m.corrupt_in_a_row = 0;
    const codec::AudioBlock& block = *decoded;
    // Keep the part of [decoded, decoded + frames) inside [start, end).
    const std::uint64_t first = m.decoded;
    m.decoded += block.frames;
    const std::uint64_t keep_from = std::max(first, m.keep_from);
    const std::uint64_t keep_to = std::min(m.decoded, end);
    if (keep_to <= keep_from) continue;
    const auto skip = static_cast<std::size_t>(keep_from - first);
    const auto frames = static_cast<std::size_t>(keep_to - keep_from);
    const std::size_t in_frame = block.format.bytes_per_frame();
    const std::size_t out_bytes = frames * m.format.bytes_per_frame();
    FRUGAL_CHECK(m.grow(m.out, out_bytes));
    codec::convert_samples(block.format.format, block.data.subspan(skip * in_frame), m.format.format, m.out,
                           frames * m.format.channels);
    m.position += frames;
    return std::span<const std::byte>(m.out).first(out_bytes);
  }
  return std::span<const std::byte>{};
}

}  // namespace frugal::player
