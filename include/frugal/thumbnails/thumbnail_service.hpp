#pragma once
// Thumbnails on request, cached: the request queue (request_queue.hpp)
// joined with the thumbnailer (thumbnailer.hpp) and the caches. A request
// names a source — an image or audio file by path, or tiles at an offset of
// a ROM image (the sprite tool) — and a size; its CacheKey is derived from
// what identifies the source and the rendering, so a hit neither opens nor
// decodes the source. The blob is the thumbnail's PNG file
// (imageio::encode_png, RGBA8): a few KiB, what a UI, an HTML page or
// `frugal thumb --cache` uses as is.
//
// Memory: the decode is charged by the thumbnailer (kThumbnailAccount,
// within its plan) on a worker, then the PNG's bytes while they are encoded
// (encode_thumbnail_png); blobs are charged by the memory cache that holds
// them (MemoryCache::kAccountName).
// Thread-safety: every member may be called from any thread, completions
// included, except thumbnail_of_file(), shutdown() and the destructor (a
// completion calling them would wait on its own worker).

#include <frugal/assets/rom_image.hpp>
#include <frugal/assets/tiles.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/thumbnails/cache_key.hpp>
#include <frugal/thumbnails/request_queue.hpp>
#include <frugal/thumbnails/thumbnailer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace frugal::thumbnails {

struct ThumbnailServiceOptions {
  /// The queue's workers and caches (either cache may be null).
  RequestQueueOptions queue;
  /// Tracker for the decodes and encodes (kThumbnailAccount); nullptr:
  /// mem::default_tracker(). It must outlive the service.
  mem::MemoryTracker* tracker = nullptr;
};

/// How one thumbnail is rendered and queued.
struct ThumbnailRequest {
  std::uint32_t size = 128;        ///< longest side, pixels (1 - kMaxThumbnailSide)
  std::uint8_t orientation = 0;    ///< as ThumbnailOptions::orientation (0: the image's own)
  Priority priority = Priority::visible;
};

/// The key of a file's identity without reading it: its path and what
/// stat(2) says (size, st_mtim, st_ctim, st_ino, st_dev), so an edited or
/// replaced file gets a new key. Errors: Errc::io (os_error = errno) when
/// the file cannot be stat'ed; Errc::invalid_argument when it is not a
/// regular file.
core::Result<CacheKey> file_identity_key(const std::string& path);

/// The PNG file of `thumb` (RGBA8, imageio::encode_png): the service's
/// blobs. The bytes are charged to kThumbnailAccount on `tracker` (nullptr:
/// mem::default_tracker()) while they are encoded. Errors:
/// Errc::out_of_memory (the charge refused; the heap); encode_png's.
core::Result<std::vector<std::byte>> encode_thumbnail_png(const Thumbnail& thumb, mem::MemoryTracker* tracker);

class ThumbnailService {
 public:
  /// Starts the queue. Errors: RequestQueue::create's.
  static core::Result<std::unique_ptr<ThumbnailService>> create(const ThumbnailServiceOptions& options);

  ~ThumbnailService();
  ThumbnailService(const ThumbnailService&) = delete;
  ThumbnailService& operator=(const ThumbnailService&) = delete;

  /// Queues the thumbnail of the file at `path`: a JPEG or PNG image (told
  /// by its signature, on the worker), else an audio file's cover art
  /// (make_cover_thumbnail). Its key: file_identity_key(path) with the size,
  /// the orientation and the blob's format. Errors before queuing
  /// (`done` then not called): file_identity_key's; Errc::invalid_argument
  /// (size or orientation out of range); RequestQueue::submit's. The
  /// thumbnailer's errors reach `done`.
  core::Result<RequestId> request_file(const std::string& path, const ThumbnailRequest& request, Completion done);

  /// request_file(), then waits for it on this thread: the PNG, or the
  /// error `done` would get. Not from a completion or a producer (a worker
  /// would wait on itself).
  core::Result<Blob> thumbnail_of_file(const std::string& path, const ThumbnailRequest& request);

  /// Queues the thumbnail of a tile sheet made by `make_sheet` (called on a
  /// worker, on a miss only) and coloured by `palette`, under the key of
  /// `identity` with the palette, the size and the orientation: `identity`
  /// must name everything the sheet depends on (the sprite tool's: the ROM,
  /// the offset, the tile format, count and columns). Errors: as
  /// request_file's.
  using SheetMaker = std::function<core::Result<assets::TileSheet>()>;
  core::Result<RequestId> request_sheet(const CacheKey& identity, SheetMaker make_sheet, const assets::Palette& palette,
                                        const ThumbnailRequest& request, Completion done);

  /// The queue: reprioritize(), cancel(), stats(), outstanding().
  RequestQueue& queue() noexcept;
  /// Completes what is pending with Errc::cancelled and joins the workers
  /// (RequestQueue::shutdown). Idempotent.
  void shutdown();

 private:
  ThumbnailService(std::unique_ptr<RequestQueue> queue, mem::MemoryTracker* tracker) noexcept;
  core::Result<RequestId> submit(CacheKeyBuilder& key, const ThumbnailRequest& request, Producer produce,
                                 Completion done);
  std::unique_ptr<RequestQueue> queue_;
  mem::MemoryTracker* tracker_;
};

/// The sprite tool: thumbnails of SNES tile sheets at offsets of one ROM
/// image (assets::make_tile_sheet), through a ThumbnailService.
/// Thread-safety: generate() may be called from any thread.
class SpriteSheetThumbnails {
 public:
  /// `service` and `rom` must outlive every request generate() queues (the
  /// sheets are read on the service's workers: RomImage::read is
  /// thread-safe). `rom_identity` names the ROM's content (e.g.
  /// file_identity_key of its file). `sheet` gives the tiles' format,
  /// count and columns (its tracker charges each sheet's pixels while its
  /// thumbnail is made); `palette` colours them.
  SpriteSheetThumbnails(ThumbnailService& service, assets::RomImage& rom, const CacheKey& rom_identity,
                        const assets::TileSheetOptions& sheet, const assets::Palette& palette) noexcept;

  /// Queues the thumbnail, `size` pixels on its longest side, of the sheet
  /// whose first tile is at image offset `offset` (bytes). `done` gets the
  /// PNG, or make_tile_sheet's error (e.g. Errc::invalid_argument "tiles:
  /// past the image's end"). Errors before queuing: request_sheet's.
  core::Result<RequestId> generate(std::uint64_t offset, std::uint32_t size, Priority priority, Completion done);

 private:
  ThumbnailService& service_;
  assets::RomImage& rom_;
  CacheKey rom_identity_;
  assets::TileSheetOptions sheet_;
  assets::Palette palette_;
};

}  // namespace frugal::thumbnails
