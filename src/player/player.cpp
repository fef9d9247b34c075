#include <frugal/player/player.hpp>

#include "player/ring_buffer.hpp"

#include <thread>
#include <vector>

namespace frugal::player {

core::Result<void> Player::play(AudioStream& stream, const ProgressFn& progress) {
  const core::AudioFormat& format = stream.format();
  if (open_format_ != format) {
    if (open_format_) FRUGAL_CHECK(sink_.close());
    open_format_.reset();
    FRUGAL_CHECK(sink_.open(format));
    open_format_ = format;
  }

  const std::size_t frame_bytes = format.bytes_per_frame();
  detail::RingBuffer ring(std::max(options_.ring_bytes, frame_bytes * 2));
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

  std::vector<std::byte> chunk(std::max<std::size_t>(options_.frames_per_write, 1) * frame_bytes);
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
  FRUGAL_CHECK(sink_result);
  return decode_result;
}

core::Result<void> Player::finish() {
  if (!open_format_) return core::ok();
  open_format_.reset();
  return sink_.close();
}

}  // namespace frugal::player
