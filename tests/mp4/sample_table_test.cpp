// Sample tables (stts, ctts, stsc, stsz/stz2, stco/co64, stss) as the
// demuxer's packets show them.
#include "support/demux_fixture.hpp"
#include "support/mp4_writer.hpp"

#include <gtest/gtest.h>

#include <numeric>

using namespace frugal;
using namespace frugal::test;
using core::Errc;
using core::Packet;

namespace {

MovieSpec movie_of(TrackSpec track) {
  MovieSpec m;
  m.tracks.push_back(std::move(track));
  return m;
}

using I64s = std::vector<std::int64_t>;
using U64s = std::vector<std::uint64_t>;
using U32s = std::vector<std::uint32_t>;
using Flags = std::vector<bool>;

}  // namespace

// ---- stts / ctts ---------------------------------------------------------------------

TEST(SampleTable, SttsRunsGiveDecodeTimesAndDurations) {
  TrackSpec t = aac_track(ramp(5));
  t.stts = {{2, 100}, {3, 50}};
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::dts), (I64s{0, 100, 200, 250, 300}));
  EXPECT_EQ(field(packets, &Packet::pts), (I64s{0, 100, 200, 250, 300}));
  EXPECT_EQ(field(packets, &Packet::duration), (U64s{100, 100, 50, 50, 50}));
  EXPECT_EQ(field(packets, &Packet::index), (U64s{0, 1, 2, 3, 4}));
  EXPECT_EQ(m.track(0).sample_count, 5u);
  EXPECT_EQ(packet_count(m, 0), 5u);
  EXPECT_EQ(m.track(0).duration, 350u);
  expect_packets_match_layout(m, spec, packets);
}

TEST(SampleTable, SttsShorterThanTheSampleCountRepeatsItsLastDelta) {
  TrackSpec t = aac_track(ramp(5));
  t.stts = {{1, 30}, {1, 20}};
  OpenedMovie m(movie_of(t));
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::dts), (I64s{0, 30, 50, 70, 90}));
  EXPECT_EQ(field(packets, &Packet::duration), (U64s{30, 20, 20, 20, 20}));
}

class Ctts : public testing::TestWithParam<std::uint8_t> {};

TEST_P(Ctts, PtsIsDtsPlusTheCompositionOffset) {
  TrackSpec t = aac_track(ramp(6));
  t.stts = {{6, 100}};
  t.ctts = {{1, -50}, {2, 200}, {2, 0}};  // shorter than the samples: the last gets 0
  t.ctts_version = GetParam();
  OpenedMovie m(movie_of(t));
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::dts), (I64s{0, 100, 200, 300, 400, 500}));
  EXPECT_EQ(field(packets, &Packet::pts), (I64s{-50, 300, 400, 300, 400, 500}));
}

INSTANTIATE_TEST_SUITE_P(Versions, Ctts, testing::Values(0, 1));

// ---- stsc / stco / co64 --------------------------------------------------------------

TEST(SampleTable, StscRunsMapSamplesToChunks) {
  // Derived stsc: (1, 3), (3, 2), (6, 1); the last run covers chunks 6-8.
  TrackSpec t = aac_track(ramp(15));
  t.chunks = {3, 3, 2, 2, 2, 1, 1, 1};
  MovieSpec spec = movie_of(t);
  spec.chunk_gap = 5;  // chunks are not contiguous: offsets must come from stco
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  ASSERT_EQ(packets.size(), 15u);
  EXPECT_EQ(m.track(0).sample_count, 15u);
  expect_packets_match_layout(m, spec, packets);
  EXPECT_EQ(packets[3].pos, packets[2].pos + packets[2].size + 5);  // chunk 2 starts after the gap
  EXPECT_EQ(packets[4].pos, packets[3].pos + packets[3].size);      // inside chunk 2
}

TEST(SampleTable, ChunksWithoutSamplesAreSkipped) {
  TrackSpec t = aac_track(ramp(4));
  t.chunks = {2, 0, 0, 2};  // stsc: (1, 2), (2, 0), (4, 2)
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(packet_count(m, 0), 4u);
  EXPECT_EQ(packets.size(), 4u);
  expect_packets_match_layout(m, spec, packets);
}

TEST(SampleTable, StscDescriptionIndexReachesThePacket) {
  TrackSpec t = aac_track(ramp(4));
  t.sample_entries.push_back(t.sample_entries.front());
  t.chunks = {2, 2};
  t.stsc = std::vector<StscRun>{{1, 2, 1}, {2, 2, 2}};
  OpenedMovie m(movie_of(t));
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::sample_description_index), (U32s{1, 1, 2, 2}));
}

// Some writers repeat an stsc entry many times over (a real file has 1948
// copies of {1, 1, 1}); repeats that agree are harmless.
TEST(SampleTable, RepeatedIdenticalStscEntriesAreIgnored) {
  TrackSpec t = aac_track(ramp(4));
  t.chunks = {1, 1, 1, 1};
  t.stsc = std::vector<StscRun>{{1, 1}, {1, 1}, {1, 1}, {3, 1}, {3, 1}};
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_EQ(packet_count(m, 0), 4u);
  expect_packets_match_layout(m, spec, packets);
}

TEST(SampleTable, StscFirstChunkZeroIsReadAsChunkOne) {
  TrackSpec t = aac_track(ramp(4));
  t.chunks = {2, 2};
  t.stsc = std::vector<StscRun>{{0, 2}};
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  ASSERT_EQ(packets.size(), 4u);
  expect_packets_match_layout(m, spec, packets);
}

TEST(SampleTable, Co64OffsetsBeyond4GiB) {
  constexpr std::uint64_t kBias = std::uint64_t{5} << 30;
  TrackSpec t = aac_track(ramp(4));
  t.chunks = {2, 2};
  t.co64 = true;
  t.chunk_offset_bias = kBias;
  OpenedMovie m(movie_of(t));
  const auto packets = packets_of(m);
  ASSERT_EQ(packets.size(), 4u);
  for (std::size_t i = 0; i < packets.size(); ++i)
    EXPECT_EQ(packets[i].pos, m.layout.sample_offsets[0][i] + kBias) << "packet " << i;
  // The file is small: the data is not there.
  Bytes buf(packets[0].size);
  auto r = m.demux().read_packet(packets[0], buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_EQ(r.error().offset, packets[0].pos);
}

TEST(SampleTable, Co64WithinTheFileReadsTheData) {
  TrackSpec t = aac_track(ramp(5));
  t.chunks = {2, 3};
  t.co64 = true;
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  expect_packets_match_layout(m, spec, packets_of(m));
}

// ---- stsz / stz2 ----------------------------------------------------------------------

TEST(SampleTable, ConstantStsz) {
  TrackSpec t = aac_track(std::vector<std::uint32_t>(6, 20));
  t.size_table = SizeTable::stsz_constant;
  t.chunks = {4, 2};
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::size), (U32s{20, 20, 20, 20, 20, 20}));
  expect_packets_match_layout(m, spec, packets);
}

struct Stz2Case {
  SizeTable table;
  std::vector<std::uint32_t> sizes;
};

class Stz2 : public testing::TestWithParam<Stz2Case> {};

TEST_P(Stz2, SizesOfEachFieldWidth) {
  TrackSpec t = aac_track(GetParam().sizes);
  t.size_table = GetParam().table;
  t.chunks = {2, static_cast<std::uint32_t>(GetParam().sizes.size() - 2)};
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::size), GetParam().sizes);
  expect_packets_match_layout(m, spec, packets);
}

INSTANTIATE_TEST_SUITE_P(FieldSizes, Stz2,
                         testing::Values(Stz2Case{SizeTable::stz2_4, {1, 15, 3, 7, 2, 9, 4}},  // odd count
                                         Stz2Case{SizeTable::stz2_4, {5, 6, 7, 8}},
                                         Stz2Case{SizeTable::stz2_8, {200, 1, 255, 17}},
                                         Stz2Case{SizeTable::stz2_16, {300, 65535, 2, 1000}}));

TEST(SampleTable, PacketsStopWhereTheChunksDo) {
  TrackSpec t = aac_track(ramp(8));
  t.chunks = {3, 3};  // stsz lists 8 samples; the chunks hold 6
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(m.track(0).sample_count, 8u);  // as stsz says (open reads no table bodies)
  EXPECT_EQ(packet_count(m, 0), 6u);
  EXPECT_EQ(packets.size(), 6u);
  expect_packets_match_layout(m, spec, packets);
}

TEST(SampleTable, SampleCountIsStszCountWhenChunksHoldMore) {
  TrackSpec t = aac_track(ramp(6));
  t.chunks = {4, 4};  // 8 samples' room, the last chunk half used
  t.stsc = std::vector<StscRun>{{1, 4}};
  t.size_count = 5;  // and stsz says 5 (of the 6 entries in the box)
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(m.track(0).sample_count, 5u);
  EXPECT_EQ(packet_count(m, 0), 5u);
  EXPECT_EQ(packets.size(), 5u);
  expect_packets_match_layout(m, spec, packets);
}

// ---- stss --------------------------------------------------------------------------------

TEST(SampleTable, StssMarksSyncSamples) {
  TrackSpec t = aac_track(ramp(5));
  t.stss = std::vector<std::uint32_t>{1, 4};
  OpenedMovie m(movie_of(t));
  EXPECT_EQ(field(packets_of(m), &Packet::sync), (Flags{true, false, false, true, false}));
}

TEST(SampleTable, EmptyOrAbsentStssMeansEverySampleIsSync) {
  for (bool empty_box : {true, false}) {
    TrackSpec t = aac_track(ramp(3));
    if (empty_box) t.stss = std::vector<std::uint32_t>{};
    OpenedMovie m(movie_of(t));
    EXPECT_EQ(field(packets_of(m), &Packet::sync), (Flags{true, true, true})) << "empty stss: " << empty_box;
  }
}

// Found when the index is built (the first seek): open reads no table bodies.
TEST(SampleTable, StssNotAscendingIsMalformedAtSeek) {
  TrackSpec t = aac_track(ramp(5));
  t.stss = std::vector<std::uint32_t>{4, 1};
  OpenedMovie m(movie_of(t));
  ASSERT_TRUE(m.demuxer);
  auto seek = m.demux().seek(m.track(0).id, 2);
  ASSERT_FALSE(seek);
  EXPECT_EQ(seek.error().code, Errc::malformed);
}

// ---- sample groups: 'roll' (§10.1) --------------------------------------------------------

namespace {

struct GroupRun {
  std::uint32_t count;
  std::uint32_t group;  // 1-based sgpd entry; 0: no group
};

Bytes sbgp_roll(const std::vector<GroupRun>& runs, FourCC type = FourCC("roll")) {
  BoxWriter w;
  w.full_box("sbgp").fourcc(type).u32(static_cast<std::uint32_t>(runs.size()));
  for (const GroupRun& r : runs) w.u32(r.count).u32(r.group);
  return w.end().take();
}

// sgpd 'roll' with one int16 roll_distance per entry. Version 0 has no
// default_length; version 1 with default_length 0 gives each entry its own
// length (here 2, or 4 for every other entry, padded); version 2 adds
// default_sample_description_index.
Bytes sgpd_roll(std::uint8_t version, std::uint32_t default_length, const std::vector<std::int16_t>& rolls,
                FourCC type = FourCC("roll")) {
  BoxWriter w;
  w.full_box("sgpd", version).fourcc(type);
  if (version >= 1) w.u32(default_length);
  if (version >= 2) w.u32(1);
  w.u32(static_cast<std::uint32_t>(rolls.size()));
  for (std::size_t i = 0; i < rolls.size(); ++i) {
    const std::uint32_t length = version >= 1 && default_length == 0 ? (i % 2 ? 4 : 2) : std::max<std::uint32_t>(default_length, 2);
    if (version >= 1 && default_length == 0) w.u32(length);
    w.i16(rolls[i]).zeros(length - 2);
  }
  return w.end().take();
}

std::vector<std::optional<std::uint32_t>> prerolls(OpenedMovie& m, std::uint64_t samples) {
  std::vector<std::optional<std::uint32_t>> out;
  for (std::uint64_t s = 0; s < samples; ++s) {
    auto r = m.demux().preroll_samples(m.track(0).id, s);
    EXPECT_TRUE(r) << r.error().message;
    out.push_back(r ? *r : std::nullopt);
  }
  return out;
}

using Rolls = std::vector<std::optional<std::uint32_t>>;

}  // namespace

struct SgpdLayout {
  std::uint8_t version;
  std::uint32_t default_length;
};

class RollGroups : public testing::TestWithParam<SgpdLayout> {};

// Samples 0-1 in no group, 2-4 in group 2 (roll -4), 5 in group 1 (roll -2),
// 6 in group 3 (roll +1: a forward roll, no pre-roll).
TEST_P(RollGroups, EachSampleGetsItsGroupsRollDistance) {
  TrackSpec t = aac_track(ramp(7));
  t.stbl_extra = {sgpd_roll(GetParam().version, GetParam().default_length, {-2, -4, 1}),
                  sbgp_roll({{2, 0}, {3, 2}, {1, 1}, {1, 3}})};
  OpenedMovie m(movie_of(t));
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  EXPECT_EQ(prerolls(m, 7), (Rolls{0, 0, 4, 4, 4, 2, 0}));
}

INSTANTIATE_TEST_SUITE_P(SampleTable, RollGroups,
                         testing::Values(SgpdLayout{0, 0}, SgpdLayout{1, 2}, SgpdLayout{1, 4}, SgpdLayout{1, 0},
                                         SgpdLayout{2, 2}, SgpdLayout{2, 0}),
                         [](const auto& param_info) {
                           return "v" + std::to_string(param_info.param.version) + "_length" +
                                  std::to_string(param_info.param.default_length);
                         });

TEST(SampleTable, NoRollGroupsMeansNoPrerollKnown) {
  TrackSpec t = aac_track(ramp(3));
  OpenedMovie m(movie_of(t));
  EXPECT_EQ(prerolls(m, 3), (Rolls{std::nullopt, std::nullopt, std::nullopt}));
}

TEST(SampleTable, SampleGroupsOfOtherTypesAreIgnored) {
  TrackSpec t = aac_track(ramp(3));
  t.stbl_extra = {sgpd_roll(1, 2, {-5}, FourCC("prol")), sbgp_roll({{3, 1}}, FourCC("prol"))};
  OpenedMovie m(movie_of(t));
  EXPECT_EQ(prerolls(m, 3), (Rolls{std::nullopt, std::nullopt, std::nullopt}));
}

// Group indices past sgpd's entries, an sgpd cut short, or none at all: the
// sample is in a group whose roll is unknown, so 0 (the codec's default applies).
TEST(SampleTable, RollGroupsPointingNowhereGiveZero) {
  Bytes cut = sgpd_roll(1, 2, {-2, -3});
  cut.resize(cut.size() - 2);  // the last entry's distance
  const std::uint32_t cut_size = static_cast<std::uint32_t>(cut.size());
  cut[0] = std::byte(cut_size >> 24), cut[1] = std::byte(cut_size >> 16), cut[2] = std::byte(cut_size >> 8),
  cut[3] = std::byte(cut_size);
  for (const auto& sgpd : std::vector<std::optional<Bytes>>{sgpd_roll(1, 2, {-2}), cut, std::nullopt}) {
    TrackSpec t = aac_track(ramp(3));
    t.stbl_extra = {sbgp_roll({{1, 1}, {1, 2}, {1, 9}})};
    if (sgpd) t.stbl_extra.push_back(*sgpd);
    OpenedMovie m(movie_of(t));
    ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
    const std::uint32_t first = sgpd ? 2 : 0;
    EXPECT_EQ(prerolls(m, 3), (Rolls{first, 0, 0})) << "sgpd: " << (sgpd ? sgpd->size() : 0) << " bytes";
  }
}

// ---- PCM packets -------------------------------------------------------------------------

struct PcmGrouping {
  std::uint32_t frames;
  std::uint32_t frames_per_chunk;
  std::vector<std::uint32_t> packet_frames;
};

class PcmPackets : public testing::TestWithParam<PcmGrouping> {};

TEST_P(PcmPackets, UnitDeltaFramesAreGroupedUpTo1024WithinAChunk) {
  const PcmGrouping& g = GetParam();
  const MovieSpec spec = movie_of(pcm_track(AudioEntrySpec("sowt").with_channels(2).with_bits(16),
                                            g.frames, g.frames_per_chunk));
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::sample_count), g.packet_frames);
  EXPECT_EQ(m.track(0).sample_count, g.frames);
  EXPECT_EQ(packet_count(m, 0), g.packet_frames.size());
  std::int64_t dts = 0;
  for (const Packet& p : packets) {
    EXPECT_EQ(p.size, p.sample_count * 4u);
    EXPECT_EQ(p.duration, p.sample_count);
    EXPECT_EQ(p.dts, dts);
    dts += p.sample_count;
  }
  expect_packets_match_layout(m, spec, packets);
}

INSTANTIATE_TEST_SUITE_P(Chunkings, PcmPackets,
                         testing::Values(PcmGrouping{5000, 2500, {1024, 1024, 452, 1024, 1024, 452}},
                                         PcmGrouping{5000, 2048, {1024, 1024, 1024, 1024, 904}},
                                         PcmGrouping{3072, 1024, {1024, 1024, 1024}},
                                         PcmGrouping{700, 1000, {700}}));

TEST(PcmPackets, LastChunkCutByTheSampleCount) {
  // Two chunks of room for 2500 frames; stsz says 3000 frames in all.
  TrackSpec t = pcm_track(AudioEntrySpec("sowt"), 5000, 2500);
  t.size_count = 3000;
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::sample_count), (U32s{1024, 1024, 452, 500}));
  EXPECT_EQ(m.track(0).sample_count, 3000u);
  EXPECT_EQ(packet_count(m, 0), 4u);
  expect_packets_match_layout(m, spec, packets);
}

TEST(PcmPackets, PacketSizeComesFromTheSampleEntryNotStsz) {
  // 24-bit mono: 3 bytes a frame, though stsz says 1 (as QuickTime writes it).
  TrackSpec t = pcm_track(AudioEntrySpec("in24").with_channels(1).with_bits(24), 2000, 2000);
  t.sample_sizes.assign(2000, 1);
  OpenedMovie m(movie_of(t));
  EXPECT_EQ(field(packets_of(m), &Packet::size), (U32s{3072, 2928}));
}

TEST(PcmPackets, DeltaOtherThanOneGivesOnePacketPerSample) {
  // QuickTime-style PCM: each sample is a 1024-frame packet.
  TrackSpec t = audio_track(audio_sample_entry(AudioEntrySpec("sowt")), std::vector<std::uint32_t>(6, 4096));
  t.stts = {{6, 1024}};
  const MovieSpec spec = movie_of(t);
  OpenedMovie m(spec);
  const auto packets = packets_of(m);
  EXPECT_EQ(field(packets, &Packet::size), (U32s{4096, 4096, 4096, 4096, 4096, 4096}));
  EXPECT_EQ(field(packets, &Packet::duration), (U64s{1024, 1024, 1024, 1024, 1024, 1024}));
  EXPECT_EQ(packet_count(m, 0), 6u);
  expect_packets_match_layout(m, spec, packets);
}
