#include <frugal/assets/tiles.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace frugal::assets {

using core::Errc;
using core::make_error;

namespace {

// Planes 2k and 2k+1 of row y sit at 16k + 2y and 16k + 2y + 1.
void decode_planar(std::span<const std::byte> tile, std::size_t plane_pairs,
                   std::span<std::uint8_t, kTilePixels> pixels) noexcept {
  for (std::size_t y = 0; y < kTileSide; ++y) {
    std::uint8_t* row = pixels.data() + y * kTileSide;
    std::fill(row, row + kTileSide, std::uint8_t{0});
    for (std::size_t pair = 0; pair < plane_pairs; ++pair) {
      const unsigned lo = std::to_integer<unsigned>(tile[16 * pair + 2 * y]);
      const unsigned hi = std::to_integer<unsigned>(tile[16 * pair + 2 * y + 1]);
      for (std::size_t x = 0; x < kTileSide; ++x) {
        const unsigned shift = 7 - static_cast<unsigned>(x);  // bit 7 is the leftmost pixel
        const unsigned bits = ((lo >> shift) & 1u) | (((hi >> shift) & 1u) << 1);
        row[x] = static_cast<std::uint8_t>(row[x] | (bits << (2 * pair)));
      }
    }
  }
}

std::size_t ceil_div(std::size_t a, std::size_t b) noexcept { return a / b + (a % b != 0); }

// v <= UINT32_MAX, without a comparison that is always true where size_t
// has 32 bits (-Wtype-limits on armhf and Cortex-M).
template <typename T>
constexpr bool fits_u32(T v) noexcept {
  if constexpr (sizeof(T) > 4) return v <= T{0xFFFFFFFFu};
  else return true;
}

core::Result<TileSheet> allocate_sheet(const TileSheetOptions& options) {
  FRUGAL_TRY(const std::size_t bytes, tile_sheet_bytes(options));
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account(kTileAccount));
  // Charged before it is allocated: past the budget nothing is allocated.
  auto buffer = mem::TrackedBuffer::try_allocate(account, bytes);
  if (!buffer) return make_error(Errc::out_of_memory, "tiles: the sheet's pixels exceed the memory budget");
  TileSheet sheet;
  sheet.format = options.format;
  sheet.count = options.count;
  sheet.columns = options.columns;
  sheet.width = static_cast<std::uint32_t>(options.columns * kTileSide);
  sheet.height = static_cast<std::uint32_t>(ceil_div(options.count, options.columns) * kTileSide);
  sheet.pixels = std::move(*buffer);
  std::memset(sheet.pixels.span().data(), 0, bytes);  // cells past the last tile: colour 0
  return sheet;
}

// Decodes tile `index` of the sheet from `bytes` into its cell.
void place_tile(TileSheet& sheet, std::size_t index, std::span<const std::byte> bytes) noexcept {
  std::array<std::uint8_t, kTilePixels> pixels{};
  (void)decode_tile(sheet.format, bytes, pixels);  // `bytes` holds a whole tile: callers slice it
  const std::size_t x0 = (index % sheet.columns) * kTileSide;
  const std::size_t y0 = (index / sheet.columns) * kTileSide;
  auto* out = reinterpret_cast<std::uint8_t*>(sheet.pixels.span().data());
  for (std::size_t y = 0; y < kTileSide; ++y)
    std::memcpy(out + (y0 + y) * sheet.width + x0, pixels.data() + y * kTileSide, kTileSide);
}

// Reads the tiles a chunk at a time through `read(offset, dst)`.
template <typename Read>
core::Result<TileSheet> sheet_from_reads(std::uint64_t offset, const TileSheetOptions& options, Read&& read) {
  FRUGAL_TRY(TileSheet sheet, allocate_sheet(options));
  const std::size_t per_tile = tile_bytes(options.format);
  std::array<std::byte, 1024> chunk;
  const std::size_t per_chunk = chunk.size() / per_tile;
  for (std::size_t first = 0; first < options.count; first += per_chunk) {
    const std::size_t n = std::min(per_chunk, options.count - first);
    const std::span<std::byte> dst(chunk.data(), n * per_tile);
    FRUGAL_CHECK(read(offset + std::uint64_t{first} * per_tile, dst));
    for (std::size_t i = 0; i < n; ++i) place_tile(sheet, first + i, dst.subspan(i * per_tile, per_tile));
  }
  return sheet;
}

Palette palette_from_words(std::span<const std::byte> bgr555) noexcept {
  Palette p;
  p.count = bgr555.size() / 2;
  for (std::size_t i = 0; i < p.count; ++i)
    p.colors[i] = bgr555_to_rgba8(static_cast<std::uint16_t>(std::to_integer<unsigned>(bgr555[2 * i]) |
                                                             std::to_integer<unsigned>(bgr555[2 * i + 1]) << 8));
  return p;
}

}  // namespace

const char* tile_format_name(TileFormat format) noexcept {
  switch (format) {
    case TileFormat::bpp2: return "2bpp";
    case TileFormat::bpp4: return "4bpp";
    case TileFormat::bpp8: return "8bpp";
    case TileFormat::mode7: return "mode7";
  }
  return "?";
}

std::size_t tile_bytes(TileFormat format) noexcept {
  switch (format) {
    case TileFormat::bpp2: return 16;
    case TileFormat::bpp4: return 32;
    case TileFormat::bpp8:
    case TileFormat::mode7: return 64;
  }
  return 64;
}

std::size_t tile_colors(TileFormat format) noexcept {
  switch (format) {
    case TileFormat::bpp2: return 4;
    case TileFormat::bpp4: return 16;
    case TileFormat::bpp8:
    case TileFormat::mode7: return 256;
  }
  return 256;
}

core::Result<void> decode_tile(TileFormat format, std::span<const std::byte> tile,
                               std::span<std::uint8_t, kTilePixels> pixels) noexcept {
  if (tile.size() < tile_bytes(format)) return make_error(Errc::invalid_argument, "tiles: fewer bytes than one tile");
  switch (format) {
    case TileFormat::bpp2: decode_planar(tile, 1, pixels); break;
    case TileFormat::bpp4: decode_planar(tile, 2, pixels); break;
    case TileFormat::bpp8: decode_planar(tile, 4, pixels); break;
    case TileFormat::mode7:
      for (std::size_t i = 0; i < kTilePixels; ++i) pixels[i] = std::to_integer<std::uint8_t>(tile[i]);
      break;
  }
  return core::ok();
}

Rgba8 bgr555_to_rgba8(std::uint16_t color) noexcept {
  const auto expand = [](unsigned v) { return static_cast<std::uint8_t>(v << 3 | v >> 2); };
  return Rgba8{expand(color & 0x1Fu), expand((color >> 5) & 0x1Fu), expand((color >> 10) & 0x1Fu), 255};
}

core::Result<Palette> read_palette(std::span<const std::byte> bgr555) noexcept {
  if (bgr555.empty()) return make_error(Errc::invalid_argument, "palette: no colours");
  if (bgr555.size() % 2) return make_error(Errc::invalid_argument, "palette: odd byte count");
  if (bgr555.size() > kCgramBytes) return make_error(Errc::invalid_argument, "palette: more than 256 colours");
  return palette_from_words(bgr555);
}

core::Result<Palette> read_cgram(std::span<const std::byte> dump) noexcept {
  if (dump.size() != kCgramBytes) return make_error(Errc::malformed, "CGRAM dump is not 512 bytes");
  return palette_from_words(dump);
}

core::Result<Palette> read_palette(RomImage& rom, std::uint64_t offset, std::size_t count) {
  if (count == 0 || count > kCgramColors)
    return make_error(Errc::invalid_argument, "palette: colour count not in 1-256");
  std::array<std::byte, kCgramBytes> words;
  FRUGAL_CHECK(rom.read(offset, std::span(words.data(), count * 2)));
  return palette_from_words(std::span(words.data(), count * 2));
}

core::Result<Palette> read_palette(core::ByteSource& source, std::uint64_t offset, std::size_t count) {
  if (count == 0 || count > kCgramColors)
    return make_error(Errc::invalid_argument, "palette: colour count not in 1-256");
  std::array<std::byte, kCgramBytes> words;
  FRUGAL_CHECK(core::read_exact(source, offset, std::span(words.data(), count * 2)));
  return palette_from_words(std::span(words.data(), count * 2));
}

core::Result<Palette> sub_palette(const Palette& palette, TileFormat format, std::size_t number) noexcept {
  if (format == TileFormat::bpp8 || format == TileFormat::mode7) {
    if (number != 0) return make_error(Errc::invalid_argument, "palette: 8bpp and mode 7 use the whole palette");
    return palette;
  }
  const std::size_t n = tile_colors(format);
  // number <= 256 keeps number * n from overflowing.
  if (number >= kCgramColors || number * n + n > palette.count)
    return make_error(Errc::invalid_argument, "palette: sub-palette past the colours given");
  Palette p;
  p.count = n;
  std::copy_n(palette.colors.begin() + static_cast<std::ptrdiff_t>(number * n), n, p.colors.begin());
  return p;
}

Palette grayscale_palette(TileFormat format) noexcept {
  Palette p;
  p.count = tile_colors(format);
  for (std::size_t i = 0; i < p.count; ++i) {
    const auto v = static_cast<std::uint8_t>(i * 255 / (p.count - 1));
    p.colors[i] = Rgba8{v, v, v, 255};
  }
  return p;
}

std::span<const std::uint8_t> TileSheet::row(std::uint32_t y) const noexcept {
  FRUGAL_ASSERT(y < height);
  const auto* base = reinterpret_cast<const std::uint8_t*>(pixels.span().data());
  return {base + std::size_t{y} * width, width};
}

core::Result<std::size_t> tile_sheet_bytes(const TileSheetOptions& options) noexcept {
  if (options.count == 0) return make_error(Errc::invalid_argument, "tiles: no tiles asked for");
  if (options.columns == 0) return make_error(Errc::invalid_argument, "tiles: zero columns");
  if (options.count > options.max_tiles) return make_error(Errc::limit_exceeded, "tiles: more tiles than max_tiles");
  // Compared in tiles first: columns * 8 cannot overflow once columns <= max_width / 8.
  if (options.columns > options.max_width / kTileSide)
    return make_error(Errc::limit_exceeded, "tiles: sheet wider than max_width");
  const std::size_t rows = ceil_div(options.count, options.columns);
  if (rows > options.max_height / kTileSide) return make_error(Errc::limit_exceeded, "tiles: sheet taller than max_height");
  const std::size_t width = options.columns * kTileSide;
  const std::size_t height = rows * kTileSide;
  // A caller's caps may be large: the product must fit size_t (32 bits on armhf)
  // and the uint32_t dimensions.
  if (!fits_u32(width) || !fits_u32(height) || height > SIZE_MAX / width)
    return make_error(Errc::limit_exceeded, "tiles: sheet larger than memory can address");
  return width * height;
}

core::Result<TileSheet> make_tile_sheet(std::span<const std::byte> tiles, const TileSheetOptions& options) {
  FRUGAL_TRY(const std::size_t bytes, tile_sheet_bytes(options));
  (void)bytes;
  const std::size_t per_tile = tile_bytes(options.format);
  // count <= max_tiles was checked, but max_tiles is the caller's: no overflow either way.
  if (options.count > tiles.size() / per_tile)
    return make_error(Errc::invalid_argument, "tiles: fewer bytes than the tiles asked for");
  FRUGAL_TRY(TileSheet sheet, allocate_sheet(options));
  for (std::size_t i = 0; i < options.count; ++i) place_tile(sheet, i, tiles.subspan(i * per_tile, per_tile));
  return sheet;
}

core::Result<TileSheet> make_tile_sheet(RomImage& rom, std::uint64_t offset, const TileSheetOptions& options) {
  FRUGAL_CHECK(tile_sheet_bytes(options));
  const std::uint64_t per_tile = tile_bytes(options.format);
  const std::uint64_t size = rom.size();
  if (offset > size || std::uint64_t{options.count} > (size - offset) / per_tile)
    return make_error(Errc::invalid_argument, "tiles: past the image's end", offset);
  return sheet_from_reads(offset, options,
                          [&rom](std::uint64_t at, std::span<std::byte> dst) { return rom.read(at, dst); });
}

core::Result<TileSheet> make_tile_sheet(core::ByteSource& source, std::uint64_t offset,
                                        const TileSheetOptions& options) {
  FRUGAL_CHECK(tile_sheet_bytes(options));
  const std::uint64_t per_tile = tile_bytes(options.format);
  // Reading offset + count * per_tile must not wrap (count * 64 fits easily;
  // offset is the caller's).
  if (offset > UINT64_MAX - std::uint64_t{options.count} * per_tile)
    return make_error(Errc::invalid_argument, "tiles: past the image's end", offset);
  return sheet_from_reads(offset, options, [&source](std::uint64_t at, std::span<std::byte> dst) {
    return core::read_exact(source, at, dst);
  });
}

}  // namespace frugal::assets
