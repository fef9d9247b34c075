// SNES ROM images on hostile bytes: RomImage::open either fails cleanly or
// gives a header that obeys its own rules; reads through the page cache
// return the input's bytes; bus addresses map inside the image and back.
#include <frugal/assets/rom_image.hpp>

#include "harness.hpp"

#include <cstring>

namespace {

using frugal::fuzz::check;

void run(std::span<const std::byte> input, frugal::mem::MemoryTracker& tracker) {
  using namespace frugal::assets;
  frugal::fuzz::Steering steer(input);
  frugal::core::MemorySource source(input);
  RomOptions options;
  options.tracker = &tracker;
  options.cache_pages = static_cast<std::size_t>(steer.up_to(4));
  auto rom = RomImage::open(source, options);
  if (!rom) return;
  const RomHeader& h = rom->header();
  const std::size_t copier = rom->copier_header() ? 512 : 0;
  check(rom->size() + copier == input.size(), "image size");
  check(h.base_offset + 0x50 <= rom->size(), "header outside the image");
  check(h.score >= 8 && h.reason_count <= RomHeader::kMaxReasons, "score or reasons");
  check(h.title().size() <= h.title_utf8.size(), "title length");
  std::array<std::byte, 5000> got;
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t offset = steer.up_to(rom->size() - 1);
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(steer.up_to(got.size()), rom->size() - offset));
    check(static_cast<bool>(rom->read(offset, std::span(got).first(n))), "read inside the image failed");
    check(std::memcmp(got.data(), input.data() + copier + offset, n) == 0, "read returned other bytes");
    auto mapped = to_offset(h.mapping, steer.next() & 0xFFFFFF, rom->size());
    if (!mapped) continue;
    check(*mapped < rom->size(), "address mapped past the image");
    auto address = to_address(h.mapping, *mapped, rom->size());
    check(address && *to_offset(h.mapping, *address, rom->size()) == *mapped, "address round trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return frugal::fuzz::run_under_budget(data, size, run);
}
