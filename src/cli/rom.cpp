// frugal rom SUBCOMMAND: SNES ROM images. `info` (the header) and `tiles`
// (a sprite sheet as PNG); extract will join them here.
#include "cli/common.hpp"
#include "cli/json.hpp"

#include <frugal/assets/hal.hpp>
#include <frugal/assets/rom_image.hpp>
#include <frugal/assets/rom_mapping.hpp>
#include <frugal/assets/tiles.hpp>
#include <frugal/imageio/png_writer.hpp>
#include <frugal/mem/tracked_resource.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <span>

namespace frugal::cli {

namespace {

std::string hex(unsigned value, int digits) {
  char text[16];
  std::snprintf(text, sizeof text, "$%0*X", digits, value);
  return text;
}

// Stored code characters, with '?' for what is not printable ASCII.
std::string code_text(std::span<const char> code) {
  std::string out;
  for (const char c : code) out += c >= 0x20 && c <= 0x7E ? c : '?';
  return out;
}

void print_text(const std::string& path, const assets::RomImage& rom) {
  const assets::RomHeader& h = rom.header();
  std::printf("%s: SNES ROM, %s (map mode %s), chip %s (cartridge type %s)\n", path.c_str(),
              assets::mapping_name(h.mapping), hex(h.map_mode, 2).c_str(), assets::chip_name(h.chip),
              hex(h.cartridge_type, 2).c_str());
  std::printf("  title          %.*s\n", static_cast<int>(h.title().size()), h.title().data());
  std::printf("  copier header  %s\n", rom.copier_header() ? "yes (512 bytes)" : "no");
  std::printf("  ROM size       %u bytes declared, %llu in the image\n", h.rom_size,
              static_cast<unsigned long long>(rom.size()));
  std::printf("  RAM size       %u bytes\n", h.ram_size);
  std::printf("  region         %u\n  version        %u\n  developer ID   %s\n", h.region, h.version,
              hex(h.developer_id, 2).c_str());
  if (h.extended)
    std::printf("  extended       maker code '%s', game code '%s'\n", code_text(h.extended->maker_code).c_str(),
                code_text(h.extended->game_code).c_str());
  std::printf("  checksum       stored %s (complement %s), computed %s: %s\n", hex(h.checksum, 4).c_str(),
              hex(h.complement, 4).c_str(), hex(h.computed_checksum, 4).c_str(),
              h.checksum_valid() ? "valid" : "invalid");
  std::printf("  reset vector   %s\n", hex(h.reset_vector, 4).c_str());
  std::printf("  header         at image offset %s, score %d:\n", hex(static_cast<unsigned>(h.base_offset + 0x10), 6).c_str(),
              h.score);
  for (const char* reason : h.reason_list()) std::printf("    %s\n", reason);
}

std::string info_json(const assets::RomImage& rom) {
  const assets::RomHeader& h = rom.header();
  JsonArray reasons;
  for (const char* reason : h.reason_list()) reasons.add_raw(json_string(reason));
  JsonObject o;
  o.add("title", h.title())
      .add("mapping", assets::mapping_name(h.mapping))
      .add("chip", assets::chip_name(h.chip))
      .add("copier_header", rom.copier_header())
      .add("rom_size", h.rom_size)
      .add("ram_size", h.ram_size)
      .add("region", std::uint32_t{h.region})
      .add("version", std::uint32_t{h.version})
      .add("checksum_stored", std::uint32_t{h.checksum})
      .add("checksum_computed", std::uint32_t{h.computed_checksum})
      .add("checksum_valid", h.checksum_valid())
      .add("score", h.score)
      .add_raw("reasons", reasons.str());
  return o.str();
}

int run_info(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("rom info takes one ROM file");
  const std::string& path = args->positional[0];
  auto input = Input::open({path});
  if (!input) return report(path, input.error());
  assets::RomOptions options;
  options.tracker = &tracker();
  options.cache_pages = 0;  // info reads the header and sums the image once: no page is read twice
  auto rom = assets::RomImage::open((*input)->source(), options);
  if (!rom) return report(path, rom.error());
  if (args->has("--json")) std::printf("%s\n", info_json(*rom).c_str());
  else print_text(path, *rom);
  return kOk;
}

// A ROM location as written on the command line: an image offset (decimal or
// 0x hex) or a bus address ($BB:AAAA or BB:AAAA, hex).
struct Location {
  bool bus = false;
  std::uint64_t value = 0;
};

std::optional<std::uint64_t> parse_number(const std::string& text, int base) {
  if (text.empty() || !std::isxdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text.c_str(), &end, base);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return std::uint64_t{n};
}

std::optional<Location> parse_location(std::string text) {
  if (text.find(':') != std::string::npos) {
    if (text[0] == '$') text.erase(0, 1);
    const std::size_t colon = text.find(':');
    const std::string bank = text.substr(0, colon);
    const std::string addr = text.substr(colon + 1);
    const auto b = parse_number(bank, 16);
    const auto a = parse_number(addr, 16);
    if (bank.empty() || bank.size() > 2 || addr.empty() || addr.size() > 4 || !b || !a) return std::nullopt;
    return Location{true, *b << 16 | *a};
  }
  if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) {
    auto n = parse_number(text.substr(2), 16);
    if (!n) return std::nullopt;
    return Location{false, *n};
  }
  if (text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  auto n = parse_number(text, 10);
  if (!n) return std::nullopt;
  return Location{false, *n};
}

// The image offset of `where`: bus addresses through the ROM's mapping.
core::Result<std::uint64_t> image_offset(const assets::RomImage& rom, const Location& where) {
  if (where.bus)
    return assets::to_offset(rom.header().mapping, static_cast<std::uint32_t>(where.value), rom.size());
  if (where.value >= rom.size()) return core::make_error(core::Errc::invalid_argument, "offset past the image's end");
  return where.value;
}

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

int run_tiles(const std::vector<std::string>& argv) {
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
  const auto where = parse_location(*offset_text);
  if (!where) return usage_error("--offset takes a number (decimal or 0x hex) or a bus address $BB:AAAA");

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
  std::optional<Location> palette_where;
  std::size_t palette_count = assets::tile_colors(format);
  std::size_t palette_number = 0;
  if (rom_palette) {
    palette_where = parse_location(*args->value("--palette-offset"));
    if (!palette_where) return usage_error("--palette-offset takes a number or a bus address $BB:AAAA");
    if (auto v = args->value("--palette-count")) {
      auto n = parse_positive(*v);
      if (!n || *n > assets::kCgramColors) return usage_error("--palette-count takes a number from 1 to 256");
      palette_count = *n;
    }
  }
  if (auto v = args->value("--palette")) {
    auto n = parse_number(*v, 10);
    if (!n || v->find_first_not_of("0123456789") != std::string::npos || *n > 255)
      return usage_error("--palette takes a palette number");
    palette_number = static_cast<std::size_t>(*n);
  }

  auto input = Input::open({path});
  if (!input) return report(path, input.error());
  assets::RomOptions rom_options;
  rom_options.tracker = &tracker();
  rom_options.cache_pages = 0;  // tiles and palette are read once, in 1 KiB pieces
  auto rom = assets::RomImage::open((*input)->source(), rom_options);
  if (!rom) return report(path, rom.error());
  auto offset = image_offset(*rom, *where);
  if (!offset) return report(path + ": --offset", offset.error());

  // The palette: the ROM's, a CGRAM dump's sub-palette, or a grey ramp.
  assets::Palette palette = assets::grayscale_palette(format);
  std::string palette_text = "grayscale";
  if (palette_where) {
    auto at = image_offset(*rom, *palette_where);
    if (!at) return report(path + ": --palette-offset", at.error());
    auto p = assets::read_palette(*rom, *at, palette_count);
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
    core::SubSource image((*input)->source(), rom->copier_header() ? 512 : 0, rom->size());
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
    auto made = assets::make_tile_sheet(*rom, *offset, sheet_options);
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

}  // namespace

int run_rom(const std::vector<std::string>& argv) {
  if (argv.empty()) return usage_error("rom needs a subcommand: info, tiles");
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (argv.front() == "info") return run_info(rest);
  if (argv.front() == "tiles") return run_tiles(rest);
  return usage_error("unknown rom subcommand '" + argv.front() + "' (rom info ROM [--json]; rom tiles ROM ...)");
}

}  // namespace frugal::cli
