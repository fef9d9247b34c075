// flac::Demuxer on writer-built files: frame boundaries (sync lookalikes,
// corrupt and truncated frames, junk), metadata edge cases, seeking, memory.
#include "support/flac_writer.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/flac/demuxer.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

using namespace frugal;
using frugal::test::Bytes;
using frugal::test::build_flac;
using frugal::test::flac_test_samples;
using frugal::test::FlacLayout;
using frugal::test::FlacStreamSpec;

namespace {

// `n` frames of `block` samples per channel.
FlacStreamSpec stream(std::size_t n, std::uint32_t block = 1152, std::uint8_t channels = 1) {
  FlacStreamSpec s;
  s.channels = channels;
  for (std::size_t i = 0; i < n; ++i)
    s.frames.push_back(flac_test_samples(std::size_t{block} * channels, static_cast<std::uint32_t>(i)));
  return s;
}

// A file in memory with its demuxer.
struct Opened {
  explicit Opened(const FlacStreamSpec& spec, const core::DemuxerOptions& options = {})
      : bytes(build_flac(spec, &layout)), source(bytes), demuxer(flac::Demuxer::open(source, options)) {}
  explicit Opened(Bytes b, const core::DemuxerOptions& options = {})
      : bytes(std::move(b)), source(bytes), demuxer(flac::Demuxer::open(source, options)) {}
  FlacLayout layout;
  Bytes bytes;
  core::MemorySource source;
  core::Result<flac::Demuxer> demuxer;
};

std::vector<core::Packet> all_packets(flac::Demuxer& d) {
  std::vector<core::Packet> out;
  core::Packet p;
  while (true) {
    auto r = d.next_packet(p);
    if (!r) {
      EXPECT_EQ(r.error().code, core::Errc::end_of_stream) << r.error().message;
      return out;
    }
    out.push_back(p);
  }
}

// Opening `file` fails with `code`, found at `offset`.
void expect_open_fails(Bytes file, core::Errc code, std::uint64_t offset) {
  Opened f(std::move(file));
  ASSERT_FALSE(f.demuxer);
  EXPECT_EQ(f.demuxer.error().code, code) << f.demuxer.error().message;
  EXPECT_EQ(f.demuxer.error().offset, offset);
}

// The packets match the writer's frames one for one.
void expect_frames(const std::vector<core::Packet>& packets, const FlacLayout& l, std::uint64_t first_index = 0) {
  ASSERT_EQ(packets.size() + first_index, l.frame_offsets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const std::size_t k = i + first_index;
    SCOPED_TRACE("frame " + std::to_string(k));
    EXPECT_EQ(packets[i].pos, l.frame_offsets[k]);
    EXPECT_EQ(packets[i].size, l.frame_sizes[k]);
    EXPECT_EQ(packets[i].dts, static_cast<std::int64_t>(l.first_samples[k]));
    EXPECT_TRUE(packets[i].sync);
  }
}

// The frame of `l` holding sample `t` (the last one past the end).
std::size_t frame_holding(const FlacLayout& l, std::uint64_t t) {
  std::size_t k = 0;
  while (k + 1 < l.first_samples.size() && l.first_samples[k + 1] <= t) ++k;
  return k;
}

// A source that fails every read while `fail` is set, and may say it is not seekable.
class FlakySource final : public core::ByteSource {
 public:
  explicit FlakySource(std::span<const std::byte> b, bool seekable = true) : inner_(b), seekable_(seekable) {}
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    if (fail) return core::make_error(core::Errc::io, "injected failure");
    return inner_.read_at(offset, dst);
  }
  std::optional<std::uint64_t> size() const override { return seekable_ ? inner_.size() : std::nullopt; }
  bool seekable() const override { return seekable_; }
  bool fail = false;

 private:
  core::MemorySource inner_;
  bool seekable_;
};

TEST(FlacDemuxer, DescribesOneAudioTrackFromStreaminfo) {
  Opened f(stream(3, 1152, 2));
  ASSERT_TRUE(f.demuxer) << f.demuxer.error().message;
  flac::Demuxer& d = *f.demuxer;
  EXPECT_STREQ(d.format_name(), "flac");
  ASSERT_EQ(d.tracks().size(), 1u);
  const core::Track& t = d.tracks()[0];
  EXPECT_EQ(t.id, 1u);
  EXPECT_EQ(t.type, core::TrackType::audio);
  EXPECT_EQ(t.timescale, 44100u);
  EXPECT_EQ(t.duration, 3u * 1152);
  const core::CodecParameters* c = t.audio();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->codec, core::Codec::flac);
  EXPECT_EQ(c->format, core::FourCC("fLaC"));
  EXPECT_EQ(c->channels, 2u);
  EXPECT_EQ(c->bits_per_sample, 16u);
  // The STREAMINFO block with its header, as the FLAC decoder takes it.
  ASSERT_EQ(c->config.size(), 38u);
  EXPECT_EQ(c->config[0], std::byte{0});
  EXPECT_EQ(c->config[3], std::byte{34});
  EXPECT_EQ(std::memcmp(c->config.data() + 4, f.bytes.data() + 8, 34), 0);
  EXPECT_EQ(d.movie_timescale(), 44100u);
  EXPECT_FALSE(d.gapless());
  EXPECT_TRUE(d.chapters().empty());
  EXPECT_FALSE(d.indexed());
  EXPECT_EQ(d.seek_to_sample(1, 0).error().code, core::Errc::unsupported);
  EXPECT_EQ(d.sample_at_time(1, 0).error().code, core::Errc::unsupported);
  EXPECT_FALSE(*d.preroll_samples(1, 0));
  EXPECT_EQ(d.set_track_enabled(2, true).error().code, core::Errc::invalid_argument);
}

TEST(FlacDemuxer, PacketsAreTheFramesWithTheirBytes) {
  Opened f(stream(5));
  ASSERT_TRUE(f.demuxer);
  const auto packets = all_packets(*f.demuxer);
  expect_frames(packets, f.layout);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].index, i);
    EXPECT_EQ(packets[i].duration, 1152u);
    std::vector<std::byte> data(packets[i].size);
    ASSERT_TRUE(f.demuxer->read_packet(packets[i], data));
    EXPECT_EQ(std::memcmp(data.data(), f.bytes.data() + packets[i].pos, data.size()), 0);
  }
  std::vector<std::byte> wrong(packets[0].size - 1);
  EXPECT_EQ(f.demuxer->read_packet(packets[0], wrong).error().code, core::Errc::invalid_argument);
  EXPECT_EQ(*f.demuxer->packet_count(1), 5u);
}

// Frame 0's audio holds the exact header of frame 1 (valid CRC-8, in
// sequence): only the CRC-16 of the whole frame tells it is not a boundary.
TEST(FlacDemuxer, SyncCodeLookalikesInsideFrameDataArePassedOver) {
  FlacStreamSpec s = stream(3, 1152);
  const Bytes next = test::flac_frame({false, 1, 1, s.frames[1]});
  for (std::size_t i = 0; i < 8; ++i)  // the header (6 bytes) and 2 more, as 16-bit samples
    s.frames[0][100 + i] = static_cast<std::int16_t>(std::to_integer<unsigned>(next[2 * i]) << 8 |
                                                     std::to_integer<unsigned>(next[2 * i + 1]));
  s.frames[0][300] = static_cast<std::int16_t>(0xFFF8);  // a bare sync code too
  Opened f(s);
  ASSERT_TRUE(f.demuxer);
  expect_frames(all_packets(*f.demuxer), f.layout);
}

TEST(FlacDemuxer, VariableBlockSizeFramesCarrySampleNumbers) {
  FlacStreamSpec s;
  s.variable = true;
  for (std::uint32_t block : {4096u, 100u, 5000u, 16u, 1152u}) s.frames.push_back(flac_test_samples(block, block));
  Opened f(s);
  ASSERT_TRUE(f.demuxer);
  const auto packets = all_packets(*f.demuxer);
  expect_frames(packets, f.layout);
  EXPECT_EQ(packets[2].duration, 5000u);
  ASSERT_TRUE(f.demuxer->seek(1, 4096 + 100 + 10));
  core::Packet p;
  ASSERT_TRUE(f.demuxer->next_packet(p));
  EXPECT_EQ(p.pos, f.layout.frame_offsets[2]);
  EXPECT_EQ(p.index, core::kUnknownIndex);  // not counted after a seek
}

TEST(FlacDemuxer, UnknownTotalSamplesLeavesTheDurationUnknown) {
  FlacStreamSpec s = stream(4);
  s.total_samples = 0;
  Opened f(s);
  ASSERT_TRUE(f.demuxer);
  EXPECT_EQ(f.demuxer->tracks()[0].duration, 0u);
  expect_frames(all_packets(*f.demuxer), f.layout);
}

TEST(FlacDemuxer, Id3v2TagAndPaddingBeforeTheFrames) {
  FlacStreamSpec s = stream(2);
  s.prefix = test::id3v2_tag(300);
  s.padding = 1000;
  Opened f(s);
  ASSERT_TRUE(f.demuxer) << f.demuxer.error().message;
  expect_frames(all_packets(*f.demuxer), f.layout);
}

TEST(FlacDemuxer, JunkBeforeTheMarkerIsMalformed) {
  FlacStreamSpec s = stream(2);
  s.prefix = Bytes(20, std::byte{7});
  expect_open_fails(build_flac(s), core::Errc::malformed, 0);
}

TEST(FlacDemuxer, MetadataBlockLengthPastTheEndIsMalformedAtItsHeader) {
  Opened ok(stream(2, 1152));
  Bytes b = ok.bytes;
  b[5] = std::byte{0x7F};  // STREAMINFO's 24-bit length, far past the end
  expect_open_fails(b, core::Errc::malformed, 4);
}

TEST(FlacDemuxer, StreaminfoMustComeFirstWithItsLength) {
  Opened ok(stream(1));
  Bytes b = ok.bytes;
  b[4] = std::byte{0x81};  // type 1 (PADDING), last
  expect_open_fails(b, core::Errc::malformed, 4);
  Bytes c = ok.bytes;
  c[7] = std::byte{33};  // STREAMINFO's length
  expect_open_fails(c, core::Errc::malformed, 4);
}

TEST(FlacDemuxer, TruncatedLastFrameRunsToTheEnd) {
  Opened ok(stream(3));
  Bytes b = ok.bytes;
  b.resize(b.size() - 500);
  Opened f(b);
  ASSERT_TRUE(f.demuxer);
  const auto packets = all_packets(*f.demuxer);
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packets[2].pos + packets[2].size, b.size());
  EXPECT_EQ(packets[1].size, ok.layout.frame_sizes[1]);
}

TEST(FlacDemuxer, JunkAfterTheLastFrameIsLeftOut) {
  FlacStreamSpec s = stream(3);
  s.trailer = Bytes(128, std::byte{0x55});  // an ID3v1 tag's size
  s.trailer[0] = std::byte{'T'};
  Opened f(s);
  ASSERT_TRUE(f.demuxer);
  expect_frames(all_packets(*f.demuxer), f.layout);
}

// A frame whose CRC-16 never checks out ends where the next frame in
// sequence starts; the decoder then reports it corrupt.
TEST(FlacDemuxer, CorruptFrameEndsAtTheNextFrameInSequence) {
  Opened ok(stream(4));
  Bytes b = ok.bytes;
  b[ok.layout.frame_offsets[1] + 40] ^= std::byte{1};
  Opened f(b);
  ASSERT_TRUE(f.demuxer);
  FlacLayout l = ok.layout;
  expect_frames(all_packets(*f.demuxer), l);
}

// A corrupt frame costs a few frames of scanning past it, not the rest of
// the file.
TEST(FlacDemuxer, CorruptFrameIsScannedABoundedWayPast) {
  FlacLayout l;
  Bytes b = build_flac(stream(400), &l);  // 920 KB
  b[l.frame_offsets[200] + 40] ^= std::byte{1};
  core::MemorySource memory(b);
  core::CountingSource source(memory);
  auto d = flac::Demuxer::open(source);
  ASSERT_TRUE(d);
  core::Packet p;
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(d->next_packet(p));
  const std::uint64_t before = source.bytes_read();
  ASSERT_TRUE(d->next_packet(p));
  EXPECT_EQ(p.pos, l.frame_offsets[200]);
  EXPECT_EQ(p.size, l.frame_sizes[200]);
  EXPECT_LE(source.bytes_read() - before, std::uint64_t{2} << 16);
}

TEST(FlacDemuxer, FrameLargerThanTheLimitIsLimitExceeded) {
  core::DemuxerOptions o;
  o.limits.max_packet_bytes = 1000;
  Opened f(stream(3), o);
  ASSERT_TRUE(f.demuxer);
  core::Packet p;
  auto r = f.demuxer->next_packet(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::limit_exceeded);
  EXPECT_EQ(r.error().offset, f.layout.frame_offsets[0]);
  // The last frame, which ends at the end of the file, too.
  core::DemuxerOptions last;
  last.limits.max_packet_bytes = static_cast<std::uint32_t>(f.layout.frame_sizes[0] - 1);
  Opened g(stream(1), last);
  ASSERT_TRUE(g.demuxer);
  EXPECT_EQ(g.demuxer->next_packet(p).error().code, core::Errc::limit_exceeded);
}

// Seeks with and without a SEEKTABLE (with placeholder points), at the
// start, inside frames, at frame boundaries, at the end and past it.
class FlacSeek : public ::testing::TestWithParam<int> {};

TEST_P(FlacSeek, LandsOnTheFrameHoldingTheTime) {
  FlacStreamSpec s = stream(400, 1152, 2);  // ~1.8 MB: bisection, not just a walk
  if (GetParam() == 1) s.seek_every = 50, s.placeholders = 3;
  if (GetParam() == 2) s.variable = true, s.seek_every = 7;
  Opened f(s);
  ASSERT_TRUE(f.demuxer);
  const std::uint64_t total = 400 * 1152;
  for (std::uint64_t t : {std::uint64_t{0}, std::uint64_t{1151}, std::uint64_t{1152}, total / 2, total / 3 + 7,
                          total - 1, total, total * 5}) {
    SCOPED_TRACE("t = " + std::to_string(t));
    auto point = f.demuxer->seek(1, t);
    ASSERT_TRUE(point) << point.error().message;
    const std::size_t k = frame_holding(f.layout, t);
    EXPECT_EQ(point->dts, static_cast<std::int64_t>(f.layout.first_samples[k]));
    core::Packet p;
    ASSERT_TRUE(f.demuxer->next_packet(p));
    EXPECT_EQ(p.pos, f.layout.frame_offsets[k]);
    EXPECT_EQ(p.size, f.layout.frame_sizes[k]);
    if (!s.variable) {
      EXPECT_EQ(p.index, k);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Tables, FlacSeek, ::testing::Values(0, 1, 2));

// A seek reads O(log(file size)) windows, not the file: here at most a
// sixth of a 4.6 MB file.
TEST(FlacDemuxer, SeekReadsABoundedPartOfTheFile) {
  FlacLayout l;
  const Bytes b = build_flac(stream(2000), &l);
  core::MemorySource memory(b);
  core::CountingSource source(memory);
  auto d = flac::Demuxer::open(source);
  ASSERT_TRUE(d);
  for (std::uint64_t t : {std::uint64_t{1234567}, std::uint64_t{100}, std::uint64_t{2000 * 1152 - 1}}) {
    const std::uint64_t before = source.bytes_read();
    auto point = d->seek(1, t);
    ASSERT_TRUE(point);
    EXPECT_EQ(point->dts, static_cast<std::int64_t>(l.first_samples[frame_holding(l, t)]));
    EXPECT_LT(source.bytes_read() - before, b.size() / 6) << "t = " << t;
  }
}

// `bytes` of a hostile file: one real frame of 4096 samples, then every
// 16 KiB a fixed block size header (good CRC-8) and pseudo-random bytes, so
// no CRC-16 checks out; numbered in sequence (each corrupt frame has its
// next header) or all alike (none has). STREAMINFO gives no frame size.
Bytes hostile_flac(std::size_t bytes, bool in_sequence) {
  Bytes b = build_flac(stream(1, 4096));
  for (std::uint32_t n = 1; b.size() < bytes; ++n) {
    const Bytes h = test::flac_frame_header(false, in_sequence ? n : 7, 4096, 1);
    const std::vector<std::int16_t> junk = flac_test_samples((16384 - h.size()) / 2, n);
    b.insert(b.end(), h.begin(), h.end());
    const auto* j = reinterpret_cast<const std::byte*>(junk.data());
    b.insert(b.end(), j, j + junk.size() * 2);
  }
  b.resize(bytes);
  return b;
}

// A seek reads O(log(file size)) bytes on such a file: the bound the
// header states, and for 8 times the file, less than twice the bytes.
class FlacHostileSeek : public ::testing::TestWithParam<bool> {};

TEST_P(FlacHostileSeek, ReadsLogarithmicallyManyBytes) {
  const std::size_t sizes[2] = {std::size_t{2} << 20, std::size_t{16} << 20};
  std::uint64_t read[2] = {};
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE("file bytes " + std::to_string(sizes[i]));
    const Bytes b = hostile_flac(sizes[i], GetParam());
    core::MemorySource memory(b);
    core::CountingSource source(memory);
    auto d = flac::Demuxer::open(source);
    ASSERT_TRUE(d);
    const std::uint64_t before = source.bytes_read();
    const std::uint64_t ticks = sizes[i] / 16384 / 2 * 4096;
    auto point = d->seek(1, ticks);
    ASSERT_TRUE(point) << point.error().message;
    EXPECT_LE(point->dts, static_cast<std::int64_t>(ticks));
    read[i] = source.bytes_read() - before;
    // (log2(size / 64 KiB) + 3) × (4 F + 256 KiB), F a verbatim frame's bytes.
    const double frame = 4096 * 17 / 8 + 64;
    EXPECT_LE(static_cast<double>(read[i]), (std::log2(sizes[i] / 65536.0) + 3) * (4 * frame + 262144));
  }
  EXPECT_LT(read[1], 2 * read[0]);
}

INSTANTIATE_TEST_SUITE_P(Numbering, FlacHostileSeek, ::testing::Bool());

// A fixed block size frame's number counts frames of the first one's size,
// as FFmpeg's parser has it, whatever STREAMINFO's block size says.
TEST(FlacDemuxer, FixedBlockSizeFramesCountFramesOfTheFirstFramesSize) {
  FlacStreamSpec s = stream(100);
  s.streaminfo_block_size = 4096;
  Opened f(s);
  ASSERT_TRUE(f.demuxer);
  expect_frames(all_packets(*f.demuxer), f.layout);
  auto point = f.demuxer->seek(1, 70 * 1152 + 5);
  ASSERT_TRUE(point);
  EXPECT_EQ(point->dts, 70 * 1152);
}

TEST(FlacDemuxer, FailedSeekLeavesThePositionUnchanged) {
  const Bytes b = build_flac(stream(200));
  FlakySource source(b);
  auto d = flac::Demuxer::open(source);
  ASSERT_TRUE(d);
  core::Packet p, q;
  ASSERT_TRUE(d->next_packet(p));
  source.fail = true;
  EXPECT_FALSE(d->seek(1, 150 * 1152));
  EXPECT_FALSE(d->packet_count(1));
  source.fail = false;
  ASSERT_TRUE(d->next_packet(q));
  EXPECT_EQ(q.index, 1u);
  EXPECT_EQ(q.pos, p.pos + p.size);
  EXPECT_EQ(*d->packet_count(1), 200u);
  ASSERT_TRUE(d->next_packet(q));
  EXPECT_EQ(q.index, 2u);  // packet_count restored the position
}

TEST(FlacDemuxer, NonSeekableSourcePlaysForwardAndSeeksOnlyToTheStart) {
  FlacLayout l;
  const Bytes b = build_flac(stream(20), &l);
  FlakySource source(b, false);
  auto d = flac::Demuxer::open(source);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->seek(1, 0)->dts, 0);
  EXPECT_EQ(d->seek(1, 5000).error().code, core::Errc::unsupported);
  EXPECT_EQ(d->packet_count(1).error().code, core::Errc::unsupported);
  expect_frames(all_packets(*d), l);
}

TEST(FlacDemuxer, ReaderMemoryIsTheSameForShortAndLongFiles) {
  std::size_t peaks[2] = {};
  for (int i = 0; i < 2; ++i) {
    mem::MemoryTracker tracker;
    core::DemuxerOptions o;
    o.tracker = &tracker;
    Opened f(stream(i == 0 ? 2 : 2000), o);  // 4.6 MB for the long one
    ASSERT_TRUE(f.demuxer);
    (void)all_packets(*f.demuxer);
    ASSERT_TRUE(f.demuxer->seek(1, 1000 * 1152));
    ASSERT_TRUE(f.demuxer->packet_count(1));
    peaks[i] = tracker.account("flac/reader")->peak();
  }
  EXPECT_EQ(peaks[0], peaks[1]);
  EXPECT_EQ(peaks[0], std::size_t{64} << 10);
}

TEST(FlacDemuxer, WindowOverTheBudgetIsOutOfMemory) {
  mem::MemoryTracker tracker({.budget = 1000});
  core::DemuxerOptions o;
  o.tracker = &tracker;
  Opened f(stream(2), o);
  ASSERT_FALSE(f.demuxer);
  EXPECT_EQ(f.demuxer.error().code, core::Errc::out_of_memory);
  EXPECT_EQ(tracker.total(), 0u);
}

TEST(FlacDemuxer, StreamWithoutFramesEndsAtOnce) {
  Opened f(stream(0));
  ASSERT_TRUE(f.demuxer) << f.demuxer.error().message;
  core::Packet p;
  EXPECT_EQ(f.demuxer->next_packet(p).error().code, core::Errc::end_of_stream);
  EXPECT_EQ(f.demuxer->seek(1, 0).error().code, core::Errc::seek);
  EXPECT_EQ(*f.demuxer->packet_count(1), 0u);
}

TEST(FlacDemuxer, StreamMarkerIsFoundAfterAnId3v2Tag) {
  FlacStreamSpec s = stream(1);
  s.prefix = test::id3v2_tag(50);
  const Bytes b = build_flac(s);
  core::MemorySource source(b);
  EXPECT_EQ(flac::stream_marker(source)->value_or(0), 60u);
  const Bytes junk(40, std::byte{1});
  core::MemorySource other(junk);
  EXPECT_FALSE(*flac::stream_marker(other));
}

}  // namespace
