// Every ROM in ../shared/media/rom (skipped when the folder is absent):
// LoROM, titles as MANIFEST.tsv gives them, and the checksum summed here
// byte by byte. None of these homebrew ROMs carries a correct checksum: the
// three undisbeliever ones store the placeholder pair $5555/$AAAA (a
// complementary pair, not the sum), tellinglys $0000/$0000.
#include <frugal/assets/rom_image.hpp>
#include <frugal/core/file_source.hpp>

#include "support/media.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace frugal::assets {
namespace {

struct Expected {
  const char* title;
  std::uint8_t map_mode;
  std::uint16_t checksum;  // stored
  std::uint16_t complement;
  std::uint16_t sum;  // computed with Python: sum(open(f, 'rb').read()) & 0xFFFF
};

const std::map<std::string, Expected> kExpected{
    {"snes-test-roms__tepples-tellinglys_tellinglys.sfc", {"PINO'S LOROM TEMPLATE", 0x20, 0x0000, 0x0000, 0x918B}},
    {"snes-test-roms__undisbeliever-inidisp_hdma-2100-glitch.sfc", {"HDMA 2100 GLITCH TEST", 0x30, 0x5555, 0xAAAA, 0x83D7}},
    {"snes-test-roms__undisbeliever-inidisp_inidisp_hammer_0f.sfc", {"INIDISP HAMMER TEST", 0x30, 0x5555, 0xAAAA, 0x5D24}},
    {"snes-test-roms__undisbeliever-inidisp_scpu-a-dma-bug-1.sfc", {"SCPU-A DMA BUG TEST", 0x30, 0x5555, 0xAAAA, 0x61A6}},
};

TEST(MediaRoms, DetectedAsLoromWithTheirTitlesAndSums) {
  FRUGAL_REQUIRE_MEDIA(media);
  const auto files = test::media_files("rom");
  if (files.empty()) GTEST_SKIP() << "no ROMs in " << (media / "rom");
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const std::string bytes = test::read_file(path);
    std::uint32_t sum = 0;  // every ROM here is a power of two: the plain sum
    for (const char c : bytes) sum += static_cast<unsigned char>(c);
    auto file = core::FileSource::open(path.c_str());
    ASSERT_TRUE(file);
    auto rom = RomImage::open(*file);
    ASSERT_TRUE(rom) << rom.error().message;
    const RomHeader& h = rom->header();
    EXPECT_EQ(h.mapping, RomMapping::lorom);
    EXPECT_FALSE(rom->copier_header());
    EXPECT_EQ(h.computed_checksum, static_cast<std::uint16_t>(sum));
    EXPECT_EQ(h.checksum_valid(), h.checksum == static_cast<std::uint16_t>(sum) &&
                                      static_cast<std::uint16_t>(h.checksum + h.complement) == 0xFFFF);
    const auto it = kExpected.find(path.filename().string());
    if (it == kExpected.end()) continue;  // a ROM added later: the generic checks only
    EXPECT_EQ(h.title(), it->second.title);
    EXPECT_EQ(h.map_mode, it->second.map_mode);
    EXPECT_EQ(h.checksum, it->second.checksum);
    EXPECT_EQ(h.complement, it->second.complement);
    EXPECT_EQ(h.computed_checksum, it->second.sum);
    EXPECT_FALSE(h.checksum_valid());
    EXPECT_EQ(h.rom_size, bytes.size());
    ASSERT_TRUE(h.extended);  // developer ID $33 in all four
  }
}

}  // namespace
}  // namespace frugal::assets
