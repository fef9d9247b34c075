// The read-only IOStream adapter: reads through the ByteSource, writes
// refused, positions as TagLib expects, errors kept; the offset shim.
#include "tags/taglib_stream.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>

using namespace frugal;
using frugal::tags::detail::SourceStream;
using frugal::tags::detail::fits_offset;

namespace {

class FailingSource final : public core::ByteSource {
 public:
  core::Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
    return core::make_error(core::Errc::io, "test: read failed");
  }
  std::optional<std::uint64_t> size() const override { return 100; }
};

class SizelessSource final : public core::ByteSource {
 public:
  core::Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override { return std::size_t{0}; }
  std::optional<std::uint64_t> size() const override { return std::nullopt; }
};

TEST(TagLibStream, ReadsSeeksAndRefusesWrites) {
  const std::array<char, 10> text{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'};
  core::MemorySource source(std::as_bytes(std::span(text)));
  auto stream = SourceStream::create(source);
  ASSERT_TRUE(stream);
  SourceStream& s = **stream;
  EXPECT_TRUE(s.readOnly());
  EXPECT_EQ(s.length(), 10);
  EXPECT_EQ(s.readBlock(3), TagLib::ByteVector("012"));
  EXPECT_EQ(s.tell(), 3);
  s.seek(-2, TagLib::IOStream::End);
  EXPECT_EQ(s.readBlock(100), TagLib::ByteVector("89"));  // never past the end
  s.seek(-100, TagLib::IOStream::Current);
  EXPECT_EQ(s.tell(), 0);
  s.seek(20);
  EXPECT_TRUE(s.readBlock(4).isEmpty());

  s.writeBlock("x");
  s.insert("y", 1, 1);
  s.removeBlock(0, 2);
  s.truncate(1);
  EXPECT_EQ(s.write_attempts(), 4u);
  s.seek(0);
  EXPECT_EQ(s.readBlock(10), TagLib::ByteVector("0123456789"));  // unchanged
  EXPECT_EQ(s.length(), 10);
  EXPECT_FALSE(s.error());
}

// TagLib seeks by sizes read from the file: a sum past int64 saturates
// instead of wrapping to a small or negative position.
TEST(TagLibStream, SeeksSaturateInsteadOfOverflowing) {
  const std::array<char, 4> text{'a', 'b', 'c', 'd'};
  core::MemorySource source(std::as_bytes(std::span(text)));
  auto stream = SourceStream::create(source);
  ASSERT_TRUE(stream);
  SourceStream& s = **stream;
  constexpr auto top = std::numeric_limits<tags::detail::taglib_offset>::max();
  constexpr auto bottom = std::numeric_limits<tags::detail::taglib_offset>::min();
  s.seek(2);
  s.seek(top, TagLib::IOStream::Current);
  EXPECT_EQ(s.tell(), top);
  EXPECT_TRUE(s.readBlock(4).isEmpty());
  s.seek(top, TagLib::IOStream::End);
  EXPECT_EQ(s.tell(), top);
  s.seek(bottom, TagLib::IOStream::Current);
  EXPECT_EQ(s.tell(), 0);
  s.seek(bottom, TagLib::IOStream::End);
  EXPECT_EQ(s.tell(), 0);
  EXPECT_EQ(s.readBlock(4), TagLib::ByteVector("abcd"));
  EXPECT_FALSE(s.error());
}

TEST(TagLibStream, KeepsTheFirstReadError) {
  FailingSource source;
  auto stream = SourceStream::create(source);
  ASSERT_TRUE(stream);
  EXPECT_TRUE((*stream)->readBlock(10).isEmpty());
  ASSERT_TRUE((*stream)->error());
  EXPECT_EQ((*stream)->error()->code, core::Errc::io);
}

TEST(TagLibStream, NeedsAKnownSizeWithinTheOffsetType) {
  SizelessSource sizeless;
  auto stream = SourceStream::create(sizeless);
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().code, core::Errc::unsupported);
  // TagLib 1.x on 32-bit targets: long offsets stop at 2 GiB - 1.
  EXPECT_TRUE(fits_offset<std::int32_t>(0x7FFFFFFFu));
  EXPECT_FALSE(fits_offset<std::int32_t>(0x80000000u));
  EXPECT_TRUE(fits_offset<std::int64_t>(std::uint64_t{5} << 32));
}

}  // namespace
