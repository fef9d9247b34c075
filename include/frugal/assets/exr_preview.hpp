#pragma once
// The pixels of an OpenEXR `preview` attribute: a small RGBA8 image stored
// in the header ("The OpenEXR File Layout", "Predefined attribute types",
// preview: unsigned int width, unsigned int height, then width × height
// pixels of four unsigned chars r, g, b, a, row by row from the top).
// read_exr_header passes over the pixels, keeping their offset
// (ExrAttribute::offset); read_exr_preview reads just those bytes, never the
// image data.
//
// Memory: the pixels are charged to the tracker account
// "assets/exr_preview" before they are allocated, and held by the
// ExrPreviewImage for as long as it lives.
// Thread-safety: may run on several threads at once on different sources
// (or on one source that allows concurrent read_at calls).

#include <frugal/assets/exr_header.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/tracked_resource.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::assets {

/// The tracker account charged for preview pixels.
inline constexpr const char* kExrPreviewAccount = "assets/exr_preview";

/// Default cap on a preview's pixel bytes: 4 MiB (1024 × 1024 RGBA8).
inline constexpr std::uint64_t kExrMaxPreviewBytes = std::uint64_t{4} << 20;

/// A preview image: `height` rows of `width` pixels, 4 bytes each (r, g, b,
/// a, non-premultiplied as stored), top row first, no padding.
struct ExrPreviewImage {
  std::uint32_t width = 0;   ///< pixels
  std::uint32_t height = 0;  ///< pixels
  mem::TrackedBuffer pixels; ///< width × height × 4 bytes, on kExrPreviewAccount

  std::span<const std::uint8_t> rgba() const noexcept {
    const auto bytes = pixels.span();
    return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  }
};

/// Reads the pixels of `preview` — a `preview` attribute of a header
/// read_exr_header read from the same `source` — from its value's offset.
/// `max_bytes` caps width × height × 4; `tracker` null: mem::default_tracker().
/// Errors: Errc::invalid_argument — `preview` is not a preview attribute
/// (type "preview" holding an ExrPreview), or its size does not match
/// width × height × 4 + 8; Errc::limit_exceeded — more pixel bytes than
/// `max_bytes`; Errc::malformed "EXR: preview pixels cut short (end of
/// file)" — the pixels run past the end of the source (a file truncated
/// since its header was read), at the pixels' offset; Errc::out_of_memory — the tracker refused the
/// charge; the source's Errc::io. On error nothing stays allocated.
core::Result<ExrPreviewImage> read_exr_preview(core::ByteSource& source, const ExrAttribute& preview,
                                               std::uint64_t max_bytes = kExrMaxPreviewBytes,
                                               mem::MemoryTracker* tracker = nullptr);

/// The same for a part's `preview` attribute. Errors: read_exr_preview's;
/// Errc::invalid_argument "EXR: the part has no preview attribute".
core::Result<ExrPreviewImage> read_exr_preview(core::ByteSource& source, const ExrPart& part,
                                               std::uint64_t max_bytes = kExrMaxPreviewBytes,
                                               mem::MemoryTracker* tracker = nullptr);

}  // namespace frugal::assets
