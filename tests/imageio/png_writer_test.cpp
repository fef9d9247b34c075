// PNG writing: indexed (PLTE, tRNS, packed bit depths) and RGBA images read
// back with libpng's reader; atomic replacement: an unwritable folder leaves
// no file, a failed write leaves the old file as it was.
#include <frugal/imageio/png_writer.hpp>

#include "support/png_reader.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include <sys/resource.h>

namespace frugal::imageio {
namespace {

namespace fs = std::filesystem;

// Files in `dir` (the temporary files left over show here).
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<PngColor> ramp(std::size_t n) {
  std::vector<PngColor> p(n);
  for (std::size_t i = 0; i < n; ++i)
    p[i] = PngColor{static_cast<std::uint8_t>(i * 3), static_cast<std::uint8_t>(255 - i),
                    static_cast<std::uint8_t>(i * 7 % 256), 255};
  return p;
}

TEST(PngWriter, IndexedRoundTripAtEveryDepth) {
  test::TempDir dir;
  for (std::size_t colors : {2u, 4u, 16u, 256u}) {
    SCOPED_TRACE(colors);
    const std::uint32_t w = 13, h = 7;  // odd width: packed rows end mid-byte
    std::vector<std::uint8_t> pixels(w * h);
    for (std::uint32_t i = 0; i < w * h; ++i) pixels[i] = static_cast<std::uint8_t>((i * 5 + i / w) % colors);
    const auto palette = ramp(colors);
    PngImage image;
    image.width = w;
    image.height = h;
    image.palette = palette;
    const std::string path = dir.file("i" + std::to_string(colors) + ".png");
    ASSERT_TRUE(write_png(path, image, pixels));
    auto png = test::read_png(path);
    ASSERT_TRUE(png);
    EXPECT_EQ(png->width, w);
    EXPECT_EQ(png->height, h);
    EXPECT_EQ(png->color_type, 3);  // palette
    EXPECT_EQ(png->bit_depth, colors == 2 ? 1 : colors == 4 ? 2 : colors == 16 ? 4 : 8);
    ASSERT_EQ(png->palette.size(), colors);
    for (std::size_t i = 0; i < colors; ++i) {
      EXPECT_EQ(png->palette[i][0], palette[i].r);
      EXPECT_EQ(png->palette[i][1], palette[i].g);
      EXPECT_EQ(png->palette[i][2], palette[i].b);
    }
    EXPECT_TRUE(png->alpha.empty());  // all opaque: no tRNS
    EXPECT_EQ(png->pixels, pixels);
  }
  EXPECT_EQ(listing(dir.path()).size(), 4u);  // no temporary file left
}

TEST(PngWriter, TransparentColourZeroGoesToTrns) {
  test::TempDir dir;
  auto palette = ramp(16);
  palette[0].a = 0;
  palette[2].a = 128;
  PngImage image;
  image.width = 8;
  image.height = 2;
  image.palette = palette;
  image.bit_depth = 8;
  std::vector<std::uint8_t> pixels(16);
  for (std::size_t i = 0; i < 16; ++i) pixels[i] = static_cast<std::uint8_t>(i);
  const std::string path = dir.file("t.png");
  ASSERT_TRUE(write_png(path, image, pixels));
  auto png = test::read_png(path);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->bit_depth, 8);
  EXPECT_EQ(png->alpha, (std::vector<std::uint8_t>{0, 255, 128}));
  EXPECT_EQ(png->pixels, pixels);
}

TEST(PngWriter, RgbaRoundTripRowByRow) {
  test::TempDir dir;
  PngImage image;
  image.kind = PngKind::rgba8;
  image.width = 5;
  image.height = 3;
  const std::string path = dir.file("rgba.png");
  auto writer = PngWriter::create(path, image);
  ASSERT_TRUE(writer);
  std::vector<std::uint8_t> all;
  for (std::uint32_t y = 0; y < 3; ++y) {
    std::vector<std::uint8_t> row;
    for (std::uint32_t x = 0; x < 5; ++x)
      for (std::uint8_t c : {std::uint8_t(x * 50), std::uint8_t(y * 80), std::uint8_t(x + y), std::uint8_t(255 - x)})
        row.push_back(c);
    ASSERT_TRUE(writer->write_row(row));
    all.insert(all.end(), row.begin(), row.end());
  }
  EXPECT_FALSE(fs::exists(path));  // nothing at the target before finish()
  ASSERT_TRUE(writer->finish());
  auto png = test::read_png(path);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->color_type, 6);
  EXPECT_EQ(png->bit_depth, 8);
  EXPECT_EQ(png->pixels, all);
}

TEST(PngWriter, InMemoryBytesAreTheFilesBytes) {
  test::TempDir dir;
  PngImage image;
  image.kind = PngKind::rgba8;
  image.width = 37;
  image.height = 21;
  std::vector<std::uint8_t> pixels(std::size_t{37} * 21 * 4);
  std::mt19937 rng(7);
  for (auto& p : pixels) p = static_cast<std::uint8_t>(rng());
  const std::string path = dir.file("file.png");
  ASSERT_TRUE(write_png(path, image, pixels));
  auto encoded = encode_png(image, pixels);
  ASSERT_TRUE(encoded);
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(encoded->size(), file.size());
  EXPECT_EQ(std::memcmp(encoded->data(), file.data(), file.size()), 0);
  auto png = test::read_png(path);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->pixels, pixels);
  EXPECT_EQ(listing(dir.path()), std::vector<std::string>{"file.png"});  // in memory: no file of its own

  // A writer's bytes are taken once, after a finish() that succeeded only.
  auto writer = PngWriter::create_in_memory(image);
  ASSERT_TRUE(writer);
  EXPECT_TRUE(writer->take_bytes().empty());
  for (std::uint32_t y = 0; y < image.height; ++y)
    ASSERT_TRUE(writer->write_row(std::span(pixels).subspan(std::size_t{y} * 37 * 4, 37 * 4)));
  ASSERT_TRUE(writer->finish());
  EXPECT_EQ(writer->take_bytes(), *encoded);
  EXPECT_TRUE(writer->take_bytes().empty());
  auto short_one = PngWriter::create_in_memory(image);
  ASSERT_TRUE(short_one);
  ASSERT_TRUE(short_one->write_row(std::span(pixels).first(37 * 4)));
  EXPECT_FALSE(short_one->finish());  // rows missing
  EXPECT_TRUE(short_one->take_bytes().empty());
  EXPECT_FALSE(encode_png(image, std::span(pixels).first(pixels.size() - 1)));  // a pixel short
}

TEST(PngWriter, BadImagesAndRowsAreRefused) {
  test::TempDir dir;
  const auto palette = ramp(4);
  PngImage image;
  image.width = 4;
  image.height = 2;
  EXPECT_EQ(PngWriter::create(dir.file("a.png"), image).error().code, core::Errc::invalid_argument);  // no palette
  image.palette = palette;
  image.bit_depth = 1;  // 4 entries do not fit 1 bit
  EXPECT_EQ(PngWriter::create(dir.file("a.png"), image).error().code, core::Errc::invalid_argument);
  image.bit_depth = 3;
  EXPECT_EQ(PngWriter::create(dir.file("a.png"), image).error().code, core::Errc::invalid_argument);
  image.bit_depth = 0;
  image.width = 0;
  EXPECT_EQ(PngWriter::create(dir.file("a.png"), image).error().code, core::Errc::invalid_argument);
  image.width = kMaxPngSide + 1;
  EXPECT_EQ(PngWriter::create(dir.file("a.png"), image).error().code, core::Errc::invalid_argument);
  image.width = 4;
  {
    auto w = PngWriter::create(dir.file("a.png"), image);
    ASSERT_TRUE(w);
    const std::uint8_t short_row[3] = {0, 1, 2};
    EXPECT_EQ(w->write_row(short_row).error().code, core::Errc::invalid_argument);
    const std::uint8_t bad_index[4] = {0, 1, 4, 2};
    EXPECT_EQ(w->write_row(bad_index).error().code, core::Errc::invalid_argument);
    const std::uint8_t good[4] = {0, 1, 2, 3};
    EXPECT_EQ(w->write_row(good).error().code, core::Errc::invalid_argument);  // dead after an error
  }
  {
    auto w = PngWriter::create(dir.file("a.png"), image);
    ASSERT_TRUE(w);
    const std::uint8_t good[4] = {0, 1, 2, 3};
    ASSERT_TRUE(w->write_row(good));
    EXPECT_EQ(w->finish().error().code, core::Errc::invalid_argument);  // one row short
  }
  EXPECT_TRUE(listing(dir.path()).empty());  // every failed writer removed its temporary file
  std::vector<std::uint8_t> too_few(7);
  EXPECT_EQ(write_png(dir.file("a.png"), image, too_few).error().code, core::Errc::invalid_argument);
}

TEST(PngWriter, UnwritableFolderLeavesNoFile) {
  test::TempDir dir;
  const auto palette = ramp(4);
  PngImage image;
  image.width = 2;
  image.height = 2;
  image.palette = palette;
  const std::vector<std::uint8_t> pixels{0, 1, 2, 3};
  auto missing = write_png(dir.file("no/such/folder/x.png"), image, pixels);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Errc::io);
  EXPECT_NE(missing.error().os_error, 0);

  const fs::path locked = dir.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  auto r = write_png((locked / "x.png").string(), image, pixels);
  const bool root_writes_anyway = r.has_value();  // root ignores the mode bits
  fs::permissions(locked, fs::perms::owner_all);
  if (root_writes_anyway) GTEST_SKIP() << "running as root: a read-only folder is writable";
  EXPECT_EQ(r.error().code, core::Errc::io);
  EXPECT_TRUE(listing(locked).empty());
}

TEST(PngWriter, ExistingFileReplacedOnlyOnSuccess) {
  test::TempDir dir;
  const std::string old_bytes = "not a png, the old file";
  const std::string path = dir.write("x.png", std::as_bytes(std::span(old_bytes)));
  const auto palette = ramp(4);
  PngImage image;
  image.width = 2;
  image.height = 2;
  image.palette = palette;
  {
    auto w = PngWriter::create(path, image);
    ASSERT_TRUE(w);
    const std::uint8_t row[2] = {1, 2};
    ASSERT_TRUE(w->write_row(row));
    // Destroyed before finish(): abandoned.
  }
  EXPECT_EQ(test::read_file(path), old_bytes);
  const std::uint8_t bad[4] = {0, 9, 0, 0};
  EXPECT_FALSE(write_png(path, image, bad));  // index past the palette: fails mid-way
  EXPECT_EQ(test::read_file(path), old_bytes);
  EXPECT_EQ(listing(dir.path()), (std::vector<std::string>{"x.png"}));

  const std::vector<std::uint8_t> pixels{3, 2, 1, 0};
  ASSERT_TRUE(write_png(path, image, pixels));
  auto png = test::read_png(path);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->pixels, pixels);
  EXPECT_EQ(listing(dir.path()), (std::vector<std::string>{"x.png"}));
}

// A write that fails mid-way (the file-size limit, which binds root too):
// Errc::io with errno, no temporary file, the old file untouched.
TEST(PngWriter, FailedWriteKeepsTheOldFile) {
  test::TempDir dir;
  const std::string old_bytes = "the old file";
  const std::string path = dir.write("x.png", std::as_bytes(std::span(old_bytes)));
  const auto palette = ramp(256);
  PngImage image;
  image.width = 256;
  image.height = 256;
  image.palette = palette;
  std::vector<std::uint8_t> pixels(256 * 256);
  std::mt19937 rng(7);
  for (auto& p : pixels) p = static_cast<std::uint8_t>(rng());  // incompressible: ~64 KiB of PNG

  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of the signal
  rlimit tight = saved;
  tight.rlim_cur = 16 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  auto r = write_png(path, image, pixels);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::io);
  EXPECT_EQ(r.error().os_error, EFBIG);
  EXPECT_EQ(test::read_file(path), old_bytes);
  EXPECT_EQ(listing(dir.path()), (std::vector<std::string>{"x.png"}));
  ASSERT_TRUE(write_png(path, image, pixels));  // without the limit it goes through
  auto png = test::read_png(path);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->pixels, pixels);
}

}  // namespace
}  // namespace frugal::imageio
