#include "support/image_writer.hpp"

#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>
#include <png.h>

#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace frugal::test {

namespace {

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};

[[noreturn]] void jpeg_fail(j_common_ptr cinfo) { std::longjmp(reinterpret_cast<JpegError*>(cinfo->err)->jump, 1); }

// libjpeg longjmps: the guarded functions hold only trivial objects.
bool compress(const JpegSpec* spec, unsigned char** out, unsigned long* size) {
  jpeg_compress_struct c;
  JpegError err;
  c.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&c);
    return false;
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, out, size);
  c.image_width = spec->width;
  c.image_height = spec->height;
  c.input_components = spec->components;
  c.in_color_space = spec->components == 1 ? JCS_GRAYSCALE : spec->components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, spec->quality, TRUE);
  if (spec->progressive) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  const std::size_t stride = std::size_t{spec->width} * static_cast<std::size_t>(spec->components);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(spec->samples.data() + c.next_scanline * stride);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  return true;
}

bool decompress(const Bytes* jpeg, unsigned scale_num, RgbaImage* image, std::uint8_t* (*grow)(RgbaImage*)) {
  jpeg_decompress_struct d;
  JpegError err;
  d.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&d);
    return false;
  }
  jpeg_create_decompress(&d);
  jpeg_mem_src(&d, reinterpret_cast<const unsigned char*>(jpeg->data()), jpeg->size());
  jpeg_read_header(&d, TRUE);
  d.out_color_space = JCS_EXT_RGBA;
  d.scale_num = scale_num;
  d.scale_denom = 8;
  jpeg_start_decompress(&d);
  image->width = d.output_width;
  image->height = d.output_height;
  std::uint8_t* pixels = grow(image);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = pixels + std::size_t{d.output_scanline} * d.output_width * 4;
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  jpeg_destroy_decompress(&d);
  return true;
}

std::uint8_t* grow_image(RgbaImage* image) {
  image->pixels.resize(std::size_t{image->width} * image->height * 4);
  return image->pixels.data();
}

void png_fail(png_structp png, png_const_charp) { png_longjmp(png, 1); }

void png_append(png_structp png, png_bytep data, std::size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  const auto* p = reinterpret_cast<const std::byte*>(data);
  out->insert(out->end(), p, p + length);
}

void png_no_flush(png_structp) {}

bool write_png(const PngSpec* spec, const png_color* plte, Bytes* out, png_bytep* rows) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, png_fail, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, png_append, png_no_flush);
  png_set_IHDR(png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
               spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!spec->palette.empty()) png_set_PLTE(png, info, plte, static_cast<int>(spec->palette.size()));
  if (!spec->trns.empty()) {
    if (spec->color_type == PNG_COLOR_TYPE_PALETTE) {
      png_set_tRNS(png, info, spec->trns.data(), static_cast<int>(spec->trns.size()), nullptr);
    } else {
      auto sample = [&](std::size_t i) { return static_cast<png_uint_16>(spec->trns[2 * i] << 8 | spec->trns[2 * i + 1]); };
      png_color_16 key{};
      if (spec->color_type == PNG_COLOR_TYPE_GRAY) key.gray = sample(0);
      else key.red = sample(0), key.green = sample(1), key.blue = sample(2);
      png_set_tRNS(png, info, nullptr, 0, &key);
    }
  }
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

Bytes jpeg_file(const JpegSpec& spec) {
  if (spec.samples.size() != std::size_t{spec.width} * spec.height * static_cast<std::size_t>(spec.components))
    throw std::invalid_argument("jpeg_file: samples do not fill the image");
  unsigned char* data = nullptr;
  unsigned long size = 0;
  if (!compress(&spec, &data, &size)) {
    std::free(data);
    throw std::runtime_error("jpeg_file: libjpeg refused the image");
  }
  Bytes out(reinterpret_cast<const std::byte*>(data), reinterpret_cast<const std::byte*>(data) + size);
  std::free(data);
  return out;
}

std::optional<RgbaImage> decode_jpeg_rgba(const Bytes& jpeg, unsigned scale_num) {
  RgbaImage image;
  if (!decompress(&jpeg, scale_num, &image, grow_image)) return std::nullopt;
  return image;
}

Bytes png_file(const PngSpec& spec) {
  const int channels = spec.color_type == 0 || spec.color_type == 3 ? 1 : spec.color_type == 4 ? 2 : spec.color_type == 2 ? 3 : 4;
  const std::size_t stride = (std::size_t{spec.width} * channels * spec.bit_depth + 7) / 8;
  if (spec.rows.size() != stride * spec.height) throw std::invalid_argument("png_file: rows do not fill the image");
  std::vector<png_bytep> rows(spec.height);
  for (std::size_t y = 0; y < spec.height; ++y) rows[y] = const_cast<png_bytep>(spec.rows.data() + y * stride);
  std::vector<png_color> plte;
  for (const auto& c : spec.palette) plte.push_back(png_color{c[0], c[1], c[2]});
  Bytes out;
  if (!write_png(&spec, plte.data(), &out, rows.data())) throw std::runtime_error("png_file: libpng refused the image");
  return out;
}

}  // namespace frugal::test
