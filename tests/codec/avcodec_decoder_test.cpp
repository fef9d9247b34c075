// The libavcodec decoder against libavcodec's own encoders, run in memory:
// ALAC decodes bit-exactly at 16 and 24 bits, AAC to s16 or f32 frames of
// 1024; a corrupt packet is Errc::malformed and the next good one decodes;
// a configuration libavcodec lacks is Errc::unsupported.
#include <frugal/codec/registry.hpp>

#include "codec/av_encode.hpp"
#include "codec/pcm_bytes.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace frugal::codec {
namespace {

using core::Errc;
using test::Bytes;
using test::decode_all;
using test::encode;
using test::Encoded;
using test::kChannels;
using test::kRate;
using test::sine;

core::CodecParameters alac_params(const Encoded& e, int bits) {
  core::CodecParameters p;
  p.codec = core::Codec::alac;
  p.sample_rate = kRate;
  p.channels = kChannels;
  p.bits_per_sample = static_cast<std::uint16_t>(bits);
  // libavcodec's extradata is the whole 'alac' atom; the sample entry keeps
  // the ALACSpecificConfig after its size, type and version/flags.
  if (e.extradata.size() == 36) p.config.assign(e.extradata.begin() + 12, e.extradata.end());
  return p;
}

core::CodecParameters aac_params(const Encoded& e) {
  core::CodecParameters p;
  p.codec = core::Codec::aac;
  p.sample_rate = kRate;
  p.channels = kChannels;
  p.config = e.extradata;  // the AudioSpecificConfig
  return p;
}

TEST(AvcodecDecoder, Alac16BitIsBitExact) {
  const auto pcm = sine<std::int16_t>(10000, 30000);
  const Encoded e = encode(AV_CODEC_ID_ALAC, AV_SAMPLE_FMT_S16P, 16, pcm);
  auto decoder = DecoderRegistry::with_builtins().create(alac_params(e, 16));
  ASSERT_TRUE(decoder) << decoder.error().message;
  const core::AudioFormat& f = (*decoder)->format();
  EXPECT_EQ(f.format, core::SampleFormat::s16);
  EXPECT_EQ(f.valid_bits, 16);
  EXPECT_EQ(f.sample_rate, 44100u);
  EXPECT_EQ(f.channels, 2u);
  EXPECT_EQ(decode_all(**decoder, e.packets), test::to_bytes(pcm));
}

// 24-bit ALAC comes out left-justified in s32, as FLAC's does.
TEST(AvcodecDecoder, Alac24BitIsBitExactInS32) {
  auto pcm = sine<std::int32_t>(10000, 8000000);
  for (auto& v : pcm) v = static_cast<std::int32_t>(static_cast<std::uint32_t>(v) << 8);
  const Encoded e = encode(AV_CODEC_ID_ALAC, AV_SAMPLE_FMT_S32P, 24, pcm);
  auto decoder = DecoderRegistry::with_builtins().create(alac_params(e, 24));
  ASSERT_TRUE(decoder) << decoder.error().message;
  EXPECT_EQ((*decoder)->format().format, core::SampleFormat::s32);
  EXPECT_EQ((*decoder)->format().valid_bits, 24);
  EXPECT_EQ(decode_all(**decoder, e.packets), test::to_bytes(pcm));
}

TEST(AvcodecDecoder, AacDecodesToS16OrF32) {
  const Encoded e = encode(AV_CODEC_ID_AAC, AV_SAMPLE_FMT_FLTP, 0, sine<float>(8192, 0.5));
  ASSERT_GE(e.packets.size(), 8u);
  for (const bool float_output : {false, true}) {
    SCOPED_TRACE(float_output ? "f32" : "s16");
    DecoderOptions options;
    options.float_output = float_output;
    auto decoder = DecoderRegistry::with_builtins().create(aac_params(e), options);
    ASSERT_TRUE(decoder) << decoder.error().message;
    const core::AudioFormat& f = (*decoder)->format();
    EXPECT_EQ(f.format, float_output ? core::SampleFormat::f32 : core::SampleFormat::s16);
    EXPECT_EQ(f.sample_rate, 44100u);
    EXPECT_EQ(f.channels, 2u);
    for (const Bytes& p : e.packets) {
      auto block = (*decoder)->decode(p);
      ASSERT_TRUE(block) << block.error().message;
      EXPECT_EQ(block->frames, 1024u);
      EXPECT_EQ(block->data.size(), 1024u * f.bytes_per_frame());
    }
  }
}

// A packet of garbage is malformed; the decoder stays usable, and after a
// reset() decodes the stream again as a fresh decoder does.
TEST(AvcodecDecoder, CorruptPacketIsMalformedAndTheNextDecodes) {
  const Encoded e = encode(AV_CODEC_ID_AAC, AV_SAMPLE_FMT_FLTP, 0, sine<float>(8192, 0.5));
  ASSERT_GE(e.packets.size(), 4u);
  auto decoder = DecoderRegistry::with_builtins().create(aac_params(e));
  ASSERT_TRUE(decoder);
  ASSERT_TRUE((*decoder)->decode(e.packets[0]));
  const Bytes junk(200, std::byte{0xFF});
  auto bad = (*decoder)->decode(junk);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  auto good = (*decoder)->decode(e.packets[1]);
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->frames, 1024u);
  auto empty = (*decoder)->decode({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::malformed);

  (*decoder)->reset();
  auto fresh = DecoderRegistry::with_builtins().create(aac_params(e));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(decode_all(**decoder, e.packets), decode_all(**fresh, e.packets));
}

// An AudioSpecificConfig of object type 42 (USAC), which libavcodec 5.1
// does not decode: unsupported, so a registry tries the next factory.
TEST(AvcodecDecoder, UnknownAacObjectTypeIsUnsupported) {
  core::CodecParameters p;
  p.codec = core::Codec::aac;
  p.sample_rate = kRate;
  p.channels = kChannels;
  // audioObjectType 31 + 6-bit escape 10 (= 42), frequency index 4, channels 2.
  p.config = test::bytes({0xF9, 0x46, 0x40, 0x00});
  auto decoder = DecoderRegistry::with_builtins().create(p);
  ASSERT_FALSE(decoder);
  EXPECT_EQ(decoder.error().code, Errc::unsupported);

  // Behind it in a registry, another decoder gets the stream.
  DecoderRegistry r;
  r.add(core::Codec::aac, "fallback",
        [](const core::CodecParameters&, const DecoderOptions&) -> core::Result<std::unique_ptr<Decoder>> {
          return core::make_error(Errc::io, "the fallback was asked");
        });
  r.add(core::Codec::aac, "libavcodec", [](const core::CodecParameters& params, const DecoderOptions& options) {
    return DecoderRegistry::with_builtins().create(params, options);
  });
  auto next = r.create(p);
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code, Errc::io) << next.error().message;
}

TEST(AvcodecDecoder, AlacWithoutItsConfigIsMalformed) {
  core::CodecParameters p;
  p.codec = core::Codec::alac;
  p.sample_rate = kRate;
  p.channels = kChannels;
  p.bits_per_sample = 16;
  auto decoder = DecoderRegistry::with_builtins().create(p);
  ASSERT_FALSE(decoder);
  EXPECT_EQ(decoder.error().code, Errc::malformed);
}

// The output buffer is charged to codec/buffers while the decoder lives.
TEST(AvcodecDecoder, ChargesItsBuffers) {
  const Encoded e = encode(AV_CODEC_ID_AAC, AV_SAMPLE_FMT_FLTP, 0, sine<float>(4096, 0.5));
  ASSERT_FALSE(e.packets.empty());
  mem::MemoryTracker tracker;
  auto buffers = tracker.account("codec/buffers");
  ASSERT_TRUE(buffers);
  DecoderOptions options;
  options.tracker = &tracker;
  {
    auto decoder = DecoderRegistry::with_builtins().create(aac_params(e), options);
    ASSERT_TRUE(decoder);
    ASSERT_TRUE((*decoder)->decode(e.packets[0]));
    EXPECT_GE(buffers->current(), 1024u * 2 * 2);  // at least the s16 stereo output
  }
  EXPECT_EQ(buffers->current(), 0u);
}

}  // namespace
}  // namespace frugal::codec
