#include <frugal/player/player.hpp>

#include "player/ring_buffer.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace frugal::player {

core::Result<void> Player::play(AudioStream& stream, const ProgressFn& progress) {
  const core::AudioFormat& format = stream.format();
  const std::size_t frame_bytes = format.bytes_per_frame();
  if (frame_bytes == 0) return core::make_error(core::Errc::invalid_argument, "stream format has no channels");
  sink_failed_ = false;
  // The sink's own failures are told apart from the stream's.
  auto sink_error = [this](core::Result<void> r) {
    if (!r) sink_failed_ = true;
    return r;
  };
  if (open_format_ != format) {
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
    while (true) {
      auto block = stream.read();
      if (!block) {
        decode_result = block.error();
        break;
      }
      if (block->empty() || !ring.write(*block)) break;
    }
    ring.finish();
  });

  std::vector<std::byte> chunk(write_bytes);
  Progress p{0, stream.total_frames(), format.sample_rate};
  core::Result<void> sink_result;
  while (const std::size_t n = ring.read(chunk, frame_bytes)) {
    sink_result = sink_.write(std::span(chunk).first(n));
    if (!sink_result) {
      ring.cancel();
      break;
    }
    p.frames += n / frame_bytes;
    if (progress) progress(p);
  }
  decoder.join();
  pressure.reset();
  FRUGAL_CHECK(sink_error(sink_result));
  return decode_result;
}

core::Result<void> Player::finish() {
  if (!open_format_) return core::ok();
  open_format_.reset();
  return sink_.close();
}

}  // namespace frugal::player
