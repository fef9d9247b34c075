// The example hardware AAC plug-in (examples/hardware_decoder), registered
// at run time: it takes the AAC LC streams ahead of libavcodec and decodes
// them as libavcodec does, declines the rest (HE-AAC, 5.1) to libavcodec,
// and plays a whole MP4 through AudioStream.
#include "hardware_aac_decoder.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/player/audio_stream.hpp>

#include "codec/av_encode.hpp"
#include "support/mp4_writer.hpp"

#include <gtest/gtest.h>

namespace {

using namespace frugal;
using test::Bytes;

const test::Encoded& aac_lc() {
  static const test::Encoded e =
      test::encode(AV_CODEC_ID_AAC, AV_SAMPLE_FMT_FLTP, 0, test::sine<float>(20 * 1024, 0.5));
  return e;
}

core::CodecParameters aac_params(Bytes config, std::uint16_t channels = 2) {
  core::CodecParameters p;
  p.codec = core::Codec::aac;
  p.sample_rate = test::kRate;
  p.channels = channels;
  p.config = std::move(config);
  return p;
}

codec::DecoderRegistry with_plugin(example::HardwareStats& stats) {
  codec::DecoderRegistry r = codec::DecoderRegistry::with_builtins();
  example::register_hardware_aac(r, stats);
  return r;
}

TEST(HardwareDecoderExample, TakesAacLcAheadOfLibavcodecAndDecodesAlike) {
  example::HardwareStats stats;
  const codec::DecoderRegistry registry = with_plugin(stats);
  const std::vector<std::string> names = registry.names(core::Codec::aac);
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(names[0], "hardware-aac");
  EXPECT_EQ(names[1], "libavcodec");
  auto ours = registry.create(aac_params(aac_lc().extradata));
  ASSERT_TRUE(ours) << ours.error().message;
  EXPECT_EQ(stats.streams, 1u);
  auto plain = codec::DecoderRegistry::with_builtins().create(aac_params(aac_lc().extradata));
  ASSERT_TRUE(plain);
  EXPECT_EQ(test::decode_all(**ours, aac_lc().packets), test::decode_all(**plain, aac_lc().packets));
  EXPECT_EQ(stats.packets, aac_lc().packets.size());
}

// HE-AAC (object type 5) and 5.1 are beyond the "hardware": the registry
// hands them to libavcodec.
TEST(HardwareDecoderExample, DeclinesWhatTheHardwareCannotDo) {
  example::HardwareStats stats;
  const codec::DecoderRegistry registry = with_plugin(stats);
  // Object type 5, 22050 Hz core (index 7), stereo, SBR at 44100 (index 4), core LC.
  auto he_aac = registry.create(aac_params(test::audio_specific_config({5, 7, 0, 2, 4, 0})));
  ASSERT_TRUE(he_aac) << he_aac.error().message;
  auto surround = registry.create(aac_params(test::audio_specific_config({2, 4, 0, 6, 0, 0}), 6));
  ASSERT_TRUE(surround) << surround.error().message;
  EXPECT_EQ(stats.declined, 2u);
  EXPECT_EQ(stats.streams, 0u);
}

// An MP4 of the AAC packets plays through AudioStream with the plug-in
// exactly as without it, every packet through the "hardware".
TEST(HardwareDecoderExample, PlaysAnMp4ThroughAudioStream) {
  const test::Encoded& e = aac_lc();
  std::vector<std::uint32_t> sizes;
  test::TrackSpec t = test::audio_track(
      test::audio_sample_entry(test::AudioEntrySpec(core::FourCC("mp4a"), {test::esds_box(0x40, e.extradata)})),
      {});
  for (const Bytes& p : e.packets) {
    t.sample_sizes.push_back(static_cast<std::uint32_t>(p.size()));
    t.payload.insert(t.payload.end(), p.begin(), p.end());
  }
  t.stts = {{static_cast<std::uint32_t>(e.packets.size()), 1024}};
  test::MovieSpec m;
  m.tracks.push_back(std::move(t));
  const Bytes file = test::build_mp4(m);

  const auto decode = [&file](const codec::DecoderRegistry& registry) {
    core::MemorySource source(file);
    auto stream = player::AudioStream::open(source, registry);
    EXPECT_TRUE(stream) << stream.error().message;
    Bytes out;
    while (stream) {
      auto block = stream->read();
      if (!block || block->empty()) break;
      out.insert(out.end(), block->begin(), block->end());
    }
    return out;
  };
  example::HardwareStats stats;
  const Bytes ours = decode(with_plugin(stats));
  EXPECT_EQ(stats.packets, e.packets.size());
  EXPECT_EQ(ours.size(), e.packets.size() * 1024 * 2 * 2);
  EXPECT_EQ(ours, decode(codec::DecoderRegistry::with_builtins()));
}

}  // namespace
