// Image dimensions from header bytes: every format's layout, and every
// truncation of each header (no dimensions, no read past the span; ASan
// checks the latter).
#include "tags/fixtures.hpp"

#include <frugal/tags/image_header.hpp>

#include <gtest/gtest.h>

using namespace frugal;
using namespace frugal::test;
using tags::ImageFormat;
using tags::read_image_header;

namespace {

Bytes raw(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

Bytes gif_image() {  // 300 x 200
  Bytes b = raw({'G', 'I', 'F', '8', '9', 'a', 0x2C, 0x01, 0xC8, 0x00, 0, 0, 0});
  return b;
}

Bytes bmp_info(std::int32_t width, std::int32_t height) {  // BITMAPINFOHEADER
  Bytes b = raw({'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0});
  for (std::int32_t v : {width, height})
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::byte>(static_cast<std::uint32_t>(v) >> (8 * i)));
  b.resize(54);
  return b;
}

Bytes bmp_core() {  // BITMAPCOREHEADER, 640 x 480
  Bytes b = raw({'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0, 0, 12, 0, 0, 0, 0x80, 0x02, 0xE0, 0x01, 1, 0, 24, 0});
  return b;
}

Bytes webp(const char* chunk, std::initializer_list<int> data) {
  Bytes b = raw({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'});
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::byte>(chunk[i]));
  const Bytes d = raw(data);
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::byte>(d.size() >> (8 * i)));
  b.insert(b.end(), d.begin(), d.end());
  return b;
}

struct Case {
  const char* name;
  Bytes bytes;
  ImageFormat format;
  std::uint32_t width, height;
};

std::vector<Case> cases() {
  return {
      {"png", png_image(1920, 1080), ImageFormat::png, 1920, 1080},
      {"jpeg", jpeg_image(500, 375), ImageFormat::jpeg, 500, 375},
      {"gif", gif_image(), ImageFormat::gif, 300, 200},
      {"bmp info", bmp_info(33, 17), ImageFormat::bmp, 33, 17},
      {"bmp top-down", bmp_info(33, -17), ImageFormat::bmp, 33, 17},
      {"bmp core", bmp_core(), ImageFormat::bmp, 640, 480},
      // VP8 key frame: frame tag, start code, 14-bit width 400, height 300.
      {"webp vp8", webp("VP8 ", {0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x90, 0x01, 0x2C, 0x01}), ImageFormat::webp, 400,
       300},
      // VP8L: signature 0x2F, then (width-1) 14 bits, (height-1) 14 bits: 64 x 32.
      {"webp vp8l", webp("VP8L", {0x2F, 0x3F, 0xC0, 0x07, 0x00, 0, 0, 0, 0, 0}), ImageFormat::webp, 64, 32},
      // VP8X: flags (4), canvas width-1 (24 bits), height-1 (24 bits): 1000 x 2000.
      {"webp vp8x", webp("VP8X", {0, 0, 0, 0, 0xE7, 0x03, 0x00, 0xCF, 0x07, 0x00}), ImageFormat::webp, 1000, 2000},
  };
}

TEST(ImageHeader, ReadsEachFormatsDimensions) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tags::ImageInfo info = read_image_header(c.bytes);
    EXPECT_EQ(info.format, c.format);
    EXPECT_EQ(info.width, c.width);
    EXPECT_EQ(info.height, c.height);
    EXPECT_TRUE(info.has_size());
  }
}

TEST(ImageHeader, TruncatedHeadersGiveTheFormatWithoutDimensions) {
  for (const Case& c : cases()) {
    // Copies, so ASan sees a read past each prefix.
    for (std::size_t n = 0; n < c.bytes.size(); ++n) {
      const Bytes prefix(c.bytes.begin(), c.bytes.begin() + static_cast<std::ptrdiff_t>(n));
      const tags::ImageInfo info = read_image_header(prefix);
      if (info.has_size()) {
        // Only a prefix that holds the whole header may give the size.
        EXPECT_EQ(info.width, c.width) << c.name << " prefix " << n;
        EXPECT_EQ(info.height, c.height) << c.name << " prefix " << n;
      }
    }
    const Bytes tiny(c.bytes.begin(), c.bytes.begin() + 4);
    EXPECT_FALSE(read_image_header(tiny).has_size()) << c.name;
  }
}

TEST(ImageHeader, JpegSkipsSegmentsAndFillBytesUpToTheFrame) {
  Bytes b = raw({0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 'E', 'x', 'i', 'f', 0xFF, 0xFF, 0xC4, 0x00, 0x03, 0x00,
                 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00});
  const tags::ImageInfo info = read_image_header(b);
  EXPECT_EQ(info.width, 32u);   // progressive SOF2, after APP1, a fill byte and DHT
  EXPECT_EQ(info.height, 16u);
}

TEST(ImageHeader, JpegWithoutAFrameOrWithBadLengthsHasNoSize) {
  EXPECT_FALSE(read_image_header(raw({0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 0, 0, 0, 0, 0, 0})).has_size());
  EXPECT_FALSE(read_image_header(raw({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0, 0})).has_size());
  EXPECT_FALSE(read_image_header(raw({0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0, 0})).has_size());
}

TEST(ImageHeader, UnknownBytesAndZeroSizes) {
  EXPECT_EQ(read_image_header(raw({'h', 'e', 'l', 'l', 'o'})).format, ImageFormat::unknown);
  EXPECT_FALSE(read_image_header(png_image(0, 10)).has_size());
  EXPECT_STREQ(tags::image_mime_type(ImageFormat::webp), "image/webp");
  EXPECT_STREQ(tags::image_mime_type(ImageFormat::unknown), "");
}

}  // namespace
