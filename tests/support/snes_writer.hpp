#pragma once
// Test-only SNES ROM images: pseudo-random filler with one cartridge header
// at the layout's location (fields as fullsnes "SNES Cartridge ROM Header"
// lists them), a reset vector, and a checksum pair that matches the image
// (the remainder of a non-power-of-two size mirrored, as snes9x sums it).
// Independent of src/assets: the checksum is computed on an image expanded
// to a power of two, not by the library's recursion.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace frugal::test {

enum class SnesLayout { lorom, hirom, exlorom, exhirom, sa1 };

struct SnesRomSpec {
  SnesLayout layout = SnesLayout::lorom;
  std::size_t size = 256 * 1024;  ///< image bytes (copier header excluded)
  std::string title = "FRUGAL TEST ROM";  ///< raw bytes, padded with spaces to 21
  std::optional<std::uint8_t> map_mode;   ///< default: the layout's ($20, $21, $32, $25, $23)
  std::uint8_t cartridge_type = 0x00;
  std::optional<std::uint8_t> rom_size_code;  ///< default: the smallest log2 KiB holding `size`
  std::uint8_t ram_size_code = 0;
  std::uint8_t region = 1;
  std::uint8_t developer_id = 0x01;
  std::uint8_t version = 0;
  std::uint16_t reset_vector = 0x8000;
  /// Bytes $xxB0-$xxBF (maker code, game code, sizes, sub-type), written
  /// when given (set developer_id = 0x33 for them to count).
  std::optional<std::vector<std::uint8_t>> extended;
  bool copier_header = false;   ///< prepend 512 zero bytes
  bool valid_checksum = true;   ///< false: a pair that does not add up to $FFFF
  std::uint64_t seed = 1;
};

/// Image offset of the header's base ($xxB0) for `layout`.
std::size_t snes_header_base(SnesLayout layout);

/// The file: [copier header] + image.
std::vector<std::byte> make_snes_rom(const SnesRomSpec& spec);

/// The mirrored checksum of `image` (no copier header): the sum of the
/// image expanded to the next power of two, the part past the largest power
/// of two repeated (itself expanded first) until it fills the other half.
std::uint16_t snes_checksum(std::span<const std::byte> image);

/// A HiROM image as interleaving copiers stored it: each 64 KiB bank's
/// upper half before its lower half.
std::vector<std::byte> interleave_hirom(std::span<const std::byte> image);

}  // namespace frugal::test
