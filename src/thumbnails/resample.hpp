#pragma once
// The thumbnailer's downscaler: a streaming area (box) filter. Internal.
//
// Why streaming: a decoded 24 MP photo is 96 MB of RGBA; the filter takes
// one input row at a time and keeps only two rows of accumulators the width
// of the *output* (8 × 4 × 2 bytes a pixel), writing each output row as soon
// as the input rows it covers have passed. Memory so grows with the
// thumbnail, not the image.
//
// What it computes: each output pixel is the exact average of the input area
// it covers, fractional coverage at its edges included (input pixel x spans
// [x·Wo, (x+1)·Wo) and output pixel ox spans [ox·Wi, (ox+1)·Wi) in units of
// 1/(Wi·Wo); rows likewise), in integers. Colours are averaged weighted by
// alpha (premultiplied), so transparent pixels lend no colour.
// Thread-safety: one filter per thread.

#include <frugal/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace frugal::thumbnails::detail {

/// The largest size within `max_size` × `max_size` with the aspect ratio of
/// `width` × `height` (rounded, at least 1), never larger than the image.
struct Size {
  std::uint32_t width = 0, height = 0;
};
Size fit_size(std::uint32_t width, std::uint32_t height, std::uint32_t max_size) noexcept;

class AreaFilter {
 public:
  /// Heap bytes a filter to an output `out_width` pixels wide holds.
  static std::size_t bytes(std::uint32_t out_width) noexcept;

  /// A filter from `in` to `out` (each side 1 - 2^16, out <= in), writing
  /// RGBA8 rows into `output` (out.width × out.height × 4 bytes).
  /// Errors: Errc::out_of_memory when the heap refuses the accumulators.
  static core::Result<AreaFilter> create(Size in, Size out, std::span<std::uint8_t> output);

  /// The next input row: in.width RGBA8 pixels. Rows past in.height are a
  /// programmer error.
  void push_row(const std::uint8_t* rgba) noexcept;

  /// Input rows pushed so far.
  std::uint32_t rows() const noexcept { return y_; }

 private:
  AreaFilter() = default;
  void emit_row() noexcept;

  Size in_, out_;
  std::span<std::uint8_t> output_;
  std::unique_ptr<std::uint64_t[]> row_sum_;  // out.width × 4: this input row, filtered across
  std::unique_ptr<std::uint64_t[]> acc_;      // out.width × 4: the output row being built
  std::uint32_t y_ = 0;                       // input rows pushed
  std::uint32_t out_y_ = 0;                   // output rows written
};

}  // namespace frugal::thumbnails::detail
