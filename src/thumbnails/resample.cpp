#include "thumbnails/resample.hpp"

#include <frugal/core/assert.hpp>

#include <algorithm>
#include <new>

namespace frugal::thumbnails::detail {

Size fit_size(std::uint32_t width, std::uint32_t height, std::uint32_t max_size) noexcept {
  if (width <= max_size && height <= max_size) return {width, height};
  // The long side becomes max_size; the other rounds to nearest, at least 1.
  const std::uint64_t w = width, h = height, m = max_size;
  if (width >= height) return {max_size, static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (h * m + w / 2) / w))};
  return {static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (w * m + h / 2) / h)), max_size};
}

std::size_t AreaFilter::bytes(std::uint32_t out_width) noexcept {
  return std::size_t{out_width} * 4 * sizeof(std::uint64_t) * 2;
}

core::Result<AreaFilter> AreaFilter::create(Size in, Size out, std::span<std::uint8_t> output) {
  FRUGAL_ASSERT(out.width >= 1 && out.height >= 1 && out.width <= in.width && out.height <= in.height);
  FRUGAL_ASSERT(output.size() == std::size_t{out.width} * out.height * 4);
  AreaFilter f;
  f.in_ = in;
  f.out_ = out;
  f.output_ = output;
  const std::size_t n = std::size_t{out.width} * 4;
  f.row_sum_.reset(new (std::nothrow) std::uint64_t[n]);
  f.acc_.reset(new (std::nothrow) std::uint64_t[n]());
  if (!f.row_sum_ || !f.acc_) return core::make_error(core::Errc::out_of_memory, "thumbnail: no memory for the filter");
  return f;
}

void AreaFilter::push_row(const std::uint8_t* rgba) noexcept {
  FRUGAL_ASSERT(y_ < in_.height);
  const std::uint64_t wi = in_.width, wo = out_.width, hi = in_.height, ho = out_.height;
  // Across: input pixel x covers [x·wo, (x+1)·wo); output pixel ox [ox·wi, (ox+1)·wi).
  std::fill_n(row_sum_.get(), out_.width * 4, 0);
  std::uint64_t* sum = row_sum_.get();
  std::uint64_t ox_end = wi;
  for (std::uint64_t x = 0; x < wi; ++x, rgba += 4) {
    const std::uint64_t a = rgba[3];
    const std::uint64_t px[4] = {rgba[0] * a, rgba[1] * a, rgba[2] * a, a};
    std::uint64_t at = x * wo;
    const std::uint64_t end = at + wo;
    while (at < end) {
      const std::uint64_t part = std::min(end, ox_end) - at;
      for (int c = 0; c < 4; ++c) sum[c] += px[c] * part;
      at += part;
      if (at == ox_end && ox_end < wi * wo) {
        sum += 4;
        ox_end += wi;
      }
    }
  }
  // Down: input row y covers [y·ho, (y+1)·ho); output row oy [oy·hi, (oy+1)·hi).
  std::uint64_t at = std::uint64_t{y_} * ho;
  const std::uint64_t end = at + ho;
  while (at < end) {
    const std::uint64_t oy_end = (std::uint64_t{out_y_} + 1) * hi;
    const std::uint64_t part = std::min(end, oy_end) - at;
    for (std::size_t i = 0; i < std::size_t{out_.width} * 4; ++i) acc_[i] += row_sum_[i] * part;
    at += part;
    if (at == oy_end) emit_row();
  }
  ++y_;
}

void AreaFilter::emit_row() noexcept {
  // Weights sum to wi·hi per output pixel: alpha is its mean; colours are
  // the alpha-weighted means (0 where fully transparent).
  const std::uint64_t area = std::uint64_t{in_.width} * in_.height;
  std::uint8_t* out = output_.data() + std::size_t{out_y_} * out_.width * 4;
  for (std::size_t ox = 0; ox < out_.width; ++ox) {
    std::uint64_t* a = acc_.get() + ox * 4;
    const std::uint64_t alpha = a[3];
    for (int c = 0; c < 3; ++c) out[ox * 4 + c] = alpha ? static_cast<std::uint8_t>((a[c] + alpha / 2) / alpha) : 0;
    out[ox * 4 + 3] = static_cast<std::uint8_t>((alpha + area / 2) / area);
    a[0] = a[1] = a[2] = a[3] = 0;
  }
  ++out_y_;
}

}  // namespace frugal::thumbnails::detail
