#include <frugal/thumbnails/thumbnail_service.hpp>

#include <frugal/core/file_source.hpp>
#include <frugal/imageio/png_writer.hpp>
#include <frugal/thumbnails/thumbnailer.hpp>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <new>
#include <optional>
#include <utility>

#include <sys/stat.h>

namespace frugal::thumbnails {

using core::Errc;
using core::make_error;

namespace {

// The blob's format, in every key with the rendering's version: a change of
// either must not serve old blobs.
constexpr const char* kBlobFormat = "png-rgba8";

// std::function may allocate (and throw) when it takes a lambda: built
// inside `call`, a bad_alloc becomes an error instead of leaving the API.
template <class Call>
auto guarded(Call&& call) noexcept -> decltype(call()) {
  try {
    return call();
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "thumbnail: no memory for the request");
  }
}

}  // namespace

core::Result<std::vector<std::byte>> encode_thumbnail_png(const Thumbnail& thumb, mem::MemoryTracker* tracker) {
  imageio::PngImage image;
  image.kind = imageio::PngKind::rgba8;
  image.width = thumb.width;
  image.height = thumb.height;
  const auto pixels = thumb.pixels.span();
  // The encoded bytes, while they grow: at most the pixels plus a filter
  // byte a row and zlib's stored-block overhead (5 bytes per 16 KiB and
  // more); thrice, for a capacity up to twice the size (the vector's
  // doubling) and the copy that trims it (PngWriter::take_bytes).
  mem::MemoryTracker& t = tracker ? *tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, t.account(kThumbnailAccount));
  const std::size_t bound = pixels.size() + thumb.height + pixels.size() / 1024 + 1024;
  FRUGAL_TRY(mem::Charge charge, mem::Charge::try_make(account, 3 * bound));
  return imageio::encode_png(image, std::span(reinterpret_cast<const std::uint8_t*>(pixels.data()), pixels.size()));
}

core::Result<CacheKey> file_identity_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    core::Error error = make_error(Errc::io, "thumbnail: cannot stat the file");
    error.os_error = errno;
    return error;
  }
  if (!S_ISREG(st.st_mode)) return make_error(Errc::invalid_argument, "thumbnail: not a regular file");
  // st_ctim too: a file rewritten in place with its size and mtime put back
  // (rsync --inplace -t, touch -r, a FAT clock's 2-second steps) still
  // changes it, and no user call sets it.
  CacheKeyBuilder key;
  key.add_string("file")
      .add_string(path)
      .add_u64(static_cast<std::uint64_t>(st.st_size))
      .add_u64(static_cast<std::uint64_t>(st.st_mtim.tv_sec))
      .add_u64(static_cast<std::uint64_t>(st.st_mtim.tv_nsec))
      .add_u64(static_cast<std::uint64_t>(st.st_ctim.tv_sec))
      .add_u64(static_cast<std::uint64_t>(st.st_ctim.tv_nsec))
      .add_u64(static_cast<std::uint64_t>(st.st_ino))
      .add_u64(static_cast<std::uint64_t>(st.st_dev));
  return key.finish();
}

ThumbnailService::ThumbnailService(std::unique_ptr<RequestQueue> queue, mem::MemoryTracker* tracker) noexcept
    : queue_(std::move(queue)), tracker_(tracker) {}

ThumbnailService::~ThumbnailService() { shutdown(); }

core::Result<std::unique_ptr<ThumbnailService>> ThumbnailService::create(const ThumbnailServiceOptions& options) {
  FRUGAL_TRY(auto queue, RequestQueue::create(options.queue));
  std::unique_ptr<ThumbnailService> service(new (std::nothrow) ThumbnailService(
      std::move(queue), options.tracker ? options.tracker : &mem::default_tracker()));
  if (!service) return make_error(Errc::out_of_memory, "thumbnail service: no memory");
  return service;
}

RequestQueue& ThumbnailService::queue() noexcept { return *queue_; }

void ThumbnailService::shutdown() { queue_->shutdown(); }

core::Result<RequestId> ThumbnailService::submit(CacheKeyBuilder& key, const ThumbnailRequest& request,
                                                 Producer produce, Completion done) {
  if (request.size == 0 || request.size > kMaxThumbnailSide || request.orientation > 8)
    return make_error(Errc::invalid_argument, "thumbnail: size or orientation out of range");
  key.add_u64(request.size).add_u64(request.orientation).add_string(kBlobFormat).add_u64(kThumbnailRenderVersion);
  return queue_->submit(key.finish(), request.priority, std::move(produce), std::move(done));
}

core::Result<RequestId> ThumbnailService::request_file(const std::string& path, const ThumbnailRequest& request,
                                                       Completion done) {
  FRUGAL_TRY(const CacheKey identity, file_identity_key(path));
  CacheKeyBuilder key;
  key.add_string(identity.hex());
  ThumbnailOptions options;
  options.max_size = request.size;
  options.orientation = request.orientation;
  options.tracker = tracker_;
  return guarded([&] {
    return submit(
        key, request,
        [path, options]() -> core::Result<std::vector<std::byte>> {
          FRUGAL_TRY(core::FileSource file, core::FileSource::open(path.c_str()));
          FRUGAL_TRY(const Thumbnail thumb, make_file_thumbnail(file, options));
          return encode_thumbnail_png(thumb, options.tracker);
        },
        std::move(done));
  });
}

core::Result<Blob> ThumbnailService::thumbnail_of_file(const std::string& path, const ThumbnailRequest& request) {
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<core::Result<Blob>> outcome;
  FRUGAL_CHECK(guarded([&] {
    return request_file(path, request, [&](RequestId, const core::Result<Blob>& result) {
      std::lock_guard<std::mutex> lock(mutex);
      outcome.emplace(result);
      cv.notify_all();
    });
  }));
  std::unique_lock<std::mutex> lock(mutex);
  cv.wait(lock, [&] { return outcome.has_value(); });
  return std::move(*outcome);
}

core::Result<RequestId> ThumbnailService::request_sheet(const CacheKey& identity, SheetMaker make_sheet,
                                                        const assets::Palette& palette,
                                                        const ThumbnailRequest& request, Completion done) {
  if (!make_sheet) return make_error(Errc::invalid_argument, "thumbnail: no sheet maker");
  CacheKeyBuilder key;
  key.add_string("sheet").add_string(identity.hex());
  ThumbnailOptions options;
  options.max_size = request.size;
  options.orientation = request.orientation;
  options.tracker = tracker_;
  // The palette is part of the rendering: hashed into the key, copied into the producer.
  key.add_bytes(std::as_bytes(palette.view()));
  return guarded([&] {
    return submit(
        key, request,
        [make_sheet = std::move(make_sheet), palette, options]() -> core::Result<std::vector<std::byte>> {
          FRUGAL_TRY(const assets::TileSheet sheet, make_sheet());
          FRUGAL_TRY(const Thumbnail thumb, make_thumbnail(sheet, palette, options));
          return encode_thumbnail_png(thumb, options.tracker);
        },
        std::move(done));
  });
}

SpriteSheetThumbnails::SpriteSheetThumbnails(ThumbnailService& service, assets::RomImage& rom,
                                             const CacheKey& rom_identity, const assets::TileSheetOptions& sheet,
                                             const assets::Palette& palette) noexcept
    : service_(service), rom_(rom), rom_identity_(rom_identity), sheet_(sheet), palette_(palette) {}

core::Result<RequestId> SpriteSheetThumbnails::generate(std::uint64_t offset, std::uint32_t size, Priority priority,
                                                        Completion done) {
  CacheKeyBuilder identity;
  identity.add_string("rom-tiles")
      .add_string(rom_identity_.hex())
      .add_u64(offset)
      .add_string(assets::tile_format_name(sheet_.format))
      .add_u64(sheet_.count)
      .add_u64(sheet_.columns);
  ThumbnailRequest request;
  request.size = size;
  request.priority = priority;
  return guarded([&] {
    return service_.request_sheet(
        identity.finish(), [rom = &rom_, offset, sheet = sheet_] { return assets::make_tile_sheet(*rom, offset, sheet); },
        palette_, request, std::move(done));
  });
}

}  // namespace frugal::thumbnails
