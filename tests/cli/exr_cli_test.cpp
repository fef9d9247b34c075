// frugal exr: JSON keys and values on writer-built files, human output,
// errors and exit codes, and a clean result or a clean error on every EXR
// file in the media folder.
#include "cli/cli_support.hpp"
#include "support/exr_writer.hpp"
#include "support/media.hpp"

#include <gtest/gtest.h>

namespace frugal::test {
namespace {

Bytes two_part_file() {
  ExrHeaderBuilder a = ExrHeaderBuilder::standard(10, 40, 3, {{"diffuse.R"}, {"diffuse.G"}, {"Z", 2}});
  a.set("name", "string", exr_text("beauty")).set("type", "string", exr_text("scanlineimage"))
      .set("chunkCount", "int", exr_i32(3)).set("multiView", "stringvector", exr_stringvector({"left"}));
  ExrHeaderBuilder b = ExrHeaderBuilder::standard(20, 20, 0, {{"Y", 0}});
  b.set("name", "string", exr_text("ids")).set("type", "string", exr_text("tiledimage"))
      .set("tiles", "tiledesc", exr_tiledesc(8, 8, 0, 0)).set("chunkCount", "int", exr_i32(9));
  return exr_file(kExrMultipart, {a, b}, 12);
}

TEST(CliExr, JsonOnAMultipartFile) {
  TempDir dir;
  const std::string path = dir.write("two.exr", two_part_file());
  const CommandResult r = run_frugal("exr " + shell_quote(path) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 1u);
  const std::string& json = out[0];
  EXPECT_EQ(field(json, "version"), "2");
  EXPECT_NE(json.find(R"("flags":{"tiled":false,"long_names":false,"deep":false,"multipart":true})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("name":"beauty","type":"scanlineimage","compression":"zip","data_window":[0,0,9,39],"display_window":[0,0,9,39])"),
            std::string::npos) << json;
  EXPECT_NE(json.find(R"({"name":"diffuse.R","type":"half","x_sampling":1,"y_sampling":1)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("layers":["diffuse"],"views":["left"])"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("name":"ids","type":"tiledimage","compression":"none")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"name":"Y","type":"uint")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("chunk_count":9,"declared_chunk_count":9)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("offset_table_bytes":72)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("tiles":{"type":"tiledesc","size":9,"value":{"x_size":8,"y_size":8,"level_mode":"one_level","round_mode":"round_down"}})"),
            std::string::npos) << json;
  EXPECT_EQ(field(json, "offset_tables_bytes"), "96");
}

TEST(CliExr, JsonReplacesBytesThatAreNotUtf8) {
  // EXR strings are bytes: Latin-1, an overlong '/', a surrogate stay out of
  // the JSON as U+FFFD; well-formed UTF-8 passes as it is.
  const std::string latin1 = "M\xFCller", overlong = "\xC0\xAF", surrogate = "\xED\xA0\x80";
  const std::string utf8 = "caf\xC3\xA9 \xE2\x98\x83 \xF0\x9F\x8E\xB5";
  ExrHeaderBuilder h = ExrHeaderBuilder::standard(4, 4);
  h.set("owner", "string", exr_text(latin1)).set("comments", "string", exr_text(overlong + surrogate + "|" + utf8));
  TempDir dir;
  const std::string path = dir.write("names.exr", exr_file(0, {h}, 1));
  const CommandResult r = run_frugal("exr " + shell_quote(path) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"({"type":"string","size":6,"value":"M\ufffdller"})"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("value":"\ufffd\ufffd\ufffd\ufffd\ufffd|)" + utf8 + "\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\xFC'), std::string::npos);
  EXPECT_EQ(r.out.find('\xC0'), std::string::npos);
  EXPECT_EQ(r.out.find('\xED'), std::string::npos);
}

TEST(CliExr, TextOutput) {
  TempDir dir;
  const std::string path = dir.write("two.exr", two_part_file());
  const CommandResult r = run_frugal("exr " + shell_quote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("OpenEXR version 2, multipart, 2 parts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("part 0 beauty: scanlineimage, compression zip"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("diffuse.R, half, sampling 1 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("layers: diffuse"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chunks 9, offset table 72 bytes"), std::string::npos) << r.out;
}

TEST(CliExr, ErrorsAndExitCodes) {
  TempDir dir;
  Bytes broken = two_part_file();
  broken[0] = std::byte{0};
  const CommandResult bad = run_frugal("exr " + shell_quote(dir.write("bad.exr", broken)));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("EXR: not an OpenEXR file (magic)"), std::string::npos) << bad.err;
  EXPECT_EQ(run_frugal("exr " + shell_quote(dir.file("missing.exr"))).exit_code, 3);
  EXPECT_EQ(run_frugal("exr").exit_code, 1);
}

TEST(CliExr, EveryMediaFileGivesAResultOrACleanError) {
  const auto files = media_files("exr");
  if (files.empty()) GTEST_SKIP() << "no media folder with exr/";
  for (const auto& path : files) {
    const CommandResult r = run_frugal("exr " + shell_quote(path.string()) + " --json");
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << path << ": " << r.exit_code << " " << r.err;
    if (r.exit_code == 0) EXPECT_EQ(lines(r.out).size(), 1u) << path;
    else EXPECT_NE(r.err.find("EXR: "), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace frugal::test
