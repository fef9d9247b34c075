// The HTML album gallery: pages, lazy covers made by the thumbnail service,
// escaping, and incremental rewrites (only changed albums; removed albums'
// files deleted; a failed export keeps the old index).

#include <frugal/library/html_export.hpp>

#include "support/image_writer.hpp"
#include "support/png_reader.hpp"
#include "support/temp_dir.hpp"
#include "tags/fixtures.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <sys/stat.h>

namespace frugal::library {
namespace {

using core::Errc;
using test::Bytes;
namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::uint64_t inode(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::size_t files_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// A FLAC file whose front cover is a w × h JPEG.
Bytes flac_with_cover(std::uint32_t w, std::uint32_t h) {
  test::JpegSpec spec;
  spec.width = w;
  spec.height = h;
  spec.samples.assign(std::size_t{w} * h * 3, 90);
  return test::flac_file({{6, test::flac_picture(3, "image/jpeg", "front", w, h, test::jpeg_file(spec))}});
}

struct Gallery {
  Gallery() {
    thumbnails::ThumbnailServiceOptions o;
    o.tracker = &tracker;
    auto s = thumbnails::ThumbnailService::create(o);
    EXPECT_TRUE(s);
    service = std::move(*s);
  }
  core::Result<HtmlExportReport> run(const std::vector<ExportAlbum>& albums) {
    HtmlExportOptions options;
    options.thumbnail_size = 64;
    options.thumbnails = service.get();
    options.tracker = &tracker;
    FRUGAL_TRY(auto e, HtmlExport::begin(out.string(), options));
    for (const ExportAlbum& a : albums) FRUGAL_CHECK(e->add_album(a));
    return e->finish();
  }
  test::TempDir dir;
  fs::path out = dir.path() / "site";
  mem::MemoryTracker tracker;
  std::unique_ptr<thumbnails::ThumbnailService> service;
};

std::vector<ExportAlbum> three_albums(const test::TempDir& dir) {
  ExportAlbum a{"1", "Blue <script>alert(1)</script>", "Ann & Co", 1999, {}, dir.write("a.flac", flac_with_cover(200, 100))};
  a.tracks = {{1, 1, "One", "Ann & Co", 61000}, {1, 2, "Two", "Guest", 3723000}};
  ExportAlbum b{"2", "Green", "Bob", 0, {{0, 1, "Only", "Bob", 0}}, dir.write("b.flac", flac_with_cover(50, 80))};
  ExportAlbum c{"3", "Plain", "Cy", 2020, {{0, 0, "Untitled", "", 1000}}, ""};
  return {a, b, c};
}

TEST(HtmlExport, WritesTheGalleryWithLazyCovers) {
  Gallery g;
  const auto albums = three_albums(g.dir);
  auto report = g.run(albums);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->albums, 3u);
  EXPECT_EQ(report->pages_written, 3u);
  EXPECT_EQ(report->covers_written, 2u);
  EXPECT_EQ(report->cover_errors, 0u);
  const std::string index = slurp(g.out / "index.html");
  EXPECT_EQ(count(index, "<figure>"), 3u);
  EXPECT_EQ(count(index, "loading=\"lazy\""), 2u);
  EXPECT_EQ(count(index, "<script>"), 0u);  // escaped, never markup
  EXPECT_EQ(count(index, "Blue &lt;script&gt;alert(1)&lt;/script&gt;"), 2u);  // alt and caption
  EXPECT_EQ(count(index, "Ann &amp; Co"), 1u);
  EXPECT_EQ(files_in(g.out / "albums"), 3u);
  EXPECT_EQ(files_in(g.out / "thumbs"), 2u);
  // Covers fit the size, aspect kept.
  for (const auto& e : fs::directory_iterator(g.out / "thumbs")) {
    auto png = test::read_png(e.path().string());
    ASSERT_TRUE(png);
    EXPECT_EQ(std::max(png->width, png->height), 64u);
    EXPECT_TRUE(png->width == 64u ? png->height == 32u : png->width == 40u) << png->width << "x" << png->height;
  }
  // A page lists its tracks; a guest artist and durations shown.
  bool found = false;
  for (const auto& e : fs::directory_iterator(g.out / "albums")) {
    const std::string page = slurp(e.path());
    if (page.find("<h1>Blue") == std::string::npos) continue;
    found = true;
    EXPECT_EQ(count(page, "<li>"), 2u);
    EXPECT_NE(page.find("(Guest)"), std::string::npos);
    EXPECT_NE(page.find("1:01"), std::string::npos);
    EXPECT_NE(page.find("1:02:03"), std::string::npos);
    EXPECT_NE(page.find("loading=\"lazy\""), std::string::npos);
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(g.tracker.account(kExportAccount)->current(), 0u);  // released with the export
}

TEST(HtmlExport, RewritesOnlyWhatChanged) {
  Gallery g;
  auto albums = three_albums(g.dir);
  ASSERT_TRUE(g.run(albums));
  std::map<std::string, std::uint64_t> before;
  for (const auto& e : fs::directory_iterator(g.out / "albums")) before[e.path().filename()] = inode(e.path());

  // Nothing changed: nothing rewritten, no cover made.
  auto same = g.run(albums);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->pages_written, 0u);
  EXPECT_EQ(same->pages_kept, 3u);
  EXPECT_EQ(same->covers_written, 0u);
  EXPECT_EQ(same->covers_kept, 2u);
  for (const auto& [name, ino] : before) EXPECT_EQ(inode(g.out / "albums" / name), ino) << name;

  // One album renamed, one gone, one cover file edited.
  albums[1].title = "Greener";
  albums.pop_back();
  g.dir.write("a.flac", flac_with_cover(100, 100));
  auto changed = g.run(albums);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->pages_written, 2u);  // the renamed album, and the one whose cover changed
  EXPECT_EQ(changed->pages_kept, 0u);
  EXPECT_EQ(changed->pages_removed, 1u);
  EXPECT_EQ(changed->covers_written, 1u);
  EXPECT_EQ(changed->covers_kept, 1u);
  EXPECT_EQ(changed->covers_removed, 1u);
  EXPECT_EQ(files_in(g.out / "albums"), 2u);
  EXPECT_EQ(files_in(g.out / "thumbs"), 2u);
  EXPECT_NE(slurp(g.out / "index.html").find("Greener"), std::string::npos);
}

TEST(HtmlExport, AFailedExportKeepsTheOldIndex) {
  Gallery g;
  auto albums = three_albums(g.dir);
  ASSERT_TRUE(g.run(albums));
  const std::string old_index = slurp(g.out / "index.html");
  albums[2].key = albums[0].key;  // an album key twice
  auto failed = g.run(albums);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::invalid_argument);
  EXPECT_EQ(slurp(g.out / "index.html"), old_index);
  // A cover that cannot be read: the album stays, without its image.
  albums = three_albums(g.dir);
  albums[1].cover_path = g.dir.write("broken.flac", test::flac_file({}));
  auto report = g.run(albums);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->cover_errors, 1u);
  EXPECT_EQ(report->albums, 3u);
  HtmlExportOptions bad;
  bad.thumbnail_size = 0;
  EXPECT_FALSE(HtmlExport::begin(g.out.string(), bad));
}

// An album of every untagged file may hold the whole library: a page lists
// kMaxAlbumPageTracks and counts the rest; more is refused, not rendered.
TEST(HtmlExport, AnAlbumPageIsBounded) {
  Gallery g;
  ExportAlbum big{"big", "", "", 0, {}, ""};
  big.tracks.assign(kMaxAlbumPageTracks, ExportTrack{0, 0, "t", "", 1000});
  big.more_tracks = 5;
  auto report = g.run({big});
  ASSERT_TRUE(report) << report.error().message;
  const fs::path page = *fs::directory_iterator(g.out / "albums");
  EXPECT_NE(slurp(page).find("and 5 more"), std::string::npos);
  big.tracks.push_back(ExportTrack{});
  auto refused = g.run({big});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace frugal::library
