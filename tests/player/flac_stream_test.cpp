// Native FLAC files through the whole stream (content detection, the flac
// demuxer, the libFLAC decoder): verbatim frames decode to exactly the
// samples the writer put in, from the start and after a seek; a corrupt
// frame read from a pipe.
#include <frugal/codec/registry.hpp>
#include <frugal/flac/demuxer.hpp>
#include <frugal/player/audio_stream.hpp>
#include <frugal/player/stream_source.hpp>

#include "support/flac_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <vector>

using namespace frugal;

namespace {

TEST(FlacStream, DecodesToTheWrittenSamplesFromTheStartAndAfterASeek) {
  test::FlacStreamSpec spec;
  spec.channels = 2;
  spec.seek_every = 8;
  std::vector<std::int16_t> all;
  for (std::uint32_t i = 0; i < 40; ++i) {
    spec.frames.push_back(test::flac_test_samples(2 * 1152, i));
    spec.frames.back()[7] = static_cast<std::int16_t>(0xFFF8);  // a sync code in the audio
    all.insert(all.end(), spec.frames.back().begin(), spec.frames.back().end());
  }
  const test::Bytes file = test::build_flac(spec);
  core::MemorySource source(file);
  const auto registry = codec::DecoderRegistry::with_builtins();
  auto stream = player::AudioStream::open(source, registry, {});
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_STREQ(stream->demuxer().format_name(), "flac");
  ASSERT_EQ(stream->format().format, core::SampleFormat::s16);

  const auto read_from = [&](std::size_t max_samples) {
    std::vector<std::int16_t> out;
    while (out.size() < max_samples) {
      auto block = stream->read();
      EXPECT_TRUE(block) << block.error().message;
      if (!block || block->empty()) break;
      const std::size_t at = out.size();
      out.resize(at + block->size() / 2);
      std::memcpy(out.data() + at, block->data(), block->size());
    }
    return out;
  };
  EXPECT_TRUE(read_from(all.size() + 1) == all);

  const std::uint64_t frame = 23 * 1152 + 5;
  ASSERT_TRUE(stream->seek(frame));
  const std::vector<std::int16_t> after = read_from(4096);
  ASSERT_GE(after.size(), 4096u);
  EXPECT_TRUE(std::equal(after.begin(), after.begin() + 4096, all.begin() + 2 * frame));
}

// Frames whose channel count changes mid-stream (RFC 9639 §9.1.3): the
// stream's format follows them, block by block, and no sample is lost.
TEST(FlacStream, FramesOfAnotherChannelCountChangeTheStreamFormat) {
  test::FlacStreamSpec spec;
  spec.channels = 1;
  spec.frame_channels = {1, 1, 2, 2, 2, 1};
  std::vector<std::vector<std::int16_t>> runs(3);  // the samples of each run of one channel count
  for (std::size_t i = 0; i < spec.frame_channels.size(); ++i) {
    spec.frames.push_back(test::flac_test_samples(1152 * spec.frame_channels[i], static_cast<std::uint32_t>(i)));
    auto& run = runs[i < 2 ? 0 : i < 5 ? 1 : 2];
    run.insert(run.end(), spec.frames.back().begin(), spec.frames.back().end());
  }
  const test::Bytes file = test::build_flac(spec);
  core::MemorySource source(file);
  const auto registry = codec::DecoderRegistry::with_builtins();
  auto stream = player::AudioStream::open(source, registry, {});
  ASSERT_TRUE(stream) << stream.error().message;
  std::vector<std::uint16_t> channels;  // of each run of blocks in one format
  std::vector<std::vector<std::int16_t>> got;
  while (true) {
    auto block = stream->read();
    ASSERT_TRUE(block) << block.error().message;
    if (block->empty()) break;
    EXPECT_EQ(stream->format().sample_rate, 44100u);
    EXPECT_EQ(stream->format().format, core::SampleFormat::s16);
    if (channels.empty() || channels.back() != stream->format().channels) {
      channels.push_back(stream->format().channels);
      got.emplace_back();
    }
    const std::size_t at = got.back().size();
    got.back().resize(at + block->size() / 2);
    std::memcpy(got.back().data() + at, block->data(), block->size());
  }
  EXPECT_EQ(channels, (std::vector<std::uint16_t>{1, 2, 1}));
  EXPECT_TRUE(got == runs);
  EXPECT_EQ(stream->position_frames(), 6u * 1152);

  // Seeks into the stereo run and back: the format is the frames' there.
  for (const auto& [frame, want_channels, run, offset] :
       {std::tuple{3u * 1152 + 7, 2u, 1u, (1152u + 7) * 2}, std::tuple{100u, 1u, 0u, 100u}}) {
    ASSERT_TRUE(stream->seek(frame));
    auto block = stream->read();
    ASSERT_TRUE(block) << block.error().message;
    ASSERT_FALSE(block->empty());
    EXPECT_EQ(stream->format().channels, want_channels) << "at " << frame;
    ASSERT_LE(offset * 2 + block->size(), runs[run].size() * 2);
    EXPECT_EQ(std::memcmp(block->data(), runs[run].data() + offset, block->size()), 0) << "at " << frame;
  }
}

// A pipe over bytes in memory.
class MemoryStream final : public core::InputStream {
 public:
  explicit MemoryStream(std::span<const std::byte> b) : bytes_(b) {}
  core::Result<std::size_t> read(std::span<std::byte> dst) override {
    const std::size_t n = std::min(dst.size(), bytes_.size() - at_);
    std::memcpy(dst.data(), bytes_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t at_ = 0;
};

// From a pipe (StreamSource keeps the last 256 KiB) a corrupt frame's scan
// stops near it, so its bytes can still be read and the frames after it come.
TEST(FlacStream, CorruptFrameFromAPipeIsPassedOver) {
  test::FlacStreamSpec spec;
  for (std::uint32_t i = 0; i < 400; ++i) spec.frames.push_back(test::flac_test_samples(1152, i));
  test::FlacLayout l;
  test::Bytes file = test::build_flac(spec, &l);  // 920 KB
  file[l.frame_offsets[150] + 40] ^= std::byte{1};
  MemoryStream in(file);
  auto source = player::StreamSource::open(in);
  ASSERT_TRUE(source);
  auto demuxer = flac::Demuxer::open(*source);
  ASSERT_TRUE(demuxer) << demuxer.error().message;
  core::Packet p;
  std::vector<std::byte> data;
  for (std::size_t i = 0; i < l.frame_offsets.size(); ++i) {
    auto r = demuxer->next_packet(p);
    ASSERT_TRUE(r) << "frame " << i << ": " << r.error().message;
    EXPECT_EQ(p.pos, l.frame_offsets[i]);
    EXPECT_EQ(p.size, l.frame_sizes[i]);
    data.resize(p.size);
    auto read = demuxer->read_packet(p, data);
    ASSERT_TRUE(read) << "frame " << i << ": " << read.error().message;
    EXPECT_EQ(std::memcmp(data.data(), file.data() + p.pos, p.size), 0);
  }
  EXPECT_EQ(demuxer->next_packet(p).error().code, core::Errc::end_of_stream);
}

}  // namespace
