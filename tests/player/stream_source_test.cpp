// player::StreamSource: positional reads over a forward-only stream that
// hands its bytes out in small irregular pieces (1 to 7 bytes a call) — the
// head before will_revisit(), its cap, the prefix and the window after it,
// forward jumps, the stream's end and errors, memory charged — and the MP4
// demuxer over it giving the same packets as over the whole file in memory.
#include <frugal/core/byte_source.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/demuxer.hpp>
#include <frugal/player/stream_source.hpp>

#include "support/demux_fixture.hpp"
#include "support/fragment_writer.hpp"
#include "support/mp4_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace frugal::player {
namespace {

using core::Errc;
using core::Result;
using Bytes = std::vector<std::byte>;

// Byte `i` of the test stream: offsets that differ by a multiple of 256 give
// different bytes, so a read from the wrong place shows.
std::byte stream_byte(std::uint64_t i) { return static_cast<std::byte>((i * 7 + (i >> 8) * 13 + 5) & 0xFF); }

Bytes stream_bytes(std::size_t n) {
  Bytes v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = stream_byte(i);
  return v;
}

// A forward-only stream over `data` that returns 1..7 bytes a call (a
// fixed irregular sequence), and fails on demand.
class PieceStream final : public core::InputStream {
 public:
  explicit PieceStream(Bytes data) : data_(std::move(data)) {}

  Result<std::size_t> read(std::span<std::byte> dst) override {
    ++calls;
    if (fail_next) {
      fail_next = false;
      return core::make_error(Errc::io, "injected stream error");
    }
    if (fail_at && position_ >= *fail_at) {
      fail_at.reset();
      return core::make_error(Errc::io, "injected stream error");
    }
    if (dst.empty()) return std::size_t{0};
    const std::size_t piece = 1 + (calls * 5 + calls / 3) % 7;  // 1..7
    std::size_t n = std::min({dst.size(), piece, data_.size() - position_});
    if (fail_at) n = std::min<std::size_t>(n, static_cast<std::size_t>(*fail_at - position_));
    std::memcpy(dst.data(), data_.data() + position_, n);
    position_ += n;
    return n;
  }

  std::size_t position() const { return position_; }

  std::size_t calls = 0;
  bool fail_next = false;
  std::optional<std::size_t> fail_at;  // fail once when the stream gets to this offset

 private:
  Bytes data_;
  std::size_t position_ = 0;
};

// The account the source charges, as the tracker reports it.
std::size_t account_bytes(mem::MemoryTracker& tracker) {
  for (std::size_t i = 0; i < tracker.account_count(); ++i) {
    const mem::AccountStats s = tracker.account_stats(i);
    if (std::string(s.name) == "player/stream_source") return s.current;
  }
  return 0;
}

// `n` bytes at `offset` through the source: must equal the stream's bytes
// (fewer only at the stream's end, `total` bytes).
::testing::AssertionResult reads_right(core::ByteSource& src, std::uint64_t offset, std::size_t n, std::size_t total) {
  Bytes got(n);
  auto r = src.read_at(offset, got);
  if (!r) return ::testing::AssertionFailure() << "read of " << n << " at " << offset << ": " << r.error().message;
  const std::size_t want = offset >= total ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(n, total - offset));
  if (*r != want) return ::testing::AssertionFailure() << "read of " << n << " at " << offset << " gave " << *r << " bytes, not " << want;
  for (std::size_t i = 0; i < want; ++i)
    if (got[i] != stream_byte(offset + i))
      return ::testing::AssertionFailure() << "wrong byte at " << offset + i << " (read of " << n << " at " << offset << ")";
  return ::testing::AssertionSuccess();
}

// The error code of a read expected to fail.
std::optional<Errc> read_error(core::ByteSource& src, std::uint64_t offset, std::size_t n) {
  Bytes got(n);
  auto r = src.read_at(offset, got);
  if (r) return std::nullopt;
  return r.error().code;
}

struct Fixture {
  explicit Fixture(std::size_t bytes, StreamSourceOptions o = {}, const mem::TrackerOptions& t = {})
      : total(bytes), in(stream_bytes(bytes)), tracker(t), options(o) {
    options.tracker = &tracker;
  }
  StreamSource open() {
    auto s = StreamSource::open(in, options);
    EXPECT_TRUE(s) << s.error().message;
    return std::move(*s);
  }
  std::size_t total;
  PieceStream in;
  mem::MemoryTracker tracker;
  StreamSourceOptions options;
};

}  // namespace

// ---- the source on its own ---------------------------------------------------------

TEST(StreamSource, ReadsBeforeWillRevisitComeFromTheGrowingHead) {
  Fixture f(20000);
  StreamSource src = f.open();
  EXPECT_FALSE(src.seekable());
  EXPECT_EQ(src.size(), std::nullopt);
  EXPECT_EQ(src.held_bytes(), 0u);
  EXPECT_TRUE(reads_right(src, 0, 8, f.total));
  EXPECT_GE(src.held_bytes(), 8u);  // the head's capacity: it doubles as it grows
  // Forward, then back, then forward again: all of it is still held.
  EXPECT_TRUE(reads_right(src, 5000, 100, f.total));
  EXPECT_GE(src.held_bytes(), 5100u);
  EXPECT_LE(src.held_bytes(), 2 * 5100u);
  EXPECT_EQ(f.in.position(), 5100u);  // nothing read ahead of the need
  EXPECT_TRUE(reads_right(src, 0, 5100, f.total));
  EXPECT_TRUE(reads_right(src, 4, 3, f.total));
  EXPECT_TRUE(reads_right(src, 3000, 2500, f.total));
  EXPECT_GE(src.held_bytes(), 5500u);
  EXPECT_LE(src.held_bytes(), 2 * 5500u);
  for (std::uint64_t at = 0; at < 5500; at += 377) EXPECT_TRUE(reads_right(src, at, 61, f.total));
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
  EXPECT_GT(f.in.calls, 5500u / 7);  // the pieces were small
}

TEST(StreamSource, HeadPastItsCapIsLimitExceeded) {
  StreamSourceOptions o;
  o.head_bytes = 1000;
  Fixture f(5000, o);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 990, 10, f.total));  // exactly the cap
  EXPECT_EQ(src.held_bytes(), 1000u);
  EXPECT_EQ(read_error(src, 995, 10), Errc::limit_exceeded);
  EXPECT_EQ(read_error(src, 1000, 1), Errc::limit_exceeded);
  EXPECT_EQ(read_error(src, 4000, 1), Errc::limit_exceeded);
  Bytes one(1);
  auto r = src.read_at(2000, one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 1000u);  // the head's end
  // What is held stays readable, and nothing more was charged.
  EXPECT_TRUE(reads_right(src, 0, 1000, f.total));
  EXPECT_EQ(src.held_bytes(), 1000u);
  EXPECT_EQ(account_bytes(f.tracker), 1000u);
  // Once settled, the cap no longer applies: the rest flows through the window.
  ASSERT_TRUE(src.will_revisit(600));
  EXPECT_TRUE(reads_right(src, 4000, 1000, f.total));
  EXPECT_TRUE(reads_right(src, 0, 600, f.total));
}

TEST(StreamSource, AfterWillRevisitThePrefixAndTheWindowStayReadable) {
  StreamSourceOptions o;
  o.window_bytes = 4096;
  Fixture f(200000, o);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 3000, f.total));
  ASSERT_TRUE(src.will_revisit(2000));
  EXPECT_EQ(src.held_bytes(), 2000u + 4096u);
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
  // The prefix, and the head's bytes past it (moved to the window).
  EXPECT_TRUE(reads_right(src, 0, 2000, f.total));
  EXPECT_TRUE(reads_right(src, 1990, 1010, f.total));  // across the prefix's end
  EXPECT_TRUE(reads_right(src, 2000, 1000, f.total));
  // On to 50000: the window holds [45904, 50000).
  EXPECT_TRUE(reads_right(src, 49900, 100, f.total));
  EXPECT_EQ(f.in.position(), 50000u);
  EXPECT_TRUE(reads_right(src, 50000 - 4096, 4096, f.total));
  EXPECT_TRUE(reads_right(src, 50000 - 4096, 1, f.total));
  EXPECT_TRUE(reads_right(src, 47000, 77, f.total));
  EXPECT_EQ(read_error(src, 50000 - 4097, 1), Errc::unsupported);
  EXPECT_EQ(read_error(src, 50000 - 4097, 100), Errc::unsupported);
  EXPECT_EQ(read_error(src, 2000, 1), Errc::unsupported);   // just past the prefix
  EXPECT_EQ(read_error(src, 30000, 10), Errc::unsupported);
  Bytes one(1);
  auto r = src.read_at(30000, one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 30000u);
  // The prefix is untouched by all of this, and the charge did not move.
  EXPECT_TRUE(reads_right(src, 0, 2000, f.total));
  EXPECT_TRUE(reads_right(src, 1234, 5, f.total));
  EXPECT_EQ(src.held_bytes(), 2000u + 4096u);
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
  // A second hint changes nothing.
  EXPECT_TRUE(src.will_revisit(100));
  EXPECT_TRUE(reads_right(src, 0, 2000, f.total));
  EXPECT_EQ(src.held_bytes(), 2000u + 4096u);
}

// The hint names a prefix longer than what has been read so far (the
// demuxer reads moov's table bodies lazily, after open): the whole prefix
// [0, end) must still be kept, not only the part read before the hint.
TEST(StreamSource, WillRevisitPastTheHeadStillKeepsTheWholePrefix) {
  StreamSourceOptions o;
  o.window_bytes = 1024;
  Fixture f(20000, o);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 100, f.total));
  ASSERT_TRUE(src.will_revisit(3000));
  EXPECT_TRUE(reads_right(src, 10000, 10, f.total));  // the stream moves on
  EXPECT_TRUE(reads_right(src, 0, 100, f.total));
  EXPECT_TRUE(reads_right(src, 500, 1, f.total));
  EXPECT_TRUE(reads_right(src, 2999, 1, f.total));
  EXPECT_TRUE(reads_right(src, 0, 3000, f.total));
  EXPECT_EQ(read_error(src, 3000, 1), Errc::unsupported);
  EXPECT_EQ(src.held_bytes(), 3000u + 1024u);
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
}

// A prefix the source cannot take: past head_bytes (limit_exceeded), or a
// stream error on the way (io). The head stays unsettled and readable, and
// a later hint can still be taken.
TEST(StreamSource, WillRevisitFailsCleanlyAndCanBeGivenAgain) {
  StreamSourceOptions o;
  o.head_bytes = 5000;
  o.window_bytes = 1024;
  Fixture f(20000, o);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 100, f.total));
  auto r = src.will_revisit(6000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
  f.in.fail_at = 2000;
  r = src.will_revisit(4000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_TRUE(reads_right(src, 0, 2000, f.total));  // still the head: everything read is there
  EXPECT_GE(src.held_bytes(), 2000u);
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
  ASSERT_TRUE(src.will_revisit(4000));
  EXPECT_EQ(src.held_bytes(), 4000u + 1024u);
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
  EXPECT_TRUE(reads_right(src, 15000, 1000, f.total));
  EXPECT_TRUE(reads_right(src, 0, 4000, f.total));
  EXPECT_EQ(read_error(src, 4000, 1), Errc::unsupported);
}

// A prefix longer than the whole stream: all of it is kept.
TEST(StreamSource, WillRevisitPastTheStreamsEndKeepsItAll) {
  StreamSourceOptions o;
  o.window_bytes = 64;
  Fixture f(3000, o);
  StreamSource src = f.open();
  ASSERT_TRUE(src.will_revisit(1u << 20));
  EXPECT_EQ(src.held_bytes(), 3000u + 64u);
  EXPECT_TRUE(reads_right(src, 0, 3000, f.total));
  EXPECT_TRUE(reads_right(src, 2990, 100, f.total));  // short: the end
  EXPECT_TRUE(reads_right(src, 1234, 567, f.total));
}

// A head larger than prefix + window: the bytes past the prefix go to the
// window, which keeps the last window_bytes of them.
TEST(StreamSource, SettlingAHeadLargerThanTheWindowKeepsItsLastBytes) {
  StreamSourceOptions o;
  o.window_bytes = 1000;
  Fixture f(20000, o);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 7777, f.total));
  ASSERT_TRUE(src.will_revisit(500));
  EXPECT_EQ(src.held_bytes(), 1500u);
  EXPECT_EQ(account_bytes(f.tracker), 1500u);
  EXPECT_TRUE(reads_right(src, 0, 500, f.total));
  EXPECT_TRUE(reads_right(src, 6777, 1000, f.total));
  EXPECT_EQ(read_error(src, 6776, 1), Errc::unsupported);
  EXPECT_EQ(read_error(src, 500, 1), Errc::unsupported);
  EXPECT_TRUE(reads_right(src, 7777, 1000, f.total));  // on round the ring
  EXPECT_TRUE(reads_right(src, 9777, 1000, f.total));
  EXPECT_TRUE(reads_right(src, 10000, 777, f.total));
}

TEST(StreamSource, ForwardJumpsSkipToTheRightBytes) {
  StreamSourceOptions o;
  o.window_bytes = 512;
  Fixture f(300000, o);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 64, f.total));
  ASSERT_TRUE(src.will_revisit(64));
  // Far ahead, several times, with reads across the ring's wrap.
  EXPECT_TRUE(reads_right(src, 100000, 37, f.total));
  EXPECT_TRUE(reads_right(src, 100000 - 400, 300, f.total));
  EXPECT_TRUE(reads_right(src, 123457, 511, f.total));
  EXPECT_TRUE(reads_right(src, 123457 + 511 - 512, 512, f.total));
  EXPECT_TRUE(reads_right(src, 250000, 512, f.total));  // a read as large as the window
  EXPECT_TRUE(reads_right(src, 0, 64, f.total));
  EXPECT_EQ(src.held_bytes(), 64u + 512u);
  // Before the hint too: a jump grows the head.
  Fixture g(300000);
  StreamSource head = g.open();
  EXPECT_TRUE(reads_right(head, 200000, 10, g.total));
  EXPECT_TRUE(reads_right(head, 17, 10, g.total));
  EXPECT_GE(head.held_bytes(), 200010u);
  EXPECT_LE(head.held_bytes(), 2 * 200010u);
}

// A read larger than the window (a big packet) works when it comes in
// order, partly from the window and the rest straight from the stream; its
// last bytes stay readable. A read-ahead from the prefix into bytes gone by
// comes back short at the prefix's end.
TEST(StreamSource, ReadsLargerThanTheWindowAndShortReadAtThePrefixEnd) {
  StreamSourceOptions o;
  o.window_bytes = 512;
  Fixture f(300000, o);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 64, f.total));
  ASSERT_TRUE(src.will_revisit(1000));
  EXPECT_TRUE(reads_right(src, 1100, 100, f.total));
  EXPECT_TRUE(reads_right(src, 1150, 5000, f.total));  // 50 bytes from the window, the rest from the stream
  EXPECT_TRUE(reads_right(src, 1150 + 5000 - 512, 512, f.total));
  Bytes buf(4096);
  auto r = src.read_at(900, buf);  // [900, 1000) held, [1000, ...) gone by
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 100u);
  EXPECT_EQ(src.held_bytes(), 1000u + 512u);
}

TEST(StreamSource, ShortReadAtTheEndOfTheStream) {
  for (bool settled : {false, true}) {
    SCOPED_TRACE(settled ? "after will_revisit" : "before will_revisit");
    StreamSourceOptions o;
    o.window_bytes = 300;
    Fixture f(1000, o);
    StreamSource src = f.open();
    if (settled) {
      EXPECT_TRUE(reads_right(src, 0, 10, f.total));
      ASSERT_TRUE(src.will_revisit(10));
    }
    Bytes buf(50);
    auto r = src.read_at(980, buf);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, 20u);
    EXPECT_TRUE(reads_right(src, 980, 50, f.total));
    EXPECT_TRUE(reads_right(src, 1000, 5, f.total));  // 0 bytes
    EXPECT_TRUE(reads_right(src, 1001, 5, f.total));
    EXPECT_TRUE(reads_right(src, 5000, 5, f.total));
    EXPECT_TRUE(reads_right(src, ~std::uint64_t{0} - 2, 5, f.total));
    EXPECT_TRUE(reads_right(src, 990, 10, f.total));
    EXPECT_TRUE(reads_right(src, 0, 10, f.total));
    if (settled) {
      EXPECT_EQ(read_error(src, 600, 10), Errc::unsupported);
    }
    // The stream's end, once seen, is not asked for again.
    const std::size_t calls = f.in.calls;
    EXPECT_TRUE(reads_right(src, 2000, 5, f.total));
    EXPECT_EQ(f.in.calls, calls);
  }
}

TEST(StreamSource, StreamErrorsPassOnAndTheNextReadGoesOn) {
  for (bool settled : {false, true}) {
    SCOPED_TRACE(settled ? "after will_revisit" : "before will_revisit");
    StreamSourceOptions o;
    o.window_bytes = 2048;
    Fixture f(10000, o);
    StreamSource src = f.open();
    EXPECT_TRUE(reads_right(src, 0, 100, f.total));
    if (settled) {
      ASSERT_TRUE(src.will_revisit(100));
    }
    const std::size_t held = src.held_bytes();
    // Fails at once.
    f.in.fail_next = true;
    Bytes buf(10);
    auto r = src.read_at(100, buf);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::io);
    EXPECT_GE(src.held_bytes(), held);  // the head may have grown its room for the read
    EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
    EXPECT_TRUE(reads_right(src, 100, 10, f.total));
    // Fails half way through a read that needs many stream reads: the bytes
    // taken before the error stay, the next read goes on from there.
    f.in.fail_at = 1500;
    Bytes big(1000);
    r = src.read_at(1000, big);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::io);
    EXPECT_EQ(f.in.position(), 1500u);
    if (!settled) {
      EXPECT_GE(src.held_bytes(), 1500u);
    }
    EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
    EXPECT_TRUE(reads_right(src, 1000, 10, f.total));
    EXPECT_TRUE(reads_right(src, 1400, 200, f.total));
    EXPECT_TRUE(reads_right(src, 0, 100, f.total));
    EXPECT_TRUE(reads_right(src, 9990, 100, f.total));
  }
}

TEST(StreamSource, ChargesWhatItHoldsAndReleasesItAll) {
  mem::MemoryTracker tracker;
  PieceStream in(stream_bytes(100000));
  StreamSourceOptions o;
  o.tracker = &tracker;
  o.window_bytes = 8192;
  {
    auto opened = StreamSource::open(in, o);
    ASSERT_TRUE(opened) << opened.error().message;
    StreamSource src = std::move(*opened);
    EXPECT_EQ(account_bytes(tracker), 0u);
    EXPECT_TRUE(reads_right(src, 0, 3333, 100000));
    EXPECT_EQ(src.held_bytes(), 3333u);
    EXPECT_EQ(account_bytes(tracker), 3333u);
    EXPECT_EQ(tracker.total(), 3333u);
    ASSERT_TRUE(src.will_revisit(1000));
    EXPECT_EQ(src.held_bytes(), 1000u + 8192u);
    EXPECT_EQ(account_bytes(tracker), 1000u + 8192u);
    EXPECT_TRUE(reads_right(src, 90000, 100, 100000));
    EXPECT_EQ(account_bytes(tracker), 1000u + 8192u);  // the window does not grow
    StreamSource moved = std::move(src);
    EXPECT_EQ(account_bytes(tracker), 1000u + 8192u);
    EXPECT_EQ(moved.held_bytes(), 1000u + 8192u);
    EXPECT_TRUE(reads_right(moved, 0, 1000, 100000));
  }
  EXPECT_EQ(account_bytes(tracker), 0u);
  EXPECT_EQ(tracker.total(), 0u);
  // The default tracker when none is given.
  mem::MemoryTracker& def = mem::default_tracker();
  const std::size_t before = account_bytes(def);
  {
    PieceStream in2(stream_bytes(5000));
    auto src = StreamSource::open(in2);
    ASSERT_TRUE(src);
    EXPECT_TRUE(reads_right(*src, 0, 700, 5000));
    EXPECT_EQ(account_bytes(def), before + 700);
  }
  EXPECT_EQ(account_bytes(def), before);
}

TEST(StreamSource, TheBudgetRefusesTheHeadWithOutOfMemory) {
  mem::TrackerOptions t;
  t.budget = 10000;
  StreamSourceOptions o;
  o.window_bytes = 4000;
  Fixture f(100000, o, t);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 8000, f.total));
  EXPECT_EQ(read_error(src, 9000, 2000), Errc::out_of_memory);
  EXPECT_EQ(src.held_bytes(), 8000u);
  EXPECT_EQ(account_bytes(f.tracker), 8000u);
  EXPECT_TRUE(reads_right(src, 0, 8000, f.total));
  EXPECT_TRUE(reads_right(src, 9000, 1000, f.total));  // up to the budget exactly
  EXPECT_EQ(account_bytes(f.tracker), 10000u);
  EXPECT_EQ(read_error(src, 10000, 1), Errc::out_of_memory);
  // Settling to a prefix of 1000 frees room for the window: 1000 + 4000.
  ASSERT_TRUE(src.will_revisit(1000));
  EXPECT_EQ(src.held_bytes(), 5000u);
  EXPECT_EQ(account_bytes(f.tracker), 5000u);
  EXPECT_TRUE(reads_right(src, 50000, 1000, f.total));
  EXPECT_TRUE(reads_right(src, 0, 1000, f.total));
}

// The window does not fit the budget: the hint fails with out_of_memory and
// the head stays unsettled: it goes on growing (and stays readable) until
// the budget refuses it.
TEST(StreamSource, AWindowOverTheBudgetLeavesTheHeadUnsettled) {
  mem::TrackerOptions t;
  t.budget = 10000;
  StreamSourceOptions o;
  o.window_bytes = 9000;
  Fixture f(100000, o, t);
  StreamSource src = f.open();
  EXPECT_TRUE(reads_right(src, 0, 3000, f.total));
  auto r = src.will_revisit(2000);  // 2000 + 9000 > 10000
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::out_of_memory);
  EXPECT_EQ(src.held_bytes(), 3000u);
  EXPECT_EQ(account_bytes(f.tracker), 3000u);
  EXPECT_TRUE(reads_right(src, 8000, 1000, f.total));
  EXPECT_EQ(src.held_bytes(), 9000u);
  EXPECT_TRUE(reads_right(src, 2500, 100, f.total));  // not gone by: still in the head
  EXPECT_EQ(read_error(src, 20000, 1), Errc::out_of_memory);
  EXPECT_EQ(account_bytes(f.tracker), src.held_bytes());
}

TEST(StreamSource, ZeroWindowIsAnInvalidArgument) {
  PieceStream in(stream_bytes(10));
  mem::MemoryTracker tracker;
  StreamSourceOptions o;
  o.window_bytes = 0;
  o.tracker = &tracker;
  auto src = StreamSource::open(in, o);
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code, Errc::invalid_argument);
}

// ---- the demuxer over a stream -----------------------------------------------------

namespace {

using frugal::test::FragmentedSpec;
using frugal::test::Layout;
using frugal::test::MoofSpec;
using frugal::test::MovieSpec;
using frugal::test::TrafSpec;
using frugal::test::TrunSpec;

// Every packet and its bytes.
struct Demuxed {
  std::vector<core::Packet> packets;
  std::vector<Bytes> data;
};

core::Result<Demuxed> demux_all(core::ByteSource& source, mem::MemoryTracker& tracker) {
  core::DemuxerOptions options;
  options.tracker = &tracker;
  FRUGAL_TRY(mp4::Demuxer demuxer, mp4::Demuxer::open(source, options));
  Demuxed out;
  core::Packet p;
  while (true) {
    auto r = demuxer.next_packet(p);
    if (!r) {
      if (r.error().code == Errc::end_of_stream) break;
      return r.error();
    }
    Bytes data(p.size);
    FRUGAL_CHECK(demuxer.read_packet(p, data));
    out.packets.push_back(p);
    out.data.push_back(std::move(data));
  }
  return out;
}

// The file demuxed from memory and from a stream of small pieces give the
// same packets, field by field, and the same bytes.
void expect_same_over_a_stream(const Bytes& file, std::size_t min_packets, StreamSourceOptions options = {}) {
  mem::MemoryTracker tracker;
  core::MemorySource memory(file);
  auto want = demux_all(memory, tracker);
  ASSERT_TRUE(want) << want.error().message;
  ASSERT_GE(want->packets.size(), min_packets);

  PieceStream in(file);
  options.tracker = &tracker;
  auto stream = StreamSource::open(in, options);
  ASSERT_TRUE(stream) << stream.error().message;
  auto got = demux_all(*stream, tracker);
  ASSERT_TRUE(got) << got.error().message << " (at byte " << got.error().offset << ")";
  ASSERT_EQ(got->packets.size(), want->packets.size());
  for (std::size_t i = 0; i < want->packets.size(); ++i) {
    SCOPED_TRACE("packet " + std::to_string(i));
    const core::Packet& a = got->packets[i];
    const core::Packet& b = want->packets[i];
    EXPECT_EQ(a.track, b.track);
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.dts, b.dts);
    EXPECT_EQ(a.pts, b.pts);
    EXPECT_EQ(a.duration, b.duration);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.pos, b.pos);
    EXPECT_EQ(a.sync, b.sync);
    EXPECT_EQ(a.sample_count, b.sample_count);
    EXPECT_EQ(a.sample_description_index, b.sample_description_index);
    EXPECT_TRUE(got->data[i] == want->data[i]);
  }
  // Held: the movie header and the window, never the whole file.
  EXPECT_LE(stream->held_bytes(), 2 * options.window_bytes + file.size() / 4);
}

}  // namespace

TEST(StreamSourceDemux, FragmentedFileGivesTheSamePacketsAsFromMemory) {
  FragmentedSpec spec;
  spec.init.tracks = {test::aac_track({}), test::aac_track({})};
  for (std::uint64_t f = 0; f < 12; ++f) {
    TrafSpec a;
    a.track = 0;
    a.truns = {TrunSpec{test::fragment_samples(9, 1024, static_cast<std::uint32_t>(200 + f))}};
    a.decode_time = f * 9 * 1024;
    TrafSpec b;
    b.track = 1;
    b.truns = {TrunSpec{test::fragment_samples(5, 2048, static_cast<std::uint32_t>(500 + 3 * f))}};
    b.decode_time = f * 5 * 2048;
    spec.fragments.push_back(MoofSpec{{a, b}});
  }
  const Bytes file = test::build_fragmented_mp4(spec);
  ASSERT_GT(file.size(), 40000u);
  StreamSourceOptions o;
  o.window_bytes = 16 * 1024;  // smaller than the file
  expect_same_over_a_stream(file, 12 * 14, o);
  expect_same_over_a_stream(file, 12 * 14);
}

TEST(StreamSourceDemux, FaststartFileGivesTheSamePacketsAsFromMemory) {
  MovieSpec spec;
  spec.layout = Layout::moov_first;
  spec.tracks = {test::aac_track(test::ramp(300, 100)), test::aac_track(test::ramp(200, 300))};
  spec.tracks[0].chunks = test::uniform_chunks(300, 7);
  spec.tracks[1].chunks = test::uniform_chunks(200, 5);
  const Bytes file = test::build_mp4(spec);
  ASSERT_GT(file.size(), 80000u);
  StreamSourceOptions o;
  o.window_bytes = 16 * 1024;
  expect_same_over_a_stream(file, 500, o);
  expect_same_over_a_stream(file, 500);
}

// A movie header larger than what the demuxer reads at open: its sample
// tables are read lazily, page by page, while the packets go by, so the
// whole of moov must stay held, up to its last byte.
MovieSpec large_tables_movie() {
  MovieSpec spec;
  spec.layout = Layout::moov_first;
  std::vector<std::uint32_t> sizes(6000);
  for (std::size_t i = 0; i < sizes.size(); ++i) sizes[i] = 200 + static_cast<std::uint32_t>(i % 50);
  spec.tracks = {test::aac_track(sizes)};
  spec.tracks[0].chunks = test::uniform_chunks(6000, 1);  // 6000 stco entries, the last table in moov
  return spec;
}

TEST(StreamSourceDemux, FaststartFileWithLargeTablesGivesTheSamePackets) {
  StreamSourceOptions o;
  o.window_bytes = 64 * 1024;
  expect_same_over_a_stream(test::build_mp4(large_tables_movie()), 6000, o);
}

// The same with a small box closing moov, so that open reads up to moov's
// end: the table pages near moov's end are then read with read-ahead that
// runs on past moov into bytes gone by.
TEST(StreamSourceDemux, FaststartFileWithLargeTablesAndATrailingBoxGivesTheSamePackets) {
  MovieSpec spec = large_tables_movie();
  spec.moov_extra = {test::make_box(test::FourCC("free"), {})};
  StreamSourceOptions o;
  o.window_bytes = 64 * 1024;
  expect_same_over_a_stream(test::build_mp4(spec), 6000, o);
}

TEST(StreamSourceDemux, MdatBeforeMoovFailsAtOpenAsUnsupported) {
  MovieSpec spec;
  spec.layout = Layout::mdat_first;
  spec.tracks = {test::aac_track(test::ramp(1000, 100))};
  const Bytes file = test::build_mp4(spec);
  ASSERT_GT(file.size(), 500000u);
  {  // The file is fine from memory.
    core::MemorySource memory(file);
    EXPECT_TRUE(mp4::Demuxer::open(memory));
  }
  mem::MemoryTracker tracker;
  PieceStream in(file);
  StreamSourceOptions o;
  o.tracker = &tracker;
  auto stream = StreamSource::open(in, o);
  ASSERT_TRUE(stream);
  core::DemuxerOptions d;
  d.tracker = &tracker;
  auto demuxer = mp4::Demuxer::open(*stream, d);
  ASSERT_FALSE(demuxer);
  EXPECT_EQ(demuxer.error().code, Errc::unsupported);
  EXPECT_NE(std::string(demuxer.error().message).find("moov after mdat"), std::string::npos) << demuxer.error().message;
  // Told at the mdat header: its payload was not read.
  EXPECT_LT(in.position(), file.size() / 2);
}

}  // namespace frugal::player
