// frugal rom tiles: SNES tiles as a PNG sprite sheet (assets::make_tile_sheet,
// imageio::write_png); built with libpng only (rom_tiles_unavailable.cpp).
#include "cli/common.hpp"
#include "cli/json.hpp"
#include "cli/rom_commands.hpp"
#include "cli/rom_common.hpp"

#include <frugal/assets/hal.hpp>
#include <frugal/assets/rom_image.hpp>
#include <frugal/assets/tiles.hpp>
#include <frugal/imageio/png_writer.hpp>
#include <frugal/mem/tracked_resource.hpp>

#include <array>
#include <cstdio>
#include <optional>

namespace frugal::cli {

namespace {

std::string hex64(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llX", static_cast<unsigned long long>(value));
  return text;
}

// The CGRAM dump in `path` (512 bytes).
core::Result<assets::Palette> read_cgram_file(const std::string& path) {
  FRUGAL_TRY(core::FileSource file, core::FileSource::open(path.c_str()));
  const auto size = file.size();
  if (!size || *size != assets::kCgramBytes)
    return core::make_error(core::Errc::malformed, "CGRAM dump is not 512 bytes");
  std::array<std::byte, assets::kCgramBytes> dump;
  FRUGAL_CHECK(core::read_exact(file, 0, dump));
  return assets::read_cgram(dump);
}

}  // namespace

int run_rom_tiles(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"-o", "--offset", "--bpp", "--count", "--columns", "--palette-offset", "--palette-count",
                                "--cgram", "--palette"},
                         {"--hal", "--json", "--transparent"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("rom tiles takes one ROM file");
  const std::string& path = args->positional[0];
  const auto out = args->value("-o");
  if (!out) return usage_error("rom tiles needs -o OUT.png");
  const auto offset_text = args->value("--offset");
  if (!offset_text) return usage_error("rom tiles needs --offset OFF");

  assets::TileSheetOptions sheet_options;
  const std::string bpp = args->value("--bpp").value_or("");
  if (bpp == "2") sheet_options.format = assets::TileFormat::bpp2;
  else if (bpp == "4") sheet_options.format = assets::TileFormat::bpp4;
  else if (bpp == "8") sheet_options.format = assets::TileFormat::bpp8;
  else if (bpp == "mode7") sheet_options.format = assets::TileFormat::mode7;
  else return usage_error("rom tiles needs --bpp 2, 4, 8 or mode7");
  const assets::TileFormat format = sheet_options.format;
  std::optional<std::uint32_t> count;
  if (auto v = args->value("--count")) {
    count = parse_positive(*v);
    if (!count) return usage_error("--count takes a positive number");
  } else if (!args->has("--hal")) {
    return usage_error("rom tiles needs --count N (optional with --hal: every whole tile of the block)");
  }
  if (auto v = args->value("--columns")) {
    auto columns = parse_positive(*v);
    if (!columns) return usage_error("--columns takes a positive number");
    sheet_options.columns = *columns;
  }
  const bool rom_palette = args->value("--palette-offset").has_value();
  const bool cgram = args->value("--cgram").has_value();
  if (rom_palette && cgram) return usage_error("--palette-offset and --cgram exclude each other");
  if (args->value("--palette-count") && !rom_palette) return usage_error("--palette-count goes with --palette-offset");
  if (args->value("--palette") && !cgram) return usage_error("--palette goes with --cgram");
  std::size_t palette_count = assets::tile_colors(format);
  std::size_t palette_number = 0;
  if (rom_palette) {
    if (auto v = args->value("--palette-count")) {
      auto n = parse_positive(*v);
      if (!n || *n > assets::kCgramColors) return usage_error("--palette-count takes a number from 1 to 256");
      palette_count = *n;
    }
  }
  if (auto v = args->value("--palette")) {
    auto n = parse_number(*v, 10, 255);
    if (!n) return usage_error("--palette takes a palette number");
    palette_number = static_cast<std::size_t>(*n);
  }

  auto file = RomFile::open(path);
  if (!file) return report(path, file.error());
  assets::RomImage& rom = (*file)->image();
  const assets::RomMapping mapping = rom.header().mapping;
  auto offset = parse_rom_offset(*offset_text, mapping, rom.size());
  if (!offset) return report(path + ": --offset", offset.error());

  // The palette: the ROM's, a CGRAM dump's sub-palette, or a grey ramp.
  assets::Palette palette = assets::grayscale_palette(format);
  std::string palette_text = "grayscale";
  if (rom_palette) {
    auto at = parse_rom_offset(*args->value("--palette-offset"), mapping, rom.size());
    if (!at) return report(path + ": --palette-offset", at.error());
    auto p = assets::read_palette(rom, *at, palette_count);
    if (!p) return report(path + ": --palette-offset", p.error());
    palette = *p;
    palette_text = std::to_string(palette_count) + " colours at " + hex64(*at);
  } else if (cgram) {
    const std::string cgram_path = *args->value("--cgram");
    auto p = read_cgram_file(cgram_path);
    if (!p) return report(cgram_path, p.error());
    auto sub = assets::sub_palette(*p, format, palette_number);
    if (!sub) return report(cgram_path, sub.error());
    palette = *sub;
    palette_text = "CGRAM palette " + std::to_string(palette_number);
  }

  // The tiles: straight from the image, or from the HAL block there.
  sheet_options.tracker = &tracker();
  std::optional<assets::TileSheet> sheet;
  std::string source_text = "image offset " + hex64(*offset);
  if (args->has("--hal")) {
    auto account = tracker().account("cli/hal_block");
    if (!account) return report(path, account.error());
    auto block_buffer = mem::TrackedBuffer::try_allocate(*account, assets::kHalMaxOutput);
    if (!block_buffer) return report(path, block_buffer.error());
    core::SubSource image((*file)->file(), rom.copier_header() ? 512 : 0, rom.size());
    auto block = assets::hal_decompress(image, *offset, block_buffer->span());
    if (!block) return report(path + ": --hal", block.error());
    const std::size_t whole = block->decompressed / assets::tile_bytes(format);
    if (whole == 0) return report(path + ": --hal", core::make_error(core::Errc::invalid_argument, "the HAL block holds no whole tile"));
    sheet_options.count = count ? *count : whole;
    auto made = assets::make_tile_sheet(block_buffer->span().first(block->decompressed), sheet_options);
    if (!made) return report(path, made.error());
    sheet = std::move(*made);
    source_text = "the HAL block at " + hex64(*offset) + " (" + std::to_string(block->compressed) + " bytes, " +
                  std::to_string(block->decompressed) + " decompressed)";
  } else {
    sheet_options.count = *count;
    auto made = assets::make_tile_sheet(rom, *offset, sheet_options);
    if (!made) return report(path, made.error());
    sheet = std::move(*made);
  }

  // The PNG's palette: what the tiles can index (missing entries opaque
  // black), colour 0 transparent with --transparent.
  std::vector<imageio::PngColor> colors(std::max(palette.count, assets::tile_colors(format)));
  for (std::size_t i = 0; i < palette.count; ++i)
    colors[i] = imageio::PngColor{palette.colors[i].r, palette.colors[i].g, palette.colors[i].b, palette.colors[i].a};
  if (args->has("--transparent")) colors[0].a = 0;
  imageio::PngImage image;
  image.kind = imageio::PngKind::indexed;
  image.width = sheet->width;
  image.height = sheet->height;
  image.palette = colors;
  auto writer = imageio::PngWriter::create(*out, image);
  if (!writer) return report(*out, writer.error());
  for (std::uint32_t y = 0; y < sheet->height; ++y)
    if (auto row = writer->write_row(sheet->row(y)); !row) return report(*out, row.error());
  if (auto done = writer->finish(); !done) return report(*out, done.error());

  if (args->has("--json")) {
    JsonObject o;
    o.add("output", *out)
        .add("tiles", std::uint64_t{sheet->count})
        .add("bpp", assets::tile_format_name(format))
        .add("offset", std::uint64_t{*offset})
        .add("hal", args->has("--hal"))
        .add("columns", std::uint64_t{sheet->columns})
        .add("width", sheet->width)
        .add("height", sheet->height)
        .add("palette", palette_text);
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("%s: %zu %s tiles from %s, %zu per row, %ux%u pixels, palette: %s\n", out->c_str(), sheet->count,
                assets::tile_format_name(format), source_text.c_str(), sheet->columns, sheet->width, sheet->height,
                palette_text.c_str());
  }
  return kOk;
}

}  // namespace frugal::cli
