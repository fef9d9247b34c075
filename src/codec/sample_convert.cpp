#include <frugal/codec/sample_convert.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace frugal::codec {

using core::SampleFormat;

namespace {

// s24 is packed in native byte order.
std::int32_t load_s24(const std::byte* p) {
  std::uint8_t b[3];
  std::memcpy(b, p, 3);
  const std::uint32_t u = std::endian::native == std::endian::little
                              ? (std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16)
                              : (std::uint32_t{b[2]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[0]} << 16);
  return static_cast<std::int32_t>(u << 8) >> 8;
}

void store_s24(std::byte* p, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  const std::uint8_t lo = u & 0xFF, mid = (u >> 8) & 0xFF, hi = (u >> 16) & 0xFF;
  const std::uint8_t b[3] = {std::endian::native == std::endian::little ? lo : hi, mid,
                             std::endian::native == std::endian::little ? hi : lo};
  std::memcpy(p, b, 3);
}

template <typename T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void store(std::byte* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

// Integer sample, left-justified in 32 bits.
std::int32_t load_int(SampleFormat f, const std::byte* p) {
  switch (f) {
    case SampleFormat::s16: return static_cast<std::int32_t>(static_cast<std::uint32_t>(load<std::int16_t>(p)) << 16);
    case SampleFormat::s24: return static_cast<std::int32_t>(static_cast<std::uint32_t>(load_s24(p)) << 8);
    default: return load<std::int32_t>(p);
  }
}

void store_int(SampleFormat f, std::byte* p, std::int32_t v) {
  switch (f) {
    case SampleFormat::s16: store(p, static_cast<std::int16_t>(v >> 16)); break;
    case SampleFormat::s24: store_s24(p, v >> 8); break;
    default: store(p, v); break;
  }
}

double load_real(SampleFormat f, const std::byte* p) {
  return f == SampleFormat::f64 ? load<double>(p) : load<float>(p);
}

// Clamps x * scale into [lo, hi] before rounding: lrint's result is
// unspecified when it overflows (inf, huge values). NaN becomes 0. For every
// value lrint can represent this equals rounding, then clipping (FFmpeg's
// av_clip_int16(lrintf(x * 32768)) and av_clipl_int32(llrintf(x * 2^31))).
double clamp_scaled(double x, double scale, double lo, double hi) {
  const double v = x * scale;
  if (v != v) return 0;
  return v < lo ? lo : v > hi ? hi : v;
}

// double → float, clamped to float's range (out of range it is undefined);
// NaN stays NaN.
float narrow_to_float(double v) {
  constexpr double kMax = 3.4028234663852886e38;  // FLT_MAX
  return static_cast<float>(v > kMax ? kMax : v < -kMax ? -kMax : v);
}

}  // namespace

void convert_samples(SampleFormat from, std::span<const std::byte> in, SampleFormat to,
                     std::span<std::byte> out, std::size_t samples) noexcept {
  const std::size_t in_size = core::bytes_per_sample(from);
  const std::size_t out_size = core::bytes_per_sample(to);
  if (from == to) {
    std::memcpy(out.data(), in.data(), samples * in_size);
    return;
  }
  const std::byte* src = in.data();
  std::byte* dst = out.data();
  for (std::size_t i = 0; i < samples; ++i, src += in_size, dst += out_size) {
    if (!core::is_float(from) && !core::is_float(to)) {
      store_int(to, dst, load_int(from, src));
    } else if (!core::is_float(from)) {  // int → float: scale by 2^-31
      const std::int32_t v = load_int(from, src);
      if (to == SampleFormat::f64) store(dst, v * (1.0 / 2147483648.0));
      else store(dst, static_cast<float>(v) * (1.0f / 2147483648.0f));
    } else if (core::is_float(to)) {
      const double v = load_real(from, src);
      if (to == SampleFormat::f64) store(dst, v);
      else store(dst, narrow_to_float(v));
    } else if (to == SampleFormat::s16) {  // float → s16: x * 2^15, rounded to nearest, clipped
      store(dst, static_cast<std::int16_t>(std::lrint(clamp_scaled(load_real(from, src), 32768.0, -32768.0, 32767.0))));
    } else {  // float → s32 (s24 from its top 24 bits): x * 2^31, rounded to nearest, clipped
      store_int(to, dst,
                static_cast<std::int32_t>(std::llrint(clamp_scaled(load_real(from, src), 2147483648.0,
                                                                   -2147483648.0, 2147483647.0))));
    }
  }
}

void apply_gain(SampleFormat format, std::span<std::byte> data, std::size_t samples, double gain) noexcept {
  const std::size_t size = core::bytes_per_sample(format);
  std::byte* p = data.data();
  for (std::size_t i = 0; i < samples; ++i, p += size) {
    switch (format) {
      case SampleFormat::f32: store(p, narrow_to_float(load<float>(p) * gain)); break;
      case SampleFormat::f64: store(p, load<double>(p) * gain); break;
      case SampleFormat::s16:
        store(p, static_cast<std::int16_t>(std::lrint(clamp_scaled(load<std::int16_t>(p), gain, -32768.0, 32767.0))));
        break;
      case SampleFormat::s24:
        store_s24(p, static_cast<std::int32_t>(std::lrint(clamp_scaled(load_s24(p), gain, -8388608.0, 8388607.0))));
        break;
      case SampleFormat::s32:
        store(p, static_cast<std::int32_t>(
                     std::llrint(clamp_scaled(load<std::int32_t>(p), gain, -2147483648.0, 2147483647.0))));
        break;
    }
  }
}

SampleFormat default_output_format(const core::CodecParameters& params,
                                   const core::AudioFormat& decoded) noexcept {
  const bool lossless = params.codec == core::Codec::pcm || params.codec == core::Codec::flac ||
                        params.codec == core::Codec::alac;
  if (!lossless) return SampleFormat::s16;
  if (core::is_float(decoded.format)) return SampleFormat::f32;
  if (decoded.valid_bits <= 16) return SampleFormat::s16;
  if (decoded.valid_bits <= 24) return SampleFormat::s24;
  return SampleFormat::s32;
}

}  // namespace frugal::codec
