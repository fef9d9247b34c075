// The whole decode path on hostile input: MP4 demuxing, the Opus, FLAC, PCM
// and (when built) libavcodec decoders, trimming and sample conversion,
// through player::AudioStream: decode up to a bound, then seek where the
// input says and decode a little more. One input in four comes through
// player::StreamSource as from a pipe, in pieces of a size the input picks.
// Anything but a clean error is a finding.
#include "harness.hpp"

#include <frugal/codec/registry.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/player/audio_stream.hpp>
#include <frugal/player/stream_source.hpp>

#include <algorithm>
#include <cstring>
#include <optional>

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

// The input as a pipe delivers it: `piece` bytes at most per read.
class PipedInput final : public core::InputStream {
 public:
  PipedInput(std::span<const std::byte> bytes, std::size_t piece) : bytes_(bytes), piece_(piece) {}
  core::Result<std::size_t> read(std::span<std::byte> dst) override {
    const std::size_t n = std::min({dst.size(), piece_, bytes_.size() - at_});
    std::memcpy(dst.data(), bytes_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t piece_;
  std::size_t at_ = 0;
};

void run(std::span<const std::byte> input, mem::MemoryTracker& tracker) {
  static const codec::DecoderRegistry registry = codec::DecoderRegistry::with_builtins();
  core::MemorySource memory(input);
  player::StreamOptions options;
  options.demuxer.limits = fuzz::limits();
  options.tracker = &tracker;
  fuzz::Steering steer(input);
  options.use_edit_list = steer.next() % 2 == 0;
  const std::uint32_t pipe = steer.next();
  PipedInput piped(input, 1 + (pipe >> 2) % 4096);
  std::optional<player::StreamSource> stream_source;
  if (pipe % 4 == 0) {
    player::StreamSourceOptions o;
    o.head_bytes = 64 * 1024;
    o.window_bytes = 4096 + (pipe >> 14) % 8192;
    o.tracker = &tracker;
    auto opened = player::StreamSource::open(piped, o);
    if (!opened) return;
    stream_source.emplace(std::move(*opened));
  }
  core::ByteSource& source = stream_source ? static_cast<core::ByteSource&>(*stream_source) : memory;
  auto stream = player::AudioStream::open(source, registry, options);
  if (!stream) return;
  decode(*stream, kMaxFrames);
  const std::uint64_t decoded = stream->position_frames();
  (void)stream->seek(steer.up_to(stream->total_frames().value_or(decoded)));
  decode(*stream, 4096);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  return fuzz::run_under_budget(bytes, size, run);
}
