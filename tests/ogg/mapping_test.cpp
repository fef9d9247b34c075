// Opus packet durations from the TOC byte (RFC 6716 §3.1), OpusHead → dOps
// (RFC 7845 §5.1 → Opus in ISOBMFF §4.3.2), other codecs' first packets.
#include "ogg/mapping.hpp"

#include "support/ogg_writer.hpp"

#include <gtest/gtest.h>

#include <string_view>

using namespace frugal;
using ogg::detail::identify_stream;
using ogg::detail::opus_packet_samples;
using test::Bytes;

namespace {

Bytes bytes(std::initializer_list<unsigned> v) {
  Bytes b;
  for (unsigned x : v) b.push_back(static_cast<std::byte>(x));
  return b;
}

Bytes text(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

std::uint32_t samples(std::initializer_list<unsigned> v) {
  auto r = opus_packet_samples(bytes(v));
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : 0;
}

}  // namespace

TEST(OpusToc, FrameSizesByConfig) {
  // config << 3 | code: SILK NB 10/20/40/60 ms, hybrid SWB 10/20 ms, CELT FB 2.5/5/10/20 ms.
  EXPECT_EQ(samples({0 << 3}), 480u);
  EXPECT_EQ(samples({1 << 3}), 960u);
  EXPECT_EQ(samples({2 << 3}), 1920u);
  EXPECT_EQ(samples({3 << 3}), 2880u);
  EXPECT_EQ(samples({11 << 3}), 2880u);
  EXPECT_EQ(samples({12 << 3}), 480u);
  EXPECT_EQ(samples({15 << 3}), 960u);
  EXPECT_EQ(samples({16 << 3}), 120u);
  EXPECT_EQ(samples({17 << 3}), 240u);
  EXPECT_EQ(samples({18 << 3}), 480u);
  EXPECT_EQ(samples({31 << 3}), 960u);
}

TEST(OpusToc, FrameCountsByCode) {
  EXPECT_EQ(samples({31 << 3 | 1, 0, 0}), 1920u);            // two equal frames
  EXPECT_EQ(samples({31 << 3 | 2, 1, 0}), 1920u);            // two frames of different sizes
  EXPECT_EQ(samples({16 << 3 | 3, 48}), 48u * 120);          // 48 × 2.5 ms = 120 ms
  EXPECT_EQ(samples({3 << 3 | 3, 2}), 5760u);                // 2 × 60 ms
  EXPECT_EQ(samples({31 << 3 | 3, 0x80 | 0x40 | 3, 1}), 2880u);  // VBR and padding flags ignored
}

TEST(OpusToc, MalformedPackets) {
  EXPECT_EQ(opus_packet_samples({}).error().code, core::Errc::malformed);
  EXPECT_EQ(opus_packet_samples(bytes({31 << 3 | 3})).error().code, core::Errc::malformed);     // no count
  EXPECT_EQ(opus_packet_samples(bytes({31 << 3 | 3, 0})).error().code, core::Errc::malformed);  // no frames
  EXPECT_EQ(opus_packet_samples(bytes({3 << 3 | 3, 3})).error().code, core::Errc::malformed);   // 180 ms
}

TEST(OpusHead, BecomesADopsBody) {
  auto k = identify_stream(test::opus_head(2, 0x0138));
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->type, core::TrackType::audio);
  EXPECT_EQ(k->pre_skip, 0x0138);
  const core::CodecParameters& c = k->entry.codec;
  EXPECT_EQ(c.codec, core::Codec::opus);
  EXPECT_EQ(c.channels, 2);
  EXPECT_EQ(c.sample_rate, 48000u);
  EXPECT_FALSE(k->entry.error);
  // Version 0, channels, pre-skip, 48000, gain 0, family 0: big-endian.
  EXPECT_EQ(c.config, bytes({0, 2, 0x01, 0x38, 0, 0, 0xBB, 0x80, 0, 0, 0}));
}

TEST(OpusHead, MappingTableIsCopied) {
  auto k = identify_stream(test::opus_head(3, 312));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->entry.codec.config, bytes({0, 3, 0x01, 0x38, 0, 0, 0xBB, 0x80, 0, 0, 1, 3, 0, 0, 1, 2}));
}

TEST(OpusHead, BrokenHeadsAreErrors) {
  Bytes head = test::opus_head(3, 312);
  head.resize(head.size() - 1);  // table cut short
  EXPECT_EQ(identify_stream(head).error().code, core::Errc::malformed);
  head = test::opus_head(2, 312);
  head[9] = std::byte{0};  // no channels
  EXPECT_EQ(identify_stream(head).error().code, core::Errc::malformed);
  head = test::opus_head(2, 312);
  head[8] = std::byte{0x10};  // major version 1
  EXPECT_EQ(identify_stream(head).error().code, core::Errc::unsupported);
}

// Ogg FLAC's first packet: 0x7F "FLAC" 1.0, 2 header packets, "fLaC",
// STREAMINFO of 44.1 kHz, 2 channels, 24 bits.
Bytes flac_head() {
  Bytes p = text(std::string_view("\x7F" "FLAC\x01\x00\x00\x02" "fLaC\x00\x00\x00\x22", 17));
  const Bytes info = bytes({0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0x0A, 0xC4, 0x43, 0x70, 0, 0, 0, 0});
  p.insert(p.end(), info.begin(), info.end());
  p.resize(17 + 34);
  return p;
}

TEST(StreamKinds, OggFlacGivesStreaminfoAsConfig) {
  auto k = identify_stream(flac_head());
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_FALSE(k->entry.error);
  const core::CodecParameters& c = k->entry.codec;
  EXPECT_EQ(c.codec, core::Codec::flac);
  EXPECT_EQ(c.sample_rate, 44100u);
  EXPECT_EQ(c.channels, 2);
  EXPECT_EQ(c.bits_per_sample, 24);
  ASSERT_EQ(c.config.size(), 38u);
  EXPECT_EQ(c.config[0], std::byte{0x80});  // STREAMINFO, flagged last
  Bytes cut = flac_head();
  cut.resize(40);
  EXPECT_EQ(identify_stream(cut).error().code, core::Errc::malformed);
}

TEST(FlacFrame, BlockSizeFromTheHeader) {
  const auto frame = [](std::initializer_list<unsigned> v) {
    auto r = ogg::detail::flac_frame_samples(bytes(v));
    return r ? *r : 0;
  };
  EXPECT_EQ(frame({0xFF, 0xF8, 0x10, 0x08, 0x00}), 192u);
  EXPECT_EQ(frame({0xFF, 0xF8, 0x20, 0x08, 0x00}), 576u);
  EXPECT_EQ(frame({0xFF, 0xF8, 0x50, 0x08, 0x00}), 4608u);
  EXPECT_EQ(frame({0xFF, 0xF9, 0xC9, 0x08, 0x00}), 4096u);
  EXPECT_EQ(frame({0xFF, 0xF8, 0xF0, 0x08, 0x00}), 32768u);
  EXPECT_EQ(frame({0xFF, 0xF8, 0x69, 0x08, 0x05, 0xEF}), 240u);               // 8-bit size − 1
  EXPECT_EQ(frame({0xFF, 0xF8, 0x79, 0x08, 0xC2, 0x80, 0x01, 0xEF}), 496u);  // after a 2-byte number
  EXPECT_EQ(ogg::detail::flac_frame_samples(bytes({0x84, 0, 0, 0, 0})).error().code, core::Errc::malformed);
  EXPECT_EQ(ogg::detail::flac_frame_samples(bytes({0xFF, 0xF8, 0x79, 0x08, 0x05, 0x01})).error().code,
            core::Errc::malformed);
}

TEST(StreamKinds, OtherCodecsAreNamedAndUnsupported) {
  Bytes vorbis = text(std::string_view("\x01vorbis\0\0\0\0\x02\x44\xAC\0\0", 16));
  auto v = identify_stream(vorbis);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, core::TrackType::audio);
  EXPECT_EQ(v->entry.codec.codec, core::Codec::vorbis);
  EXPECT_EQ(v->entry.codec.channels, 2);
  EXPECT_EQ(v->entry.codec.sample_rate, 44100u);
  ASSERT_TRUE(v->entry.error);
  EXPECT_EQ(v->entry.error->code, core::Errc::unsupported);

  auto theora = identify_stream(text("\x80theora"));
  ASSERT_TRUE(theora);
  EXPECT_EQ(theora->type, core::TrackType::video);
  auto unknown = identify_stream(text("something"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->type, core::TrackType::other);
  EXPECT_EQ(unknown->entry.error->code, core::Errc::unsupported);
}
