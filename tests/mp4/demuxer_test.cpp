// Demuxer::open and packet delivery: file layouts, several tracks, errors
// confined to a track, errors that fail open, and Limits.
#include "support/demux_fixture.hpp"
#include "support/mp4_writer.hpp"

#include <frugal/core/byte_reader.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <numeric>
#include <string>
#include <utility>

using namespace frugal;
using namespace frugal::test;
using core::Errc;
using core::Packet;

namespace {

MovieSpec movie_of(std::vector<TrackSpec> tracks) {
  MovieSpec m;
  m.tracks = std::move(tracks);
  return m;
}

void expect_open_error(const Bytes& file, Errc code, const core::DemuxerOptions& options = {}) {
  OpenedMovie m(file, options);
  ASSERT_FALSE(m.demuxer) << "open succeeded";
  EXPECT_EQ(m.demuxer.error().code, code) << m.demuxer.error().message;
}

void expect_track_error(OpenedMovie& m, std::size_t track, Errc code) {
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  ASSERT_LT(track, m.demux().tracks().size());
  ASSERT_TRUE(m.track(track).error) << "track " << track << " has no error";
  EXPECT_EQ(m.track(track).error->code, code) << m.track(track).error->message;
}

using TrackAndIndex = std::pair<std::uint32_t, std::uint64_t>;

std::vector<TrackAndIndex> order_of(const std::vector<Packet>& packets) {
  std::vector<TrackAndIndex> out;
  for (const Packet& p : packets) out.emplace_back(p.track, p.index);
  return out;
}

}  // namespace

// ---- layouts --------------------------------------------------------------------------

TEST(Demuxer, MovieHeaderAndBrand) {
  MovieSpec spec = movie_of({aac_track(ramp(3))});
  spec.brand = FourCC("M4A ");
  spec.timescale = 600;
  spec.duration = 1234;
  OpenedMovie m(spec);
  ASSERT_TRUE(m.demuxer);
  EXPECT_EQ(m.demux().major_brand(), FourCC("M4A "));
  EXPECT_EQ(m.demux().movie_timescale(), 600u);
  EXPECT_EQ(m.demux().movie_duration(), 1234u);
  EXPECT_FALSE(m.demux().fragmented());
}

TEST(Demuxer, NoFtypMeansNoBrand) {
  MovieSpec spec = movie_of({aac_track(ramp(3))});
  spec.brand.reset();
  OpenedMovie m(spec);
  ASSERT_TRUE(m.demuxer);
  EXPECT_EQ(m.demux().major_brand(), FourCC());
  EXPECT_EQ(packets_of(m).size(), 3u);
}

class Layouts : public testing::TestWithParam<std::pair<Layout, bool>> {};

TEST_P(Layouts, PacketsPointIntoMdat) {
  MovieSpec spec = movie_of({aac_track(ramp(7))});
  spec.tracks[0].chunks = {3, 4};
  spec.layout = GetParam().first;
  spec.large_mdat = GetParam().second;
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  ASSERT_EQ(packets.size(), 7u);
  EXPECT_EQ(spec.layout == Layout::mdat_first, m.layout.moov_offset > m.layout.mdat_offset);
  EXPECT_EQ(packets[0].pos, m.layout.mdat_offset + (spec.large_mdat ? 16 : 8));
  expect_packets_match_layout(m, spec, packets);
}

INSTANTIATE_TEST_SUITE_P(MoovAndMdat, Layouts,
                         testing::Values(std::pair{Layout::moov_first, false}, std::pair{Layout::mdat_first, false},
                                         std::pair{Layout::mdat_first, true}));

// ---- several tracks ---------------------------------------------------------------------

class TwoTracks : public testing::Test {
 protected:
  TwoTracks() {
    TrackSpec a = aac_track(ramp(6));
    a.chunks = {2, 2, 2};
    TrackSpec b = aac_track(ramp(6, 50));
    b.chunks = {3, 3};
    spec_ = movie_of({a, b});  // mdat: A1 B1 A2 B2 A3
  }
  MovieSpec spec_;
};

TEST_F(TwoTracks, PacketsComeInFileOffsetOrder) {
  OpenedMovie m(spec_);
  const auto packets = packets_of(m);
  const std::vector<TrackAndIndex> expected = {{1, 0}, {1, 1}, {2, 0}, {2, 1}, {2, 2}, {1, 2},
                                               {1, 3}, {2, 3}, {2, 4}, {2, 5}, {1, 4}, {1, 5}};
  EXPECT_EQ(order_of(packets), expected);
  for (std::size_t i = 1; i < packets.size(); ++i) EXPECT_LT(packets[i - 1].pos, packets[i].pos);
  expect_packets_match_layout(m, spec_, packets);
}

TEST_F(TwoTracks, DisabledTrackIsSkipped) {
  OpenedMovie m(spec_);
  ASSERT_TRUE(m.demuxer);
  ASSERT_TRUE(m.demux().set_track_enabled(1, false));
  const auto packets = packets_of(m);
  EXPECT_EQ(order_of(packets), (std::vector<TrackAndIndex>{{2, 0}, {2, 1}, {2, 2}, {2, 3}, {2, 4}, {2, 5}}));
  expect_packets_match_layout(m, spec_, packets);
}

TEST_F(TwoTracks, ReenabledTrackResumes) {
  OpenedMovie m(spec_);
  ASSERT_TRUE(m.demuxer);
  ASSERT_TRUE(m.demux().set_track_enabled(2, false));
  Packet p;
  ASSERT_TRUE(m.demux().next_packet(p));
  ASSERT_TRUE(m.demux().next_packet(p));
  EXPECT_EQ(order_of({p}), (std::vector<TrackAndIndex>{{1, 1}}));
  ASSERT_TRUE(m.demux().set_track_enabled(2, true));
  ASSERT_TRUE(m.demux().next_packet(p));
  EXPECT_EQ(order_of({p}), (std::vector<TrackAndIndex>{{2, 0}}));
}

TEST_F(TwoTracks, UnknownTrackIdIsInvalidArgument) {
  OpenedMovie m(spec_);
  ASSERT_TRUE(m.demuxer);
  auto r = m.demux().set_track_enabled(3, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(m.demux().track(3), nullptr);
  ASSERT_NE(m.demux().track(2), nullptr);
  EXPECT_EQ(m.demux().track(2)->sample_count, 6u);
}

TEST(Demuxer, TrackIdsComeFromTkhd) {
  TrackSpec t = aac_track(ramp(2));
  t.id = 7;
  OpenedMovie m(movie_of({t}));
  const auto packets = packets_of(m);
  EXPECT_EQ(m.track(0).id, 7u);
  EXPECT_EQ(field(packets, &Packet::track), (std::vector<std::uint32_t>{7, 7}));
}

// ---- errors confined to one track ---------------------------------------------------------

struct TrackDamage {
  const char* name;
  std::function<void(TrackSpec&)> damage;
};

class BrokenTrack : public testing::TestWithParam<TrackDamage> {};

// Damage in a table's header: the track is broken from open on.
TEST_P(BrokenTrack, IsATrackErrorAndTheOtherTrackStillPlays) {
  TrackSpec broken = aac_track(ramp(4));
  broken.chunks = {2, 2};
  GetParam().damage(broken);
  const MovieSpec spec = movie_of({broken, aac_track(ramp(3, 40))});
  OpenedMovie m(spec);
  expect_track_error(m, 0, Errc::malformed);
  EXPECT_FALSE(m.track(1).error);
  auto count = m.demux().packet_count(m.track(0).id);
  ASSERT_FALSE(count);
  EXPECT_EQ(count.error().code, Errc::malformed);
  auto enable = m.demux().set_track_enabled(m.track(0).id, true);
  ASSERT_FALSE(enable);
  EXPECT_EQ(enable.error().code, Errc::malformed);
  const auto packets = packets_of(m);
  EXPECT_EQ(order_of(packets), (std::vector<TrackAndIndex>{{2, 0}, {2, 1}, {2, 2}}));
}

INSTANTIATE_TEST_SUITE_P(
    Tables, BrokenTrack,
    testing::Values(
        TrackDamage{"stsz_count_exceeds_box", [](TrackSpec& track) { track.size_count = 5; }},
        TrackDamage{"stts_missing", [](TrackSpec& track) { track.omit = {FourCC("stts")}; }},
        TrackDamage{"stsc_missing", [](TrackSpec& track) { track.omit = {FourCC("stsc")}; }},
        TrackDamage{"stz2_count_exceeds_box",
                    [](TrackSpec& track) {
                      track.size_table = SizeTable::stz2_4;  // 4 sizes in 2 bytes; 9 need 5
                      track.size_count = 9;
                    }},
        TrackDamage{"mdhd_missing", [](TrackSpec& track) { track.omit = {FourCC("mdhd")}; }},
        TrackDamage{"tkhd_missing", [](TrackSpec& track) { track.omit = {FourCC("tkhd")}; }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// Damage inside a table body: open reads no table bodies, so it shows when
// the table is read (counting packets, iterating, seeking) — as an error,
// and only for that track.
class BrokenTableBody : public testing::TestWithParam<TrackDamage> {};

TEST_P(BrokenTableBody, ShowsWhenReadAndSparesTheOtherTrack) {
  TrackSpec broken = aac_track(ramp(4));
  broken.chunks = {2, 2};
  GetParam().damage(broken);
  const MovieSpec spec = movie_of({broken, aac_track(ramp(3, 40))});
  OpenedMovie m(spec);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  auto count = m.demux().packet_count(m.track(0).id);
  ASSERT_FALSE(count);
  EXPECT_EQ(count.error().code, Errc::malformed);
  auto seek = m.demux().seek(m.track(0).id, 3);
  ASSERT_FALSE(seek);
  EXPECT_EQ(seek.error().code, Errc::malformed);

  ASSERT_TRUE(m.demux().set_track_enabled(m.track(0).id, false));
  EXPECT_EQ(order_of(packets_of(m)), (std::vector<TrackAndIndex>{{2, 0}, {2, 1}, {2, 2}}));

  OpenedMovie alone(spec);
  ASSERT_TRUE(alone.demux().set_track_enabled(alone.track(1).id, false));
  auto packets = read_all_packets(alone.demux());
  ASSERT_FALSE(packets);
  EXPECT_EQ(packets.error().code, Errc::malformed);
  // A failed read moves nothing: asked again, the demuxer meets the same
  // error (regression: the cursor kept a half-entered stsc run, then ended
  // the stream early or read past the stsc entries).
  for (int again = 0; again < 3; ++again) {
    Packet p;
    auto next = alone.demux().next_packet(p);
    ASSERT_FALSE(next) << "call " << again;
    EXPECT_EQ(next.error().code, Errc::malformed);
    EXPECT_STREQ(next.error().message, packets.error().message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Tables, BrokenTableBody,
    testing::Values(TrackDamage{"stsc_first_chunk_not_ascending",
                                [](TrackSpec& track) { track.stsc = std::vector<StscRun>{{1, 2}, {2, 1}, {1, 3}}; }},
                    TrackDamage{"stsc_chunk_beyond_stco",
                                [](TrackSpec& track) { track.stsc = std::vector<StscRun>{{1, 2}, {3, 2}}; }},
                    TrackDamage{"stsc_last_entry_beyond_stco", [](TrackSpec& track) {
                                  track.chunks = {1, 1, 1, 1};
                                  track.stsc = std::vector<StscRun>{{1, 1}, {2, 1}, {99, 1}};
                                }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// A hostile stts whose durations add up past what int64 decode times hold.
TEST(Demuxer, TrackDurationBeyondInt64IsMalformed) {
  TrackSpec t = aac_track({1});
  t.size_table = SizeTable::stsz_constant;
  t.size_count = 0xFFFFFFFFu;
  t.stsc = std::vector<StscRun>{{1, 0xFFFFFFFFu}};
  t.stts = {{0xFFFFFFFFu, 0xFFFFFFFFu}};
  OpenedMovie m(movie_of({t}));
  ASSERT_TRUE(m.demuxer);  // open reads no table bodies; the first seek does
  auto seek = m.demux().seek(m.track(0).id, 1000);
  ASSERT_FALSE(seek);
  EXPECT_EQ(seek.error().code, Errc::malformed);
  EXPECT_STREQ(seek.error().message, "stts: track duration out of range");
}

// ---- errors that fail open -------------------------------------------------------------------

TEST(Demuxer, NoMoovIsMalformed) {
  expect_open_error(BoxWriter().box("ftyp", Bytes(8)).box("mdat", Bytes(100)).take(), Errc::malformed);
  expect_open_error(Bytes{}, Errc::malformed);
}

TEST(Demuxer, MediaSegmentWithoutMoovIsUnsupported) {
  BoxWriter w;
  w.box("styp", Bytes(8)).begin("moof").full_box("mfhd").u32(1).end().end().box("mdat", Bytes(16));
  expect_open_error(w.take(), Errc::unsupported);
}

TEST(Demuxer, MoovCutOffByEndOfFileIsMalformed) {
  MovieSpec spec = movie_of({aac_track(ramp(3))});
  spec.layout = Layout::mdat_first;
  Bytes file = build_mp4(spec);
  file.resize(file.size() - 10);
  OpenedMovie m(file);
  ASSERT_FALSE(m.demuxer);
  EXPECT_EQ(m.demuxer.error().code, Errc::malformed);
}

TEST(Demuxer, MoovWithoutMvhdIsMalformed) {
  expect_open_error(BoxWriter().begin("moov").box("free", {}).end().take(), Errc::malformed);
}

// ---- read_packet -----------------------------------------------------------------------------

TEST(Demuxer, ReadPacketNeedsABufferOfThePacketSize) {
  OpenedMovie m(movie_of({aac_track({16})}));
  ASSERT_TRUE(m.demuxer);
  Packet p;
  ASSERT_TRUE(m.demux().next_packet(p));
  Bytes small(15);
  auto r = m.demux().read_packet(p, small);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  Bytes large(20, std::byte{0xAA});
  ASSERT_TRUE(m.demux().read_packet(p, large));
  EXPECT_EQ(Bytes(large.begin(), large.begin() + 16), expected_payload(0, 0, 1, {16}));
  EXPECT_EQ(large[16], std::byte{0xAA});  // nothing written past the packet
}

TEST(Demuxer, ReadPacketCutByEndOfFileIsMalformed) {
  Bytes file = build_mp4(movie_of({aac_track({10, 10, 10})}));  // moov first: the last sample ends the file
  file.resize(file.size() - 4);
  OpenedMovie m(file);
  const auto packets = packets_of(m);
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packet_data(m.demux(), packets[1]).size(), 10u);
  Bytes buf(10);
  auto r = m.demux().read_packet(packets[2], buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_EQ(r.error().offset, packets[2].pos);
}

// Playing a file in order reads each byte about once, in few calls: packet
// payloads and table pages come through read-ahead windows of their own, so
// neither evicts the other. (Before them: one read per packet.)
TEST(Demuxer, SequentialPlaybackReadsTheFileAboutOnceInFewCalls) {
  constexpr std::uint32_t kPackets = 20000;
  const std::vector<std::uint32_t> sizes(kPackets, 90);
  TrackSpec t = aac_track(sizes);
  t.chunks = uniform_chunks(kPackets, 40);
  const Bytes file = build_mp4(movie_of({t}));
  core::MemorySource memory(file);
  core::CountingSource counting(memory);
  auto demuxer = mp4::Demuxer::open(counting);
  ASSERT_TRUE(demuxer) << demuxer.error().message;
  Packet p;
  Bytes payload;
  std::uint64_t packets = 0;
  while (demuxer->next_packet(p)) {
    payload.resize(p.size);
    ASSERT_TRUE(demuxer->read_packet(p, payload));
    ASSERT_EQ(payload, expected_payload(0, p.index, 1, sizes)) << "packet " << p.index;
    ++packets;
  }
  ASSERT_EQ(packets, kPackets);
  const double file_bytes = static_cast<double>(file.size());
  EXPECT_LE(static_cast<double>(counting.bytes_read()), 1.1 * file_bytes);
  // 1.8 MB of 90-byte packets: a read per ~2 KiB window, not per packet.
  EXPECT_LE(static_cast<double>(counting.read_calls()), file_bytes / 1500);
}

// ---- track headers ---------------------------------------------------------------------------

class EditLists : public testing::TestWithParam<std::uint8_t> {};

TEST_P(EditLists, ParsedIntoTrackEditList) {
  const bool v1 = GetParam() == 1;
  const std::uint64_t long_duration = v1 ? (std::uint64_t{1} << 33) + 3 : 90000;
  const std::int64_t late_start = v1 ? (std::int64_t{1} << 34) + 1 : 2112;
  TrackSpec t = aac_track(ramp(3));
  t.elst_version = GetParam();
  t.edits = {{500, -1}, {long_duration, late_start}, {100, 0, 0}};
  OpenedMovie m(movie_of({t}));
  ASSERT_TRUE(m.demuxer);
  ASSERT_FALSE(m.track(0).error);
  const auto& edits = m.track(0).edit_list;
  ASSERT_EQ(edits.size(), 3u);
  EXPECT_EQ(edits[0].segment_duration, 500u);
  EXPECT_EQ(edits[0].media_time, -1);
  EXPECT_EQ(edits[1].segment_duration, long_duration);
  EXPECT_EQ(edits[1].media_time, late_start);
  EXPECT_EQ(edits[1].media_rate, 1 << 16);
  EXPECT_EQ(edits[2].media_rate, 0);
}

INSTANTIATE_TEST_SUITE_P(Versions, EditLists, testing::Values(0, 1));

TEST(Demuxer, NoEditListLeavesItEmpty) {
  OpenedMovie m(movie_of({aac_track(ramp(1))}));
  ASSERT_TRUE(m.demuxer);
  EXPECT_TRUE(m.track(0).edit_list.empty());
}

TEST(Demuxer, MdhdVersion1) {
  TrackSpec t = aac_track(ramp(2));
  t.mdhd_version = 1;
  t.timescale = 96000;
  t.duration = (std::uint64_t{1} << 33) + 5;
  OpenedMovie m(movie_of({t}));
  ASSERT_TRUE(m.demuxer);
  EXPECT_EQ(m.track(0).timescale, 96000u);
  EXPECT_EQ(m.track(0).duration, (std::uint64_t{1} << 33) + 5);
}

TEST(Demuxer, MdhdVersion0UnknownDurationIsZero) {
  TrackSpec t = aac_track(ramp(2));
  t.duration = 0xFFFFFFFFu;
  OpenedMovie m(movie_of({t}));
  ASSERT_TRUE(m.demuxer);
  EXPECT_EQ(m.track(0).duration, 0u);
}

class Language : public testing::TestWithParam<std::pair<std::uint16_t, std::string>> {};

TEST_P(Language, IsDecodedFromMdhd) {
  TrackSpec t = aac_track(ramp(1));
  t.language = GetParam().first;
  OpenedMovie m(movie_of({t}));
  ASSERT_TRUE(m.demuxer);
  EXPECT_EQ(std::string(m.track(0).language.data()), GetParam().second);
}

INSTANTIATE_TEST_SUITE_P(Codes, Language,
                         testing::Values(std::pair<std::uint16_t, std::string>{pack_language("eng"), "eng"},
                                         std::pair<std::uint16_t, std::string>{pack_language("fra"), "fra"},
                                         std::pair<std::uint16_t, std::string>{0, "und"},
                                         std::pair<std::uint16_t, std::string>{0x7FFF, "und"},
                                         // a letter outside a..z (0x1B)
                                         std::pair<std::uint16_t, std::string>{(0x1B << 10) | (1 << 5) | 1, "und"}));

class Handlers : public testing::TestWithParam<std::pair<const char*, core::TrackType>> {};

TEST_P(Handlers, GiveTheTrackType) {
  TrackSpec t = aac_track(ramp(2));
  t.handler = FourCC(core::load_be32(reinterpret_cast<const std::byte*>(GetParam().first)));
  if (GetParam().second != core::TrackType::audio) t.sample_entries = {plain_sample_entry("avc1", Bytes(70))};
  OpenedMovie m(movie_of({t}));
  ASSERT_TRUE(m.demuxer);
  const core::Track& track = m.track(0);
  EXPECT_EQ(track.type, GetParam().second);
  EXPECT_EQ(track.handler, t.handler);
  EXPECT_EQ(track.audio() != nullptr, GetParam().second == core::TrackType::audio);
  EXPECT_EQ(packets_of(m).size(), 2u);  // any track delivers packets
}

INSTANTIATE_TEST_SUITE_P(Types, Handlers,
                         testing::Values(std::pair{"soun", core::TrackType::audio},
                                         std::pair{"vide", core::TrackType::video},
                                         std::pair{"sbtl", core::TrackType::text},
                                         std::pair{"meta", core::TrackType::metadata},
                                         std::pair{"hint", core::TrackType::other}));

// QuickTime puts a data handler reference in minf too (component type
// 'dhlr', handler type 'url ' or 'alis'; FFmpeg writes one in every .mov):
// only mdia's hdlr gives the track type. (Failed at commit e7d407f, where
// every hdlr under the trak was taken: .mov audio tracks came out as "other".)
TEST(Demuxer, QuickTimeDataHandlerInMinfDoesNotOverrideTheMediaHandler) {
  TrackSpec t = aac_track(ramp(2));
  t.minf_extra = {hdlr_box("url ", "dhlr", "DataHandler")};
  OpenedMovie m(movie_of({t}));
  ASSERT_TRUE(m.demuxer);
  EXPECT_EQ(m.track(0).handler, FourCC("soun"));
  EXPECT_EQ(m.track(0).type, core::TrackType::audio);
  EXPECT_NE(m.track(0).audio(), nullptr);
}

TEST(TrackType, Names) {
  EXPECT_STREQ(core::track_type_name(core::TrackType::audio), "audio");
  EXPECT_STREQ(core::track_type_name(core::TrackType::video), "video");
  EXPECT_STREQ(core::track_type_name(core::TrackType::other), "other");
}

// ---- limits, each at and just beyond its boundary --------------------------------------------

TEST(DemuxerLimits, PacketBytes) {
  const MovieSpec spec = movie_of({aac_track({100, 50})});
  core::DemuxerOptions options;
  options.limits.max_packet_bytes = 100;
  OpenedMovie at(spec, options);
  EXPECT_EQ(field(packets_of(at), &Packet::size), (std::vector<std::uint32_t>{100, 50}));

  options.limits.max_packet_bytes = 99;
  OpenedMovie beyond(spec, options);
  ASSERT_TRUE(beyond.demuxer);
  Packet p;
  auto r = beyond.demux().next_packet(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
  EXPECT_EQ(r.error().offset, beyond.layout.sample_offsets[0][0]);
  ASSERT_TRUE(beyond.demux().next_packet(p));  // the oversized packet is skipped
  EXPECT_EQ(p.size, 50u);
}

TEST(DemuxerLimits, PacketBytesApplyToGroupedPcm) {
  const MovieSpec spec = movie_of({pcm_track(AudioEntrySpec("sowt"), 2048, 2048)});  // 4096-byte packets
  core::DemuxerOptions options;
  options.limits.max_packet_bytes = 4096;
  OpenedMovie at(spec, options);
  EXPECT_EQ(packets_of(at).size(), 2u);
  options.limits.max_packet_bytes = 4095;
  OpenedMovie beyond(spec, options);
  ASSERT_TRUE(beyond.demuxer);
  Packet p;
  auto r = beyond.demux().next_packet(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST(DemuxerLimits, Tracks) {
  const MovieSpec spec = movie_of({aac_track(ramp(1)), aac_track(ramp(1)), aac_track(ramp(1))});
  core::DemuxerOptions options;
  options.limits.max_tracks = 3;
  OpenedMovie at(spec, options);
  ASSERT_TRUE(at.demuxer);
  EXPECT_EQ(at.demux().tracks().size(), 3u);
  options.limits.max_tracks = 2;
  expect_open_error(build_mp4(spec), Errc::limit_exceeded, options);
}

TEST(DemuxerLimits, EditEntries) {
  TrackSpec t = aac_track(ramp(1));
  t.edits = {{10, 0}, {10, 0}, {10, 0}};
  const MovieSpec spec = movie_of({t});
  core::DemuxerOptions options;
  options.limits.max_edit_entries = 3;
  OpenedMovie at(spec, options);
  ASSERT_TRUE(at.demuxer);
  EXPECT_FALSE(at.track(0).error);
  EXPECT_EQ(at.track(0).edit_list.size(), 3u);
  options.limits.max_edit_entries = 2;
  OpenedMovie beyond(spec, options);
  expect_track_error(beyond, 0, Errc::limit_exceeded);
}
