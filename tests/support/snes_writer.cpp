#include "support/snes_writer.hpp"

#include "support/rng.hpp"

#include <algorithm>

namespace frugal::test {

namespace {

std::uint8_t default_map_mode(SnesLayout layout) {
  switch (layout) {
    case SnesLayout::lorom: return 0x20;
    case SnesLayout::hirom: return 0x21;
    case SnesLayout::exlorom: return 0x32;
    case SnesLayout::exhirom: return 0x25;
    case SnesLayout::sa1: return 0x23;
  }
  return 0x20;
}

std::vector<std::byte> expanded(std::span<const std::byte> image) {
  std::size_t top = 1;
  while (top * 2 <= image.size()) top *= 2;
  std::vector<std::byte> out(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(top));
  if (top == image.size()) return out;
  const std::vector<std::byte> rest = expanded(image.subspan(top));
  while (out.size() < 2 * top) out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace

std::size_t snes_header_base(SnesLayout layout) {
  switch (layout) {
    case SnesLayout::lorom:
    case SnesLayout::sa1: return 0x7FB0;
    case SnesLayout::hirom: return 0xFFB0;
    case SnesLayout::exlorom: return 0x407FB0;
    case SnesLayout::exhirom: return 0x40FFB0;
  }
  return 0x7FB0;
}

std::uint16_t snes_checksum(std::span<const std::byte> image) {
  unsigned sum = 0;
  for (std::byte b : expanded(image)) sum += std::to_integer<unsigned>(b);
  return static_cast<std::uint16_t>(sum);
}

std::vector<std::byte> make_snes_rom(const SnesRomSpec& spec) {
  std::vector<std::byte> image(spec.size);
  Rng rng(spec.seed);
  for (std::byte& b : image) b = static_cast<std::byte>(rng.next());
  const std::size_t base = snes_header_base(spec.layout);
  const auto put = [&](std::size_t at, std::uint8_t v) { image.at(base + at) = static_cast<std::byte>(v); };
  if (spec.extended)
    for (std::size_t i = 0; i < 16; ++i) put(i, i < spec.extended->size() ? (*spec.extended)[i] : 0);
  for (std::size_t i = 0; i < 21; ++i)
    put(0x10 + i, i < spec.title.size() ? static_cast<std::uint8_t>(spec.title[i]) : 0x20);
  std::uint8_t size_code = 0;
  while ((std::size_t{1024} << size_code) < spec.size) ++size_code;
  put(0x25, spec.map_mode.value_or(default_map_mode(spec.layout)));
  put(0x26, spec.cartridge_type);
  put(0x27, spec.rom_size_code.value_or(size_code));
  put(0x28, spec.ram_size_code);
  put(0x29, spec.region);
  put(0x2A, spec.developer_id);
  put(0x2B, spec.version);
  put(0x4C, static_cast<std::uint8_t>(spec.reset_vector));
  put(0x4D, static_cast<std::uint8_t>(spec.reset_vector >> 8));
  // Any pair adding up to $FFFF puts $1FE in the sum: write one, sum, then the real one.
  put(0x2C, 0xFF), put(0x2D, 0xFF), put(0x2E, 0x00), put(0x2F, 0x00);
  std::uint16_t checksum = snes_checksum(image);
  std::uint16_t complement = static_cast<std::uint16_t>(~checksum);
  if (!spec.valid_checksum) complement = static_cast<std::uint16_t>(complement + 1);
  put(0x2C, static_cast<std::uint8_t>(complement)), put(0x2D, static_cast<std::uint8_t>(complement >> 8));
  put(0x2E, static_cast<std::uint8_t>(checksum)), put(0x2F, static_cast<std::uint8_t>(checksum >> 8));
  if (!spec.copier_header) return image;
  std::vector<std::byte> file(512);
  file.insert(file.end(), image.begin(), image.end());
  return file;
}

std::vector<std::byte> interleave_hirom(std::span<const std::byte> image) {
  std::vector<std::byte> out;
  out.reserve(image.size());
  for (std::size_t bank = 0; bank + 0x10000 <= image.size(); bank += 0x10000) {
    out.insert(out.end(), image.begin() + static_cast<std::ptrdiff_t>(bank + 0x8000),
               image.begin() + static_cast<std::ptrdiff_t>(bank + 0x10000));
    out.insert(out.end(), image.begin() + static_cast<std::ptrdiff_t>(bank),
               image.begin() + static_cast<std::ptrdiff_t>(bank + 0x8000));
  }
  return out;
}

}  // namespace frugal::test
