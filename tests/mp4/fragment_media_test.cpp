// Seeking in the real fragmented files of the media folder: for each audio
// track, seeks by time and by sample number land on the packets a plain read
// from the start delivers, and the demuxer gives back every byte it charged.
#include "support/demux_fixture.hpp"
#include "support/media.hpp"

#include <frugal/core/file_source.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/demuxer.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace frugal;
using frugal::test::media_files;
using frugal::test::read_all_packets;
using core::Packet;

namespace {

constexpr std::size_t kBudget = std::size_t{1} << 20;

// The next packet equals reference[at] (and the one after it, reference[at + 1]).
void expect_next_is(mp4::Demuxer& d, const std::vector<Packet>& reference, std::size_t at, const std::string& what) {
  SCOPED_TRACE(what + ": expected packet " + std::to_string(at));
  for (std::size_t i = at; i < reference.size() && i <= at + 1; ++i) {
    Packet p;
    auto r = d.next_packet(p);
    ASSERT_TRUE(r) << r.error().message;
    const Packet& want = reference[i];
    EXPECT_EQ(p.track, want.track);
    EXPECT_EQ(p.pos, want.pos);
    EXPECT_EQ(p.size, want.size);
    EXPECT_EQ(p.dts, want.dts);
    EXPECT_EQ(p.sync, want.sync);
  }
}

// Seeks in track `id` (the only one enabled, still at its start) against a
// read of all its packets.
void check_track(mp4::Demuxer& d, std::uint32_t id) {
  for (const core::Track& t : d.tracks()) ASSERT_TRUE(d.set_track_enabled(t.id, t.id == id));
  auto all = read_all_packets(d);
  ASSERT_TRUE(all) << all.error().message;
  const std::vector<Packet>& reference = *all;
  auto count = d.packet_count(id);
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, reference.size());
  if (reference.empty()) {  // an init segment: seeks succeed and deliver nothing
    ASSERT_TRUE(d.seek(id, 0));
    Packet p;
    auto r = d.next_packet(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::end_of_stream);
    return;
  }
  const std::size_t n = reference.size();

  // Where a seek into packet i lands: the last sync packet at or before it.
  std::vector<std::size_t> landing(n, 0);
  for (std::size_t i = 0, last_sync = 0; i < n; ++i) {
    EXPECT_EQ(reference[i].track, id);
    EXPECT_EQ(reference[i].index, i);
    if (reference[i].sync) last_sync = i;
    landing[i] = last_sync;
  }

  std::vector<std::size_t> spread;
  const std::size_t step = (n + 39) / 40;
  for (std::size_t i = 0; i < n; i += step) spread.push_back(i);
  if (spread.back() != n - 1) spread.push_back(n - 1);

  for (std::size_t i : spread) {
    const Packet& want = reference[i];
    const std::size_t land = landing[i];
    const auto dts = static_cast<std::uint64_t>(want.dts);
    for (std::uint64_t ticks : {dts, dts + want.duration / 2}) {
      const std::string what = "seek(" + std::to_string(ticks) + ") into packet " + std::to_string(i);
      auto point = d.seek(id, ticks);
      ASSERT_TRUE(point) << what << ": " << point.error().message;
      EXPECT_EQ(point->dts, reference[land].dts) << what;
      EXPECT_TRUE(point->sample == land || point->sample == core::kUnknownIndex) << what << ": sample " << point->sample;
      expect_next_is(d, reference, land, what);
    }

    const std::string what = "seek_to_sample(" + std::to_string(i) + ")";
    auto point = d.seek_to_sample(id, i);
    ASSERT_TRUE(point) << what << ": " << point.error().message;
    EXPECT_EQ(point->sample, i) << what;
    EXPECT_EQ(point->dts, want.dts) << what;
    Packet p;
    auto r = d.next_packet(p);
    ASSERT_TRUE(r) << what << ": " << r.error().message;
    EXPECT_EQ(p.index, i) << what;
    EXPECT_EQ(p.pos, want.pos) << what;
    EXPECT_EQ(p.size, want.size) << what;
    EXPECT_EQ(p.dts, want.dts) << what;
    EXPECT_EQ(p.sync, want.sync) << what;
  }

  // Past the end: the last sync packet.
  const std::uint64_t end = static_cast<std::uint64_t>(reference.back().dts) + reference.back().duration;
  for (std::uint64_t ticks : {end, end + 1'000'000, std::uint64_t{std::numeric_limits<std::int64_t>::max()}}) {
    const std::string what = "seek(" + std::to_string(ticks) + ") past the end";
    auto point = d.seek(id, ticks);
    ASSERT_TRUE(point) << what << ": " << point.error().message;
    expect_next_is(d, reference, landing[n - 1], what);
  }

  // Back to the start.
  auto point = d.seek(id, 0);
  ASSERT_TRUE(point) << "seek(0): " << point.error().message;
  EXPECT_EQ(point->dts, reference[0].dts);
  expect_next_is(d, reference, 0, "seek(0)");
}

}  // namespace

class FragmentedMediaFile : public ::testing::TestWithParam<fs::path> {};

// Every audio track without an error of every fragmented file that opens.
TEST_P(FragmentedMediaFile, SeeksLandOnTheReferencePackets) {
  auto source = core::FileSource::open(GetParam().c_str());
  ASSERT_TRUE(source) << source.error().message;
  mem::TrackerOptions tracker_options;
  tracker_options.budget = kBudget;
  mem::MemoryTracker tracker(tracker_options);
  std::size_t checked = 0;
  {
    core::DemuxerOptions options;
    options.tracker = &tracker;
    auto demuxer = mp4::Demuxer::open(*source, options);
    if (!demuxer) GTEST_SKIP() << "does not open: " << demuxer.error().message;
    if (!demuxer->fragmented()) GTEST_SKIP() << "not fragmented";
    std::vector<std::uint32_t> ids;
    for (const core::Track& t : demuxer->tracks())
      if (t.type == core::TrackType::audio && !t.error) ids.push_back(t.id);
    for (std::uint32_t id : ids) {
      SCOPED_TRACE("track " + std::to_string(id));
      check_track(*demuxer, id);
      ++checked;
    }
  }
  // The demuxer is gone: every account is back to 0, and it kept within the budget.
  for (std::size_t i = 0; i < tracker.account_count(); ++i) {
    const mem::AccountStats s = tracker.account_stats(i);
    EXPECT_EQ(s.current, 0u) << s.name;
  }
  EXPECT_EQ(tracker.total(), 0u);
  EXPECT_LE(tracker.peak_total(), kBudget);
  if (checked == 0) GTEST_SKIP() << "no audio track without an error";
}

namespace {

// A test name from a file name: its characters other than letters and digits as '_'.
std::string test_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FragmentedMediaFile);
INSTANTIATE_TEST_SUITE_P(Media, FragmentedMediaFile, ::testing::ValuesIn(media_files("mp4")), test_name);
