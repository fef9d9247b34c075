// frugal rom info: JSON keys and values on writer-built images and the
// media folder's ROMs, human output, errors and exit codes.
#include "cli/cli_support.hpp"
#include "support/snes_writer.hpp"

#include <gtest/gtest.h>

namespace frugal::test {
namespace {

TEST(CliRom, InfoJsonOnAnExHiromWithCopierHeader) {
  TempDir dir;
  SnesRomSpec spec;
  spec.layout = SnesLayout::exhirom;
  spec.size = 6 << 20;
  spec.copier_header = true;
  spec.title = "EXHIROM \xB1\xB2";  // katakana ｱｲ
  spec.cartridge_type = 0x35;
  spec.ram_size_code = 3;
  spec.version = 2;
  const std::vector<std::byte> file = make_snes_rom(spec);
  const std::string path = dir.write("big.sfc", file);
  const CommandResult r = run_frugal("rom info " + shell_quote(path) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 1u);
  const std::string& json = out[0];
  EXPECT_EQ(field(json, "title"), "EXHIROM \xEF\xBD\xB1\xEF\xBD\xB2");
  EXPECT_EQ(field(json, "mapping"), "exhirom");
  EXPECT_EQ(field(json, "chip"), "sa1");
  EXPECT_EQ(field(json, "copier_header"), "true");
  EXPECT_EQ(field(json, "rom_size"), std::to_string(8 << 20));  // declared: the next power of two
  EXPECT_EQ(field(json, "ram_size"), "8192");
  EXPECT_EQ(field(json, "region"), "1");
  EXPECT_EQ(field(json, "version"), "2");
  const std::uint16_t sum = snes_checksum(std::span(file).subspan(512));
  EXPECT_EQ(field(json, "checksum_stored"), std::to_string(sum));
  EXPECT_EQ(field(json, "checksum_computed"), std::to_string(sum));
  EXPECT_EQ(field(json, "checksum_valid"), "true");
  EXPECT_EQ(field(json, "score"), "18");
  EXPECT_NE(json.find("\"reasons\":[\"checksum + complement = $FFFF\","), std::string::npos) << json;
}

TEST(CliRom, InfoOnTheMediaRoms) {
  FRUGAL_REQUIRE_MEDIA(media);
  const auto files = media_files("rom");
  if (files.empty()) GTEST_SKIP() << "no ROMs in " << (media / "rom");
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const CommandResult r = run_frugal("rom info " + shell_quote(path.string()) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(field(r.out, "mapping"), "lorom");
    EXPECT_EQ(field(r.out, "checksum_valid"), "false");  // none of them carries its sum
    const CommandResult text = run_frugal("rom info " + shell_quote(path.string()));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("lorom"), std::string::npos);
    EXPECT_NE(text.out.find("title          " + field(r.out, "title") + "\n"), std::string::npos) << text.out;
  }
}

TEST(CliRom, BadFilesFailClearly) {
  TempDir dir;
  const std::string empty = dir.write("empty.sfc", {});
  CommandResult r = run_frugal("rom info " + shell_quote(empty));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("malformed: smaller than 32 KiB"), std::string::npos) << r.err;

  const std::vector<std::byte> zeros(256 * 1024);
  const std::string flat = dir.write("zeros.sfc", zeros);
  r = run_frugal("rom info " + shell_quote(flat) + " --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("no SNES cartridge header found"), std::string::npos) << r.err;

  r = run_frugal("rom info " + shell_quote(dir.file("missing.sfc")));
  EXPECT_EQ(r.exit_code, 3);

  SnesRomSpec spec;
  spec.layout = SnesLayout::hirom;
  spec.size = 1 << 20;
  const std::string interleaved = dir.write("interleaved.sfc", interleave_hirom(make_snes_rom(spec)));
  r = run_frugal("rom info " + shell_quote(interleaved));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unsupported: HiROM header at $7FC0: an interleaved image"), std::string::npos) << r.err;
}

TEST(CliRom, UsageErrors) {
  EXPECT_EQ(run_frugal("rom").exit_code, 1);
  const CommandResult r = run_frugal("rom bogus x.sfc");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown rom subcommand 'bogus'"), std::string::npos) << r.err;
  const CommandResult tiles = run_frugal("rom tiles x.sfc");
#ifdef FRUGAL_HAVE_PNG  // tiles exists: its own usage error
  EXPECT_EQ(tiles.exit_code, 1);
  EXPECT_NE(tiles.err.find("rom tiles needs -o OUT.png"), std::string::npos) << tiles.err;
#else
  EXPECT_NE(tiles.exit_code, 0);
  EXPECT_NE(tiles.err.find("built without libpng"), std::string::npos) << tiles.err;
#endif
  EXPECT_EQ(run_frugal("rom info").exit_code, 1);
  EXPECT_EQ(run_frugal("rom info a.sfc --bogus").exit_code, 1);
}

}  // namespace
}  // namespace frugal::test
