// The libmpg123 decoder on MP3 made in memory by LAME (through libavcodec,
// so built with both):
// the registry prefers it for MP3; its output is libavcodec's to within one
// step of s16 rounding (both decode in floating point); a corrupt packet is
// Errc::malformed and the decoder goes on; reset() starts afresh.
#include <frugal/codec/registry.hpp>

#include "codec/av_encode.hpp"
#include "codec/pcm_bytes.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace frugal::codec {
namespace {

using core::Errc;
using test::Bytes;
using test::decode_all;

core::CodecParameters mp3_params() {
  core::CodecParameters p;
  p.codec = core::Codec::mp3;
  p.sample_rate = test::kRate;
  p.channels = test::kChannels;
  return p;
}

const test::Encoded& mp3() {
  static const test::Encoded e =
      test::encode(AV_CODEC_ID_MP3, AV_SAMPLE_FMT_S16P, 16, test::sine<std::int16_t>(44100, 20000));
  return e;
}

std::unique_ptr<Decoder> make(const char* name, bool float_output = false) {
  DecoderOptions options;
  options.float_output = float_output;
  auto d = DecoderRegistry::with_builtins().only(name).create(mp3_params(), options);
  EXPECT_TRUE(d) << name << ": " << d.error().message;
  return d ? std::move(*d) : nullptr;
}

TEST(Mpg123Decoder, IsPreferredForMp3) {
  EXPECT_EQ(DecoderRegistry::with_builtins().names(core::Codec::mp3).front(), "libmpg123");
}

// One MPEG-1 Layer III frame per packet: 1152 frames each, from the first
// packet on (no read-ahead), the same count as libavcodec's, and samples
// within 1 of its s16.
TEST(Mpg123Decoder, DecodesLikeLibavcodecToOneStep) {
  ASSERT_GE(mp3().packets.size(), 30u);
  auto ours = make("libmpg123");
  ASSERT_TRUE(ours);
  const core::AudioFormat& f = ours->format();
  EXPECT_EQ(f.format, core::SampleFormat::s16);
  EXPECT_EQ(f.sample_rate, 44100u);
  EXPECT_EQ(f.channels, 2u);
  auto first = ours->decode(mp3().packets[0]);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->frames, 1152u);
  ours->reset();
  const auto a = test::from_bytes<std::int16_t>(decode_all(*ours, mp3().packets));
  auto theirs = make("libavcodec");
  ASSERT_TRUE(theirs);
  const auto b = test::from_bytes<std::int16_t>(decode_all(*theirs, mp3().packets));
  ASSERT_EQ(a.size(), b.size());
  int worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  EXPECT_LE(worst, 1);
}

TEST(Mpg123Decoder, FloatOutput) {
  auto d = make("libmpg123", true);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->format().format, core::SampleFormat::f32);
  const auto pcm = test::from_bytes<float>(decode_all(*d, mp3().packets));
  ASSERT_EQ(pcm.size(), mp3().packets.size() * 1152 * 2);
  float peak = 0;
  for (const float v : pcm) peak = std::max(peak, std::abs(v));
  EXPECT_GT(peak, 0.5f);  // the sine at 20000/32768
  EXPECT_LT(peak, 0.7f);
}

// Garbage is malformed; the next packet still decodes, and after reset()
// the stream decodes as a fresh decoder decodes it.
TEST(Mpg123Decoder, CorruptPacketIsMalformedAndTheNextDecodes) {
  auto d = make("libmpg123");
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->decode(mp3().packets[0]));
  auto bad = d->decode(Bytes(300, std::byte{0x5A}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  auto next = d->decode(mp3().packets[1]);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->frames, 1152u);
  auto empty = d->decode({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::malformed);
  d->reset();
  auto fresh = make("libmpg123");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(decode_all(*d, mp3().packets), decode_all(*fresh, mp3().packets));
}

TEST(Mpg123Decoder, MoreThanTwoChannelsIsUnsupported) {
  core::CodecParameters p = mp3_params();
  p.channels = 6;
  auto d = DecoderRegistry::with_builtins().only("libmpg123").create(p);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::unsupported);
}

// Its buffers and libmpg123's measured heap are charged while it lives; a
// budget too small for the handle refuses the decoder.
TEST(Mpg123Decoder, ChargesItsBuffersAndState) {
  mem::MemoryTracker tracker;
  auto buffers = tracker.account("codec/buffers");
  auto state = tracker.account("codec/state");
  ASSERT_TRUE(buffers && state);
  DecoderOptions options;
  options.tracker = &tracker;
  {
    auto d = DecoderRegistry::with_builtins().only("libmpg123").create(mp3_params(), options);
    ASSERT_TRUE(d);
    ASSERT_TRUE((*d)->decode(mp3().packets[0]));
    EXPECT_EQ(buffers->current(), 1152u * 2 * 2);
    EXPECT_EQ(state->current(), 96u * 1024);  // libmpg123's heap, as measured
  }
  EXPECT_EQ(buffers->current(), 0u);
  EXPECT_EQ(state->current(), 0u);

  mem::TrackerOptions small;
  small.budget = 64 * 1024;
  mem::MemoryTracker tight(small);
  options.tracker = &tight;
  auto refused = DecoderRegistry::with_builtins().only("libmpg123").create(mp3_params(), options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::out_of_memory);
}

}  // namespace
}  // namespace frugal::codec
