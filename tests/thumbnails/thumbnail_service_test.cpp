// The thumbnail service: files (images and cover art) and ROM tile sheets
// through the request queue and both caches; keys follow the file's identity
// and the rendering; the blobs are the PNGs of the thumbnailer's own output.

#include <frugal/thumbnails/thumbnail_service.hpp>

#include "support/image_writer.hpp"
#include "support/png_reader.hpp"
#include "support/snes_writer.hpp"
#include "support/temp_dir.hpp"
#include "tags/fixtures.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/core/file_source.hpp>
#include <frugal/thumbnails/disk_cache.hpp>
#include <frugal/thumbnails/memory_cache.hpp>
#include <frugal/thumbnails/thumbnailer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>

namespace frugal::thumbnails {
namespace {

using core::Errc;
using test::Bytes;

// The PNG the service should hold for `thumb`.
std::vector<std::byte> png_of(const core::Result<Thumbnail>& thumb) {
  EXPECT_TRUE(thumb) << thumb.error().message;
  if (!thumb) return {};
  mem::MemoryTracker tracker;
  auto png = encode_thumbnail_png(*thumb, &tracker);
  EXPECT_TRUE(png);
  return png ? std::move(*png) : std::vector<std::byte>{};
}

Bytes jpeg_of(std::uint32_t width, std::uint32_t height, std::uint8_t seed) {
  test::JpegSpec spec;
  spec.width = width;
  spec.height = height;
  for (std::uint32_t i = 0; i < width * height * 3; ++i) spec.samples.push_back(static_cast<std::uint8_t>(i * seed + i / 97));
  return test::jpeg_file(spec);
}

// One completion, waited for.
class Outcome {
 public:
  Completion completion() {
    return [this](RequestId, const core::Result<Blob>& r) {
      std::lock_guard<std::mutex> lock(mutex_);
      result_.emplace(r);
      cv_.notify_all();
    };
  }
  core::Result<Blob> get() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return result_.has_value(); });
    return *result_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<core::Result<Blob>> result_;
};

struct Caches {
  explicit Caches(const std::string& root) {
    auto m = MemoryCache::create(tracker, 1 << 20);
    EXPECT_TRUE(m);
    l1 = std::move(*m);
    auto d = DiskCache::open(root);
    EXPECT_TRUE(d);
    l2 = std::move(*d);
  }
  std::unique_ptr<ThumbnailService> service() {
    ThumbnailServiceOptions options;
    options.queue.l1 = l1.get();
    options.queue.l2 = l2.get();
    options.tracker = &tracker;
    auto s = ThumbnailService::create(options);
    EXPECT_TRUE(s);
    return std::move(*s);
  }
  mem::MemoryTracker tracker;
  std::unique_ptr<MemoryCache> l1;
  std::unique_ptr<DiskCache> l2;
};

TEST(ThumbnailService, FileThumbnailsAreCachedUnderTheFilesIdentity) {
  test::TempDir dir;
  const std::string photo = dir.write("photo.jpg", jpeg_of(96, 64, 3));
  ThumbnailRequest request;
  request.size = 48;
  core::Result<Thumbnail> direct = [&]() -> core::Result<Thumbnail> {
    FRUGAL_TRY(core::FileSource file, core::FileSource::open(photo.c_str()));
    ThumbnailOptions o;
    o.max_size = 48;
    return make_thumbnail(file, o);
  }();
  const auto expected = png_of(direct);
  {
    Caches caches(dir.file("cache"));
    auto service = caches.service();
    auto blob = service->thumbnail_of_file(photo, request);
    ASSERT_TRUE(blob) << blob.error().message;
    EXPECT_EQ(**blob, expected);
    auto again = service->thumbnail_of_file(photo, request);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->get(), blob->get());  // the same bytes, from L1
    const RequestStats s = service->queue().stats();
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(s.l1_hits, 1u);
    // Another size is another thumbnail.
    request.size = 20;
    auto small = service->thumbnail_of_file(photo, request);
    ASSERT_TRUE(small);
    EXPECT_NE(**small, expected);
    EXPECT_EQ(service->queue().stats().misses, 2u);
    // So is another orientation.
    request.orientation = 3;
    auto turned = service->thumbnail_of_file(photo, request);
    ASSERT_TRUE(turned);
    EXPECT_NE(**turned, **small);
    EXPECT_EQ(service->queue().stats().misses, 3u);
    request.orientation = 0;
  }
  // A restart (fresh L1, the same folder) is served from disk...
  request.size = 48;
  Caches caches(dir.file("cache"));
  auto service = caches.service();
  auto from_disk = service->thumbnail_of_file(photo, request);
  ASSERT_TRUE(from_disk);
  EXPECT_EQ(**from_disk, expected);
  EXPECT_EQ(service->queue().stats().l2_hits, 1u);
  // ...until the file changes: the same bytes written again, even with the
  // old mtime put back (only st_ctim tells), are a new identity...
  const auto misses_before = service->queue().stats().misses;
  struct stat before {};
  ASSERT_EQ(::stat(photo.c_str(), &before), 0);
  dir.write("photo.jpg", jpeg_of(96, 64, 3));
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, photo.c_str(), times, 0), 0);
  ASSERT_TRUE(service->thumbnail_of_file(photo, request));
  EXPECT_EQ(service->queue().stats().misses, misses_before + 1);
  // ...and other bytes a new thumbnail.
  dir.write("photo.jpg", jpeg_of(64, 96, 5));
  auto edited = service->thumbnail_of_file(photo, request);
  ASSERT_TRUE(edited);
  auto png = test::read_png(dir.write("edited.png", **edited));
  ASSERT_TRUE(png);
  EXPECT_EQ(png->width, 32u);
  EXPECT_EQ(png->height, 48u);
  EXPECT_EQ(service->queue().stats().misses, misses_before + 2);
}

TEST(ThumbnailService, CoverArtOfAnAudioFile) {
  test::TempDir dir;
  const Bytes cover = jpeg_of(80, 80, 7);
  const std::string flac =
      dir.write("song.flac", test::flac_file({{6, test::flac_picture(3, "image/jpeg", "front", 80, 80, cover)}}));
  Caches caches(dir.file("cache"));
  auto service = caches.service();
  ThumbnailRequest request;
  request.size = 40;
  auto blob = service->thumbnail_of_file(flac, request);
  ASSERT_TRUE(blob) << blob.error().message;
  core::MemorySource source(cover);
  ThumbnailOptions o;
  o.max_size = 40;
  EXPECT_EQ(**blob, png_of(make_thumbnail(source, o)));
  // An audio file without a picture: the thumbnailer's error reaches the caller.
  const std::string bare = dir.write("bare.flac", test::flac_file({}));
  auto none = service->thumbnail_of_file(bare, request);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::invalid_argument);
  EXPECT_EQ(service->queue().stats().failed, 1u);
}

TEST(ThumbnailService, RefusedBeforeQueuing) {
  test::TempDir dir;
  Caches caches(dir.file("cache"));
  auto service = caches.service();
  bool called = false;
  auto done = [&](RequestId, const core::Result<Blob>&) { called = true; };
  auto missing = service->request_file(dir.file("missing.jpg"), {}, done);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
  EXPECT_EQ(missing.error().os_error, ENOENT);
  auto folder = service->request_file(dir.path().string(), {}, done);
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, Errc::invalid_argument);
  const std::string photo = dir.write("photo.jpg", jpeg_of(16, 16, 1));
  for (ThumbnailRequest bad : {ThumbnailRequest{0, 0}, ThumbnailRequest{kMaxThumbnailSide + 1, 0},
                               ThumbnailRequest{16, 9}}) {
    auto r = service->request_file(photo, bad, done);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
  EXPECT_EQ(service->queue().stats().submitted, 0u);
  EXPECT_FALSE(called);
}

TEST(ThumbnailService, SpriteSheetsByRomOffset) {
  test::TempDir dir;
  test::SnesRomSpec spec;
  spec.seed = 11;
  const std::string path = dir.write("game.sfc", test::make_snes_rom(spec));
  auto file = core::FileSource::open(path.c_str());
  ASSERT_TRUE(file);
  auto rom = assets::RomImage::open(*file);
  ASSERT_TRUE(rom) << rom.error().message;
  auto identity = file_identity_key(path);
  ASSERT_TRUE(identity);
  Caches caches(dir.file("cache"));
  auto service = caches.service();
  assets::TileSheetOptions sheet;
  sheet.format = assets::TileFormat::bpp4;
  sheet.count = 32;
  sheet.columns = 8;
  sheet.tracker = &caches.tracker;
  const assets::Palette palette = assets::grayscale_palette(assets::TileFormat::bpp4);
  SpriteSheetThumbnails sprites(*service, *rom, *identity, sheet, palette);

  // Each offset is its own thumbnail: the sheet's pixels, thumbnailed.
  for (std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{0x8000}, std::uint64_t{0x8020}}) {
    Outcome outcome;
    ASSERT_TRUE(sprites.generate(offset, 24, Priority::visible, outcome.completion()));
    auto blob = outcome.get();
    ASSERT_TRUE(blob) << blob.error().message;
    auto tiles = assets::make_tile_sheet(*rom, offset, sheet);
    ASSERT_TRUE(tiles);
    ThumbnailOptions o;
    o.max_size = 24;
    EXPECT_EQ(**blob, png_of(make_thumbnail(*tiles, palette, o))) << "offset " << offset;
  }
  EXPECT_EQ(service->queue().stats().misses, 3u);
  Outcome again;
  ASSERT_TRUE(sprites.generate(0x8000, 24, Priority::background, again.completion()));
  ASSERT_TRUE(again.get());
  EXPECT_EQ(service->queue().stats().l1_hits, 1u);

  // Another palette, format or layout at the same offset: another thumbnail.
  assets::Palette inverted = palette;
  std::reverse(inverted.colors.begin(), inverted.colors.begin() + static_cast<std::ptrdiff_t>(inverted.count));
  assets::TileSheetOptions bpp2 = sheet;
  bpp2.format = assets::TileFormat::bpp2;
  assets::TileSheetOptions wide = sheet;
  wide.columns = 16;
  SpriteSheetThumbnails other_palette(*service, *rom, *identity, sheet, inverted);
  SpriteSheetThumbnails other_format(*service, *rom, *identity, bpp2, palette);
  SpriteSheetThumbnails other_layout(*service, *rom, *identity, wide, palette);
  for (SpriteSheetThumbnails* variant : {&other_palette, &other_format, &other_layout}) {
    Outcome outcome;
    ASSERT_TRUE(variant->generate(0x8000, 24, Priority::visible, outcome.completion()));
    auto blob = outcome.get();
    ASSERT_TRUE(blob) << blob.error().message;
  }
  EXPECT_EQ(service->queue().stats().misses, 6u);

  // Tiles past the image's end: make_tile_sheet's error, through the completion.
  Outcome past;
  ASSERT_TRUE(sprites.generate(rom->size() - 16, 24, Priority::visible, past.completion()));
  auto r = past.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace frugal::thumbnails
