// The FLAC decoder against libFLAC's encoder: a stream encoded in memory is
// split as an MP4 holds it (dfLa metadata blocks, one frame per packet) and
// must decode bit-exactly.
#include <frugal/codec/registry.hpp>

#include "codec/pcm_bytes.hpp"

#include <gtest/gtest.h>
#include <FLAC/metadata.h>
#include <FLAC/stream_encoder.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace frugal::codec {
namespace {

using core::Errc;
using Bytes = std::vector<std::byte>;

constexpr std::uint32_t kRate = 44100;
constexpr std::uint32_t kBlockSize = 1024;
constexpr std::size_t kFrames = 10000;  // 9 full blocks and a short last one

// A FLAC stream as an MP4 carries it.
struct FlacStream {
  Bytes config;               // metadata blocks after "fLaC" (dfLa)
  std::vector<Bytes> frames;  // one FLAC frame per packet
  std::vector<std::uint32_t> frame_samples;
};

FLAC__StreamEncoderWriteStatus collect(const FLAC__StreamEncoder*, const FLAC__byte buffer[], size_t bytes,
                                       uint32_t samples, uint32_t, void* client) {
  auto* stream = static_cast<FlacStream*>(client);
  const auto* data = reinterpret_cast<const std::byte*>(buffer);
  if (samples > 0) {  // a whole frame
    stream->frames.emplace_back(data, data + bytes);
    stream->frame_samples.push_back(samples);
  } else {  // "fLaC" and metadata blocks
    stream->config.insert(stream->config.end(), data, data + bytes);
  }
  return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

// Encodes interleaved, right-justified samples. Adds a PADDING block so the
// configuration holds more than STREAMINFO.
FlacStream encode(const std::vector<FLAC__int32>& pcm, unsigned channels, unsigned bits) {
  FlacStream out;
  std::unique_ptr<FLAC__StreamEncoder, decltype(&FLAC__stream_encoder_delete)> enc(FLAC__stream_encoder_new(),
                                                                                   FLAC__stream_encoder_delete);
  std::unique_ptr<FLAC__StreamMetadata, decltype(&FLAC__metadata_object_delete)> padding(
      FLAC__metadata_object_new(FLAC__METADATA_TYPE_PADDING), FLAC__metadata_object_delete);
  padding->length = 16;
  FLAC__StreamMetadata* metadata[] = {padding.get()};
  EXPECT_TRUE(FLAC__stream_encoder_set_channels(enc.get(), channels));
  EXPECT_TRUE(FLAC__stream_encoder_set_bits_per_sample(enc.get(), bits));
  EXPECT_TRUE(FLAC__stream_encoder_set_sample_rate(enc.get(), kRate));
  EXPECT_TRUE(FLAC__stream_encoder_set_blocksize(enc.get(), kBlockSize));
  EXPECT_TRUE(FLAC__stream_encoder_set_compression_level(enc.get(), 5));
  EXPECT_TRUE(FLAC__stream_encoder_set_metadata(enc.get(), metadata, 1));
  EXPECT_EQ(FLAC__stream_encoder_init_stream(enc.get(), collect, nullptr, nullptr, nullptr, &out),
            FLAC__STREAM_ENCODER_INIT_STATUS_OK);
  EXPECT_TRUE(
      FLAC__stream_encoder_process_interleaved(enc.get(), pcm.data(), static_cast<uint32_t>(pcm.size() / channels)));
  EXPECT_TRUE(FLAC__stream_encoder_finish(enc.get()));
  // Drop "fLaC": dfLa holds the metadata blocks only.
  EXPECT_GE(out.config.size(), 4u);
  EXPECT_EQ(std::memcmp(out.config.data(), "fLaC", 4), 0);
  out.config.erase(out.config.begin(), out.config.begin() + 4);
  return out;
}

// Channel 0: a loud sine touching both extremes; others: noise.
std::vector<FLAC__int32> signal(unsigned channels, unsigned bits) {
  const double max = std::ldexp(1.0, static_cast<int>(bits) - 1) - 1;
  const auto lo = static_cast<FLAC__int32>(-max - 1), hi = static_cast<FLAC__int32>(max);
  std::mt19937 rng(bits * 100 + channels);
  std::uniform_int_distribution<FLAC__int32> noise(lo / 4, hi / 4);
  std::vector<FLAC__int32> pcm(kFrames * channels);
  for (std::size_t i = 0; i < kFrames; ++i) {
    const double s = std::sin(2 * std::numbers::pi * 440.0 * static_cast<double>(i) / kRate);
    pcm[i * channels] = static_cast<FLAC__int32>(std::clamp(std::lrint((max + 1) * s), long{lo}, long{hi}));
    for (unsigned ch = 1; ch < channels; ++ch) pcm[i * channels + ch] = noise(rng);
  }
  pcm[0] = lo;
  pcm[channels] = hi;
  return pcm;
}

core::CodecParameters flac_params(const FlacStream& stream, unsigned channels, unsigned bits) {
  core::CodecParameters p;
  p.codec = core::Codec::flac;
  p.format = core::FourCC("fLaC");
  p.sample_rate = kRate;
  p.channels = static_cast<std::uint16_t>(channels);
  p.bits_per_sample = static_cast<std::uint16_t>(bits);
  p.config = stream.config;
  return p;
}

// What the decoder must output for `pcm`: left-justified s16 (up to 16 bits)
// or s32.
Bytes expected_output(const std::vector<FLAC__int32>& pcm, unsigned bits) {
  if (bits <= 16) {
    std::vector<std::int16_t> out;
    for (FLAC__int32 v : pcm) out.push_back(static_cast<std::int16_t>(static_cast<std::uint32_t>(v) << (16 - bits)));
    return test::to_bytes(out);
  }
  std::vector<std::int32_t> out;
  for (FLAC__int32 v : pcm) out.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(v) << (32 - bits)));
  return test::to_bytes(out);
}

struct Depth {
  unsigned bits;
  unsigned channels;
};

void PrintTo(const Depth& d, std::ostream* os) { *os << d.bits << " bits, " << d.channels << " ch"; }

// One encoded stream and what decoding each frame must give.
class FlacFixture {
 public:
  FlacFixture(unsigned bits, unsigned channels)
      : bits_(bits),
        channels_(channels),
        pcm_(signal(channels, bits)),
        stream_(encode(pcm_, channels, bits)),
        expected_(expected_output(pcm_, bits)) {}

  const FlacStream& stream() const { return stream_; }
  core::CodecParameters params() const { return flac_params(stream_, channels_, bits_); }

  std::unique_ptr<Decoder> make_decoder() const {
    auto decoder = DecoderRegistry::with_builtins().create(params());
    EXPECT_TRUE(decoder) << decoder.error().message;
    return decoder ? std::move(*decoder) : nullptr;
  }

  // The expected output bytes of frame `i`.
  std::span<const std::byte> expected(std::size_t i) const {
    std::size_t first = 0;
    for (std::size_t k = 0; k < i; ++k) first += stream_.frame_samples[k];
    const std::size_t frame_bytes = (bits_ <= 16 ? 2 : 4) * channels_;
    return std::span(expected_).subspan(first * frame_bytes, stream_.frame_samples[i] * frame_bytes);
  }

  // Decodes packet `packet` and checks that it gives frame `i` exactly.
  void expect_frame(Decoder& decoder, std::span<const std::byte> packet, std::size_t i) const {
    auto block = decoder.decode(packet);
    ASSERT_TRUE(block) << "frame " << i << ": " << block.error().message;
    EXPECT_EQ(block->frames, stream_.frame_samples[i]) << "frame " << i;
    EXPECT_TRUE(std::ranges::equal(block->data, expected(i))) << "frame " << i << " differs";
  }
  void expect_frame(Decoder& decoder, std::size_t i) const { expect_frame(decoder, stream_.frames[i], i); }

 private:
  unsigned bits_;
  unsigned channels_;
  std::vector<FLAC__int32> pcm_;
  FlacStream stream_;
  Bytes expected_;
};

void expect_malformed(Decoder& decoder, std::span<const std::byte> packet) {
  auto block = decoder.decode(packet);
  ASSERT_FALSE(block) << "a damaged frame decoded";
  EXPECT_EQ(block.error().code, Errc::malformed);
}

class FlacDepths : public testing::TestWithParam<Depth> {};

TEST_P(FlacDepths, DecodesBitExactly) {
  const auto [bits, channels] = GetParam();
  const FlacFixture fixture(bits, channels);
  ASSERT_EQ(fixture.stream().frames.size(), (kFrames + kBlockSize - 1) / kBlockSize);
  auto decoder = fixture.make_decoder();
  ASSERT_TRUE(decoder);
  const core::AudioFormat expected_format{kRate, static_cast<std::uint16_t>(channels),
                                          bits <= 16 ? core::SampleFormat::s16 : core::SampleFormat::s32,
                                          static_cast<std::uint8_t>(bits)};
  EXPECT_EQ(decoder->format(), expected_format);
  for (std::size_t i = 0; i < fixture.stream().frames.size(); ++i) fixture.expect_frame(*decoder, i);
}

INSTANTIATE_TEST_SUITE_P(Depths, FlacDepths,
                         testing::Values(Depth{8, 2}, Depth{12, 1}, Depth{16, 2}, Depth{16, 6}, Depth{20, 2},
                                         Depth{24, 2}, Depth{32, 2}),
                         [](const testing::TestParamInfo<Depth>& param_info) {
                           return std::to_string(param_info.param.bits) + "bit_" +
                                  std::to_string(param_info.param.channels) + "ch";
                         });

class FlacDamage : public testing::Test {
 protected:
  FlacFixture fixture_{16, 2};
  std::unique_ptr<Decoder> decoder_ = fixture_.make_decoder();
};

TEST_F(FlacDamage, CorruptFrameIsMalformedAndTheNextDecodes) {
  ASSERT_TRUE(decoder_);
  Bytes corrupt = fixture_.stream().frames[3];
  for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 4; ++i) corrupt[i] ^= std::byte{0xFF};
  for (std::size_t i = 0; i < 3; ++i) fixture_.expect_frame(*decoder_, i);
  expect_malformed(*decoder_, corrupt);
  for (std::size_t i = 4; i < fixture_.stream().frames.size(); ++i) fixture_.expect_frame(*decoder_, i);
}

TEST_F(FlacDamage, TruncatedFrameIsMalformedAndTheNextDecodes) {
  ASSERT_TRUE(decoder_);
  const Bytes& frame = fixture_.stream().frames[3];
  fixture_.expect_frame(*decoder_, 2);
  expect_malformed(*decoder_, std::span(frame).first(frame.size() / 2));
  fixture_.expect_frame(*decoder_, 3);                                    // the whole frame, retried
  expect_malformed(*decoder_, std::span(frame).first(frame.size() - 1));  // only the CRC cut
  fixture_.expect_frame(*decoder_, 4);
}

TEST_F(FlacDamage, EmptyPacketIsMalformed) {
  ASSERT_TRUE(decoder_);
  expect_malformed(*decoder_, {});
  fixture_.expect_frame(*decoder_, 0);
}

TEST_F(FlacDamage, GarbagePacketIsMalformed) {
  ASSERT_TRUE(decoder_);
  expect_malformed(*decoder_, Bytes(300, std::byte{0x5A}));
  fixture_.expect_frame(*decoder_, 1);
}

TEST(FlacDecoder, FramesDecodeInAnyOrderAfterReset) {
  const FlacFixture fixture(24, 2);
  auto decoder = fixture.make_decoder();
  ASSERT_TRUE(decoder);
  fixture.expect_frame(*decoder, 5);
  decoder->reset();
  fixture.expect_frame(*decoder, 2);
  decoder->reset();
  fixture.expect_frame(*decoder, 9);  // the short last frame
  decoder->reset();
  fixture.expect_frame(*decoder, 0);
}

// Regression: a packet whose FLAC frame number does not follow the previous
// packet's (a packet skipped without reset(), an MP4 with frames cut out)
// must still decode. libFLAC >= 1.4 "repairs" such a gap with frames of
// silence from inside one process_single call; with libFLAC 1.4.2 the real
// frame itself came out as silence.
TEST(FlacDecoder, PacketsDecodeIndependentlyOfTheirPredecessor) {
  const FlacFixture fixture(16, 2);
  auto decoder = fixture.make_decoder();
  ASSERT_TRUE(decoder);
  fixture.expect_frame(*decoder, 2);
  fixture.expect_frame(*decoder, 4);  // frame 3 skipped, no reset
  fixture.expect_frame(*decoder, 5);
}

// A frame of another format than the parameters' (more or fewer channels,
// more bits: a stream changing format mid-way, or a wrong STREAMINFO)
// decodes in its own format (RFC 9639 §9.1): the block says it.
TEST(FlacDecoder, FrameOfAnotherFormatThanTheParametersComesInItsOwn) {
  const FlacFixture fixture(24, 2);
  for (auto change :
       {+[](core::CodecParameters& p) { p.channels = 1; }, +[](core::CodecParameters& p) { p.bits_per_sample = 16; }}) {
    auto params = fixture.params();
    change(params);
    auto decoder = DecoderRegistry::with_builtins().create(params);
    if (!decoder) {  // refused up front (STREAMINFO and the parameters disagree), or ...
      EXPECT_EQ(decoder.error().code, Errc::malformed);
      continue;
    }
    auto block = (*decoder)->decode(fixture.stream().frames[0]);  // ... decoded as the frame says
    ASSERT_TRUE(block) << block.error().message;
    EXPECT_EQ(block->format.channels, 2u);
    EXPECT_EQ(block->format.valid_bits, 24u);
    EXPECT_EQ(block->format.format, core::SampleFormat::s32);
    const auto expected = fixture.expected(0);
    ASSERT_EQ(block->data.size(), expected.size());
    EXPECT_TRUE(std::equal(block->data.begin(), block->data.end(), expected.begin()));
  }
}

struct BadConfig {
  std::string name;
  void (*change)(core::CodecParameters&);
};

void PrintTo(const BadConfig& b, std::ostream* os) { *os << b.name; }

class FlacBadConfig : public testing::TestWithParam<BadConfig> {};

TEST_P(FlacBadConfig, IsMalformed) {
  const FlacFixture fixture(16, 2);
  auto params = fixture.params();
  GetParam().change(params);
  auto decoder = DecoderRegistry::with_builtins().create(params);
  ASSERT_FALSE(decoder);
  EXPECT_EQ(decoder.error().code, Errc::malformed) << decoder.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FlacBadConfig,
    testing::Values(BadConfig{"empty", [](core::CodecParameters& p) { p.config.clear(); }},
                    BadConfig{"streaminfo_cut_short", [](core::CodecParameters& p) { p.config.resize(20); }},
                    BadConfig{"block_length_past_end", [](core::CodecParameters& p) { p.config[1] = std::byte{0x7F}; }},
                    BadConfig{"zero_channels", [](core::CodecParameters& p) { p.channels = 0; }},
                    BadConfig{"zero_bits", [](core::CodecParameters& p) { p.bits_per_sample = 0; }},
                    BadConfig{"zero_rate", [](core::CodecParameters& p) { p.sample_rate = 0; }}),
    [](const testing::TestParamInfo<BadConfig>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace frugal::codec
