#pragma once
// SNES graphics: 8×8 tiles decoded to indexed pixels, BGR555 palettes
// converted to RGBA8, and sprite sheets (tiles laid out on a grid).
//
// Tile formats (fullsnes "SNES PPU Video Memory (VRAM)"; SNESdev wiki
// "Tiles"; docs/ANCHORS.md "SNES ROM images"). A pixel's value is an index
// into a palette; bit 7 of a plane byte is the leftmost pixel of its row.
//   2bpp:  16 bytes; row y = bytes 2y (plane 0), 2y+1 (plane 1).
//   4bpp:  32 bytes; planes 0/1 as a 2bpp tile, then planes 2/3 as another
//          (row y: bytes 2y, 2y+1, 16+2y, 16+2y+1).
//   8bpp:  64 bytes; planes 0/1, 2/3, 4/5, 6/7 as four 2bpp tiles of 16 bytes.
//   mode7: 64 bytes, one byte per pixel (its palette index), left to right,
//          top to bottom. In VRAM, mode 7 character data is the high byte of
//          each 16-bit word, interleaved with the tilemap in the low bytes;
//          games usually store the two apart in ROM and DMA each to its half.
//          The decoder takes the linear character data as stored in ROM
//          (64 consecutive bytes per tile), not a VRAM dump.
//
// Palettes: CGRAM holds 256 colours of one little-endian 16-bit word each,
// 0bbbbbgggggrrrrr (bit 15 unused); a CGRAM dump is 512 bytes. Each 5-bit
// channel v becomes 8 bits as (v << 3) | (v >> 2): 0 → 0, 31 → 255, and the
// steps in between even (the usual choice of emulators and tile editors; a
// plain v << 3 would make white 248).
//
// Everything here is portable (no exceptions, no threads, no filesystem).
// Thread-safety: pure functions and plain values; the sheet builders read
// their source as RomImage::read / ByteSource::read_at allow.

#include <frugal/assets/rom_image.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mem/tracked_resource.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::assets {

/// How a tile's bytes encode its pixels (see the file comment).
enum class TileFormat : std::uint8_t { bpp2, bpp4, bpp8, mode7 };

/// "2bpp", "4bpp", "8bpp", "mode7".
const char* tile_format_name(TileFormat format) noexcept;

/// Pixels per tile side, and per tile.
inline constexpr std::size_t kTileSide = 8;
inline constexpr std::size_t kTilePixels = kTileSide * kTileSide;
/// Largest tile, in bytes (8bpp and mode 7).
inline constexpr std::size_t kMaxTileBytes = 64;

/// Bytes of one tile: 16, 32, 64, 64.
std::size_t tile_bytes(TileFormat format) noexcept;
/// Values a pixel can take: 4, 16, 256, 256.
std::size_t tile_colors(TileFormat format) noexcept;

/// Decodes one tile: `tile` holds at least tile_bytes(format) bytes (the rest
/// is ignored); `pixels` receives 64 palette indexes, row-major, top-left
/// first. Errors: Errc::invalid_argument "tiles: fewer bytes than one tile".
core::Result<void> decode_tile(TileFormat format, std::span<const std::byte> tile,
                               std::span<std::uint8_t, kTilePixels> pixels) noexcept;

/// One colour, 8 bits a channel; a = 255 is opaque.
struct Rgba8 {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
  friend bool operator==(const Rgba8&, const Rgba8&) = default;
};

/// An SNES colour word (0bbbbbgggggrrrrr; bit 15 ignored) as opaque RGBA8,
/// each channel (v << 3) | (v >> 2).
Rgba8 bgr555_to_rgba8(std::uint16_t color) noexcept;

/// Colours in CGRAM, and bytes in a CGRAM dump.
inline constexpr std::size_t kCgramColors = 256;
inline constexpr std::size_t kCgramBytes = kCgramColors * 2;

/// Up to 256 colours (no allocation: 1 KiB in place).
struct Palette {
  std::array<Rgba8, kCgramColors> colors{};
  std::size_t count = 0;  ///< colours in use, [0, count)
  std::span<const Rgba8> view() const noexcept { return {colors.data(), count}; }
};

/// The colours of `bgr555`, one little-endian word each (at most 256).
/// Errors: Errc::invalid_argument "palette: odd byte count" (half a colour)
/// or "palette: more than 256 colours", or "palette: no colours" when empty.
core::Result<Palette> read_palette(std::span<const std::byte> bgr555) noexcept;

/// The 256 colours of a CGRAM dump. Errors: Errc::malformed "CGRAM dump is
/// not 512 bytes" for a dump of any other size.
core::Result<Palette> read_cgram(std::span<const std::byte> dump) noexcept;

/// `count` colours (1-256) at image offset `offset` of `rom`. Errors:
/// Errc::invalid_argument (count out of range; past the image's end, as
/// RomImage::read); Errc::io from the source.
core::Result<Palette> read_palette(RomImage& rom, std::uint64_t offset, std::size_t count);

/// `count` colours (1-256) at byte `offset` of `source`. Errors:
/// Errc::invalid_argument (count out of range); Errc::end_of_stream when the
/// source ends first; the source's (Errc::io).
core::Result<Palette> read_palette(core::ByteSource& source, std::uint64_t offset, std::size_t count);

/// The sub-palette a 2bpp or 4bpp tile with palette number `number` uses, as
/// the PPU picks it: colours [number × 4, +4) for 2bpp, [number × 16, +16)
/// for 4bpp (the PPU's 3-bit palette number; pass BG × 8 + number for a BG
/// of mode 0, whose BGs each take 32 colours, and 8 + number for sprites,
/// which use colours 128-255). 8bpp and mode 7 use the whole palette:
/// `number` must be 0 and the result is `palette` as is.
/// Errors: Errc::invalid_argument "palette: sub-palette past the colours
/// given" when the sub-palette does not fit in `palette.count`, or a
/// non-zero number for 8bpp/mode 7.
core::Result<Palette> sub_palette(const Palette& palette, TileFormat format, std::size_t number) noexcept;

/// A grey ramp over the format's colours: index i of n is
/// i × 255 / (n − 1) in every channel, opaque (for sheets without a palette).
Palette grayscale_palette(TileFormat format) noexcept;

/// What a sheet holds and its caps.
struct TileSheetOptions {
  TileFormat format = TileFormat::bpp4;
  std::size_t count = 0;     ///< tiles, >= 1
  std::size_t columns = 16;  ///< tiles per row of the sheet, >= 1
  /// Caps (Errc::limit_exceeded above them): the tile count and the sheet's
  /// width and height in pixels. The defaults allow 8192 tiles (256 KiB of
  /// 4bpp data, four times VRAM) in a sheet of at most 4096 × 16384 pixels.
  std::size_t max_tiles = 8192;
  std::size_t max_width = 4096;
  std::size_t max_height = 16384;
  /// Tracker for the pixels (account kTileAccount); nullptr:
  /// mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

/// The account sheets charge their pixels to.
inline constexpr const char* kTileAccount = "assets/tiles";

/// `count` tiles on a grid of `columns` per row, as indexed pixels: one
/// byte per pixel (a palette index), row-major, width = columns × 8,
/// height = ceil(count / columns) × 8. Tile i sits at column i % columns,
/// row i / columns; cells past the last tile are colour 0. The pixels are
/// charged to kTileAccount for as long as the sheet lives.
struct TileSheet {
  TileFormat format = TileFormat::bpp4;
  std::size_t count = 0;    ///< tiles
  std::size_t columns = 0;  ///< tiles per row
  std::uint32_t width = 0;  ///< pixels
  std::uint32_t height = 0; ///< pixels
  mem::TrackedBuffer pixels;  ///< width × height bytes

  /// Row `y` (< height): `width` palette indexes.
  std::span<const std::uint8_t> row(std::uint32_t y) const noexcept;
  /// Pixel (x, y), x < width, y < height.
  std::uint8_t at(std::uint32_t x, std::uint32_t y) const noexcept { return row(y)[x]; }
};

/// Bytes a sheet of `options` holds (width × height), checking the caps.
/// Errors: Errc::invalid_argument (count or columns 0); Errc::limit_exceeded
/// ("tiles: more tiles than max_tiles", "tiles: sheet wider than
/// max_width", "tiles: sheet taller than max_height").
core::Result<std::size_t> tile_sheet_bytes(const TileSheetOptions& options) noexcept;

/// A sheet of the first `options.count` tiles of `tiles` (e.g. a decompressed
/// HAL block). Errors: tile_sheet_bytes's; Errc::invalid_argument "tiles:
/// fewer bytes than the tiles asked for"; Errc::out_of_memory when the
/// pixels would pass the tracker's budget or a hard limit (checked before
/// anything is allocated) or the heap refuses.
core::Result<TileSheet> make_tile_sheet(std::span<const std::byte> tiles, const TileSheetOptions& options);

/// A sheet of `options.count` tiles read from image offset `offset` of `rom`,
/// a few tiles at a time (1 KiB on the stack) through its page cache.
/// Errors: as above, with Errc::invalid_argument "tiles: past the image's
/// end" when the tiles do not all lie in the image (checked first, without
/// overflow); Errc::io from the source.
core::Result<TileSheet> make_tile_sheet(RomImage& rom, std::uint64_t offset, const TileSheetOptions& options);

/// As above from byte `offset` of `source`. Errors: as above, with
/// Errc::end_of_stream when the source ends before the last tile.
core::Result<TileSheet> make_tile_sheet(core::ByteSource& source, std::uint64_t offset,
                                        const TileSheetOptions& options);

}  // namespace frugal::assets
