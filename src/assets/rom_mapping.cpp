#include <frugal/assets/rom_mapping.hpp>

namespace frugal::assets {

using core::Errc;
using core::make_error;

namespace {

constexpr std::uint64_t kExOffset = 0x400000;  // where ExLoROM/ExHiROM's second part starts

core::Error unmapped(const char* message) { return make_error(Errc::invalid_argument, message); }

core::Result<std::uint64_t> inside(std::uint64_t offset, std::uint64_t image_bytes) {
  if (offset >= image_bytes) return unmapped("address maps past the end of the ROM image");
  return offset;
}

std::uint32_t address_of(std::uint32_t bank, std::uint64_t addr) {
  return bank << 16 | static_cast<std::uint32_t>(addr);
}

}  // namespace

const char* mapping_name(RomMapping mapping) noexcept {
  switch (mapping) {
    case RomMapping::lorom: return "lorom";
    case RomMapping::hirom: return "hirom";
    case RomMapping::exlorom: return "exlorom";
    case RomMapping::exhirom: return "exhirom";
    case RomMapping::sa1: return "sa1";
  }
  return "lorom";
}

core::Result<std::uint64_t> to_offset(RomMapping mapping, std::uint32_t address, std::uint64_t image_bytes) {
  if (address > 0xFFFFFF) return unmapped("bus address wider than 24 bits");
  const std::uint32_t bank = address >> 16;
  const std::uint32_t addr = address & 0xFFFF;
  if (bank == 0x7E || bank == 0x7F) return unmapped("banks $7E-$7F are work RAM, not ROM");
  const bool upper_half = addr >= 0x8000;
  switch (mapping) {
    case RomMapping::lorom:
    case RomMapping::exlorom: {
      if (!upper_half) return unmapped("address below $8000 in a LoROM bank is not ROM");
      const std::uint64_t offset = std::uint64_t{bank & 0x7F} * 0x8000 + (addr - 0x8000);
      const bool second_part = mapping == RomMapping::exlorom && bank < 0x80;
      return inside(second_part ? kExOffset + offset : offset, image_bytes);
    }
    case RomMapping::hirom:
    case RomMapping::exhirom: {
      // Banks $40-$7D and $C0-$FF hold whole banks; the others only their upper halves.
      if ((bank & 0x40) == 0 && !upper_half) return unmapped("address below $8000 in banks $00-$3F/$80-$BF is not ROM");
      const std::uint64_t offset = std::uint64_t{bank & 0x3F} << 16 | addr;
      const bool second_part = mapping == RomMapping::exhirom && bank < 0x80;
      return inside(second_part ? kExOffset + offset : offset, image_bytes);
    }
    case RomMapping::sa1: {
      if (bank & 0x40) {
        if (bank < 0x80) return unmapped("banks $40-$7D are SA-1 I-RAM/BW-RAM, not ROM");
        return inside(std::uint64_t{bank & 0x3F} << 16 | addr, image_bytes);
      }
      if (!upper_half) return unmapped("address below $8000 in an SA-1 LoROM bank is not ROM");
      const std::uint64_t block = (bank & 0x80) >> 1 | (bank & 0x3F);
      return inside(block * 0x8000 + (addr - 0x8000), image_bytes);
    }
  }
  return unmapped("unknown mapping");
}

core::Result<std::uint32_t> to_address(RomMapping mapping, std::uint64_t offset, std::uint64_t image_bytes) {
  if (offset >= image_bytes) return unmapped("offset past the end of the ROM image");
  switch (mapping) {
    case RomMapping::lorom:
    case RomMapping::exlorom: {
      if (offset < kExOffset) return address_of(0x80 | static_cast<std::uint32_t>(offset / 0x8000), 0x8000 + offset % 0x8000);
      if (mapping == RomMapping::lorom) return unmapped("LoROM maps at most 4 MiB");
      const std::uint64_t bank = (offset - kExOffset) / 0x8000;
      if (bank >= 0x7E) return unmapped("ExLoROM cannot reach offsets from 0x7F0000 (banks $7E-$7F are work RAM)");
      return address_of(static_cast<std::uint32_t>(bank), 0x8000 + offset % 0x8000);
    }
    case RomMapping::hirom:
    case RomMapping::sa1:
    case RomMapping::exhirom: {
      if (offset < kExOffset) return address_of(0xC0 | static_cast<std::uint32_t>(offset >> 16), offset & 0xFFFF);
      if (mapping != RomMapping::exhirom) return unmapped("this mapping reaches at most 4 MiB");
      const std::uint64_t rest = offset - kExOffset;
      const auto bank = static_cast<std::uint32_t>(0x40 | rest >> 16);
      if (bank < 0x7E) return address_of(bank, rest & 0xFFFF);
      // $7E-$7F are work RAM: their ROM is seen through the upper halves of $3E-$3F.
      if ((rest & 0xFFFF) < 0x8000) return unmapped("ExHiROM cannot reach the lower halves from 0x7E0000");
      return address_of(bank & 0x3F, rest & 0xFFFF);
    }
  }
  return unmapped("unknown mapping");
}

}  // namespace frugal::assets
