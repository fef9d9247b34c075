// RomImage's page cache: what it charges, memory pressure, reads from
// several threads, files that shrink under FileSource and MappedFileSource.
#include <frugal/assets/rom_image.hpp>
#include <frugal/core/file_source.hpp>
#include <frugal/mem/manual_source.hpp>

#include "support/rng.hpp"
#include "support/snes_writer.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

namespace frugal::assets {
namespace {

using core::Errc;

std::vector<std::byte> one_mib_rom() {
  test::SnesRomSpec spec;
  spec.layout = test::SnesLayout::hirom;
  spec.size = 1 << 20;
  return test::make_snes_rom(spec);
}

TEST(Cache, ChargesItsPagesAndNoMore) {
  const std::vector<std::byte> file = one_mib_rom();
  core::MemorySource source(file);
  mem::MemoryTracker tracker;
  RomOptions options;
  options.tracker = &tracker;
  options.cache_pages = 8;
  auto rom = RomImage::open(source, options);
  ASSERT_TRUE(rom) << rom.error().message;
  auto account = tracker.account("assets/rom_pages");
  ASSERT_TRUE(account);
  const std::size_t cap = RomImage::cache_bytes(8);
  EXPECT_EQ(account->current(), cap);
  EXPECT_GE(cap, 8 * RomImage::kPageBytes);
  // Read the whole image in odd pieces, twice: pages are reused, not added.
  std::vector<std::byte> piece(3000);
  for (int pass = 0; pass < 2; ++pass) {
    for (std::uint64_t o = 0; o + piece.size() <= rom->size(); o += piece.size()) {
      ASSERT_TRUE(rom->read(o, piece));
      ASSERT_TRUE(std::equal(piece.begin(), piece.end(), file.begin() + static_cast<std::ptrdiff_t>(o)));
    }
  }
  EXPECT_LE(account->peak(), cap);
  EXPECT_EQ(rom->cache_pages(), 8u);
  // A page in the cache costs no source read.
  const std::uint64_t reads = rom->page_reads();
  ASSERT_TRUE(rom->read(rom->size() - 10, std::span(piece).first(10)));
  EXPECT_EQ(rom->page_reads(), reads);
  rom = core::make_error(Errc::io, "closed");
  EXPECT_EQ(account->current(), 0u);
}

TEST(Cache, RefusedPastTheBudget) {
  const std::vector<std::byte> file = one_mib_rom();
  core::MemorySource source(file);
  mem::TrackerOptions limits;
  limits.budget = RomImage::kPageBytes * 4;
  mem::MemoryTracker tracker(limits);
  RomOptions options;
  options.tracker = &tracker;
  options.cache_pages = 16;
  auto rom = RomImage::open(source, options);
  ASSERT_FALSE(rom);
  EXPECT_EQ(rom.error().code, Errc::out_of_memory);
  EXPECT_EQ(tracker.total(), 0u);
}

TEST(Cache, ShrinksUnderPressureAndGrowsBack) {
  const std::vector<std::byte> file = one_mib_rom();
  core::MemorySource source(file);
  mem::TrackerOptions immediate;
  immediate.cooldown_ms = 0;  // deliver the return to normal at once
  mem::MemoryTracker tracker(immediate);
  mem::ManualPressureSource pressure(&tracker);
  ASSERT_TRUE(tracker.add_source(pressure));
  RomOptions options;
  options.tracker = &tracker;
  options.cache_pages = 16;
  auto rom = RomImage::open(source, options);
  ASSERT_TRUE(rom);
  std::array<std::byte, 16> bytes;
  const auto deliver = [&](mem::PressureLevel level) {
    pressure.set(level);
    EXPECT_EQ(tracker.dispatch(), level);
    ASSERT_TRUE(rom->read(0x1234, bytes));  // applied at the next read
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), file.begin() + 0x1234));
  };
  deliver(mem::PressureLevel::high);
  EXPECT_EQ(rom->cache_pages(), 8u);
  EXPECT_EQ(tracker.total(), RomImage::cache_bytes(8));
  deliver(mem::PressureLevel::critical);
  EXPECT_EQ(rom->cache_pages(), 1u);
  EXPECT_EQ(tracker.total(), RomImage::cache_bytes(1));
  deliver(mem::PressureLevel::normal);
  EXPECT_EQ(rom->cache_pages(), 16u);
  EXPECT_EQ(tracker.total(), RomImage::cache_bytes(16));
  tracker.remove_source(pressure);
}

TEST(Cache, ConcurrentReadsReturnTheRightBytes) {
  const std::vector<std::byte> file = one_mib_rom();
  core::MemorySource source(file);
  RomOptions options;
  options.cache_pages = 4;  // small: threads evict each other's pages
  auto rom = RomImage::open(source, options);
  ASSERT_TRUE(rom);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      test::Rng rng(static_cast<std::uint64_t>(t) + 7);
      std::vector<std::byte> got(5000);
      for (int i = 0; i < 500; ++i) {
        const std::size_t n = 1 + rng.below(got.size());
        const std::uint64_t o = rng.below(rom->size() - n);
        if (!rom->read(o, std::span(got).first(n)) ||
            !std::equal(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(n),
                        file.begin() + static_cast<std::ptrdiff_t>(o)))
          ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Truncation policy: a FileSource that shrinks gives Errc::io for pages past
// the new end; pages already cached are still served.
TEST(Truncation, FileSourceShrinkingGivesIoErrors) {
  test::TempDir dir;
  const std::string path = dir.write("rom.sfc", one_mib_rom());
  auto file = core::FileSource::open(path.c_str());
  ASSERT_TRUE(file);
  auto rom = RomImage::open(*file);
  ASSERT_TRUE(rom);
  std::array<std::byte, 64> bytes;
  ASSERT_TRUE(rom->read(0, bytes));
  std::filesystem::resize_file(path, 256 * 1024);
  auto r = rom->read(900 * 1024, bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_STREQ(r.error().message, "ROM image shrank while open");
  EXPECT_TRUE(rom->read(0, bytes));  // cached
  EXPECT_TRUE(rom->read(200 * 1024, bytes));  // still in the file
}

// MappedFileSource's policy (file_source.hpp): a read that moves the window
// past the new end is Errc::io. (Touching the current window past the end
// would raise SIGBUS: not exercised here.)
TEST(Truncation, MappedFileSourceShrinkingGivesIoErrors) {
  test::TempDir dir;
  const std::string path = dir.write("rom.sfc", one_mib_rom());
  auto file = core::MappedFileSource::open(path.c_str(), 64 * 1024);
  ASSERT_TRUE(file);
  RomOptions options;
  options.cache_pages = 0;  // already memory
  auto rom = RomImage::open(*file, options);
  ASSERT_TRUE(rom);
  std::filesystem::resize_file(path, 256 * 1024);
  std::array<std::byte, 64> bytes;
  // The checksum pass left the window at the end; go elsewhere first.
  ASSERT_TRUE(rom->read(0, bytes));
  auto r = rom->read(900 * 1024, bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
}

}  // namespace
}  // namespace frugal::assets
