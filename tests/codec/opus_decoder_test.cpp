// The Opus decoder against libopus itself: packets come from libopus's
// encoder, reference output from its plain decoder API.
#include <frugal/codec/registry.hpp>

#include "codec/dops.hpp"
#include "codec/pcm_bytes.hpp"

#include <gtest/gtest.h>
#include <opus.h>
#include <opus_multistream.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

namespace frugal::codec {
namespace {

using core::Errc;
using Packet = std::vector<unsigned char>;

constexpr int kRate = 48000;
constexpr int kFrame = 960;      // 20 ms at 48 kHz
constexpr int kMaxFrame = 5760;  // 120 ms, the longest Opus packet
constexpr int kPackets = 50;     // one second

// Interleaved s16 sines, one frequency per channel.
std::vector<opus_int16> tones(const std::vector<double>& freqs, double amplitude = 0.5) {
  const std::size_t channels = freqs.size();
  std::vector<opus_int16> pcm(std::size_t{kFrame} * kPackets * channels);
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    const double t = static_cast<double>(i / channels) / kRate;
    pcm[i] = static_cast<opus_int16>(
        std::lrint(32767 * amplitude * std::sin(2 * std::numbers::pi * freqs[i % channels] * t)));
  }
  return pcm;
}

// Packets from libopus's multistream surround encoder (family 0 for mono and
// stereo gives ordinary single-stream packets), with what dOps needs.
struct Encoded {
  std::vector<Packet> packets;
  test::DopsFields dops;
};

Encoded encode(const std::vector<opus_int16>& pcm, int channels, int family) {
  Encoded out;
  int streams = 0, coupled = 0, err = OPUS_OK;
  std::vector<unsigned char> mapping(static_cast<std::size_t>(channels));
  std::unique_ptr<OpusMSEncoder, decltype(&opus_multistream_encoder_destroy)> enc(
      opus_multistream_surround_encoder_create(kRate, channels, family, &streams, &coupled, mapping.data(),
                                               OPUS_APPLICATION_AUDIO, &err),
      opus_multistream_encoder_destroy);
  EXPECT_EQ(err, OPUS_OK);
  if (!enc) return out;
  opus_multistream_encoder_ctl(enc.get(), OPUS_SET_BITRATE(64000 * channels));
  opus_int32 lookahead = 0;
  opus_multistream_encoder_ctl(enc.get(), OPUS_GET_LOOKAHEAD(&lookahead));

  std::vector<unsigned char> buf(4000 * static_cast<std::size_t>(channels));
  for (int p = 0; p < kPackets; ++p) {
    const int n = opus_multistream_encode(enc.get(), &pcm[std::size_t{kFrame} * p * channels], kFrame, buf.data(),
                                          static_cast<opus_int32>(buf.size()));
    EXPECT_GT(n, 0);
    if (n > 0) out.packets.emplace_back(buf.begin(), buf.begin() + n);
  }
  out.dops.channels = static_cast<std::uint8_t>(channels);
  out.dops.pre_skip = static_cast<std::uint16_t>(lookahead);
  out.dops.mapping_family = static_cast<std::uint8_t>(family);
  out.dops.streams = static_cast<std::uint8_t>(streams);
  out.dops.coupled = static_cast<std::uint8_t>(coupled);
  out.dops.mapping.assign(mapping.begin(), mapping.end());
  return out;
}

core::CodecParameters opus_params(const test::DopsFields& dops) {
  core::CodecParameters p;
  p.codec = core::Codec::opus;
  p.format = core::FourCC("Opus");
  p.sample_rate = kRate;
  p.channels = dops.channels;
  p.config = test::make_dops(dops);
  return p;
}

std::unique_ptr<Decoder> make_decoder(const test::DopsFields& dops, DecoderOptions options = {}) {
  auto decoder = DecoderRegistry::with_builtins().create(opus_params(dops), options);
  EXPECT_TRUE(decoder) << decoder.error().message;
  return decoder ? std::move(*decoder) : nullptr;
}

std::span<const std::byte> as_bytes(const Packet& p) { return std::as_bytes(std::span(p)); }

// Decodes every packet with frugal; each must give one 20 ms frame.
template <typename T>
std::vector<T> decode_all(Decoder& decoder, const std::vector<Packet>& packets) {
  std::vector<T> out;
  for (const Packet& packet : packets) {
    auto block = decoder.decode(as_bytes(packet));
    EXPECT_TRUE(block) << block.error().message;
    if (!block) break;
    EXPECT_EQ(block->frames, std::size_t{kFrame});
    const auto samples = test::from_bytes<T>(block->data);
    EXPECT_EQ(samples.size(), block->frames * decoder.format().channels);
    out.insert(out.end(), samples.begin(), samples.end());
  }
  return out;
}

// libopus's own single-stream decoder, as the reference (mono or stereo).
class ReferenceDecoder {
 public:
  explicit ReferenceDecoder(int channels, int gain = 0) : channels_(channels) {
    int err = OPUS_OK;
    dec_.reset(opus_decoder_create(kRate, channels, &err));
    EXPECT_EQ(err, OPUS_OK);
    if (gain != 0) opus_decoder_ctl(dec_.get(), OPUS_SET_GAIN(gain));
  }
  // Decodes one packet, appending to `out`; returns libopus's result.
  int decode(const Packet& packet, std::vector<opus_int16>& out) {
    std::vector<opus_int16> buf(std::size_t{kMaxFrame} * channels_);
    const int n =
        opus_decode(dec_.get(), packet.data(), static_cast<opus_int32>(packet.size()), buf.data(), kMaxFrame, 0);
    if (n > 0) out.insert(out.end(), buf.begin(), buf.begin() + n * channels_);
    return n;
  }
  int decode(const Packet& packet, std::vector<float>& out) {
    std::vector<float> buf(std::size_t{kMaxFrame} * channels_);
    const int n =
        opus_decode_float(dec_.get(), packet.data(), static_cast<opus_int32>(packet.size()), buf.data(), kMaxFrame, 0);
    if (n > 0) out.insert(out.end(), buf.begin(), buf.begin() + n * channels_);
    return n;
  }
  template <typename T>
  std::vector<T> decode_all(const std::vector<Packet>& packets) {
    std::vector<T> out;
    for (const Packet& p : packets) EXPECT_EQ(decode(p, out), kFrame);
    return out;
  }

 private:
  int channels_;
  std::unique_ptr<OpusDecoder, decltype(&opus_decoder_destroy)> dec_{nullptr, opus_decoder_destroy};
};

template <typename T>
double rms(const std::vector<T>& x, std::size_t from = 0) {
  double sum = 0;
  for (std::size_t i = from; i < x.size(); ++i) sum += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  return std::sqrt(sum / static_cast<double>(x.size() - from));
}

// Normalized correlation of mono signals a[i + lag] and b[i].
double correlation(const std::vector<opus_int16>& a, const std::vector<opus_int16>& b, std::size_t lag) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i + lag < a.size() && i < b.size(); ++i) {
    ab += static_cast<double>(a[i + lag]) * b[i];
    aa += static_cast<double>(a[i + lag]) * a[i + lag];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

// Power of `freq` in channel `ch` of interleaved `pcm` (Goertzel), skipping
// the first `skip` frames (encoder start-up).
double tone_power(const std::vector<opus_int16>& pcm, int channels, int ch, double freq, std::size_t skip) {
  const double coeff = 2 * std::cos(2 * std::numbers::pi * freq / kRate);
  double s1 = 0, s2 = 0;
  for (std::size_t i = skip * channels + ch; i < pcm.size(); i += channels) {
    const double s0 = pcm[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

// --- family 0: mono and stereo, bit-exact against opus_decode ---------------

class OpusFamily0 : public testing::TestWithParam<int> {
 protected:
  int channels() const { return GetParam(); }
  std::vector<opus_int16> input() const { return tones(std::vector<double>(channels(), 1000.0)); }
};

TEST_P(OpusFamily0, MatchesLibopusBitForBit) {
  const Encoded enc = encode(input(), channels(), 0);
  ASSERT_EQ(enc.packets.size(), std::size_t{kPackets});
  auto decoder = make_decoder(enc.dops);
  ASSERT_TRUE(decoder);
  EXPECT_EQ(decoder->format(),
            (core::AudioFormat{48000, static_cast<std::uint16_t>(channels()), core::SampleFormat::s16, 16}));

  const auto ours = decode_all<opus_int16>(*decoder, enc.packets);
  EXPECT_EQ(ours.size(), std::size_t{kFrame} * kPackets * channels());
  EXPECT_TRUE(ours == ReferenceDecoder(channels()).decode_all<opus_int16>(enc.packets)) << "differs from opus_decode";
}

TEST_P(OpusFamily0, OutputFollowsTheInput) {
  const auto in = input();
  const Encoded enc = encode(in, channels(), 0);
  auto decoder = make_decoder(enc.dops);
  ASSERT_TRUE(decoder);
  const auto out = decode_all<opus_int16>(*decoder, enc.packets);
  // Steady state (after 100 ms) has the input's level, delayed by pre-skip.
  const std::size_t skip = 4800 * static_cast<std::size_t>(channels());
  EXPECT_NEAR(rms(out, skip) / rms(in, skip), 1.0, 0.1);
  EXPECT_GT(correlation(out, in, std::size_t{enc.dops.pre_skip} * channels()), 0.95);
}

TEST_P(OpusFamily0, FloatOutputMatchesOpusDecodeFloat) {
  const Encoded enc = encode(input(), channels(), 0);
  DecoderOptions options;
  options.float_output = true;
  auto decoder = make_decoder(enc.dops, options);
  ASSERT_TRUE(decoder);
  EXPECT_EQ(decoder->format().format, core::SampleFormat::f32);
  EXPECT_EQ(decoder->format().valid_bits, 32);
  const auto ours = decode_all<float>(*decoder, enc.packets);
  EXPECT_TRUE(ours == ReferenceDecoder(channels()).decode_all<float>(enc.packets)) << "differs from opus_decode_float";
}

TEST_P(OpusFamily0, OutputGainFromDopsIsApplied) {
  const Encoded quiet = encode(tones(std::vector<double>(channels(), 1000.0), 0.2), channels(), 0);
  constexpr int kGain = 6 * 256;  // +6 dB in Q7.8
  test::DopsFields dops = quiet.dops;
  dops.output_gain = kGain;
  auto decoder = make_decoder(dops);
  ASSERT_TRUE(decoder);
  const auto gained = decode_all<opus_int16>(*decoder, quiet.packets);
  EXPECT_TRUE(gained == ReferenceDecoder(channels(), kGain).decode_all<opus_int16>(quiet.packets))
      << "differs from opus_decode with OPUS_SET_GAIN";
  const auto plain = ReferenceDecoder(channels()).decode_all<opus_int16>(quiet.packets);
  EXPECT_NEAR(rms(gained) / rms(plain), std::pow(10.0, 6.0 / 20), 0.02);
}

TEST_P(OpusFamily0, CorruptPacketIsMalformedAndDecodingGoesOn) {
  const Encoded enc = encode(input(), channels(), 0);
  auto decoder = make_decoder(enc.dops);
  ReferenceDecoder reference(channels());
  ASSERT_TRUE(decoder);
  // A code 3 packet (TOC byte, frame count byte) announcing zero frames.
  const Packet corrupt = {static_cast<unsigned char>(enc.packets[0][0] | 0x03), 0x00};
  std::vector<opus_int16> expected;
  for (int i = 0; i < kPackets; ++i) {
    const Packet& packet = enc.packets[static_cast<std::size_t>(i)];
    if (i == 10) {
      auto bad = decoder->decode(as_bytes(corrupt));
      ASSERT_FALSE(bad);
      EXPECT_EQ(bad.error().code, Errc::malformed);
      EXPECT_LT(reference.decode(corrupt, expected), 0);
    }
    auto block = decoder->decode(as_bytes(packet));
    ASSERT_TRUE(block) << "packet " << i << ": " << block.error().message;
    ASSERT_EQ(block->frames, std::size_t{kFrame});
    ASSERT_EQ(reference.decode(packet, expected), kFrame);
    const auto samples = test::from_bytes<opus_int16>(block->data);
    EXPECT_TRUE(std::equal(samples.begin(), samples.end(), expected.end() - kFrame * channels())) << "packet " << i;
  }
}

// libopus reads an empty packet as a lost one and invents up to 120 ms of
// audio; in a file an empty sample is an error instead.
TEST_P(OpusFamily0, EmptyPacketIsMalformed) {
  const Encoded enc = encode(input(), channels(), 0);
  auto decoder = make_decoder(enc.dops);
  ASSERT_TRUE(decoder);
  auto empty = decoder->decode({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::malformed);
  auto next = decoder->decode(as_bytes(enc.packets[0]));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->frames, std::size_t{kFrame});
}

TEST_P(OpusFamily0, ResetForgetsState) {
  const Encoded enc = encode(input(), channels(), 0);
  auto decoder = make_decoder(enc.dops);
  ASSERT_TRUE(decoder);
  const std::vector<Packet> tail(enc.packets.begin() + 25, enc.packets.end());
  (void)decode_all<opus_int16>(*decoder, std::vector<Packet>(enc.packets.begin(), enc.packets.begin() + 25));
  decoder->reset();
  // After reset, the tail decodes as a fresh decoder decodes it.
  EXPECT_TRUE(decode_all<opus_int16>(*decoder, tail) == ReferenceDecoder(channels()).decode_all<opus_int16>(tail));
}

INSTANTIATE_TEST_SUITE_P(MonoAndStereo, OpusFamily0, testing::Values(1, 2),
                         [](const testing::TestParamInfo<int>& param_info) {
                           return param_info.param == 1 ? std::string("mono") : std::string("stereo");
                         });

// --- family 1: Vorbis channel order in, WAVE_FORMAT_EXTENSIBLE order out ----

// For n channels, the Vorbis channel each WAV-order output channel carries
// (RFC 7845 §5.1.1.2 vs. the WAVE_FORMAT_EXTENSIBLE speaker order
// FL FR FC LFE BL BR SL SR; 6.1 puts BC before SL SR).
const std::vector<std::vector<int>> kWavFromVorbis = {
    {0},
    {0, 1},
    {0, 2, 1},
    {0, 1, 2, 3},
    {0, 2, 1, 3, 4},
    {0, 2, 1, 5, 3, 4},
    {0, 2, 1, 6, 5, 3, 4},
    {0, 2, 1, 7, 5, 6, 3, 4},
};

class OpusSurround : public testing::TestWithParam<int> {};

TEST_P(OpusSurround, ChannelsComeOutInWavOrder) {
  const int channels = GetParam();
  // A distinct tone per Vorbis-order input channel; the LFE (last, from 5.1 on) gets a low one.
  std::vector<double> freqs;
  for (int ch = 0; ch < channels; ++ch) freqs.push_back(channels >= 6 && ch == channels - 1 ? 60.0 : 400.0 + 200 * ch);
  const Encoded enc = encode(tones(freqs, 0.3), channels, 1);
  ASSERT_EQ(enc.packets.size(), std::size_t{kPackets});
  auto decoder = make_decoder(enc.dops);
  ASSERT_TRUE(decoder);
  ASSERT_EQ(decoder->format().channels, channels);
  const auto out = decode_all<opus_int16>(*decoder, enc.packets);

  const auto& order = kWavFromVorbis[static_cast<std::size_t>(channels - 1)];
  for (int wav = 0; wav < channels; ++wav) {
    const double expected_freq = freqs[static_cast<std::size_t>(order[static_cast<std::size_t>(wav)])];
    const double wanted = tone_power(out, channels, wav, expected_freq, 4800);
    for (double other : freqs) {
      if (other == expected_freq) continue;
      EXPECT_GT(wanted, 10 * tone_power(out, channels, wav, other, 4800))
          << "output channel " << wav << " should carry " << expected_freq << " Hz, not " << other << " Hz";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ThreeToEightChannels, OpusSurround, testing::Range(3, 9));

TEST(OpusDecoder, SilentChannelInMapping) {
  // Mapping index 255: the channel is silence (RFC 7845 §5.1.1).
  const Encoded mono = encode(tones({1000.0}), 1, 0);
  test::DopsFields dops = mono.dops;
  dops.channels = 2;
  dops.mapping_family = 255;
  dops.streams = 1;
  dops.coupled = 0;
  dops.mapping = {0, 255};
  auto decoder = make_decoder(dops);
  ASSERT_TRUE(decoder);
  const auto out = decode_all<opus_int16>(*decoder, mono.packets);
  const auto reference = ReferenceDecoder(1).decode_all<opus_int16>(mono.packets);
  ASSERT_EQ(out.size(), 2 * reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    ASSERT_EQ(out[2 * i], reference[i]) << "frame " << i;
    ASSERT_EQ(out[2 * i + 1], 0) << "frame " << i;
  }
}

// --- bad dOps ----------------------------------------------------------------

struct BadDops {
  std::string name;
  test::DopsFields fields;
  std::size_t cut = 0;  // bytes to drop from the end
  Errc expected = Errc::malformed;
};

void PrintTo(const BadDops& b, std::ostream* os) { *os << b.name; }

test::DopsFields with(auto change) {
  test::DopsFields f;
  change(f);
  return f;
}

class OpusBadDops : public testing::TestWithParam<BadDops> {};

TEST_P(OpusBadDops, IsRejected) {
  const BadDops& b = GetParam();
  auto params = opus_params(b.fields);
  params.config.resize(params.config.size() - b.cut);
  auto decoder = DecoderRegistry::with_builtins().create(params);
  ASSERT_FALSE(decoder);
  EXPECT_EQ(decoder.error().code, b.expected) << decoder.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, OpusBadDops,
                         testing::Values(BadDops{"zero_channels", with([](auto& f) { f.channels = 0; })},
                                         BadDops{"family0_three_channels", with([](auto& f) { f.channels = 3; })},
                                         BadDops{"mapping_names_missing_stream", with([](auto& f) {
                                                   f.mapping_family = 1;
                                                   f.channels = 2;
                                                   f.streams = 1;
                                                   f.coupled = 0;
                                                   f.mapping = {0, 1};
                                                 })},
                                         BadDops{"more_coupled_than_streams", with([](auto& f) {
                                                   f.mapping_family = 1;
                                                   f.channels = 2;
                                                   f.streams = 1;
                                                   f.coupled = 2;
                                                   f.mapping = {0, 1};
                                                 })},
                                         BadDops{"zero_streams", with([](auto& f) {
                                                   f.mapping_family = 255;
                                                   f.channels = 1;
                                                   f.streams = 0;
                                                   f.coupled = 0;
                                                   f.mapping = {255};
                                                 })},
                                         BadDops{"too_short", {}, 2},
                                         BadDops{"mapping_table_cut_short", with([](auto& f) {
                                                   f.mapping_family = 1;
                                                   f.channels = 6;
                                                   f.streams = 4;
                                                   f.coupled = 2;
                                                   f.mapping = {0, 4, 1, 2, 3, 5};
                                                 }),
                                                 3},
                                         BadDops{"version_1", with([](auto& f) { f.version = 1; }), 0,
                                                 Errc::unsupported},
                                         BadDops{"family3_projection", with([](auto& f) {
                                                   f.mapping_family = 3;
                                                   f.channels = 4;
                                                   f.streams = 2;
                                                   f.coupled = 2;
                                                   f.mapping = {0, 1, 2, 3};
                                                 }),
                                                 0, Errc::unsupported}),
                         [](const testing::TestParamInfo<BadDops>& param_info) { return param_info.param.name; });

TEST(OpusDecoder, EmptyConfigIsMalformed) {
  auto params = opus_params({});
  params.config.clear();
  auto decoder = DecoderRegistry::with_builtins().create(params);
  ASSERT_FALSE(decoder);
  EXPECT_EQ(decoder.error().code, Errc::malformed);
}

}  // namespace
}  // namespace frugal::codec
