// Plans, budget checks, orientation and the sources (image files, tile
// sheets, cover art) of the thumbnailer; the codecs are jpeg_decoder.cpp
// and png_decoder.cpp, the filter resample.cpp.
#include <frugal/thumbnails/thumbnailer.hpp>

#include <frugal/assets/image_info.hpp>
#include <frugal/tags/tags.hpp>

#include "thumbnails/codecs.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>

namespace frugal::thumbnails {

using core::Errc;
using core::make_error;

const char* image_codec_name(ImageCodec codec) noexcept {
  switch (codec) {
    case ImageCodec::jpeg: return "jpeg";
    case ImageCodec::png: return "png";
    case ImageCodec::indexed: return "indexed";
  }
  return "unknown";
}

std::span<const std::uint8_t> Thumbnail::row(std::uint32_t y) const noexcept {
  const std::size_t bytes = std::size_t{width} * 4;
  return {reinterpret_cast<const std::uint8_t*>(pixels.span().data()) + y * bytes, bytes};
}

namespace detail {

core::Result<void> check_options(const ThumbnailOptions& options) noexcept {
  if (options.max_size < 1 || options.max_size > kMaxThumbnailSide)
    return make_error(Errc::invalid_argument, "thumbnail: max_size not in 1-4096");
  if (options.orientation > 8) return make_error(Errc::invalid_argument, "thumbnail: orientation not in 0-8");
  return core::ok();
}

core::Result<void> check_source_size(std::uint32_t width, std::uint32_t height, const ThumbnailOptions& options) noexcept {
  if (width == 0 || height == 0) return make_error(Errc::malformed, "thumbnail: the image has a side of 0 pixels");
  if (width > options.max_source_side || height > options.max_source_side)
    return make_error(Errc::limit_exceeded, "thumbnail: image side over max_source_side");
  if (std::uint64_t{width} * height > options.max_source_pixels)
    return make_error(Errc::limit_exceeded, "thumbnail: image over max_source_pixels");
  return core::ok();
}

Size target_size(const ThumbnailPlan& plan, const ThumbnailOptions& options) noexcept {
  return fit_size(plan.source_width, plan.source_height, options.max_size);
}

namespace {
bool swaps_sides(std::uint8_t orientation) noexcept { return orientation >= 5; }
std::size_t output_bytes(Size size) noexcept { return std::size_t{size.width} * size.height * 4; }
}  // namespace

void finish_plan(ThumbnailPlan& plan, std::uint64_t decoder_bytes, const ThumbnailOptions& options) noexcept {
  const Size target = target_size(plan, options);
  plan.width = swaps_sides(options.orientation) ? target.height : target.width;
  plan.height = swaps_sides(options.orientation) ? target.width : target.height;
  // Filter and output are bounded by kMaxThumbnailSide (≤ 128 MiB); the
  // decoder's share is not.
  const std::uint64_t rest = AreaFilter::bytes(target.width) + output_bytes(target) * (options.orientation == 1 ? 1 : 2);
  const std::uint64_t peak = decoder_bytes > UINT64_MAX - rest ? UINT64_MAX : decoder_bytes + rest;
  plan.peak_bytes = peak > SIZE_MAX ? SIZE_MAX : static_cast<std::size_t>(peak);
}

std::size_t decoder_bytes(const ThumbnailPlan& plan, const ThumbnailOptions& options) noexcept {
  const Size target = target_size(plan, options);
  return plan.peak_bytes - AreaFilter::bytes(target.width) - output_bytes(target) * (options.orientation == 1 ? 1 : 2);
}

}  // namespace detail

namespace {

using detail::AreaFilter;
using detail::Size;

core::Result<mem::Account> thumbnail_account(const ThumbnailOptions& options) {
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  return tracker.account(kThumbnailAccount);
}

// The output rotated/mirrored as EXIF orientation `o` says (see
// ThumbnailOptions::orientation): destination (dx, dy) from source (sx, sy).
void orient(const std::uint8_t* src, Size in, std::uint8_t* dst, std::uint8_t o) noexcept {
  const std::uint32_t w = in.width, h = in.height;
  const std::uint32_t dw = o >= 5 ? h : w, dh = o >= 5 ? w : h;
  for (std::uint32_t dy = 0; dy < dh; ++dy)
    for (std::uint32_t dx = 0; dx < dw; ++dx) {
      std::uint32_t sx = dx, sy = dy;
      switch (o) {
        case 2: sx = w - 1 - dx; break;
        case 3: sx = w - 1 - dx; sy = h - 1 - dy; break;
        case 4: sy = h - 1 - dy; break;
        case 5: sx = dy; sy = dx; break;
        case 6: sx = dy; sy = h - 1 - dx; break;
        case 7: sx = w - 1 - dy; sy = h - 1 - dx; break;
        case 8: sx = w - 1 - dy; sy = dx; break;
        default: break;
      }
      std::memcpy(dst + (std::size_t{dy} * dw + dx) * 4, src + (std::size_t{sy} * w + sx) * 4, 4);
    }
}

// Charges the plan, runs `decode` into a filter, orients the result. The
// decoder's share is charged with try_charge before anything is decoded.
template <typename Decode>
core::Result<Thumbnail> run(const ThumbnailPlan& plan, const ThumbnailOptions& options, Decode&& decode) {
  FRUGAL_TRY(mem::Account account, thumbnail_account(options));
  const Size target = detail::target_size(plan, options);
  const std::size_t out_bytes = std::size_t{target.width} * target.height * 4;
  if (plan.peak_bytes == SIZE_MAX)
    return make_error(Errc::limit_exceeded, "thumbnail: the planned peak memory does not fit in memory");
  auto charge = mem::Charge::try_make(account, plan.peak_bytes);
  if (!charge)
    return make_error(Errc::out_of_memory, "thumbnail: the planned peak memory is over the budget (nothing decoded)");
  // The output, charged on its own while the thumbnail lives: move its
  // share from the decode's charge to the buffer's.
  charge->resize(plan.peak_bytes - out_bytes);
  FRUGAL_TRY(mem::TrackedBuffer pixels, mem::TrackedBuffer::try_allocate(account, out_bytes));
  auto* out = reinterpret_cast<std::uint8_t*>(pixels.span().data());
  {
    FRUGAL_TRY(AreaFilter filter, AreaFilter::create({plan.decoded_width, plan.decoded_height}, target,
                                                     std::span(out, out_bytes)));
    FRUGAL_CHECK(decode(filter));
    if (filter.rows() != plan.decoded_height) return make_error(Errc::malformed, "thumbnail: fewer rows than the image");
  }
  charge->reset();  // the decoder's buffers are gone
  if (options.orientation != 1) {
    FRUGAL_TRY(mem::TrackedBuffer oriented, mem::TrackedBuffer::try_allocate(account, out_bytes));
    orient(out, target, reinterpret_cast<std::uint8_t*>(oriented.span().data()), options.orientation);
    pixels = std::move(oriented);
  }
  Thumbnail t;
  t.width = plan.width;
  t.height = plan.height;
  t.plan = plan;
  t.pixels = std::move(pixels);
  return t;
}

core::Result<ImageCodec> sniff(core::ByteSource& source) {
  std::array<std::byte, 8> head{};
  FRUGAL_TRY(std::size_t n, source.read_at(0, head));
  switch (assets::sniff_image_format(std::span(head.data(), n))) {
    case assets::ImageFormat::jpeg: return ImageCodec::jpeg;
    case assets::ImageFormat::png: return ImageCodec::png;
    default: return make_error(Errc::unsupported, "thumbnail: not a JPEG or PNG image");
  }
}

// Orientation 0 becomes the image's own: a JPEG's EXIF value (header bytes
// only, through assets::read_image_info), else 1. A header ImageInfo cannot
// read gets 1: the decoder then reports what is wrong with it.
ThumbnailOptions with_orientation(core::ByteSource& source, ThumbnailOptions options) {
  if (options.orientation != 0) return options;
  const auto info = assets::read_image_info(source);
  options.orientation = info && info->format == assets::ImageFormat::jpeg ? info->jpeg.orientation : 1;
  return options;
}

}  // namespace

core::Result<ThumbnailPlan> plan_thumbnail(core::ByteSource& source, const ThumbnailOptions& asked) {
  FRUGAL_CHECK(detail::check_options(asked));
  FRUGAL_TRY(ImageCodec codec, sniff(source));
  const ThumbnailOptions options = with_orientation(source, asked);
  FRUGAL_TRY(ThumbnailPlan plan,
             codec == ImageCodec::jpeg ? detail::plan_jpeg(source, options) : detail::plan_png(source, options));
  plan.orientation = options.orientation;
  return plan;
}

core::Result<Thumbnail> make_thumbnail(core::ByteSource& source, const ThumbnailOptions& asked) {
  FRUGAL_TRY(ThumbnailPlan plan, plan_thumbnail(source, asked));
  ThumbnailOptions options = asked;
  options.orientation = plan.orientation;
  return run(plan, options, [&](AreaFilter& filter) {
    return plan.codec == ImageCodec::jpeg
               ? detail::decode_jpeg(source, plan, detail::decoder_bytes(plan, options), filter)
               : detail::decode_png(source, plan, filter);
  });
}

core::Result<Thumbnail> make_thumbnail(const assets::TileSheet& sheet, const assets::Palette& palette,
                                       const ThumbnailOptions& asked) {
  FRUGAL_CHECK(detail::check_options(asked));
  ThumbnailOptions options = asked;
  if (options.orientation == 0) options.orientation = 1;  // a tile sheet has none of its own
  if (sheet.width == 0 || sheet.height == 0) return make_error(Errc::invalid_argument, "thumbnail: empty tile sheet");
  ThumbnailPlan plan;
  plan.codec = ImageCodec::indexed;
  plan.source_width = plan.decoded_width = sheet.width;
  plan.source_height = plan.decoded_height = sheet.height;
  plan.orientation = options.orientation;
  const std::size_t row_bytes = std::size_t{sheet.width} * 4;
  detail::finish_plan(plan, row_bytes, options);
  return run(plan, options, [&](AreaFilter& filter) -> core::Result<void> {
    std::unique_ptr<std::uint8_t[]> rgba(new (std::nothrow) std::uint8_t[row_bytes]);
    if (!rgba) return make_error(Errc::out_of_memory, "thumbnail: no memory for a row");
    for (std::uint32_t y = 0; y < sheet.height; ++y) {
      const auto indexes = sheet.row(y);
      for (std::uint32_t x = 0; x < sheet.width; ++x) {
        const assets::Rgba8 c = indexes[x] < palette.count ? palette.colors[indexes[x]] : assets::Rgba8{};
        std::uint8_t* p = rgba.get() + std::size_t{x} * 4;
        p[0] = c.r, p[1] = c.g, p[2] = c.b, p[3] = c.a;
      }
      filter.push_row(rgba.get());
    }
    return core::ok();
  });
}

core::Result<Thumbnail> make_cover_thumbnail(core::ByteSource& audio, const ThumbnailOptions& options) {
  FRUGAL_CHECK(detail::check_options(options));
  tags::TagOptions tag_options;
  tag_options.tracker = options.tracker;
  FRUGAL_TRY(tags::Tags t, tags::read_tags(audio, tag_options));
  const tags::Picture* picture = nullptr;
  for (const tags::Picture& p : t.pictures)
    if (p.loaded() && (!picture || (p.type == 3 && picture->type != 3))) picture = &p;
  if (!picture) return make_error(Errc::invalid_argument, "thumbnail: the file has no loaded picture");
  core::MemorySource image(picture->data);
  return make_thumbnail(image, options);
}

core::Result<Thumbnail> make_file_thumbnail(core::ByteSource& source, const ThumbnailOptions& options,
                                            bool* cover_art) {
  std::array<std::byte, 16> head{};
  FRUGAL_TRY(const std::size_t n, source.read_at(0, head));
  const bool cover = assets::sniff_image_format(std::span(head.data(), n)) == assets::ImageFormat::unknown;
  if (cover_art) *cover_art = cover;
  return cover ? make_cover_thumbnail(source, options) : make_thumbnail(source, options);
}

}  // namespace frugal::thumbnails
