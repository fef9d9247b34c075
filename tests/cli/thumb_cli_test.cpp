// frugal thumb: thumbnails of images made by support/image_writer and of
// cover art in a tags fixture, read back with libpng; the memory budget
// refusing before decoding; errors and exit codes.
#include "cli/cli_support.hpp"
#include "support/image_writer.hpp"
#include "support/png_reader.hpp"
#include "support/temp_dir.hpp"
#include "tags/fixtures.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace frugal::test {
namespace {

// A w × h RGB JPEG of a gradient.
Bytes gradient_jpeg(std::uint32_t w, std::uint32_t h, bool progressive = false) {
  JpegSpec s;
  s.width = w;
  s.height = h;
  s.progressive = progressive;
  for (std::uint32_t y = 0; y < h; ++y)
    for (std::uint32_t x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) s.samples.push_back(static_cast<std::uint8_t>(c == 0 ? x * 255 / w : c == 1 ? y * 255 / h : 128));
  return jpeg_file(s);
}

TEST(ThumbCli, JpegToPng) {
  TempDir dir;
  const std::string in = dir.write("photo.jpg", gradient_jpeg(800, 600));
  const std::string out = dir.file("thumb.png");
  const CommandResult r = run_frugal("thumb " + shell_quote(in) + " -o " + shell_quote(out) + " --size 64 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "codec"), "jpeg");
  EXPECT_EQ(field(r.out, "cover_art"), "false");
  EXPECT_EQ(field(r.out, "source_width"), "800");
  EXPECT_EQ(field(r.out, "scale"), "1/8");  // 100 × 75 covers 64 × 48
  EXPECT_EQ(field(r.out, "width"), "64");
  EXPECT_EQ(field(r.out, "height"), "48");
  EXPECT_NE(field(r.out, "planned_peak_bytes"), "");
  auto png = read_png(out);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->width, 64u);
  EXPECT_EQ(png->height, 48u);
  EXPECT_EQ(png->color_type, 6);
  // The gradient: red grows left to right, green top to bottom.
  EXPECT_LT(png->pixels[0], png->pixels[63 * 4]);
  EXPECT_LT(png->pixels[1], png->pixels[std::size_t{47} * 64 * 4 + 1]);
}

// Whole file as bytes.
Bytes slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes b(c.size());
  std::memcpy(b.data(), c.data(), c.size());
  return b;
}

TEST(ThumbCli, CacheServesTheSecondRunAndFollowsTheFile) {
  TempDir dir;
  const std::string in = dir.write("photo.jpg", gradient_jpeg(320, 200));
  const std::string cache = dir.file("cache");
  const std::string direct = dir.file("direct.png");
  ASSERT_EQ(run_frugal("thumb " + shell_quote(in) + " -o " + shell_quote(direct) + " --size 40").exit_code, 0);
  const auto cached_run = [&](const std::string& out) {
    return run_frugal("thumb " + shell_quote(in) + " -o " + shell_quote(out) + " --size 40 --cache " +
                      shell_quote(cache) + " --json");
  };
  const CommandResult first = cached_run(dir.file("first.png"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(field(first.out, "cache"), "miss");
  EXPECT_EQ(field(first.out, "width"), "40");
  EXPECT_EQ(field(first.out, "height"), "25");
  const CommandResult second = cached_run(dir.file("second.png"));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(field(second.out, "cache"), "hit");
  // The same PNG whichever way it came.
  EXPECT_EQ(slurp(dir.file("first.png")), slurp(direct));
  EXPECT_EQ(slurp(dir.file("second.png")), slurp(direct));
  // A changed file is a new entry.
  dir.write("photo.jpg", gradient_jpeg(200, 320));
  const CommandResult third = cached_run(dir.file("third.png"));
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(field(third.out, "cache"), "miss");
  EXPECT_EQ(field(third.out, "width"), "25");
  // A cache folder that cannot be made: a clear error, no output.
  const CommandResult bad = run_frugal("thumb " + shell_quote(in) + " -o " + shell_quote(dir.file("bad.png")) +
                                       " --cache " + shell_quote(dir.file("missing/parent")));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.file("bad.png")));
}

TEST(ThumbCli, CoverArtAndOrientation) {
  TempDir dir;
  PngSpec cover{40, 20, 2, 8, false, {}, {}, std::vector<std::uint8_t>(40 * 20 * 3, 200)};
  const Bytes flac = flac_file({{6, flac_picture(3, "image/png", "", 40, 20, png_file(cover))}});
  const std::string in = dir.write("song.flac", flac);
  const std::string out = dir.file("cover.png");
  const CommandResult r =
      run_frugal("thumb " + shell_quote(in) + " -o " + shell_quote(out) + " --size 10 --orientation 6 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "cover_art"), "true");
  EXPECT_EQ(field(r.out, "codec"), "png");
  auto png = read_png(out);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->width, 5u);  // 10 × 5, turned a quarter
  EXPECT_EQ(png->height, 10u);
  EXPECT_EQ(png->pixels[0], 200);
}

TEST(ThumbCli, BudgetRefusesBeforeDecoding) {
  TempDir dir;
  const std::string in = dir.write("big.jpg", gradient_jpeg(1600, 1200, true));
  const std::string out = dir.file("thumb.png");
  const CommandResult r = run_frugal("--mem-budget 1M thumb " + shell_quote(in) + " -o " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("out_of_memory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("over the budget"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(ThumbCli, Errors) {
  TempDir dir;
  const std::string out = dir.file("thumb.png");
  EXPECT_EQ(run_frugal("thumb").exit_code, 1);
  const std::string jpg = dir.write("a.jpg", gradient_jpeg(16, 16));
  EXPECT_EQ(run_frugal("thumb " + shell_quote(jpg)).exit_code, 1);  // no -o
  EXPECT_EQ(run_frugal("thumb " + shell_quote(jpg) + " -o " + shell_quote(out) + " --size 0").exit_code, 1);
  EXPECT_EQ(run_frugal("thumb " + shell_quote(jpg) + " -o " + shell_quote(out) + " --orientation 9").exit_code, 1);
  Bytes truncated = gradient_jpeg(300, 200);
  truncated.resize(truncated.size() / 2);
  const std::string cut = dir.write("cut.jpg", truncated);
  const CommandResult r = run_frugal("thumb " + shell_quote(cut) + " -o " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("malformed"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  const std::string text = dir.write("notes.txt", Bytes(64, std::byte{'a'}));
  EXPECT_EQ(run_frugal("thumb " + shell_quote(text) + " -o " + shell_quote(out)).exit_code, 2);
  EXPECT_EQ(run_frugal("thumb " + shell_quote(dir.file("absent.jpg")) + " -o " + shell_quote(out)).exit_code, 3);
}

}  // namespace
}  // namespace frugal::test
