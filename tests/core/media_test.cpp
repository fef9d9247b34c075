#include <frugal/core/media.hpp>

#include <gtest/gtest.h>

using namespace frugal::core;

TEST(Media, PcmCodecNamesFollowFfmpeg) {
  CodecParameters p;
  p.codec = Codec::pcm;
  p.pcm = PcmLayout{2, false, false, true};
  EXPECT_STREQ(codec_name(p), "pcm_s16le");
  p.pcm = PcmLayout{3, false, true, true};
  EXPECT_STREQ(codec_name(p), "pcm_s24be");
  p.pcm = PcmLayout{8, true, false, true};
  EXPECT_STREQ(codec_name(p), "pcm_f64le");
  p.pcm = PcmLayout{1, false, false, false};
  EXPECT_STREQ(codec_name(p), "pcm_u8");
  p.codec = Codec::opus;
  EXPECT_STREQ(codec_name(p), "opus");
}

TEST(Media, FrameSizes) {
  AudioFormat f{48000, 6, SampleFormat::s24, 24};
  EXPECT_EQ(f.bytes_per_frame(), 18u);
  EXPECT_EQ(bytes_per_sample(SampleFormat::f64), 8u);
  EXPECT_TRUE(is_float(SampleFormat::f32));
  EXPECT_FALSE(is_float(SampleFormat::s32));
}
