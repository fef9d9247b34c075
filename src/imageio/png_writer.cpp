#include <frugal/imageio/png_writer.hpp>

#include "output_file.hpp"

#include <png.h>

#include <algorithm>
#include <array>
#include <csetjmp>
#include <cstring>
#include <new>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace frugal::imageio {

using core::Errc;
using core::make_error;

struct PngWriter::Impl {
  ~Impl() {
    if (png) png_destroy_write_struct(&png, info ? &info : nullptr);
  }

  // Appends to the write buffer, flushing it to the file when full. Returns
  // false (the error kept in io_error) when the file refuses.
  bool buffer_write(const std::byte* data, std::size_t length) noexcept {
    while (length) {
      const std::size_t n = std::min(length, buffer.size() - buffered);
      std::memcpy(buffer.data() + buffered, data, n);
      buffered += n;
      data += n;
      length -= n;
      if (buffered == buffer.size() && !flush()) return false;
    }
    return true;
  }
  bool flush() noexcept {
    if (!buffered) return true;
    const std::span<const std::byte> bytes(buffer.data(), buffered);
    buffered = 0;
    if (!file) {  // in memory
      try {
        memory.insert(memory.end(), bytes.begin(), bytes.end());
      } catch (const std::bad_alloc&) {
        io_error = make_error(Errc::out_of_memory, "PNG: no memory for the encoded bytes");
        return false;
      }
      return true;
    }
    auto written = file->write(bytes);
    if (!written) {
      io_error = written.error();
      return false;
    }
    return true;
  }

  // What a failed libpng call turns into.
  core::Error failure() const noexcept {
    if (io_error) return *io_error;
    if (libpng_out_of_memory) return make_error(Errc::out_of_memory, "PNG: libpng is out of memory");
    return make_error(Errc::invalid_argument, "PNG: libpng refused the image");
  }

  png_structp png = nullptr;
  png_infop info = nullptr;
  std::optional<platform::AtomicFile> file;  // none: the bytes go to `memory`
  std::vector<std::byte> memory;
  bool complete = false;  // in memory, finish() succeeded and the bytes are not taken yet
  PngKind kind = PngKind::indexed;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::size_t palette_size = 0;
  std::uint32_t rows = 0;  // written so far
  bool dead = false;       // an error happened, or finish() ran
  std::optional<core::Error> io_error;
  bool libpng_out_of_memory = false;
  std::size_t buffered = 0;
  std::array<std::byte, 8192> buffer;
};

namespace {

// libpng's callbacks. They may longjmp out (png_error): no object with a
// destructor is alive in their frames when they do.
void on_error(png_structp png, png_const_charp message) {
  auto* m = static_cast<PngWriter::Impl*>(png_get_error_ptr(png));
  // libpng's allocation failures say "Out of Memory" or "Insufficient memory".
  if (message && (std::strstr(message, "emory") != nullptr)) m->libpng_out_of_memory = true;
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void on_write(png_structp png, png_bytep data, std::size_t length) {
  auto* m = static_cast<PngWriter::Impl*>(png_get_io_ptr(png));
  if (!m->buffer_write(reinterpret_cast<const std::byte*>(data), length)) png_error(png, "write failed");
}

void on_flush(png_structp) {}  // finish() flushes and fsyncs

// Each libpng call in a setjmp frame of its own holding only trivial
// objects: a longjmp back here skips no destructor.
bool guarded_start(PngWriter::Impl* m, int bit_depth, int color_type, const png_color* palette, int palette_size,
                   const png_byte* alpha, int alpha_size) {
  if (setjmp(png_jmpbuf(m->png))) return false;
  png_set_write_fn(m->png, m, on_write, on_flush);
  png_set_IHDR(m->png, m->info, m->width, m->height, bit_depth, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette_size) png_set_PLTE(m->png, m->info, palette, palette_size);
  if (alpha_size) png_set_tRNS(m->png, m->info, alpha, alpha_size, nullptr);
  png_write_info(m->png, m->info);
  if (bit_depth < 8) png_set_packing(m->png);  // one byte per pixel in, packed in the file
  return true;
}

bool guarded_row(PngWriter::Impl* m, const std::uint8_t* row) {
  if (setjmp(png_jmpbuf(m->png))) return false;
  png_write_row(m->png, row);
  return true;
}

bool guarded_end(PngWriter::Impl* m) {
  if (setjmp(png_jmpbuf(m->png))) return false;
  png_write_end(m->png, nullptr);
  return true;
}

int fewest_bits(std::size_t palette_size) {
  return palette_size <= 2 ? 1 : palette_size <= 4 ? 2 : palette_size <= 16 ? 4 : 8;
}

}  // namespace

core::Result<PngWriter> PngWriter::start(const std::string* path, const PngImage& image) {
  if (image.width == 0 || image.height == 0 || image.width > kMaxPngSide || image.height > kMaxPngSide)
    return make_error(Errc::invalid_argument, "PNG: width or height not in 1-1000000");
  int bit_depth = 8;
  int color_type = PNG_COLOR_TYPE_RGBA;
  std::array<png_color, 256> plte{};
  std::array<png_byte, 256> alpha{};
  int alpha_size = 0;
  if (image.kind == PngKind::indexed) {
    if (image.palette.empty() || image.palette.size() > 256)
      return make_error(Errc::invalid_argument, "PNG: an indexed image needs 1-256 palette entries");
    bit_depth = image.bit_depth ? image.bit_depth : fewest_bits(image.palette.size());
    if (bit_depth != 1 && bit_depth != 2 && bit_depth != 4 && bit_depth != 8)
      return make_error(Errc::invalid_argument, "PNG: indexed bit depth not 1, 2, 4 or 8");
    if (image.palette.size() > (std::size_t{1} << bit_depth))
      return make_error(Errc::invalid_argument, "PNG: more palette entries than the bit depth holds");
    color_type = PNG_COLOR_TYPE_PALETTE;
    for (std::size_t i = 0; i < image.palette.size(); ++i) {
      plte[i] = png_color{image.palette[i].r, image.palette[i].g, image.palette[i].b};
      alpha[i] = image.palette[i].a;
      if (alpha[i] != 255) alpha_size = static_cast<int>(i) + 1;  // tRNS up to the last non-opaque entry
    }
  }

  std::unique_ptr<Impl> m(new (std::nothrow) Impl());
  if (!m) return make_error(Errc::out_of_memory, "PNG: no memory for the writer");
  m->kind = image.kind;
  m->width = image.width;
  m->height = image.height;
  m->palette_size = image.palette.size();
  if (path) {
    FRUGAL_TRY(platform::AtomicFile file, platform::AtomicFile::create(*path));
    m->file.emplace(std::move(file));
  }
  m->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, m.get(), on_error, on_warning);
  if (!m->png) return make_error(Errc::out_of_memory, "PNG: libpng is out of memory");
  m->info = png_create_info_struct(m->png);
  if (!m->info) return make_error(Errc::out_of_memory, "PNG: libpng is out of memory");
  if (!guarded_start(m.get(), bit_depth, color_type, plte.data(),
                     image.kind == PngKind::indexed ? static_cast<int>(image.palette.size()) : 0, alpha.data(),
                     alpha_size))
    return m->failure();
  return PngWriter(std::move(m));
}

core::Result<PngWriter> PngWriter::create(const std::string& path, const PngImage& image) {
  return start(&path, image);
}

core::Result<PngWriter> PngWriter::create_in_memory(const PngImage& image) { return start(nullptr, image); }

PngWriter::PngWriter(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
PngWriter::PngWriter(PngWriter&&) noexcept = default;
PngWriter& PngWriter::operator=(PngWriter&&) noexcept = default;
PngWriter::~PngWriter() = default;

core::Result<void> PngWriter::write_row(std::span<const std::uint8_t> row) {
  Impl& m = *impl_;
  if (m.dead) return make_error(Errc::invalid_argument, "PNG: writer already failed or finished");
  if (m.rows >= m.height) return make_error(Errc::invalid_argument, "PNG: more rows than the height");
  const std::size_t expected = m.kind == PngKind::rgba8 ? std::size_t{m.width} * 4 : m.width;
  if (row.size() != expected) return make_error(Errc::invalid_argument, "PNG: row length is not the width's");
  if (m.kind == PngKind::indexed)
    for (const std::uint8_t index : row)
      if (index >= m.palette_size) {
        m.dead = true;
        return make_error(Errc::invalid_argument, "PNG: pixel index past the palette");
      }
  if (!guarded_row(&m, row.data())) {
    m.dead = true;
    return m.failure();
  }
  ++m.rows;
  return core::ok();
}

core::Result<void> PngWriter::finish() {
  Impl& m = *impl_;
  if (m.dead) return make_error(Errc::invalid_argument, "PNG: writer already failed or finished");
  m.dead = true;
  if (m.rows != m.height) return make_error(Errc::invalid_argument, "PNG: fewer rows than the height");
  if (!guarded_end(&m) || !m.flush()) return m.failure();
  if (!m.file) {
    m.complete = true;
    return core::ok();
  }
  FRUGAL_CHECK(m.file->commit());
  m.file.reset();  // committed: nothing left to remove
  return core::ok();
}

std::vector<std::byte> PngWriter::take_bytes() noexcept {
  Impl& m = *impl_;
  if (!m.complete) return {};
  m.complete = false;
  try {
    m.memory.shrink_to_fit();  // a holder charging size() holds no more
  } catch (const std::bad_alloc&) {
  }  // a non-binding request: the bytes stay valid
  return std::exchange(m.memory, {});
}

namespace {

// Writes `image.height` rows of `pixels`, `stride` bytes apart, then finishes.
core::Result<void> write_rows(PngWriter& writer, const PngImage& image, std::span<const std::uint8_t> pixels,
                              std::size_t stride) {
  const std::size_t row_bytes = std::size_t{image.width} * (image.kind == PngKind::rgba8 ? 4 : 1);
  for (std::uint32_t y = 0; y < image.height; ++y)
    FRUGAL_CHECK(writer.write_row(pixels.subspan(std::size_t{y} * stride, row_bytes)));
  return writer.finish();
}

// Checks that `pixels` holds the image at `stride` (0: packed rows); the stride to use.
core::Result<std::size_t> checked_stride(const PngImage& image, std::span<const std::uint8_t> pixels,
                                         std::size_t stride) {
  if (image.width == 0 || image.height == 0)
    return make_error(Errc::invalid_argument, "PNG: width or height not in 1-1000000");
  const std::size_t row_bytes = std::size_t{image.width} * (image.kind == PngKind::rgba8 ? 4 : 1);
  if (stride == 0) stride = row_bytes;
  if (stride < row_bytes) return make_error(Errc::invalid_argument, "PNG: stride shorter than a row");
  if (pixels.size() < row_bytes ||
      (pixels.size() - row_bytes) / stride < std::size_t{image.height} - 1)
    return make_error(Errc::invalid_argument, "PNG: fewer pixels than the image holds");
  return stride;
}

}  // namespace

core::Result<void> write_png(const std::string& path, const PngImage& image, std::span<const std::uint8_t> pixels,
                             std::size_t stride) {
  FRUGAL_TRY(stride, checked_stride(image, pixels, stride));
  FRUGAL_TRY(PngWriter writer, PngWriter::create(path, image));
  return write_rows(writer, image, pixels, stride);
}

core::Result<std::vector<std::byte>> encode_png(const PngImage& image, std::span<const std::uint8_t> pixels,
                                                std::size_t stride) {
  FRUGAL_TRY(stride, checked_stride(image, pixels, stride));
  FRUGAL_TRY(PngWriter writer, PngWriter::create_in_memory(image));
  FRUGAL_CHECK(write_rows(writer, image, pixels, stride));
  return writer.take_bytes();
}

}  // namespace frugal::imageio
