#include <frugal/core/byte_source.hpp>

#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <vector>

using namespace frugal::core;

namespace {

std::vector<std::byte> iota_bytes(std::size_t n) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>(i & 0xFF);
  return v;
}

}  // namespace

TEST(MemorySource, ShortReadOnlyAtEnd) {
  auto data = iota_bytes(10);
  MemorySource src(data);
  std::array<std::byte, 4> buf{};
  EXPECT_EQ(*src.read_at(0, buf), 4u);
  EXPECT_EQ(buf[3], std::byte{3});
  EXPECT_EQ(*src.read_at(8, buf), 2u);
  EXPECT_EQ(buf[0], std::byte{8});
  EXPECT_EQ(*src.read_at(10, buf), 0u);
  EXPECT_EQ(*src.read_at(~std::uint64_t{0}, buf), 0u);
  EXPECT_EQ(*src.size(), 10u);
}

TEST(ReadExact, ReportsEndOfStreamWithOffset) {
  auto data = iota_bytes(10);
  MemorySource src(data);
  std::array<std::byte, 4> buf{};
  EXPECT_TRUE(read_exact(src, 6, buf));
  auto r = read_exact(src, 7, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::end_of_stream);
  EXPECT_EQ(r.error().offset, 7u);
}

TEST(SubSource, StaysInsideItsWindow) {
  auto data = iota_bytes(100);
  MemorySource src(data);
  SubSource sub(src, 10, 20);
  EXPECT_EQ(*sub.size(), 20u);
  std::array<std::byte, 8> buf{};
  EXPECT_EQ(*sub.read_at(0, buf), 8u);
  EXPECT_EQ(buf[0], std::byte{10});
  EXPECT_EQ(*sub.read_at(16, buf), 4u);
  EXPECT_EQ(buf[3], std::byte{29});
  EXPECT_EQ(*sub.read_at(20, buf), 0u);
}

TEST(SubSource, ClipsToParentSize) {
  auto data = iota_bytes(30);
  MemorySource src(data);
  SubSource beyond(src, 25, 1000);
  EXPECT_EQ(*beyond.size(), 5u);
  SubSource outside(src, 40, 10);
  EXPECT_EQ(*outside.size(), 0u);
}

TEST(CountingSource, CountsCallsAndBytesReturned) {
  auto data = iota_bytes(10);
  MemorySource src(data);
  CountingSource counting(src);
  std::array<std::byte, 6> buf{};
  (void)counting.read_at(0, buf);
  (void)counting.read_at(8, buf);
  EXPECT_EQ(counting.read_calls(), 2u);
  EXPECT_EQ(counting.bytes_read(), 8u);
}

// ---- BufferedSource ------------------------------------------------------------------

namespace {

// Records every read the buffered source passes on; fails on demand.
class RecordingSource final : public ByteSource {
 public:
  explicit RecordingSource(std::span<const std::byte> bytes) : memory_(bytes) {}
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    reads.push_back({offset, dst.size()});
    if (fail) return make_error(Errc::io, "medium removed");
    return memory_.read_at(offset, dst);
  }
  std::optional<std::uint64_t> size() const override { return memory_.size(); }

  struct Read {
    std::uint64_t offset;
    std::size_t bytes;
    bool operator==(const Read&) const = default;
  };
  std::vector<Read> reads;
  bool fail = false;

 private:
  MemorySource memory_;
};

std::vector<std::byte> read_bytes(ByteSource& src, std::uint64_t offset, std::size_t n) {
  std::vector<std::byte> out(n);
  auto got = src.read_at(offset, out);
  EXPECT_TRUE(got) << got.error().message;
  out.resize(got ? *got : 0);
  return out;
}

std::vector<std::byte> slice(const std::vector<std::byte>& v, std::size_t from, std::size_t n) {
  from = std::min(from, v.size());
  return {v.begin() + static_cast<std::ptrdiff_t>(from),
          v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), from + n))};
}

using Read = RecordingSource::Read;

// `file_bytes` of data behind a BufferedSource with a `window_bytes` buffer.
struct Buffered {
  Buffered(std::size_t file_bytes, std::size_t window_bytes)
      : data(iota_bytes(file_bytes)), inner(data), buffer(window_bytes), src(inner, buffer) {}
  /// Reads through the window; the bytes must be the data's.
  ::testing::AssertionResult reads_right(std::uint64_t offset, std::size_t n) {
    if (read_bytes(src, offset, n) == slice(data, offset, n)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "wrong bytes for " << n << " at " << offset;
  }

  std::vector<std::byte> data;
  RecordingSource inner;
  std::vector<std::byte> buffer;
  BufferedSource src;
};

}  // namespace

TEST(BufferedSource, SmallReadsNearEachOtherCostOneInnerRead) {
  Buffered b(10000, 1024);
  // 600 is refilled from 512 (a quarter-buffer boundary), so 520 (before it)
  // and 1500 (to the window's end at 1536) come along.
  EXPECT_TRUE(b.reads_right(600, 16));
  EXPECT_TRUE(b.reads_right(520, 80));
  EXPECT_TRUE(b.reads_right(1500, 36));
  EXPECT_EQ(b.inner.reads, (std::vector<Read>{{512, 1024}}));
  // A read far before the window: refilled from a quarter boundary again.
  EXPECT_TRUE(b.reads_right(100, 8));
  EXPECT_EQ(b.inner.reads, (std::vector<Read>{{512, 1024}, {0, 1024}}));
}

// Reading on past the window's end refills from that end, or from the read
// itself when it straddles the end: sequential reading fetches little twice.
TEST(BufferedSource, SequentialReadsFetchEachByteAboutOnce) {
  Buffered b(10000, 1024);
  std::uint64_t at = 0;
  for (std::size_t n : {300, 300, 300, 300, 100, 500, 200, 124, 300, 500}) {
    EXPECT_TRUE(b.reads_right(at, n));
    at += n;
  }
  // [0, 1024); 900+300 straddles its end: [900, 1924); 1800+200 straddles
  // that: [1800, 2824); 2000 and 2124 follow inside it; 2424+500 straddles:
  // [2424, 3448). Only the straddling reads' heads are fetched twice.
  EXPECT_EQ(b.inner.reads, (std::vector<Read>{{0, 1024}, {900, 1024}, {1800, 1024}, {2424, 1024}}));
  // A read at the window's end starts the next one there.
  EXPECT_TRUE(b.reads_right(3448, 8));
  EXPECT_EQ(b.inner.reads.back(), (Read{3448, 1024}));
}

TEST(BufferedSource, LargeReadsPassThroughAndKeepTheWindow) {
  Buffered b(10000, 1024);
  EXPECT_TRUE(b.reads_right(100, 8));
  EXPECT_TRUE(b.reads_right(5000, 513));  // more than half the buffer
  EXPECT_TRUE(b.reads_right(200, 8));     // still in the window
  EXPECT_EQ(b.inner.reads, (std::vector<Read>{{0, 1024}, {5000, 513}}));
}

TEST(BufferedSource, ShortReadsOnlyAtTheEndOfTheData) {
  Buffered b(1000, 1024);
  EXPECT_TRUE(b.reads_right(990, 100));  // 10 bytes
  EXPECT_EQ(read_bytes(b.src, 1000, 10).size(), 0u);
  EXPECT_EQ(read_bytes(b.src, 5000, 10).size(), 0u);
  EXPECT_EQ(read_bytes(b.src, ~std::uint64_t{0} - 3, 10).size(), 0u);
  std::array<std::byte, 4> four{};
  EXPECT_TRUE(read_exact(b.src, 996, four));
  EXPECT_FALSE(read_exact(b.src, 997, four));
}

TEST(BufferedSource, ErrorsPassOnAndTheWindowIsForgotten) {
  Buffered b(10000, 1024);
  EXPECT_TRUE(b.reads_right(100, 8));
  b.inner.fail = true;
  std::array<std::byte, 8> out{};
  auto r = b.src.read_at(4000, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_FALSE(b.src.read_at(100, out));  // the window at 0 was given up for the failed refill
  b.inner.fail = false;
  EXPECT_TRUE(b.reads_right(100, 8));
}

TEST(BufferedSource, EmptyBufferPassesEverythingThrough) {
  Buffered b(100, 64);
  EXPECT_TRUE(b.reads_right(10, 4));
  b.src.set_buffer({});
  EXPECT_TRUE(b.reads_right(12, 2));
  EXPECT_TRUE(b.reads_right(12, 2));
  EXPECT_EQ(b.inner.reads, (std::vector<Read>{{0, 64}, {12, 2}, {12, 2}}));
  EXPECT_EQ(*b.src.size(), 100u);
}

// Whatever the reads, the bytes are the inner source's, and a read never
// costs more than one inner read.
TEST(BufferedSource, RandomReadsReturnTheInnerSourcesBytes) {
  for (std::size_t capacity : {1, 2, 3, 7, 64, 1000, 4096}) {
    Buffered b(5000, capacity);
    std::uint64_t state = 12345;
    for (int i = 0; i < 2000; ++i) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      const std::uint64_t offset = (state >> 33) % 5100;
      const std::size_t n = static_cast<std::size_t>((state >> 13) % (i % 3 ? 40 : 3000));
      const std::size_t before = b.inner.reads.size();
      ASSERT_TRUE(b.reads_right(offset, n)) << "capacity " << capacity << " read " << i;
      EXPECT_LE(b.inner.reads.size() - before, 1u);
    }
  }
}

// ---- ConcatSource ----------------------------------------------------------------------

namespace {

// A part whose size is unknown (a pipe) or smaller on reading than it says
// (a file that shrank), or whose reads fail.
class OddSource final : public ByteSource {
 public:
  explicit OddSource(std::span<const std::byte> bytes) : memory_(bytes) {}
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    if (fail) return make_error(Errc::io, "medium removed");
    if (readable && offset < *readable) dst = dst.first(std::min<std::uint64_t>(dst.size(), *readable - offset));
    else if (readable) return std::size_t{0};
    return memory_.read_at(offset, dst);
  }
  std::optional<std::uint64_t> size() const override {
    if (unknown_size) return std::nullopt;
    return memory_.size();
  }

  bool unknown_size = false;
  bool fail = false;
  std::optional<std::uint64_t> readable;  // bytes actually there

 private:
  MemorySource memory_;
};

// Bytes `n` of a pattern that tells the parts apart.
std::vector<std::byte> part_bytes(std::size_t n, std::uint8_t tag) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>(tag + i);
  return v;
}

}  // namespace

TEST(ConcatSource, ReadsAcrossPartBoundariesAsOneSource) {
  // Parts of 5, 0, 7, 1 and 3 bytes: every read, of every length, at every
  // offset, returns the bytes of the concatenation, short only at its end.
  const std::vector<std::vector<std::byte>> bytes = {part_bytes(5, 0x10), part_bytes(0, 0x20), part_bytes(7, 0x30),
                                                     part_bytes(1, 0x40), part_bytes(3, 0x50)};
  std::vector<MemorySource> memories;
  for (const auto& b : bytes) memories.emplace_back(b);
  std::vector<ByteSource*> parts;
  std::vector<std::byte> whole;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    parts.push_back(&memories[i]);
    whole.insert(whole.end(), bytes[i].begin(), bytes[i].end());
  }
  ConcatSource cat(parts);
  ASSERT_EQ(whole.size(), 16u);
  for (std::size_t offset = 0; offset <= whole.size() + 2; ++offset) {
    for (std::size_t n = 0; n <= whole.size() + 2; ++n) {
      SCOPED_TRACE("offset " + std::to_string(offset) + ", " + std::to_string(n) + " bytes");
      EXPECT_EQ(read_bytes(cat, offset, n), slice(whole, offset, n));
    }
  }
}

TEST(ConcatSource, SizeIsTheSumOfThePartsSizes) {
  const auto a = part_bytes(100, 1), b = part_bytes(23, 2), c = part_bytes(0, 3);
  MemorySource ma(a), mb(b), mc(c);
  std::array<ByteSource*, 3> parts{&ma, &mb, &mc};
  ConcatSource cat(parts);
  ASSERT_TRUE(cat.size());
  EXPECT_EQ(*cat.size(), 123u);
  std::array<ByteSource*, 1> one{&mb};
  EXPECT_EQ(ConcatSource(one).size(), std::optional<std::uint64_t>(23));
  // No parts: an empty source.
  ConcatSource none(std::span<ByteSource* const>{});
  EXPECT_EQ(none.size(), std::optional<std::uint64_t>(0));
  std::array<std::byte, 4> buf{};
  EXPECT_EQ(*none.read_at(0, buf), 0u);
}

TEST(ConcatSource, PartOfUnknownSizeIsAnInvalidArgument) {
  const auto a = part_bytes(8, 1), b = part_bytes(8, 2);
  OddSource known(a), unknown(b);
  unknown.unknown_size = true;
  std::array<ByteSource*, 2> parts{&known, &unknown};
  ConcatSource cat(parts);
  EXPECT_EQ(cat.size(), std::nullopt);
  std::array<std::byte, 4> buf{};
  // A read that reaches the part of unknown size (spanning into it, or
  // inside or past it: its start is known, its end is not).
  for (std::uint64_t offset : {6u, 8u, 10u, 100u}) {
    auto r = cat.read_at(offset, buf);
    ASSERT_FALSE(r) << offset;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << offset;
  }
  // The same part first.
  std::array<ByteSource*, 2> first{&unknown, &known};
  ConcatSource cat2(first);
  EXPECT_EQ(cat2.size(), std::nullopt);
  auto r = cat2.read_at(0, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(ConcatSource, ReadsAtOrPastTheEndAreShortOrEmpty) {
  const auto a = part_bytes(6, 1), b = part_bytes(4, 2);
  MemorySource ma(a), mb(b);
  std::array<ByteSource*, 2> parts{&ma, &mb};
  ConcatSource cat(parts);
  std::array<std::byte, 8> buf{};
  EXPECT_EQ(*cat.read_at(7, buf), 3u);  // the last 3 bytes
  EXPECT_EQ(buf[0], std::byte{3});      // b[1]
  EXPECT_EQ(buf[2], std::byte{5});
  EXPECT_EQ(*cat.read_at(10, buf), 0u);
  EXPECT_EQ(*cat.read_at(11, buf), 0u);
  EXPECT_EQ(*cat.read_at(~std::uint64_t{0} - 3, buf), 0u);
  EXPECT_EQ(*cat.read_at(~std::uint64_t{0}, buf), 0u);
  EXPECT_TRUE(read_exact(cat, 2, std::span(buf)));  // [2, 10): across the boundary
  auto r = read_exact(cat, 3, std::span(buf));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::end_of_stream);
}

TEST(ConcatSource, SeekableByDefaultAndIgnoresTheRevisitHint) {
  const auto a = part_bytes(6, 1);
  MemorySource ma(a);
  std::array<ByteSource*, 1> parts{&ma};
  ConcatSource cat(parts);
  EXPECT_TRUE(cat.seekable());
  EXPECT_TRUE(cat.will_revisit(3));
  EXPECT_EQ(read_bytes(cat, 0, 6), a);
  // The wrappers pass both on.
  CountingSource counting(cat);
  EXPECT_TRUE(counting.seekable());
  SubSource sub(cat, 1, 4);
  EXPECT_TRUE(sub.seekable());
}

TEST(ConcatSource, APartsErrorsAndShortReadsPassOn) {
  const auto a = part_bytes(6, 1), b = part_bytes(6, 2), c = part_bytes(6, 3);
  OddSource oa(a), ob(b), oc(c);
  std::array<ByteSource*, 3> parts{&oa, &ob, &oc};
  ConcatSource cat(parts);
  std::array<std::byte, 10> buf{};
  ob.fail = true;
  auto r = cat.read_at(2, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(*cat.read_at(0, std::span(buf).first(6)), 6u);  // part a alone does not touch b
  ob.fail = false;
  // b shrank to 2 bytes: a read across it stops there rather than taking c's
  // bytes for b's missing ones.
  ob.readable = 2;
  EXPECT_EQ(*cat.read_at(4, buf), 4u);
  EXPECT_EQ(buf[1], a[5]);
  EXPECT_EQ(buf[3], b[1]);
}
