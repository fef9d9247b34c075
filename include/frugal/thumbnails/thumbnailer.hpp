#pragma once
// Thumbnails of JPEG and PNG images, of audio files' cover art and of SNES
// tile sheets, decoded within a memory figure computed before decoding.
//
// How a thumbnail stays small:
// - JPEG (ITU-T T.81) through libjpeg-turbo: the IDCT scales by N/8 (N =
//   1-8 here; libjpeg-turbo's scale_num/scale_denom), the smallest N whose
//   output is at least the target on both sides, so a 6000×4000 photo for a
//   128-pixel thumbnail decodes at 750×500. Scanlines go one at a time into
//   the area filter; the decoded image is never held. Progressive (and
//   other multi-scan) JPEGs need libjpeg's whole-image coefficient buffers
//   (width_in_blocks × height_in_blocks × 64 × 2 bytes per component, at
//   full size whatever the scale): counted in the plan.
// - PNG (ISO/IEC 15948) through libpng, row by row (png_read_row) with its
//   transforms to RGBA8 (palette, tRNS, grey, 16 bits → 8); an
//   Adam7-interlaced image cannot be read row by row: it is decoded whole
//   (counted in the plan).
// - The area filter (detail/resample.hpp) keeps O(output width)
//   accumulators; the output is RGBA8, the aspect ratio kept, never
//   enlarged.
//
// Memory: plan_thumbnail reads only the header (libjpeg's jpeg_read_header,
// libpng's png_read_info) and states the peak bytes the decode will hold:
// the decoder's buffers, the filter's rows and the output. make_thumbnail
// charges that figure to account kThumbnailAccount with try_charge before
// decoding — over the budget or the account's hard limit it refuses with
// Errc::out_of_memory and decodes nothing; libjpeg's own allocator is
// capped at the same figure (max_memory_to_use). After the decode only the
// output pixels stay charged, for as long as the Thumbnail lives.
//
// Errors are core::Result; libjpeg's and libpng's longjmp never crosses a
// C++ frame with a destructor (each library call sits in a setjmp frame of
// its own holding only trivial objects). libjpeg's warnings (corrupt data,
// premature end) are errors here: a thumbnail of half a file is refused.
// Thread-safety: the functions may run on several threads at once; one
// source must then allow concurrent read_at.

#include <frugal/assets/tiles.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mem/tracked_resource.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::thumbnails {

/// The account thumbnails charge: the decode's planned peak while it runs,
/// then the output pixels.
inline constexpr const char* kThumbnailAccount = "thumbnails/image";

/// The thumbnailer's rendering, numbered: bumped whenever the same input and
/// options give other pixels (the filter, the cover chosen, orientation,
/// tile decoding), so caches keyed with it never serve an old rendering.
inline constexpr std::uint32_t kThumbnailRenderVersion = 1;

/// Largest thumbnail side accepted, pixels.
inline constexpr std::uint32_t kMaxThumbnailSide = 4096;

/// Image formats the thumbnailer decodes (told by the signature).
enum class ImageCodec : std::uint8_t { jpeg, png, indexed };

/// "jpeg", "png", "indexed" (an SNES tile sheet).
const char* image_codec_name(ImageCodec codec) noexcept;

struct ThumbnailOptions {
  /// The thumbnail's longest side, pixels (1 - kMaxThumbnailSide); smaller
  /// images keep their size.
  std::uint32_t max_size = 128;
  /// EXIF Orientation (CIPA DC-008 §4.6.4 A, tag 0x0112), 0-8, applied to
  /// the output (cheap: it is small): 0 the image's own (a JPEG's EXIF
  /// value, read by assets::read_image_info; 1 for PNGs and tile sheets),
  /// 1 as stored, 2 mirrored, 3 rotated 180°, 4 flipped, 5 transposed,
  /// 6 rotated 90° clockwise, 7 transversed, 8 rotated 90° counter-clockwise.
  /// 5-8 swap width and height.
  std::uint8_t orientation = 0;
  /// Caps on the source (Errc::limit_exceeded above them), pixels: each
  /// side, and their product (libpng's default side limit is 1,000,000;
  /// 2^28 pixels is a 16384 × 16384 image).
  std::uint32_t max_source_side = 65535;
  std::uint64_t max_source_pixels = std::uint64_t{1} << 28;
  /// Tracker for kThumbnailAccount; nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

/// What a thumbnail will cost, from the image's header alone.
struct ThumbnailPlan {
  ImageCodec codec = ImageCodec::jpeg;
  std::uint32_t source_width = 0, source_height = 0;    ///< pixels, as stored
  /// JPEG: the IDCT scale, scale_num / 8 (1-8); 8 for PNG and sheets.
  std::uint32_t scale_num = 8;
  std::uint32_t decoded_width = 0, decoded_height = 0;  ///< pixels after the IDCT scale
  std::uint32_t width = 0, height = 0;                  ///< the thumbnail, pixels (after orientation)
  std::uint8_t orientation = 1;  ///< the EXIF orientation applied, 1-8 (ThumbnailOptions::orientation resolved)
  /// The decode holds the whole image (progressive JPEG coefficients,
  /// interlaced PNG pixels) rather than a few rows.
  bool whole_image = false;
  /// Peak bytes the decode holds: decoder state and buffers, the filter's
  /// accumulators, the output (twice when oriented).
  std::size_t peak_bytes = 0;
};

/// A thumbnail: RGBA8 pixels, row-major, no padding (width × 4 bytes a row),
/// charged to kThumbnailAccount while it lives.
struct Thumbnail {
  std::uint32_t width = 0, height = 0;  ///< pixels
  ThumbnailPlan plan;
  mem::TrackedBuffer pixels;  ///< width × height × 4 bytes

  /// Row `y` (< height): width × 4 bytes r, g, b, a.
  std::span<const std::uint8_t> row(std::uint32_t y) const noexcept;
};

/// The plan for the JPEG or PNG image in `source` (its header read).
/// Errors: Errc::unsupported (neither signature; a JPEG colour space other
/// than grey, YCbCr/RGB, CMYK/YCCK); Errc::malformed (libjpeg or libpng
/// refuses the header); Errc::limit_exceeded (over the caps);
/// Errc::invalid_argument (max_size or orientation out of range);
/// Errc::end_of_stream / Errc::io from the source.
core::Result<ThumbnailPlan> plan_thumbnail(core::ByteSource& source, const ThumbnailOptions& options = {});

/// A thumbnail of the JPEG or PNG image in `source`. Errors: plan_thumbnail's;
/// Errc::out_of_memory (the plan passes the budget or the account's hard
/// limit: nothing decoded; or the heap refuses); Errc::limit_exceeded (a
/// plan past size_t: 32-bit targets); Errc::malformed (corrupt or truncated
/// data).
core::Result<Thumbnail> make_thumbnail(core::ByteSource& source, const ThumbnailOptions& options = {});

/// A thumbnail of an SNES tile sheet (assets::make_tile_sheet) coloured by
/// `palette` (indexes past palette.count are opaque black). Errors:
/// Errc::invalid_argument (an empty sheet; options out of range);
/// Errc::out_of_memory as above.
core::Result<Thumbnail> make_thumbnail(const assets::TileSheet& sheet, const assets::Palette& palette,
                                       const ThumbnailOptions& options = {});

/// A thumbnail of an audio file's cover art, read through tags::read_tags
/// (its caps and account): the first loaded picture of type 3 (front
/// cover), else the first loaded one, decoded from its bytes in memory.
/// Errors: read_tags's; Errc::invalid_argument "thumbnail: the file has no
/// loaded picture"; then make_thumbnail's (a GIF or AVIF cover:
/// Errc::unsupported).
core::Result<Thumbnail> make_cover_thumbnail(core::ByteSource& audio, const ThumbnailOptions& options = {});

/// A thumbnail of a file's picture: make_thumbnail when the file starts
/// with an image signature (assets::sniff_image_format), else
/// make_cover_thumbnail (an audio file). `cover_art`, when given, says which.
/// Errors: theirs; the source's.
core::Result<Thumbnail> make_file_thumbnail(core::ByteSource& source, const ThumbnailOptions& options = {},
                                            bool* cover_art = nullptr);

}  // namespace frugal::thumbnails
