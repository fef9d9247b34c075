// The whole decode path on hostile input: MP4 demuxing, the Opus, FLAC and
// PCM decoders, trimming and sample conversion, through player::AudioStream:
// decode up to a bound, then seek where the input says and decode a little
// more. Anything but a clean error is a finding.
#include "harness.hpp"

#include <frugal/codec/registry.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/player/audio_stream.hpp>

using namespace frugal;

namespace {

// Output frames one run decodes at most (a minute at 48 kHz, whatever the file claims).
constexpr std::uint64_t kMaxFrames = 48000 * 60;

void decode(player::AudioStream& stream, std::uint64_t max_frames) {
  const std::uint64_t end = stream.position_frames() + max_frames;
  while (stream.position_frames() < end) {
    auto block = stream.read();
    if (!block || block->empty()) return;
  }
}

void run(std::span<const std::byte> input, mem::MemoryTracker& tracker) {
  static const codec::DecoderRegistry registry = codec::DecoderRegistry::with_builtins();
  core::MemorySource source(input);
  player::StreamOptions options;
  options.demuxer.limits = fuzz::limits();
  options.tracker = &tracker;
  fuzz::Steering steer(input);
  options.use_edit_list = steer.next() % 2 == 0;
  auto stream = player::AudioStream::open(source, registry, options);
  if (!stream) return;
  decode(*stream, kMaxFrames);
  const std::uint64_t decoded = stream->position_frames();
  (void)stream->seek(steer.up_to(stream->total_frames().value_or(decoded)));
  decode(*stream, 4096);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  mem::MemoryTracker tracker({.budget = fuzz::kBudgetBytes});
  run(std::span(reinterpret_cast<const std::byte*>(bytes), size), tracker);
  fuzz::expect_all_released(tracker);
  return 0;
}
