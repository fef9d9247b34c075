#pragma once
// Conversion of interleaved PCM between sample formats, as FFmpeg's
// libswresample does it without dither: integers shift (truncating when
// narrowing), floats scale by 2^(bits-1), round to nearest and clip.

#include <frugal/core/media.hpp>

#include <cstddef>
#include <span>

namespace frugal::codec {

/// Converts `samples` samples (frames x channels) from `from` in `in` to `to`
/// in `out`. `in` and `out` must hold samples x bytes_per_sample of their
/// formats; they must not overlap. Thread-safe.
void convert_samples(core::SampleFormat from, std::span<const std::byte> in, core::SampleFormat to,
                     std::span<std::byte> out, std::size_t samples) noexcept;

/// Multiplies `samples` samples of `format` in `data` by `gain` (linear, ≥ 0)
/// in place: integers round to nearest and clip to their range, floats are
/// scaled unclipped. Thread-safe.
void apply_gain(core::SampleFormat format, std::span<std::byte> data, std::size_t samples, double gain) noexcept;

/// The format `frugal decode` writes by default: the source's own depth for
/// lossless audio (s16, s24, s32; f32 for float), s16 for lossy codecs.
core::SampleFormat default_output_format(const core::CodecParameters& params,
                                         const core::AudioFormat& decoded) noexcept;

}  // namespace frugal::codec
