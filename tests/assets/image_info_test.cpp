// ImageInfo on hand-built headers: every format and branch (PNG colour types
// and depths, Adam7; JPEG coding processes, JFIF/Adobe colour rules, EXIF
// orientation in both byte orders and broken; GIF; BMP header sizes, masks,
// top-down; WebP VP8/VP8L/VP8X), every truncation of each header (a clean
// error, never a read past the copy: ASan), hostile JPEG marker runs, and
// the bytes read through a counting source.
#include "support/image_header_writer.hpp"

#include <frugal/assets/image_info.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace frugal::test {
namespace {

using assets::ColourType;
using assets::ImageFormat;
using assets::ImageInfo;
using assets::JpegProcess;
using assets::read_image_info;
using core::Errc;

core::Result<ImageInfo> info_of(const Bytes& b) { return read_image_info(std::span<const std::byte>(b)); }

ImageInfo ok_info(const Bytes& b) {
  auto r = info_of(b);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : ImageInfo{};
}

void expect_error(const Bytes& b, Errc code, const char* message, std::uint64_t offset) {
  auto r = info_of(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_STREQ(r.error().message, message);
  EXPECT_EQ(r.error().offset, offset) << message;
}

// --- PNG --------------------------------------------------------------------

TEST(ImageInfo, PngEveryColourTypeAndDepth) {
  struct Type {
    std::uint8_t colour;
    ColourType type;
    std::uint8_t channels;
    bool alpha;
    std::vector<std::uint8_t> depths;
  };
  const Type types[] = {{0, ColourType::gray, 1, false, {1, 2, 4, 8, 16}},
                        {2, ColourType::rgb, 3, false, {8, 16}},
                        {3, ColourType::palette, 1, false, {1, 2, 4, 8}},
                        {4, ColourType::gray_alpha, 2, true, {8, 16}},
                        {6, ColourType::rgba, 4, true, {8, 16}}};
  for (const Type& t : types) {
    for (std::uint8_t depth : {1, 2, 4, 8, 16}) {
      SCOPED_TRACE(testing::Message() << "colour type " << int{t.colour} << " depth " << int{depth});
      const Bytes png = png_header(640, 480, depth, t.colour);
      if (std::find(t.depths.begin(), t.depths.end(), depth) == t.depths.end()) {
        expect_error(png, Errc::malformed, "PNG: IHDR bit depth not allowed for its colour type", 24);
        continue;
      }
      const ImageInfo i = ok_info(png);
      EXPECT_EQ(i.format, ImageFormat::png);
      EXPECT_EQ(i.width, 640u);
      EXPECT_EQ(i.height, 480u);
      EXPECT_EQ(i.bit_depth, depth);
      EXPECT_EQ(i.colour_type, t.type);
      EXPECT_EQ(i.channels, t.channels);
      EXPECT_EQ(i.bits_per_pixel, depth * t.channels);
      EXPECT_EQ(i.has_alpha, t.alpha);
      EXPECT_EQ(i.png.colour_type, t.colour);
      EXPECT_FALSE(i.png.interlaced);
    }
  }
}

TEST(ImageInfo, PngInterlacedAndBrokenHeaders) {
  EXPECT_TRUE(ok_info(png_header(1, 1, 8, 2, 1)).png.interlaced);
  expect_error(png_header(1, 1, 8, 2, 2), Errc::malformed, "PNG: IHDR interlace method not 0 or 1", 28);
  expect_error(png_header(0, 1, 8, 2), Errc::malformed, "PNG: IHDR width or height 0 or over 2^31 - 1", 16);
  expect_error(png_header(1, 0x80000000u, 8, 2), Errc::malformed, "PNG: IHDR width or height 0 or over 2^31 - 1", 16);
  expect_error(png_header(1, 1, 8, 5), Errc::malformed, "PNG: IHDR colour type not 0, 2, 3, 4 or 6", 25);
  expect_error(png_header(1, 1, 8, 7), Errc::malformed, "PNG: IHDR colour type not 0, 2, 3, 4 or 6", 25);
  Bytes b = png_header(1, 1, 8, 2);
  b[26] = std::byte{1};
  expect_error(b, Errc::malformed, "PNG: IHDR compression or filter method not 0", 26);
  b = png_header(1, 1, 8, 2);
  b[12] = std::byte{'I'};  // IIDR
  b[13] = std::byte{'I'};
  expect_error(b, Errc::malformed, "PNG: first chunk is not a 13-byte IHDR", 8);
}

// --- JPEG -------------------------------------------------------------------

TEST(ImageInfo, JpegCodingProcesses) {
  struct Case {
    std::uint8_t sof, precision;
    JpegProcess process;
    bool arithmetic, differential;
  };
  const Case cases[] = {
      {0xC0, 8, JpegProcess::baseline, false, false},
      {0xC1, 12, JpegProcess::extended_sequential, false, false},
      {0xC2, 8, JpegProcess::progressive, false, false},
      {0xC3, 16, JpegProcess::lossless, false, false},
      {0xC5, 8, JpegProcess::extended_sequential, false, true},
      {0xC6, 12, JpegProcess::progressive, false, true},
      {0xC7, 2, JpegProcess::lossless, false, true},
      {0xC9, 8, JpegProcess::extended_sequential, true, false},
      {0xCA, 12, JpegProcess::progressive, true, false},
      {0xCB, 7, JpegProcess::lossless, true, false},
      {0xCD, 8, JpegProcess::extended_sequential, true, true},
      {0xCE, 8, JpegProcess::progressive, true, true},
      {0xCF, 16, JpegProcess::lossless, true, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "SOF 0x" << std::hex << int{c.sof});
    const ImageInfo i = ok_info(JpegBuilder().jfif().frame(c.sof, c.precision, 500, 375, 3).take());
    EXPECT_EQ(i.format, ImageFormat::jpeg);
    EXPECT_EQ(i.width, 500u);
    EXPECT_EQ(i.height, 375u);
    EXPECT_EQ(i.bit_depth, c.precision);
    EXPECT_EQ(i.channels, 3);
    EXPECT_EQ(i.bits_per_pixel, 3 * c.precision);
    EXPECT_EQ(i.colour_type, ColourType::ycbcr);
    EXPECT_FALSE(i.has_alpha);
    EXPECT_EQ(i.jpeg.sof_marker, c.sof);
    EXPECT_EQ(i.jpeg.process, c.process);
    EXPECT_EQ(i.jpeg.progressive, c.process == JpegProcess::progressive);
    EXPECT_EQ(i.jpeg.arithmetic, c.arithmetic);
    EXPECT_EQ(i.jpeg.differential, c.differential);
    EXPECT_TRUE(i.jpeg.jfif);
    EXPECT_EQ(i.jpeg.orientation, 1);
    EXPECT_EQ(i.jpeg.stored_orientation, 0);
  }
}

TEST(ImageInfo, JpegPrecisionAndFrameHeaderRules) {
  const char* precision = "JPEG: sample precision (P) not allowed for the coding process";
  expect_error(JpegBuilder().frame(0xC0, 12, 8, 8, 3).take(), Errc::malformed, precision, 6);
  expect_error(JpegBuilder().frame(0xC1, 16, 8, 8, 3).take(), Errc::malformed, precision, 6);
  expect_error(JpegBuilder().frame(0xC3, 1, 8, 8, 1).take(), Errc::malformed, precision, 6);
  expect_error(JpegBuilder().frame(0xC0, 8, 0, 8, 3).take(), Errc::malformed, "JPEG: frame header samples per line (X) 0", 9);
  expect_error(JpegBuilder().frame(0xC0, 8, 8, 8, 0).take(), Errc::malformed, "JPEG: frame header with no components (Nf 0)", 11);
  expect_error(JpegBuilder().frame(0xC2, 8, 8, 8, 5).take(), Errc::malformed,
               "JPEG: progressive frame with more than 4 components", 11);
  // Nf 3 but a length for 1 component.
  expect_error(JpegBuilder().segment(0xC0, Bytes{std::byte{8}, std::byte{0}, std::byte{8}, std::byte{0}, std::byte{8},
                                                 std::byte{3}, std::byte{1}, std::byte{0x11}, std::byte{0}})
                   .take(),
               Errc::malformed, "JPEG: frame header length does not match its components (8 + 3 Nf)", 4);
  expect_error(JpegBuilder().segment(0xC0, Bytes(3)).take(), Errc::malformed, "JPEG: frame header shorter than 8 bytes", 4);
}

TEST(ImageInfo, JpegHeightFromDnlAndSizeFromDhp) {
  const ImageInfo dnl = ok_info(JpegBuilder().frame(0xC0, 8, 64, 0, 1).take());
  EXPECT_EQ(dnl.width, 64u);
  EXPECT_EQ(dnl.height, 0u);  // defined by a DNL marker after the first scan
  EXPECT_FALSE(dnl.has_size());
  // Hierarchical: DHP states the image, the first frame a smaller component.
  const ImageInfo h = ok_info(JpegBuilder().frame(0xDE, 8, 1024, 768, 3).frame(0xC5, 8, 256, 192, 3).take());
  EXPECT_EQ(h.width, 1024u);
  EXPECT_EQ(h.height, 768u);
  EXPECT_TRUE(h.jpeg.differential);
}

TEST(ImageInfo, JpegColourTypesFollowLibjpeg) {
  struct Case {
    const char* name;
    Bytes bytes;
    ColourType type;
  };
  const Case cases[] = {
      {"gray", JpegBuilder().frame(0xC0, 8, 8, 8, 1).take(), ColourType::gray},
      {"jfif ycbcr", JpegBuilder().jfif().frame(0xC0, 8, 8, 8, 3, "RGB").take(), ColourType::ycbcr},
      {"adobe 0 rgb", JpegBuilder().adobe(0).frame(0xC0, 8, 8, 8, 3).take(), ColourType::rgb},
      {"adobe 1 ycbcr", JpegBuilder().adobe(1).frame(0xC0, 8, 8, 8, 3).take(), ColourType::ycbcr},
      {"jfif before adobe 0", JpegBuilder().jfif().adobe(0).frame(0xC0, 8, 8, 8, 3).take(), ColourType::ycbcr},
      {"ids RGB", JpegBuilder().frame(0xC0, 8, 8, 8, 3, "RGB").take(), ColourType::rgb},
      {"ids 123", JpegBuilder().frame(0xC0, 8, 8, 8, 3).take(), ColourType::ycbcr},
      {"cmyk, no adobe", JpegBuilder().frame(0xC0, 8, 8, 8, 4).take(), ColourType::cmyk},
      {"adobe 0 cmyk", JpegBuilder().adobe(0).frame(0xC0, 8, 8, 8, 4).take(), ColourType::cmyk},
      {"adobe 2 ycck", JpegBuilder().adobe(2).frame(0xC0, 8, 8, 8, 4).take(), ColourType::ycck},
      {"two components", JpegBuilder().frame(0xC0, 8, 8, 8, 2).take(), ColourType::unknown},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ImageInfo i = ok_info(c.bytes);
    EXPECT_EQ(i.colour_type, c.type) << assets::colour_type_name(i.colour_type);
  }
  const ImageInfo a = ok_info(JpegBuilder().adobe(2).frame(0xC0, 8, 8, 8, 4).take());
  EXPECT_TRUE(a.jpeg.adobe);
  EXPECT_EQ(a.jpeg.adobe_transform, 2);
  EXPECT_FALSE(a.jpeg.jfif);
}

TEST(ImageInfo, JpegExifOrientation) {
  for (bool le : {true, false}) {
    SCOPED_TRACE(le ? "II" : "MM");
    for (std::uint16_t v = 1; v <= 8; ++v) {
      const ImageInfo i =
          ok_info(JpegBuilder().exif({.little_endian = le, .orientation = v, .entries_before = 3}).frame(0xC2, 8, 9, 7, 3).take());
      EXPECT_EQ(i.jpeg.orientation, v);
      EXPECT_EQ(i.jpeg.stored_orientation, v);
      EXPECT_EQ(i.width, 9u);
    }
    // Out of range: ignored, but what was stored is kept.
    for (std::uint16_t v : {0, 9, 0xFFFF}) {
      const ImageInfo i = ok_info(JpegBuilder().exif({.little_endian = le, .orientation = v}).frame(0xC0, 8, 9, 7, 3).take());
      EXPECT_EQ(i.jpeg.orientation, 1);
      EXPECT_EQ(i.jpeg.stored_orientation, v);
    }
    // IFD0 further on (a gap after the TIFF header).
    EXPECT_EQ(ok_info(JpegBuilder().exif({.little_endian = le, .orientation = 6, .ifd_offset = 40}).frame(0xC0, 8, 9, 7, 3).take())
                  .jpeg.orientation,
              6);
    // Missing, of the wrong type, IFD0 outside the segment or inside the
    // TIFF header: orientation 1, the image still read.
    ExifSpec missing, wrong_type, ifd_in_header;
    missing.little_endian = wrong_type.little_endian = ifd_in_header.little_endian = le;
    wrong_type.orientation = ifd_in_header.orientation = 6;
    wrong_type.type = 4;  // LONG
    ifd_in_header.ifd_offset = 4;
    for (const ExifSpec& s : {missing, wrong_type, ifd_in_header}) {
      const ImageInfo i = ok_info(JpegBuilder().exif(s).frame(0xC0, 8, 9, 7, 3).take());
      EXPECT_EQ(i.jpeg.orientation, 1);
      EXPECT_EQ(i.jpeg.stored_orientation, 0);
      EXPECT_EQ(i.width, 9u);
    }
  }
  // IFD0 offset pointing past the APP1 segment (into the frame header).
  Bytes far = JpegBuilder().exif({.orientation = 6}).frame(0xC0, 8, 9, 7, 3).take();
  far[6 + 6 + 4] = std::byte{0x40};  // IFD offset 0x40 > segment
  const ImageInfo i = ok_info(far);
  EXPECT_EQ(i.jpeg.orientation, 1);
  EXPECT_EQ(i.height, 7u);
  // Bad TIFF byte order mark.
  Bytes bad = JpegBuilder().exif({.orientation = 6}).frame(0xC0, 8, 9, 7, 3).take();
  bad[12] = std::byte{'X'};
  EXPECT_EQ(ok_info(bad).jpeg.orientation, 1);
  // Entries past the sorted position of 0x0112 are not looked at.
  Bytes late = JpegBuilder().exif({.orientation = 6, .entries_before = 2}).frame(0xC0, 8, 9, 7, 3).take();
  late[12 + 10] = std::byte{0x13};  // the first entry's tag 0x010F → 0x0113 (II: low byte first)
  late[12 + 11] = std::byte{0x01};
  EXPECT_EQ(ok_info(late).jpeg.orientation, 1);
  // Only the first Exif APP1 counts.
  EXPECT_EQ(ok_info(JpegBuilder().exif({.orientation = 3}).exif({.orientation = 6}).frame(0xC0, 8, 9, 7, 3).take())
                .jpeg.orientation,
            3);
}

TEST(ImageInfo, JpegWalksMarkersAndRefusesBrokenOnes) {
  // Fill bytes, RSTn/TEM standalone markers, DQT/DHT/COM segments.
  const ImageInfo i = ok_info(JpegBuilder()
                                  .raw({0xFF, 0xFF, 0xFF, 0x01, 0xFF, 0xD3})
                                  .segment(0xDB, Bytes(65))
                                  .segment(0xC4, Bytes(30))
                                  .com(5)
                                  .frame(0xC2, 8, 32, 16, 1)
                                  .take());
  EXPECT_EQ(i.width, 32u);
  EXPECT_TRUE(i.jpeg.progressive);
  expect_error(JpegBuilder().segment(0xDA, Bytes(6)).take(), Errc::malformed, "JPEG: scan (SOS) before a frame header", 2);
  expect_error(JpegBuilder().raw({0xFF, 0xD9}).take(), Errc::malformed, "JPEG: end of image (EOI) before a frame header", 2);
  expect_error(JpegBuilder().com(1).raw({0x00, 0xC0}).take(), Errc::malformed, "JPEG: a marker (0xFF) expected", 7);
  expect_error(JpegBuilder().raw({0xFF, 0x00}).take(), Errc::malformed, "JPEG: a marker (0xFF) expected", 2);
  expect_error(JpegBuilder().raw({0xFF, 0xE0, 0x00, 0x01}).take(), Errc::malformed, "JPEG: marker segment length under 2", 4);
  // A segment whose length runs past the end of the data.
  expect_error(JpegBuilder().raw({0xFF, 0xE0, 0xFF, 0xFF, 0, 0}).take(), Errc::malformed,
               "JPEG: cut short before the frame header", 65539);
}

// Thousands of tiny segments (or fill bytes) before any frame: the walk stops
// at kMaxJpegMarkers, having read a few KiB.
TEST(ImageInfo, HostileJpegMarkerRunsAreCapped) {
  JpegBuilder many;
  for (int k = 0; k < 5000; ++k) many.segment(0xFE, {});
  many.frame(0xC0, 8, 8, 8, 1);
  JpegBuilder fill;
  for (int k = 0; k < 100000; ++k) fill.raw({0xFF});
  fill.raw({0xC0, 0x00, 0x0B, 8, 0, 8, 0, 8, 1, 1, 0x11, 0});
  for (const Bytes& b : {many.take(), fill.take()}) {
    core::MemorySource memory(b);
    core::CountingSource counted(memory);
    auto r = read_image_info(counted);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);
    EXPECT_STREQ(r.error().message, "JPEG: more than 1024 markers before the frame header");
    EXPECT_LT(counted.bytes_read(), 8u * 1024) << "read " << counted.bytes_read();
  }
  // Just under the cap still reads.
  JpegBuilder under;
  for (std::uint32_t k = 0; k + 1 < assets::kMaxJpegMarkers; ++k) under.segment(0xFE, {});
  EXPECT_EQ(ok_info(under.frame(0xC0, 8, 8, 8, 1).take()).width, 8u);
}

// A 60 KiB EXIF block and 60 KiB of comment before the frame: they are
// skipped by offset, not read.
TEST(ImageInfo, ReadsOnlyTheHeaderBytes) {
  const Bytes b = JpegBuilder()
                      .jfif()
                      .exif({.orientation = 8, .entries_before = 5, .padding = 60 * 1024})
                      .com(60 * 1024)
                      .frame(0xC0, 8, 1920, 1080, 3)
                      .take();
  core::MemorySource memory(b);
  core::CountingSource counted(memory);
  auto r = read_image_info(counted);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->width, 1920u);
  EXPECT_EQ(r->jpeg.orientation, 8);
  EXPECT_LE(counted.bytes_read(), 1024u) << b.size() << "-byte file";
  EXPECT_LE(counted.read_calls(), 4u);
  // The other formats read one window.
  for (const Bytes& other : {png_header(3, 3, 8, 6), gif_header("89a", 3, 3, 0), webp_vp8x(3, 3, 0)}) {
    core::MemorySource m(other);
    core::CountingSource c(m);
    ASSERT_TRUE(read_image_info(c));
    EXPECT_EQ(c.read_calls(), 1u);
  }
}

// --- GIF, BMP, WebP ---------------------------------------------------------

TEST(ImageInfo, Gif) {
  const ImageInfo a = ok_info(gif_header("87a", 300, 200, 0xF7));  // GCT of 256, resolution 8
  EXPECT_EQ(a.format, ImageFormat::gif);
  EXPECT_EQ(a.width, 300u);
  EXPECT_EQ(a.height, 200u);
  EXPECT_EQ(a.colour_type, ColourType::palette);
  EXPECT_EQ(a.bit_depth, 8);
  EXPECT_EQ(a.channels, 1);
  EXPECT_FALSE(a.has_alpha);
  EXPECT_EQ(ok_info(gif_header("89a", 1, 1, 0x91)).bit_depth, 2);  // GCT of 4 entries
  EXPECT_EQ(ok_info(gif_header("89a", 1, 1, 0x40)).bit_depth, 5);  // no GCT: colour resolution 5
  expect_error(gif_header("89a", 0, 1, 0), Errc::malformed, "GIF: logical screen width or height 0", 6);
}

TEST(ImageInfo, BmpHeaders) {
  const ImageInfo core_h = ok_info(bmp_header(12, 640, 480, 24));
  EXPECT_EQ(core_h.format, ImageFormat::bmp);
  EXPECT_EQ(core_h.width, 640u);
  EXPECT_EQ(core_h.height, 480u);
  EXPECT_EQ(core_h.colour_type, ColourType::rgb);
  EXPECT_EQ(core_h.bit_depth, 8);
  EXPECT_EQ(core_h.bits_per_pixel, 24);
  EXPECT_EQ(core_h.bmp.header_bytes, 12u);

  const ImageInfo top = ok_info(bmp_header(40, 33, -17, 8, 1));  // RLE8, top-down
  EXPECT_EQ(top.height, 17u);
  EXPECT_TRUE(top.bmp.top_down);
  EXPECT_EQ(top.colour_type, ColourType::palette);
  EXPECT_EQ(top.bit_depth, 8);
  EXPECT_EQ(top.bmp.compression, 1u);

  const ImageInfo v5 = ok_info(bmp_header(124, 4, 4, 32, 3, {0xFF0000, 0xFF00, 0xFF, 0xFF000000}));
  EXPECT_EQ(v5.colour_type, ColourType::rgba);
  EXPECT_TRUE(v5.has_alpha);
  EXPECT_EQ(v5.channels, 4);
  EXPECT_EQ(v5.bit_depth, 8);
  EXPECT_FALSE(v5.bmp.top_down);

  const ImageInfo v5_no_alpha = ok_info(bmp_header(124, 4, 4, 32, 3, {0xFF0000, 0xFF00, 0xFF, 0}));
  EXPECT_EQ(v5_no_alpha.colour_type, ColourType::rgb);
  EXPECT_FALSE(v5_no_alpha.has_alpha);

  const ImageInfo rgb565 = ok_info(bmp_header(40, 4, 4, 16, 3, {0xF800, 0x07E0, 0x001F}));  // masks after the header
  EXPECT_EQ(rgb565.bit_depth, 6);
  EXPECT_EQ(rgb565.colour_type, ColourType::rgb);
  EXPECT_EQ(ok_info(bmp_header(40, 4, 4, 16, 6, {0xF00, 0xF0, 0xF, 0xF000})).colour_type, ColourType::rgba);

  const ImageInfo x32 = ok_info(bmp_header(40, 4, 4, 32));  // BI_RGB 32: the fourth byte is not taken as alpha
  EXPECT_EQ(x32.colour_type, ColourType::rgb);
  EXPECT_FALSE(x32.has_alpha);
  EXPECT_EQ(x32.bits_per_pixel, 32);
  EXPECT_EQ(ok_info(bmp_header(40, 4, 4, 16)).bit_depth, 5);
  EXPECT_EQ(ok_info(bmp_header(108, 4, 4, 1)).bit_depth, 1);
  EXPECT_EQ(ok_info(bmp_header(64, 4, 4, 4, 2)).colour_type, ColourType::palette);  // OS/2 2.x, RLE4
  const ImageInfo jpeg_inside = ok_info(bmp_header(40, 4, 4, 0, 4));
  EXPECT_EQ(jpeg_inside.colour_type, ColourType::unknown);
  EXPECT_EQ(jpeg_inside.bit_depth, 0);

  expect_error(bmp_header(20, 4, 4, 8), Errc::malformed, "BMP: DIB header size not 12, 16, 40, 52, 56, 64, 108 or 124", 14);
  expect_error(bmp_header(40, 0, 4, 8), Errc::malformed, "BMP: width not positive", 18);
  expect_error(bmp_header(40, -4, 4, 8), Errc::malformed, "BMP: width not positive", 18);
  expect_error(bmp_header(40, 4, 0, 8), Errc::malformed, "BMP: height 0 or -2^31", 22);
  expect_error(bmp_header(40, 4, INT32_MIN, 8), Errc::malformed, "BMP: height 0 or -2^31", 22);
  expect_error(bmp_header(40, 4, 4, 8, 0, {}, 2), Errc::malformed, "BMP: planes not 1", 26);
  expect_error(bmp_header(12, 4, 4, 8, 0, {}, 0), Errc::malformed, "BMP: planes not 1", 22);
  expect_error(bmp_header(40, 4, 4, 12), Errc::malformed, "BMP: bit count not 0, 1, 2, 4, 8, 16, 24 or 32", 28);
  expect_error(bmp_header(40, 4, 4, 0), Errc::malformed, "BMP: bit count 0 without JPEG or PNG data", 28);
  expect_error(bmp_header(40, 4, 4, 8, 7), Errc::malformed, "BMP: unknown compression", 30);
  expect_error(bmp_header(40, 4, 4, 4, 1), Errc::malformed, "BMP: compression does not fit the bit count", 30);
  expect_error(bmp_header(40, 4, 4, 24, 3), Errc::malformed, "BMP: compression does not fit the bit count", 30);
  expect_error(bmp_header(40, 4, 4, 16, 3, {0xF800, 0x0FE0, 0x001F}), Errc::malformed,
               "BMP: colour masks overlap or exceed the bit count", 54);
  expect_error(bmp_header(40, 4, 4, 16, 3, {0x1F800, 0x07E0, 0x001F}), Errc::malformed,
               "BMP: colour masks overlap or exceed the bit count", 54);
}

TEST(ImageInfo, WebpChunks) {
  const ImageInfo lossy = ok_info(webp_vp8(400, 300));
  EXPECT_EQ(lossy.format, ImageFormat::webp);
  EXPECT_EQ(lossy.width, 400u);
  EXPECT_EQ(lossy.height, 300u);
  EXPECT_EQ(lossy.webp.kind, assets::WebpKind::vp8);
  EXPECT_EQ(lossy.colour_type, ColourType::ycbcr);
  EXPECT_FALSE(lossy.has_alpha);
  EXPECT_EQ(lossy.bit_depth, 8);

  const ImageInfo lossless = ok_info(webp_vp8l(64, 16384, true));
  EXPECT_EQ(lossless.width, 64u);
  EXPECT_EQ(lossless.height, 16384u);
  EXPECT_EQ(lossless.webp.kind, assets::WebpKind::vp8l);
  EXPECT_TRUE(lossless.has_alpha);
  EXPECT_EQ(lossless.colour_type, ColourType::rgba);
  EXPECT_EQ(ok_info(webp_vp8l(1, 1, false)).colour_type, ColourType::rgb);

  const ImageInfo ext = ok_info(webp_vp8x(1000, 2000, 0x12));
  EXPECT_EQ(ext.width, 1000u);
  EXPECT_EQ(ext.height, 2000u);
  EXPECT_EQ(ext.webp.kind, assets::WebpKind::vp8x);
  EXPECT_TRUE(ext.webp.animated);
  EXPECT_TRUE(ext.has_alpha);
  EXPECT_EQ(ext.channels, 4);
  const ImageInfo still = ok_info(webp_vp8x(1 << 24, 1, 0));
  EXPECT_EQ(still.width, 1u << 24);
  EXPECT_FALSE(still.webp.animated);
  EXPECT_FALSE(still.has_alpha);

  expect_error(webp_vp8x(1 << 24, 1 << 24, 0), Errc::malformed, "WebP: VP8X canvas width x height over 2^32 - 1", 24);
  expect_error(webp_vp8l(4, 4, false, 1), Errc::malformed, "WebP: VP8L version not 0", 21);
  expect_error(webp_vp8(0, 4), Errc::malformed, "WebP: VP8 width or height 0", 26);
  Bytes inter = webp_vp8(4, 4);
  inter[20] = std::byte{0x31};
  expect_error(inter, Errc::malformed, "WebP: VP8 frame is not a key frame", 20);
  Bytes code = webp_vp8(4, 4);
  code[23] = std::byte{0};
  expect_error(code, Errc::malformed, "WebP: VP8 start code not 9D 01 2A", 23);
  Bytes sig = webp_vp8l(4, 4, false);
  sig[20] = std::byte{0x2E};
  expect_error(sig, Errc::malformed, "WebP: VP8L signature not 0x2F", 20);
  expect_error(webp_chunk("ALPH", Bytes(10)), Errc::malformed, "WebP: first chunk is not VP8, VP8L or VP8X", 12);
  expect_error(webp_chunk("VP8X", Bytes(9)), Errc::malformed, "WebP: VP8X chunk under 10 bytes", 16);
}

// --- every format: truncations, unknown input, names -----------------------

std::vector<Bytes> every_header() {
  return {png_header(640, 480, 16, 6, 1),
          JpegBuilder().jfif().adobe(1).exif({.little_endian = false, .orientation = 6, .entries_before = 2})
              .frame(0xC2, 8, 500, 375, 3).take(),
          JpegBuilder().frame(0xDE, 8, 64, 64, 1).frame(0xC7, 16, 16, 16, 1).take(),
          gif_header("89a", 300, 200, 0xF7),
          bmp_header(12, 640, 480, 24),
          bmp_header(124, 4, -4, 32, 3, {0xFF0000, 0xFF00, 0xFF, 0xFF000000}),
          bmp_header(40, 4, 4, 16, 3, {0xF800, 0x07E0, 0x001F}),
          webp_vp8(400, 300),
          webp_vp8l(64, 32, true),
          webp_vp8x(1000, 2000, 0x12)};
}

TEST(ImageInfo, EveryTruncationIsACleanErrorOrTheSameAnswer) {
  for (const Bytes& full : every_header()) {
    const ImageInfo whole = ok_info(full);
    SCOPED_TRACE(assets::image_format_name(whole.format));
    for (std::size_t n = 0; n < full.size(); ++n) {
      const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));  // a copy: ASan sees overreads
      auto r = info_of(prefix);
      if (r) {  // only a prefix holding the whole header may succeed, and then agrees
        EXPECT_EQ(r->width, whole.width) << n;
        EXPECT_EQ(r->height, whole.height) << n;
        EXPECT_EQ(r->colour_type, whole.colour_type) << n;
        EXPECT_EQ(r->bit_depth, whole.bit_depth) << n;
        EXPECT_EQ(r->jpeg.orientation, whole.jpeg.orientation) << n;
        continue;
      }
      const Errc want = assets::sniff_image_format(prefix) == ImageFormat::unknown ? Errc::unsupported : Errc::malformed;
      EXPECT_EQ(r.error().code, want) << n << ": " << r.error().message;
    }
  }
}

TEST(ImageInfo, UnknownInputAndNames) {
  for (const Bytes& b : {Bytes{}, Bytes{std::byte{'h'}, std::byte{'i'}}, Bytes(64, std::byte{0})})
    expect_error(b, Errc::unsupported, "image: not a PNG, JPEG, GIF, BMP or WebP file", 0);
  Bytes riff = webp_vp8(1, 1);
  riff[8] = std::byte{'A'};  // RIFF but not WEBP (AVI, WAVE...)
  expect_error(riff, Errc::unsupported, "image: not a PNG, JPEG, GIF, BMP or WebP file", 0);
  EXPECT_STREQ(assets::image_mime_type(ImageFormat::webp), "image/webp");
  EXPECT_STREQ(assets::image_mime_type(ImageFormat::unknown), "");
  EXPECT_STREQ(assets::image_format_name(ImageFormat::jpeg), "jpeg");
  EXPECT_STREQ(assets::colour_type_name(ColourType::gray_alpha), "gray_alpha");
  EXPECT_STREQ(assets::colour_type_name(ColourType::ycck), "ycck");
  EXPECT_STREQ(assets::jpeg_process_name(JpegProcess::extended_sequential), "extended_sequential");
  EXPECT_STREQ(assets::webp_kind_name(assets::WebpKind::vp8l), "vp8l");
}

TEST(ImageInfo, SourceAndSpanFormsAgree) {
  for (const Bytes& b : every_header()) {
    core::MemorySource source(b);
    auto a = read_image_info(source);
    auto s = info_of(b);
    ASSERT_TRUE(a && s);
    EXPECT_EQ(a->width, s->width);
    EXPECT_EQ(a->height, s->height);
    EXPECT_EQ(a->colour_type, s->colour_type);
  }
}

}  // namespace
}  // namespace frugal::test
