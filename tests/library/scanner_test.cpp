// The scanner over folder trees of small real files written at test time
// (MP4 with an ilst, FLAC with Vorbis comments and a picture, Ogg Opus),
// hashes against xxhsum -H2, and the shared media folder against ffprobe.
#include <frugal/library/scanner.hpp>

#include "library/fixtures.hpp"
#include "library/scan_file.hpp"
#include "support/media.hpp"
#include "heap_counter.hpp"
#include "support/flac_writer.hpp"
#include "support/mp4_writer.hpp"
#include "support/temp_dir.hpp"
#include "tags/fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace frugal::library {
namespace {

namespace fs = std::filesystem;
using test::Bytes;
using test::tagged_flac;
using test::tagged_m4a;
using test::tagged_opus;
using test::write_file;

// Keeps everything it is handed; can stop the scan after `stop_after` tracks.
struct Collector : ScanSink {
  std::map<std::string, TrackRecord> tracks;
  std::vector<std::string> unchanged;
  std::vector<ScanError> errors;
  std::vector<ScanProgress> progress;
  std::size_t stop_after = SIZE_MAX;
  Scanner* cancel_on = nullptr;  // cancel() instead of returning false
  std::atomic<std::size_t> delivered{0};

  bool on_track(TrackRecord&& record) override {
    EXPECT_TRUE(tracks.emplace(record.path, record).second) << "delivered twice: " << record.path;
    delivered.store(tracks.size());
    if (tracks.size() < stop_after) return true;
    if (!cancel_on) return false;
    cancel_on->cancel();
    return true;
  }
  bool on_unchanged(const std::string& path) override {
    unchanged.push_back(path);
    return true;
  }
  bool on_error(const ScanError& error) override {
    errors.push_back(error);
    return true;
  }
  bool on_progress(const ScanProgress& p) override {
    progress.push_back(p);
    return true;
  }
  bool has_error(const std::string& path) const {
    return std::any_of(errors.begin(), errors.end(), [&](const ScanError& e) { return e.path == path; });
  }
};

core::Result<ScanStats> scan(const fs::path& root, Collector& sink, ScanOptions options = {}) {
  Scanner scanner(std::move(options));
  const std::string roots[] = {root.string()};
  return scanner.run(roots, sink);
}

TEST(Scanner, RecordsCarryFactsAndTagsWhateverTheName) {
  test::TempDir dir;
  const std::string m4a = write_file(dir.path() / "a" / "b" / "song.m4a", tagged_m4a("Song M", 300));
  const std::string flac = write_file(dir.path() / "a" / "track.bin", tagged_flac({"Song F"}));  // audio named .bin
  const std::string opus = write_file(dir.path() / "c.opus", tagged_opus("Song O"));
  const std::string text = write_file(dir.path() / "notes.m4a", Bytes(200, std::byte{'x'}));  // text named .m4a
  Collector sink;
  auto stats = scan(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_TRUE(sink.errors.empty()) << sink.errors.front().path << ": " << sink.errors.front().error.message;
  ASSERT_EQ(sink.tracks.size(), 3u);
  EXPECT_EQ(stats->files_discovered, 4u);
  EXPECT_EQ(stats->audio, 3u);
  EXPECT_EQ(stats->skipped, 1u);
  EXPECT_EQ(stats->errors, 0u);
  EXPECT_EQ(stats->files_done, 4u);
  EXPECT_FALSE(sink.tracks.count(text));

  const TrackRecord& m = sink.tracks.at(m4a);
  EXPECT_EQ(m.container, "mp4");
  EXPECT_EQ(m.codec, "aac");
  EXPECT_EQ(m.sample_rate, 44100u);
  EXPECT_EQ(m.channels, 2u);
  EXPECT_EQ(m.duration_ms, 2000u);
  EXPECT_EQ(m.title, "Song M");
  EXPECT_EQ(m.artist, "Artist M");
  EXPECT_EQ(m.album, "Album M");
  EXPECT_EQ(m.album_artist, "Band M");
  EXPECT_EQ(m.genre, "Jazz");
  EXPECT_EQ(m.year, 1999u);
  EXPECT_EQ(m.track_number, 3u);
  EXPECT_EQ(m.disc_number, 2u);
  EXPECT_EQ(m.cover_bytes, test::png_image(8, 8, 260).size());
  EXPECT_EQ(m.stamp.size, fs::file_size(m4a));

  const TrackRecord& f = sink.tracks.at(flac);
  EXPECT_EQ(f.container, "flac");
  EXPECT_EQ(f.codec, "flac");
  EXPECT_EQ(f.sample_rate, 44100u);
  EXPECT_EQ(f.channels, 2u);
  EXPECT_EQ(f.duration_ms, 1000u);
  EXPECT_EQ(f.title, "Song F");
  EXPECT_EQ(f.album_artist, "Band F");
  EXPECT_EQ(f.genre, "Rock");
  EXPECT_EQ(f.year, 2001u);
  EXPECT_EQ(f.track_number, 7u);
  EXPECT_EQ(f.disc_number, 1u);
  EXPECT_EQ(f.cover_bytes, test::png_image(16, 16, 100).size());  // the front cover, not the first picture

  const TrackRecord& o = sink.tracks.at(opus);
  EXPECT_EQ(o.container, "ogg");
  EXPECT_EQ(o.codec, "opus");
  EXPECT_EQ(o.channels, 2u);
  EXPECT_EQ(o.title, "Song O");
  EXPECT_EQ(o.artist, "Artist O");
  EXPECT_EQ(o.year, 2020u);
  EXPECT_EQ(o.cover_bytes, 0u);

  EXPECT_NE(m.hash, f.hash);
  EXPECT_NE(f.hash, o.hash);
}

TEST(Scanner, RootsMayBeFilesOrRelativeAndAMissingOneIsAnError) {
  test::TempDir dir;
  const std::string a = write_file(dir.path() / "a.flac", tagged_flac({"a"}));
  const std::string b = write_file(dir.path() / "sub" / "b.flac", tagged_flac({"b"}));
  const fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  Scanner scanner;
  const std::string roots[] = {a, "sub/", "missing"};
  Collector sink;
  auto stats = scanner.run(roots, sink);
  fs::current_path(cwd);
  ASSERT_TRUE(stats);
  EXPECT_EQ(sink.tracks.size(), 2u);
  EXPECT_TRUE(sink.tracks.count(a));
  EXPECT_TRUE(sink.tracks.count(b));  // absolute, the trailing slash dropped
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].path, (dir.path() / "missing").string());
  EXPECT_EQ(sink.errors[0].error.os_error, ENOENT);
}

TEST(Scanner, AudioThatDoesNotParseIsAnErrorAndTheScanGoesOn) {
  test::TempDir dir;
  Bytes broken = tagged_flac({"x"});
  broken.resize(20);  // "fLaC" and half a STREAMINFO
  const std::string bad = write_file(dir.path() / "bad.flac", broken);
  const std::string good = write_file(dir.path() / "good.flac", tagged_flac({"ok"}));
  Collector sink;
  auto stats = scan(dir.path(), sink);
  ASSERT_TRUE(stats);
  EXPECT_EQ(sink.tracks.size(), 1u);
  EXPECT_TRUE(sink.tracks.count(good));
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].path, bad);
  EXPECT_EQ(stats->errors, 1u);
}

// A tag area over TagOptions::max_tag_bytes (an Ogg comment header with a
// big embedded cover, here a 1.2 MiB title) must not hide a track that plays.
TEST(Scanner, AudioWhoseTagsCannotBeReadIsATrackWithoutTags) {
  test::TempDir dir;
  const std::string big = write_file(dir.path() / "big.opus", tagged_opus(std::string(1200 << 10, 't')));
  const std::string good = write_file(dir.path() / "good.opus", tagged_opus("ok"));
  Collector sink;
  auto stats = scan(dir.path(), sink);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(sink.errors.empty()) << sink.errors[0].error.message;
  ASSERT_EQ(sink.tracks.size(), 2u);
  EXPECT_EQ(stats->audio, 2u);
  EXPECT_EQ(stats->untagged, 1u);
  const TrackRecord& untagged = sink.tracks.at(big);
  EXPECT_EQ(untagged.title, "");
  EXPECT_EQ(untagged.artist, "");
  EXPECT_EQ(untagged.codec, "opus");  // the facts are the demuxer's
  EXPECT_EQ(untagged.sample_rate, sink.tracks.at(good).sample_rate);
  EXPECT_EQ(untagged.duration_ms, sink.tracks.at(good).duration_ms);
  EXPECT_EQ(sink.tracks.at(good).title, "ok");
}

// A video without sound (or an ftyp with no moov: an AVIF, a cut file) is
// not audio: skipped before it is hashed, not an error, so a card full of
// videos costs a rescan a few box headers each, not their bytes.
TEST(Scanner, MP4WithoutASoundTrackIsSkippedUnhashed) {
  test::TempDir dir;
  const auto video_track = [] {
    test::TrackSpec t = test::audio_track(test::plain_sample_entry(test::FourCC("avc1")), {4000, 4000});
    t.handler = test::FourCC("vide");
    return t;
  };
  test::MovieSpec video;
  video.tracks.push_back(video_track());
  test::MovieSpec both;  // sound after a video track, moov after mdat
  both.layout = test::Layout::mdat_first;
  both.tracks.push_back(video_track());
  both.tracks.push_back(test::audio_track(
      test::audio_sample_entry(
          test::AudioEntrySpec(test::FourCC("mp4a"), {test::esds_box(0x40, test::audio_specific_config({}))})),
      {16, 16}));
  const Bytes ftyp = test::make_box(test::FourCC("ftyp"), Bytes(8, std::byte{'a'}));
  const std::string video_path = write_file(dir.path() / "video.mp4", test::build_mp4(video));
  const std::string both_path = write_file(dir.path() / "both.mp4", test::build_mp4(both));
  const std::string no_moov = write_file(
      dir.path() / "cut.m4a", test::concat({ftyp, test::make_box(test::FourCC("mdat"), Bytes(100, std::byte{1}))}));
  Collector sink;
  auto stats = scan(dir.path(), sink);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(sink.errors.empty()) << sink.errors[0].path << ": " << sink.errors[0].error.message;
  EXPECT_EQ(stats->skipped, 2u);
  ASSERT_EQ(sink.tracks.size(), 1u);
  EXPECT_EQ(sink.tracks.count(both_path), 1u);
  EXPECT_EQ(stats->bytes_hashed, fs::file_size(both_path));  // the others were not read through
}

// The sniff reads a track's handler as the demuxer does: the last hdlr of
// mdia wins, and mdia is found through edts, minf and stbl too — it must
// never call a file the player plays "not audio".
TEST(Scanner, SoundTrackSniffAgreesWithTheDemuxer) {
  using test::concat;
  using test::FourCC;
  using test::hdlr_box;
  using test::make_box;
  const auto movie = [](const Bytes& trak_body) {
    const Bytes ftyp = make_box(FourCC("ftyp"), Bytes(8, std::byte{'a'}));
    return concat({ftyp, make_box(FourCC("moov"), make_box(FourCC("trak"), trak_body))});
  };
  const auto mdia = [](std::initializer_list<FourCC> handlers) {
    Bytes body;
    for (const FourCC h : handlers) {
      const Bytes box = hdlr_box(h);
      body.insert(body.end(), box.begin(), box.end());
    }
    return make_box(FourCC("mdia"), body);
  };
  const struct {
    const char* what;
    Bytes file;
    bool audio;
  } cases[] = {
      {"soun", movie(mdia({FourCC("soun")})), true},
      {"vide", movie(mdia({FourCC("vide")})), false},
      {"vide then soun: the last wins", movie(mdia({FourCC("vide"), FourCC("soun")})), true},
      {"soun then vide", movie(mdia({FourCC("soun"), FourCC("vide")})), false},
      {"mdia inside edts", movie(make_box(FourCC("edts"), mdia({FourCC("soun")}))), true},
      {"no hdlr", movie(mdia({})), false},
      {"hdlr outside mdia", movie(concat({hdlr_box(FourCC("soun")), mdia({FourCC("vide")})})), false},
  };
  for (const auto& c : cases) {
    core::MemorySource source(c.file);
    auto container = detail::sniff_audio(source, c.file);
    ASSERT_TRUE(container) << c.what;
    EXPECT_EQ(container->has_value(), c.audio) << c.what;
  }
}

TEST(Scanner, HiddenEntriesAreSkipped) {
  test::TempDir dir;
  write_file(dir.path() / ".hidden" / "a.flac", tagged_flac({"a"}));
  write_file(dir.path() / ".b.flac", tagged_flac({"b"}));
  const std::string seen = write_file(dir.path() / "c.flac", tagged_flac({"c"}));
  Collector sink;
  auto stats = scan(dir.path(), sink);
  ASSERT_TRUE(stats);
  ASSERT_EQ(sink.tracks.size(), 1u);
  EXPECT_TRUE(sink.tracks.count(seen));
  EXPECT_EQ(stats->files_discovered, 1u);
}

TEST(Scanner, SymlinkLoopsEndAndEachFolderIsWalkedOnce) {
  test::TempDir dir;
  const std::string a = write_file(dir.path() / "top" / "sub" / "a.flac", tagged_flac({"a"}));
  fs::create_directory_symlink("..", dir.path() / "top" / "sub" / "up");            // a loop
  fs::create_directory_symlink(dir.path() / "top", dir.path() / "top" / "again");   // another
  fs::create_symlink(dir.path() / "missing", dir.path() / "top" / "dangling");      // reported
  ASSERT_EQ(mkfifo((dir.path() / "top" / "fifo").c_str(), 0600), 0);                // ignored
  Collector sink;
  auto stats = scan(dir.path() / "top", sink);
  ASSERT_TRUE(stats);
  ASSERT_EQ(sink.tracks.size(), 1u);
  EXPECT_TRUE(sink.tracks.count(a));
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].path, (dir.path() / "top" / "dangling").string());
  EXPECT_EQ(sink.errors[0].error.os_error, ENOENT);
}

TEST(Scanner, FoldersBelowMaxDepthAreReported) {
  test::TempDir dir;
  const std::string shallow = write_file(dir.path() / "1" / "a.flac", tagged_flac({"a"}));
  write_file(dir.path() / "1" / "2" / "b.flac", tagged_flac({"b"}));
  Collector sink;
  ScanOptions options;
  options.max_depth = 1;
  auto stats = scan(dir.path(), sink, options);
  ASSERT_TRUE(stats);
  ASSERT_EQ(sink.tracks.size(), 1u);
  EXPECT_TRUE(sink.tracks.count(shallow));
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].path, (dir.path() / "1" / "2").string());
  EXPECT_EQ(sink.errors[0].error.code, core::Errc::limit_exceeded);
}

TEST(Scanner, UnreadableFolderIsReportedAndTheScanGoesOn) {
  if (geteuid() == 0) GTEST_SKIP() << "running as root: chmod 000 does not stop root from reading";
  test::TempDir dir;
  const std::string ok = write_file(dir.path() / "ok" / "a.flac", tagged_flac({"a"}));
  write_file(dir.path() / "locked" / "b.flac", tagged_flac({"b"}));
  const fs::path locked = dir.path() / "locked";
  fs::permissions(locked, fs::perms::none);
  Collector sink;
  auto stats = scan(dir.path(), sink);
  fs::permissions(locked, fs::perms::owner_all);
  ASSERT_TRUE(stats);
  ASSERT_EQ(sink.tracks.size(), 1u);
  EXPECT_TRUE(sink.tracks.count(ok));
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].path, locked.string());
  EXPECT_EQ(sink.errors[0].error.os_error, EACCES);
}

TEST(Scanner, HashesEqualXxhsum) {
  FRUGAL_REQUIRE_PROGRAM(xxhsum, "xxhsum");
  test::TempDir dir;
  // Sizes around the 4 KiB chunk: within one, exactly two, and many.
  const std::string files[] = {write_file(dir.path() / "a.flac", tagged_flac({"a"}, 100)),
                               write_file(dir.path() / "b.flac", tagged_flac({"b"}, 8192 - tagged_flac({"b"}).size())),
                               write_file(dir.path() / "c.flac", tagged_flac({"c"}, 50'001))};
  ASSERT_EQ(fs::file_size(files[1]), 8192u);
  Collector sink;
  ScanOptions options;
  options.chunk_bytes = 4096;
  auto stats = scan(dir.path(), sink, options);
  ASSERT_TRUE(stats);
  ASSERT_EQ(sink.tracks.size(), 3u);
  std::uint64_t total = 0;
  for (const std::string& file : files) {
    auto out = test::run_capture(test::shell_quote(xxhsum.string()) + " -H2 " + test::shell_quote(file));
    ASSERT_TRUE(out) << file;
    const auto hex = sink.tracks.at(file).hash.hex();
    EXPECT_EQ(out->substr(0, 32), std::string(hex.data(), hex.size())) << file;
    total += fs::file_size(file);
  }
  EXPECT_EQ(stats->bytes_hashed, total);
}

TEST(Scanner, UnchangedFilesAreNeitherHashedNorParsed) {
  test::TempDir dir;
  for (int i = 0; i < 5; ++i) write_file(dir.path() / ("f" + std::to_string(i) + ".flac"), tagged_flac({"t"}));
  write_file(dir.path() / "not_audio.txt", Bytes(100, std::byte{'x'}));
  Collector first;
  auto stats = scan(dir.path(), first);
  ASSERT_TRUE(stats);
  ASSERT_EQ(first.tracks.size(), 5u);
  EXPECT_GT(stats->bytes_hashed, 0u);

  // The catalogue's answer: the stamps the first scan recorded.
  std::map<std::string, FileStamp> catalogue;
  for (const auto& [path, record] : first.tracks) catalogue[path] = record.stamp;
  std::atomic<int> asked{0};
  ScanOptions options;
  options.unchanged = [&](const std::string& path, const FileStamp& stamp) {
    ++asked;
    auto it = catalogue.find(path);
    return it != catalogue.end() && it->second == stamp;
  };
  Collector second;
  stats = scan(dir.path(), second, options);
  ASSERT_TRUE(stats);
  EXPECT_EQ(asked.load(), 6);
  EXPECT_EQ(second.unchanged.size(), 5u);
  EXPECT_TRUE(second.tracks.empty());
  EXPECT_EQ(stats->unchanged, 5u);
  EXPECT_EQ(stats->skipped, 1u);
  EXPECT_EQ(stats->files_parsed, 0u);
  // Only the non-audio file's first chunk was read; nothing hashed.
  EXPECT_EQ(stats->bytes_hashed, 0u);

  // All unchanged: nothing hashed at all.
  options.unchanged = [](const std::string&, const FileStamp&) { return true; };
  Collector third;
  stats = scan(dir.path(), third, options);
  ASSERT_TRUE(stats);
  EXPECT_EQ(third.unchanged.size(), 6u);
  EXPECT_EQ(stats->bytes_hashed, 0u);
}

TEST(Scanner, ProgressEveryNFilesAndOnceAtTheEnd) {
  test::TempDir dir;
  for (int i = 0; i < 10; ++i) write_file(dir.path() / ("f" + std::to_string(i) + ".flac"), tagged_flac({"t"}));
  Collector sink;
  ScanOptions options;
  options.progress_every = 3;
  auto stats = scan(dir.path(), sink, options);
  ASSERT_TRUE(stats);
  ASSERT_EQ(sink.progress.size(), 4u);  // after 3, 6, 9 files, then the end
  EXPECT_EQ(sink.progress[0].files_done, 3u);
  EXPECT_EQ(sink.progress[1].files_done, 6u);
  EXPECT_EQ(sink.progress[2].files_done, 9u);
  EXPECT_EQ(sink.progress[3].files_done, 10u);
  EXPECT_EQ(sink.progress[3].audio, 10u);
  EXPECT_GT(sink.progress[3].hashing_seconds, 0);
  EXPECT_GT(sink.progress[3].parsing_files_per_second(), 0);
  EXPECT_GT(sink.progress[3].discovery_files_per_second(), 0);
}

// `count` files in 10 folders: FLAC and Opus with distinct titles, every
// seventh not audio.
std::size_t make_many(const fs::path& root, int count) {
  std::size_t audio = 0;
  for (int i = 0; i < count; ++i) {
    const fs::path path = root / ("d" + std::to_string(i % 10)) / ("f" + std::to_string(i));
    const std::string title = "t" + std::to_string(i);
    if (i % 7 == 0) {
      write_file(path, Bytes(64, std::byte{'x'}));
      continue;
    }
    write_file(path, i % 2 ? tagged_flac({title}) : tagged_opus(title));
    ++audio;
  }
  return audio;
}

void expect_whole(const TrackRecord& r) {
  const std::string name = fs::path(r.path).filename().string();
  EXPECT_EQ(r.title, "t" + name.substr(1)) << r.path;
  EXPECT_FALSE(r.codec.empty()) << r.path;
  EXPECT_NE(r.hash, ContentHash{}) << r.path;
  EXPECT_GT(r.stamp.size, 0u) << r.path;
}

TEST(Scanner, CancelFromTheSinkStopsPromptlyWithWholeRecords) {
  test::TempDir dir;
  make_many(dir.path(), 600);
  Collector sink;
  sink.stop_after = 40;
  ScanOptions options;
  options.cpu_workers = 2;
  options.queue_capacity = 8;
  auto stats = scan(dir.path(), sink, options);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().code, core::Errc::cancelled);
  EXPECT_EQ(sink.tracks.size(), 40u);  // nothing after the callback said stop
  for (const auto& [path, record] : sink.tracks) expect_whole(record);
  EXPECT_TRUE(sink.progress.empty() || sink.progress.back().files_done < 600);
}

TEST(Scanner, CancelFromAnotherThread) {
  test::TempDir dir;
  const std::size_t audio = make_many(dir.path(), 600);
  ScanOptions options;
  options.queue_capacity = 4;
  Scanner scanner(options);
  const std::string roots[] = {dir.path().string()};
  {
    Collector sink;
    sink.stop_after = 30;
    sink.cancel_on = &scanner;  // from inside the sink: it must not deadlock
    auto stats = scanner.run(roots, sink);
    ASSERT_FALSE(stats);
    EXPECT_EQ(stats.error().code, core::Errc::cancelled);
    EXPECT_LT(sink.tracks.size(), audio);
    for (const auto& [path, record] : sink.tracks) expect_whole(record);
  }
  {
    Collector sink;
    std::thread canceller([&] {
      while (sink.delivered.load() < 20) std::this_thread::yield();
      scanner.cancel();
    });
    auto stats = scanner.run(roots, sink);
    canceller.join();
    ASSERT_FALSE(stats);
    EXPECT_EQ(stats.error().code, core::Errc::cancelled);
    EXPECT_LT(sink.tracks.size(), audio);
    for (const auto& [path, record] : sink.tracks) expect_whole(record);
  }
  // The request was cleared when run() returned: the scanner runs again.
  Collector sink;
  auto stats = scanner.run(roots, sink);
  ASSERT_TRUE(stats);
  EXPECT_EQ(sink.tracks.size(), audio);
}

TEST(Scanner, OneOrFourWorkersGiveTheSameRecords) {
  test::TempDir dir;
  const std::size_t audio = make_many(dir.path(), 2000);
  Collector one, four;
  ScanOptions options;
  options.io_workers = 1;
  options.cpu_workers = 1;
  ASSERT_TRUE(scan(dir.path(), one, options));
  options.io_workers = 4;
  options.cpu_workers = 4;
  auto stats = scan(dir.path(), four, options);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->files_discovered, 2000u);
  EXPECT_EQ(stats->skipped, 2000u - audio);
  ASSERT_EQ(one.tracks.size(), audio);
  ASSERT_EQ(four.tracks.size(), audio);
  for (const auto& [path, a] : one.tracks) {
    const TrackRecord& b = four.tracks.at(path);
    expect_whole(a);
    EXPECT_EQ(a.hash, b.hash) << path;
    EXPECT_EQ(a.stamp, b.stamp) << path;
    EXPECT_EQ(std::tie(a.container, a.codec, a.sample_rate, a.channels, a.duration_ms, a.title, a.artist, a.year,
                       a.track_number, a.cover_bytes),
              std::tie(b.container, b.codec, b.sample_rate, b.channels, b.duration_ms, b.title, b.artist, b.year,
                       b.track_number, b.cover_bytes))
        << path;
  }
}

// Counts what it receives and keeps nothing.
struct Counter : ScanSink {
  std::size_t tracks = 0;
  bool on_track(TrackRecord&&) override { return ++tracks, true; }
  bool on_unchanged(const std::string&) override { return true; }
  bool on_error(const ScanError&) override { return true; }
  bool on_progress(const ScanProgress&) override { return true; }
};

// Peak heap of a scan of `root` above what was allocated before it.
std::uint64_t scan_heap_peak(const fs::path& root, std::size_t expected_tracks) {
  ScanOptions options;
  options.cpu_workers = 2;
  options.queue_capacity = 16;
  Scanner scanner(options);
  const std::string roots[] = {root.string()};
  Counter sink;
  const std::uint64_t before = platform::heap_counts().current;
  platform::reset_heap_peak();
  EXPECT_TRUE(scanner.run(roots, sink));
  EXPECT_EQ(sink.tracks, expected_tracks);
  return platform::heap_counts().peak - before;
}

TEST(Scanner, HeapDoesNotGrowWithTheFolder) {
  if (!platform::heap_counts().available) GTEST_SKIP() << "no malloc counter (sanitizer build)";
  test::TempDir small_dir, large_dir;
  const std::size_t small = make_many(small_dir.path(), 200);
  const std::size_t large = make_many(large_dir.path(), 2000);
  (void)scan_heap_peak(small_dir.path(), small);  // first use: TagLib's and iostream's one-time allocations
  const std::uint64_t small_peak = scan_heap_peak(small_dir.path(), small);
  const std::uint64_t large_peak = scan_heap_peak(large_dir.path(), large);
  std::cout << "heap peak: " << small_peak << " B for 200 files, " << large_peak << " B for 2000\n";
  // Ten times the files: the queues bound what is in flight; only the
  // visited set (10 folders each here) may differ. 25% slack for timing
  // (how full the queues happened to be).
  EXPECT_LT(large_peak, small_peak + small_peak / 4);
}

TEST(Scanner, RejectsBadOptions) {
  Collector sink;
  const std::string roots[] = {"/"};
  ScanOptions options;
  options.io_workers = 0;
  EXPECT_EQ(Scanner(options).run(roots, sink).error().code, core::Errc::invalid_argument);
  options = {};
  options.chunk_bytes = 100;
  EXPECT_EQ(Scanner(options).run(roots, sink).error().code, core::Errc::invalid_argument);
}

TEST(Scanner, ReadBufferIsChargedAndReleased) {
  mem::MemoryTracker tracker;
  test::TempDir dir;
  write_file(dir.path() / "a.flac", tagged_flac({"a"}));
  Collector sink;
  ScanOptions options;
  options.tracker = &tracker;
  options.io_workers = 2;
  ASSERT_TRUE(scan(dir.path(), sink, options));
  EXPECT_GE(tracker.peak_total(), 2 * options.chunk_bytes);
  EXPECT_EQ(tracker.total(), 0u);
  // A budget below one buffer: the scan cannot start.
  mem::TrackerOptions small;
  small.budget = 64 << 10;
  mem::MemoryTracker tight(small);
  options.tracker = &tight;
  auto stats = scan(dir.path(), sink, options);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().code, core::Errc::out_of_memory);
}

// ffprobe's view of a file: "<format_name> <codec of the first audio stream>",
// empty when it has no audio stream or ffprobe cannot read it.
std::string probe(const fs::path& ffprobe, const fs::path& file) {
  auto out = test::run_capture(test::shell_quote(ffprobe.string()) +
                               " -v error -select_streams a:0 -show_entries format=format_name:stream=codec_name"
                               " -of default=nw=1:nk=1 " + test::shell_quote(file.string()));
  if (!out) return "";
  std::istringstream lines(*out);
  std::string codec, format;
  std::getline(lines, codec);
  std::getline(lines, format);
  return format.empty() ? "" : format + " " + codec;
}

TEST(Scanner, MediaFolderAudioGetsARecordOrAnError) {
  FRUGAL_REQUIRE_MEDIA(media);
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  Collector sink;
  ScanOptions options;
  options.cpu_workers = 2;
  auto stats = scan(media, sink, options);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->audio + stats->skipped + stats->errors, stats->files_discovered);  // no folder errors here
  EXPECT_GT(stats->audio, 0u);
  for (const fs::path& file : test::all_media_files()) {
    if (file.filename().string().front() == '.') continue;
    const std::string path = file.string();
    if (auto it = sink.tracks.find(path); it != sink.tracks.end()) {
      const TrackRecord& r = it->second;
      EXPECT_GT(r.sample_rate, 0u) << path;
      EXPECT_FALSE(r.codec.empty()) << path;  // channels: 0 for IAMF and MPEG-H, whose sample entries do not say
      continue;
    }
    if (sink.has_error(path)) continue;
    // Skipped as not audio: ffprobe must agree it holds no MP4, FLAC or
    // Ogg Opus audio (it is only asked about these: it takes ~0.1 s a file).
    const std::string what = probe(ffprobe, file);
    EXPECT_FALSE(what.find("mp4") != std::string::npos || what.rfind("flac ", 0) == 0 || what == "ogg opus")
        << path << " (" << what << "): audio, yet neither a record nor an error";
  }
  std::cout << "media: " << stats->files_discovered << " files, " << stats->audio << " tracks, " << stats->skipped
            << " skipped, " << stats->errors << " errors, " << stats->bytes_hashed << " bytes hashed, "
            << stats->hashing_megabytes_per_second() << " MB/s hashing, " << stats->parsing_files_per_second()
            << " files/s parsing\n";
  for (const ScanError& e : sink.errors) std::cout << "  error: " << e.path << ": " << e.error.message << "\n";
}

}  // namespace
}  // namespace frugal::library
