#include "support/png_reader.hpp"

#include <png.h>

#include <csetjmp>
#include <cstdio>

namespace frugal::test {
namespace {

struct Reader {
  std::FILE* file = nullptr;
  png_structp png = nullptr;
  png_infop info = nullptr;
  int stored_bit_depth = 0;
};

// libpng longjmps on errors: each guarded function holds only trivial objects.
bool read_header(Reader* r) {
  if (setjmp(png_jmpbuf(r->png))) return false;
  png_init_io(r->png, r->file);
  png_read_info(r->png, r->info);
  r->stored_bit_depth = png_get_bit_depth(r->png, r->info);
  if (r->stored_bit_depth < 8) png_set_packing(r->png);
  png_read_update_info(r->png, r->info);
  return true;
}

bool read_rows(Reader* r, png_bytep* rows) {
  if (setjmp(png_jmpbuf(r->png))) return false;
  png_read_image(r->png, rows);
  png_read_end(r->png, nullptr);
  return true;
}

}  // namespace

std::optional<PngFile> read_png(const std::string& path) {
  Reader r;
  r.file = std::fopen(path.c_str(), "rb");
  if (!r.file) return std::nullopt;
  r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  r.info = r.png ? png_create_info_struct(r.png) : nullptr;
  std::optional<PngFile> result;
  if (r.info && read_header(&r)) {
    PngFile f;
    f.width = png_get_image_width(r.png, r.info);
    f.height = png_get_image_height(r.png, r.info);
    f.bit_depth = r.stored_bit_depth;
    f.color_type = png_get_color_type(r.png, r.info);
    png_colorp plte = nullptr;
    int entries = 0;
    if (png_get_PLTE(r.png, r.info, &plte, &entries))
      for (int i = 0; i < entries; ++i) f.palette.push_back({plte[i].red, plte[i].green, plte[i].blue});
    png_bytep trans = nullptr;
    int trans_count = 0;
    if (png_get_tRNS(r.png, r.info, &trans, &trans_count, nullptr) && trans)
      f.alpha.assign(trans, trans + trans_count);
    const std::size_t row_bytes = png_get_rowbytes(r.png, r.info);
    f.pixels.resize(row_bytes * f.height);
    std::vector<png_bytep> rows(f.height);
    for (std::uint32_t y = 0; y < f.height; ++y) rows[y] = f.pixels.data() + y * row_bytes;
    if (read_rows(&r, rows.data())) result = std::move(f);
  }
  png_destroy_read_struct(r.png ? &r.png : nullptr, r.info ? &r.info : nullptr, nullptr);
  std::fclose(r.file);
  return result;
}

}  // namespace frugal::test
