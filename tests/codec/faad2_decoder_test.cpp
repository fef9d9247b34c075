// The faad2 decoder on AAC made in memory by libavcodec's encoder (so built
// with both): a frame out per packet from the first on (the first as
// silence), also when a corrupt packet comes first; close to libavcodec's
// decode; reset() starts afresh.
#include <frugal/codec/registry.hpp>

#include "codec/av_encode.hpp"
#include "codec/pcm_bytes.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace frugal::codec {
namespace {

using core::Errc;
using test::Bytes;
using test::decode_all;

const test::Encoded& aac() {
  static const test::Encoded e = test::encode(AV_CODEC_ID_AAC, AV_SAMPLE_FMT_FLTP, 0, test::sine<float>(30 * 1024, 0.5));
  return e;
}

core::CodecParameters aac_params() {
  core::CodecParameters p;
  p.codec = core::Codec::aac;
  p.sample_rate = test::kRate;
  p.channels = test::kChannels;
  p.config = aac().extradata;
  return p;
}

std::unique_ptr<Decoder> make(const char* name) {
  auto d = DecoderRegistry::with_builtins().only(name).create(aac_params());
  EXPECT_TRUE(d) << name << ": " << d.error().message;
  return d ? std::move(*d) : nullptr;
}

TEST(Faad2Decoder, EveryPacketGivesAFrameTheFirstAsSilence) {
  auto d = make("faad2");
  ASSERT_TRUE(d);
  auto bad = d->decode(Bytes(40, std::byte{0xA5}));  // first, and corrupt
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  for (std::size_t i = 0; i < aac().packets.size(); ++i) {
    auto block = d->decode(aac().packets[i]);
    ASSERT_TRUE(block) << i << ": " << block.error().message;
    ASSERT_EQ(block->frames, 1024u) << i;
    if (i == 0) {
      for (const std::byte b : block->data) ASSERT_EQ(b, std::byte{0});
    }
  }
}

TEST(Faad2Decoder, CloseToLibavcodecAndResetStartsAfresh) {
  auto ours = make("faad2");
  auto theirs = make("libavcodec");
  ASSERT_TRUE(ours && theirs);
  const auto a = test::from_bytes<std::int16_t>(decode_all(*ours, aac().packets));
  const auto b = test::from_bytes<std::int16_t>(decode_all(*theirs, aac().packets));
  ASSERT_EQ(a.size(), b.size());
  double signal = 0, noise = 0;
  for (std::size_t i = 2 * 1024 * 2; i < a.size(); ++i) {  // past the first two frames
    signal += static_cast<double>(b[i]) * b[i];
    noise += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
  }
  EXPECT_GT(10 * std::log10(signal / noise), 60.0);
  ours->reset();
  EXPECT_EQ(test::from_bytes<std::int16_t>(decode_all(*ours, aac().packets)), a);
}

TEST(Faad2Decoder, NoConfigurationPassesTheStreamOn) {
  core::CodecParameters p = aac_params();
  p.config.clear();
  auto d = DecoderRegistry::with_builtins().only("faad2").create(p);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::unsupported);
}

}  // namespace
}  // namespace frugal::codec
