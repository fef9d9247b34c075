#include <frugal/codec/registry.hpp>

#include "codec/pcm_bytes.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace frugal::codec {
namespace {

using core::Errc;
using core::PcmLayout;
using core::SampleFormat;
using test::bytes;
using test::to_bytes;

constexpr std::int32_t kS32Min = std::numeric_limits<std::int32_t>::min();

core::CodecParameters pcm_params(const PcmLayout& layout, std::uint16_t channels) {
  core::CodecParameters p;
  p.codec = core::Codec::pcm;
  p.sample_rate = 44100;
  p.channels = channels;
  p.bits_per_sample = static_cast<std::uint16_t>(layout.bytes_per_sample * 8);
  p.pcm = layout;
  return p;
}

std::unique_ptr<Decoder> make_decoder(const PcmLayout& layout, std::uint16_t channels) {
  auto decoder = DecoderRegistry::with_builtins().create(pcm_params(layout, channels));
  EXPECT_TRUE(decoder) << decoder.error().message;
  return decoder ? std::move(*decoder) : nullptr;
}

// PcmLayout{bytes_per_sample, is_float, big_endian, is_signed}
constexpr PcmLayout kU8{1, false, false, false};
constexpr PcmLayout kS8{1, false, false, true};
constexpr PcmLayout kS16Le{2, false, false, true};
constexpr PcmLayout kS16Be{2, false, true, true};
constexpr PcmLayout kS24Le{3, false, false, true};
constexpr PcmLayout kS24Be{3, false, true, true};
constexpr PcmLayout kS32Le{4, false, false, true};
constexpr PcmLayout kS32Be{4, false, true, true};
constexpr PcmLayout kF32Le{4, true, false, true};
constexpr PcmLayout kF32Be{4, true, true, true};
constexpr PcmLayout kF64Le{8, true, false, true};
constexpr PcmLayout kF64Be{8, true, true, true};

struct LayoutCase {
  std::string name;
  PcmLayout layout;
  std::vector<std::byte> stored;    // mono samples as stored in the file
  SampleFormat format;              // the decoder's output format
  std::vector<std::byte> expected;  // native samples of `format`
};

void PrintTo(const LayoutCase& c, std::ostream* os) { *os << c.name; }

class PcmLayouts : public testing::TestWithParam<LayoutCase> {};

TEST_P(PcmLayouts, DecodeToNativeFormat) {
  const LayoutCase& c = GetParam();
  auto decoder = make_decoder(c.layout, 1);
  ASSERT_TRUE(decoder);
  const core::AudioFormat& f = decoder->format();
  EXPECT_EQ(f.format, c.format);
  EXPECT_EQ(f.channels, 1);
  EXPECT_EQ(f.sample_rate, 44100u);
  EXPECT_EQ(f.valid_bits, c.layout.bytes_per_sample * 8);

  auto block = decoder->decode(c.stored);
  ASSERT_TRUE(block) << block.error().message;
  EXPECT_EQ(block->format, f);
  EXPECT_EQ(block->frames, c.stored.size() / c.layout.bytes_per_sample);
  EXPECT_EQ(std::vector<std::byte>(block->data.begin(), block->data.end()), c.expected);
}

template <typename T>
std::vector<std::byte> native(std::initializer_list<T> values) {
  return to_bytes(std::vector<T>(values));
}

INSTANTIATE_TEST_SUITE_P(
    AllLayouts, PcmLayouts,
    testing::Values(
        // 8-bit: left-justified in s16. Unsigned is offset binary (0x80 is silence).
        LayoutCase{"u8", kU8, bytes({0x00, 0x80, 0xFF, 0x01}), SampleFormat::s16,
                   native<std::int16_t>({-32768, 0, 0x7F00, -0x7F00})},
        LayoutCase{"s8", kS8, bytes({0x80, 0x00, 0x7F, 0xFF}), SampleFormat::s16,
                   native<std::int16_t>({-32768, 0, 0x7F00, -0x100})},
        LayoutCase{"s16le", kS16Le, bytes({0x34, 0x12, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x7F}), SampleFormat::s16,
                   native<std::int16_t>({0x1234, -32768, -1, 32767})},
        LayoutCase{"s16be", kS16Be, bytes({0x12, 0x34, 0x80, 0x00, 0xFF, 0xFF, 0x7F, 0xFF}), SampleFormat::s16,
                   native<std::int16_t>({0x1234, -32768, -1, 32767})},
        // 24-bit: left-justified in s32 (low byte zero).
        LayoutCase{"s24le", kS24Le, bytes({0x56, 0x34, 0x12, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0xFF}), SampleFormat::s32,
                   native<std::int32_t>({0x12345600, kS32Min, -0x100})},
        LayoutCase{"s24be", kS24Be, bytes({0x12, 0x34, 0x56, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF}), SampleFormat::s32,
                   native<std::int32_t>({0x12345600, kS32Min, -0x100})},
        LayoutCase{"s32le", kS32Le, bytes({0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0xFF}),
                   SampleFormat::s32, native<std::int32_t>({0x12345678, kS32Min, -1})},
        LayoutCase{"s32be", kS32Be, bytes({0x12, 0x34, 0x56, 0x78, 0x80, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF}),
                   SampleFormat::s32, native<std::int32_t>({0x12345678, kS32Min, -1})},
        // 1.0f = 0x3F800000, -0.5f = 0xBF000000.
        LayoutCase{"f32le", kF32Le, bytes({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xBF}), SampleFormat::f32,
                   native<float>({1.0f, -0.5f})},
        LayoutCase{"f32be", kF32Be, bytes({0x3F, 0x80, 0x00, 0x00, 0xBF, 0x00, 0x00, 0x00}), SampleFormat::f32,
                   native<float>({1.0f, -0.5f})},
        // 0.25 = 0x3FD0000000000000, -1.0 = 0xBFF0000000000000.
        LayoutCase{"f64le", kF64Le, bytes({0, 0, 0, 0, 0, 0, 0xD0, 0x3F, 0, 0, 0, 0, 0, 0, 0xF0, 0xBF}),
                   SampleFormat::f64, native<double>({0.25, -1.0})},
        LayoutCase{"f64be", kF64Be, bytes({0x3F, 0xD0, 0, 0, 0, 0, 0, 0, 0xBF, 0xF0, 0, 0, 0, 0, 0, 0}),
                   SampleFormat::f64, native<double>({0.25, -1.0})}),
    [](const testing::TestParamInfo<LayoutCase>& param_info) { return param_info.param.name; });

TEST(PcmDecoder, InterleavedChannelsKeepTheirOrder) {
  auto decoder = make_decoder(kS16Be, 3);
  ASSERT_TRUE(decoder);
  auto block = decoder->decode(bytes({0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00}));
  ASSERT_TRUE(block);
  EXPECT_EQ(block->frames, 2u);
  EXPECT_EQ(test::from_bytes<std::int16_t>(block->data), (std::vector<std::int16_t>{1, 2, 3, 0x100, 0x200, 0x300}));
}

TEST(PcmDecoder, PartialTrailingFrameIsIgnored) {
  auto decoder = make_decoder(kS24Le, 2);  // 6 bytes per frame
  ASSERT_TRUE(decoder);
  auto block = decoder->decode(bytes({0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, /* partial: */ 0, 0, 5, 0, 0}));
  ASSERT_TRUE(block);
  EXPECT_EQ(block->frames, 2u);
  EXPECT_EQ(test::from_bytes<std::int32_t>(block->data),
            (std::vector<std::int32_t>{0x01000000, 0x02000000, 0x03000000, 0x04000000}));
}

TEST(PcmDecoder, PacketShorterThanAFrameGivesNoFrames) {
  auto decoder = make_decoder(kS16Le, 2);
  ASSERT_TRUE(decoder);
  for (const auto& packet : {bytes({}), bytes({1, 2, 3})}) {
    auto block = decoder->decode(packet);
    ASSERT_TRUE(block);
    EXPECT_EQ(block->frames, 0u);
    EXPECT_TRUE(block->data.empty());
  }
}

TEST(PcmDecoder, DecodesIndependentPacketsAfterReset) {
  auto decoder = make_decoder(kS16Le, 1);
  ASSERT_TRUE(decoder);
  auto first = decoder->decode(bytes({0x01, 0x00, 0x02, 0x00}));
  ASSERT_TRUE(first);
  EXPECT_EQ(test::from_bytes<std::int16_t>(first->data), (std::vector<std::int16_t>{1, 2}));
  decoder->reset();
  auto second = decoder->decode(bytes({0x03, 0x00}));
  ASSERT_TRUE(second);
  EXPECT_EQ(test::from_bytes<std::int16_t>(second->data), (std::vector<std::int16_t>{3}));
}

TEST(PcmDecoder, ZeroChannelsOrRateIsMalformed) {
  const auto registry = DecoderRegistry::with_builtins();
  auto params = pcm_params(kS16Le, 0);
  auto no_channels = registry.create(params);
  ASSERT_FALSE(no_channels);
  EXPECT_EQ(no_channels.error().code, Errc::malformed);

  params = pcm_params(kS16Le, 2);
  params.sample_rate = 0;
  auto no_rate = registry.create(params);
  ASSERT_FALSE(no_rate);
  EXPECT_EQ(no_rate.error().code, Errc::malformed);
}

TEST(PcmDecoder, UnknownLayoutsAreUnsupported) {
  const auto registry = DecoderRegistry::with_builtins();
  // 16-bit float, 5-byte integers, 8-byte integers, zero-byte samples.
  for (const PcmLayout& layout : {PcmLayout{2, true, false, true}, PcmLayout{5, false, false, true},
                                  PcmLayout{8, false, false, true}, PcmLayout{0, false, false, true}}) {
    auto decoder = registry.create(pcm_params(layout, 2));
    ASSERT_FALSE(decoder) << int{layout.bytes_per_sample};
    EXPECT_EQ(decoder.error().code, Errc::unsupported);
  }
}

}  // namespace
}  // namespace frugal::codec
