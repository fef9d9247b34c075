#include <frugal/core/file_source.hpp>

#include "support/death_test.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

using namespace frugal::core;
using frugal::test::TempDir;

namespace {

std::vector<std::byte> pattern(std::size_t n) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 13 + i / 251) & 0xFF);
  return v;
}

}  // namespace

TEST(MappedFileSource, ReadsAcrossManyWindows) {
  TempDir dir;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto data = pattern(page * 11 + 77);
  auto path = dir.write("m.bin", data);
  auto src = MappedFileSource::open(path.c_str(), page * 2);
  ASSERT_TRUE(src);
  EXPECT_EQ(src->window_bytes(), page * 2);
  // One read spanning several windows, starting mid-page.
  std::vector<std::byte> buf(page * 7 + 5);
  ASSERT_EQ(*src->read_at(page / 2 + 3, buf), buf.size());
  EXPECT_TRUE(std::equal(buf.begin(), buf.end(), data.begin() + page / 2 + 3));
  // Short read at the end, nothing beyond.
  std::vector<std::byte> tail(200);
  EXPECT_EQ(*src->read_at(data.size() - 50, tail), 50u);
  EXPECT_EQ(*src->read_at(data.size(), tail), 0u);
}

TEST(MappedFileSource, ViewIsZeroCopyAndBounded) {
  TempDir dir;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto data = pattern(page * 4);
  auto path = dir.write("v.bin", data);
  auto src = MappedFileSource::open(path.c_str(), page * 2);
  ASSERT_TRUE(src);
  auto v = src->view(page + 10, 100);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->size(), 100u);
  EXPECT_EQ((*v)[0], data[page + 10]);
  EXPECT_EQ(src->view(0, page * 2).error().code, Errc::invalid_argument);
  EXPECT_EQ(src->view(data.size() - 10, 100)->size(), 10u);
}

TEST(MappedFileSource, ShrunkFileIsAnErrorWhenTheWindowMoves) {
  TempDir dir;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto data = pattern(page * 8);
  auto path = dir.write("s.bin", data);
  auto src = MappedFileSource::open(path.c_str(), page * 2);
  ASSERT_TRUE(src);
  std::vector<std::byte> buf(16);
  ASSERT_EQ(*src->read_at(0, buf), 16u);
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(page * 2)), 0);
  auto r = src->read_at(page * 5, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_STREQ(r.error().message, "file shrank while mapped");
}

// The documented hazard of mappings, and why FileSource is the default: a
// page of the current window cut off by truncation raises SIGBUS.
TEST(MappedFileSourceDeathTest, ShrinkInsideTheCurrentWindowRaisesSigbus) {
  GTEST_FLAG_SET(death_test_style, frugal::test::kIsolatedDeathTestStyle);
  TempDir dir;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto data = pattern(page * 4);
  auto path = dir.write("b.bin", data);
  EXPECT_EXIT(
      {
        auto src = MappedFileSource::open(path.c_str(), page * 4);
        std::vector<std::byte> buf(16);
        (void)src->read_at(0, buf);  // maps pages 0..3
        (void)::truncate(path.c_str(), 0);
        (void)src->read_at(page * 2, buf);  // same window: touches a vanished page
        std::_Exit(0);
      },
      ::testing::KilledBySignal(SIGBUS), "");
}

TEST(MappedFileSource, RejectsZeroWindowAndMissingFile) {
  EXPECT_EQ(MappedFileSource::open("/dev/null", 0).error().code, Errc::invalid_argument);
  EXPECT_EQ(MappedFileSource::open("/nonexistent/x").error().code, Errc::io);
}
