// MP4 chapters: Nero 'chpl' (moov/udta) and QuickTime chapter tracks (a text
// track named by tref/'chap') read through Demuxer::open on writer-built
// files; detail::text_sample_title on its own; and the real files of the
// media folder against ffprobe -show_chapters. Chapters are optional: what
// is wrong with them leaves them empty (chapters_error says why) and never
// fails the open or disturbs the packets.
#include "mp4/chapters.hpp"
#include "support/demux_fixture.hpp"
#include "support/media.hpp"
#include "support/mp4_writer.hpp"

#include <frugal/core/file_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace frugal;
using namespace frugal::test;
using core::Errc;

namespace {

constexpr std::uint64_t k100ns = 10'000'000;  // chpl ticks per second

Bytes udta(Bytes child) { return BoxWriter().begin("udta").bytes(child).end().take(); }

// One AAC track (1000 ticks a second, 3 samples), the movie 5 s long, plus `moov_extra`.
MovieSpec movie_with(std::vector<Bytes> moov_extra) {
  MovieSpec m;
  m.duration = 5000;
  m.tracks = {aac_track(ramp(3))};
  m.moov_extra = std::move(moov_extra);
  return m;
}

// The AAC track naming track `chapter_id` as its chapter track, then a text
// track (ID 2) with `samples`, each lasting `delta` ticks at 1000 a second.
MovieSpec movie_with_chapter_track(std::vector<Bytes> samples, std::uint32_t delta, std::uint32_t chapter_id = 2) {
  MovieSpec m = movie_with({});
  m.tracks[0].trak_extra = {tref_box(FourCC("chap"), {chapter_id})};
  const auto n = static_cast<std::uint32_t>(samples.size());
  m.tracks.push_back(text_track(std::move(samples), {{n, delta}}));
  return m;
}

struct Expected {
  std::uint64_t start, end;
  std::string title;
};

void expect_chapters(const mp4::Demuxer& d, std::uint32_t timescale, const std::vector<Expected>& want) {
  EXPECT_FALSE(d.chapters_error()) << d.chapters_error()->message;
  const auto got = d.chapters();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("chapter " + std::to_string(i));
    EXPECT_EQ(got[i].start, want[i].start);
    EXPECT_EQ(got[i].end, want[i].end);
    EXPECT_EQ(got[i].timescale, timescale);
    EXPECT_EQ(got[i].title, want[i].title);
  }
}

// Opens `spec` (which must succeed, every track intact, packets unchanged
// by the chapters) and returns the movie for its chapters to be checked.
std::unique_ptr<OpenedMovie> open_ok(const MovieSpec& spec, const core::DemuxerOptions& options = {}) {
  auto m = std::make_unique<OpenedMovie>(spec, options);
  EXPECT_TRUE(m->demuxer) << m->demuxer.error().message;
  if (!m->demuxer) return m;
  EXPECT_EQ(m->demux().tracks().size(), spec.tracks.size());
  for (const core::Track& t : m->demux().tracks()) EXPECT_FALSE(t.error) << t.error->message;
  std::size_t samples = 0;
  for (const TrackSpec& t : spec.tracks) samples += t.sample_sizes.size();
  auto packets = read_all_packets(m->demux());
  EXPECT_TRUE(packets && packets->size() == samples) << "the chapters disturb the packets";
  return m;
}

// Opens `spec`: no chapters, and chapters_error() says `why`.
void expect_none_because(const MovieSpec& spec, Errc why, const core::DemuxerOptions& options = {}) {
  auto m = open_ok(spec, options);
  ASSERT_TRUE(m->demuxer);
  EXPECT_TRUE(m->demux().chapters().empty());
  ASSERT_TRUE(m->demux().chapters_error());
  EXPECT_EQ(m->demux().chapters_error()->code, why);
}

core::DemuxerOptions with_caps(std::uint32_t chapters, std::uint32_t title_bytes) {
  core::DemuxerOptions options;
  options.limits.max_chapters = chapters;
  options.limits.max_chapter_title_bytes = title_bytes;
  return options;
}

const std::vector<ChplEntry> kThree = {{0, "One"}, {2'010'000, "Two"}, {8'000'000, "Three"}};

// ---- Nero chpl ----------------------------------------------------------------------

TEST(Chpl, Version1EndsAtTheNextStartAndTheLastAtTheMovieEnd) {
  auto m = open_ok(movie_with({udta(chpl_box(1, kThree))}));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), k100ns,
                  {{0, 2'010'000, "One"}, {2'010'000, 8'000'000, "Two"}, {8'000'000, 50'000'000, "Three"}});
}

TEST(Chpl, Version0HasNoReservedWord) {
  auto m = open_ok(movie_with({udta(chpl_box(0, {{10'000'000, "A"}, {30'000'000, "B"}}))}));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), k100ns, {{10'000'000, 30'000'000, "A"}, {30'000'000, 50'000'000, "B"}});
}

TEST(Chpl, OutOfOrderEntriesEndAtTheNearestLaterStart) {
  auto m = open_ok(movie_with({udta(chpl_box(1, {{30'000'000, "B"}, {0, "A"}}))}));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), k100ns, {{30'000'000, 50'000'000, "B"}, {0, 30'000'000, "A"}});
}

TEST(Chpl, EmptyGivesNoChapters) {
  auto m = open_ok(movie_with({udta(chpl_box(1, {}))}));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), k100ns, {});
}

TEST(Chpl, Utf8TitlesKeptAndCutAtNul) {
  const std::string nul_inside("Side A\0junk", 11);
  auto m = open_ok(movie_with({udta(chpl_box(1, {{0, "Überblick — 第一章 🎧"}, {10'000'000, nul_inside}}))}));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), k100ns,
                  {{0, 10'000'000, "Überblick — 第一章 🎧"}, {10'000'000, 50'000'000, "Side A"}});
}

TEST(Chpl, EntriesCutOffByTheBoxAreDropped) {
  // The count says 4; the third entry's title runs past the box, the fourth is absent.
  Bytes box = chpl_box(1, {{0, "One"}, {10'000'000, "Two"}, {20'000'000, "Three"}}, 4);
  box.resize(box.size() - 2);
  box[3] = static_cast<std::byte>(box.size());  // the size field's low byte: the box is < 256 bytes
  auto m = open_ok(movie_with({udta(box)}));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), k100ns, {{0, 10'000'000, "One"}, {10'000'000, 50'000'000, "Two"}});
}

TEST(Chpl, WithoutACountGivesNoChaptersAndSaysWhy) {
  expect_none_because(movie_with({udta(BoxWriter().full_box("chpl", 1).end().take())}), Errc::malformed);
}

TEST(Chpl, MoreChaptersThanTheLimitGiveNone) {
  expect_none_because(movie_with({udta(chpl_box(1, kThree))}), Errc::limit_exceeded, with_caps(2, 1024));
}

TEST(Chpl, TitleLongerThanTheLimitGivesNone) {
  expect_none_because(movie_with({udta(chpl_box(1, kThree))}), Errc::limit_exceeded, with_caps(1024, 4));
}

TEST(Chpl, ChargedToItsAccountAndBoundedByItsHardLimit) {
  mem::MemoryTracker tracker;
  core::DemuxerOptions options;
  options.tracker = &tracker;
  const std::string long_title(100, 'x');
  {
    auto m = open_ok(movie_with({udta(chpl_box(1, {{0, long_title}, {1, "b"}}))}), options);
    ASSERT_TRUE(m->demuxer);
    ASSERT_EQ(m->demux().chapters().size(), 2u);
    std::size_t charged = 0;
    for (std::size_t i = 0; i < tracker.account_count(); ++i)
      if (std::string_view(tracker.account_stats(i).name) == "mp4/chapters") charged = tracker.account_stats(i).current;
    EXPECT_EQ(charged, 2 * sizeof(core::Chapter) + long_title.size() + 1);
  }
  ASSERT_TRUE(tracker.account("mp4/chapters", 2 * sizeof(core::Chapter) + 50));
  expect_none_because(movie_with({udta(chpl_box(1, {{0, long_title}, {1, "b"}}))}), Errc::out_of_memory, options);
}

// ---- QuickTime chapter tracks ------------------------------------------------------

Bytes utf16_sample(std::u16string_view text, bool big_endian) {
  BoxWriter w;
  w.u16(big_endian ? 0xFEFF : 0xFFFE);
  for (char16_t c : text) w.u16(big_endian ? c : static_cast<std::uint16_t>((c >> 8) | (c << 8)));
  return text_sample(w.data());
}

const Bytes kEncd = BoxWriter().begin("encd").u32(0x100).end().take();  // as FFmpeg writes it: UTF-8

TEST(ChapterTrack, EachSampleIsAChapterEndingAtTheNextAndTheLastAtTheTrackEnd) {
  const std::string title = "Café";
  auto m = open_ok(movie_with_chapter_track(
      {text_sample(std::as_bytes(std::span(title)), kEncd), text_sample("Two"), text_sample("")}, 400));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), 1000, {{0, 400, "Café"}, {400, 800, "Two"}, {800, 1200, ""}});
  EXPECT_EQ(m->track(1).type, core::TrackType::text) << "the chapter track stays a track";
}

TEST(ChapterTrack, Utf16WithByteOrderMarkBecomesUtf8) {
  auto m = open_ok(movie_with_chapter_track(
      {utf16_sample(u"Kapitel Ä", true), utf16_sample(u"第二 \U0001F3A7", false)}, 500));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), 1000, {{0, 500, "Kapitel Ä"}, {500, 1000, "第二 🎧"}});
}

TEST(ChapterTrack, SampleWhoseLengthRunsPastItIsNoChapter) {
  Bytes broken = text_sample("Broken");
  broken.resize(4);
  auto m = open_ok(movie_with_chapter_track({text_sample("One"), broken, text_sample("Three")}, 100));
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), 1000, {{0, 100, "One"}, {200, 300, "Three"}});
}

TEST(ChapterTrack, LastEndsAtTheMovieEndWhenTheTrackIsShorter) {
  MovieSpec spec = movie_with_chapter_track({text_sample("One"), text_sample("Two")}, 100);
  spec.tracks[1].duration = 50;
  auto m = open_ok(spec);
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), 1000, {{0, 100, "One"}, {100, 5000, "Two"}});
}

// Edit lists apply as FFmpeg applies them (ffprobe 5.1 shows these files so,
// but for the chapter starting before 0: ffprobe says -1000, frugal 0).
TEST(ChapterTrack, EditListDelaysPicksAndShiftsTheSamples) {
  struct Case {
    std::vector<EditSpec> edits;
    std::uint32_t movie_timescale;
    std::vector<Expected> want;
  };
  const std::vector<Case> cases = {
      {{{1000, -1}, {3000, 0}}, 1000, {{1000, 2000, "One"}, {2000, 3000, "Two"}, {3000, 3000, "Three"}}},
      {{{2000, 1000}}, 1000, {{0, 1000, "Two"}, {1000, 2000, "Three"}}},
      {{{2500, 500}}, 1000, {{0, 0, "One"}, {0, 1000, "Two"}, {1000, 2500, "Three"}}},
      {{{3000, 0}}, 600, {{0, 1000, "One"}, {1000, 2000, "Two"}, {2000, 3000, "Three"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("edit list of " + std::to_string(c.edits.size()) + ", movie timescale " +
                 std::to_string(c.movie_timescale));
    MovieSpec spec = movie_with_chapter_track({text_sample("One"), text_sample("Two"), text_sample("Three")}, 1000);
    spec.timescale = c.movie_timescale;
    spec.tracks[1].edits = c.edits;
    auto m = open_ok(spec);
    ASSERT_TRUE(m->demuxer);
    expect_chapters(m->demux(), 1000, c.want);
  }
}

TEST(ChapterTrack, WinsOverChpl) {
  MovieSpec spec = movie_with_chapter_track({text_sample("Track")}, 100);
  spec.moov_extra = {udta(chpl_box(1, {{0, "Nero"}}))};
  auto m = open_ok(spec);
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), 1000, {{0, 100, "Track"}});
}

// ffprobe 5.1 shows this file so: chpl's entries past the track's count stay.
TEST(ChapterTrack, ChplEntriesPastItsCountFollowAsFfmpegMergesThem) {
  MovieSpec spec = movie_with_chapter_track({text_sample("Track")}, 100);
  spec.moov_extra = {udta(chpl_box(1, {{0, "One"}, {20'000'000, "Two"}, {30'000'000, "Three"}}))};
  auto m = open_ok(spec);
  ASSERT_TRUE(m->demuxer);
  EXPECT_FALSE(m->demux().chapters_error());
  const auto got = m->demux().chapters();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].title, "Track");
  EXPECT_EQ(got[0].timescale, 1000u);
  EXPECT_EQ(got[0].end, 100u);
  EXPECT_EQ(got[1].title, "Two");
  EXPECT_EQ(got[1].timescale, k100ns);
  EXPECT_EQ(got[1].start, 20'000'000u);
  EXPECT_EQ(got[1].end, 30'000'000u);
  EXPECT_EQ(got[2].title, "Three");
  EXPECT_EQ(got[2].end, 50'000'000u);
}

TEST(ChapterTrack, ReferenceToAMissingTrackFallsBackToChpl) {
  MovieSpec spec = movie_with_chapter_track({text_sample("Track")}, 100, 7);
  auto m = open_ok(spec);
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), 1000, {});
  spec.moov_extra = {udta(chpl_box(0, {{0, "Nero"}}))};
  auto with_chpl = open_ok(spec);
  ASSERT_TRUE(with_chpl->demuxer);
  expect_chapters(with_chpl->demux(), k100ns, {{0, 50'000'000, "Nero"}});
}

TEST(ChapterTrack, ReferenceToANonTextTrackGivesNone) {
  MovieSpec spec = movie_with_chapter_track({text_sample("Track")}, 100, 1);  // the audio track itself
  auto m = open_ok(spec);
  ASSERT_TRUE(m->demuxer);
  expect_chapters(m->demux(), 1000, {});
}

TEST(ChapterTrack, MoreSamplesThanTheLimitGiveNone) {
  expect_none_because(movie_with_chapter_track({text_sample("1"), text_sample("2"), text_sample("3")}, 10),
                      Errc::limit_exceeded, with_caps(2, 1024));
}

TEST(ChapterTrack, TitleLongerThanTheLimitGivesNone) {
  expect_none_because(movie_with_chapter_track({text_sample("short"), text_sample("far too long")}, 10),
                      Errc::limit_exceeded, with_caps(1024, 8));
}

TEST(ChapterTrack, SampleCutOffByTheFileGivesNone) {
  MovieSpec spec = movie_with_chapter_track({text_sample("One"), text_sample("Two")}, 10);
  spec.layout = Layout::mdat_first;
  spec.tracks[1].chunk_offset_bias = 1u << 20;  // past the end of the file
  expect_none_because(spec, Errc::malformed);
}

TEST(TextSampleTitle, ReadsUtf8AndBothUtf16Orders) {
  const auto title = [](const Bytes& b) { return mp4::detail::text_sample_title(b); };
  EXPECT_EQ(title(text_sample("plain")), "plain");
  EXPECT_EQ(title(utf16_sample(u"be", true)), "be");
  EXPECT_EQ(title(utf16_sample(u"le", false)), "le");
  EXPECT_EQ(title(utf16_sample(u"\xD800x", true)), "\xEF\xBF\xBDx") << "an unpaired surrogate is U+FFFD";
  EXPECT_EQ(title(text_sample("")), "");
  EXPECT_EQ(title(Bytes{std::byte{0}, std::byte{3}, std::byte{'a'}}), std::nullopt);
  EXPECT_EQ(title(Bytes{std::byte{0}}), std::nullopt);
}

// ---- real files against ffprobe ----------------------------------------------------

struct FfChapter {
  double start, end;
  std::string title;
};

// ffprobe's chapters: "start_time,end_time,title" lines (titles without commas here).
std::optional<std::vector<FfChapter>> ffprobe_chapters(const std::filesystem::path& file) {
  auto out = run_capture("ffprobe -v error -show_entries chapter=start_time,end_time:chapter_tags=title -of csv=p=0 " +
                         shell_quote(file.string()));
  if (!out) return std::nullopt;
  std::vector<FfChapter> chapters;
  std::istringstream lines(*out);
  for (std::string line; std::getline(lines, line);) {
    const auto a = line.find(','), b = line.find(',', a + 1);
    if (a == std::string::npos) continue;
    chapters.push_back({std::strtod(line.c_str(), nullptr), std::strtod(line.c_str() + a + 1, nullptr),
                        b == std::string::npos ? "" : line.substr(b + 1)});
  }
  return chapters;
}

TEST(ChaptersMedia, MatchFfprobe) {
  FRUGAL_REQUIRE_MEDIA(dir);
  if (!find_program("ffprobe")) GTEST_SKIP() << "ffprobe not installed";
  std::size_t with_chapters = 0;
  for (const auto& path : media_files("mp4")) {
    SCOPED_TRACE(path.filename().string());
    auto source = core::FileSource::open(path.c_str());
    ASSERT_TRUE(source) << source.error().message;
    auto d = mp4::Demuxer::open(*source);
    auto want = ffprobe_chapters(path);
    if (!d || !want) continue;  // files neither reads are other tests' business
    const auto got = d->chapters();
    ASSERT_EQ(got.size(), want->size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(static_cast<double>(got[i].start) / got[i].timescale, (*want)[i].start, 0.001) << i;
      EXPECT_NEAR(static_cast<double>(got[i].end) / got[i].timescale, (*want)[i].end, 0.001) << i;
      EXPECT_EQ(got[i].title, (*want)[i].title) << i;
    }
    with_chapters += got.empty() ? 0 : 1;
  }
  if (with_chapters == 0) GTEST_SKIP() << "no media file with chapters";
  EXPECT_GE(with_chapters, 2u) << "androidx-media's two chapter samples";
}

}  // namespace
