// frugal exr scan: a folder's *.exr files (recursive or not) and files given
// one by one, a line per file and the totals, JSON, exit codes; and
// frugal exr --preview: the PNG read back with libpng, a file without a
// preview, and the message of a build without libpng.
#include "cli/cli_support.hpp"
#include "support/exr_writer.hpp"
#include "support/media.hpp"
#ifdef FRUGAL_HAVE_PNG
#include "support/png_reader.hpp"
#endif

#include <gtest/gtest.h>

#include <filesystem>

namespace frugal::test {
namespace {

Bytes small_file(std::int32_t width, std::vector<ExrChannelSpec> channels = {}) {
  return exr_file(0, {ExrHeaderBuilder::standard(width, 3, 0, std::move(channels))}, 3);
}

// A folder: a.exr and B.EXR valid, notes.txt ignored, bad.exr broken,
// sub/c.exr only found with --recursive.
struct ScanFolder {
  ScanFolder() {
    dir.write("a.exr", small_file(5));
    dir.write("B.EXR", small_file(7, {{"Y"}}));
    dir.write("notes.txt", small_file(9));
    Bytes bad = small_file(4);
    bad[0] = std::byte{1};
    dir.write("bad.exr", bad);
    std::filesystem::create_directory(dir.path() / "sub");
    dir.write("sub/c.exr", small_file(11));
  }
  TempDir dir;
};

TEST(CliExrScan, FolderLinesTotalsAndExitCode) {
  ScanFolder f;
  const CommandResult r = run_frugal("exr scan " + shell_quote(f.dir.path().string()) + " --threads 2");
  EXPECT_EQ(r.exit_code, 2) << r.err;  // bad.exr failed
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 4u) << r.out;
  // Sorted by path: B.EXR, a.exr, bad.exr.
  EXPECT_NE(out[0].find("B.EXR: 1 part, 7x3, 1 channels, " + std::to_string(small_file(7, {{"Y"}}).size()) + " bytes"),
            std::string::npos) << out[0];
  EXPECT_NE(out[1].find("a.exr: 1 part, 5x3, 3 channels"), std::string::npos) << out[1];
  EXPECT_NE(out[2].find("bad.exr: malformed: EXR: not an OpenEXR file (magic)"), std::string::npos) << out[2];
  EXPECT_EQ(out[3].rfind("3 files, 2 ok, 1 failed; ", 0), 0u) << out[3];
  EXPECT_NE(out[3].find(" files/s, "), std::string::npos) << out[3];
  EXPECT_NE(out[3].find(" MB/s of files, "), std::string::npos) << out[3];
  EXPECT_NE(out[3].find("(2 threads)"), std::string::npos) << out[3];
}

TEST(CliExrScan, RecursiveJsonAndFilesGivenAsIs) {
  ScanFolder f;
  const CommandResult r = run_frugal("exr scan " + shell_quote(f.dir.path().string()) + " --recursive --json " +
                                     shell_quote(f.dir.file("notes.txt")) + " --threads 1");
  EXPECT_EQ(r.exit_code, 2);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 1u) << r.out;
  const std::string& json = out[0];
  EXPECT_NE(json.find("sub/c.exr\",\"file_bytes\":"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("parts":1,"width":11,"height":3,"channels":["B","G","R"]})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("parts":1,"width":9,"height":3)"), std::string::npos) << json;  // notes.txt, named
  EXPECT_NE(json.find(R"x("error":"malformed","message":"EXR: not an OpenEXR file (magic)")x"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("totals":{"files":5,"ok":4,"failed":1,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("threads":1})"), std::string::npos) << json;
}

TEST(CliExrScan, AllGoodExitsZeroAndMissingPathsFailAlone) {
  TempDir dir;
  const std::string a = dir.write("a.exr", small_file(5));
  EXPECT_EQ(run_frugal("exr scan " + shell_quote(a)).exit_code, 0);
  const CommandResult missing = run_frugal("exr scan " + shell_quote(a) + " " + shell_quote(dir.file("none.exr")));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("none.exr: io: "), std::string::npos) << missing.out;
  EXPECT_EQ(run_frugal("exr scan").exit_code, 1);
  EXPECT_EQ(run_frugal("exr scan " + shell_quote(a) + " --threads 0").exit_code, 1);
}

TEST(CliExrScan, MediaFolderCountsMatchOneByOne) {
  const auto dir = media_dir();
  if (!dir || !std::filesystem::is_directory(*dir / "exr")) GTEST_SKIP() << "no media folder with exr/";
  const CommandResult r = run_frugal("exr scan " + shell_quote((*dir / "exr").string()) + " --json");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << r.err;
  std::size_t files = 0, ok = 0;
  for (const auto& path : media_files("exr")) {
    std::string ext = path.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".exr") continue;
    ++files;
    ok += run_frugal("exr " + shell_quote(path.string())).exit_code == 0;
  }
  EXPECT_NE(r.out.find("\"totals\":{\"files\":" + std::to_string(files) + ",\"ok\":" + std::to_string(ok) + ","),
            std::string::npos) << r.out.substr(r.out.find("\"totals\""));
}

Bytes file_with_preview(std::uint32_t width, std::uint32_t height) {
  Bytes rgba(std::size_t{width} * height * 4);
  for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<std::byte>(i * 7 & 0xFF);
  ExrHeaderBuilder h = ExrHeaderBuilder::standard(40, 20);
  h.append("preview", "preview", exr_preview(width, height, rgba));
  return exr_file(0, {h}, 20);
}

#ifdef FRUGAL_HAVE_PNG
TEST(CliExrPreview, WritesThePixelsAsRgbaPng) {
  TempDir dir;
  const std::string path = dir.write("p.exr", file_with_preview(6, 4));
  const std::string out = dir.file("p.png");
  const CommandResult r = run_frugal("exr " + shell_quote(path) + " --preview " + shell_quote(out) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("part":0,"width":6,"height":4})"), std::string::npos) << r.out;
  const auto png = read_png(out);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->width, 6u);
  EXPECT_EQ(png->height, 4u);
  EXPECT_EQ(png->color_type, 6);  // RGBA
  ASSERT_EQ(png->pixels.size(), 6u * 4 * 4);
  for (std::size_t i = 0; i < png->pixels.size(); ++i) ASSERT_EQ(png->pixels[i], static_cast<std::uint8_t>(i * 7 & 0xFF)) << i;
}

TEST(CliExrPreview, NoPreviewIsAnErrorAndNoFile) {
  TempDir dir;
  const std::string path = dir.write("n.exr", small_file(5));
  const CommandResult r = run_frugal("exr " + shell_quote(path) + " --preview " + shell_quote(dir.file("n.png")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("EXR: no part has a preview attribute"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("n.png")));
}

TEST(CliExrPreview, ShapesPngCannotHoldAreRefusedAgainstTheInput) {
  TempDir dir;
  for (const auto& [w, h] : {std::pair<std::uint32_t, std::uint32_t>{0, 5}, {1000001, 1}}) {
    const std::string path = dir.write("s.exr", file_with_preview(w, h));
    const CommandResult r = run_frugal("exr " + shell_quote(path) + " --preview " + shell_quote(dir.file("s.png")));
    EXPECT_EQ(r.exit_code, 2) << w << "x" << h;
    EXPECT_NE(r.err.find(path + ": unsupported: EXR: the preview has a side of 0 or over 1000000 pixels"), std::string::npos)
        << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.file("s.png")));
  }
}
#else
TEST(CliExrPreview, UnsupportedWithoutLibpng) {
  TempDir dir;
  const std::string path = dir.write("p.exr", file_with_preview(2, 2));
  const CommandResult r = run_frugal("exr " + shell_quote(path) + " --preview " + shell_quote(dir.file("p.png")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("built without libpng"), std::string::npos) << r.err;
}
#endif

}  // namespace
}  // namespace frugal::test
