// frugal rom tiles: sprite sheets from snes_writer-built ROMs (tiles and
// palettes placed at known offsets, bus addresses through the mapping, a
// HAL block made by the test compressor, a CGRAM dump) read back as PNG with
// libpng; errors and exit codes; the media folder's ROMs.
#include "cli/cli_support.hpp"
#include "support/hal_compressor.hpp"
#include "support/png_reader.hpp"
#include "support/snes_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>

namespace frugal::test {
namespace {

// Test-only planar encoder (2bpp: planes 0/1; 4bpp: then planes 2/3 16 bytes on).
std::vector<std::byte> encode_tile(int bpp, const std::array<std::uint8_t, 64>& px) {
  std::vector<std::byte> out(static_cast<std::size_t>(bpp) * 8);
  for (int p = 0; p < bpp; ++p)
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x)
        if (px[y * 8 + x] >> p & 1) out[16 * (p / 2) + 2 * y + p % 2] |= std::byte(0x80 >> x);
  return out;
}

// Pixel (x, y) of tile t.
std::uint8_t pattern(int bpp, std::size_t t, int x, int y) {
  return static_cast<std::uint8_t>((x + 3 * y + 5 * t + x * y) & ((1 << bpp) - 1));
}

std::vector<std::byte> make_tiles(int bpp, std::size_t count) {
  std::vector<std::byte> out;
  for (std::size_t t = 0; t < count; ++t) {
    std::array<std::uint8_t, 64> px{};
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) px[y * 8 + x] = pattern(bpp, t, x, y);
    const auto bytes = encode_tile(bpp, px);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

void expect_sheet(const PngFile& png, int bpp, std::size_t count, std::size_t columns) {
  ASSERT_EQ(png.width, columns * 8);
  ASSERT_EQ(png.height, (count + columns - 1) / columns * 8);
  for (std::uint32_t y = 0; y < png.height; ++y)
    for (std::uint32_t x = 0; x < png.width; ++x) {
      const std::size_t t = (y / 8) * columns + x / 8;
      const std::uint8_t want = t < count ? pattern(bpp, t, static_cast<int>(x % 8), static_cast<int>(y % 8)) : 0;
      ASSERT_EQ(png.at(x, y), want) << "at " << x << "," << y;
    }
}

// 5-bit channels (r, g, b) as the little-endian BGR555 word.
void put_color(std::vector<std::byte>& file, std::size_t at, unsigned r, unsigned g, unsigned b) {
  const unsigned word = b << 10 | g << 5 | r;
  file[at] = std::byte(word & 0xFF);
  file[at + 1] = std::byte(word >> 8);
}
std::uint8_t expand(unsigned v) { return static_cast<std::uint8_t>(v << 3 | v >> 2); }

TEST(CliRomTiles, FourBppAtABusAddressWithARomPalette) {
  TempDir dir;
  SnesRomSpec spec;
  spec.copier_header = true;  // offsets are image offsets: the 512 bytes are skipped
  std::vector<std::byte> file = make_snes_rom(spec);
  const auto tiles = make_tiles(4, 20);
  std::copy(tiles.begin(), tiles.end(), file.begin() + 512 + 0x8000);  // LoROM $81:8000
  for (unsigned i = 0; i < 16; ++i) put_color(file, 512 + 0x9000 + 2 * i, i, 31 - i, i * 2 % 32);
  const std::string rom = dir.write("t.sfc", file);
  const std::string out = dir.file("sheet.png");
  const CommandResult r = run_frugal("rom tiles " + shell_quote(rom) + " --offset '$81:8000' --bpp 4 --count 20" +
                                     " --columns 8 --palette-offset 0x9000 -o " + shell_quote(out) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "width"), "64");
  EXPECT_EQ(field(r.out, "height"), "24");
  EXPECT_EQ(field(r.out, "tiles"), "20");
  EXPECT_EQ(field(r.out, "offset"), std::to_string(0x8000));
  auto png = read_png(out);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->color_type, 3);
  EXPECT_EQ(png->bit_depth, 4);
  expect_sheet(*png, 4, 20, 8);
  ASSERT_EQ(png->palette.size(), 16u);
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(png->palette[i][0], expand(i)) << i;
    EXPECT_EQ(png->palette[i][1], expand(31 - i)) << i;
    EXPECT_EQ(png->palette[i][2], expand(i * 2 % 32)) << i;
  }
  EXPECT_TRUE(png->alpha.empty());

  // The same tiles by image offset, decimal and hex, give the same pixels; a
  // grey ramp without a palette; colour 0 transparent on request.
  const std::string out2 = dir.file("sheet2.png");
  const CommandResult text = run_frugal("rom tiles " + shell_quote(rom) + " --offset 32768 --bpp 4 --count 20" +
                                        " --columns 8 --transparent -o " + shell_quote(out2));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("20 4bpp tiles from image offset 0x8000, 8 per row, 64x24 pixels, palette: grayscale"),
            std::string::npos)
      << text.out;
  auto grey = read_png(out2);
  ASSERT_TRUE(grey);
  EXPECT_EQ(grey->pixels, png->pixels);
  ASSERT_EQ(grey->palette.size(), 16u);
  for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(grey->palette[i][0], i * 17) << i;
  EXPECT_EQ(grey->alpha, std::vector<std::uint8_t>{0});
}

TEST(CliRomTiles, TwoBppWithACgramSubPalette) {
  TempDir dir;
  std::vector<std::byte> file = make_snes_rom({});
  const auto tiles = make_tiles(2, 33);
  std::copy(tiles.begin(), tiles.end(), file.begin() + 0x1230);
  const std::string rom = dir.write("t.sfc", file);
  std::vector<std::byte> cgram(512);
  for (unsigned i = 0; i < 256; ++i) put_color(cgram, 2 * i, i % 32, (i / 8) % 32, 31 - i % 32);
  const std::string cgram_path = dir.write("cgram.bin", cgram);
  const std::string out = dir.file("two.png");
  const CommandResult r = run_frugal("rom tiles " + shell_quote(rom) + " --offset 0x1230 --bpp 2 --count 33" +
                                     " --cgram " + shell_quote(cgram_path) + " --palette 5 -o " + shell_quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto png = read_png(out);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->bit_depth, 2);
  expect_sheet(*png, 2, 33, 16);
  ASSERT_EQ(png->palette.size(), 4u);
  for (unsigned i = 0; i < 4; ++i) {
    const unsigned c = 20 + i;  // palette 5 of 2bpp: colours 20-23
    EXPECT_EQ(png->palette[i][0], expand(c % 32));
    EXPECT_EQ(png->palette[i][1], expand((c / 8) % 32));
    EXPECT_EQ(png->palette[i][2], expand(31 - c % 32));
  }

  // A CGRAM dump of another size is refused, and nothing is written.
  const std::string short_dump = dir.write("short.bin", std::span(cgram).first(510));
  const std::string out3 = dir.file("never.png");
  const CommandResult bad = run_frugal("rom tiles " + shell_quote(rom) + " --offset 0 --bpp 2 --count 1 --cgram " +
                                       shell_quote(short_dump) + " -o " + shell_quote(out3));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("CGRAM dump is not 512 bytes"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(out3));
}

TEST(CliRomTiles, TilesFromAHalBlock) {
  TempDir dir;
  std::vector<std::byte> file = make_snes_rom({});
  const auto tiles = make_tiles(4, 37);
  const auto stream = hal_compress(tiles);
  ASSERT_LT(stream.size(), tiles.size());
  std::copy(stream.begin(), stream.end(), file.begin() + 0x10000);
  const std::string rom = dir.write("hal.sfc", file);
  const std::string out = dir.file("hal.png");
  // LoROM $82:8000 is image offset 0x10000; without --count, every whole tile.
  const CommandResult r = run_frugal("rom tiles " + shell_quote(rom) + " --offset 82:8000 --bpp 4 --hal --columns 10" +
                                     " -o " + shell_quote(out) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "tiles"), "37");
  EXPECT_EQ(field(r.out, "hal"), "true");
  auto png = read_png(out);
  ASSERT_TRUE(png);
  expect_sheet(*png, 4, 37, 10);

  // More tiles than the block holds: an error, no file.
  const std::string out2 = dir.file("hal2.png");
  const CommandResult more = run_frugal("rom tiles " + shell_quote(rom) + " --offset 0x10000 --bpp 4 --hal --count 38" +
                                        " -o " + shell_quote(out2));
  EXPECT_NE(more.exit_code, 0);
  EXPECT_NE(more.err.find("fewer bytes than the tiles asked for"), std::string::npos) << more.err;
  EXPECT_FALSE(std::filesystem::exists(out2));
}

TEST(CliRomTiles, Mode7And8bppSheets) {
  TempDir dir;
  std::vector<std::byte> file = make_snes_rom({});
  for (std::size_t i = 0; i < 64 * 3; ++i) file[0x4000 + i] = std::byte(i * 7 % 256);
  const std::string rom = dir.write("m7.sfc", file);
  const std::string out = dir.file("m7.png");
  const CommandResult r = run_frugal("rom tiles " + shell_quote(rom) + " --offset 0x4000 --bpp mode7 --count 3" +
                                     " --columns 2 -o " + shell_quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto png = read_png(out);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->width, 16u);
  EXPECT_EQ(png->height, 16u);
  EXPECT_EQ(png->bit_depth, 8);
  EXPECT_EQ(png->palette.size(), 256u);
  for (std::uint32_t y = 0; y < 8; ++y)
    for (std::uint32_t x = 0; x < 8; ++x) {
      EXPECT_EQ(png->at(x, y), (y * 8 + x) * 7 % 256);
      EXPECT_EQ(png->at(8 + x, y), (64 + y * 8 + x) * 7 % 256);
      EXPECT_EQ(png->at(x, 8 + y), (128 + y * 8 + x) * 7 % 256);
      EXPECT_EQ(png->at(8 + x, 8 + y), 0);
    }
  const CommandResult r8 = run_frugal("rom tiles " + shell_quote(rom) + " --offset 0x4000 --bpp 8 --count 3 -o " +
                                      shell_quote(dir.file("b8.png")) + " --json");
  ASSERT_EQ(r8.exit_code, 0) << r8.err;
  EXPECT_EQ(field(r8.out, "width"), "128");
  EXPECT_EQ(field(r8.out, "height"), "8");
}

TEST(CliRomTiles, ErrorsAndExitCodes) {
  TempDir dir;
  const std::string rom = dir.write("t.sfc", make_snes_rom({}));
  const std::string out = dir.file("x.png");
  const std::string base = "rom tiles " + shell_quote(rom) + " ";
  // Work RAM is not ROM.
  CommandResult r = run_frugal(base + "--offset '$7E:0000' --bpp 4 --count 1 -o " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--offset"), std::string::npos) << r.err;
  // Below $8000 in a LoROM bank.
  r = run_frugal(base + "--offset '$80:1000' --bpp 4 --count 1 -o " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 1);
  // Past the image's end.
  r = run_frugal(base + "--offset 0x3FFF0 --bpp 4 --count 1 -o " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("past the image's end"), std::string::npos) << r.err;
  // Usage: missing or malformed options.
  EXPECT_EQ(run_frugal(base + "--offset 0 --bpp 3 --count 1 -o " + shell_quote(out)).exit_code, 1);
  EXPECT_EQ(run_frugal(base + "--offset 0 --bpp 4 -o " + shell_quote(out)).exit_code, 1);
  EXPECT_EQ(run_frugal(base + "--offset 0 --bpp 4 --count 1").exit_code, 1);
  EXPECT_EQ(run_frugal(base + "--offset zz --bpp 4 --count 1 -o " + shell_quote(out)).exit_code, 1);
  EXPECT_EQ(run_frugal(base + "--offset '$1:2:3' --bpp 4 --count 1 -o " + shell_quote(out)).exit_code, 1);
  EXPECT_EQ(run_frugal(base + "--offset 0 --bpp 4 --count 1 --palette 2 -o " + shell_quote(out)).exit_code, 1);
  // The caps.
  r = run_frugal(base + "--offset 0 --bpp 2 --count 9000 -o " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("limit_exceeded"), std::string::npos) << r.err;
  // The memory budget: 2048 tiles at 16 per row (128 × 1024 pixels, 128 KiB)
  // do not fit 64 KiB.
  r = run_frugal("--mem-budget 64K " + base + "--offset 0 --bpp 2 --count 2048 -o " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("out_of_memory"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // An unwritable destination: an I/O error, no file.
  r = run_frugal(base + "--offset 0 --bpp 4 --count 1 -o " + shell_quote(dir.file("missing/x.png")));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing")));
  // info still works beside tiles.
  EXPECT_EQ(run_frugal("rom info " + shell_quote(rom)).exit_code, 0);
}

TEST(CliRomTiles, MediaRomsRender256Tiles) {
  FRUGAL_REQUIRE_MEDIA(media);
  const auto files = media_files("rom");
  if (files.empty()) GTEST_SKIP() << "no ROMs in " << (media / "rom");
  TempDir dir;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const std::string out = dir.file(path.stem().string() + ".png");
    const CommandResult r = run_frugal("rom tiles " + shell_quote(path.string()) +
                                       " --offset 0 --bpp 4 --count 256 --palette-offset 0x7FC0 -o " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto png = read_png(out);
    ASSERT_TRUE(png);
    EXPECT_EQ(png->width, 128u);
    EXPECT_EQ(png->height, 128u);
    EXPECT_EQ(png->palette.size(), 16u);
    for (std::uint8_t p : png->pixels) ASSERT_LT(p, 16);
  }
}

}  // namespace
}  // namespace frugal::test
