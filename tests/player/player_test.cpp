// The Player against a recording sink, playing the bundled samples
// (samples/*.m4a; tests skip when they are absent).
#include <frugal/player/player.hpp>

#include "support/flac_writer.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace frugal::player {
namespace {

using core::AudioFormat;
using core::Errc;

const codec::DecoderRegistry& registry() {
  static const codec::DecoderRegistry r = codec::DecoderRegistry::with_builtins();
  return r;
}

// A whole file in memory as a byte source. (Test-local rather than
// core::FileSource: core is built without RTTI, and the asan preset's vptr
// checks need the typeinfo of every polymorphic class the test touches.)
class FileBytes final : public core::ByteSource {
 public:
  // The first `keep` bytes of the file (all by default).
  explicit FileBytes(const std::string& path, std::size_t keep = ~std::size_t{0}) {
    const std::string s = test::read_file(path);
    bytes_.resize(std::min(s.size(), keep));
    std::memcpy(bytes_.data(), s.data(), bytes_.size());
  }
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    if (offset >= bytes_.size()) return std::size_t{0};
    const std::size_t n = std::min<std::size_t>(dst.size(), bytes_.size() - static_cast<std::size_t>(offset));
    std::memcpy(dst.data(), bytes_.data() + offset, n);
    return n;
  }
  std::optional<std::uint64_t> size() const override { return bytes_.size(); }

 private:
  std::vector<std::byte> bytes_;
};

// A sample file and a stream over it (the stream reads from the source).
struct OpenStream {
  std::unique_ptr<FileBytes> source;
  std::optional<AudioStream> stream;
};

std::string sample_path(const std::string& name) { return std::string(FRUGAL_SOURCE_DIR) + "/samples/" + name; }

std::unique_ptr<OpenStream> open_stream(const std::string& name, const StreamOptions& options = {},
                                        std::size_t keep = ~std::size_t{0}) {
  auto out = std::make_unique<OpenStream>();
  out->source = std::make_unique<FileBytes>(sample_path(name), keep);
  auto stream = AudioStream::open(*out->source, registry(), options);
  EXPECT_TRUE(stream) << name << ": " << stream.error().message;
  if (!stream) return nullptr;
  out->stream.emplace(std::move(*stream));
  return out;
}

#define OPEN_SAMPLE_OR_SKIP(var, name, ...)                                                        \
  if (!std::filesystem::exists(sample_path(name))) GTEST_SKIP() << "sample " << name << " absent"; \
  auto var = open_stream(name __VA_OPT__(, ) __VA_ARGS__);                                         \
  ASSERT_TRUE(var)

// Everything a stream decodes to, read directly (what the sink must receive).
std::vector<std::byte> decode_directly(const std::string& name, const StreamOptions& options = {}) {
  auto s = open_stream(name, options);
  std::vector<std::byte> out;
  if (!s) return out;
  while (true) {
    auto block = s->stream->read();
    EXPECT_TRUE(block) << block.error().message;
    if (!block || block->empty()) break;
    out.insert(out.end(), block->begin(), block->end());
  }
  return out;
}

// Records what the player does to it; can be told to fail.
class RecordingSink final : public Sink {
 public:
  core::Result<void> open(const AudioFormat& format) override {
    events.push_back("open");
    opens.push_back(format);
    if (fail_open) return *fail_open;
    return core::ok();
  }
  core::Result<void> write(std::span<const std::byte> frames) override {
    if (events.empty() || events.back() != "write") events.push_back("write");
    write_sizes.push_back(frames.size());
    if (fail_write_at && write_sizes.size() == *fail_write_at) return core::make_error(Errc::io, "test sink fails");
    data.insert(data.end(), frames.begin(), frames.end());
    return core::ok();
  }
  core::Result<void> close() override {
    events.push_back("close");
    return core::ok();
  }
  std::string describe() const override { return "recording"; }
  bool reopens() const noexcept override { return reopen; }

  std::vector<std::string> events;  // "open", "write" (once per run of writes), "close"
  std::vector<AudioFormat> opens;
  std::vector<std::size_t> write_sizes;
  std::vector<std::byte> data;
  std::optional<core::Error> fail_open;
  std::optional<std::size_t> fail_write_at;  // 1-based
  bool reopen = true;
};

using Events = std::vector<std::string>;

constexpr PlayerOptions kSmallBuffers{4096, 100};  // many writes, a ring that fills up

class PlayerSamples : public testing::TestWithParam<std::string> {};

TEST_P(PlayerSamples, SinkReceivesTheWholeStreamInWholeFrames) {
  OPEN_SAMPLE_OR_SKIP(s, GetParam());
  const AudioFormat format = s->stream->format();
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  ASSERT_TRUE(player.play(*s->stream));

  EXPECT_EQ(sink.events, (Events{"open", "write"}));
  EXPECT_EQ(sink.opens, std::vector<AudioFormat>{format});
  const std::vector<std::byte> expected = decode_directly(GetParam());
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(sink.data.size(), expected.size());
  EXPECT_TRUE(sink.data == expected) << "the sink got other bytes than the stream decodes to";
  for (std::size_t size : sink.write_sizes) {
    EXPECT_EQ(size % format.bytes_per_frame(), 0u);
    EXPECT_LE(size, kSmallBuffers.frames_per_write * format.bytes_per_frame());
    EXPECT_GT(size, 0u);
  }

  ASSERT_TRUE(player.finish());
  EXPECT_EQ(sink.events, (Events{"open", "write", "close"}));
  ASSERT_TRUE(player.finish());  // nothing open: no second close
  EXPECT_EQ(sink.events.size(), 3u);
}

TEST_P(PlayerSamples, ProgressFollowsEachWrite) {
  OPEN_SAMPLE_OR_SKIP(s, GetParam());
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  std::vector<Progress> reports;
  ASSERT_TRUE(player.play(*s->stream, [&](const Progress& p) { reports.push_back(p); }));

  const std::size_t frame_bytes = s->stream->format().bytes_per_frame();
  ASSERT_EQ(reports.size(), sink.write_sizes.size());
  std::uint64_t frames = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    frames += sink.write_sizes[i] / frame_bytes;
    EXPECT_EQ(reports[i].frames, frames);
    EXPECT_EQ(reports[i].sample_rate, s->stream->format().sample_rate);
    EXPECT_EQ(reports[i].total_frames, s->stream->total_frames());
  }
  EXPECT_EQ(frames * frame_bytes, sink.data.size());
}

TEST_P(PlayerSamples, PlaysToTheNullSink) {
  OPEN_SAMPLE_OR_SKIP(s, GetParam());
  auto sink = make_null_sink();
  Player player(*sink);
  EXPECT_TRUE(player.play(*s->stream));
  EXPECT_TRUE(player.finish());
}

TEST_P(PlayerSamples, PlaysToTheRawSink) {
  OPEN_SAMPLE_OR_SKIP(s, GetParam());
  test::TempDir dir;
  const std::string path = dir.file("out.raw");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  {
    auto sink = make_raw_sink(fd);
    Player player(*sink);
    EXPECT_TRUE(player.play(*s->stream));
    EXPECT_TRUE(player.finish());
  }
  ::close(fd);
  const auto expected = decode_directly(GetParam());
  EXPECT_TRUE(test::read_file(path) == std::string(reinterpret_cast<const char*>(expected.data()), expected.size()));
}

INSTANTIATE_TEST_SUITE_P(Bundled, PlayerSamples, testing::Values("speech-chirp.opus.m4a", "speech-chirp.flac.m4a"),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param.find("opus") != std::string::npos ? std::string("opus")
                                                                                     : std::string("flac");
                         });

constexpr const char* kOpus = "speech-chirp.opus.m4a";
constexpr const char* kFlac = "speech-chirp.flac.m4a";

TEST(Player, SameFormatKeepsTheSinkOpen) {
  OPEN_SAMPLE_OR_SKIP(first, kOpus);
  OPEN_SAMPLE_OR_SKIP(second, kOpus);
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  ASSERT_TRUE(player.play(*first->stream));
  ASSERT_TRUE(player.play(*second->stream));
  ASSERT_TRUE(player.finish());
  EXPECT_EQ(sink.events, (Events{"open", "write", "close"}));  // gapless: one stream to the sink

  auto expected = decode_directly(kOpus);
  expected.insert(expected.end(), expected.begin(), expected.end());
  EXPECT_TRUE(sink.data == expected);
}

TEST(Player, NewFormatReopensTheSink) {
  StreamOptions as_s32;
  as_s32.format = core::SampleFormat::s32;
  OPEN_SAMPLE_OR_SKIP(first, kOpus);
  OPEN_SAMPLE_OR_SKIP(second, kOpus, as_s32);
  ASSERT_NE(first->stream->format(), second->stream->format());
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  ASSERT_TRUE(player.play(*first->stream));
  ASSERT_TRUE(player.play(*second->stream));
  EXPECT_EQ(sink.events, (Events{"open", "write", "close", "open", "write"}));
  EXPECT_EQ(sink.opens, (std::vector<AudioFormat>{first->stream->format(), second->stream->format()}));
}

// A FLAC stream whose frames have `frame_channels` channels each (1152
// frames apiece), STREAMINFO saying `channels`.
test::Bytes flac_with_channels(std::uint8_t channels, std::vector<std::uint8_t> frame_channels,
                               std::vector<std::int16_t>& samples) {
  test::FlacStreamSpec spec;
  spec.channels = channels;
  spec.frame_channels = std::move(frame_channels);
  for (std::size_t i = 0; i < spec.frame_channels.size(); ++i) {
    spec.frames.push_back(test::flac_test_samples(1152 * spec.frame_channels[i], static_cast<std::uint32_t>(i)));
    samples.insert(samples.end(), spec.frames.back().begin(), spec.frames.back().end());
  }
  return test::build_flac(spec);
}

TEST(Player, FormatChangeMidStreamPlaysOutAndReopensTheSink) {
  std::vector<std::int16_t> samples;
  const test::Bytes file = flac_with_channels(1, {1, 2, 2, 1}, samples);
  core::MemorySource source(file);
  auto stream = AudioStream::open(source, registry());
  ASSERT_TRUE(stream) << stream.error().message;
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  double seconds = 0;
  ASSERT_TRUE(player.play(*stream, [&](const Progress& p) { seconds = p.seconds; }));
  ASSERT_TRUE(player.finish());
  EXPECT_EQ(sink.events, (Events{"open", "write", "close", "open", "write", "close", "open", "write", "close"}));
  ASSERT_EQ(sink.opens.size(), 3u);
  EXPECT_EQ(sink.opens[0].channels, 1u);
  EXPECT_EQ(sink.opens[1].channels, 2u);
  EXPECT_EQ(sink.opens[2].channels, 1u);
  ASSERT_EQ(sink.data.size(), samples.size() * 2);
  EXPECT_EQ(std::memcmp(sink.data.data(), samples.data(), sink.data.size()), 0);
  EXPECT_NEAR(seconds, 4 * 1152 / 44100.0, 1e-9);
}

// A sink holding one format (a WAV file) is not closed, so not committed,
// when the format changes: the change fails as the sink's.
TEST(Player, FormatChangeToASinkThatDoesNotReopenFailsBeforeClosing) {
  std::vector<std::int16_t> samples;
  const test::Bytes file = flac_with_channels(1, {1, 2}, samples);
  core::MemorySource source(file);
  auto stream = AudioStream::open(source, registry());
  ASSERT_TRUE(stream) << stream.error().message;
  RecordingSink sink;
  sink.reopen = false;
  Player player(sink, kSmallBuffers);
  auto played = player.play(*stream);
  ASSERT_FALSE(played);
  EXPECT_EQ(played.error().code, Errc::unsupported);
  EXPECT_TRUE(player.sink_failed());
  EXPECT_EQ(sink.events, (Events{"open", "write"}));
  EXPECT_EQ(sink.data.size(), 1152u * 2);  // the mono frame
}

// The frames, not a wrong STREAMINFO, say what the sink is opened with.
TEST(Player, TheFirstBlockSaysTheFormat) {
  std::vector<std::int16_t> samples;
  const test::Bytes file = flac_with_channels(2, {1, 1}, samples);
  core::MemorySource source(file);
  auto stream = AudioStream::open(source, registry());
  ASSERT_TRUE(stream) << stream.error().message;
  ASSERT_EQ(stream->format().channels, 2u);  // STREAMINFO's, until a block says otherwise
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  ASSERT_TRUE(player.play(*stream));
  EXPECT_EQ(sink.events, (Events{"open", "write"}));
  ASSERT_EQ(sink.opens.size(), 1u);
  EXPECT_EQ(sink.opens[0].channels, 1u);
  EXPECT_EQ(sink.data.size(), samples.size() * 2);
}

TEST(Player, SinkWriteErrorStopsPlayback) {
  OPEN_SAMPLE_OR_SKIP(s, kOpus);
  RecordingSink sink;
  sink.fail_write_at = 3;
  Player player(sink, kSmallBuffers);
  auto played = player.play(*s->stream);  // returns: the decode thread was stopped
  ASSERT_FALSE(played);
  EXPECT_EQ(played.error().code, Errc::io);
  EXPECT_EQ(sink.write_sizes.size(), 3u);
}

TEST(Player, OddFrameSizesCrossTheRingIntact) {
  // s24 stereo: 6-byte frames, so frames straddle the end of the 4096-byte ring.
  StreamOptions as_s24;
  as_s24.format = core::SampleFormat::s24;
  OPEN_SAMPLE_OR_SKIP(s, kFlac, as_s24);
  ASSERT_EQ(4096 % s->stream->format().bytes_per_frame(), 4u);
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  ASSERT_TRUE(player.play(*s->stream));
  EXPECT_TRUE(sink.data == decode_directly(kFlac, as_s24));
}

TEST(Player, StreamErrorIsReturnedAfterWhatWasDecodedPlays) {
  if (!std::filesystem::exists(sample_path(kOpus))) GTEST_SKIP() << "sample absent";
  // Cut the file inside mdat: packets past the cut cannot be read.
  const auto size = std::filesystem::file_size(sample_path(kOpus));
  auto s = open_stream(kOpus, {}, static_cast<std::size_t>(size * 6 / 10));
  ASSERT_TRUE(s);
  RecordingSink sink;
  Player player(sink, kSmallBuffers);
  auto played = player.play(*s->stream);
  ASSERT_FALSE(played);
  EXPECT_NE(played.error().code, Errc::end_of_stream) << "a cut file is not a normal end";
  // Everything decoded before the cut reached the sink.
  const auto whole = decode_directly(kOpus);
  ASSERT_FALSE(sink.data.empty());
  EXPECT_LT(sink.data.size(), whole.size());
  EXPECT_TRUE(std::equal(sink.data.begin(), sink.data.end(), whole.begin()));
}

TEST(Player, SinkOpenErrorIsReturned) {
  OPEN_SAMPLE_OR_SKIP(s, kOpus);
  RecordingSink sink;
  sink.fail_open = core::make_error(Errc::unsupported, "test sink refuses");
  Player player(sink, kSmallBuffers);
  auto played = player.play(*s->stream);
  ASSERT_FALSE(played);
  EXPECT_EQ(played.error().code, Errc::unsupported);
  EXPECT_TRUE(sink.write_sizes.empty());
  EXPECT_TRUE(player.finish());
  EXPECT_EQ(sink.events, Events{"open"});  // never opened: not closed
}

}  // namespace
}  // namespace frugal::player
