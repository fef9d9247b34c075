// Scans into the catalogue: added, unchanged (nothing read), updated, moved
// (the same row), removed only after a complete scan; and a scan killed by
// SIGKILL at random moments, after which the database passes PRAGMA
// integrity_check, keeps what was committed (the next scan reads it no
// more) and ends with exactly the catalogue of an uninterrupted scan.
#include <frugal/library/library_scan.hpp>
#include <frugal/library/paged_loader.hpp>

#include "library/fixtures.hpp"
#include "support/rng.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <thread>
#include <tuple>

#include <sys/wait.h>
#include <unistd.h>

namespace frugal::library {
namespace {

namespace fs = std::filesystem;
using test::Bytes;
using test::FlacTags;
using test::tagged_flac;
using test::write_file;

// A library of `albums` × `tracks` FLAC files (plus one MP4 and one Opus
// per album, and a text file), in Artist/Album folders.
void make_library(const fs::path& root, int albums, int tracks) {
  for (int a = 0; a < albums; ++a) {
    const std::string artist = "Artist " + std::to_string(a % 7), album = "Album " + std::to_string(a);
    const fs::path dir = root / artist / album;
    for (int t = 1; t <= tracks; ++t) {
      FlacTags tags{"Song " + std::to_string(a) + "." + std::to_string(t), artist, album, artist, "2001",
                    std::to_string(t)};
      write_file(dir / ("track" + std::to_string(t) + ".flac"), tagged_flac(tags, std::size_t(a * 31 + t)));
    }
    write_file(dir / "bonus.m4a", test::tagged_m4a("Bonus " + std::to_string(a), 100 + a));
    write_file(dir / "live.opus", test::tagged_opus("Live " + std::to_string(a)));
    write_file(dir / "notes.txt", test::Bytes(50, std::byte{'n'}));
  }
}

// Everything the catalogue holds, by path: id, hash, title, artist, album.
using Row = std::tuple<std::int64_t, std::string, std::string, std::string, std::string>;
std::map<std::string, Row> contents(Catalogue& c) {
  std::map<std::string, Row> rows;
  TrackQuery q;
  q.order = TrackOrder::title;
  q.limit = kMaxPageRows;
  for (;;) {
    auto page = c.list_tracks(q);
    EXPECT_TRUE(page);
    if (!page) break;
    for (const TrackRow& t : page->rows) {
      auto stored = c.lookup(t.path);
      EXPECT_TRUE(stored && *stored);
      rows[t.path] = {t.id, std::string((*stored)->hash.hex().data(), 32), t.title, t.artist, t.album};
    }
    if (page->next_cursor.empty()) break;
    q.after = page->next_cursor;
  }
  return rows;
}

// Without the ids (which differ between two databases).
std::map<std::string, Row> without_ids(std::map<std::string, Row> rows) {
  for (auto& [path, row] : rows) std::get<0>(row) = 0;
  return rows;
}

struct Library {
  explicit Library(int albums = 4, int tracks = 5) {
    make_library(root, albums, tracks);
  }
  // Scans `roots` (default: the library's root) into `db`.
  core::Result<LibraryScanReport> scan(const std::string& db, LibraryScanOptions options = {},
                                       std::uint32_t batch_size = 500, std::vector<std::string> roots = {}) {
    CatalogueOptions catalogue_options;
    catalogue_options.batch_size = batch_size;
    FRUGAL_TRY(auto catalogue, Catalogue::open(db, catalogue_options));
    LibraryScan s(*catalogue, db, std::move(options));
    if (roots.empty()) roots.push_back(root.string());
    return s.run(roots);
  }
  std::map<std::string, Row> rows(const std::string& db) {
    auto c = Catalogue::open(db);
    EXPECT_TRUE(c);
    return c ? contents(**c) : std::map<std::string, Row>{};
  }
  test::TempDir dir;
  fs::path root = dir.path() / "music";
};

// The first column of `sql`'s rows over `db`, concatenated ("" on failure).
std::string query(const std::string& db, const char* sql) {
  sqlite3* conn = nullptr;
  std::string result;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK)
    sqlite3_exec(
        conn, sql,
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) += values[0] ? values[0] : "";
          return 0;
        },
        &result, nullptr);
  sqlite3_close(conn);
  return result;
}

TEST(LibraryScan, RescansReadOnlyWhatChanged) {
  Library lib;
  const std::string db = lib.dir.file("library.db");
  auto first = lib.scan(db);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->added, 4u * 7u);
  EXPECT_EQ(first->stats.skipped, 4u);  // the text files
  EXPECT_GT(first->stats.bytes_hashed, 0u);
  const auto before = lib.rows(db);
  ASSERT_EQ(before.size(), 28u);
  {
    // Each album's tracks by its id; the Opus files alone have no cover.
    auto c = Catalogue::open(db);
    ASSERT_TRUE(c);
    auto albums = (*c)->list_albums("", 100);
    ASSERT_TRUE(albums);
    ASSERT_EQ(albums->rows.size(), 4u + 1u + 1u);  // "Album n" ×4, the MP4s' "Album M", the Opus files' ""
    for (const AlbumRow& a : albums->rows) {
      TrackQuery q;
      q.order = TrackOrder::album;
      q.album_id = a.id;
      auto tracks = (*c)->list_tracks(q);
      ASSERT_TRUE(tracks);
      EXPECT_EQ(tracks->rows.size(), a.track_count) << a.title;
      for (const TrackRow& t : tracks->rows) {
        EXPECT_EQ(t.album_id, a.id);
        EXPECT_EQ(t.cover_bytes > 0, !t.path.ends_with(".opus")) << t.path;
      }
    }
  }

  // Nothing changed: nothing hashed, parsed or written (no row of the second scan's generation).
  auto second = lib.scan(db);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->generation, 2);
  EXPECT_EQ(query(db, "SELECT count(*) FROM tracks WHERE scan_generation = 2"), "0");
  EXPECT_EQ(second->unchanged, 28u);
  EXPECT_EQ(second->stats.bytes_hashed, 0u);
  EXPECT_EQ(second->stats.files_parsed, 0u);
  EXPECT_EQ(second->added + second->updated + second->moved + second->removed, 0u);
  EXPECT_EQ(lib.rows(db), before);

  // One file retagged, one moved, one deleted, one added.
  const fs::path album0 = lib.root / "Artist 0" / "Album 0";
  write_file(album0 / "track1.flac", tagged_flac({"Retitled", "Artist 0", "Album 0", "Artist 0", "2001", "1"}));
  fs::rename(album0 / "track2.flac", lib.root / "moved.flac");
  fs::remove(album0 / "track3.flac");
  write_file(album0 / "new.flac", tagged_flac({"New", "Artist 0", "Album 0", "Artist 0", "2001", "9"}));
  auto third = lib.scan(db);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->updated, 1u);
  EXPECT_EQ(third->moved, 1u);
  EXPECT_EQ(third->removed, 1u);
  EXPECT_EQ(third->added, 1u);
  EXPECT_EQ(third->unchanged, 25u);
  const auto after = lib.rows(db);
  EXPECT_EQ(after.size(), 28u);
  EXPECT_EQ(std::get<2>(after.at((album0 / "track1.flac").string())), "Retitled");
  // The moved file kept its row (its id), at its new path.
  const Row& moved = after.at((lib.root / "moved.flac").string());
  EXPECT_EQ(std::get<0>(moved), std::get<0>(before.at((album0 / "track2.flac").string())));
  EXPECT_FALSE(after.count((album0 / "track3.flac").string()));
}

// A small screen's list over the catalogue: the paged loader takes the
// catalogue's keyset pages as they are.
TEST(LibraryScan, APagedLoaderBrowsesTheCatalogue) {
  Library lib;
  const std::string db = lib.dir.file("library.db");
  ASSERT_TRUE(lib.scan(db));
  auto c = Catalogue::open(db);
  ASSERT_TRUE(c);
  const auto all = contents(**c);  // by path; the listing below is by title
  std::vector<TrackRow> expected;
  {
    TrackQuery q;
    q.order = TrackOrder::title;
    q.limit = kMaxPageRows;
    auto page = (*c)->list_tracks(q);
    ASSERT_TRUE(page);
    expected = page->rows;
  }
  ASSERT_EQ(expected.size(), all.size());
  mem::MemoryTracker tracker;
  PagedLoaderOptions options;
  options.page_size = 5;
  options.max_pages = 2;
  auto loader = PagedLoader<TrackRow>::create(
      tracker,
      [&](const std::string& cursor, std::uint32_t limit) {
        TrackQuery q;
        q.order = TrackOrder::title;
        q.after = cursor;
        q.limit = limit;
        return (*c)->list_tracks(q);
      },
      options);
  ASSERT_TRUE(loader);
  // Scroll a 4-row window down the whole list, then back to the top.
  std::vector<std::uint64_t> tops;
  for (std::uint64_t top = 0; top + 4 <= expected.size(); ++top) tops.push_back(top);
  for (std::uint64_t top = expected.size() - 4; top > 0; top -= 3) tops.push_back(top);
  for (const std::uint64_t top : tops) {
    loader->set_visible_range(top, top + 4);
    auto loaded = loader->pump();
    ASSERT_TRUE(loaded) << loaded.error().message;
    ASSERT_TRUE(*loaded);
    for (std::uint64_t i = top; i < top + 4; ++i) {
      const TrackRow* row = loader->item(i);
      ASSERT_NE(row, nullptr) << i;
      EXPECT_EQ(row->id, expected[i].id) << i;
    }
  }
  EXPECT_TRUE(loader->end_reached());
  EXPECT_EQ(loader->known_count(), expected.size());
}

TEST(LibraryScan, ACancelledScanKeepsWhatItReadAndRemovesNothing) {
  Library lib;
  const std::string db = lib.dir.file("library.db");
  ASSERT_TRUE(lib.scan(db));
  fs::remove_all(lib.root / "Artist 1");  // 7 tracks gone
  write_file(lib.root / "extra" / "x.flac", tagged_flac({"X"}));
  LibraryScanOptions options;
  options.scan.progress_every = 1;
  int calls = 0;
  options.progress = [&](const ScanProgress&) { return ++calls < 3; };  // cancel early
  auto cancelled = lib.scan(db, options);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, core::Errc::cancelled);
  EXPECT_EQ(lib.rows(db).size(), 28u + (lib.rows(db).count((lib.root / "extra" / "x.flac").string()) ? 1u : 0u));
  auto complete = lib.scan(db);
  ASSERT_TRUE(complete);
  EXPECT_EQ(complete->removed, 7u);
  EXPECT_EQ(lib.rows(db).size(), 22u);
}

// A folder the walk could not enter (here: below max_depth; a permission
// denied is the same ScanError) and a file that no longer parses keep their
// rows: only what the scan saw gone is deleted.
TEST(LibraryScan, WhatCouldNotBeReadKeepsItsRows) {
  Library lib;
  const std::string db = lib.dir.file("library.db");
  ASSERT_TRUE(lib.scan(db));
  const auto before = lib.rows(db);
  ASSERT_EQ(before.size(), 28u);
  LibraryScanOptions shallow;
  shallow.scan.max_depth = 1;  // root, Artist: every Album folder is an error
  auto r = lib.scan(db, shallow);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->errors, 4u);
  EXPECT_EQ(r->removed, 0u);
  EXPECT_EQ(lib.rows(db), before);

  const fs::path track1 = lib.root / "Artist 0" / "Album 0" / "track1.flac";
  Bytes broken = tagged_flac({"x"});
  broken.resize(20);  // "fLaC" and half a STREAMINFO
  write_file(track1, broken);
  r = lib.scan(db);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->errors, 1u);
  EXPECT_EQ(r->removed, 0u);
  EXPECT_EQ(lib.rows(db), before);  // its last good facts, until it reads again
}

// Roots are resolved: "music/" with a slash is the root "music", so once it
// is gone it is a failed root whose tracks stay, not an empty one.
TEST(LibraryScan, ARootWithATrailingSlashIsTheSameRoot) {
  Library lib;
  const std::string db = lib.dir.file("library.db");
  ASSERT_TRUE(lib.scan(db, {}, 500, {lib.root.string() + "/"}));
  fs::rename(lib.root, lib.dir.path() / "unmounted");
  auto r = lib.scan(db, {}, 500, {lib.root.string() + "//"});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->failed_roots.size(), 1u);
  EXPECT_EQ(r->failed_roots[0].path, lib.root.string());
  EXPECT_EQ(r->removed, 0u);
  EXPECT_EQ(lib.rows(db).size(), 28u);
}

// A card away — its root missing, or an empty folder where it was mounted
// — keeps its rows (a failed root), and a copy of one of its files on
// another card is a new row, not that row moved.
TEST(LibraryScan, ACopyElsewhereDoesNotTakeTheRowOfACardAway) {
  for (const bool mount_point_stays : {false, true}) {
    SCOPED_TRACE(mount_point_stays ? "empty mount point" : "root missing");
    Library lib(1, 2);
    const std::string db = lib.dir.file("library.db");
    const fs::path card_b = lib.dir.path() / "card-b";
    write_file(card_b / "own.flac", tagged_flac({"Own"}));
    const std::vector<std::string> roots = {lib.root.string(), card_b.string()};
    ASSERT_TRUE(lib.scan(db, {}, 500, roots));
    const auto before = lib.rows(db);
    ASSERT_EQ(before.size(), 5u);
    const fs::path song = lib.root / "Artist 0" / "Album 0" / "track1.flac";
    fs::rename(lib.root, lib.dir.path() / "unmounted");
    if (mount_point_stays) fs::create_directory(lib.root);
    fs::copy_file(lib.dir.path() / "unmounted" / "Artist 0" / "Album 0" / "track1.flac", card_b / "copy.flac");
    auto r = lib.scan(db, {}, 500, roots);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->failed_roots.size(), 1u);
    EXPECT_EQ(r->failed_roots[0].path, lib.root.string());
    EXPECT_EQ(r->failed_roots[0].error.os_error, mount_point_stays ? ENOMEDIUM : ENOENT);
    EXPECT_EQ(r->moved, 0u);
    EXPECT_EQ(r->added, 1u);
    EXPECT_EQ(r->removed, 0u);
    const auto after = lib.rows(db);
    EXPECT_EQ(after.size(), 6u);
    EXPECT_EQ(std::get<0>(after.at(song.string())), std::get<0>(before.at(song.string())));
    EXPECT_EQ(std::get<1>(after.at((card_b / "copy.flac").string())), std::get<1>(before.at(song.string())));
  }
}

// A file moved out of a root that this scan does not cover is still a
// move; an empty folder scanned for the first time is just empty.
TEST(LibraryScan, AMoveFromARootNotScannedIsAMove) {
  Library lib(1, 2);
  const std::string db = lib.dir.file("library.db");
  ASSERT_TRUE(lib.scan(db));
  const auto before = lib.rows(db);
  const fs::path song = lib.root / "Artist 0" / "Album 0" / "track1.flac";
  const fs::path card_b = lib.dir.path() / "card-b";
  fs::create_directory(card_b);
  auto r = lib.scan(db, {}, 500, {card_b.string()});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->failed_roots.empty());
  fs::rename(song, card_b / "moved.flac");
  r = lib.scan(db, {}, 500, {card_b.string()});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->moved, 1u);
  EXPECT_EQ(std::get<0>(lib.rows(db).at((card_b / "moved.flac").string())), std::get<0>(before.at(song.string())));
}

// A folder replaced by a file of the same name: the file's error keeps the
// file's row (none), not the rows that were under the folder.
TEST(LibraryScan, AFileErrorKeepsOnlyItsOwnRow) {
  Library lib(1, 2);
  const std::string db = lib.dir.file("library.db");
  ASSERT_TRUE(lib.scan(db));
  const fs::path album = lib.root / "Artist 0" / "Album 0";
  fs::remove_all(album);
  Bytes broken = tagged_flac({"x"});
  broken.resize(20);
  write_file(album, broken);
  auto r = lib.scan(db);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->errors, 1u);
  EXPECT_EQ(r->removed, 4u);
  EXPECT_TRUE(lib.rows(db).empty());
}

TEST(LibraryScan, AMissingRootKeepsItsTracks) {
  Library lib;
  const std::string db = lib.dir.file("library.db");
  ASSERT_TRUE(lib.scan(db));
  fs::rename(lib.root, lib.dir.path() / "unmounted");  // a card taken out
  auto r = lib.scan(db);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->failed_roots.size(), 1u);
  EXPECT_EQ(r->failed_roots[0].path, lib.root.string());
  EXPECT_EQ(r->failed_roots[0].error.os_error, ENOENT);
  EXPECT_EQ(r->removed, 0u);
  EXPECT_EQ(lib.rows(db).size(), 28u);
}

bool integrity_ok(const std::string& db) { return query(db, "PRAGMA integrity_check") == "ok"; }

void remove_database(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
}

// Runs a whole scan into `db` in a child process that writes the count of
// files done to `progress_fd` after each file; its pid.
pid_t scan_in_child(Library& lib, const std::string& db, int progress_fd) {
  const pid_t child = ::fork();
  if (child == 0) {
    LibraryScanOptions options;
    options.scan.cpu_workers = 2;
    options.scan.progress_every = 1;
    options.progress = [progress_fd](const ScanProgress& p) {
      const std::uint64_t done = p.files_done;
      return ::write(progress_fd, &done, sizeof done) == sizeof done;
    };
    auto r = lib.scan(db, options, 8);  // commits along the way: a kill lands between and inside them
    ::_exit(r ? 0 : 1);
  }
  return child;
}

TEST(LibraryScan, KilledAtRandomMomentsNeverCorruptsAndResumes) {
  Library lib(12, 8);  // 120 audio files, 12 text files
  const std::string reference_db = lib.dir.file("reference.db");
  ASSERT_TRUE(lib.scan(reference_db));
  const auto reference = without_ids(lib.rows(reference_db));
  ASSERT_EQ(reference.size(), 120u);

  const std::string db = lib.dir.file("killed.db");
  test::Rng rng(2026);
  int mid_scan = 0, resumed_with_rows = 0;
  constexpr int kRounds = 24;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(testing::Message() << "round " << round);
    remove_database(db);
    // The kill: once the scan has done a random number of its 132 files,
    // after a random pause of up to 2 ms (inside a batch's writes, a
    // commit, or between them).
    const std::uint64_t target = rng.below(132);
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = scan_in_child(lib, db, fds[1]);
    ::close(fds[1]);
    std::uint64_t done = 0;
    while (done < target && ::read(fds[0], &done, sizeof done) == sizeof done) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng.below(2000)));
    ::kill(child, SIGKILL);
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    mid_scan += WIFSIGNALED(status);
    if (!fs::exists(db)) continue;  // killed before the database was made
    ASSERT_TRUE(integrity_ok(db));
    // What was committed stays, and the next scan does not read it again.
    const std::size_t committed = lib.rows(db).size();
    resumed_with_rows += committed > 0 && committed < 120;
    auto next = lib.scan(db);
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->unchanged, committed);
    EXPECT_EQ(next->added + next->unchanged, 120u);
    EXPECT_EQ(without_ids(lib.rows(db)), reference);
    EXPECT_TRUE(integrity_ok(db));
  }
  std::printf("kills mid-scan: %d of %d; resumed with part of the library committed: %d\n", mid_scan, kRounds,
              resumed_with_rows);
  EXPECT_GE(mid_scan, 20);
  EXPECT_GE(resumed_with_rows, 12);
}

}  // namespace
}  // namespace frugal::library
