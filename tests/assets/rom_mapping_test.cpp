// Bus address ↔ image offset for each mapping: known points, rejections,
// and the round trip over whole images.
#include <frugal/assets/rom_mapping.hpp>

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace frugal::assets {
namespace {

using core::Errc;

constexpr std::uint64_t k4M = 0x400000;
constexpr std::uint64_t k8M = 0x800000;

std::uint64_t offset_of(RomMapping m, std::uint32_t address, std::uint64_t size = k4M) {
  auto r = to_offset(m, address, size);
  EXPECT_TRUE(r) << std::hex << address << ": " << (r ? "" : r.error().message);
  return r ? *r : ~std::uint64_t{0};
}

void expect_unmapped(RomMapping m, std::uint32_t address, std::uint64_t size = k4M) {
  auto r = to_offset(m, address, size);
  ASSERT_FALSE(r) << mapping_name(m) << " " << std::hex << address << " → " << *r;
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(ToOffset, LoROM) {
  EXPECT_EQ(offset_of(RomMapping::lorom, 0x008000), 0x0u);
  EXPECT_EQ(offset_of(RomMapping::lorom, 0x00FFC0), 0x7FC0u);  // the header
  EXPECT_EQ(offset_of(RomMapping::lorom, 0x018000), 0x8000u);
  EXPECT_EQ(offset_of(RomMapping::lorom, 0x808000), 0x0u);     // FastROM mirror
  EXPECT_EQ(offset_of(RomMapping::lorom, 0xFFFFFF), 0x3FFFFFu);
  EXPECT_EQ(offset_of(RomMapping::lorom, 0x7D8000), 0x3E8000u);
  expect_unmapped(RomMapping::lorom, 0x007FFF);  // below $8000: system area, not ROM
  expect_unmapped(RomMapping::lorom, 0x400000);
  expect_unmapped(RomMapping::lorom, 0x7E8000);  // work RAM
  expect_unmapped(RomMapping::lorom, 0x7F8000);
  expect_unmapped(RomMapping::lorom, 0x088000, 0x40000);  // past a 256 KiB image
  expect_unmapped(RomMapping::lorom, 0x1000000);          // wider than 24 bits
}

TEST(ToOffset, HiROM) {
  EXPECT_EQ(offset_of(RomMapping::hirom, 0xC00000), 0x0u);
  EXPECT_EQ(offset_of(RomMapping::hirom, 0x00FFC0), 0xFFC0u);  // the header
  EXPECT_EQ(offset_of(RomMapping::hirom, 0x408000), 0x8000u);
  EXPECT_EQ(offset_of(RomMapping::hirom, 0x400000), 0x0u);
  EXPECT_EQ(offset_of(RomMapping::hirom, 0xFFFFFF), 0x3FFFFFu);
  EXPECT_EQ(offset_of(RomMapping::hirom, 0x3F8000), 0x3F8000u);
  expect_unmapped(RomMapping::hirom, 0x007FFF);
  expect_unmapped(RomMapping::hirom, 0x806000);  // SRAM/system area
  expect_unmapped(RomMapping::hirom, 0x7E0000);
  expect_unmapped(RomMapping::hirom, 0xD00000, 0x100000);  // past a 1 MiB image
}

TEST(ToOffset, ExHiROMPutsTheLowBanksPast4MiB) {
  EXPECT_EQ(offset_of(RomMapping::exhirom, 0x00FFC0, k8M), 0x40FFC0u);  // the header the CPU reads
  EXPECT_EQ(offset_of(RomMapping::exhirom, 0xC0FFC0, k8M), 0xFFC0u);
  EXPECT_EQ(offset_of(RomMapping::exhirom, 0x400000, k8M), 0x400000u);
  EXPECT_EQ(offset_of(RomMapping::exhirom, 0x7DFFFF, k8M), 0x7DFFFFu);
  EXPECT_EQ(offset_of(RomMapping::exhirom, 0x3E8000, k8M), 0x7E8000u);
  EXPECT_EQ(offset_of(RomMapping::exhirom, 0x808000, k8M), 0x8000u);
  expect_unmapped(RomMapping::exhirom, 0x7E0000, k8M);
  expect_unmapped(RomMapping::exhirom, 0x000000, k8M);
  expect_unmapped(RomMapping::exhirom, 0x400000, k4M);  // a 4 MiB image has no second part
}

TEST(ToOffset, ExLoROM) {
  EXPECT_EQ(offset_of(RomMapping::exlorom, 0x00FFC0, k8M), 0x407FC0u);
  EXPECT_EQ(offset_of(RomMapping::exlorom, 0x80FFC0, k8M), 0x7FC0u);
  EXPECT_EQ(offset_of(RomMapping::exlorom, 0x7DFFFF, k8M), 0x7EFFFFu);
  expect_unmapped(RomMapping::exlorom, 0x000000, k8M);
}

TEST(ToOffset, SA1PowerOnBanks) {
  EXPECT_EQ(offset_of(RomMapping::sa1, 0x00FFC0), 0x7FC0u);
  EXPECT_EQ(offset_of(RomMapping::sa1, 0x208000), 0x100000u);  // 2nd MiB
  EXPECT_EQ(offset_of(RomMapping::sa1, 0x808000), 0x200000u);  // 3rd MiB
  EXPECT_EQ(offset_of(RomMapping::sa1, 0xA08000), 0x300000u);  // 4th MiB
  EXPECT_EQ(offset_of(RomMapping::sa1, 0xC00000), 0x0u);
  EXPECT_EQ(offset_of(RomMapping::sa1, 0xF00000), 0x300000u);
  expect_unmapped(RomMapping::sa1, 0x400000);  // I-RAM/BW-RAM
  expect_unmapped(RomMapping::sa1, 0x006000);
}

TEST(ToAddress, CanonicalAddresses) {
  EXPECT_EQ(*to_address(RomMapping::lorom, 0x7FC0, k4M), 0x80FFC0u);
  EXPECT_EQ(*to_address(RomMapping::hirom, 0xFFC0, k4M), 0xC0FFC0u);
  EXPECT_EQ(*to_address(RomMapping::exhirom, 0x40FFC0, k8M), 0x40FFC0u);
  EXPECT_EQ(*to_address(RomMapping::exlorom, 0x407FC0, k8M), 0x00FFC0u);
  EXPECT_EQ(*to_address(RomMapping::exhirom, 0x7F9000, k8M), 0x3F9000u);
  EXPECT_FALSE(to_address(RomMapping::lorom, k4M, k8M));
  EXPECT_FALSE(to_address(RomMapping::hirom, 0x100, 0x100));
  EXPECT_FALSE(to_address(RomMapping::exhirom, 0x7E1000, k8M));
  EXPECT_FALSE(to_address(RomMapping::exlorom, 0x7F0000, k8M));
}

// Property: to_offset(to_address(o)) == o for every offset the mapping can
// reach, across image sizes; the offsets it cannot reach are exactly the
// documented ones.
TEST(RoundTrip, EveryReachableOffsetComesBack) {
  struct Case {
    RomMapping mapping;
    std::uint64_t size;
  };
  for (const Case c : {Case{RomMapping::lorom, 0x8000}, Case{RomMapping::lorom, 0x180000}, Case{RomMapping::lorom, k4M},
                       Case{RomMapping::hirom, 0x10000}, Case{RomMapping::hirom, 0x300000}, Case{RomMapping::hirom, k4M},
                       Case{RomMapping::sa1, 0x200000}, Case{RomMapping::sa1, k4M},
                       Case{RomMapping::exlorom, 0x600000}, Case{RomMapping::exlorom, k8M},
                       Case{RomMapping::exhirom, 0x600000}, Case{RomMapping::exhirom, k8M}}) {
    std::uint64_t unreachable = 0;
    // Every 251st byte (a prime stride: every in-bank position comes up) and both ends of each 32 KiB.
    std::vector<std::uint64_t> offsets;
    for (std::uint64_t o = 0; o < c.size; o += 251) offsets.push_back(o);
    for (std::uint64_t o = 0; o < c.size; o += 0x8000) offsets.insert(offsets.end(), {o, o + 0x7FFF});
    for (const std::uint64_t o : offsets) {
      auto address = to_address(c.mapping, o, c.size);
      if (!address) {
        const bool documented = (c.mapping == RomMapping::exlorom && o >= 0x7F0000) ||
                                (c.mapping == RomMapping::exhirom && o >= 0x7E0000 && (o & 0xFFFF) < 0x8000);
        EXPECT_TRUE(documented) << mapping_name(c.mapping) << " offset " << std::hex << o;
        ++unreachable;
        continue;
      }
      auto back = to_offset(c.mapping, *address, c.size);
      ASSERT_TRUE(back) << mapping_name(c.mapping) << std::hex << " offset " << o << " address " << *address;
      EXPECT_EQ(*back, o) << mapping_name(c.mapping) << std::hex << " address " << *address;
    }
    if (c.size < k8M) {
      EXPECT_EQ(unreachable, 0u) << mapping_name(c.mapping);
    }
  }
}

// And the other way: every mapped address of a bank sample lands inside the
// image and comes back to an address that reads the same offset.
TEST(RoundTrip, EveryMappedAddressReadsItsCanonicalTwin) {
  for (const RomMapping m : {RomMapping::lorom, RomMapping::hirom, RomMapping::exlorom, RomMapping::exhirom,
                             RomMapping::sa1}) {
    for (std::uint32_t bank = 0; bank < 0x100; ++bank) {
      for (const std::uint32_t addr : {0x0000u, 0x6000u, 0x7FFFu, 0x8000u, 0xFFC0u, 0xFFFFu}) {
        const std::uint32_t address = bank << 16 | addr;
        auto offset = to_offset(m, address, k8M);
        if (!offset) continue;
        ASSERT_LT(*offset, k8M);
        auto canonical = to_address(m, *offset, k8M);
        ASSERT_TRUE(canonical) << mapping_name(m) << std::hex << " " << address;
        EXPECT_EQ(*to_offset(m, *canonical, k8M), *offset);
      }
    }
  }
}

}  // namespace
}  // namespace frugal::assets
