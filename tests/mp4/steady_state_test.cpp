// "No allocation in steady state" (issue 4): once warm — opened, some
// packets read, a seek made (the indexes built) — next_packet, seeks and
// sample lookups allocate nothing. Counted with the malloc interposer
// (platform/heap_counter.hpp), which sees every heap allocation of the
// process; it is unavailable under sanitizers (they own malloc): skipped.
#include "mp4/lookup_checks.hpp"
#include "support/demux_fixture.hpp"
#include "support/mp4_writer.hpp"
#include "support/rng.hpp"
#include "support/virtual_mp4.hpp"

#include <heap_counter.hpp>

#include <gtest/gtest.h>

#include <vector>

using namespace frugal;
using namespace frugal::test;
using core::Packet;

/// Skips the test when heap allocations cannot be counted.
#define REQUIRE_HEAP_COUNTER()            \
  if (!platform::heap_counts().available) \
  GTEST_SKIP() << "heap counter unavailable (a sanitizer build, or not glibc): allocations cannot be counted"

namespace {

constexpr std::uint32_t kTrack = 1;

// Steady-state work on one track, its targets drawn up front; failures are
// counted, not asserted, so that nothing inside allocates but the demuxer.
class SteadyState {
 public:
  // `calls` of each kind; targets among `samples` samples and `duration` ticks.
  SteadyState(mp4::Demuxer& demuxer, std::uint64_t samples, std::uint64_t duration, int calls, std::uint64_t seed)
      : demuxer_(demuxer), calls_(calls) {
    Rng rng(seed);
    for (int i = 0; i < calls; ++i) {
      samples_.push_back(rng.below(samples));
      times_.push_back(rng.below(duration));
    }
  }

  // Reads some packets from the start and seeks once (indexes built, buffers allocated).
  void warm_up() {
    count(demuxer_.seek_to_sample(kTrack, 0));
    Packet p;
    for (int i = 0; i < 100; ++i) count(demuxer_.next_packet(p));
    count(packet_after_seek(demuxer_, kTrack, samples_.back()));
    count(demuxer_.seek(kTrack, times_.back()));
  }
  // Extra warm-up: a seek to each of these samples (say, one per big chunk).
  void visit(const std::vector<std::uint64_t>& samples) {
    for (std::uint64_t s : samples) count(packet_after_seek(demuxer_, kTrack, s));
  }

  // next_packet calls (back to the start at the end).
  void packets() {
    Packet p;
    for (int i = 0; i < calls_; ++i)
      if (!demuxer_.next_packet(p)) count(demuxer_.seek_to_sample(kTrack, 0));
  }
  // seek_to_sample (each with its packet), seeks by time and sample_at_time.
  void seeks() {
    for (int i = 0; i < calls_; ++i) {
      count(packet_after_seek(demuxer_, kTrack, samples_[static_cast<std::size_t>(i)]));
      count(demuxer_.seek(kTrack, times_[static_cast<std::size_t>(i)]));
      count(demuxer_.sample_at_time(kTrack, times_[static_cast<std::size_t>(i)]));
    }
  }

  int calls() const { return calls_; }
  int failures() const { return failures_; }

 private:
  template <typename R>
  void count(const R& result) {
    if (!result) ++failures_;
  }

  mp4::Demuxer& demuxer_;
  int calls_;
  std::vector<std::uint64_t> samples_, times_;
  int failures_ = 0;
};

// Heap allocations made by `work`.
template <typename F>
std::uint64_t allocations_during(F&& work) {
  const std::uint64_t before = platform::heap_counts().allocations;
  work();
  return platform::heap_counts().allocations - before;
}

// Runs the steady-state checks on `demuxer`, warmed up first.
void expect_no_allocation(SteadyState& s) {
  s.warm_up();
  ASSERT_EQ(s.failures(), 0) << "warm-up failed";
  EXPECT_EQ(allocations_during([&] { s.packets(); }), 0u) << s.calls() << " next_packet calls";
  EXPECT_EQ(allocations_during([&] { s.seeks(); }), 0u) << s.calls() << " seeks of each kind";
  EXPECT_EQ(s.failures(), 0) << "demuxer calls failed";
}

// The last sample of every chunk of a concatenated virtual movie (equal chunks).
std::vector<std::uint64_t> last_sample_of_each_chunk(const VirtualTrack& t) {
  std::vector<std::uint64_t> out;
  const std::uint64_t per_chunk = t.sample_count() / t.chunk_count();
  for (std::uint64_t c = 1; c <= t.chunk_count(); ++c) out.push_back(c * per_chunk - 1);
  return out;
}

}  // namespace

// A writer-built track with every table: stts runs, ctts, stss, stsc runs,
// stz2 sizes, co64.
TEST(SteadyState, WriterBuiltTablesAllocateNothing) {
  REQUIRE_HEAP_COUNTER();
  TrackSpec t = aac_track({});
  for (std::uint32_t c = 0; c < 600; ++c) t.chunks.push_back(5 + c % 11);
  std::uint32_t samples = 0;
  for (std::uint32_t n : t.chunks) samples += n;
  Rng rng(3);
  for (std::uint32_t i = 0; i < samples; ++i) t.sample_sizes.push_back(static_cast<std::uint32_t>(rng.below(300)));
  t.size_table = SizeTable::stz2_16;
  for (std::uint32_t done = 0; done < samples;) {
    const std::uint32_t n = std::min<std::uint32_t>(samples - done, 3 + done % 17);
    t.stts.push_back({n, 1000 + done % 29});
    t.ctts.push_back({n, static_cast<std::int32_t>(done % 13) - 6});
    done += n;
  }
  t.stss = std::vector<std::uint32_t>{};
  for (std::uint32_t n = 1; n <= samples; n += 1 + n % 37) t.stss->push_back(n);
  t.co64 = true;
  MovieSpec spec;
  spec.tracks.push_back(t);
  OpenedMovie m(spec);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  std::uint64_t duration = 0;
  for (const SttsRun& r : t.stts) duration += std::uint64_t{r.count} * r.delta;
  SteadyState s(m.demux(), samples, duration, 2000, 11);
  expect_no_allocation(s);
}

// The virtual 100-hour movie: 128k stts and stsc runs, sparse stss.
TEST(SteadyState, HundredHourMovieAllocatesNothing) {
  REQUIRE_HEAP_COUNTER();
  VirtualMp4Source source({100, VirtualCodec::opus, VirtualTables::many_runs});
  auto demuxer = mp4::Demuxer::open(source);
  ASSERT_TRUE(demuxer) << demuxer.error().message;
  SteadyState s(*demuxer, source.track().sample_count(), source.track().duration(), 200, 12);
  expect_no_allocation(s);
}

// Big chunks (a 1 h concatenated movie: six chunks of 30,000 samples) once
// each has its chunk size index.
TEST(SteadyState, BigChunksAllocateNothingOnceIndexed) {
  REQUIRE_HEAP_COUNTER();
  VirtualMp4Source source({1, VirtualCodec::opus, VirtualTables::concatenated});
  auto demuxer = mp4::Demuxer::open(source);
  ASSERT_TRUE(demuxer) << demuxer.error().message;
  const VirtualTrack& t = source.track();
  SteadyState s(*demuxer, t.sample_count(), t.duration(), 500, 13);
  s.visit(last_sample_of_each_chunk(t));
  expect_no_allocation(s);
}

// Seeking among more big chunks than the demuxer keeps chunk size indexes
// for reuses their slots without allocating. (Regression: each reuse used to
// allocate a fresh vector.) A 10 h concatenated movie (60 chunks of 30,000
// samples), warmed up by a seek into every chunk.
TEST(SteadyState, SeeksAmongManyBigChunksAllocateNothing) {
  REQUIRE_HEAP_COUNTER();
  VirtualMp4Source source({10, VirtualCodec::opus, VirtualTables::concatenated});
  auto demuxer = mp4::Demuxer::open(source);
  ASSERT_TRUE(demuxer) << demuxer.error().message;
  const VirtualTrack& t = source.track();
  SteadyState s(*demuxer, t.sample_count(), t.duration(), 200, 14);
  s.visit(last_sample_of_each_chunk(t));
  expect_no_allocation(s);
}
