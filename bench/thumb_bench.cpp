// A 128-pixel thumbnail of a 24 MP (6000 × 4000) baseline JPEG beside a full
// libjpeg decode of the same file, in one run: time per image and peak heap
// (every malloc'd byte from just before the operation to its end, by
// interposing malloc: platform/linux/heap_counter.cpp) as counters. The JPEG
// (quality 90, 4:2:0, a smooth picture with some detail) is made in memory by
// the bench with libjpeg (tests/support/image_writer) before the runs; its
// bytes are held by both sides and counted by neither.
// Run: build/bench/bench/thumb_bench [--benchmark_filter=...]
#include <frugal/thumbnails/thumbnailer.hpp>

#include "heap_counter.hpp"
#include "support/image_writer.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>

namespace {

using frugal::test::Bytes;

const Bytes& photo() {
  static const Bytes jpeg = [] {
    frugal::test::JpegSpec s;
    s.width = 6000;
    s.height = 4000;
    s.quality = 90;
    s.samples.resize(std::size_t{s.width} * s.height * 3);
    std::uint32_t noise = 1;
    for (std::uint32_t y = 0; y < s.height; ++y)
      for (std::uint32_t x = 0; x < s.width; ++x)
        for (int c = 0; c < 3; ++c) {
          noise = noise * 1664525u + 1013904223u;
          const double v = 128 + 70 * std::sin(x / (40.0 + 9 * c)) * std::cos(y / 55.0) + (noise >> 28);
          s.samples[(std::size_t{y} * s.width + x) * 3 + c] = static_cast<std::uint8_t>(std::lround(v));
        }
    return frugal::test::jpeg_file(s);
  }();
  return jpeg;
}

// Heap bytes above `start` at the peak since the last reset.
double heap_peak_since(std::uint64_t start) {
  return static_cast<double>(frugal::platform::heap_counts().peak - start);
}

void BM_Thumbnail128(benchmark::State& state) {
  const Bytes& jpeg = photo();
  double peak = 0, planned = 0, scale = 0;
  for (auto _ : state) {
    const std::uint64_t start = frugal::platform::heap_counts().current;
    frugal::platform::reset_heap_peak();
    frugal::core::MemorySource source(jpeg);
    auto t = frugal::thumbnails::make_thumbnail(source);
    if (!t) {
      state.SkipWithError(t.error().message);
      return;
    }
    peak = std::max(peak, heap_peak_since(start));
    planned = static_cast<double>(t->plan.peak_bytes);
    scale = t->plan.scale_num;
    benchmark::DoNotOptimize(t->pixels.span().data());
  }
  state.counters["heap_peak"] = peak;
  state.counters["planned_peak"] = planned;
  state.counters["scale_num"] = scale;
  state.counters["jpeg_bytes"] = static_cast<double>(jpeg.size());
}
BENCHMARK(BM_Thumbnail128)->Unit(benchmark::kMillisecond)->UseRealTime();

// The peer: libjpeg decoding the whole image at full size into an RGBA8
// buffer (what a thumbnailer without DCT scaling and streaming starts from),
// without any downscale after it.
void BM_FullDecode(benchmark::State& state) {
  const Bytes& jpeg = photo();
  double peak = 0;
  for (auto _ : state) {
    const std::uint64_t start = frugal::platform::heap_counts().current;
    frugal::platform::reset_heap_peak();
    auto image = frugal::test::decode_jpeg_rgba(jpeg, 8);
    if (!image) {
      state.SkipWithError("libjpeg refused the image");
      return;
    }
    peak = std::max(peak, heap_peak_since(start));
    benchmark::DoNotOptimize(image->pixels.data());
  }
  state.counters["heap_peak"] = peak;
}
BENCHMARK(BM_FullDecode)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
