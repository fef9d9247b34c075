// frugal image-info: JSON keys and values on writer-built images of every
// format, the text form, errors and exit codes; and the cover art of the
// media folder's files (written out by `frugal art`) against ffprobe's
// width, height and pixel format.
#include "cli/cli_support.hpp"
#include "support/image_header_writer.hpp"
#include "support/media.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace frugal::test {
namespace {

CommandResult image_info(const std::string& path, const std::string& extra = "") {
  return run_frugal("image-info " + shell_quote(path) + extra);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(CliImageInfo, JsonForEachFormat) {
  TempDir dir;
  const struct {
    const char* name;
    Bytes bytes;
    const char* expect;
  } cases[] = {
      {"a.jpg", JpegBuilder().jfif().exif({.little_endian = false, .orientation = 6}).frame(0xC2, 8, 640, 480, 3).take(),
       R"({"format":"jpeg","width":640,"height":480,"bit_depth":8,"bits_per_pixel":24,"colour_type":"ycbcr","channels":3,"has_alpha":false,"jpeg":{"process":"progressive","progressive":true,"arithmetic":false,"differential":false,"sof_marker":194,"orientation":6,"stored_orientation":6}})"},
      {"a.png", png_header(13, 7, 16, 4, 1),
       R"({"format":"png","width":13,"height":7,"bit_depth":16,"bits_per_pixel":32,"colour_type":"gray_alpha","channels":2,"has_alpha":true,"png":{"colour_type":4,"interlaced":true}})"},
      {"a.webp", webp_vp8x(1000, 2000, 0x12),
       R"({"format":"webp","width":1000,"height":2000,"bit_depth":8,"bits_per_pixel":32,"colour_type":"rgba","channels":4,"has_alpha":true,"webp":{"kind":"vp8x","animated":true}})"},
      {"a.gif", gif_header("87a", 300, 200, 0xF7),
       R"({"format":"gif","width":300,"height":200,"bit_depth":8,"bits_per_pixel":8,"colour_type":"palette","channels":1,"has_alpha":false})"},
      {"a.bmp", bmp_header(40, 33, -17, 24),
       R"({"format":"bmp","width":33,"height":17,"bit_depth":8,"bits_per_pixel":24,"colour_type":"rgb","channels":3,"has_alpha":false,"bmp":{"header_bytes":40,"compression":0,"top_down":true}})"},
  };
  for (const auto& c : cases) {
    const CommandResult r = image_info(dir.write(c.name, c.bytes), " --json");
    ASSERT_EQ(r.exit_code, 0) << c.name << ": " << r.err;
    const std::vector<std::string> out = lines(r.out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], c.expect);
  }
}

TEST(CliImageInfo, TextOutput) {
  TempDir dir;
  const CommandResult jpeg = image_info(dir.write("a.jpg", JpegBuilder().exif({.orientation = 9}).frame(0xC9, 12, 64, 48, 1).take()));
  ASSERT_EQ(jpeg.exit_code, 0) << jpeg.err;
  EXPECT_TRUE(has(jpeg.out, "jpeg, 64 x 48 pixels, gray, 12 bits per sample, 1 channel\n")) << jpeg.out;
  EXPECT_TRUE(has(jpeg.out, "SOF9: extended_sequential, arithmetic coding; EXIF orientation 1 (stored 9: not 1-8, ignored)")) << jpeg.out;
  const CommandResult png = image_info(dir.write("a.png", png_header(3, 2, 8, 6, 1)));
  EXPECT_TRUE(has(png.out, "png, 3 x 2 pixels, rgba, 8 bits per sample, 4 channels, alpha")) << png.out;
  EXPECT_TRUE(has(png.out, "interlaced (Adam7)")) << png.out;
  EXPECT_TRUE(has(image_info(dir.write("a.webp", webp_vp8(4, 4))).out, "vp8 chunk\n"));
}

TEST(CliImageInfo, ErrorsAndExitCodes) {
  TempDir dir;
  const CommandResult unknown = image_info(dir.write("a.txt", Bytes(20, std::byte{'x'})));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(has(unknown.err, "unsupported: image: not a PNG, JPEG, GIF, BMP or WebP file (at byte 0)")) << unknown.err;
  const CommandResult broken = image_info(dir.write("b.jpg", JpegBuilder().segment(0xDA, Bytes(6)).take()), " --json");
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_TRUE(has(broken.err, "malformed: JPEG: scan (SOS) before a frame header (at byte 2)")) << broken.err;
  EXPECT_TRUE(broken.out.empty());
  EXPECT_EQ(image_info(dir.file("missing.png")).exit_code, 3);
  EXPECT_EQ(run_frugal("image-info").exit_code, 1);
  EXPECT_EQ(run_frugal("image-info a b").exit_code, 1);
}

#ifdef FRUGAL_HAVE_TAGLIB
// ffprobe's pixel formats for the colour types both name.
const std::map<std::string, std::string> kPixFmt = {
    {"gray", "gray"},       {"gray16be", "gray"},    {"monob", "gray"},  {"ya8", "gray_alpha"}, {"ya16be", "gray_alpha"},
    {"rgb24", "rgb"},       {"rgb48be", "rgb"},      {"rgba", "rgba"},   {"rgba64be", "rgba"},  {"pal8", "palette"},
    {"yuvj420p", "ycbcr"},  {"yuvj422p", "ycbcr"},   {"yuvj444p", "ycbcr"}, {"yuv420p", "ycbcr"}};

// Every picture of every tagged media file, written out by `frugal art`:
// image-info gives ffprobe's size, or a clean error (AVIF: unsupported).
TEST(CliImageInfo, MediaCoverArtAgreesWithFfprobe) {
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  const auto files = all_media_files();
  if (files.empty()) GTEST_SKIP() << "no media folder";
  TempDir dir;
  int compared = 0;
  for (const auto& path : files) {
    const std::string ext = path.extension().string();
    if (ext != ".flac" && ext != ".m4a" && ext != ".mp4" && ext != ".ogg" && ext != ".opus" && ext != ".mp3") continue;
    for (int index = 0; index < 4; ++index) {
      const std::string out = dir.file("art" + std::to_string(compared) + "_" + std::to_string(index));
      if (run_frugal("art " + shell_quote(path.string()) + " -o " + shell_quote(out) + " --index " + std::to_string(index))
              .exit_code != 0)
        break;
      const CommandResult r = image_info(out, " --json");
      ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << path << " #" << index << ": " << r.err;
      if (r.exit_code != 0) continue;
      const std::string line = lines(r.out).at(0);
      const auto probe = run_capture(shell_quote(ffprobe.string()) +
                                     " -v error -show_entries stream=width,height,pix_fmt -of csv=p=0 " + shell_quote(out));
      if (!probe || probe->empty()) continue;  // ffprobe cannot read it either
      std::stringstream csv(*probe);
      std::string w, h, pix;
      std::getline(csv, w, ',');
      std::getline(csv, h, ',');
      std::getline(csv, pix);
      while (!pix.empty() && (pix.back() == '\n' || pix.back() == '\r')) pix.pop_back();
      EXPECT_EQ(field(line, "width"), w) << path << " #" << index;
      EXPECT_EQ(field(line, "height"), h) << path << " #" << index;
      if (const auto it = kPixFmt.find(pix); it != kPixFmt.end()) {
        EXPECT_EQ(field(line, "colour_type"), it->second) << path << " #" << index << " " << pix;
      }
      ++compared;
    }
  }
  std::printf("[ image-info ] %d pictures compared with ffprobe\n", compared);
  EXPECT_GT(compared, 0);
}
#endif

}  // namespace
}  // namespace frugal::test
