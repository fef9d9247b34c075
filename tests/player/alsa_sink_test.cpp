// The ALSA sink against alsa-lib's own "file" plugin: an ALSA configuration
// written per test routes the PCM to a file (through the "null" plugin), so
// the bytes the sink plays can be checked without a sound card.
#include <frugal/player/alsa_sink.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace frugal::player {
namespace {

using core::AudioFormat;
using core::SampleFormat;

class AlsaSinkTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!alsa_supported()) GTEST_SKIP() << "built without ALSA";
    std::ofstream conf(config_);
    for (const char* name : {"pcm.!default", "pcm.frugal_test"})
      conf << name << " {\n  type file\n  slave.pcm \"null\"\n  file \"" << output_ << "\"\n  format \"raw\"\n}\n";
    conf << "pcm.null {\n  type null\n}\n";
    conf.close();
    // Read by alsa-lib whenever it (re)loads its configuration.
    ::setenv("ALSA_CONFIG_PATH", config_.c_str(), 1);
  }

  test::TempDir dir_;
  std::string config_ = dir_.file("asound.conf");
  std::string output_ = dir_.file("played.raw");
};

std::vector<std::byte> frames_of(const AudioFormat& format, std::size_t frames) {
  std::vector<std::byte> out(frames * format.bytes_per_frame());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::byte>((i * 31) ^ (i >> 9));
  return out;
}

std::string as_string(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Plays `data` in chunks of `chunk_frames` as one stream on `sink`.
void play_on(Sink& sink, const AudioFormat& format, const std::vector<std::byte>& data,
             std::size_t chunk_frames = 1000) {
  auto opened = sink.open(format);
  ASSERT_TRUE(opened) << opened.error().message;
  const std::size_t chunk = chunk_frames * format.bytes_per_frame();
  for (std::size_t at = 0; at < data.size(); at += chunk) {
    auto written = sink.write(std::span(data).subspan(at, std::min(chunk, data.size() - at)));
    ASSERT_TRUE(written) << written.error().message;
  }
  auto closed = sink.close();
  ASSERT_TRUE(closed) << closed.error().message;
}

// Opens `device` and plays one stream on it.
void play(const std::string& device, const AudioFormat& format, const std::vector<std::byte>& data,
          std::size_t chunk_frames = 1000) {
  auto sink = make_alsa_sink(device);
  ASSERT_TRUE(sink) << sink.error().message;
  EXPECT_EQ((*sink)->describe(), "alsa:" + device);
  play_on(**sink, format, data, chunk_frames);
}

TEST_F(AlsaSinkTest, DefaultDevicePlaysExactlyTheFrames) {
  const AudioFormat format{44100, 2, SampleFormat::s16, 16};
  const auto data = frames_of(format, 4410);
  play("default", format, data);
  EXPECT_TRUE(test::read_file(output_) == as_string(data));
}

class AlsaSinkFormats : public AlsaSinkTest, public testing::WithParamInterface<AudioFormat> {};

TEST_P(AlsaSinkFormats, NamedDevicePlaysExactlyTheFrames) {
  const AudioFormat format = GetParam();
  const auto data = frames_of(format, 3000);
  play("frugal_test", format, data, 256);
  const std::string played = test::read_file(output_);
  EXPECT_EQ(played.size(), data.size());
  EXPECT_TRUE(played == as_string(data));
}

INSTANTIATE_TEST_SUITE_P(SampleFormats, AlsaSinkFormats,
                         testing::Values(AudioFormat{48000, 1, SampleFormat::s16, 16},
                                         AudioFormat{48000, 2, SampleFormat::s24, 24},
                                         AudioFormat{96000, 2, SampleFormat::s32, 24},
                                         AudioFormat{48000, 6, SampleFormat::f32, 32}),
                         [](const testing::TestParamInfo<AudioFormat>& param_info) {
                           return std::string(core::sample_format_name(param_info.param.format)) + "_" +
                                  std::to_string(param_info.param.channels) + "ch";
                         });

TEST_F(AlsaSinkTest, ReopensForANewFormatAfterClose) {
  const AudioFormat first{44100, 2, SampleFormat::s16, 16}, second{48000, 1, SampleFormat::s32, 32};
  const auto a = frames_of(first, 2000), b = frames_of(second, 1500);
  auto sink = make_alsa_sink("frugal_test");
  ASSERT_TRUE(sink) << sink.error().message;
  play_on(**sink, first, a);
  play_on(**sink, second, b);
  sink->reset();  // closes the PCM: the file plugin writes what it holds
  EXPECT_TRUE(test::read_file(output_) == as_string(a) + as_string(b));
}

TEST_F(AlsaSinkTest, MissingDeviceIsIo) {
  auto sink = make_alsa_sink("nonexistent_device_xyz");
  ASSERT_FALSE(sink);
  EXPECT_EQ(sink.error().code, core::Errc::io);
  EXPECT_NE(sink.error().os_error, 0);
  EXPECT_STRNE(sink.error().message, "");
}

TEST(AlsaSinkUnavailable, BuildWithoutAlsaSaysUnsupported) {
  if (alsa_supported()) GTEST_SKIP() << "built with ALSA";
  auto sink = make_alsa_sink();
  ASSERT_FALSE(sink);
  EXPECT_EQ(sink.error().code, core::Errc::unsupported);
}

}  // namespace
}  // namespace frugal::player
