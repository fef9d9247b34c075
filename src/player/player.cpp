#include <frugal/player/player.hpp>

#include "player/ring_buffer.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace frugal::player {

core::Result<void> Player::play(AudioStream& stream, const ProgressFn& progress) {
  sink_failed_ = false;
  // The first block says the format (a FLAC STREAMINFO may be wrong about it).
  FRUGAL_TRY(std::span<const std::byte> carried, stream.read());  // then: a block in a new format
  Progress p{0, 0, stream.total_frames(), stream.format().sample_rate};
  do {
    FRUGAL_CHECK(play_run(stream, carried, p, progress));
  } while (!carried.empty());
  return core::ok();
}

core::Result<void> Player::play_run(AudioStream& stream, std::span<const std::byte>& carried, Progress& p,
                                    const ProgressFn& progress) {
  const core::AudioFormat format = stream.format();
  const std::size_t frame_bytes = format.bytes_per_frame();
  if (frame_bytes == 0) return core::make_error(core::Errc::invalid_argument, "stream format has no channels");
  // The sink's own failures are told apart from the stream's.
  auto sink_error = [this](core::Result<void> r) {
    if (!r) sink_failed_ = true;
    return r;
  };
  if (open_format_ != format) {
    if (open_format_ && !sink_.reopens())
      return sink_error(core::make_error(core::Errc::unsupported,
                                         "the audio changes format and the output holds one (a WAV file)"));
    // Closing first plays out the audio of the old format.
    if (open_format_) FRUGAL_CHECK(sink_error(sink_.close()));
    open_format_.reset();
    FRUGAL_CHECK(sink_error(sink_.open(format)));
    open_format_ = format;
  }

  const std::size_t write_bytes = std::max<std::size_t>(options_.frames_per_write, 1) * frame_bytes;
  mem::MemoryTracker& tracker = options_.tracker ? *options_.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account ring_account, tracker.account("player/ring_buffer"));
  const std::size_t full = std::max(options_.ring_bytes, write_bytes * 2);
  detail::RingBuffer ring(full, ring_account);
  // Shrinking trades wake-ups (and underrun margin) for memory; it never
  // loses audio. Unsubscribed (waiting for a running callback) before the
  // ring goes away.
  mem::Subscription pressure = tracker.subscribe([&ring, full, write_bytes](mem::PressureLevel level) {
    if (level == mem::PressureLevel::critical) ring.set_capacity(std::max(full / 8, write_bytes * 2));
    else if (level == mem::PressureLevel::high) ring.set_capacity(std::max(full / 4, write_bytes * 2));
  });
  core::Result<void> decode_result;
  std::thread decoder([&] {
    // A block in another format ends the run; it stays in the stream's
    // buffer (nothing reads until the next run) and starts the next one.
    std::span<const std::byte> block = carried;
    carried = {};
    while (block.empty() || ring.write(block)) {
      auto next = stream.read();
      if (!next) {
        decode_result = next.error();
        break;
      }
      if (next->empty()) break;
      if (stream.format() != format) {
        carried = *next;
        break;
      }
      block = *next;
    }
    ring.finish();
  });

  std::vector<std::byte> chunk(write_bytes);
  p.sample_rate = format.sample_rate;
  const double before = p.seconds;  // of earlier runs; this run's from its frame count, without drift
  std::uint64_t run_frames = 0;
  core::Result<void> sink_result;
  while (const std::size_t n = ring.read(chunk, frame_bytes)) {
    sink_result = sink_.write(std::span(chunk).first(n));
    if (!sink_result) {
      ring.cancel();
      break;
    }
    p.frames += n / frame_bytes;
    run_frames += n / frame_bytes;
    p.seconds = before + static_cast<double>(run_frames) / format.sample_rate;
    if (progress) progress(p);
  }
  decoder.join();
  pressure.reset();
  if (!sink_result) carried = {};
  FRUGAL_CHECK(sink_error(sink_result));
  return decode_result;
}

core::Result<void> Player::finish() {
  if (!open_format_) return core::ok();
  open_format_.reset();
  return sink_.close();
}

}  // namespace frugal::player
