// Tiles, palettes and sheets: hand-written tile bytes checked pixel by pixel
// (so the test encoder is not the only oracle), formula tiles through a
// test-only planar encoder for every format, BGR555 conversion, CGRAM dumps,
// sub-palettes, sheet geometry and padding, caps and the memory budget.
#include <frugal/assets/tiles.hpp>

#include "support/snes_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace frugal::assets {
namespace {

using Pixels = std::array<std::uint8_t, kTilePixels>;

// Test-only encoder, written from the format description (not from the
// decoder): plane p of row y goes to byte 16 * (p / 2) + 2 * y + p % 2, bit
// 7 - x; mode 7 is one byte per pixel.
std::vector<std::byte> encode(TileFormat format, const Pixels& pixels) {
  std::vector<std::byte> out(tile_bytes(format));
  if (format == TileFormat::mode7) {
    for (std::size_t i = 0; i < kTilePixels; ++i) out[i] = std::byte{pixels[i]};
    return out;
  }
  const int planes = format == TileFormat::bpp2 ? 2 : format == TileFormat::bpp4 ? 4 : 8;
  for (int p = 0; p < planes; ++p)
    for (std::size_t y = 0; y < 8; ++y)
      for (std::size_t x = 0; x < 8; ++x)
        if (pixels[y * 8 + x] >> p & 1) out[16 * (p / 2) + 2 * y + p % 2] |= std::byte(0x80 >> x);
  return out;
}

Pixels decode(TileFormat format, std::span<const std::byte> bytes) {
  Pixels px{};
  EXPECT_TRUE(decode_tile(format, bytes, px));
  return px;
}

Pixels formula(TileFormat format, unsigned salt = 0) {
  Pixels px{};
  const unsigned mask = static_cast<unsigned>(tile_colors(format) - 1);
  for (unsigned y = 0; y < 8; ++y)
    for (unsigned x = 0; x < 8; ++x) px[y * 8 + x] = static_cast<std::uint8_t>((x * 37 + y * 11 + x * y * 5 + salt) & mask);
  return px;
}

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(Tiles, SizesAndNames) {
  EXPECT_EQ(tile_bytes(TileFormat::bpp2), 16u);
  EXPECT_EQ(tile_bytes(TileFormat::bpp4), 32u);
  EXPECT_EQ(tile_bytes(TileFormat::bpp8), 64u);
  EXPECT_EQ(tile_bytes(TileFormat::mode7), 64u);
  EXPECT_EQ(tile_colors(TileFormat::bpp2), 4u);
  EXPECT_EQ(tile_colors(TileFormat::bpp4), 16u);
  EXPECT_EQ(tile_colors(TileFormat::bpp8), 256u);
  EXPECT_EQ(tile_colors(TileFormat::mode7), 256u);
  EXPECT_STREQ(tile_format_name(TileFormat::mode7), "mode7");
}

// SNESdev wiki "Tiles": plane 0 = 00011101, plane 1 = 01010101 → 0 2 0 3 1 3 0 3.
TEST(Tiles, Hand2bppRow) {
  std::vector<std::byte> tile(16);
  tile[0] = std::byte{0x1D};
  tile[1] = std::byte{0x55};
  tile[14] = std::byte{0x80};  // row 7, plane 0: leftmost pixel 1
  tile[15] = std::byte{0x01};  // row 7, plane 1: rightmost pixel 2
  const Pixels px = decode(TileFormat::bpp2, tile);
  const std::uint8_t row0[8] = {0, 2, 0, 3, 1, 3, 0, 3};
  for (int x = 0; x < 8; ++x) EXPECT_EQ(px[x], row0[x]) << x;
  for (int i = 8; i < 56; ++i) EXPECT_EQ(px[i], 0) << i;
  const std::uint8_t row7[8] = {1, 0, 0, 0, 0, 0, 0, 2};
  for (int x = 0; x < 8; ++x) EXPECT_EQ(px[56 + x], row7[x]) << x;
}

TEST(Tiles, Hand4bppPlanes) {
  std::vector<std::byte> tile(32);
  tile[0] = std::byte{0x80};   // row 0 plane 0: x=0
  tile[1] = std::byte{0x40};   // row 0 plane 1: x=1
  tile[16] = std::byte{0x20};  // row 0 plane 2: x=2
  tile[17] = std::byte{0x10};  // row 0 plane 3: x=3
  tile[31] = std::byte{0xFF};  // row 7 plane 3: the whole row
  tile[4] = std::byte{0x01};   // row 2 plane 0: x=7
  tile[20] = std::byte{0x01};  // row 2 plane 2: x=7
  const Pixels px = decode(TileFormat::bpp4, tile);
  const std::uint8_t row0[8] = {1, 2, 4, 8, 0, 0, 0, 0};
  for (int x = 0; x < 8; ++x) EXPECT_EQ(px[x], row0[x]) << x;
  EXPECT_EQ(px[2 * 8 + 7], 5);
  for (int x = 0; x < 8; ++x) EXPECT_EQ(px[56 + x], 8) << x;
  int nonzero = 0;
  for (std::uint8_t p : px) nonzero += p != 0;
  EXPECT_EQ(nonzero, 4 + 1 + 8);
}

TEST(Tiles, Hand8bppPlanes) {
  std::vector<std::byte> tile(64);
  tile[3 * 2 + 48] = std::byte{0x01};      // row 3 plane 6: x=7
  tile[3 * 2 + 48 + 1] = std::byte{0x01};  // row 3 plane 7: x=7
  tile[32] = std::byte{0x80};              // row 0 plane 4: x=0
  tile[33 + 2 * 5] = std::byte{0x08};      // row 5 plane 5: x=4
  const Pixels px = decode(TileFormat::bpp8, tile);
  EXPECT_EQ(px[3 * 8 + 7], 64 + 128);
  EXPECT_EQ(px[0], 16);
  EXPECT_EQ(px[5 * 8 + 4], 32);
  int nonzero = 0;
  for (std::uint8_t p : px) nonzero += p != 0;
  EXPECT_EQ(nonzero, 3);
}

TEST(Tiles, Mode7IsLinear) {
  std::vector<std::byte> tile(64);
  for (int i = 0; i < 64; ++i) tile[i] = std::byte(255 - i * 3);
  const Pixels px = decode(TileFormat::mode7, tile);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(px[i], 255 - i * 3) << i;
}

TEST(Tiles, FormulaTilesRoundTripEveryFormat) {
  for (TileFormat f : {TileFormat::bpp2, TileFormat::bpp4, TileFormat::bpp8, TileFormat::mode7}) {
    SCOPED_TRACE(tile_format_name(f));
    for (unsigned salt : {0u, 1u, 7u, 200u}) {
      const Pixels want = formula(f, salt);
      EXPECT_EQ(decode(f, encode(f, want)), want);
    }
  }
  // The encoder agrees with the hand-written 2bpp row.
  Pixels row{};
  const std::uint8_t r0[8] = {0, 2, 0, 3, 1, 3, 0, 3};
  std::copy(r0, r0 + 8, row.begin());
  const auto enc = encode(TileFormat::bpp2, row);
  EXPECT_EQ(enc[0], std::byte{0x1D});
  EXPECT_EQ(enc[1], std::byte{0x55});
}

TEST(Tiles, ShortTileIsRefused) {
  std::vector<std::byte> tile(31);
  Pixels px{};
  auto r = decode_tile(TileFormat::bpp4, tile, px);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::invalid_argument);
  EXPECT_TRUE(decode_tile(TileFormat::bpp2, tile, px));  // 16 bytes are enough there
}

TEST(Palettes, Bgr555ToRgba8) {
  EXPECT_EQ(bgr555_to_rgba8(0x001F), (Rgba8{255, 0, 0, 255}));
  EXPECT_EQ(bgr555_to_rgba8(0x03E0), (Rgba8{0, 255, 0, 255}));
  EXPECT_EQ(bgr555_to_rgba8(0x7C00), (Rgba8{0, 0, 255, 255}));
  EXPECT_EQ(bgr555_to_rgba8(0x7FFF), (Rgba8{255, 255, 255, 255}));
  EXPECT_EQ(bgr555_to_rgba8(0x0000), (Rgba8{0, 0, 0, 255}));
  EXPECT_EQ(bgr555_to_rgba8(0x8000), (Rgba8{0, 0, 0, 255}));  // bit 15 ignored
  EXPECT_EQ(bgr555_to_rgba8(0x4210), (Rgba8{132, 132, 132, 255}));  // 16: 128 | 4
  // r = 5, g = 10, b = 20: 40|1, 80|2, 160|5.
  EXPECT_EQ(bgr555_to_rgba8(static_cast<std::uint16_t>(20 << 10 | 10 << 5 | 5)), (Rgba8{41, 82, 165, 255}));
}

TEST(Palettes, FromBytesLittleEndian) {
  auto p = read_palette(bytes_of({0x1F, 0x00, 0xE0, 0x03, 0x00, 0x7C}));
  ASSERT_TRUE(p);
  ASSERT_EQ(p->count, 3u);
  EXPECT_EQ(p->colors[0], (Rgba8{255, 0, 0, 255}));
  EXPECT_EQ(p->colors[1], (Rgba8{0, 255, 0, 255}));
  EXPECT_EQ(p->colors[2], (Rgba8{0, 0, 255, 255}));
  EXPECT_EQ(read_palette(bytes_of({0x1F})).error().code, core::Errc::invalid_argument);
  EXPECT_EQ(read_palette(std::span<const std::byte>{}).error().code, core::Errc::invalid_argument);
  std::vector<std::byte> too_many(514);
  EXPECT_EQ(read_palette(too_many).error().code, core::Errc::invalid_argument);
}

TEST(Palettes, CgramDumpMustBe512Bytes) {
  std::vector<std::byte> dump(512);
  dump[2 * 255] = std::byte{0xFF};
  dump[2 * 255 + 1] = std::byte{0x7F};
  auto p = read_cgram(dump);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->count, 256u);
  EXPECT_EQ(p->colors[255], (Rgba8{255, 255, 255, 255}));
  EXPECT_EQ(p->colors[0], (Rgba8{0, 0, 0, 255}));
  for (std::size_t size : {0u, 510u, 511u, 513u, 514u, 1024u}) {
    std::vector<std::byte> wrong(size);
    auto r = read_cgram(wrong);
    ASSERT_FALSE(r) << size;
    EXPECT_EQ(r.error().code, core::Errc::malformed);
    EXPECT_STREQ(r.error().message, "CGRAM dump is not 512 bytes");
  }
}

TEST(Palettes, SubPalettesAsThePpuPicks) {
  std::vector<std::byte> dump(512);
  for (std::size_t i = 0; i < 256; ++i) dump[2 * i] = std::byte(i & 0x1F), dump[2 * i + 1] = std::byte(i >> 5 << 2);
  auto cgram = read_cgram(dump);
  ASSERT_TRUE(cgram);
  auto s4 = sub_palette(*cgram, TileFormat::bpp4, 2);
  ASSERT_TRUE(s4);
  ASSERT_EQ(s4->count, 16u);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(s4->colors[i], cgram->colors[32 + i]) << i;
  auto sprite = sub_palette(*cgram, TileFormat::bpp4, 8 + 7);  // the last sprite palette: 240-255
  ASSERT_TRUE(sprite);
  EXPECT_EQ(sprite->colors[15], cgram->colors[255]);
  auto s2 = sub_palette(*cgram, TileFormat::bpp2, 3);
  ASSERT_TRUE(s2);
  ASSERT_EQ(s2->count, 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(s2->colors[i], cgram->colors[12 + i]) << i;
  EXPECT_EQ(sub_palette(*cgram, TileFormat::bpp4, 16).error().code, core::Errc::invalid_argument);
  EXPECT_EQ(sub_palette(*cgram, TileFormat::bpp2, 64).error().code, core::Errc::invalid_argument);
  EXPECT_EQ(sub_palette(*cgram, TileFormat::bpp8, 1).error().code, core::Errc::invalid_argument);
  auto whole = sub_palette(*cgram, TileFormat::mode7, 0);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->count, 256u);
  // A 16-colour palette has one 4bpp sub-palette.
  auto small = read_palette(std::span(dump).first(32));
  ASSERT_TRUE(small);
  EXPECT_TRUE(sub_palette(*small, TileFormat::bpp4, 0));
  EXPECT_FALSE(sub_palette(*small, TileFormat::bpp4, 1));
}

TEST(Palettes, GrayscaleRamp) {
  const Palette g2 = grayscale_palette(TileFormat::bpp2);
  ASSERT_EQ(g2.count, 4u);
  EXPECT_EQ(g2.colors[0], (Rgba8{0, 0, 0, 255}));
  EXPECT_EQ(g2.colors[1], (Rgba8{85, 85, 85, 255}));
  EXPECT_EQ(g2.colors[3], (Rgba8{255, 255, 255, 255}));
  const Palette g8 = grayscale_palette(TileFormat::bpp8);
  ASSERT_EQ(g8.count, 256u);
  EXPECT_EQ(g8.colors[128].r, 128);
}

TEST(Palettes, FromSourcesAtAnOffset) {
  std::vector<std::byte> bytes(100);
  bytes[50] = std::byte{0x1F};
  bytes[53] = std::byte{0x7C};
  core::MemorySource source(bytes);
  auto p = read_palette(source, 50, 2);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->colors[0], (Rgba8{255, 0, 0, 255}));
  EXPECT_EQ(p->colors[1], (Rgba8{0, 0, 255, 255}));
  EXPECT_EQ(read_palette(source, 96, 4).error().code, core::Errc::end_of_stream);
  EXPECT_EQ(read_palette(source, 0, 0).error().code, core::Errc::invalid_argument);
  EXPECT_EQ(read_palette(source, 0, 257).error().code, core::Errc::invalid_argument);

  std::vector<std::byte> file = test::make_snes_rom({});
  file[0x1000] = std::byte{0xE0};
  file[0x1001] = std::byte{0x03};
  core::MemorySource rom_source(file);
  auto rom = RomImage::open(rom_source);
  ASSERT_TRUE(rom);
  auto q = read_palette(*rom, 0x1000, 1);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->colors[0], (Rgba8{0, 255, 0, 255}));
  EXPECT_EQ(read_palette(*rom, rom->size() - 2, 2).error().code, core::Errc::invalid_argument);
}

// Tile i of a sheet: every pixel i + 1 (4bpp), so cells show where tiles went.
std::vector<std::byte> numbered_tiles(TileFormat format, std::size_t count) {
  std::vector<std::byte> out;
  for (std::size_t i = 0; i < count; ++i) {
    Pixels px = formula(format, static_cast<unsigned>(i));
    px[0] = static_cast<std::uint8_t>((i + 1) & (tile_colors(format) - 1));
    const auto t = encode(format, px);
    out.insert(out.end(), t.begin(), t.end());
  }
  return out;
}

void expect_cell(const TileSheet& sheet, std::size_t index, std::size_t cx, std::size_t cy) {
  Pixels want = formula(sheet.format, static_cast<unsigned>(index));
  want[0] = static_cast<std::uint8_t>((index + 1) & (tile_colors(sheet.format) - 1));
  for (std::uint32_t y = 0; y < 8; ++y)
    for (std::uint32_t x = 0; x < 8; ++x)
      ASSERT_EQ(sheet.at(static_cast<std::uint32_t>(cx * 8 + x), static_cast<std::uint32_t>(cy * 8 + y)), want[y * 8 + x])
          << "tile " << index << " at " << x << "," << y;
}

TEST(TileSheets, GeometryAndPadding) {
  const auto tiles = numbered_tiles(TileFormat::bpp4, 5);
  TileSheetOptions o;
  o.format = TileFormat::bpp4;
  o.count = 5;
  o.columns = 2;
  auto sheet = make_tile_sheet(tiles, o);
  ASSERT_TRUE(sheet);
  EXPECT_EQ(sheet->width, 16u);
  EXPECT_EQ(sheet->height, 24u);
  EXPECT_EQ(sheet->pixels.size(), 16u * 24u);
  expect_cell(*sheet, 0, 0, 0);
  expect_cell(*sheet, 1, 1, 0);
  expect_cell(*sheet, 2, 0, 1);
  expect_cell(*sheet, 3, 1, 1);
  expect_cell(*sheet, 4, 0, 2);
  for (std::uint32_t y = 16; y < 24; ++y)
    for (std::uint32_t x = 8; x < 16; ++x) EXPECT_EQ(sheet->at(x, y), 0) << x << "," << y;
  // One row, fewer tiles than columns: the width is still columns × 8.
  o.count = 3;
  o.columns = 16;
  auto wide = make_tile_sheet(tiles, o);
  ASSERT_TRUE(wide);
  EXPECT_EQ(wide->width, 128u);
  EXPECT_EQ(wide->height, 8u);
  expect_cell(*wide, 2, 2, 0);
  EXPECT_EQ(wide->at(127, 7), 0);
}

TEST(TileSheets, EveryFormatFromSourceAndRom) {
  for (TileFormat f : {TileFormat::bpp2, TileFormat::bpp4, TileFormat::bpp8, TileFormat::mode7}) {
    SCOPED_TRACE(tile_format_name(f));
    const std::size_t count = 40;  // past one 1 KiB read chunk for every format
    const auto tiles = numbered_tiles(f, count);
    std::vector<std::byte> file = test::make_snes_rom({});
    const std::size_t at = 0x2345;
    std::copy(tiles.begin(), tiles.end(), file.begin() + at);
    core::MemorySource source(file);
    auto rom = RomImage::open(source);
    ASSERT_TRUE(rom);
    TileSheetOptions o;
    o.format = f;
    o.count = count;
    o.columns = 7;
    auto from_rom = make_tile_sheet(*rom, at, o);
    auto from_source = make_tile_sheet(source, at, o);
    auto from_span = make_tile_sheet(tiles, o);
    ASSERT_TRUE(from_rom);
    ASSERT_TRUE(from_source);
    ASSERT_TRUE(from_span);
    EXPECT_EQ(from_rom->height, 6u * 8);
    for (std::size_t i = 0; i < count; ++i) expect_cell(*from_rom, i, i % 7, i / 7);
    for (std::uint32_t y = 0; y < from_rom->height; ++y) {
      ASSERT_TRUE(std::ranges::equal(from_rom->row(y), from_source->row(y))) << y;
      ASSERT_TRUE(std::ranges::equal(from_rom->row(y), from_span->row(y))) << y;
    }
  }
}

TEST(TileSheets, ShortInputsAndBadOptions) {
  const auto tiles = numbered_tiles(TileFormat::bpp2, 4);
  TileSheetOptions o;
  o.format = TileFormat::bpp2;
  o.count = 5;
  EXPECT_EQ(make_tile_sheet(tiles, o).error().code, core::Errc::invalid_argument);
  o.count = 0;
  EXPECT_EQ(make_tile_sheet(tiles, o).error().code, core::Errc::invalid_argument);
  o.count = 4;
  o.columns = 0;
  EXPECT_EQ(make_tile_sheet(tiles, o).error().code, core::Errc::invalid_argument);

  core::MemorySource source(tiles);
  o.columns = 16;
  o.count = 4;
  EXPECT_TRUE(make_tile_sheet(source, 0, o));
  EXPECT_EQ(make_tile_sheet(source, 1, o).error().code, core::Errc::end_of_stream);
  EXPECT_EQ(make_tile_sheet(source, UINT64_MAX - 10, o).error().code, core::Errc::invalid_argument);

  std::vector<std::byte> file = test::make_snes_rom({});
  core::MemorySource rom_source(file);
  auto rom = RomImage::open(rom_source);
  ASSERT_TRUE(rom);
  o.format = TileFormat::bpp4;
  EXPECT_TRUE(make_tile_sheet(*rom, rom->size() - 4 * 32, o));
  EXPECT_EQ(make_tile_sheet(*rom, rom->size() - 4 * 32 + 1, o).error().code, core::Errc::invalid_argument);
  EXPECT_EQ(make_tile_sheet(*rom, rom->size() + 64, o).error().code, core::Errc::invalid_argument);
  EXPECT_EQ(make_tile_sheet(*rom, UINT64_MAX, o).error().code, core::Errc::invalid_argument);
}

TEST(TileSheets, CapsAreLimitExceeded) {
  TileSheetOptions o;
  o.format = TileFormat::bpp4;
  o.count = 8193;
  EXPECT_EQ(tile_sheet_bytes(o).error().code, core::Errc::limit_exceeded);
  o.count = 8192;
  o.columns = 16;
  auto bytes = tile_sheet_bytes(o);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*bytes, 128u * 4096u);
  o.columns = 513;  // 4104 pixels wide
  EXPECT_EQ(tile_sheet_bytes(o).error().code, core::Errc::limit_exceeded);
  o.columns = 512;
  EXPECT_TRUE(tile_sheet_bytes(o));
  o.columns = 1;  // 8192 rows of 8: 65536 pixels tall
  EXPECT_EQ(tile_sheet_bytes(o).error().code, core::Errc::limit_exceeded);
  o.columns = SIZE_MAX;
  EXPECT_EQ(tile_sheet_bytes(o).error().code, core::Errc::limit_exceeded);
  // Caps the caller raised past what size_t holds still fail cleanly.
  o.max_tiles = SIZE_MAX;
  o.max_width = SIZE_MAX;
  o.max_height = SIZE_MAX;
  o.count = SIZE_MAX;
  o.columns = 1;
  auto huge = tile_sheet_bytes(o);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, core::Errc::limit_exceeded);
}

TEST(TileSheets, PixelsAreChargedAndTheBudgetRefuses) {
  mem::MemoryTracker tracker(mem::TrackerOptions{.budget = 8192});
  const auto tiles = numbered_tiles(TileFormat::bpp4, 256);
  TileSheetOptions o;
  o.format = TileFormat::bpp4;
  o.count = 16;
  o.tracker = &tracker;
  {
    auto small = make_tile_sheet(tiles, o);  // 128 × 8 = 1 KiB
    ASSERT_TRUE(small);
    EXPECT_EQ(tracker.total(), 1024u);
  }
  EXPECT_EQ(tracker.total(), 0u);
  o.count = 256;  // 128 × 128 = 16 KiB, past the budget
  auto big = make_tile_sheet(tiles, o);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, core::Errc::out_of_memory);
  EXPECT_EQ(tracker.total(), 0u);
  EXPECT_LE(tracker.peak_total(), 1024u);  // refused before anything was charged or allocated
}

}  // namespace
}  // namespace frugal::assets
