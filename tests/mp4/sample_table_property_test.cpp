// Property tests of the lazy sample tables: random tables (fixed seeds)
// built with the test writer, and every lookup the demuxer answers —
// sequential packets, seek_to_sample, sample_at_time, seek by time,
// packet_count — compared with a brute-force reference computed from the
// TrackSpec and the writer's layout, also after memory pressure has
// shrunk the cache and coarsened the indexes. Tables are long enough
// (2000 stts runs, 1500 stsc runs) for the sparse indexes to use strides > 1.
#include "mp4/lookup_checks.hpp"
#include "mp4/pressed_tracker.hpp"
#include "support/demux_fixture.hpp"
#include "support/mp4_writer.hpp"
#include "support/rng.hpp"

#include <frugal/mem/manual_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

using namespace frugal;
using namespace frugal::test;
using core::Errc;
using core::Packet;

namespace {

// ---- random tables ---------------------------------------------------------------------------

// sparse: 3% of the samples, the first included; sparse_late: none among the
// first 50; dense: 30%.
enum class Stss { none, sparse, sparse_late, dense };

struct TableCase {
  const char* name;
  std::uint64_t seed;
  SizeTable sizes;
  bool co64_beyond_4gib;
  bool ctts;
  Stss stss;
  std::uint32_t stts_runs;  // runs with samples (zero-count runs come on top)
  std::uint32_t stsc_runs;  // distinct stsc runs (repeated entries come on top)
};

// GoogleTest prints parameters with this (test names, failure messages).
void PrintTo(const TableCase& c, std::ostream* os) { *os << c.name << " seed " << c.seed; }

constexpr std::uint32_t kDescriptions = 3;  // stsd entries; stsc picks among them
constexpr std::uint64_t kBias = std::uint64_t{5} << 30;

std::uint32_t random_size(SizeTable table, Rng& rng) {
  switch (table) {
    case SizeTable::stz2_4: return static_cast<std::uint32_t>(rng.below(16));
    case SizeTable::stz2_8: return static_cast<std::uint32_t>(rng.below(256));
    case SizeTable::stz2_16:
      return static_cast<std::uint32_t>(rng.below(1000) == 0 ? rng.between(256, 65535) : rng.below(300));
    case SizeTable::stsz:
    case SizeTable::stsz_constant:
      return static_cast<std::uint32_t>(rng.below(2000) == 0 ? rng.between(65536, 80000) : rng.below(300));
  }
  return 0;
}

// stsc runs of 1-3 chunks of 0-12 samples (rarely 0), description 1-3; 4%
// of the entries written twice (the first copy then covers no chunk). Fills
// the chunk layout they describe.
std::vector<StscRun> random_stsc(std::uint32_t runs, Rng& rng, std::vector<std::uint32_t>& chunks) {
  std::vector<StscRun> out;
  for (std::uint32_t r = 0; r < runs; ++r) {
    const auto spc = static_cast<std::uint32_t>(rng.chance(3) ? 0 : rng.between(1, 12));
    const StscRun run{static_cast<std::uint32_t>(chunks.size() + 1), spc,
                      static_cast<std::uint32_t>(rng.between(1, kDescriptions))};
    out.push_back(run);
    if (rng.chance(4)) out.push_back(run);
    chunks.insert(chunks.end(), rng.between(1, 3), spc);
  }
  return out;
}

// `runs` runs of at least one sample covering `samples` in all, with
// zero-count runs (3%) between them; `value` gives each run's delta/offset.
template <typename Run, typename F>
std::vector<Run> random_runs(std::uint64_t samples, std::uint32_t runs, Rng& rng, F&& value) {
  runs = static_cast<std::uint32_t>(std::min<std::uint64_t>(runs, samples));
  std::vector<std::uint64_t> weights(runs);
  std::uint64_t total = 0;
  for (auto& w : weights) total += w = rng.between(1, 100);
  std::vector<Run> out;
  std::uint64_t left = samples - runs;  // one sample per run, the rest by weight
  for (std::uint32_t i = 0; i < runs; ++i) {
    const std::uint64_t extra = i + 1 == runs ? left : std::min(left, (samples - runs) * weights[i] / total);
    left -= extra;
    if (rng.chance(3)) out.push_back({0, value()});
    out.push_back({static_cast<std::uint32_t>(1 + extra), value()});
  }
  return out;
}

TrackSpec random_track(const TableCase& c) {
  Rng rng(c.seed);
  TrackSpec t = aac_track({});
  t.sample_entries.resize(kDescriptions, t.sample_entries.front());
  t.stsc = random_stsc(c.stsc_runs, rng, t.chunks);
  std::uint64_t samples = 0;
  for (std::uint32_t n : t.chunks) samples += n;

  t.size_table = c.sizes;
  const std::uint32_t constant = static_cast<std::uint32_t>(rng.between(1, 400));
  for (std::uint64_t s = 0; s < samples; ++s)
    t.sample_sizes.push_back(c.sizes == SizeTable::stsz_constant ? constant : random_size(c.sizes, rng));

  t.stts = random_runs<SttsRun>(samples, c.stts_runs, rng, [&rng] {
    if (rng.chance(2)) return std::uint32_t{0};  // samples of no duration
    return static_cast<std::uint32_t>(rng.chance(10) ? rng.between(10000, 100000) : rng.between(1, 2048));
  });
  if (c.ctts) {
    t.ctts_version = 1;
    t.ctts = random_runs<CttsRun>(samples, std::max<std::uint32_t>(1, c.stts_runs / 2), rng,
                                  [&rng] { return static_cast<std::int32_t>(rng.between(0, 6000)) - 3000; });
  }
  if (c.stss != Stss::none) {
    std::vector<std::uint32_t> sync;
    const std::uint64_t first = c.stss == Stss::sparse_late ? 50 : 1;
    if (c.stss != Stss::sparse_late) sync.push_back(1);
    for (std::uint64_t s = first; s < samples; ++s)
      if (rng.chance(c.stss == Stss::dense ? 30 : 3)) sync.push_back(static_cast<std::uint32_t>(s + 1));
    t.stss = sync;
  }
  t.co64 = c.co64_beyond_4gib;
  t.chunk_offset_bias = c.co64_beyond_4gib ? kBias : 0;
  return t;
}

// ---- the brute-force reference ----------------------------------------------------------------

struct Reference {
  std::vector<ExpectedPacket> samples;
  std::vector<std::uint64_t> chunk;       // 1-based chunk of each sample
  std::vector<std::uint64_t> run_starts;  // first sample of each stts run, and its decode time
  std::vector<std::uint64_t> run_start_ticks;
  std::uint64_t total_ticks = 0;

  std::uint64_t count() const { return samples.size(); }

  // The sample whose [dts, dts + duration) holds `ticks`: the first whose end
  // passes it (ends never decrease); the last sample past the end.
  std::uint64_t sample_at_time(std::uint64_t ticks) const {
    const auto it = std::partition_point(samples.begin(), samples.end(), [ticks](const ExpectedPacket& p) {
      return static_cast<std::uint64_t>(p.dts) + p.duration <= ticks;
    });
    return it == samples.end() ? count() - 1 : static_cast<std::uint64_t>(it - samples.begin());
  }
  // The last sync sample at or before `sample`; the track's start when none.
  std::uint64_t sync_at_or_before(std::uint64_t sample) const {
    for (std::uint64_t s = sample + 1; s-- > 0;)
      if (samples[s].sync) return s;
    return 0;
  }
};

Reference reference_of(const TrackSpec& t, const MovieLayout& layout) {
  Reference ref;
  const std::uint64_t n = t.sample_sizes.size();
  ref.samples.resize(n);
  for (std::uint64_t s = 0; s < n; ++s) {
    ref.samples[s].pos = layout.sample_offsets[0][s] + t.chunk_offset_bias;
    ref.samples[s].size = t.sample_sizes[s];
    ref.samples[s].sync = !t.stss || t.stss->empty();
  }
  if (t.stss)
    for (std::uint32_t number : *t.stss) ref.samples[number - 1].sync = true;

  std::uint64_t s = 0;
  for (const SttsRun& run : t.stts) {
    ref.run_starts.push_back(s);
    ref.run_start_ticks.push_back(ref.total_ticks);
    for (std::uint32_t i = 0; i < run.count; ++i, ++s) {
      ref.samples[s].dts = static_cast<std::int64_t>(ref.total_ticks);
      ref.samples[s].duration = run.delta;
      ref.total_ticks += run.delta;
    }
  }
  s = 0;
  for (const CttsRun& run : t.ctts)
    for (std::uint32_t i = 0; i < run.count; ++i, ++s) ref.samples[s].pts = run.offset;
  for (ExpectedPacket& p : ref.samples) p.pts += p.dts;

  // stsc: chunk c uses the last entry whose first_chunk <= c.
  const std::vector<StscRun>& stsc = *t.stsc;
  std::size_t entry = 0;
  s = 0;
  for (std::uint64_t c = 1; c <= t.chunks.size(); ++c) {
    while (entry + 1 < stsc.size() && stsc[entry + 1].first_chunk <= c) ++entry;
    for (std::uint32_t i = 0; i < t.chunks[c - 1]; ++i, ++s) {
      ref.samples[s].sample_description_index = stsc[entry].description_index;
      ref.chunk.push_back(c);
    }
  }
  return ref;
}

// ---- checks --------------------------------------------------------------------------------------

// Compares a demuxer's answers for track 1 with a reference.
class LookupChecker {
 public:
  LookupChecker(mp4::Demuxer& demuxer, const Reference& ref) : demuxer_(demuxer), ref_(ref) {}

  // (a) next_packet from the start, and (e) packet_count.
  void sequential() {
    ASSERT_TRUE(demuxer_.seek_to_sample(kTrack, 0));
    Packet p;
    for (std::uint64_t s = 0; s < ref_.count(); ++s) {
      auto r = demuxer_.next_packet(p);
      ASSERT_TRUE(r) << "sample " << s << ": " << r.error().message;
      ASSERT_TRUE(packet_is(p, s, ref_.samples[s]));
    }
    auto end = demuxer_.next_packet(p);
    ASSERT_FALSE(end);
    EXPECT_EQ(end.error().code, Errc::end_of_stream);
    auto count = demuxer_.packet_count(kTrack);
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, ref_.count());
  }

  // (b) seek_to_sample then next_packet: the sample's packet and the two after it.
  void seeks(const std::vector<std::uint64_t>& targets) {
    for (std::uint64_t target : targets) {
      auto first = packet_after_seek(demuxer_, kTrack, target);
      ASSERT_TRUE(first) << "seek to " << target << ": " << first.error().message;
      ASSERT_TRUE(packet_is(*first, target, ref_.samples[target]));
      Packet p;
      for (std::uint64_t s = target + 1; s < std::min(target + 3, ref_.count()); ++s) {
        ASSERT_TRUE(demuxer_.next_packet(p));
        ASSERT_TRUE(packet_is(p, s, ref_.samples[s])) << "reading on after a seek to " << target;
      }
    }
    for (std::uint64_t past : {ref_.count(), ref_.count() + 100}) {  // at or past the end: no packet
      ASSERT_TRUE(demuxer_.seek_to_sample(kTrack, past));
      Packet p;
      auto r = demuxer_.next_packet(p);
      ASSERT_FALSE(r) << "a packet after seeking to " << past;
      EXPECT_EQ(r.error().code, Errc::end_of_stream);
    }
  }

  // (c) sample_at_time.
  void times(const std::vector<std::uint64_t>& ticks) {
    for (std::uint64_t t : ticks) {
      auto sample = demuxer_.sample_at_time(kTrack, t);
      ASSERT_TRUE(sample) << "at " << t << ": " << sample.error().message;
      ASSERT_EQ(*sample, ref_.sample_at_time(t)) << "at " << t << " ticks";
    }
  }

  // (d) seek by time: the last sync sample at or before the one holding the time.
  void seeks_by_time(const std::vector<std::uint64_t>& ticks) {
    for (std::uint64_t t : ticks) {
      const std::uint64_t expected = ref_.sync_at_or_before(ref_.sample_at_time(t));
      auto at = demuxer_.seek(kTrack, t);
      ASSERT_TRUE(at) << "at " << t << ": " << at.error().message;
      ASSERT_EQ(at->sample, expected) << "seek to " << t << " ticks";
      EXPECT_EQ(at->dts, ref_.samples[expected].dts) << "seek to " << t << " ticks";
      Packet p;
      ASSERT_TRUE(demuxer_.next_packet(p));
      ASSERT_TRUE(packet_is(p, expected, ref_.samples[expected])) << "seek to " << t << " ticks";
    }
  }

  static constexpr std::uint32_t kTrack = 1;

 private:
  mp4::Demuxer& demuxer_;
  const Reference& ref_;
};

// Every sample when there are few; else `dense` random ones plus the first
// and last samples of random chunks and the first samples of random stts runs.
std::vector<std::uint64_t> seek_targets(const Reference& ref, std::uint64_t dense, Rng& rng) {
  std::vector<std::uint64_t> out;
  if (ref.count() <= 3000) {
    for (std::uint64_t s = 0; s < ref.count(); ++s) out.push_back(s);
    return out;
  }
  for (std::uint64_t i = 0; i < dense; ++i) out.push_back(rng.below(ref.count()));
  for (std::uint64_t i = 0; i < dense / 4; ++i) {
    const std::uint64_t s = rng.below(ref.count());
    const auto [first, last] = std::equal_range(ref.chunk.begin(), ref.chunk.end(), ref.chunk[s]);
    out.push_back(static_cast<std::uint64_t>(first - ref.chunk.begin()));
    out.push_back(static_cast<std::uint64_t>(last - ref.chunk.begin()) - 1);
    const std::uint64_t run_start = ref.run_starts[rng.below(ref.run_starts.size())];
    if (run_start < ref.count()) out.push_back(run_start);
  }
  out.push_back(0);
  out.push_back(ref.count() - 1);
  return out;
}

// 0, random times, stts run boundaries (and a tick either side), the end and past it.
std::vector<std::uint64_t> time_targets(const Reference& ref, std::uint64_t n, Rng& rng) {
  std::vector<std::uint64_t> out = {0, ref.total_ticks - 1, ref.total_ticks, ref.total_ticks + 12345,
                                    std::uint64_t{1} << 40};
  for (std::uint64_t i = 0; i < n; ++i) {
    out.push_back(rng.below(ref.total_ticks));
    const std::uint64_t boundary = ref.run_start_ticks[rng.below(ref.run_start_ticks.size())];
    out.push_back(boundary);
    out.push_back(boundary + 1);
    if (boundary > 0) out.push_back(boundary - 1);
  }
  return out;
}

MovieSpec movie_of(TrackSpec track) {
  MovieSpec m;
  m.tracks.push_back(std::move(track));
  return m;
}

std::string case_name(const testing::TestParamInfo<TableCase>& info) {
  return std::string(info.param.name) + "_seed" + std::to_string(info.param.seed);
}


}  // namespace

// ---- the properties -------------------------------------------------------------------------------

class RandomTables : public testing::TestWithParam<TableCase> {
 protected:
  RandomTables() : spec_(movie_of(random_track(GetParam()))) {}
  MovieSpec spec_;
};

TEST_P(RandomTables, EveryLookupMatchesTheReference) {
  OpenedMovie m(spec_);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  const Reference ref = reference_of(spec_.tracks[0], m.layout);
  Rng rng(GetParam().seed * 7919);
  LookupChecker check(m.demux(), ref);
  // Sequential iteration first: it must not need the indexes the seeks build.
  check.sequential();
  check.seeks(seek_targets(ref, 2000, rng));
  check.times(time_targets(ref, 500, rng));
  check.seeks_by_time(time_targets(ref, 200, rng));
  check.sequential();  // and again once the indexes exist
}

// (f) Pressure shrinks the page cache (high: half, critical: its minimum)
// and critical pressure coarsens the indexes, each time it is delivered
// (before the indexes exist, then three times over); answers stay the same.
TEST_P(RandomTables, LookupsAreUnchangedUnderPressure) {
  PressedTracker pressure;
  core::DemuxerOptions options;
  options.tracker = &pressure.tracker();
  OpenedMovie m(spec_, options);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  const Reference ref = reference_of(spec_.tracks[0], m.layout);
  Rng rng(GetParam().seed * 104729);
  LookupChecker check(m.demux(), ref);
  // Delivers `level`, lets the demuxer act on it, and returns its cache's size.
  const auto press = [&](mem::PressureLevel level) {
    pressure.deliver(level);
    EXPECT_TRUE(m.demux().seek_to_sample(LookupChecker::kTrack, 0));
    return pressure.current("mp4/table_cache");
  };
  const auto all_lookups = [&] {
    check.seeks(seek_targets(ref, 500, rng));
    check.times(time_targets(ref, 100, rng));
    check.seeks_by_time(time_targets(ref, 50, rng));
  };

  press(mem::PressureLevel::critical);  // before any index exists
  ASSERT_NO_FATAL_FAILURE(all_lookups());
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(testing::Message() << "round " << round);
    const std::size_t normal = press(mem::PressureLevel::normal);
    const std::size_t high = press(mem::PressureLevel::high);
    ASSERT_NO_FATAL_FAILURE(all_lookups());
    const std::size_t critical = press(mem::PressureLevel::critical);
    EXPECT_LT(high, normal);
    EXPECT_LT(critical, high);
    EXPECT_EQ(critical, 2 * 1024u) << "critical: two 1 KiB pages, no bulk or read-ahead window";
    ASSERT_NO_FATAL_FAILURE(check.sequential());
    ASSERT_NO_FATAL_FAILURE(all_lookups());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, RandomTables,
    testing::Values(TableCase{"stsz", 1, SizeTable::stsz, false, true, Stss::sparse, 2000, 1500},
                    TableCase{"stsz", 2, SizeTable::stsz, true, true, Stss::sparse_late, 2000, 1500},
                    TableCase{"stsz_constant", 3, SizeTable::stsz_constant, true, true, Stss::sparse, 2000, 1500},
                    TableCase{"stz2_4", 4, SizeTable::stz2_4, false, true, Stss::sparse_late, 2000, 1500},
                    TableCase{"stz2_8", 5, SizeTable::stz2_8, true, false, Stss::none, 2000, 1500},
                    TableCase{"stz2_16", 6, SizeTable::stz2_16, false, true, Stss::sparse, 2000, 1500},
                    TableCase{"stz2_16", 7, SizeTable::stz2_16, true, false, Stss::sparse_late, 3000, 2500},
                    // Strides whose runs span more than a page (bulk reads of index strides).
                    TableCase{"large", 11, SizeTable::stz2_4, true, true, Stss::dense, 20000, 9000},
                    TableCase{"large", 12, SizeTable::stz2_8, false, true, Stss::dense, 20000, 7000},
                    TableCase{"small", 8, SizeTable::stsz, false, true, Stss::sparse, 40, 30},
                    TableCase{"small", 9, SizeTable::stz2_4, true, true, Stss::sparse_late, 60, 20},
                    TableCase{"small", 10, SizeTable::stsz_constant, false, false, Stss::none, 10, 5}),
    case_name);

// Critical pressure makes the indexes sparser and releases what that frees.
// (Regression: libstdc++'s shrink_to_fit does nothing without exceptions,
// so coarsening used to keep, and recharge, the same capacity.)
TEST(TablePressure, CriticalPressureReleasesIndexMemory) {
  const MovieSpec spec = movie_of(random_track({"stsz", 1, SizeTable::stsz, false, true, Stss::sparse, 2000, 1500}));
  PressedTracker pressure;
  core::DemuxerOptions options;
  options.tracker = &pressure.tracker();
  OpenedMovie m(spec, options);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  ASSERT_TRUE(m.demux().seek_to_sample(LookupChecker::kTrack, 1000));  // builds the indexes
  const std::size_t built = pressure.current("mp4/table_index");
  ASSERT_GT(built, 0u);
  for (int round = 0; round < 2; ++round) {
    const std::size_t before = pressure.current("mp4/table_index");
    pressure.deliver(mem::PressureLevel::critical);
    ASSERT_TRUE(m.demux().seek_to_sample(LookupChecker::kTrack, 1000));
    EXPECT_LE(pressure.current("mp4/table_index"), before / 2 + 256) << "round " << round;
    pressure.deliver(mem::PressureLevel::normal);
  }
}

// ---- (g) big chunks ---------------------------------------------------------------------------------

// A chunk of 30,000 samples between two small ones: seeks into its middle
// land on the right offsets, and once its chunk size index exists a seek
// into it reads a few pages, not the sizes of the samples before it.
class BigChunk : public testing::TestWithParam<SizeTable> {};

TEST_P(BigChunk, SeeksIntoItsMiddleAreExactAndCheap) {
  constexpr std::uint32_t kBefore = 100, kBig = 30000, kAfter = 70;
  Rng rng(static_cast<std::uint64_t>(GetParam()) + 31);
  TrackSpec t = aac_track({});
  for (std::uint32_t s = 0; s < kBefore + kBig + kAfter; ++s) t.sample_sizes.push_back(random_size(GetParam(), rng));
  t.size_table = GetParam();
  t.chunks = {kBefore, kBig, kAfter};
  t.stts = {{kBefore + kBig + kAfter, 1024}};
  t.stsc = std::vector<StscRun>{{1, kBefore}, {2, kBig}, {3, kAfter}};
  const MovieSpec spec = movie_of(t);
  MovieLayout layout;
  const Bytes file = build_mp4(spec, &layout);
  core::MemorySource memory(file);
  CountedDemuxer m(memory);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  const Reference ref = reference_of(spec.tracks[0], layout);

  const auto seek_and_check = [&](std::uint64_t sample) {
    core::Result<Packet> p = core::make_error(Errc::io, "not run");
    const auto reads = m.reads_during([&] { p = packet_after_seek(m.demux(), LookupChecker::kTrack, sample); });
    EXPECT_TRUE(p) << "seek to " << sample;
    if (p) {
      EXPECT_TRUE(packet_is(*p, sample, ref.samples[sample]));
    }
    return reads;
  };
  const auto cold = seek_and_check(kBefore + kBig / 2);
  RecordProperty("cold_seek_read_calls", std::to_string(cold.calls));
  RecordProperty("cold_seek_bytes", std::to_string(cold.bytes));
  std::uint64_t worst = 0;
  for (int i = 0; i < 50; ++i) {
    const std::uint64_t sample = kBefore + rng.between(kBig / 20, kBig - 1);  // past the chunk's first pages
    const auto warm = seek_and_check(sample);
    worst = std::max(worst, warm.calls);
    EXPECT_LE(warm.calls, 4u) << "seek to sample " << sample << " (" << sample - kBefore << " into the chunk)";
  }
  RecordProperty("warm_seek_read_calls_max", std::to_string(worst));
  // Its first samples and the chunks on either side are exact too.
  for (std::uint64_t s : {0u, kBefore - 1, kBefore, kBefore + 1, kBefore + 511, kBefore + 512, kBefore + 513,
                          kBefore + kBig - 1, kBefore + kBig, kBefore + kBig + kAfter - 1})
    seek_and_check(s);
}

std::string size_table_name(const testing::TestParamInfo<SizeTable>& info) {
  constexpr const char* kNames[] = {"stsz", "stsz_constant", "stz2_4", "stz2_8", "stz2_16"};
  return kNames[static_cast<int>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(SizeTables, BigChunk,
                         testing::Values(SizeTable::stsz, SizeTable::stz2_16, SizeTable::stz2_8, SizeTable::stz2_4),
                         size_table_name);
