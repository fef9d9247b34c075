#include <frugal/core/file_source.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

using namespace frugal::core;
using frugal::test::TempDir;

namespace {

std::vector<std::byte> pattern(std::size_t n) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 7) & 0xFF);
  return v;
}

// A sparse file of `size` bytes with `marker` written at `offset`.
std::string sparse_file(const TempDir& dir, std::uint64_t size, std::uint64_t offset,
                        std::span<const std::byte> marker) {
  std::string path = dir.file("sparse.bin");
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
  EXPECT_EQ(::pwrite(fd, marker.data(), marker.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(marker.size()));
  ::close(fd);
  return path;
}

}  // namespace

TEST(FileSource, ReadsAndShortReadsAtEnd) {
  TempDir dir;
  auto data = pattern(1000);
  auto path = dir.write("a.bin", data);
  auto src = FileSource::open(path.c_str());
  ASSERT_TRUE(src);
  EXPECT_EQ(*src->size(), 1000u);
  std::array<std::byte, 64> buf{};
  EXPECT_EQ(*src->read_at(10, buf), 64u);
  EXPECT_EQ(buf[0], data[10]);
  EXPECT_EQ(*src->read_at(990, buf), 10u);
  EXPECT_EQ(buf[9], data[999]);
  EXPECT_EQ(*src->read_at(1000, buf), 0u);
  EXPECT_EQ(*src->read_at(~std::uint64_t{0}, buf), 0u);
}

TEST(FileSource, MissingFileIsIoErrorWithErrno) {
  auto src = FileSource::open("/nonexistent/frugal/file");
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code, Errc::io);
  EXPECT_NE(src.error().os_error, 0);
}

TEST(FileSource, DirectoryIsRejected) {
  TempDir dir;
  auto src = FileSource::open(dir.path().c_str());
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code, Errc::io);
}

TEST(FileSource, OffsetsBeyondFourGiB) {
  TempDir dir;
  const std::uint64_t offset = (std::uint64_t{5} << 30) + 123;  // 5 GiB + 123
  const std::array<std::byte, 4> marker{std::byte{0xDE}, std::byte{0xAD}, std::byte{0xBE},
                                        std::byte{0xEF}};
  auto path = sparse_file(dir, offset + 4, offset, marker);
  auto src = FileSource::open(path.c_str());
  ASSERT_TRUE(src);
  EXPECT_EQ(*src->size(), offset + 4);
  std::array<std::byte, 8> buf{};
  ASSERT_EQ(*src->read_at(offset - 4, buf), 8u);
  EXPECT_EQ(buf[3], std::byte{0});
  EXPECT_EQ(buf[4], std::byte{0xDE});
  EXPECT_EQ(buf[7], std::byte{0xEF});
}

TEST(FileSource, MovedFromSourceIsEmptyShell) {
  TempDir dir;
  auto data = pattern(16);
  auto path = dir.write("m.bin", data);
  auto src = FileSource::open(path.c_str());
  ASSERT_TRUE(src);
  FileSource moved = std::move(*src);
  std::array<std::byte, 4> buf{};
  EXPECT_EQ(*moved.read_at(0, buf), 4u);
}
