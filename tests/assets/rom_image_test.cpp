// RomImage on synthetic images: detection per layout, with and without a
// copier header, non-power-of-two sizes, fields, chips, bad inputs.
#include <frugal/assets/rom_image.hpp>
#include <frugal/core/byte_source.hpp>

#include "support/snes_writer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace frugal::assets {
namespace {

using core::Errc;
using test::make_snes_rom;
using test::SnesLayout;
using test::SnesRomSpec;

core::Result<RomImage> open_bytes(const std::vector<std::byte>& bytes, core::MemorySource& source) {
  source = core::MemorySource(bytes);
  return RomImage::open(source);
}

struct LayoutCase {
  SnesLayout layout;
  std::size_t size;
  RomMapping mapping;
};

std::string case_name(const testing::TestParamInfo<std::tuple<LayoutCase, bool>>& info) {
  const LayoutCase& c = std::get<0>(info.param);
  return std::string(mapping_name(c.mapping)) + "_" + std::to_string(c.size / 1024) + "K" +
         (std::get<1>(info.param) ? "_copier" : "");
}

class Detection : public testing::TestWithParam<std::tuple<LayoutCase, bool>> {};

TEST_P(Detection, FindsTheHeaderAndAValidChecksum) {
  const auto [c, copier] = GetParam();
  SnesRomSpec spec;
  spec.layout = c.layout;
  spec.size = c.size;
  spec.copier_header = copier;
  spec.title = "DETECT ME";
  const std::vector<std::byte> file = make_snes_rom(spec);
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_TRUE(rom) << rom.error().message;
  const RomHeader& h = rom->header();
  EXPECT_EQ(h.mapping, c.mapping);
  EXPECT_EQ(rom->copier_header(), copier);
  EXPECT_EQ(rom->size(), c.size);
  EXPECT_EQ(h.base_offset, test::snes_header_base(c.layout));
  EXPECT_EQ(h.title(), "DETECT ME");
  EXPECT_EQ(h.computed_checksum, test::snes_checksum(std::span(file).subspan(copier ? 512 : 0)));
  EXPECT_EQ(h.checksum, h.computed_checksum);
  EXPECT_TRUE(h.checksum_valid());
  EXPECT_EQ(h.score, 18);  // every rule met
  ASSERT_EQ(h.reason_list().size(), 6u);
  EXPECT_STREQ(h.reason_list()[0], "checksum + complement = $FFFF");
  EXPECT_STREQ(h.reason_list()[2], "map mode fits the header's location");
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, Detection,
    testing::Combine(testing::Values(LayoutCase{SnesLayout::lorom, 256 * 1024, RomMapping::lorom},
                                     LayoutCase{SnesLayout::lorom, 1536 * 1024, RomMapping::lorom},
                                     LayoutCase{SnesLayout::hirom, 1024 * 1024, RomMapping::hirom},
                                     LayoutCase{SnesLayout::hirom, 3072 * 1024, RomMapping::hirom},
                                     LayoutCase{SnesLayout::hirom, 1280 * 1024, RomMapping::hirom},
                                     LayoutCase{SnesLayout::sa1, 2048 * 1024, RomMapping::sa1},
                                     LayoutCase{SnesLayout::exlorom, 5120 * 1024, RomMapping::exlorom},
                                     LayoutCase{SnesLayout::exhirom, 6144 * 1024, RomMapping::exhirom}),
                     testing::Bool()),
    case_name);

// The mirroring rule by hand: 3 MiB sums the first 2 MiB once and the last
// 1 MiB twice; 1.5 MiB the first 1 MiB once and the last 512 KiB twice.
TEST(Checksum, NonPowerOfTwoSizesMirrorTheRemainder) {
  for (const std::size_t size : {std::size_t{3} << 20, std::size_t{3} << 19}) {
    SnesRomSpec spec;
    spec.layout = SnesLayout::hirom;
    spec.size = size;
    const std::vector<std::byte> file = make_snes_rom(spec);
    const std::size_t top = size / 3 * 2;
    unsigned expected = 0;
    for (std::size_t i = 0; i < size; ++i) expected += std::to_integer<unsigned>(file[i]) * (i < top ? 1 : 2);
    core::MemorySource source(file);
    auto rom = RomImage::open(source);
    ASSERT_TRUE(rom) << rom.error().message;
    EXPECT_EQ(rom->header().computed_checksum, static_cast<std::uint16_t>(expected)) << size;
    EXPECT_TRUE(rom->header().checksum_valid()) << size;
  }
}

TEST(Fields, DecodedAsStored) {
  SnesRomSpec spec;
  spec.layout = SnesLayout::hirom;
  spec.size = 512 * 1024;
  spec.map_mode = 0x31;
  spec.cartridge_type = 0x02;
  spec.ram_size_code = 3;
  spec.region = 2;
  spec.developer_id = 0x33;
  spec.version = 1;
  spec.reset_vector = 0x8123;
  spec.extended = std::vector<std::uint8_t>{'0', '1', 'A', 'B', 'C', 'E', 0, 0, 0, 0, 0, 0, 0, 5, 7, 0};
  const std::vector<std::byte> file = make_snes_rom(spec);
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_TRUE(rom) << rom.error().message;
  const RomHeader& h = rom->header();
  EXPECT_EQ(h.map_mode, 0x31);
  EXPECT_EQ(h.mapping, RomMapping::hirom);
  EXPECT_EQ(h.chip, RomChip::none);
  EXPECT_EQ(h.rom_size, 512u * 1024);
  EXPECT_EQ(h.ram_size, 8u * 1024);
  EXPECT_EQ(h.region, 2);
  EXPECT_EQ(h.version, 1);
  EXPECT_EQ(h.reset_vector, 0x8123);
  ASSERT_TRUE(h.extended);
  EXPECT_EQ(std::string(h.extended->maker_code.data(), 2), "01");
  EXPECT_EQ(std::string(h.extended->game_code.data(), 4), "ABCE");
  EXPECT_EQ(h.extended->expansion_ram_bytes, 32u * 1024);
  EXPECT_EQ(h.extended->special_version, 7);
}

TEST(Fields, NoExtendedHeaderWithoutDeveloperId33) {
  const std::vector<std::byte> file = make_snes_rom({});
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_TRUE(rom);
  EXPECT_FALSE(rom->header().extended);
}

TEST(Fields, KatakanaTitleBecomesUtf8AndTrailingSpacesGo) {
  SnesRomSpec spec;
  spec.title = "\xA1\xB1\xDF ABC  ";  // 。ア゚ ABC
  const std::vector<std::byte> file = make_snes_rom(spec);
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_TRUE(rom);
  EXPECT_EQ(rom->header().title(), "\xEF\xBD\xA1\xEF\xBD\xB1\xEF\xBE\x9F ABC");
}

TEST(Fields, ChipFromCartridgeType) {
  struct Case {
    std::uint8_t type;
    std::uint8_t subtype;
    RomChip chip;
  };
  for (const Case c : {Case{0x00, 0, RomChip::none}, Case{0x02, 0, RomChip::none}, Case{0x03, 0, RomChip::dsp1},
                       Case{0x05, 0, RomChip::dsp1}, Case{0x13, 0, RomChip::superfx}, Case{0x1A, 0, RomChip::superfx},
                       Case{0x25, 0, RomChip::obc1}, Case{0x35, 0, RomChip::sa1}, Case{0x43, 0, RomChip::sdd1},
                       Case{0x55, 0, RomChip::srtc}, Case{0xE3, 0, RomChip::other},
                       Case{0xF5, 0x00, RomChip::spc7110}, Case{0xF9, 0x00, RomChip::spc7110},
                       Case{0xF6, 0x01, RomChip::st010}, Case{0xF5, 0x02, RomChip::st018},
                       Case{0xF3, 0x10, RomChip::cx4}, Case{0xF3, 0x42, RomChip::unknown},
                       Case{0x73, 0, RomChip::unknown}}) {
    SnesRomSpec spec;
    spec.cartridge_type = c.type;
    spec.developer_id = 0x33;
    spec.extended = std::vector<std::uint8_t>(16, 0);
    (*spec.extended)[15] = c.subtype;
    const std::vector<std::byte> file = make_snes_rom(spec);
    core::MemorySource source(file);
    auto rom = RomImage::open(source);
    ASSERT_TRUE(rom);
    EXPECT_EQ(rom->header().chip, c.chip) << std::hex << int{c.type} << " " << int{c.subtype};
  }
  EXPECT_STREQ(chip_name(RomChip::superfx), "superfx");
  EXPECT_STREQ(chip_name(RomChip::cx4), "cx4");
  EXPECT_STREQ(chip_name(RomChip::dsp1), "dsp1");
}

TEST(Scoring, ABadChecksumStillDetectsButIsNotValid) {
  SnesRomSpec spec;
  spec.valid_checksum = false;
  const std::vector<std::byte> file = make_snes_rom(spec);
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_TRUE(rom) << rom.error().message;
  EXPECT_EQ(rom->header().mapping, RomMapping::lorom);
  EXPECT_FALSE(rom->header().checksum_valid());
  EXPECT_EQ(rom->header().score, 10);  // map mode, reset vector, title, size
  EXPECT_STREQ(rom->header().reason_list()[0], "checksum + complement != $FFFF");
}

TEST(Scoring, HiromHeaderBeatsLoromLookalike) {
  // A 1 MiB HiROM image whose $7FC0 holds a LoROM-looking header without a checksum.
  SnesRomSpec spec;
  spec.layout = SnesLayout::hirom;
  spec.size = 1 << 20;
  std::vector<std::byte> file = make_snes_rom(spec);
  SnesRomSpec decoy;
  decoy.size = 1 << 20;
  decoy.valid_checksum = false;
  const std::vector<std::byte> other = make_snes_rom(decoy);
  std::copy(other.begin() + 0x7FB0, other.begin() + 0x8000, file.begin() + 0x7FB0);
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_TRUE(rom) << rom.error().message;
  EXPECT_EQ(rom->header().mapping, RomMapping::hirom);
  EXPECT_FALSE(rom->header().checksum_valid());  // the decoy changed the sum
}

TEST(Scoring, InterleavedHiromIsRefused) {
  SnesRomSpec spec;
  spec.layout = SnesLayout::hirom;
  spec.size = 1 << 20;
  const std::vector<std::byte> file = test::interleave_hirom(make_snes_rom(spec));
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_FALSE(rom);
  EXPECT_EQ(rom.error().code, Errc::unsupported);
  EXPECT_NE(std::string(rom.error().message).find("interleaved"), std::string::npos);
}

TEST(BadInput, EmptyTinyAndGarbageAreErrors) {
  const std::vector<std::byte> empty;
  core::MemorySource source(empty);
  auto rom = RomImage::open(source);
  ASSERT_FALSE(rom);
  EXPECT_EQ(rom.error().code, Errc::malformed);

  const std::vector<std::byte> tiny(0x7FFF, std::byte{0x20});
  rom = open_bytes(tiny, source);
  ASSERT_FALSE(rom);
  EXPECT_EQ(rom.error().code, Errc::malformed);

  for (const std::byte fill : {std::byte{0x00}, std::byte{0xFF}}) {
    const std::vector<std::byte> flat(256 * 1024, fill);
    rom = open_bytes(flat, source);
    ASSERT_FALSE(rom);
    EXPECT_EQ(rom.error().code, Errc::malformed);
  }
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SnesRomSpec spec;
    spec.seed = seed;
    std::vector<std::byte> garbage = make_snes_rom(spec);
    // Random bytes where the header was.
    std::copy(garbage.begin() + 0x1000, garbage.begin() + 0x1050, garbage.begin() + 0x7FB0);
    rom = open_bytes(garbage, source);
    ASSERT_FALSE(rom) << seed;
    EXPECT_EQ(rom.error().code, Errc::malformed);
  }
}

TEST(BadInput, TruncatedImageLosesItsHeader) {
  // A 64 KiB HiROM image cut to 48 KiB: $FFC0 is gone; nothing else scores.
  SnesRomSpec spec;
  spec.layout = SnesLayout::hirom;
  spec.size = 64 * 1024;
  std::vector<std::byte> file = make_snes_rom(spec);
  file.resize(48 * 1024);
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_FALSE(rom);
  EXPECT_EQ(rom.error().code, Errc::malformed);
}

TEST(BadInput, OversizeAndUnsizedSourcesAreRefused) {
  const std::vector<std::byte> file = make_snes_rom({});
  core::MemorySource source(file);
  RomOptions options;
  options.max_image_bytes = 128 * 1024;
  auto rom = RomImage::open(source, options);
  ASSERT_FALSE(rom);
  EXPECT_EQ(rom.error().code, Errc::limit_exceeded);

  struct Unsized final : core::ByteSource {
    core::Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override { return std::size_t{0}; }
    std::optional<std::uint64_t> size() const override { return std::nullopt; }
  } unsized;
  rom = RomImage::open(unsized);
  ASSERT_FALSE(rom);
  EXPECT_EQ(rom.error().code, Errc::unsupported);
}

TEST(Read, ReturnsImageBytesPastTheCopierHeader) {
  SnesRomSpec spec;
  spec.copier_header = true;
  const std::vector<std::byte> file = make_snes_rom(spec);
  core::MemorySource source(file);
  auto rom = RomImage::open(source);
  ASSERT_TRUE(rom);
  std::vector<std::byte> got(10000);
  ASSERT_TRUE(rom->read(0x7000, got));
  EXPECT_TRUE(std::equal(got.begin(), got.end(), file.begin() + 512 + 0x7000));
  EXPECT_TRUE(rom->read(rom->size() - 1, std::span(got).first(1)));
  auto past = rom->read(rom->size() - 1, std::span(got).first(2));
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace frugal::assets
