#pragma once
// PNG files written through libpng (hosted only: it writes files), row by
// row — or encoded into memory (create_in_memory, encode_png: e.g. a cached
// thumbnail). Files are written atomically: the bytes go to a temporary file beside the target, which
// finish() flushes to storage (fsync) and renames over the target. A writer
// destroyed before finish(), or any failure, removes the temporary file: no
// half-written file is ever left, and an existing target stays as it was.
//
// libpng reports errors by longjmp; every libpng call runs inside a setjmp
// frame of its own that holds no C++ object with a destructor, and its
// errors come back as core::Result: the file's as Errc::io (with errno),
// libpng's own as Errc::out_of_memory ("PNG: libpng is out of memory") or
// Errc::invalid_argument ("PNG: libpng refused the image"). No exception
// crosses the API.
//
// Memory: libpng and zlib allocate their own state (zlib's deflate window
// and hash tables, up to ~256 KiB for a large image; libpng shrinks the
// window for small images); it is not charged to a tracker account.
// Thread-safety: a PngWriter is used by one thread at a time; distinct
// writers are independent.

#include <frugal/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace frugal::imageio {

/// One palette entry; a = 255 is opaque.
struct PngColor {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

enum class PngKind : std::uint8_t {
  indexed,  ///< one byte per pixel, an index into the palette (PLTE; tRNS when an entry is not opaque)
  rgba8,    ///< four bytes per pixel: r, g, b, a
};

/// The image a writer writes.
struct PngImage {
  PngKind kind = PngKind::indexed;
  std::uint32_t width = 0;   ///< pixels, 1 - kMaxPngSide
  std::uint32_t height = 0;  ///< pixels, 1 - kMaxPngSide
  /// indexed: 1-256 entries. Stored as PLTE; when some entry's alpha is not
  /// 255, a tRNS chunk holds the alphas up to the last such entry.
  std::span<const PngColor> palette;
  /// indexed: bits per pixel in the file, 1, 2, 4 or 8 (rows are still
  /// given one byte per pixel; libpng packs them); 0 picks the fewest that
  /// hold the palette's indexes.
  int bit_depth = 0;
};

/// Largest width or height accepted (PNG allows 2^31 - 1; libpng's default
/// user limit is 1,000,000).
inline constexpr std::uint32_t kMaxPngSide = 1000000;

class PngWriter {
 public:
  /// Creates the temporary file beside `path` and writes the PNG signature
  /// and header chunks (IHDR, PLTE, tRNS).
  /// Errors: Errc::invalid_argument (a dimension 0 or past kMaxPngSide; an
  /// indexed image without a palette or with more than 256 entries, or a
  /// bit depth that cannot hold the palette's indexes; `path` names
  /// something other than a regular file); Errc::io (os_error = errno:
  /// e.g. the folder is missing or not writable); Errc::out_of_memory.
  static core::Result<PngWriter> create(const std::string& path, const PngImage& image);
  /// As create(), but the PNG's bytes collect in memory (take_bytes()), no
  /// file. Errors: create()'s but Errc::io; Errc::out_of_memory later, from
  /// write_row() or finish(), when the bytes cannot grow.
  static core::Result<PngWriter> create_in_memory(const PngImage& image);

  PngWriter(PngWriter&&) noexcept;
  PngWriter& operator=(PngWriter&&) noexcept;
  PngWriter(const PngWriter&) = delete;
  PngWriter& operator=(const PngWriter&) = delete;
  /// Removes the temporary file unless finish() succeeded.
  ~PngWriter();

  /// Writes the next row: `width` bytes (indexed, each < the palette's
  /// size) or `width` × 4 bytes (rgba8).
  /// Errors: Errc::invalid_argument (wrong length; an index past the
  /// palette; more rows than `height`; after an error or finish());
  /// Errc::io. After an error the writer is dead: destroy it.
  core::Result<void> write_row(std::span<const std::uint8_t> row);

  /// After the last row: writes IEND, fsyncs, renames over the target and
  /// fsyncs the folder. Errors: Errc::invalid_argument (fewer rows than
  /// `height`); Errc::io.
  core::Result<void> finish();

  /// The PNG's bytes, once, from a create_in_memory() writer whose finish()
  /// succeeded; empty otherwise.
  std::vector<std::byte> take_bytes() noexcept;

  struct Impl;  // internal (libpng's callbacks reach it)

 private:
  static core::Result<PngWriter> start(const std::string* path, const PngImage& image);  // null path: in memory
  explicit PngWriter(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

/// Writes a whole image: `pixels` holds `image.height` rows of `image.width`
/// pixels (1 byte each indexed, 4 rgba8), `stride` bytes apart (0: one row's
/// bytes). Errors: PngWriter's; Errc::invalid_argument when `pixels` is too
/// short.
core::Result<void> write_png(const std::string& path, const PngImage& image, std::span<const std::uint8_t> pixels,
                             std::size_t stride = 0);

/// The PNG file's bytes of a whole image, encoded in memory (as
/// write_png's file would hold them). Errors: write_png's but Errc::io.
core::Result<std::vector<std::byte>> encode_png(const PngImage& image, std::span<const std::uint8_t> pixels,
                                                std::size_t stride = 0);

}  // namespace frugal::imageio
