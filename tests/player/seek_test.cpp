// Seeking an AudioStream: the output from a seek target equals the same
// slice of a decode from the start — bit for bit for FLAC and PCM, and for
// Opus once the decoder has converged after its pre-roll.
#include <frugal/core/file_source.hpp>
#include <frugal/player/audio_stream.hpp>

#include "support/media.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

namespace frugal::player {
namespace {

using Bytes = std::vector<std::byte>;

struct Decoded {
  Bytes pcm;
  std::size_t frame_bytes = 0;
  std::uint32_t rate = 0;
};

// Decodes `path`, from `start` (frames) when given, at most `frames` frames.
Decoded decode(const std::string& path, std::optional<std::uint64_t> start = {},
               std::uint64_t frames = ~std::uint64_t{0}) {
  Decoded d;
  auto file = core::FileSource::open(path.c_str());
  EXPECT_TRUE(file) << path;
  if (!file) return d;
  const auto registry = codec::DecoderRegistry::with_builtins();
  auto stream = AudioStream::open(*file, registry);
  EXPECT_TRUE(stream) << path << ": " << stream.error().message;
  if (!stream) return d;
  d.frame_bytes = stream->format().bytes_per_frame();
  d.rate = stream->format().sample_rate;
  if (start) {
    auto r = stream->seek(*start);
    EXPECT_TRUE(r) << r.error().message;
    const std::uint64_t end = stream->total_frames().value_or(~std::uint64_t{0});
    EXPECT_EQ(stream->position_frames(), std::min(*start, end));  // past the end: at the end
  }
  while (d.pcm.size() / d.frame_bytes < frames) {
    auto block = stream->read();
    EXPECT_TRUE(block) << block.error().message;
    if (!block || block->empty()) break;
    d.pcm.insert(d.pcm.end(), block->begin(), block->end());
  }
  if (d.pcm.size() / d.frame_bytes > frames) d.pcm.resize(static_cast<std::size_t>(frames) * d.frame_bytes);
  return d;
}

// The real files of a codec: the bundled sample and those in the media folder.
std::vector<std::string> files(const std::string& codec) {
  std::vector<std::string> out = {std::string(FRUGAL_SOURCE_DIR) + "/samples/speech-chirp." + codec + ".m4a"};
  const std::vector<std::string> media = codec == "flac"
      ? std::vector<std::string>{"mp4/taglib__tests_data_flac.m4a", "mp4/taglib__tests_data_flac96.m4a"
#ifdef FRUGAL_HAVE_OGG
                                 , "other/androidx-media__ogg_bear_flac.ogg"
#endif
      }
      : std::vector<std::string>{"mp4/taglib__tests_data_opus.m4a", "mp4/androidx-media__mp4_sample_opus.mp4"
#ifdef FRUGAL_HAVE_OGG
                                 , "other/androidx-media__ogg_bbb_6ch_8kHz_opus.ogg",
                                 "other/androidx-media__ogg_bear_duplicate_header.opus"
#endif
      };
  if (auto dir = test::media_dir())
    for (const auto& name : media)
      if (std::filesystem::exists(*dir / name)) out.push_back((*dir / name).string());
  return out;
}

// Seek targets spread over the file, most of them inside packets.
std::vector<std::uint64_t> targets(std::uint64_t total_frames) {
  return {1, total_frames / 7, total_frames / 3 + 17, total_frames / 2 - 1, total_frames * 5 / 6};
}

TEST(AudioStreamSeek, FlacSliceIsBitIdenticalToTheDecodeFromStart) {
  for (const std::string& path : files("flac")) {
    SCOPED_TRACE(path);
    const Decoded full = decode(path);
    ASSERT_FALSE(full.pcm.empty());
    const std::uint64_t total = full.pcm.size() / full.frame_bytes;
    for (std::uint64_t start : targets(total)) {
      const std::uint64_t frames = std::min<std::uint64_t>(full.rate / 4, total - start);
      const Decoded slice = decode(path, start, frames);
      ASSERT_EQ(slice.pcm.size(), frames * full.frame_bytes) << "start " << start;
      EXPECT_TRUE(std::equal(slice.pcm.begin(), slice.pcm.end(), full.pcm.begin() + static_cast<std::ptrdiff_t>(start * full.frame_bytes)))
          << "start " << start;
    }
  }
}

// Opus decoders carry state between packets; after the pre-roll (the file's
// 'roll' groups, else 80 ms) the output converges to the decode from the
// start. Measured on the bundled sample and the media folder's Opus files:
// at most 1550 (of 32767) apart in the first 200 ms, at most 2 after.
TEST(AudioStreamSeek, OpusSliceIsAlignedAndConvergesAfterPreroll) {
  for (const std::string& path : files("opus")) {
    SCOPED_TRACE(path);
    const Decoded full = decode(path);
    ASSERT_FALSE(full.pcm.empty());
    ASSERT_EQ(full.rate, 48000u);
    const std::uint64_t total = full.pcm.size() / full.frame_bytes;
    for (std::uint64_t start : targets(total)) {
      const std::uint64_t frames = std::min<std::uint64_t>(24000, total - start);  // 0.5 s
      const Decoded slice = decode(path, start, frames);
      ASSERT_EQ(slice.pcm.size(), frames * full.frame_bytes) << "start " << start;
      const std::size_t samples = slice.pcm.size() / 2;
      const std::size_t settled = std::min<std::size_t>(samples, 9600 * full.frame_bytes / 2);  // 200 ms
      int early = 0, late = 0;
      for (std::size_t i = 0; i < samples; ++i) {
        std::int16_t a, b;
        std::memcpy(&a, slice.pcm.data() + 2 * i, 2);
        std::memcpy(&b, full.pcm.data() + start * full.frame_bytes + 2 * i, 2);
        (i < settled ? early : late) = std::max(i < settled ? early : late, std::abs(a - b));
      }
      EXPECT_LE(early, 4096) << "start " << start;  // well inside what convergence allows
      EXPECT_LE(late, 8) << "start " << start;
      RecordProperty("max_diff_first_200ms_at_" + std::to_string(start), early);
    }
  }
}

TEST(AudioStreamSeek, PastTheEndReadsNothingAndBackwardsWorks) {
  const std::string path = files("flac").front();
  const Decoded full = decode(path);
  const std::uint64_t total = full.pcm.size() / full.frame_bytes;
  EXPECT_TRUE(decode(path, total + 1000).pcm.empty());
  EXPECT_TRUE(decode(path, total).pcm.empty());

  auto file = core::FileSource::open(path.c_str());
  ASSERT_TRUE(file);
  const auto registry = codec::DecoderRegistry::with_builtins();
  auto stream = AudioStream::open(*file, registry);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->seek(total / 2));
  ASSERT_TRUE(stream->read());
  ASSERT_TRUE(stream->seek(100));  // backwards
  auto block = stream->read();
  ASSERT_TRUE(block);
  ASSERT_FALSE(block->empty());
  EXPECT_TRUE(std::equal(block->begin(), block->end(), full.pcm.begin() + static_cast<std::ptrdiff_t>(100 * full.frame_bytes)));
}

}  // namespace
}  // namespace frugal::player
