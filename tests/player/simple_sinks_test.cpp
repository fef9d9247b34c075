#include <frugal/player/sink.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace frugal::player {
namespace {

constexpr core::AudioFormat kStereo{48000, 2, core::SampleFormat::s16, 16};

std::vector<std::byte> some_bytes(std::size_t n) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(i * 13);
  return out;
}

TEST(NullSink, AcceptsEverything) {
  auto sink = make_null_sink();
  EXPECT_EQ(sink->describe(), "null");
  EXPECT_TRUE(sink->open(kStereo));
  EXPECT_TRUE(sink->write(some_bytes(4096)));
  EXPECT_TRUE(sink->close());
  EXPECT_TRUE(sink->open(core::AudioFormat{44100, 6, core::SampleFormat::f64, 64}));  // reopened, any format
  EXPECT_TRUE(sink->close());
}

TEST(RawSink, WritesTheBytesAsTheyAre) {
  test::TempDir dir;
  const std::string path = dir.file("out.raw");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const auto first = some_bytes(1000), second = some_bytes(24);
  {
    auto sink = make_raw_sink(fd);
    EXPECT_EQ(sink->describe(), "raw");
    EXPECT_TRUE(sink->open(kStereo));
    EXPECT_TRUE(sink->write(first));
    EXPECT_TRUE(sink->write(second));
    EXPECT_TRUE(sink->close());
  }
  EXPECT_EQ(::close(fd), 0) << "the sink closed the descriptor";
  std::string expected(reinterpret_cast<const char*>(first.data()), first.size());
  expected.append(reinterpret_cast<const char*>(second.data()), second.size());
  EXPECT_EQ(test::read_file(path), expected);
}

TEST(RawSink, WriteErrorIsIo) {
  auto sink = make_raw_sink(-1);
  ASSERT_TRUE(sink->open(kStereo));
  auto written = sink->write(some_bytes(4));
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, core::Errc::io);
  EXPECT_EQ(written.error().os_error, EBADF);
}

}  // namespace
}  // namespace frugal::player
