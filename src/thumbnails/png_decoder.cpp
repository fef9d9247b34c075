// PNG through libpng (ISO/IEC 15948; libpng-manual.txt "Reading PNG files
// "The high-level read interface"
// aside: row by row with png_read_row, transforms to RGBA8).
#include "thumbnails/codecs.hpp"

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <memory>
#include <new>

namespace frugal::thumbnails::detail {

namespace {

using core::Errc;
using core::make_error;

// libpng's and zlib's own state beside the rows counted below: png_struct
// and png_info (~2 KB), zlib's inflate state (~7 KB) and 32 KiB window, and
// ancillary chunks up to kChunkMax (iCCP, text and the like are skipped).
constexpr std::size_t kChunkMax = 64 * 1024;
constexpr std::size_t kPngFixedBytes = 48 * 1024 + kChunkMax;

// Chunks the thumbnail does not need: libpng skips them unread.
constexpr png_byte kIgnoredChunks[] = {'i', 'C', 'C', 'P', '\0', 't', 'E', 'X', 't', '\0', 'z', 'T', 'X', 't', '\0',
                                       'i', 'T', 'X', 't', '\0', 's', 'P', 'L', 'T', '\0', 'e', 'X', 'I', 'f', '\0'};

// Everything libpng's calls see, trivially destructible.
struct PngState {
  png_structp png = nullptr;
  png_infop info = nullptr;
  core::ByteSource* source = nullptr;
  std::uint64_t offset = 0;
  bool read_failed = false;
  bool out_of_memory = false;
  bool over_limit = false;  // IHDR past png_set_user_limits
  core::Error read_error;
};

void on_error(png_structp png, png_const_charp message) {
  auto* s = static_cast<PngState*>(png_get_error_ptr(png));
  // libpng's allocation failures say "Out of Memory" or "Insufficient memory".
  if (message && std::strstr(message, "emory") != nullptr) s->out_of_memory = true;
  png_longjmp(png, 1);
}

// png_check_IHDR warns "Image width exceeds user limit in IHDR" (or
// height), then errors "Invalid IHDR data".
void on_warning(png_structp png, png_const_charp message) {
  if (message && std::strstr(message, "user limit") != nullptr)
    static_cast<PngState*>(png_get_error_ptr(png))->over_limit = true;
}

// Reads exactly `length` bytes; false (the error kept) otherwise. A function
// of its own: its Result is gone before libpng longjmps.
bool read_exact_at(PngState* s, png_bytep data, std::size_t length) {
  auto n = s->source->read_at(s->offset, std::span(reinterpret_cast<std::byte*>(data), length));
  if (!n) {
    s->read_error = n.error();
  } else if (*n < length) {
    s->read_error = make_error(Errc::malformed, "PNG: premature end of data", s->offset + *n);
  } else {
    s->offset += length;
    return true;
  }
  s->read_failed = true;
  return false;
}

void on_read(png_structp png, png_bytep data, std::size_t length) {
  if (!read_exact_at(static_cast<PngState*>(png_get_io_ptr(png)), data, length)) png_error(png, "read failed");
}

bool guarded_read_info(PngState* s, png_uint_32 max_side) {
  if (setjmp(png_jmpbuf(s->png))) return false;
  png_set_read_fn(s->png, s, on_read);
  png_set_user_limits(s->png, max_side, max_side);
  png_set_chunk_malloc_max(s->png, kChunkMax);
  png_set_keep_unknown_chunks(s->png, PNG_HANDLE_CHUNK_NEVER, kIgnoredChunks, 6);
  png_read_info(s->png, s->info);
  return true;
}

// The transforms to RGBA8: palette and tRNS expanded, grey to RGB, 16
// bits scaled to 8, an opaque alpha added where none; Adam7 passes merged
// into whole rows.
bool guarded_transforms(PngState* s) {
  if (setjmp(png_jmpbuf(s->png))) return false;
  const png_byte color = png_get_color_type(s->png, s->info);
  png_set_expand(s->png);  // palette → RGB, grey < 8 bits → 8, tRNS → alpha
  png_set_scale_16(s->png);
  if (!(color & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(s->png);
  if (!(color & PNG_COLOR_MASK_ALPHA) && !png_get_valid(s->png, s->info, PNG_INFO_tRNS))
    png_set_add_alpha(s->png, 0xFF, PNG_FILLER_AFTER);
  png_set_interlace_handling(s->png);
  png_read_update_info(s->png, s->info);
  return true;
}

bool guarded_read_row(PngState* s, png_bytep row) {
  if (setjmp(png_jmpbuf(s->png))) return false;
  png_read_row(s->png, row, nullptr);
  return true;
}

struct StateDeleter {
  void operator()(PngState* s) const noexcept {
    if (s->png) png_destroy_read_struct(&s->png, s->info ? &s->info : nullptr, nullptr);
    delete s;
  }
};
using StatePtr = std::unique_ptr<PngState, StateDeleter>;

core::Error failure(const PngState& s) {
  if (s.read_failed) return s.read_error;
  if (s.out_of_memory) return make_error(Errc::out_of_memory, "PNG: libpng is out of memory");
  return make_error(Errc::malformed, "PNG: libpng refused the data");
}

core::Result<StatePtr> open(core::ByteSource& source, const ThumbnailOptions& options) {
  StatePtr s(new (std::nothrow) PngState());
  if (!s) return make_error(Errc::out_of_memory, "PNG: no memory for the decoder");
  s->source = &source;
  s->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, s.get(), on_error, on_warning);
  if (!s->png) return make_error(Errc::out_of_memory, "PNG: libpng is out of memory");
  s->info = png_create_info_struct(s->png);
  if (!s->info) return make_error(Errc::out_of_memory, "PNG: libpng is out of memory");
  // libpng's own cap stops a larger IHDR before it allocates; ours below
  // then says which cap.
  const png_uint_32 side = std::min<png_uint_32>(options.max_source_side, PNG_USER_WIDTH_MAX);
  if (!guarded_read_info(s.get(), side)) {
    if (s->over_limit) return make_error(Errc::limit_exceeded, "thumbnail: image side over max_source_side");
    return failure(*s);
  }
  FRUGAL_CHECK(check_source_size(png_get_image_width(s->png, s->info), png_get_image_height(s->png, s->info), options));
  return s;
}

}  // namespace

core::Result<ThumbnailPlan> plan_png(core::ByteSource& source, const ThumbnailOptions& options) {
  FRUGAL_TRY(StatePtr s, open(source, options));
  ThumbnailPlan plan;
  plan.codec = ImageCodec::png;
  plan.source_width = plan.decoded_width = png_get_image_width(s->png, s->info);
  plan.source_height = plan.decoded_height = png_get_image_height(s->png, s->info);
  plan.whole_image = png_get_interlace_type(s->png, s->info) == PNG_INTERLACE_ADAM7;
  // libpng's row and previous row at the widest pixel it handles (8 bytes:
  // RGBA 16 bits, before scaling), our RGBA8 row; Adam7: the whole image
  // besides.
  const std::uint64_t width = plan.source_width;
  std::uint64_t bytes = kPngFixedBytes + sizeof(PngState) + 2 * (width * 8 + 64) + width * 4;
  if (plan.whole_image) bytes += std::uint64_t{plan.source_height} * (width * 4);
  finish_plan(plan, bytes, options);
  return plan;
}

core::Result<void> decode_png(core::ByteSource& source, const ThumbnailPlan& plan, AreaFilter& filter) {
  ThumbnailOptions header_options;  // the caps were checked by the plan
  header_options.max_source_side = std::max(plan.source_width, plan.source_height);
  header_options.max_source_pixels = std::uint64_t{plan.source_width} * plan.source_height;
  FRUGAL_TRY(StatePtr s, open(source, header_options));
  if (png_get_image_width(s->png, s->info) != plan.source_width ||
      png_get_image_height(s->png, s->info) != plan.source_height)
    return make_error(Errc::invalid_argument, "PNG: the image is not the one planned");
  if (!guarded_transforms(s.get())) return failure(*s);
  const std::size_t row_bytes = std::size_t{plan.source_width} * 4;
  if (png_get_rowbytes(s->png, s->info) != row_bytes)
    return make_error(Errc::malformed, "PNG: the transforms did not give RGBA8");
  const std::uint32_t height = plan.source_height;
  if (!plan.whole_image) {
    std::unique_ptr<png_byte[]> row(new (std::nothrow) png_byte[row_bytes]);
    if (!row) return make_error(Errc::out_of_memory, "PNG: no memory for a row");
    for (std::uint32_t y = 0; y < height; ++y) {
      if (!guarded_read_row(s.get(), row.get())) return failure(*s);
      filter.push_row(row.get());
    }
    return core::ok();
  }
  // Adam7: each pass adds pixels to every row; the rows are whole only
  // after the last pass.
  std::unique_ptr<png_byte[]> image(new (std::nothrow) png_byte[row_bytes * height]);
  if (!image) return make_error(Errc::out_of_memory, "PNG: no memory for the interlaced image");
  for (int pass = 0; pass < 7; ++pass)
    for (std::uint32_t y = 0; y < height; ++y)
      if (!guarded_read_row(s.get(), image.get() + y * row_bytes)) return failure(*s);
  for (std::uint32_t y = 0; y < height; ++y) filter.push_row(image.get() + y * row_bytes);
  return core::ok();
}

}  // namespace frugal::thumbnails::detail
