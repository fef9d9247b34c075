#include <frugal/codec/sample_convert.hpp>

#include "codec/pcm_bytes.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace frugal::codec {
namespace {

using core::SampleFormat;
using test::from_bytes;
using test::to_bytes;

constexpr std::int32_t kS32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kS32Min = std::numeric_limits<std::int32_t>::min();

// s24 is packed, 3 bytes per sample, native byte order.
std::vector<std::byte> s24_bytes(const std::vector<std::int32_t>& values) {
  std::vector<std::byte> out;
  for (std::int32_t v : values) {
    const auto u = static_cast<std::uint32_t>(v);
    std::byte b[3] = {std::byte(u & 0xFF), std::byte((u >> 8) & 0xFF), std::byte((u >> 16) & 0xFF)};
    if constexpr (std::endian::native == std::endian::big) std::swap(b[0], b[2]);
    out.insert(out.end(), b, b + 3);
  }
  return out;
}

std::vector<std::int32_t> s24_values(std::span<const std::byte> bytes) {
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t b[3] = {std::to_integer<std::uint32_t>(bytes[i]), std::to_integer<std::uint32_t>(bytes[i + 1]),
                          std::to_integer<std::uint32_t>(bytes[i + 2])};
    if constexpr (std::endian::native == std::endian::big) std::swap(b[0], b[2]);
    out.push_back(static_cast<std::int32_t>((b[0] | b[1] << 8 | b[2] << 16) << 8) >> 8);
  }
  return out;
}

// Runs convert_samples over a whole buffer of `from` samples.
std::vector<std::byte> convert(SampleFormat from, const std::vector<std::byte>& in, SampleFormat to) {
  const std::size_t samples = in.size() / core::bytes_per_sample(from);
  std::vector<std::byte> out(samples * core::bytes_per_sample(to));
  convert_samples(from, in, to, out, samples);
  return out;
}

std::vector<std::int16_t> to_s16(SampleFormat from, const std::vector<std::byte>& in) {
  return from_bytes<std::int16_t>(convert(from, in, SampleFormat::s16));
}
std::vector<std::int32_t> to_s24(SampleFormat from, const std::vector<std::byte>& in) {
  return s24_values(convert(from, in, SampleFormat::s24));
}
std::vector<std::int32_t> to_s32(SampleFormat from, const std::vector<std::byte>& in) {
  return from_bytes<std::int32_t>(convert(from, in, SampleFormat::s32));
}
std::vector<float> to_f32(SampleFormat from, const std::vector<std::byte>& in) {
  return from_bytes<float>(convert(from, in, SampleFormat::f32));
}
std::vector<double> to_f64(SampleFormat from, const std::vector<std::byte>& in) {
  return from_bytes<double>(convert(from, in, SampleFormat::f64));
}

using S16 = std::vector<std::int16_t>;
using S32 = std::vector<std::int32_t>;
using F32 = std::vector<float>;
using F64 = std::vector<double>;

// --- integer ↔ integer: shifts, truncating when narrowing -----------------

TEST(ConvertSamples, S16ToS32ShiftsLeft) {
  EXPECT_EQ(to_s32(SampleFormat::s16, to_bytes(S16{1, -1, 32767, -32768, 0})),
            (S32{0x10000, -0x10000, 0x7FFF0000, kS32Min, 0}));
}

TEST(ConvertSamples, S32ToS16TruncatesTowardMinusInfinity) {
  EXPECT_EQ(to_s16(SampleFormat::s32, to_bytes(S32{0x0001FFFF, -1, kS32Max, kS32Min, -0x10001, 0x8000})),
            (S16{1, -1, 32767, -32768, -2, 0}));
}

TEST(ConvertSamples, S16ToS24) {
  EXPECT_EQ(to_s24(SampleFormat::s16, to_bytes(S16{0x1234, -1, -32768})), (S32{0x123400, -0x100, -0x800000}));
}

TEST(ConvertSamples, S24ToS32AndBack) {
  const auto s24 = s24_bytes({0x123456, -1, 0x7FFFFF, -0x800000});
  EXPECT_EQ(to_s32(SampleFormat::s24, s24), (S32{0x12345600, -0x100, 0x7FFFFF00, kS32Min}));
  EXPECT_EQ(to_s24(SampleFormat::s32, to_bytes(S32{0x123456FF, -1, kS32Max})), (S32{0x123456, -1, 0x7FFFFF}));
}

TEST(ConvertSamples, S24ToS16Truncates) {
  EXPECT_EQ(to_s16(SampleFormat::s24, s24_bytes({0x1234FF, -1, -0x800000})), (S16{0x1234, -1, -32768}));
}

TEST(ConvertSamples, S24IsPackedInThreeBytes) {
  const auto out = convert(SampleFormat::s32, to_bytes(S32{0x12345600, -0x200}), SampleFormat::s24);
  ASSERT_EQ(out.size(), 6u);
  if constexpr (std::endian::native == std::endian::little) {
    EXPECT_EQ(out, test::bytes({0x56, 0x34, 0x12, 0xFE, 0xFF, 0xFF}));
  } else {
    EXPECT_EQ(out, test::bytes({0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFE}));
  }
}

// --- integer → float: scale by 2^-(bits-1) ---------------------------------

TEST(ConvertSamples, IntegerToFloatScales) {
  EXPECT_EQ(to_f32(SampleFormat::s16, to_bytes(S16{16384, -32768, 1, 0})), (F32{0.5f, -1.0f, 1.0f / 32768, 0.0f}));
  EXPECT_EQ(to_f64(SampleFormat::s32, to_bytes(S32{1 << 30, kS32Min, 1})), (F64{0.5, -1.0, 1.0 / 2147483648.0}));
  EXPECT_EQ(to_f32(SampleFormat::s24, s24_bytes({0x400000, -0x800000, 1})), (F32{0.5f, -1.0f, 1.0f / 8388608}));
}

// --- float → integer: round to nearest (lrint) and clip ---------------------

TEST(ConvertSamples, FloatToS16ClipsOutOfRange) {
  EXPECT_EQ(to_s16(SampleFormat::f32, to_bytes(F32{1.5f, -1.5f, 1.0f, -1.0f, 0.5f, 100.0f})),
            (S16{32767, -32768, 32767, -32768, 16384, 32767}));
  EXPECT_EQ(to_s16(SampleFormat::f64, to_bytes(F64{1.5, -1.5, 1.0, -1.0, -0.25})),
            (S16{32767, -32768, 32767, -32768, -8192}));
}

TEST(ConvertSamples, FloatToS16RoundsHalfToEven) {
  // x * 32768 = 0.5, 1.5, 2.5, -0.5, -1.5, 0.75, 0.25: lrintf rounds ties to even.
  const F32 in{0.5f / 32768, 1.5f / 32768, 2.5f / 32768, -0.5f / 32768, -1.5f / 32768, 0.75f / 32768, 0.25f / 32768};
  const S16 expected{0, 2, 2, 0, -2, 1, 0};
  EXPECT_EQ(to_s16(SampleFormat::f32, to_bytes(in)), expected);
  EXPECT_EQ(to_s16(SampleFormat::f64, to_bytes(F64(in.begin(), in.end()))), expected);
}

TEST(ConvertSamples, FloatToS32ClipsAndRounds) {
  EXPECT_EQ(to_s32(SampleFormat::f32, to_bytes(F32{1.0f, -1.0f, 1.5f, -1.5f, 0.5f})),
            (S32{kS32Max, kS32Min, kS32Max, kS32Min, 1 << 30}));
  EXPECT_EQ(to_s32(SampleFormat::f64, to_bytes(F64{1.0, 2.5 / 2147483648.0, 3.5 / 2147483648.0, -1.0})),
            (S32{kS32Max, 2, 4, kS32Min}));
}

// Regression: values beyond what lrint can represent (+inf; x * 2^31 past
// 2^63, e.g. 5e9f; x * 2^15 past LONG_MAX, already 1e5f where long has 32
// bits) once came out as the most negative sample (lrint's unspecified
// overflow result, LONG_MIN on x86-64) instead of clipping to the maximum.
TEST(ConvertSamples, HugePositiveFloatsClipToTheMaximum) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const F32 in{kInf, 5e9f, 1e20f};
  EXPECT_EQ(to_s16(SampleFormat::f32, to_bytes(in)), (S16{32767, 32767, 32767}));
  EXPECT_EQ(to_s32(SampleFormat::f32, to_bytes(in)), (S32{kS32Max, kS32Max, kS32Max}));
  EXPECT_EQ(to_s32(SampleFormat::f64, to_bytes(F64{double{kInf}, 1e300})), (S32{kS32Max, kS32Max}));
}

TEST(ConvertSamples, NanBecomesSilence) {
  const F32 nan{std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN()};
  EXPECT_EQ(to_s16(SampleFormat::f32, to_bytes(nan)), (S16{0, 0}));
  EXPECT_EQ(to_s32(SampleFormat::f32, to_bytes(nan)), (S32{0, 0}));
  EXPECT_EQ(to_s24(SampleFormat::f64, to_bytes(F64{std::numeric_limits<double>::quiet_NaN()})), (S32{0}));
}

TEST(ConvertSamples, FloatToS24UsesTheTop24Bits) {
  EXPECT_EQ(to_s24(SampleFormat::f32, to_bytes(F32{0.5f, 1.0f, -1.0f, -1.5f})),
            (S32{0x400000, 0x7FFFFF, -0x800000, -0x800000}));
}

TEST(ConvertSamples, FloatToFloat) {
  EXPECT_EQ(to_f64(SampleFormat::f32, to_bytes(F32{0.1f, -1.5f})), (F64{double{0.1f}, -1.5}));
  EXPECT_EQ(to_f32(SampleFormat::f64, to_bytes(F64{0.1, 2.0})), (F32{0.1f, 2.0f}));
}

TEST(ConvertSamples, SameFormatCopies) {
  const auto in = to_bytes(S32{1, -2, kS32Max});
  EXPECT_EQ(convert(SampleFormat::s32, in, SampleFormat::s32), in);
}

TEST(ConvertSamples, ConvertsOnlyTheGivenCount) {
  const auto in = to_bytes(S16{100, 200, 300});
  std::vector<std::byte> out(3 * 4, std::byte{0xAA});
  convert_samples(SampleFormat::s16, in, SampleFormat::s32, out, 2);
  EXPECT_EQ(from_bytes<std::int32_t>(std::span(out).first(8)), (S32{100 << 16, 200 << 16}));
  EXPECT_EQ(std::vector<std::byte>(out.begin() + 8, out.end()), std::vector<std::byte>(4, std::byte{0xAA}));
}

// --- lossless round trips: narrow → wide → narrow ---------------------------

struct RoundTrip {
  SampleFormat narrow;
  SampleFormat wide;
};

void PrintTo(const RoundTrip& r, std::ostream* os) {
  *os << core::sample_format_name(r.narrow) << "_via_" << core::sample_format_name(r.wide);
}

// Every value of s16; extremes plus a spread of s24 and s32 values.
std::vector<std::byte> all_values(SampleFormat format) {
  std::vector<std::int32_t> values;
  switch (format) {
    case SampleFormat::s16: {
      S16 all;
      for (int v = -32768; v <= 32767; ++v) all.push_back(static_cast<std::int16_t>(v));
      return to_bytes(all);
    }
    case SampleFormat::s24:
      values = {-1, 0, 1, 0x7FFFFF};
      for (std::int32_t v = -0x800000; v <= 0x7FFFFF; v += 127) values.push_back(v);
      return s24_bytes(values);
    default: {
      values = {kS32Min, kS32Min + 1, -1, 0, 1, kS32Max - 1, kS32Max};
      std::mt19937 rng(1234);
      for (int i = 0; i < 100000; ++i) values.push_back(static_cast<std::int32_t>(rng()));
      return to_bytes(values);
    }
  }
}

class ExactRoundTrip : public testing::TestWithParam<RoundTrip> {};

TEST_P(ExactRoundTrip, RestoresEverySample) {
  const auto [narrow, wide] = GetParam();
  const auto in = all_values(narrow);
  const auto back = convert(wide, convert(narrow, in, wide), narrow);
  ASSERT_EQ(back.size(), in.size());
  EXPECT_TRUE(back == in) << "round trip changed samples";
}

INSTANTIATE_TEST_SUITE_P(
    Lossless, ExactRoundTrip,
    testing::Values(RoundTrip{SampleFormat::s16, SampleFormat::s32}, RoundTrip{SampleFormat::s16, SampleFormat::s24},
                    RoundTrip{SampleFormat::s16, SampleFormat::f32}, RoundTrip{SampleFormat::s16, SampleFormat::f64},
                    RoundTrip{SampleFormat::s24, SampleFormat::s32}, RoundTrip{SampleFormat::s24, SampleFormat::f32},
                    RoundTrip{SampleFormat::s24, SampleFormat::f64}, RoundTrip{SampleFormat::s32, SampleFormat::f64}),
    [](const testing::TestParamInfo<RoundTrip>& param_info) {
      return std::string(core::sample_format_name(param_info.param.narrow)) + "_via_" +
             core::sample_format_name(param_info.param.wide);
    });

// --- default_output_format ---------------------------------------------------

struct DefaultCase {
  core::Codec codec;
  SampleFormat decoded;
  std::uint8_t valid_bits;
  SampleFormat expected;
};

void PrintTo(const DefaultCase& c, std::ostream* os) {
  *os << core::codec_name(c.codec) << " " << core::sample_format_name(c.decoded) << "/" << int{c.valid_bits};
}

class DefaultOutputFormat : public testing::TestWithParam<DefaultCase> {};

TEST_P(DefaultOutputFormat, PicksTheSourceDepthForLosslessAndS16ForLossy) {
  const DefaultCase& c = GetParam();
  core::CodecParameters params;
  params.codec = c.codec;
  const core::AudioFormat decoded{48000, 2, c.decoded, c.valid_bits};
  EXPECT_EQ(default_output_format(params, decoded), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Codecs, DefaultOutputFormat,
                         testing::Values(DefaultCase{core::Codec::flac, SampleFormat::s16, 8, SampleFormat::s16},
                                         DefaultCase{core::Codec::flac, SampleFormat::s16, 16, SampleFormat::s16},
                                         DefaultCase{core::Codec::flac, SampleFormat::s32, 20, SampleFormat::s24},
                                         DefaultCase{core::Codec::flac, SampleFormat::s32, 24, SampleFormat::s24},
                                         DefaultCase{core::Codec::flac, SampleFormat::s32, 32, SampleFormat::s32},
                                         DefaultCase{core::Codec::pcm, SampleFormat::s32, 32, SampleFormat::s32},
                                         DefaultCase{core::Codec::pcm, SampleFormat::f32, 32, SampleFormat::f32},
                                         DefaultCase{core::Codec::pcm, SampleFormat::f64, 64, SampleFormat::f32},
                                         DefaultCase{core::Codec::alac, SampleFormat::s32, 24, SampleFormat::s24},
                                         DefaultCase{core::Codec::opus, SampleFormat::s16, 16, SampleFormat::s16},
                                         DefaultCase{core::Codec::opus, SampleFormat::f32, 32, SampleFormat::s16},
                                         DefaultCase{core::Codec::aac, SampleFormat::f32, 32, SampleFormat::s16}));

// --- apply_gain: in place, rounded and clipped for integers ---------------

template <typename T>
std::vector<T> gained(SampleFormat f, std::vector<T> values, double gain) {
  std::vector<std::byte> bytes = to_bytes(values);
  apply_gain(f, bytes, values.size(), gain);
  return from_bytes<T>(bytes);
}

TEST(ApplyGain, S16RoundsToNearestAndClips) {
  EXPECT_EQ(gained(SampleFormat::s16, S16{3, -3, 1000, 20000, -20000, -32768}, 0.5), (S16{2, -2, 500, 10000, -10000, -16384}));
  EXPECT_EQ(gained(SampleFormat::s16, S16{20000, -20000, 7}, 2.0), (S16{32767, -32768, 14}));
}

TEST(ApplyGain, S24KeepsItsPackingAndClips) {
  std::vector<std::byte> bytes = s24_bytes({8388607, -8388608, 1000, -1001});
  apply_gain(SampleFormat::s24, bytes, 4, 0.5);
  EXPECT_EQ(s24_values(bytes), (S32{4194304, -4194304, 500, -500}));
  apply_gain(SampleFormat::s24, bytes, 4, 4.0);
  EXPECT_EQ(s24_values(bytes), (S32{8388607, -8388608, 2000, -2000}));
}

TEST(ApplyGain, S32Clips) {
  EXPECT_EQ(gained(SampleFormat::s32, S32{kS32Max, kS32Min, 100}, 1.5), (S32{kS32Max, kS32Min, 150}));
}

TEST(ApplyGain, FloatsScaleUnclipped) {
  EXPECT_EQ(gained(SampleFormat::f32, F32{0.5f, -1.0f}, 3.0), (F32{1.5f, -3.0f}));
  EXPECT_EQ(gained(SampleFormat::f64, F64{0.25, -0.5}, 0.5), (F64{0.125, -0.25}));
}

TEST(ApplyGain, TouchesOnlyTheGivenSamples) {
  EXPECT_EQ([] {
    std::vector<std::byte> bytes = to_bytes(S16{100, 100, 100});
    apply_gain(SampleFormat::s16, bytes, 2, 0.5);
    return from_bytes<std::int16_t>(bytes);
  }(), (S16{50, 50, 100}));
}

}  // namespace
}  // namespace frugal::codec
