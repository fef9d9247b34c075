// The thumbnailer on JPEGs and PNGs made at test time (support/image_writer),
// tile sheets, and cover art: pixels against an exact area average computed
// here from a full decode, sizes, DCT scale choice, the plan against the heap
// actually used, budget refusals before decoding, broken files, orientation.
#include <frugal/thumbnails/thumbnailer.hpp>

#include "support/image_writer.hpp"
#include "support/media.hpp"
#include "tags/fixtures.hpp"

#include "heap_counter.hpp"

#include <frugal/core/file_source.hpp>
#include <frugal/assets/image_info.hpp>
#include <frugal/tags/tags.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace frugal::thumbnails {
namespace {

using core::Errc;
using test::Bytes;
using test::RgbaImage;

// A smooth but not flat test picture: waves of a few dozen pixels.
std::uint8_t sample(std::uint32_t x, std::uint32_t y, int c) {
  return static_cast<std::uint8_t>(std::lround(128 + 60 * std::sin(x / (9.0 + c) + c) + 60 * std::cos(y / 13.0 - c)));
}

test::JpegSpec jpeg_spec(std::uint32_t w, std::uint32_t h, int components = 3, bool progressive = false) {
  test::JpegSpec s;
  s.width = w;
  s.height = h;
  s.components = components;
  s.progressive = progressive;
  s.samples.resize(std::size_t{w} * h * components);
  for (std::uint32_t y = 0; y < h; ++y)
    for (std::uint32_t x = 0; x < w; ++x)
      for (int c = 0; c < components; ++c)
        s.samples[(std::size_t{y} * w + x) * components + c] = sample(x, y, c);
  return s;
}

// The exact area average of `in` to w × h, alpha-weighted, in doubles.
RgbaImage area_average(const RgbaImage& in, std::uint32_t w, std::uint32_t h) {
  RgbaImage out{w, h, std::vector<std::uint8_t>(std::size_t{w} * h * 4)};
  const double sx = double(in.width) / w, sy = double(in.height) / h;
  for (std::uint32_t oy = 0; oy < h; ++oy)
    for (std::uint32_t ox = 0; ox < w; ++ox) {
      double sum[4] = {0, 0, 0, 0}, area = 0;
      const double x0 = ox * sx, x1 = (ox + 1) * sx, y0 = oy * sy, y1 = (oy + 1) * sy;
      for (auto y = static_cast<std::uint32_t>(y0); y < in.height && y < y1; ++y)
        for (auto x = static_cast<std::uint32_t>(x0); x < in.width && x < x1; ++x) {
          const double wgt = (std::min<double>(x + 1, x1) - std::max<double>(x, x0)) *
                             (std::min<double>(y + 1, y1) - std::max<double>(y, y0));
          const std::uint8_t* p = &in.pixels[(std::size_t{y} * in.width + x) * 4];
          for (int c = 0; c < 3; ++c) sum[c] += wgt * p[c] * p[3];
          sum[3] += wgt * p[3];
          area += wgt;
        }
      std::uint8_t* o = &out.pixels[(std::size_t{oy} * w + ox) * 4];
      for (int c = 0; c < 3; ++c) o[c] = sum[3] > 0 ? static_cast<std::uint8_t>(std::lround(sum[c] / sum[3])) : 0;
      o[3] = static_cast<std::uint8_t>(std::lround(sum[3] / area));
    }
  return out;
}

// Largest channel difference between a thumbnail and a reference image.
int max_difference(const Thumbnail& t, const RgbaImage& ref) {
  EXPECT_EQ(t.width, ref.width);
  EXPECT_EQ(t.height, ref.height);
  if (t.width != ref.width || t.height != ref.height) return 999;
  int worst = 0;
  for (std::uint32_t y = 0; y < t.height; ++y) {
    const auto row = t.row(y);
    for (std::size_t i = 0; i < row.size(); ++i)
      worst = std::max(worst, std::abs(int(row[i]) - int(ref.pixels[y * row.size() + i])));
  }
  return worst;
}

double mean_difference(const Thumbnail& t, const RgbaImage& ref) {
  double sum = 0;
  for (std::uint32_t y = 0; y < t.height; ++y) {
    const auto row = t.row(y);
    for (std::size_t i = 0; i < row.size(); ++i) sum += std::abs(int(row[i]) - int(ref.pixels[y * row.size() + i]));
  }
  return sum / (double(t.width) * t.height * 4);
}

core::Result<Thumbnail> thumb(const Bytes& file, ThumbnailOptions options = {}) {
  core::MemorySource source(file);
  return make_thumbnail(source, options);
}

core::Result<ThumbnailPlan> plan(const Bytes& file, ThumbnailOptions options = {}) {
  core::MemorySource source(file);
  return plan_thumbnail(source, options);
}

// --- JPEG -----------------------------------------------------------------

TEST(Thumbnailer, JpegPicksTheSmallestDctScaleCoveringTheTarget) {
  const Bytes file = test::jpeg_file(jpeg_spec(1000, 600));
  auto p = plan(file);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->codec, ImageCodec::jpeg);
  EXPECT_EQ(p->source_width, 1000u);
  EXPECT_EQ(p->width, 128u);
  EXPECT_EQ(p->height, 77u);  // 600 × 128 / 1000 = 76.8
  // 1/8 gives 125 × 75 (short of 128 × 77); 2/8 gives 250 × 150.
  EXPECT_EQ(p->scale_num, 2u);
  EXPECT_EQ(p->decoded_width, 250u);
  EXPECT_EQ(p->decoded_height, 150u);
  EXPECT_FALSE(p->whole_image);
  // An 8 × 8 target decodes at 1/8.
  ThumbnailOptions tiny;
  tiny.max_size = 8;
  auto q = plan(file, tiny);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->scale_num, 1u);
  // A target as large as the image decodes at 8/8.
  ThumbnailOptions full;
  full.max_size = 1000;
  auto r = plan(file, full);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->scale_num, 8u);
  EXPECT_EQ(r->width, 1000u);
}

TEST(Thumbnailer, JpegPixelsAreTheAreaAverageOfTheScaledDecode) {
  for (const bool progressive : {false, true})
    for (const int components : {1, 3}) {
      SCOPED_TRACE(testing::Message() << "progressive " << progressive << ", components " << components);
      const Bytes file = test::jpeg_file(jpeg_spec(997, 601, components, progressive));
      auto t = thumb(file);
      ASSERT_TRUE(t) << t.error().message;
      EXPECT_EQ(t->plan.whole_image, progressive);
      auto decoded = test::decode_jpeg_rgba(file, t->plan.scale_num);
      ASSERT_TRUE(decoded);
      EXPECT_LE(max_difference(*t, area_average(*decoded, t->width, t->height)), 1);
    }
}

TEST(Thumbnailer, JpegThumbnailIsCloseToTheFullDecodesAverage) {
  // Sides a multiple of 16: the scaled decode covers exactly the image (at
  // other sizes its last column and row also cover the padding of the last
  // block, up to 8/N - 1 source pixels: the filter stretches that over the
  // whole width). The reduced IDCT is a low-pass of its own, not an area
  // average: close on average, not pixel for pixel.
  for (const int components : {1, 3}) {
    const Bytes file = test::jpeg_file(jpeg_spec(1024, 640, components));
    auto t = thumb(file);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->plan.scale_num, 1u);
    auto full = test::decode_jpeg_rgba(file, 8);
    ASSERT_TRUE(full);
    const double mean = mean_difference(*t, area_average(*full, t->width, t->height));
    std::printf("components %d: mean difference %.2f\n", components, mean);
    EXPECT_LE(mean, 1.0);
  }
}

TEST(Thumbnailer, ProgressiveJpegPlansItsWholeImageCoefficients) {
  const Bytes baseline = test::jpeg_file(jpeg_spec(1600, 1200));
  const Bytes progressive = test::jpeg_file(jpeg_spec(1600, 1200, 3, true));
  auto b = plan(baseline);
  auto p = plan(progressive);
  ASSERT_TRUE(b && p);
  EXPECT_TRUE(p->whole_image);
  // Y at 200 × 150 blocks, Cb and Cr (4:2:0) at 100 × 75: 64 coefficients
  // of 2 bytes each.
  const std::size_t coefficients = (200 * 150 + 2 * 100 * 75) * 128;
  EXPECT_GE(p->peak_bytes - b->peak_bytes, coefficients);
  EXPECT_LE(p->peak_bytes - b->peak_bytes, coefficients + 64 * 1024);
}

TEST(Thumbnailer, CmykJpegIsConverted) {
  // Adobe CMYK is stored inverted: 255 - ink. Cyan 0.2, magenta 0.4,
  // yellow 0, black 0.5 → R = 0.8 × 0.5, G = 0.6 × 0.5, B = 1 × 0.5.
  test::JpegSpec s;
  s.width = 64;
  s.height = 48;
  s.components = 4;
  for (std::size_t i = 0; i < std::size_t{64} * 48; ++i)
    for (const int ink : {51, 102, 0, 128}) s.samples.push_back(static_cast<std::uint8_t>(255 - ink));
  ThumbnailOptions options;
  options.max_size = 16;
  auto t = thumb(test::jpeg_file(s), options);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->width, 16u);
  ASSERT_EQ(t->height, 12u);
  const auto px = t->row(6).subspan(8 * 4, 4);
  EXPECT_NEAR(px[0], 204 * 127 / 255, 4);
  EXPECT_NEAR(px[1], 153 * 127 / 255, 4);
  EXPECT_NEAR(px[2], 127, 4);
  EXPECT_EQ(px[3], 255);
}

TEST(Thumbnailer, OddSizesKeepTheAspectRatio) {
  struct Case { std::uint32_t w, h, tw, th; };
  for (const Case c : {Case{1, 1, 1, 1}, Case{1, 5000, 1, 128}, Case{5000, 1, 128, 1}, Case{300, 7, 128, 3}}) {
    SCOPED_TRACE(testing::Message() << c.w << "x" << c.h);
    auto t = thumb(test::jpeg_file(jpeg_spec(c.w, c.h)));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->width, c.tw);
    EXPECT_EQ(t->height, c.th);
    auto decoded = test::decode_jpeg_rgba(test::jpeg_file(jpeg_spec(c.w, c.h)), t->plan.scale_num);
    ASSERT_TRUE(decoded);
    EXPECT_LE(max_difference(*t, area_average(*decoded, t->width, t->height)), 1);
  }
}

// --- PNG ------------------------------------------------------------------

struct PngCase {
  test::PngSpec spec;
  RgbaImage expected;  // the image as RGBA8
};

// A PNG of every kind with the RGBA8 it stands for.
PngCase png_case(int color_type, int bit_depth, std::uint32_t w, std::uint32_t h, bool interlaced = false) {
  PngCase c;
  c.spec = {w, h, color_type, bit_depth, interlaced, {}, {}, {}};
  c.expected = {w, h, std::vector<std::uint8_t>(std::size_t{w} * h * 4)};
  const int channels = color_type == 0 || color_type == 3 ? 1 : color_type == 4 ? 2 : color_type == 2 ? 3 : 4;
  const std::size_t stride = (std::size_t{w} * channels * bit_depth + 7) / 8;
  c.spec.rows.assign(stride * h, 0);
  if (color_type == 3) {
    for (int i = 0; i < (1 << bit_depth); ++i)
      c.spec.palette.push_back({static_cast<std::uint8_t>(i * 37), static_cast<std::uint8_t>(255 - i * 11),
                                static_cast<std::uint8_t>(i * 5)});
    c.spec.trns = {0, 128};  // entry 0 transparent, 1 half
  }
  const int max = (1 << bit_depth) - 1;
  for (std::uint32_t y = 0; y < h; ++y)
    for (std::uint32_t x = 0; x < w; ++x) {
      std::uint8_t* e = &c.expected.pixels[(std::size_t{y} * w + x) * 4];
      std::uint8_t* row = &c.spec.rows[y * stride];
      // Sample value v (bit_depth bits) for channel ch; its 8-bit form as
      // libpng's scale_16 / expand make it.
      auto put = [&](int ch, int v) {
        const std::size_t bit = (std::size_t{x} * channels + ch) * bit_depth;
        if (bit_depth == 16) {
          row[bit / 8] = static_cast<std::uint8_t>(v >> 8);
          row[bit / 8 + 1] = static_cast<std::uint8_t>(v);
        } else {
          row[bit / 8] |= static_cast<std::uint8_t>(v << (8 - bit_depth - bit % 8));
        }
      };
      auto to8 = [&](int v) {
        return static_cast<std::uint8_t>(bit_depth == 16 ? (v * 255 + 32895) >> 16 : v * 255 / max);
      };
      auto value = [&](int ch) { return int((x * 7 + y * 13 + ch * 101 + x * y) * 2654435761u % (max + 1)); };
      if (color_type == 3) {
        const int i = value(0);
        put(0, i);
        e[0] = c.spec.palette[i][0], e[1] = c.spec.palette[i][1], e[2] = c.spec.palette[i][2];
        e[3] = i < 2 ? c.spec.trns[i] : 255;
        continue;
      }
      const bool color = color_type & 2, alpha = color_type & 4;
      for (int ch = 0; ch < channels; ++ch) put(ch, value(ch));
      if (color) {
        for (int ch = 0; ch < 3; ++ch) e[ch] = to8(value(ch));
      } else {
        e[0] = e[1] = e[2] = to8(value(0));
      }
      e[3] = alpha ? to8(value(channels - 1)) : 255;
    }
  return c;
}

TEST(Thumbnailer, PngOfEveryKindIsTheAreaAverage) {
  struct Kind { int color_type, bit_depth; bool interlaced; };
  for (const Kind k : {Kind{6, 8, false}, Kind{6, 16, false}, Kind{2, 8, false}, Kind{2, 16, false},
                       Kind{0, 1, false}, Kind{0, 2, false}, Kind{0, 8, false}, Kind{0, 16, false},
                       Kind{4, 8, false}, Kind{4, 16, false}, Kind{3, 1, false}, Kind{3, 4, false},
                       Kind{3, 8, false}, Kind{6, 8, true}, Kind{3, 2, true}}) {
    SCOPED_TRACE(testing::Message() << "color type " << k.color_type << ", depth " << k.bit_depth
                                    << (k.interlaced ? ", Adam7" : ""));
    const PngCase c = png_case(k.color_type, k.bit_depth, 333, 251, k.interlaced);
    auto t = thumb(test::png_file(c.spec));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->plan.codec, ImageCodec::png);
    EXPECT_EQ(t->plan.whole_image, k.interlaced);
    EXPECT_EQ(t->width, 128u);
    EXPECT_EQ(t->height, 96u);  // 251 × 128 / 333 = 96.48
    EXPECT_LE(max_difference(*t, area_average(c.expected, 128, 96)), 1);
  }
}

TEST(Thumbnailer, PngOddSizes) {
  for (const auto& [w, h] : {std::pair{1u, 1u}, std::pair{1u, 5000u}, std::pair{5000u, 1u}, std::pair{2u, 3u}}) {
    SCOPED_TRACE(testing::Message() << w << "x" << h);
    const PngCase c = png_case(6, 8, w, h);
    auto t = thumb(test::png_file(c.spec));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(std::max(t->width, t->height), std::min(std::max(w, h), 128u));
    EXPECT_LE(max_difference(*t, area_average(c.expected, t->width, t->height)), 1);
  }
}

// --- memory ---------------------------------------------------------------

// The heap the thumbnail took at its peak (every malloc'd byte), against
// the plan: the plan must cover it, without overstating it by much.
void expect_plan_covers_heap(const Bytes& file, const char* what) {
  SCOPED_TRACE(what);
  if (!platform::heap_counts().available) GTEST_SKIP() << "no malloc counter (sanitizer build)";
  mem::MemoryTracker tracker;
  ThumbnailOptions options;
  options.tracker = &tracker;
  auto p = plan(file, options);
  ASSERT_TRUE(p);
  const std::uint64_t before = platform::heap_counts().current;
  platform::reset_heap_peak();
  std::uint64_t measured = 0;
  {
    auto t = thumb(file, options);
    ASSERT_TRUE(t) << t.error().message;
    measured = platform::heap_counts().peak - before;
    EXPECT_EQ(tracker.peak_total(), p->peak_bytes);
  }
  std::printf("%s: planned %zu, measured %llu bytes\n", what, p->peak_bytes, static_cast<unsigned long long>(measured));
  EXPECT_LE(measured, p->peak_bytes);
  EXPECT_GE(measured * 2, p->peak_bytes);  // not wildly overstated
}

TEST(Thumbnailer, PlanCoversTheHeapUsed) {
  expect_plan_covers_heap(test::jpeg_file(jpeg_spec(2000, 1500)), "baseline JPEG 2000x1500");
  expect_plan_covers_heap(test::jpeg_file(jpeg_spec(2000, 1500, 3, true)), "progressive JPEG 2000x1500");
  expect_plan_covers_heap(test::jpeg_file(jpeg_spec(2000, 1500, 1)), "grey JPEG 2000x1500");
  expect_plan_covers_heap(test::png_file(png_case(6, 16, 2000, 1500).spec), "RGBA16 PNG 2000x1500");
  expect_plan_covers_heap(test::png_file(png_case(6, 8, 1000, 800, true).spec), "Adam7 PNG 1000x800");
}

TEST(Thumbnailer, OverBudgetIsRefusedBeforeDecoding) {
  const Bytes file = test::jpeg_file(jpeg_spec(1600, 1200, 3, true));
  auto p = plan(file);
  ASSERT_TRUE(p);
  {
    mem::TrackerOptions to;
    to.budget = p->peak_bytes - 1;
    mem::MemoryTracker tracker(to);
    ThumbnailOptions options;
    options.tracker = &tracker;
    core::MemorySource memory(file);
    core::CountingSource counted(memory);
    auto t = make_thumbnail(counted, options);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, Errc::out_of_memory);
    EXPECT_STREQ(t.error().message, "thumbnail: the planned peak memory is over the budget (nothing decoded)");
    EXPECT_EQ(tracker.total(), 0u);
    // Only the header was read (the plan's read, 4 KiB chunks), not the scans.
    EXPECT_LT(counted.bytes_read(), file.size() / 4);
  }
  {
    mem::TrackerOptions to;
    to.budget = p->peak_bytes;
    mem::MemoryTracker tracker(to);
    ThumbnailOptions options;
    options.tracker = &tracker;
    auto t = thumb(file, options);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(tracker.total(), std::size_t{t->width} * t->height * 4);  // the output, while it lives
    t = core::make_error(Errc::io, "gone");
    EXPECT_EQ(tracker.total(), 0u);
  }
}

TEST(Thumbnailer, SourceCapsAndOptions) {
  const Bytes file = test::png_file(png_case(6, 8, 300, 200).spec);
  ThumbnailOptions o;
  o.max_source_side = 299;
  EXPECT_EQ(plan(file, o).error().code, Errc::limit_exceeded);
  o = {};
  o.max_source_pixels = 300 * 200 - 1;
  EXPECT_EQ(plan(file, o).error().code, Errc::limit_exceeded);
  o = {};
  o.max_size = 0;
  EXPECT_EQ(plan(file, o).error().code, Errc::invalid_argument);
  o.max_size = kMaxThumbnailSide + 1;
  EXPECT_EQ(plan(file, o).error().code, Errc::invalid_argument);
  o = {};
  o.orientation = 9;
  EXPECT_EQ(plan(file, o).error().code, Errc::invalid_argument);
  // An IHDR claiming 70000 × 70000 is refused before anything is allocated.
  Bytes huge = file;
  const std::uint8_t side[4] = {0x00, 0x01, 0x11, 0x70};
  for (int i = 0; i < 4; ++i) huge[16 + i] = huge[20 + i] = std::byte{side[i]};
  // IHDR's CRC-32 (ISO 3309, over type and data: bytes 12-28) redone.
  std::uint32_t crc = 0xFFFFFFFF;
  for (std::size_t i = 12; i < 29; ++i) {
    crc ^= std::to_integer<std::uint32_t>(huge[i]);
    for (int k = 0; k < 8; ++k) crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  crc = ~crc;
  for (int i = 0; i < 4; ++i) huge[29 + i] = std::byte(static_cast<std::uint8_t>(crc >> (24 - 8 * i)));
  auto r = plan(huge);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

// --- broken input ---------------------------------------------------------

TEST(Thumbnailer, BrokenFilesAreCleanErrors) {
  const Bytes jpeg = test::jpeg_file(jpeg_spec(400, 300));
  const Bytes progressive = test::jpeg_file(jpeg_spec(400, 300, 3, true));
  const Bytes png = test::png_file(png_case(6, 8, 400, 300).spec);
  const Bytes adam7 = test::png_file(png_case(6, 8, 400, 300, true).spec);
  for (const Bytes* file : {&jpeg, &progressive, &png, &adam7}) {
    // Truncated at many points: never a crash, always an error (the header
    // may survive: then the decode fails).
    for (std::size_t cut : {std::size_t{0}, std::size_t{2}, std::size_t{9}, std::size_t{40}, file->size() / 3,
                            file->size() / 2, file->size() - 16}) {
      SCOPED_TRACE(testing::Message() << "cut at " << cut << " of " << file->size());
      const Bytes part(file->begin(), file->begin() + static_cast<std::ptrdiff_t>(cut));
      auto t = thumb(part);
      ASSERT_FALSE(t);
      EXPECT_TRUE(t.error().code == Errc::malformed || t.error().code == Errc::unsupported) << t.error().message;
    }
    // Bytes flipped inside the data.
    Bytes corrupt = *file;
    for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 64; ++i) corrupt[i] ^= std::byte{0x5A};
    auto t = thumb(corrupt);
    if (!t) {
      EXPECT_EQ(t.error().code, Errc::malformed) << t.error().message;
    }
  }
  Bytes text(100, std::byte{'x'});
  EXPECT_EQ(thumb(text).error().code, Errc::unsupported);
  EXPECT_EQ(thumb(Bytes{}).error().code, Errc::unsupported);
}

// --- orientation ----------------------------------------------------------

TEST(Thumbnailer, ExifOrientation) {
  // A 3 × 2 image with a distinct red value per pixel: red = 10·x + y.
  PngCase c = png_case(6, 8, 3, 2);
  for (std::uint32_t y = 0; y < 2; ++y)
    for (std::uint32_t x = 0; x < 3; ++x) c.spec.rows[(y * 3 + x) * 4] = static_cast<std::uint8_t>(10 * x + y);
  const Bytes file = test::png_file(c.spec);
  // Where stored pixel (x, y) lands, for each orientation (CIPA DC-008).
  struct Expect { std::uint32_t w, h; std::pair<int, int> (*to)(int, int); };
  const Expect table[9] = {
      {}, {3, 2, [](int x, int y) { return std::pair{x, y}; }},
      {3, 2, [](int x, int y) { return std::pair{2 - x, y}; }},      // mirrored
      {3, 2, [](int x, int y) { return std::pair{2 - x, 1 - y}; }},  // 180°
      {3, 2, [](int x, int y) { return std::pair{x, 1 - y}; }},      // flipped
      {2, 3, [](int x, int y) { return std::pair{y, x}; }},          // transposed
      {2, 3, [](int x, int y) { return std::pair{1 - y, x}; }},      // 90° clockwise
      {2, 3, [](int x, int y) { return std::pair{1 - y, 2 - x}; }},  // transversed
      {2, 3, [](int x, int y) { return std::pair{y, 2 - x}; }},      // 90° counter-clockwise
  };
  for (std::uint8_t o = 1; o <= 8; ++o) {
    SCOPED_TRACE(testing::Message() << "orientation " << int(o));
    ThumbnailOptions options;
    options.orientation = o;
    auto t = thumb(file, options);
    ASSERT_TRUE(t) << t.error().message;
    ASSERT_EQ(t->width, table[o].w);
    ASSERT_EQ(t->height, table[o].h);
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x) {
        const auto [dx, dy] = table[o].to(x, y);
        EXPECT_EQ(t->row(static_cast<std::uint32_t>(dy))[std::size_t(dx) * 4], 10 * x + y) << x << "," << y;
      }
  }
}

// A JPEG's own EXIF orientation applies unless the options name one.
TEST(Thumbnailer, ExifOrientationFromTheFile) {
  const Bytes plain = test::jpeg_file(jpeg_spec(64, 32));
  // SOI, then APP1 "Exif\0\0" with a little-endian TIFF header and IFD0
  // holding one entry: 0x0112 SHORT 1 = 6 (rotate 90° clockwise).
  const std::uint8_t app1[] = {0xFF, 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,
                               1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0};
  Bytes rotated(plain.begin(), plain.begin() + 2);
  for (std::uint8_t b : app1) rotated.push_back(std::byte{b});
  rotated.insert(rotated.end(), plain.begin() + 2, plain.end());

  ThumbnailOptions options;
  options.max_size = 16;
  auto own = thumb(rotated, options);
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->plan.orientation, 6);
  EXPECT_EQ(own->width, 8u);
  EXPECT_EQ(own->height, 16u);
  auto none = thumb(plain, options);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->plan.orientation, 1);
  EXPECT_EQ(none->width, 16u);
  options.orientation = 1;  // as stored, whatever the file says
  auto stored = thumb(rotated, options);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->width, 16u);
  EXPECT_EQ(stored->height, 8u);
}

// --- other sources --------------------------------------------------------

TEST(Thumbnailer, TileSheet) {
  // 6 tiles of 2bpp, 3 per row: a 24 × 16 sheet; a grey ramp palette.
  Bytes tiles(6 * 16);
  for (std::size_t i = 0; i < tiles.size(); ++i) tiles[i] = std::byte(static_cast<std::uint8_t>(i * 37 + 11));
  mem::MemoryTracker tracker;
  assets::TileSheetOptions so;
  so.format = assets::TileFormat::bpp2;
  so.count = 6;
  so.columns = 3;
  so.tracker = &tracker;
  auto sheet = assets::make_tile_sheet(tiles, so);
  ASSERT_TRUE(sheet);
  const assets::Palette palette = assets::grayscale_palette(assets::TileFormat::bpp2);
  ThumbnailOptions options;
  options.max_size = 9;
  options.tracker = &tracker;
  auto t = make_thumbnail(*sheet, palette, options);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->plan.codec, ImageCodec::indexed);
  RgbaImage full{24, 16, {}};
  for (std::uint32_t y = 0; y < 16; ++y)
    for (std::uint32_t x = 0; x < 24; ++x) {
      const assets::Rgba8 c = palette.colors[sheet->at(x, y)];
      full.pixels.insert(full.pixels.end(), {c.r, c.g, c.b, c.a});
    }
  EXPECT_LE(max_difference(*t, area_average(full, 9, 6)), 1);
}

TEST(Thumbnailer, CoverArtPrefersTheFrontCover) {
  const PngCase front = png_case(2, 8, 200, 100);
  const Bytes jpeg = test::jpeg_file(jpeg_spec(64, 64));
  const Bytes png = test::png_file(front.spec);
  const Bytes flac = test::flac_file({{6, test::flac_picture(0, "image/jpeg", "other", 64, 64, jpeg)},
                                      {6, test::flac_picture(3, "image/png", "front", 200, 100, png)}});
  mem::MemoryTracker tracker;
  ThumbnailOptions options;
  options.max_size = 50;
  options.tracker = &tracker;
  core::MemorySource source(flac);
  auto t = make_cover_thumbnail(source, options);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->plan.codec, ImageCodec::png);
  EXPECT_LE(max_difference(*t, area_average(front.expected, 50, 25)), 1);
  // No picture: a clear error.
  const Bytes bare = test::flac_file({});
  core::MemorySource none(bare);
  auto n = make_cover_thumbnail(none, options);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, Errc::invalid_argument);
}

TEST(Thumbnailer, CoverArtOfTheMediaFolder) {
  FRUGAL_REQUIRE_MEDIA(dir);
  int made = 0;
  for (const auto& path : test::all_media_files()) {
    auto file = core::FileSource::open(path.c_str());
    if (!file) continue;
    auto tags = tags::read_tags(*file);
    if (!tags || tags->pictures.empty() || !tags->pictures.front().loaded()) continue;
    SCOPED_TRACE(path.string());
    auto t = make_cover_thumbnail(*file);
    const assets::ImageFormat format = assets::sniff_image_format(tags->pictures.front().data);
    if (format == assets::ImageFormat::jpeg || format == assets::ImageFormat::png) {
      ASSERT_TRUE(t) << t.error().message;
      EXPECT_LE(std::max(t->width, t->height), 128u);
      ++made;
    } else if (!t) {
      EXPECT_EQ(t.error().code, Errc::unsupported) << tags->pictures.front().mime_type;
    }
  }
  std::printf("cover thumbnails made from the media folder: %d\n", made);
}

}  // namespace
}  // namespace frugal::thumbnails
