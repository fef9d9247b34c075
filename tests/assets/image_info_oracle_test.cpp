// ImageInfo against real encoders: JPEGs that libjpeg-turbo writes (baseline,
// progressive, arithmetic, grayscale, RGB, CMYK, YCCK; with an EXIF APP1)
// and PNGs that libpng writes (every colour type and depth, Adam7), each
// read back by the same library's decoder, whose header fields are the
// expected answer. Built at test time, never committed.
#include "support/image_header_writer.hpp"

#include <frugal/assets/image_info.hpp>

#include <gtest/gtest.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#ifdef FRUGAL_HAVE_LIBJPEG
#include <jpeglib.h>
#endif
#ifdef FRUGAL_HAVE_PNG
#include <png.h>
#endif

namespace frugal::test {
namespace {

using assets::ColourType;
using assets::ImageInfo;

#if defined(FRUGAL_HAVE_LIBJPEG) || defined(FRUGAL_HAVE_PNG)  // neither in the cross builds
ImageInfo read_ok(const Bytes& b) {
  auto r = assets::read_image_info(std::span<const std::byte>(b));
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : ImageInfo{};
}
#endif

#ifdef FRUGAL_HAVE_LIBJPEG

// libjpeg reports errors by longjmp back into the test.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};
void jpeg_fail(j_common_ptr c) {
  char text[JMSG_LENGTH_MAX];
  c->err->format_message(c, text);
  ADD_FAILURE() << "libjpeg: " << text;
  std::longjmp(reinterpret_cast<JpegError*>(c->err)->jump, 1);
}

struct JpegSpec {
  const char* name;
  int components;
  J_COLOR_SPACE in, out;  // input space; the file's space (jpeg_set_colorspace)
  bool progressive = false, arithmetic = false;
  JDIMENSION width = 33, height = 17;
  int orientation = 0;    // 0: no EXIF
};

Bytes encode_jpeg(const JpegSpec& s) {
  jpeg_compress_struct c;
  JpegError err;
  c.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  unsigned char* out = nullptr;
  unsigned long size = 0;
  // Objects with destructors live outside the setjmp frame (a longjmp must
  // not skip them).
  std::vector<JSAMPLE> row(static_cast<std::size_t>(s.width) * static_cast<std::size_t>(s.components));
  for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<JSAMPLE>(i * 7);
  // An EXIF APP1 from the test writer (big-endian TIFF); its body follows
  // SOI (2), marker (2) and length (2), and ends before the SOS stand-in and
  // EOI (12).
  const Bytes app1 = JpegBuilder().exif({.little_endian = false, .orientation = static_cast<std::uint16_t>(s.orientation)}).take();
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&c);
    std::free(out);
    return {};
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, &out, &size);
  c.image_width = s.width;
  c.image_height = s.height;
  c.input_components = s.components;
  c.in_color_space = s.in;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, s.out);
  if (s.progressive) jpeg_simple_progression(&c);
  c.arith_code = s.arithmetic;
  jpeg_start_compress(&c, TRUE);
  if (s.orientation)
    jpeg_write_marker(&c, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(app1.data() + 6),
                      static_cast<unsigned>(app1.size() - 6 - 12));
  while (c.next_scanline < c.image_height) {
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&c, rows, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  Bytes b(reinterpret_cast<std::byte*>(out), reinterpret_cast<std::byte*>(out) + size);
  std::free(out);
  return b;
}

ColourType from_libjpeg(J_COLOR_SPACE s) {
  switch (s) {
    case JCS_GRAYSCALE: return ColourType::gray;
    case JCS_RGB: return ColourType::rgb;
    case JCS_YCbCr: return ColourType::ycbcr;
    case JCS_CMYK: return ColourType::cmyk;
    case JCS_YCCK: return ColourType::ycck;
    default: return ColourType::unknown;
  }
}

TEST(ImageInfoOracle, JpegsLibjpegWritesAndReads) {
  const JpegSpec specs[] = {
      {"baseline", 3, JCS_RGB, JCS_YCbCr},
      {"progressive", 3, JCS_RGB, JCS_YCbCr, true},
      {"arithmetic", 3, JCS_RGB, JCS_YCbCr, false, true},
      {"arithmetic progressive", 3, JCS_RGB, JCS_YCbCr, true, true},
      {"grayscale", 1, JCS_GRAYSCALE, JCS_GRAYSCALE, false, false, 1, 1},
      {"rgb", 3, JCS_RGB, JCS_RGB},
      {"cmyk", 4, JCS_CMYK, JCS_CMYK},
      {"ycck", 4, JCS_CMYK, JCS_YCCK, true},
      {"wide", 3, JCS_RGB, JCS_YCbCr, false, false, 65500, 2},
      {"exif", 3, JCS_RGB, JCS_YCbCr, true, false, 8, 8, 6},
  };
  for (const JpegSpec& s : specs) {
    SCOPED_TRACE(s.name);
    const Bytes file = encode_jpeg(s);
    ASSERT_FALSE(file.empty());
    const ImageInfo ours = read_ok(file);

    jpeg_decompress_struct d;
    JpegError err;
    d.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    if (setjmp(err.jump)) {
      jpeg_destroy_decompress(&d);
      continue;
    }
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, reinterpret_cast<const unsigned char*>(file.data()), static_cast<unsigned long>(file.size()));
    ASSERT_EQ(jpeg_read_header(&d, TRUE), JPEG_HEADER_OK);
    EXPECT_EQ(ours.width, d.image_width);
    EXPECT_EQ(ours.height, d.image_height);
    EXPECT_EQ(ours.channels, d.num_components);
    EXPECT_EQ(ours.bit_depth, d.data_precision);
    EXPECT_EQ(ours.colour_type, from_libjpeg(d.jpeg_color_space)) << assets::colour_type_name(ours.colour_type);
    EXPECT_EQ(ours.jpeg.progressive, d.progressive_mode != 0);
    EXPECT_EQ(ours.jpeg.arithmetic, d.arith_code != 0);
    EXPECT_EQ(ours.jpeg.jfif, d.saw_JFIF_marker != 0);
    EXPECT_EQ(ours.jpeg.adobe, d.saw_Adobe_marker != 0);
    if (d.saw_Adobe_marker) {
      EXPECT_EQ(ours.jpeg.adobe_transform, d.Adobe_transform);
    }
    EXPECT_EQ(ours.jpeg.orientation, s.orientation ? s.orientation : 1);
    jpeg_destroy_decompress(&d);
  }
}

#endif  // FRUGAL_HAVE_LIBJPEG

#ifdef FRUGAL_HAVE_PNG

void png_append(png_structp p, png_bytep data, png_size_t n) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(p));
  out->insert(out->end(), reinterpret_cast<std::byte*>(data), reinterpret_cast<std::byte*>(data) + n);
}
void png_flush(png_structp) {}

struct PngInput {
  const Bytes* bytes;
  std::size_t at = 0;
};
void png_take(png_structp p, png_bytep data, png_size_t n) {
  auto* in = static_cast<PngInput*>(png_get_io_ptr(p));
  if (in->at + n > in->bytes->size()) png_error(p, "read past the end");
  std::memcpy(data, in->bytes->data() + in->at, n);
  in->at += n;
}

Bytes encode_png(std::uint32_t w, std::uint32_t h, int depth, int colour, int interlace) {
  Bytes out;
  std::vector<png_byte> row(std::size_t{w} * 8);  // 16-bit RGBA at most; outside the setjmp frame
  png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(p);
  if (setjmp(png_jmpbuf(p))) {
    png_destroy_write_struct(&p, &info);
    return {};
  }
  png_set_write_fn(p, &out, png_append, png_flush);
  png_set_IHDR(p, info, w, h, depth, colour, interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (colour == PNG_COLOR_TYPE_PALETTE) {
    png_color palette[2] = {{0, 0, 0}, {255, 255, 255}};
    png_set_PLTE(p, info, palette, 2);
  }
  png_write_info(p, info);
  const int passes = png_set_interlace_handling(p);
  for (int pass = 0; pass < passes; ++pass)
    for (std::uint32_t y = 0; y < h; ++y) png_write_row(p, row.data());
  png_write_end(p, info);
  png_destroy_write_struct(&p, &info);
  return out;
}

TEST(ImageInfoOracle, PngsLibpngWritesAndReads) {
  const std::pair<int, std::vector<int>> types[] = {{PNG_COLOR_TYPE_GRAY, {1, 2, 4, 8, 16}},
                                                    {PNG_COLOR_TYPE_RGB, {8, 16}},
                                                    {PNG_COLOR_TYPE_PALETTE, {1, 2, 4, 8}},
                                                    {PNG_COLOR_TYPE_GRAY_ALPHA, {8, 16}},
                                                    {PNG_COLOR_TYPE_RGBA, {8, 16}}};
  for (const auto& [colour, depths] : types) {
    for (int depth : depths) {
      for (int interlace : {PNG_INTERLACE_NONE, PNG_INTERLACE_ADAM7}) {
        SCOPED_TRACE(testing::Message() << "colour " << colour << " depth " << depth << " interlace " << interlace);
        const Bytes file = encode_png(13, 7, depth, colour, interlace);
        ASSERT_FALSE(file.empty());
        const ImageInfo ours = read_ok(file);

        png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
        png_infop info = png_create_info_struct(p);
        if (setjmp(png_jmpbuf(p))) {
          png_destroy_read_struct(&p, &info, nullptr);
          ADD_FAILURE() << "libpng could not read it back";
          continue;
        }
        PngInput in{&file};
        png_set_read_fn(p, &in, png_take);
        png_read_info(p, info);
        EXPECT_EQ(ours.width, png_get_image_width(p, info));
        EXPECT_EQ(ours.height, png_get_image_height(p, info));
        EXPECT_EQ(ours.bit_depth, png_get_bit_depth(p, info));
        EXPECT_EQ(ours.png.colour_type, png_get_color_type(p, info));
        EXPECT_EQ(ours.channels, png_get_channels(p, info));
        EXPECT_EQ(ours.png.interlaced, png_get_interlace_type(p, info) == PNG_INTERLACE_ADAM7);
        EXPECT_EQ(ours.has_alpha, (png_get_color_type(p, info) & PNG_COLOR_MASK_ALPHA) != 0);
        png_destroy_read_struct(&p, &info, nullptr);
      }
    }
  }
}

#endif  // FRUGAL_HAVE_PNG

}  // namespace
}  // namespace frugal::test
