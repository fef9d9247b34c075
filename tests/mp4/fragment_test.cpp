// Fragmented files (ISO/IEC 14496-12 §8.8): every tfhd and trun flag, several
// trafs and tracks per moof, partially fragmented files, broken fragments,
// and seeking through sidx, mfra or a walk, on writer-built files.
#include "mp4/lookup_checks.hpp"
#include "mp4/pressed_tracker.hpp"
#include "support/demux_fixture.hpp"
#include "support/fragment_writer.hpp"

#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace frugal;
using namespace frugal::test;
using core::Errc;
using core::Packet;

namespace {

FragmentedSpec one_track(std::vector<MoofSpec> fragments, std::vector<std::uint32_t> moov_sizes = {}) {
  FragmentedSpec spec;
  spec.init.tracks = {aac_track(std::move(moov_sizes))};
  if (!spec.init.tracks[0].sample_sizes.empty())
    spec.init.tracks[0].stts = {{static_cast<std::uint32_t>(spec.init.tracks[0].sample_sizes.size()), 1024}};
  spec.fragments = std::move(fragments);
  return spec;
}

TrafSpec traf(std::vector<FragmentSample> samples, std::optional<std::uint64_t> decode_time, std::size_t track = 0) {
  TrafSpec t;
  t.track = track;
  t.truns = {TrunSpec{std::move(samples)}};
  t.decode_time = decode_time;
  return t;
}

struct Built {
  explicit Built(const FragmentedSpec& spec) : opened(build_fragmented_mp4(spec, &layout)) {}
  FragmentLayout layout;
  OpenedMovie opened;
};

// The packets of track `track` (index) equal the writer's layout after its
// `moov_samples`, bytes included; returns them.
std::vector<Packet> expect_packets_match(Built& b, std::size_t track, std::size_t moov_samples = 0) {
  OpenedMovie& m = b.opened;
  if (!m.demuxer) {
    ADD_FAILURE() << m.demuxer.error().message;
    return {};
  }
  EXPECT_FALSE(m.track(track).error) << m.track(track).error->message;
  for (const core::Track& t : m.demux().tracks())
    EXPECT_TRUE(m.demux().set_track_enabled(t.id, &t == &m.track(track)));
  const std::vector<Packet> packets = packets_of(m);
  const auto& want = b.layout.samples[track];
  EXPECT_EQ(packets.size(), moov_samples + want.size());
  if (packets.size() != moov_samples + want.size()) return packets;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Packet& p = packets[moov_samples + i];
    SCOPED_TRACE("fragment sample " + std::to_string(i));
    EXPECT_EQ(p.index, moov_samples + i);
    EXPECT_EQ(p.pos, want[i].offset);
    EXPECT_EQ(p.size, want[i].size);
    EXPECT_EQ(p.dts, want[i].dts);
    EXPECT_EQ(p.duration, want[i].duration);
    EXPECT_EQ(p.sync, want[i].sync);
    std::vector<std::byte> bytes(p.size);
    EXPECT_TRUE(m.demux().read_packet(p, bytes));
    for (std::uint32_t k = 0; k < p.size; ++k)
      EXPECT_EQ(bytes[k], sample_byte(track, moov_samples + i, k)) << "byte " << k;
  }
  auto count = m.demux().packet_count(m.track(track).id);
  EXPECT_TRUE(count);
  if (count) {
    EXPECT_EQ(*count, packets.size());
  }
  return packets;
}

TEST(Fragments, OneTrackDefaultBaseIsMoof) {
  Built b(one_track({MoofSpec{{traf(fragment_samples(5), 0)}}, MoofSpec{{traf(fragment_samples(4, 1024, 40), 5120)}}}));
  EXPECT_TRUE(b.opened.demux().fragmented());
  expect_packets_match(b, 0);
}

TEST(Fragments, ExplicitBaseDataOffset) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(3), 0)}}, MoofSpec{{traf(fragment_samples(3), 3072)}}});
  for (MoofSpec& f : spec.fragments) f.trafs[0].base = TrafBase::explicit_offset;
  Built b(spec);
  expect_packets_match(b, 0);
}

// Two tracks in each moof; the second traf names no base, so its data
// starts where the first traf's data ends (§8.8.7.1).
TEST(Fragments, TwoTracksImplicitBaseAfterThePreviousTraf) {
  FragmentedSpec spec = one_track({});
  spec.init.tracks.push_back(aac_track({}));
  for (int f = 0; f < 3; ++f) {
    MoofSpec moof{{traf(fragment_samples(4, 1024, 20), 4096u * f, 0), traf(fragment_samples(2, 2048, 50), 4096u * f, 1)}};
    for (TrafSpec& t : moof.trafs) t.base = TrafBase::implicit;
    spec.fragments.push_back(moof);
  }
  Built b(spec);
  expect_packets_match(b, 0);
  Built again(spec);
  expect_packets_match(again, 1);
  // Both tracks at once come in file order.
  Built both(spec);
  auto packets = packets_of(both.opened);
  ASSERT_EQ(packets.size(), 18u);
  for (std::size_t i = 1; i < packets.size(); ++i) EXPECT_LT(packets[i - 1].pos, packets[i].pos);
}

// The traf before names no per-sample sizes: its data length comes from
// its track's trex, which the next traf's implicit base must use too.
TEST(Fragments, ImplicitBaseAfterATrafSizedByItsTrex) {
  FragmentedSpec spec = one_track({});
  spec.init.tracks.push_back(aac_track({}));
  spec.trex = {{1, 1024, 37, 0}, {1, 2048, 0, 0}};
  for (int f = 0; f < 2; ++f) {
    MoofSpec moof{{traf(fragment_samples(4), 4096u * f, 0), traf(fragment_samples(2, 2048, 50), 4096u * f, 1)}};
    moof.trafs[0].truns[0].per_sample_size = false;
    for (TrafSpec& t : moof.trafs) t.base = TrafBase::implicit;
    spec.fragments.push_back(moof);
  }
  Built b(spec);
  expect_packets_match(b, 1);
}

// Many trafs of one track in a moof, each starting where the one before
// ended: each traf is passed over once (this took seconds when every traf
// walked all those before it).
TEST(Fragments, ManyChainedTrafsInOneMoof) {
  MoofSpec moof;
  for (int k = 0; k < 3000; ++k) {
    moof.trafs.push_back(traf(fragment_samples(1), k == 0 ? std::optional<std::uint64_t>(0) : std::nullopt));
    moof.trafs.back().base = TrafBase::implicit;
  }
  Built b(one_track({moof}));
  expect_packets_match(b, 0);
}

// A duration-is-empty traf spans its default duration (§8.8.7.1): the next
// fragment without tfdt starts after it.
TEST(Fragments, EmptyTrafSpansItsDuration) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(2), 0)}}, MoofSpec{{traf({}, std::nullopt)}},
                                   MoofSpec{{traf(fragment_samples(2), std::nullopt)}}});
  spec.fragments[1].trafs[0].duration_is_empty = true;
  spec.fragments[1].trafs[0].default_duration = 5000;
  spec.fragments[1].trafs[0].truns.clear();
  OpenedMovie m(build_fragmented_mp4(spec));
  auto packets = packets_of(m);
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_EQ(packets[2].dts, 2 * 1024 + 5000);
}

TEST(Fragments, SeveralTrafsOfOneTrackInOneMoof) {
  Built b(one_track({MoofSpec{{traf(fragment_samples(3), 0), traf(fragment_samples(2, 1024, 30), std::nullopt)}},
                     MoofSpec{{traf(fragment_samples(2), 5 * 1024)}}}));
  expect_packets_match(b, 0);
}

// Durations, sizes and flags from tfhd defaults, from trex defaults, and
// the sample description index from tfhd.
TEST(Fragments, DefaultsFromTfhdAndTrex) {
  FragmentedSpec spec = one_track({});
  spec.trex = {{1, 960, 33, kNonSyncSample}};
  TrafSpec from_trex = traf(fragment_samples(3), 0);
  from_trex.truns[0].per_sample_duration = from_trex.truns[0].per_sample_size = false;
  from_trex.truns[0].first_sample_flags = 0;  // the first is a sync sample, the rest are not (trex)
  TrafSpec from_tfhd = traf(fragment_samples(3), std::nullopt);
  from_tfhd.truns[0].per_sample_duration = from_tfhd.truns[0].per_sample_size = false;
  from_tfhd.default_duration = 1024;
  from_tfhd.default_size = 17;
  from_tfhd.default_flags = 0;
  from_tfhd.description_index = 2;
  spec.init.tracks[0].sample_entries.push_back(spec.init.tracks[0].sample_entries[0]);
  spec.fragments = {MoofSpec{{from_trex}}, MoofSpec{{from_tfhd}}};
  Built b(spec);
  auto packets = expect_packets_match(b, 0);
  ASSERT_EQ(packets.size(), 6u);
  EXPECT_EQ(packets[0].sample_description_index, 1u);
  EXPECT_EQ(packets[3].sample_description_index, 2u);
  EXPECT_TRUE(packets[0].sync);
  EXPECT_FALSE(packets[1].sync);
  EXPECT_EQ(packets[1].size, 33u);
  EXPECT_EQ(packets[4].duration, 1024u);
}

// trun: per-sample flags, a second trun without data_offset continuing the
// first, and composition offsets, unsigned (version 0) and signed (1).
TEST(Fragments, TrunFieldsAndContinuation) {
  std::vector<FragmentSample> a = fragment_samples(3);
  a[1].flags = kNonSyncSample;
  a[0].composition_offset = 2048;
  std::vector<FragmentSample> c = fragment_samples(2);
  c[0].composition_offset = -1024;
  TrafSpec t = traf(a, 0);
  t.truns[0].per_sample_flags = t.truns[0].per_sample_composition = true;
  TrunSpec continued{fragment_samples(2, 1024, 60)};
  continued.data_offset = false;
  TrunSpec signed_offsets{c};
  signed_offsets.per_sample_composition = true;
  signed_offsets.version = 1;
  t.truns.push_back(continued);
  t.truns.push_back(signed_offsets);
  Built b(one_track({MoofSpec{{t}}}));
  auto packets = expect_packets_match(b, 0);
  ASSERT_EQ(packets.size(), 7u);
  EXPECT_EQ(packets[0].pts, 2048);
  EXPECT_EQ(packets[5].pts, packets[5].dts - 1024);
}

// Fragments without tfdt continue from the previous one; tfdt version 0.
TEST(Fragments, DecodeTimeWithoutTfdtContinues) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(3), 100)}}, MoofSpec{{traf(fragment_samples(3), std::nullopt)}},
                                   MoofSpec{{traf(fragment_samples(2), 9000)}}});
  spec.fragments[2].trafs[0].tfdt_version = 0;
  Built b(spec);
  expect_packets_match(b, 0);
}

TEST(Fragments, DurationIsEmptyTrafHasNoSamples) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(3), 0)}}, MoofSpec{{traf(fragment_samples(3), 3072)}}});
  spec.fragments[0].trafs[0].duration_is_empty = true;
  Built b(spec);
  expect_packets_match(b, 0);
  EXPECT_EQ(b.layout.samples[0].size(), 3u);
}

// Boxes between fragments (styp, emsg, free) are passed over.
TEST(Fragments, OtherTopLevelBoxesBetweenFragments) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(2), 0)}}, MoofSpec{{traf(fragment_samples(2), 2048)}}});
  spec.fragments[1].before = {make_box("styp", Bytes(8)), make_box("free", Bytes(100))};
  Built b(spec);
  expect_packets_match(b, 0);
}

// Samples in moov, then more in moofs.
TEST(Fragments, PartiallyFragmented) {
  Built b(one_track({MoofSpec{{traf(fragment_samples(3), std::nullopt)}}, MoofSpec{{traf(fragment_samples(2), std::nullopt)}}},
                    {5, 6, 7, 8}));
  auto packets = expect_packets_match(b, 0, 4);
  ASSERT_EQ(packets.size(), 9u);
  EXPECT_EQ(packets[4].dts, 4 * 1024);  // the fragments start where moov's samples end
}

TEST(Fragments, MehdGivesTheDuration) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(2), 0)}}});
  spec.init.tracks[0].duration = 0;
  spec.mehd = 5000;  // ms
  Built b(spec);
  ASSERT_TRUE(b.opened.demuxer);
  EXPECT_EQ(b.opened.track(0).duration, 5 * 44100u);
}

// A mehd too large for the track's timescale gives no duration rather than 2^64 - 1.
TEST(Fragments, MehdBeyondTheTrackTimescaleGivesNoDuration) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(2), 0)}}});
  spec.init.tracks[0].duration = 0;
  spec.init.timescale = 1;
  spec.mehd = std::uint64_t{1} << 62;
  Built b(spec);
  ASSERT_TRUE(b.opened.demuxer);
  EXPECT_EQ(b.opened.track(0).duration, 0u);
}

// ---- broken fragments -------------------------------------------------------------

void expect_packets_fail(const Bytes& file, Errc code) {
  OpenedMovie m(file);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  auto packets = read_all_packets(m.demux());
  ASSERT_FALSE(packets) << "no error";
  EXPECT_EQ(packets.error().code, code) << packets.error().message;
  // Asked again, the same error: the cursor did not move.
  Packet p;
  auto again = m.demux().next_packet(p);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, code);
}

// Finds the first box of `type` in `file` (a byte search; the writer's
// files have no other occurrence of the type before it).
std::size_t find_box(const Bytes& file, const char* type) {
  for (std::size_t i = 4; i + 4 <= file.size(); ++i)
    if (std::memcmp(&file[i], type, 4) == 0) return i - 4;
  ADD_FAILURE() << "no " << type;
  return 0;
}

TEST(Fragments, TrunCountBeyondItsBoxIsMalformed) {
  Bytes file = build_fragmented_mp4(one_track({MoofSpec{{traf(fragment_samples(3), 0)}}}));
  const std::size_t trun = find_box(file, "trun");
  file[trun + 12] = std::byte{0x7F};  // sample_count's high byte
  expect_packets_fail(file, Errc::malformed);
}

TEST(Fragments, TrafWithoutTfhdIsMalformed) {
  Bytes file = build_fragmented_mp4(one_track({MoofSpec{{traf(fragment_samples(3), 0)}}}));
  std::memcpy(&file[find_box(file, "tfhd") + 4], "free", 4);
  expect_packets_fail(file, Errc::malformed);
}

TEST(Fragments, MoofCutOffIsMalformed) {
  Bytes file = build_fragmented_mp4(one_track({MoofSpec{{traf(fragment_samples(3), 0)}}, MoofSpec{{traf(fragment_samples(3), 3072)}}}));
  FragmentLayout layout;
  build_fragmented_mp4(one_track({MoofSpec{{traf(fragment_samples(3), 0)}}, MoofSpec{{traf(fragment_samples(3), 3072)}}}), &layout);
  file.resize(layout.moof_offsets[1] + 20);
  expect_packets_fail(file, Errc::malformed);
}

// A trun whose samples have no entries costs no bytes in its box: a count
// of 2^31 would be that many samples to walk. Their data must be in the file.
TEST(Fragments, TrunWithoutEntriesBeyondTheFileIsMalformed) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(3), 0)}}});
  spec.trex = {{1, 1024, 1, 0}};
  spec.fragments[0].trafs[0].truns[0].per_sample_duration = false;
  spec.fragments[0].trafs[0].truns[0].per_sample_size = false;
  Bytes file = build_fragmented_mp4(spec);
  const std::size_t trun = find_box(file, "trun");
  file[trun + 12] = std::byte{0x7F};  // sample_count's high byte
  expect_packets_fail(file, Errc::malformed);
  OpenedMovie m(file);
  ASSERT_TRUE(m.demuxer);
  auto seek = m.demux().seek(m.track(0).id, 1u << 30);
  ASSERT_FALSE(seek);
  EXPECT_EQ(seek.error().code, Errc::malformed);
}

// Limits::max_fragment_samples bounds what one moof may make a seek walk:
// reading stops with limit_exceeded where the moof passes it, and a seek
// that has to pass over that moof fails the same way.
TEST(Fragments, MoreSamplesInAMoofThanTheLimit) {
  const Bytes file = build_fragmented_mp4(one_track({MoofSpec{{traf(fragment_samples(10), 0)}}}));
  core::DemuxerOptions options;
  options.limits.max_fragment_samples = 6;
  OpenedMovie m(file, options);
  ASSERT_TRUE(m.demuxer);
  Packet p;
  std::size_t read = 0;
  core::Result<void> r = core::ok();
  while ((r = m.demux().next_packet(p))) ++read;
  EXPECT_EQ(read, 6u);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
  auto seek = m.demux().seek(m.track(0).id, 9 * 1024);
  ASSERT_FALSE(seek);
  EXPECT_EQ(seek.error().code, Errc::limit_exceeded);
}

TEST(Fragments, NegativeDataOffsetBeforeTheFileIsMalformed) {
  FragmentedSpec spec = one_track({MoofSpec{{traf(fragment_samples(3), 0)}}});
  Bytes file = build_fragmented_mp4(spec);
  const std::size_t trun = find_box(file, "trun");
  for (int k = 0; k < 4; ++k) file[trun + 16 + k] = std::byte{0x80};  // data_offset = -2^31 + ...
  expect_packets_fail(file, Errc::malformed);
}

// Decode times stay below 2^62: a tfdt near 2^63 is malformed, not a wrap.
TEST(Fragments, TfdtPast2To62IsMalformed) {
  for (std::uint64_t tfdt : {(std::uint64_t{1} << 62) + 1, std::uint64_t{INT64_MAX} - 100, ~std::uint64_t{0}})
    expect_packets_fail(build_fragmented_mp4(one_track({MoofSpec{{traf(fragment_samples(2), tfdt)}}})),
                        Errc::malformed);
}

// ---- seeking --------------------------------------------------------------------

enum class IndexForm { sidx, mfra, none };

FragmentedSpec many_fragments(std::size_t fragments, std::size_t per_fragment, IndexForm form) {
  FragmentedSpec spec = one_track({});
  for (std::size_t f = 0; f < fragments; ++f) {
    std::vector<FragmentSample> samples = fragment_samples(per_fragment, 1024, 3);
    for (std::size_t i = 0; i < samples.size(); ++i) samples[i].flags = i % 4 == 0 ? 0 : kNonSyncSample;
    TrafSpec t = traf(samples, 1024 * per_fragment * f);
    t.truns[0].per_sample_flags = true;
    spec.fragments.push_back(MoofSpec{{t}});
  }
  if (form == IndexForm::sidx) spec.sidx_track = 0;
  if (form == IndexForm::mfra) spec.mfra = true;
  return spec;
}

class FragmentSeek : public ::testing::TestWithParam<IndexForm> {};

// Every sample's time, in a shuffled order: the seek lands on the last sync
// sample at or before it, sample-exact, and the packets continue from there.
TEST_P(FragmentSeek, LandsOnTheSyncSampleAtOrBefore) {
  Built b(many_fragments(40, 10, GetParam()));
  OpenedMovie& m = b.opened;
  ASSERT_TRUE(m.demuxer);
  const auto& want = b.layout.samples[0];
  const std::uint32_t id = m.track(0).id;
  for (std::size_t k = 0; k < want.size(); ++k) {
    const std::size_t i = (k * 7919) % want.size();
    const std::int64_t t = want[i].dts + (k % 3 == 0 ? 500 : 0);
    auto point = m.demux().seek(id, static_cast<std::uint64_t>(t));
    ASSERT_TRUE(point) << point.error().message;
    const std::size_t sync = i - (i % 10) % 4;  // sync samples: 0, 4, 8 of each fragment
    SCOPED_TRACE("seek to " + std::to_string(t) + " (sample " + std::to_string(i) + ")");
    EXPECT_EQ(point->dts, want[sync].dts);
    Packet p;
    ASSERT_TRUE(m.demux().next_packet(p));
    EXPECT_EQ(p.pos, want[sync].offset);
    EXPECT_EQ(p.dts, want[sync].dts);
    ASSERT_TRUE(m.demux().next_packet(p));
    EXPECT_EQ(p.pos, want[sync + 1 < want.size() ? sync + 1 : sync].offset);
  }
  // Past the end: the last sync sample; before the start: the first.
  auto end = m.demux().seek(id, 1u << 30);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->dts, want[want.size() - 10 + 8].dts);
  auto start = m.demux().seek(id, 0);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->dts, 0);
}

// seek_to_sample counts samples from the first fragment, whatever the index.
TEST_P(FragmentSeek, SeekToSampleCountsFromTheStart) {
  Built b(many_fragments(12, 10, GetParam()));
  OpenedMovie& m = b.opened;
  ASSERT_TRUE(m.demuxer);
  const auto& want = b.layout.samples[0];
  for (std::uint64_t i : {0u, 1u, 9u, 10u, 57u, 119u}) {
    auto point = m.demux().seek_to_sample(m.track(0).id, i);
    ASSERT_TRUE(point);
    EXPECT_EQ(point->sample, i);
    Packet p;
    ASSERT_TRUE(m.demux().next_packet(p));
    EXPECT_EQ(p.index, i);
    EXPECT_EQ(p.pos, want[i].offset);
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, FragmentSeek, ::testing::Values(IndexForm::sidx, IndexForm::mfra, IndexForm::none),
                         [](const auto& param_info) {
                           return std::string(param_info.param == IndexForm::sidx   ? "sidx"
                                              : param_info.param == IndexForm::mfra ? "mfra"
                                                                              : "none");
                         });

// ---- a 10-hour file of 18,000 two-second fragments --------------------------------

// 48 kHz AAC-like timing: 1024-tick samples, 94 a fragment (2.005 s), sizes
// and durations as tfhd defaults (no per-sample entries): 3.6 MB in memory.
constexpr std::size_t kLongFragments = 18000;
constexpr std::uint32_t kLongPerFragment = 94;

const Bytes& long_file(IndexForm form) {
  static Bytes files[3];
  Bytes& file = files[static_cast<int>(form)];
  if (!file.empty()) return file;
  FragmentedSpec spec = one_track({});
  spec.init.tracks[0].timescale = 48000;
  spec.fragments.reserve(kLongFragments);
  for (std::size_t f = 0; f < kLongFragments; ++f) {
    TrafSpec t = traf(std::vector<FragmentSample>(kLongPerFragment), std::uint64_t{1024} * kLongPerFragment * f);
    t.truns[0].per_sample_duration = t.truns[0].per_sample_size = false;
    t.default_duration = 1024;
    t.default_size = 1;
    spec.fragments.push_back(MoofSpec{{t}});
  }
  if (form == IndexForm::sidx) spec.sidx_track = 0;
  if (form == IndexForm::mfra) spec.mfra = true;
  file = build_fragmented_mp4(spec);
  return file;
}

class LongFragmentedFile : public ::testing::TestWithParam<IndexForm> {};

// Random seeks over 10 hours land sample-exact. The first seek, to the
// end, builds the index (one pass over sidx or tfra; with neither, a walk
// over every moof): its reads are reported, not bounded. Later seeks read at
// most 16 times (sidx/tfra: the table between two points and one moof; a
// walked index: the moofs between two points). The demuxer holds under 64 KiB throughout,
// the bound a non-fragmented file of any length keeps (virtual_file_test).
TEST_P(LongFragmentedFile, SeeksAreExactWithBoundedMemoryAndReads) {
  const Bytes& file = long_file(GetParam());
  core::MemorySource memory(file);
  mem::MemoryTracker tracker;
  core::DemuxerOptions options;
  options.tracker = &tracker;
  CountedDemuxer d(memory, options);
  ASSERT_TRUE(d.demuxer) << d.demuxer.error().message;
  const std::uint32_t id = d.demux().tracks()[0].id;
  const std::uint64_t samples = std::uint64_t{kLongFragments} * kLongPerFragment;
  std::mt19937_64 rng(7);
  std::uint64_t max_calls = 0;
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t sample = i == 0 ? samples - 1 : rng() % samples;
    const std::uint64_t ticks = sample * 1024 + rng() % 1024;
    core::Result<core::SeekPoint> point = core::make_error(Errc::io, "not run");
    Packet p;
    const auto reads = d.reads_during([&] {
      point = d.demux().seek(id, ticks);
      if (point) {
        ASSERT_TRUE(d.demux().next_packet(p));
      }
    });
    ASSERT_TRUE(point) << point.error().message;
    EXPECT_EQ(p.dts, static_cast<std::int64_t>(sample * 1024)) << "seek to " << ticks;
    if (i == 0) {
      RecordProperty("first_seek_read_calls", static_cast<int>(reads.calls));
      continue;
    }
    max_calls = std::max(max_calls, reads.calls);
  }
  RecordProperty("max_seek_read_calls", static_cast<int>(max_calls));
  RecordProperty("demuxer_peak_bytes", static_cast<int>(tracker.account("mp4")->peak()));
  EXPECT_LE(max_calls, 16u);
  EXPECT_LE(tracker.account("mp4")->peak(), 64u * 1024);
}

// Critical pressure gives back half the fragment index's room each time it
// comes (down to 16 points; normal pressure does not give it back): seeks
// stay exact, only the walks between points grow.
TEST(LongFragmentedFile, CriticalPressureCoarsensTheIndex) {
  const Bytes& file = long_file(IndexForm::none);
  core::MemorySource memory(file);
  PressedTracker pressure;
  core::DemuxerOptions options;
  options.tracker = &pressure.tracker();
  auto d = mp4::Demuxer::open(memory, options);
  ASSERT_TRUE(d) << d.error().message;
  const std::uint32_t id = d->tracks()[0].id;
  const std::uint64_t samples = std::uint64_t{kLongFragments} * kLongPerFragment;
  ASSERT_TRUE(d->seek(id, (samples - 1) * 1024));  // walks every fragment
  std::size_t room = pressure.current("mp4/fragment_index");
  EXPECT_EQ(room, 256u * 32);
  std::mt19937_64 rng(3);
  for (int round = 0; round < 6; ++round) {
    pressure.deliver(mem::PressureLevel::normal);  // a new episode each round: the level changes
    pressure.deliver(mem::PressureLevel::critical);
    for (int i = 0; i < 20; ++i) {
      const std::uint64_t sample = rng() % samples;
      auto point = d->seek(id, sample * 1024 + 5);  // the demuxer acts on pressure at its next call
      ASSERT_TRUE(point) << point.error().message;
      EXPECT_EQ(point->dts, static_cast<std::int64_t>(sample * 1024));
    }
    const std::size_t now = pressure.current("mp4/fragment_index");
    EXPECT_EQ(now, std::max<std::size_t>(room / 2, 16 * 32)) << "round " << round;
    room = now;
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, LongFragmentedFile, ::testing::Values(IndexForm::sidx, IndexForm::mfra, IndexForm::none),
                         [](const auto& param_info) {
                           return std::string(param_info.param == IndexForm::sidx   ? "sidx"
                                              : param_info.param == IndexForm::mfra ? "mfra"
                                                                                    : "none");
                         });

}  // namespace
