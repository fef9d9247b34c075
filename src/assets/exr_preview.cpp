// Preview pixels of an OpenEXR header (see include/frugal/assets/exr_preview.hpp).
#include <frugal/assets/exr_preview.hpp>

#include <variant>

namespace frugal::assets {

using core::Errc;
using core::make_error;

core::Result<ExrPreviewImage> read_exr_preview(core::ByteSource& source, const ExrAttribute& preview,
                                               std::uint64_t max_bytes, mem::MemoryTracker* tracker) {
  const auto* size = std::get_if<ExrPreview>(&preview.value);
  if (preview.type != "preview" || !size)
    return make_error(Errc::invalid_argument, "EXR: not a preview attribute");
  // width × height < 2^64 (two 32-bit factors); compared with the value's
  // pixel bytes / 4 rather than multiplied by 4, which could wrap.
  const std::uint64_t pixels = std::uint64_t{size->width} * size->height;
  if (preview.size < 8 || (preview.size - 8) % 4 != 0 || pixels != (preview.size - 8) / 4)
    return make_error(Errc::invalid_argument, "EXR: preview size does not match its width and height");
  const std::uint64_t bytes = preview.size - 8;  // < 2^32: fits a size_t on 32-bit targets
  if (bytes > max_bytes)
    return make_error(Errc::limit_exceeded, "EXR: preview larger than its limit", preview.offset);

  mem::MemoryTracker& t = tracker ? *tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, t.account(kExrPreviewAccount));
  ExrPreviewImage image;
  image.width = size->width;
  image.height = size->height;
  FRUGAL_TRY(image.pixels, mem::TrackedBuffer::try_allocate(account, static_cast<std::size_t>(bytes)));
  auto read = core::read_exact(source, preview.offset + 8, image.pixels.span());
  if (!read && read.error().code == Errc::end_of_stream)
    return make_error(Errc::malformed, "EXR: preview pixels cut short (end of file)", preview.offset + 8);
  if (!read) return read.error();
  return image;
}

core::Result<ExrPreviewImage> read_exr_preview(core::ByteSource& source, const ExrPart& part, std::uint64_t max_bytes,
                                               mem::MemoryTracker* tracker) {
  const ExrAttribute* preview = part.find("preview");
  if (!preview) return make_error(Errc::invalid_argument, "EXR: the part has no preview attribute");
  return read_exr_preview(source, *preview, max_bytes, tracker);
}

}  // namespace frugal::assets
