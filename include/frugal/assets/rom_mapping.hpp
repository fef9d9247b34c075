#pragma once
// SNES memory maps: a 24-bit bus address (bank:addr, written $BB:AAAA and
// passed as 0xBBAAAA) to an offset in the ROM image and back.
//
// Offsets are image offsets in bytes: a copier header is not part of the
// image (RomImage reports it and skips it). Only ROM is mapped: work RAM
// (banks $7E-$7F), the system area and SRAM below $8000 in the low banks,
// and offsets at or past the image's end are errors, never mirrored
// (sources: fullsnes "SNES Cartridge ROM Mapping", docs/ANCHORS.md).
// Thread-safety: pure functions.

#include <frugal/core/result.hpp>

#include <cstdint>

namespace frugal::assets {

/// How the cartridge puts its ROM on the bus.
enum class RomMapping : std::uint8_t {
  lorom,    ///< mode $20/$30: 32 KiB per bank at $8000-$FFFF; banks $00-$7D and $80-$FF, up to 4 MiB
  hirom,    ///< mode $21/$31: 64 KiB per bank at $C0-$FF (and $40-$7D), upper halves at $00-$3F/$80-$BF, up to 4 MiB
  exlorom,  ///< unofficial (mode $30/$32 at $407FC0): LoROM with the first 4 MiB at banks $80-$FF, the rest at $00-$7D
  exhirom,  ///< mode $25/$35: HiROM with the first 4 MiB at banks $C0-$FF, the rest at $40-$7D (+0x400000)
  sa1,      ///< mode $23/$33 (SA-1): the power-on Super MMC banks (CXB..FXB = 0..3): banks $00-$3F
            ///< and $80-$BF LoROM-style (1st+2nd, 3rd+4th MiB), the whole 4 MiB at $C0-$FF
};

/// "lorom", "hirom", "exlorom", "exhirom", "sa1".
const char* mapping_name(RomMapping mapping) noexcept;

/// The image offset bus address `address` (0xBBAAAA) reads under `mapping`,
/// in an image of `image_bytes`.
/// - LoROM: `(bank & 0x7F) * 0x8000 + addr - 0x8000`, addr >= $8000.
/// - HiROM: `(bank & 0x3F) << 16 | addr`; banks $00-$3F/$80-$BF only at addr >= $8000.
/// - ExLoROM: LoROM, plus 0x400000 for banks $00-$7D.
/// - ExHiROM: HiROM, plus 0x400000 for banks $00-$7D.
/// - SA-1: `((bank & 0x80) >> 1 | bank & 0x3F) * 0x8000 + addr - 0x8000` in
///   banks $00-$3F/$80-$BF (addr >= $8000), `(bank & 0x3F) << 16 | addr` in $C0-$FF.
/// Errors: Errc::invalid_argument (static message) for an address past 24
/// bits, in work RAM ($7E-$7F), in a bank or half-bank that holds no ROM
/// under this mapping, or past the image's end.
core::Result<std::uint64_t> to_offset(RomMapping mapping, std::uint32_t address, std::uint64_t image_bytes);

/// The canonical bus address of image offset `offset`: LoROM and ExLoROM's
/// first 4 MiB in banks $80-$FF (the FastROM mirror, without the work-RAM
/// hole), HiROM, ExHiROM's first 4 MiB and SA-1 in banks $C0-$FF, the
/// ExLoROM/ExHiROM rest in banks $00-$7D (ExHiROM's last 128 KiB through
/// the upper halves of $3E-$3F). to_offset(to_address(o)) == o.
/// Errors: Errc::invalid_argument for an offset past the image's end or one
/// the mapping cannot reach (beyond 4 MiB for LoROM/HiROM/SA-1; ExLoROM's
/// offsets from 0x7F0000; ExHiROM's lower halves from 0x7E0000).
core::Result<std::uint32_t> to_address(RomMapping mapping, std::uint64_t offset, std::uint64_t image_bytes);

}  // namespace frugal::assets
