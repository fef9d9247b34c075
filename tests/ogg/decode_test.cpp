// Ogg Opus files built from libopus packets, played through AudioStream
// (the demuxer's timing and edit list, the Opus decoder, the player's
// trimming) against opusdec, the reference player (RFC 7845 §4: pre-skip,
// late starts, end trimming), bit for bit; and seeking in them.
#include "support/media.hpp"
#include "support/ogg_writer.hpp"
#include "support/temp_dir.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/player/audio_stream.hpp>

#include <opus.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>

using namespace frugal;
using test::Bytes;
using test::OpusFileSpec;

namespace {

// `seconds` of a two-tone stereo signal (mono: one tone) in 20 ms packets
// from libopus (pre-skip: the encoder's lookahead).
OpusFileSpec encoded(double seconds, std::uint8_t channels = 2) {
  OpusFileSpec spec;
  spec.channels = channels;
  int err = OPUS_OK;
  std::unique_ptr<OpusEncoder, decltype(&opus_encoder_destroy)> enc(
      opus_encoder_create(48000, channels, OPUS_APPLICATION_AUDIO, &err), opus_encoder_destroy);
  EXPECT_EQ(err, OPUS_OK);
  opus_int32 lookahead = 0;
  opus_encoder_ctl(enc.get(), OPUS_GET_LOOKAHEAD(&lookahead));
  spec.pre_skip = static_cast<std::uint16_t>(lookahead);
  const int packets = static_cast<int>(seconds * 50);
  std::vector<opus_int16> pcm(960 * channels);
  std::vector<unsigned char> out(4000);
  for (int p = 0; p < packets; ++p) {
    for (int i = 0; i < 960; ++i) {
      const double t = (p * 960 + i) / 48000.0;
      pcm[channels * i] = static_cast<opus_int16>(std::lrint(12000 * std::sin(2 * std::numbers::pi * 440 * t)));
      if (channels == 2)
        pcm[2 * i + 1] = static_cast<opus_int16>(std::lrint(9000 * std::sin(2 * std::numbers::pi * 660 * t)));
    }
    const int n = opus_encode(enc.get(), pcm.data(), 960, out.data(), static_cast<opus_int32>(out.size()));
    EXPECT_GT(n, 0);
    spec.packets.emplace_back(reinterpret_cast<std::byte*>(out.data()), reinterpret_cast<std::byte*>(out.data()) + n);
  }
  return spec;
}

// What AudioStream plays of `file`, from output frame `from`, s16.
std::string play(const Bytes& file, std::uint64_t from = 0) {
  core::MemorySource source(file);
  const auto registry = codec::DecoderRegistry::with_builtins();
  auto stream = player::AudioStream::open(source, registry);
  EXPECT_TRUE(stream) << stream.error().message;
  if (!stream) return {};
  if (from != 0) {
    EXPECT_TRUE(stream->seek(from));
  }
  std::string pcm;
  for (;;) {
    auto block = stream->read();
    EXPECT_TRUE(block) << block.error().message;
    if (!block || block->empty()) return pcm;
    pcm.append(reinterpret_cast<const char*>(block->data()), block->size());
  }
}

// opusdec's decode of `file`: the data after its 44-byte WAV header.
std::optional<std::string> opusdec(const test::TempDir& dir, const Bytes& file) {
  const std::string in = dir.write("in.opus", file), out = dir.file("out.wav");
  const auto r = test::run_command("opusdec --quiet --no-dither --rate 48000 " + test::shell_quote(in) + " " +
                                   test::shell_quote(out));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string wav = test::read_file(out);
  if (wav.size() < 44) return std::nullopt;
  return wav.substr(44);
}

// After a seek to each of `starts` (output frames, s16 stereo) the output
// is the same frames as `full`, the decode from the start, once the
// decoder has converged after the player's 80 ms pre-roll.
void expect_seeks_converge(const Bytes& file, const std::string& full, std::initializer_list<std::uint64_t> starts) {
  const std::size_t frame = 4;
  for (std::uint64_t start : starts) {
    const std::string slice = play(file, start);
    ASSERT_EQ(slice.size(), full.size() - start * frame) << "start " << start;
    int late = 0;
    for (std::size_t i = 9600 * frame / 2; i < slice.size() / 2; ++i) {  // after 200 ms
      std::int16_t a, b;
      std::memcpy(&a, slice.data() + 2 * i, 2);
      std::memcpy(&b, full.data() + start * frame + 2 * i, 2);
      late = std::max(late, std::abs(a - b));
    }
    EXPECT_LE(late, 8) << "start " << start;
  }
}

struct Case {
  const char* name;
  std::int64_t start_granule;
  std::int64_t end_trim;
  std::uint16_t pre_skip;  // 0: the encoder's
  std::uint32_t packets_per_page;
};

class OggOpusAgainstOpusdec : public testing::TestWithParam<Case> {};

}  // namespace

TEST_P(OggOpusAgainstOpusdec, SamePcm) {
  FRUGAL_REQUIRE_PROGRAM(opusdec_path, "opusdec");
  const Case& c = GetParam();
  OpusFileSpec spec = encoded(1.0);
  spec.start_granule = c.start_granule;
  spec.end_trim = c.end_trim;
  if (c.pre_skip) spec.pre_skip = c.pre_skip;
  spec.packets_per_page = c.packets_per_page;
  const Bytes file = test::ogg_opus_file(spec);
  test::TempDir dir;
  const auto want = opusdec(dir, file);
  ASSERT_TRUE(want);
  const std::string ours = play(file);
  EXPECT_EQ(ours.size(), want->size());
  EXPECT_TRUE(test::opus_pcm_matches(ours, *want));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, OggOpusAgainstOpusdec,
    testing::Values(Case{"plain", 0, 0, 0, 0}, Case{"end_trim", 0, 555, 0, 4},
                    Case{"late_start", 48'000 * 3, 0, 0, 4}, Case{"late_start_end_trim", 9600, 333, 0, 1},
                    Case{"long_pre_skip", 0, 0, 3000, 1}),
    [](const testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

// After a seek the output is the same frames as a decode from the start,
// once the decoder has converged after the player's 80 ms pre-roll.
TEST(OggOpusSeek, SliceConvergesToTheFullDecode) {
  OpusFileSpec spec = encoded(6.0);
  spec.start_granule = 4800;
  spec.end_trim = 200;
  const Bytes file = test::ogg_opus_file(spec);
  const std::string full = play(file);
  const std::size_t frame = 4;  // s16 stereo
  ASSERT_EQ(full.size(), (6 * 48000 - 200 - spec.pre_skip) * frame);
  expect_seeks_converge(file, full, {1u, 48'000u, 100'001u, 200'000u, 250'000u});
}

namespace {

// Links one after the other (RFC 3533 §4: chaining).
Bytes chain(const std::vector<OpusFileSpec>& links) {
  Bytes file;
  for (const OpusFileSpec& spec : links) {
    const Bytes link = test::ogg_opus_file(spec);
    file.insert(file.end(), link.begin(), link.end());
  }
  return file;
}

OpusFileSpec link(double seconds, std::uint32_t serial, std::uint16_t pre_skip, std::int64_t end_trim,
                  std::int64_t start_granule, std::uint8_t channels = 2) {
  OpusFileSpec spec = encoded(seconds, channels);
  spec.serial = serial;
  if (pre_skip) spec.pre_skip = pre_skip;
  spec.end_trim = end_trim;
  spec.start_granule = start_granule;
  spec.packets_per_page = 5;
  return spec;
}

std::vector<OpusFileSpec> three_links() {
  return {link(1.0, 0x11, 0, 555, 0), link(0.6, 0x22, 1000, 0, 4800), link(1.4, 0x33, 2000, 123, 0)};
}

}  // namespace

TEST(OggOpusChain, PlaysEveryLinkAsOpusdec) {
  FRUGAL_REQUIRE_PROGRAM(opusdec_path, "opusdec");
  const std::vector<OpusFileSpec> links = three_links();
  for (std::size_t n : {2u, 3u}) {
    const Bytes file = chain(std::vector(links.begin(), links.begin() + static_cast<std::ptrdiff_t>(n)));
    test::TempDir dir;
    const auto want = opusdec(dir, file);
    ASSERT_TRUE(want);
    const std::string ours = play(file);
    EXPECT_EQ(ours.size(), want->size()) << n << " links";
    EXPECT_TRUE(test::opus_pcm_matches(ours, *want)) << n << " links";
  }
}

// Seeking into the second and third links: the full decode after pre-roll.
TEST(OggOpusChain, SeeksIntoLaterLinks) {
  const std::vector<OpusFileSpec> links = three_links();
  const Bytes file = chain(links);
  const std::string full = play(file);
  const std::size_t frame = 4;  // s16 stereo
  std::size_t total = 0;
  for (const OpusFileSpec& l : links) total += l.packets.size() * 960 - l.pre_skip - static_cast<std::size_t>(l.end_trim);
  ASSERT_EQ(full.size(), total * frame);
  expect_seeks_converge(file, full, {30'000u, 47'000u, 60'000u, 80'000u, 130'000u});
}

// A link of another channel count changes the stream's format there; each
// link plays as it does alone.
TEST(OggOpusChain, LinkOfAnotherChannelCountChangesTheFormat) {
  const std::vector<OpusFileSpec> links = {link(1.0, 0x11, 0, 555, 0), link(0.6, 0x22, 1000, 0, 4800, 1),
                                           link(0.4, 0x33, 0, 0, 0)};
  const Bytes file = chain(links);
  core::MemorySource source(file);
  const auto registry = codec::DecoderRegistry::with_builtins();
  auto stream = player::AudioStream::open(source, registry);
  ASSERT_TRUE(stream) << stream.error().message;
  std::vector<std::uint16_t> channels;  // of each run of blocks in one format
  std::vector<std::string> runs;
  for (;;) {
    auto block = stream->read();
    ASSERT_TRUE(block) << block.error().message;
    if (block->empty()) break;
    if (channels.empty() || channels.back() != stream->format().channels) {
      channels.push_back(stream->format().channels);
      runs.emplace_back();
    }
    runs.back().append(reinterpret_cast<const char*>(block->data()), block->size());
  }
  EXPECT_EQ(channels, (std::vector<std::uint16_t>{2, 1, 2}));
  ASSERT_EQ(runs.size(), links.size());
  for (std::size_t i = 0; i < links.size(); ++i) {
    const std::string alone = play(chain({links[i]}));
    EXPECT_EQ(runs[i].size(), alone.size()) << "link " << i;
    EXPECT_TRUE(runs[i] == alone) << "link " << i << " differs from its decode alone";
  }
}
