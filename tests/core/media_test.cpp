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

TEST(Media, AacProfilesFollowFfprobe) {
  CodecParameters p;
  p.codec = Codec::aac;
  EXPECT_EQ(codec_profile(p), nullptr);  // no AudioSpecificConfig
  p.audio_object_type = 2;
  EXPECT_STREQ(codec_profile(p), "LC");
  p.audio_object_type = 5;
  EXPECT_STREQ(codec_profile(p), "HE-AAC");
  p.audio_object_type = 29;
  EXPECT_STREQ(codec_profile(p), "HE-AACv2");
  p.audio_object_type = 42;  // USAC: ffprobe 5.1 names none
  EXPECT_EQ(codec_profile(p), nullptr);
  p.codec = Codec::alac;
  p.audio_object_type = 2;
  EXPECT_EQ(codec_profile(p), nullptr);
}
