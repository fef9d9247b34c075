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

}  // namespace

TEST(BufferedSource, SmallReadsNearEachOtherCostOneInnerRead) {
  const auto data = iota_bytes(10000);
  RecordingSource inner(data);
  std::vector<std::byte> buffer(1024);
  BufferedSource src(inner, buffer);
  // 600 is refilled from 512 (a quarter-buffer boundary), so 520 (before it)
  // and 1500 (to the window's end at 1536) come along.
  EXPECT_EQ(read_bytes(src, 600, 16), slice(data, 600, 16));
  EXPECT_EQ(read_bytes(src, 520, 80), slice(data, 520, 80));
  EXPECT_EQ(read_bytes(src, 1500, 36), slice(data, 1500, 36));
  EXPECT_EQ(inner.reads, (std::vector<Read>{{512, 1024}}));
  // A read far before the window: refilled from a quarter boundary again.
  EXPECT_EQ(read_bytes(src, 100, 8), slice(data, 100, 8));
  EXPECT_EQ(inner.reads, (std::vector<Read>{{512, 1024}, {0, 1024}}));
}

// Reading on past the window's end refills from that end, or from the read
// itself when it straddles the end: sequential reading fetches little twice.
TEST(BufferedSource, SequentialReadsFetchEachByteAboutOnce) {
  const auto data = iota_bytes(10000);
  RecordingSource inner(data);
  std::vector<std::byte> buffer(1024);
  BufferedSource src(inner, buffer);
  std::uint64_t at = 0;
  for (std::size_t n : {300, 300, 300, 300, 100, 500, 200, 124, 300, 500}) {
    EXPECT_EQ(read_bytes(src, at, n), slice(data, at, n));
    at += n;
  }
  // [0, 1024); 900+300 straddles its end: [900, 1924); 1800+200 straddles
  // that: [1800, 2824); 2000 and 2124 follow inside it; 2424+500 straddles:
  // [2424, 3448). Only the straddling reads' heads are fetched twice.
  EXPECT_EQ(inner.reads, (std::vector<Read>{{0, 1024}, {900, 1024}, {1800, 1024}, {2424, 1024}}));
  // A read at the window's end starts the next one there.
  EXPECT_EQ(read_bytes(src, 3448, 8), slice(data, 3448, 8));
  EXPECT_EQ(inner.reads.back(), (Read{3448, 1024}));
}

TEST(BufferedSource, LargeReadsPassThroughAndKeepTheWindow) {
  const auto data = iota_bytes(10000);
  RecordingSource inner(data);
  std::vector<std::byte> buffer(1024);
  BufferedSource src(inner, buffer);
  EXPECT_EQ(read_bytes(src, 100, 8), slice(data, 100, 8));
  EXPECT_EQ(read_bytes(src, 5000, 513), slice(data, 5000, 513));  // more than half the buffer
  EXPECT_EQ(read_bytes(src, 200, 8), slice(data, 200, 8));        // still in the window
  EXPECT_EQ(inner.reads, (std::vector<Read>{{0, 1024}, {5000, 513}}));
}

TEST(BufferedSource, ShortReadsOnlyAtTheEndOfTheData) {
  const auto data = iota_bytes(1000);
  RecordingSource inner(data);
  std::vector<std::byte> buffer(1024);
  BufferedSource src(inner, buffer);
  EXPECT_EQ(read_bytes(src, 990, 100), slice(data, 990, 100));  // 10 bytes
  EXPECT_EQ(read_bytes(src, 1000, 10).size(), 0u);
  EXPECT_EQ(read_bytes(src, 5000, 10).size(), 0u);
  EXPECT_EQ(read_bytes(src, ~std::uint64_t{0} - 3, 10).size(), 0u);
  std::array<std::byte, 4> four{};
  EXPECT_TRUE(read_exact(src, 996, four));
  EXPECT_FALSE(read_exact(src, 997, four));
}

TEST(BufferedSource, ErrorsPassOnAndTheWindowIsForgotten) {
  const auto data = iota_bytes(10000);
  RecordingSource inner(data);
  std::vector<std::byte> buffer(1024);
  BufferedSource src(inner, buffer);
  EXPECT_EQ(read_bytes(src, 100, 8), slice(data, 100, 8));
  inner.fail = true;
  std::array<std::byte, 8> out{};
  auto r = src.read_at(4000, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  r = src.read_at(100, out);  // the window at 0 was given up for the failed refill
  EXPECT_FALSE(r);
  inner.fail = false;
  EXPECT_EQ(read_bytes(src, 100, 8), slice(data, 100, 8));
}

TEST(BufferedSource, EmptyBufferPassesEverythingThrough) {
  const auto data = iota_bytes(100);
  RecordingSource inner(data);
  std::vector<std::byte> buffer(64);
  BufferedSource src(inner, buffer);
  EXPECT_EQ(read_bytes(src, 10, 4), slice(data, 10, 4));
  src.set_buffer({});
  EXPECT_EQ(read_bytes(src, 12, 2), slice(data, 12, 2));
  EXPECT_EQ(read_bytes(src, 12, 2), slice(data, 12, 2));
  EXPECT_EQ(inner.reads, (std::vector<Read>{{0, 64}, {12, 2}, {12, 2}}));
  EXPECT_EQ(*src.size(), 100u);
}

// Whatever the reads, the bytes are the inner source's, and a read the
// window could hold never costs more than one inner read.
TEST(BufferedSource, RandomReadsReturnTheInnerSourcesBytes) {
  const auto data = iota_bytes(5000);
  for (std::size_t capacity : {1, 2, 3, 7, 64, 1000, 4096}) {
    RecordingSource inner(data);
    std::vector<std::byte> buffer(capacity);
    BufferedSource src(inner, buffer);
    std::uint64_t state = 12345;
    for (int i = 0; i < 2000; ++i) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      const std::uint64_t offset = (state >> 33) % 5100;
      const std::size_t n = static_cast<std::size_t>((state >> 13) % (i % 3 ? 40 : 3000));
      const std::size_t before = inner.reads.size();
      ASSERT_EQ(read_bytes(src, offset, n), slice(data, offset, n)) << "capacity " << capacity << " read " << i;
      EXPECT_LE(inner.reads.size() - before, 1u);
    }
  }
}
