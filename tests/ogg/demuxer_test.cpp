// The Ogg demuxer on writer-built files: packets and their bytes, timing
// (RFC 7845 §4), pre-skip and end trim as an edit list, seeking, damaged
// and unusual files, non-seekable sources, bounded memory.
#include <frugal/ogg/demuxer.hpp>

#include "support/demux_fixture.hpp"
#include "support/forward_source.hpp"
#include "support/ogg_writer.hpp"

#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

using namespace frugal;
using core::Errc;
using test::Bytes;
using test::OpusFileSpec;

namespace {

// n fake Opus packets of 20 ms, sizes varying from `first` on.
std::vector<Bytes> fake_packets(std::size_t n, std::size_t first = 40) {
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(test::fake_opus_packet(first + i % 23, static_cast<std::uint32_t>(i)));
  return out;
}

OpusFileSpec spec_of(std::size_t n, std::uint32_t per_page = 4) {
  OpusFileSpec s;
  s.packets = fake_packets(n);
  s.packets_per_page = per_page;
  return s;
}

struct Opened {
  explicit Opened(Bytes file, const core::DemuxerOptions& options = {})
      : bytes(std::move(file)), source(bytes), demuxer(ogg::Demuxer::open(source, options)) {}
  Bytes bytes;
  core::MemorySource source;
  core::Result<ogg::Demuxer> demuxer;
};

std::vector<core::Packet> packets_of(ogg::Demuxer& d) {
  auto packets = test::read_all_packets(d);
  EXPECT_TRUE(packets) << packets.error().message;
  return packets ? *packets : std::vector<core::Packet>{};
}

// Checks that `packets` are spec.packets [first, first + n) with their
// bytes, dts from `start` on.
void expect_packets(ogg::Demuxer& d, const std::vector<core::Packet>& packets, const OpusFileSpec& spec,
                    std::size_t first, std::int64_t start) {
  std::int64_t dts = start;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const Bytes& want = spec.packets.at(first + i);
    EXPECT_EQ(packets[i].dts, dts) << "packet " << i;
    EXPECT_EQ(packets[i].duration, test::opus_toc_samples(want)) << "packet " << i;
    EXPECT_EQ(test::packet_data(d, packets[i]), want) << "packet " << i;
    dts += test::opus_toc_samples(want);
  }
}

}  // namespace

TEST(OggDemuxer, OpusTrackPacketsAndTiming) {
  const OpusFileSpec spec = spec_of(50);
  Opened o(test::ogg_opus_file(spec));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  ogg::Demuxer& d = *o.demuxer;
  EXPECT_STREQ(d.format_name(), "ogg");
  EXPECT_FALSE(d.indexed());
  EXPECT_EQ(d.movie_timescale(), 48000u);
  ASSERT_EQ(d.tracks().size(), 1u);
  const core::Track& t = d.tracks()[0];
  EXPECT_EQ(t.id, 1u);
  EXPECT_EQ(t.type, core::TrackType::audio);
  EXPECT_EQ(t.timescale, 48000u);
  EXPECT_EQ(t.duration, 50u * 960);
  ASSERT_NE(t.audio(), nullptr);
  EXPECT_EQ(t.audio()->codec, core::Codec::opus);
  EXPECT_EQ(t.audio()->channels, 2);
  ASSERT_EQ(t.edit_list.size(), 1u);
  EXPECT_EQ(t.edit_list[0].media_time, 312);
  EXPECT_EQ(t.edit_list[0].segment_duration, 50u * 960 - 312);

  auto first = d.seek(1, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->dts, 0);
  const auto packets = packets_of(d);
  ASSERT_EQ(packets.size(), 50u);
  expect_packets(d, packets, spec, 0, 0);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].index, i);
    EXPECT_EQ(packets[i].track, 1u);
  }
  // Packet::pos is the first byte's offset in the file.
  EXPECT_EQ(Bytes(o.bytes.begin() + static_cast<std::ptrdiff_t>(packets[7].pos),
                  o.bytes.begin() + static_cast<std::ptrdiff_t>(packets[7].pos + packets[7].size)),
            spec.packets[7]);
  auto count = d.packet_count(1);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 50u);
}

TEST(OggDemuxer, PacketsSpanningPagesAndLacingOf255) {
  OpusFileSpec spec = spec_of(6, 0);
  spec.packets[1] = test::fake_opus_packet(150'000, 1);  // more than two full pages
  spec.packets[2] = test::fake_opus_packet(255 * 3, 2);  // ends with a lacing value of 0
  spec.packets[3] = test::fake_opus_packet(255, 3);
  spec.packets[4] = test::fake_opus_packet(70'000, 4);
  Opened o(test::ogg_opus_file(spec));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  const auto packets = packets_of(*o.demuxer);
  ASSERT_EQ(packets.size(), 6u);
  expect_packets(*o.demuxer, packets, spec, 0, 0);  // every packet read again from its pages
}

TEST(OggDemuxer, PacketLargerThanTheLimitFails) {
  OpusFileSpec spec = spec_of(3, 1);
  spec.packets[1] = test::fake_opus_packet(100'000, 1);
  core::DemuxerOptions options;
  options.limits.max_packet_bytes = 50'000;
  Opened o(test::ogg_opus_file(spec), options);
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  core::Packet p;
  ASSERT_TRUE(o.demuxer->next_packet(p));
  auto r = o.demuxer->next_packet(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST(OggDemuxer, EndTrimFromTheLastGranulePosition) {
  OpusFileSpec spec = spec_of(20);
  spec.end_trim = 700;
  Opened o(test::ogg_opus_file(spec));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  const core::Track& t = o.demuxer->tracks()[0];
  EXPECT_EQ(t.duration, 20u * 960 - 700);
  EXPECT_EQ(t.edit_list[0].segment_duration, 20u * 960 - 700 - 312);
  // The EOS page's packets are timed forward: they still follow on.
  const auto packets = packets_of(*o.demuxer);
  ASSERT_EQ(packets.size(), 20u);
  expect_packets(*o.demuxer, packets, spec, 0, 0);
}

TEST(OggDemuxer, StreamStartingAtANonZeroGranulePosition) {
  OpusFileSpec spec = spec_of(20);
  spec.start_granule = 48'000;
  Opened o(test::ogg_opus_file(spec));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  const core::Track& t = o.demuxer->tracks()[0];
  EXPECT_EQ(t.duration, 20u * 960);
  EXPECT_EQ(t.edit_list[0].media_time, 312);
  EXPECT_EQ(t.edit_list[0].segment_duration, 20u * 960 - 312);
  auto first = o.demuxer->seek(1, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->dts, 48'000);
  expect_packets(*o.demuxer, packets_of(*o.demuxer), spec, 0, 48'000);
}

TEST(OggDemuxer, PreSkipLongerThanTheFirstPage) {
  OpusFileSpec spec = spec_of(10, 1);
  spec.pre_skip = 3000;
  Opened o(test::ogg_opus_file(spec));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  const core::Track& t = o.demuxer->tracks()[0];
  EXPECT_EQ(t.edit_list[0].media_time, 3000);
  EXPECT_EQ(t.edit_list[0].segment_duration, 10u * 960 - 3000);
  expect_packets(*o.demuxer, packets_of(*o.demuxer), spec, 0, 0);
}

TEST(OggDemuxer, MissingEosEndsWithTheData) {
  OpusFileSpec spec = spec_of(9);
  spec.eos = false;
  Opened o(test::ogg_opus_file(spec));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  EXPECT_EQ(o.demuxer->tracks()[0].duration, 9u * 960);
  expect_packets(*o.demuxer, packets_of(*o.demuxer), spec, 0, 0);
}

TEST(OggDemuxer, CorruptPageIsSkippedAndReadingResyncs) {
  const OpusFileSpec spec = spec_of(40);
  Bytes file = test::ogg_opus_file(spec);
  const auto pages = test::ogg_page_offsets(file);
  ASSERT_EQ(pages.size(), 12u);  // OpusHead, OpusTags, 10 audio pages of 4 packets
  file[pages[5] + 40] ^= std::byte{0x55};  // audio page 3: its CRC no longer checks
  Opened o(std::move(file));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  const auto packets = packets_of(*o.demuxer);
  ASSERT_EQ(packets.size(), 36u);
  std::vector<core::Packet> before(packets.begin(), packets.begin() + 12), after(packets.begin() + 12, packets.end());
  expect_packets(*o.demuxer, before, spec, 0, 0);
  expect_packets(*o.demuxer, after, spec, 16, 16 * 960);  // timed from their own page
}

TEST(OggDemuxer, TruncatedFileEndsAtTheLastWholePage) {
  const OpusFileSpec spec = spec_of(40);
  Bytes file = test::ogg_opus_file(spec);
  const auto pages = test::ogg_page_offsets(file);
  file.resize(pages[8] + 30);  // in the middle of audio page 6
  Opened o(std::move(file));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  EXPECT_EQ(o.demuxer->tracks()[0].duration, 24u * 960);  // the last whole page's granule position
  const auto packets = packets_of(*o.demuxer);
  ASSERT_EQ(packets.size(), 24u);
  expect_packets(*o.demuxer, packets, spec, 0, 0);
}

namespace {

// Two links (RFC 3533 §4): 8 packets, pre-skip 312; then `second`.
Bytes two_links(const OpusFileSpec& second) {
  Bytes file = test::ogg_opus_file(spec_of(8));
  const Bytes link = test::ogg_opus_file(second);
  file.insert(file.end(), link.begin(), link.end());
  return file;
}

OpusFileSpec second_link() {
  OpusFileSpec s = spec_of(8);
  s.serial = 0x5678;
  s.pre_skip = 100;
  s.end_trim = 50;
  return s;
}

// The 8 packets of the first link, then the error that stops the chain.
void expect_stop_after_first_link(Bytes file, Errc code) {
  Opened o(std::move(file));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  EXPECT_EQ(o.demuxer->tracks()[0].sample_entries.size(), 1u);
  EXPECT_EQ(o.demuxer->tracks()[0].duration, 8u * 960);  // the first link's
  core::Packet p;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(o.demuxer->next_packet(p));
  auto r = o.demuxer->next_packet(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, code);
}

}  // namespace

TEST(OggDemuxer, ChainedLinksPlayOneAfterTheOther) {
  const OpusFileSpec second = second_link();
  Opened o(two_links(second));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  ogg::Demuxer& d = *o.demuxer;
  ASSERT_EQ(d.tracks().size(), 1u);
  const core::Track& t = d.tracks()[0];
  ASSERT_EQ(t.sample_entries.size(), 2u);
  EXPECT_EQ(t.duration, 16u * 960 - 50);
  ASSERT_EQ(t.edit_list.size(), 2u);
  EXPECT_EQ(t.edit_list[0].media_time, 312);
  EXPECT_EQ(t.edit_list[0].segment_duration, 8u * 960 - 312);
  EXPECT_EQ(t.edit_list[1].media_time, 8 * 960 + 100);
  EXPECT_EQ(t.edit_list[1].segment_duration, 8u * 960 - 100 - 50);
  const auto packets = packets_of(d);
  ASSERT_EQ(packets.size(), 16u);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].dts, static_cast<std::int64_t>(i) * 960) << i;
    EXPECT_EQ(packets[i].index, i);
    EXPECT_EQ(packets[i].sample_description_index, i < 8 ? 1u : 2u) << i;
  }
  expect_packets(d, std::vector(packets.begin() + 8, packets.end()), second, 0, 8 * 960);
  auto count = d.packet_count(1);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 16u);
  auto in_second = d.seek(1, 8 * 960 + 3 * 960 + 5);
  ASSERT_TRUE(in_second);
  EXPECT_EQ(in_second->dts, 11 * 960);
  core::Packet p;
  ASSERT_TRUE(d.next_packet(p));
  EXPECT_EQ(p.sample_description_index, 2u);
  auto back = d.seek(1, 2 * 960);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->dts, 2 * 960);
}

TEST(OggDemuxer, ChainedLinksPlayFromAPipe) {
  const Bytes file = two_links(second_link());
  test::ForwardSource source(file);
  auto d = ogg::Demuxer::open(source);
  ASSERT_TRUE(d) << d.error().message;
  const auto packets = packets_of(*d);
  ASSERT_EQ(packets.size(), 16u);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].dts, static_cast<std::int64_t>(i) * 960) << i;
    EXPECT_EQ(packets[i].sample_description_index, i < 8 ? 1u : 2u) << i;
  }
}

TEST(OggDemuxer, ChainedLinkWithAnotherChannelCountIsItsOwnSampleEntry) {
  OpusFileSpec mono = second_link();
  mono.channels = 1;
  Opened o(two_links(mono));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  const core::Track& t = o.demuxer->tracks()[0];
  ASSERT_EQ(t.sample_entries.size(), 2u);
  EXPECT_EQ(t.sample_entries[0].codec.channels, 2u);
  EXPECT_EQ(t.sample_entries[1].codec.channels, 1u);
  EXPECT_TRUE(t.sample_entries[1].new_stream);
  EXPECT_EQ(packets_of(*o.demuxer).size(), 16u);
}

TEST(OggDemuxer, ChainedLinkWithoutOpusStopsThere) {
  Bytes file = test::ogg_opus_file(spec_of(8));
  test::OggStreamWriter vorbis(0x99);
  Bytes ident(30, std::byte{0});
  const char magic[] = "\x01vorbis";
  for (int i = 0; i < 7; ++i) ident[i] = static_cast<std::byte>(magic[i]);
  vorbis.packet(ident, 0);
  vorbis.packet(ident, 0, true);
  vorbis.flush(file);
  expect_stop_after_first_link(std::move(file), Errc::unsupported);
}

TEST(OggDemuxer, ChainedLinksPastMaxSampleEntriesStopThere) {
  core::DemuxerOptions options;
  options.limits.max_sample_entries = 1;
  Opened o(two_links(second_link()), options);
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  core::Packet p;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(o.demuxer->next_packet(p));
  auto r = o.demuxer->next_packet(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST(OggDemuxer, OtherStreamBesideOpusIsListedAndUnsupported) {
  // A Vorbis BOS page, then the Opus stream's pages.
  Bytes file;
  test::OggStreamWriter vorbis(0x99);
  Bytes ident(30, std::byte{0});
  const char magic[] = "\x01vorbis";
  for (int i = 0; i < 7; ++i) ident[i] = static_cast<std::byte>(magic[i]);
  ident[11] = std::byte{1};
  vorbis.packet(ident, 0);
  vorbis.flush(file);
  const OpusFileSpec spec = spec_of(12);
  const Bytes opus = test::ogg_opus_file(spec);
  // Both BOS pages first (RFC 3533 §4: grouping), the rest after.
  const auto pages = test::ogg_page_offsets(opus);
  file.insert(file.begin(), opus.begin(), opus.begin() + static_cast<std::ptrdiff_t>(pages[1]));
  vorbis.packet(Bytes(20, std::byte{7}), 0);
  vorbis.flush(file);
  file.insert(file.end(), opus.begin() + static_cast<std::ptrdiff_t>(pages[1]), opus.end());
  Opened o(std::move(file));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  ASSERT_EQ(o.demuxer->tracks().size(), 2u);
  const core::Track& v = o.demuxer->tracks()[1];
  EXPECT_EQ(v.type, core::TrackType::audio);
  EXPECT_EQ(v.audio()->codec, core::Codec::vorbis);
  ASSERT_TRUE(v.error);
  EXPECT_EQ(v.error->code, Errc::unsupported);
  EXPECT_EQ(o.demuxer->set_track_enabled(2, true).error().code, Errc::unsupported);
  expect_packets(*o.demuxer, packets_of(*o.demuxer), spec, 0, 0);
}

// Headers written twice before the audio, without an EOS (seen in the
// wild; opusdec refuses the file, ffmpeg plays it): the second set counts.
TEST(OggDemuxer, RepeatedHeadersStartOver) {
  const OpusFileSpec spec = spec_of(12);
  Bytes file = test::ogg_opus_file(spec);
  const auto pages = test::ogg_page_offsets(file);
  const Bytes headers(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(pages[2]));
  file.insert(file.begin(), headers.begin(), headers.end());
  Opened o(std::move(file));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  ASSERT_EQ(o.demuxer->tracks().size(), 1u);
  EXPECT_EQ(o.demuxer->tracks()[0].duration, 12u * 960);
  expect_packets(*o.demuxer, packets_of(*o.demuxer), spec, 0, 0);
  auto mid = o.demuxer->seek(1, 5 * 960 + 10);
  ASSERT_TRUE(mid);
  EXPECT_EQ(mid->dts, 5 * 960);
}

TEST(OggDemuxer, NotOggIsMalformed) {
  Bytes junk(5000, std::byte{0x42});
  Opened o(std::move(junk));
  ASSERT_FALSE(o.demuxer);
  EXPECT_EQ(o.demuxer.error().code, Errc::malformed);
}

class OggSeek : public testing::TestWithParam<std::uint32_t> {};  // packets per page

TEST_P(OggSeek, LandsOnThePacketHoldingTheTime) {
  OpusFileSpec spec = spec_of(3000, GetParam());  // 60 s, a few hundred KiB
  spec.start_granule = 960 * 5;
  spec.end_trim = 100;
  Opened o(test::ogg_opus_file(spec));
  ASSERT_TRUE(o.demuxer) << o.demuxer.error().message;
  ogg::Demuxer& d = *o.demuxer;
  const std::int64_t start = 960 * 5;
  for (std::uint64_t packet : {0u, 1u, 2u, 1499u, 1500u, 2997u, 2998u, 2999u}) {
    for (std::uint64_t into : {0u, 959u}) {
      const std::uint64_t ticks = static_cast<std::uint64_t>(start) + packet * 960 + into;
      auto point = d.seek(1, ticks);
      ASSERT_TRUE(point) << point.error().message;
      EXPECT_EQ(point->dts, start + static_cast<std::int64_t>(packet * 960)) << "ticks " << ticks;
      core::Packet p;
      ASSERT_TRUE(d.next_packet(p));
      EXPECT_EQ(p.dts, point->dts);
      EXPECT_EQ(test::packet_data(d, p), spec.packets[packet]) << "ticks " << ticks;
    }
  }
  // Before the start: the first packet; past the end: the last.
  auto before = d.seek(1, 0);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->dts, start);
  EXPECT_EQ(before->sample, 0u);
  auto past = d.seek(1, 1u << 30);
  ASSERT_TRUE(past);
  EXPECT_EQ(past->dts, start + 2999 * 960);
  core::Packet p;
  ASSERT_TRUE(d.next_packet(p));
  EXPECT_EQ(d.next_packet(p).error().code, Errc::end_of_stream);
}

INSTANTIATE_TEST_SUITE_P(PageSizes, OggSeek, testing::Values(1u, 4u, 0u));

TEST(OggDemuxer, NonSeekableSourcePlaysForward) {
  const OpusFileSpec spec = spec_of(30);
  const Bytes file = test::ogg_opus_file(spec);
  test::ForwardSource source(file);
  auto d = ogg::Demuxer::open(source);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->tracks()[0].duration, 0u);  // unknown without the end
  EXPECT_EQ(d->tracks()[0].edit_list[0].segment_duration, 0u);  // to the end
  auto first = d->seek(1, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->dts, 0);
  expect_packets(*d, packets_of(*d), spec, 0, 0);
  EXPECT_EQ(d->seek(1, 0).error().code, Errc::unsupported);
}

TEST(OggDemuxer, UnnumberedCallsAreUnsupported) {
  Opened o(test::ogg_opus_file(spec_of(5)));
  ASSERT_TRUE(o.demuxer);
  EXPECT_EQ(o.demuxer->seek_to_sample(1, 2).error().code, Errc::unsupported);
  EXPECT_EQ(o.demuxer->sample_at_time(1, 2).error().code, Errc::unsupported);
  auto roll = o.demuxer->preroll_samples(1, 2);
  ASSERT_TRUE(roll);
  EXPECT_FALSE(*roll);
  EXPECT_FALSE(o.demuxer->gapless());
  EXPECT_TRUE(o.demuxer->chapters().empty());
  EXPECT_EQ(o.demuxer->seek(7, 0).error().code, Errc::invalid_argument);
}

// The demuxer's account peaks at the same figure for 10 s and for 20 min.
TEST(OggDemuxer, MemoryIsTheSameWhateverTheLength) {
  std::size_t peaks[2] = {};
  const std::size_t lengths[2] = {500, 60'000};
  for (int k = 0; k < 2; ++k) {
    mem::MemoryTracker tracker;
    core::DemuxerOptions options;
    options.tracker = &tracker;
    Opened o(test::ogg_opus_file(spec_of(lengths[k])), options);
    ASSERT_TRUE(o.demuxer);
    ASSERT_EQ(packets_of(*o.demuxer).size(), lengths[k]);
    for (std::uint64_t at : {0u, 100u, 400u}) ASSERT_TRUE(o.demuxer->seek(1, at * 960));
    auto account = tracker.account("ogg/pages");
    ASSERT_TRUE(account);
    peaks[k] = account->peak();
  }
  EXPECT_GT(peaks[0], 0u);
  EXPECT_EQ(peaks[0], peaks[1]);
  RecordProperty("ogg_pages_peak_bytes", std::to_string(peaks[1]));
}

namespace {

// Counts what a demuxer reads.
class CountingSource final : public core::ByteSource {
 public:
  explicit CountingSource(std::span<const std::byte> data) noexcept : inner_(data) {}
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    ++reads;
    FRUGAL_TRY(std::size_t got, inner_.read_at(offset, dst));
    read_bytes += got;
    return got;
  }
  std::optional<std::uint64_t> size() const override { return inner_.size(); }
  bool seekable() const override { return true; }
  std::uint64_t reads = 0, read_bytes = 0;

 private:
  core::MemorySource inner_;
};

}  // namespace

// Finding the links of a long chain at open reads a bounded part of each
// (bisection by serial number, the ends' last pages, the headers), not the
// whole file: 16 links of 10 minutes each (1.6 MB each).
TEST(OggDemuxer, ChainDiscoveryReadsLittle) {
  Bytes file;
  for (std::uint32_t k = 0; k < 16; ++k) {
    OpusFileSpec s = spec_of(30'000, 20);
    s.serial = 0x100 + k;
    const Bytes link = test::ogg_opus_file(s);
    file.insert(file.end(), link.begin(), link.end());
  }
  CountingSource source(file);
  auto d = ogg::Demuxer::open(source);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->tracks()[0].sample_entries.size(), 16u);
  EXPECT_EQ(d->tracks()[0].duration, 16u * 30'000 * 960);
  std::printf("chain of 16 links, %zu bytes: open read %llu bytes in %llu reads\n", file.size(),
              static_cast<unsigned long long>(source.read_bytes), static_cast<unsigned long long>(source.reads));
  // Per link: about 10 bisection probes of 8 KiB, at most 64 KiB read
  // forward and 64 KiB backward, its header pages (measured: 250 KB, 31 reads).
  EXPECT_LT(source.read_bytes, 16u * (320u << 10));
}
