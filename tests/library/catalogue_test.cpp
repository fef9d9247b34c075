// library::Catalogue: opening and refusing, migrations, the batched writer
// (commit points seen from a second connection, rollback), scan
// bookkeeping, keyset pages against an order computed here, search with
// hostile text, counts, memory and pressure, a reader beside a writer.

#include <frugal/library/catalogue.hpp>
#include <frugal/mem/manual_source.hpp>

#include "library/catalogue_impl.hpp"
#include "library/catalogue_schema.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <fstream>
#include <map>
#include <thread>
#include <tuple>

namespace frugal::library {
namespace {

using core::Errc;

// A raw connection for checks the API does not offer (and v1 databases).
class RawDb {
 public:
  explicit RawDb(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK); }
  ~RawDb() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << (message ? message : "");
    sqlite3_free(message);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TrackRecord record(const std::string& path, const std::string& title, const std::string& artist,
                   const std::string& album, std::uint32_t year = 2000, std::uint32_t track = 1,
                   std::uint32_t disc = 1) {
  TrackRecord r;
  r.path = path;
  r.stamp = {1000 + path.size(), 1'700'000'000'000'000'000LL, 42 + path.size(), 7};
  r.hash = {std::hash<std::string>{}(path), 0x1234};
  r.container = "mp4";
  r.codec = "aac";
  r.sample_rate = 44100;
  r.channels = 2;
  r.duration_ms = 180000;
  r.title = title;
  r.artist = artist;
  r.album = album;
  r.year = year;
  r.track_number = track;
  r.disc_number = disc;
  return r;
}

std::unique_ptr<Catalogue> open_ok(const std::string& path, CatalogueOptions options = {}) {
  auto catalogue = Catalogue::open(path, options);
  EXPECT_TRUE(catalogue) << (catalogue ? "" : catalogue.error().message);
  return catalogue ? std::move(*catalogue) : nullptr;
}

void write_all(Catalogue& catalogue, const std::vector<TrackRecord>& records) {
  auto generation = catalogue.begin_scan();
  ASSERT_TRUE(generation);
  auto writer = catalogue.writer(*generation);
  ASSERT_TRUE(writer);
  for (const auto& r : records) ASSERT_TRUE(writer->upsert(r));
  ASSERT_TRUE(writer->finish());
}

std::uint64_t track_count(Catalogue& catalogue) {
  auto stats = catalogue.stats();
  EXPECT_TRUE(stats);
  return stats ? stats->tracks : ~std::uint64_t{0};
}

TEST(Catalogue, OpensInWalModeAtTheCurrentSchema) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  auto catalogue = open_ok(path);
  ASSERT_TRUE(catalogue);
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(Catalogue::schema_version()));
  EXPECT_EQ(Catalogue::schema_version(), 2);
  // FTS5 is compiled into Debian's libsqlite3.
  EXPECT_EQ(raw.text("SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_FTS5'"), "1");
}

TEST(Catalogue, RefusesAFileThatIsNotADatabaseAndLeavesItAlone) {
  test::TempDir dir;
  std::vector<std::byte> junk(8192);
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = std::byte(i * 37 + 11);
  const std::string path = dir.write("junk.db", junk);
  auto catalogue = Catalogue::open(path);
  ASSERT_FALSE(catalogue);
  EXPECT_EQ(catalogue.error().code, Errc::malformed);
  const std::string after = test::read_file(path);
  ASSERT_EQ(after.size(), junk.size());
  EXPECT_TRUE(std::equal(after.begin(), after.end(), junk.begin(),
                         [](char a, std::byte b) { return std::byte(a) == b; }));
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(Catalogue, RefusesADamagedDatabase) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  {
    auto catalogue = open_ok(path);
    std::vector<TrackRecord> records;
    for (int i = 0; i < 400; ++i)
      records.push_back(record("/m/" + std::to_string(i), "t" + std::to_string(i), "a", "b", 2000, i));
    write_all(*catalogue, records);
  }  // the last connection checkpoints the WAL into the file
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16u * 4096u);
  {
    // Scribble over the middle pages (b-tree pages of tracks and indexes).
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    const std::string scribble(4 * 4096, '\x5a');
    file.write(scribble.data(), static_cast<std::streamsize>(scribble.size()));
  }
  auto catalogue = Catalogue::open(path);
  ASSERT_FALSE(catalogue);
  EXPECT_EQ(catalogue.error().code, Errc::malformed);
}

TEST(Catalogue, RefusesANewerSchemaUntouched) {
  test::TempDir dir;
  const std::string path = dir.file("future.db");
  {
    RawDb raw(path);
    raw.exec("CREATE TABLE t(x); PRAGMA user_version = 99;");
  }
  auto catalogue = Catalogue::open(path);
  ASSERT_FALSE(catalogue);
  EXPECT_EQ(catalogue.error().code, Errc::unsupported);
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA user_version"), "99");
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete");  // not switched to WAL
}

TEST(Catalogue, RefusesAnotherProgramsDatabase) {
  test::TempDir dir;
  const std::string path = dir.file("other.db");
  {
    RawDb raw(path);
    raw.exec("CREATE TABLE tracks(x); INSERT INTO tracks VALUES (1);");
  }
  auto catalogue = Catalogue::open(path);
  ASSERT_FALSE(catalogue);
  EXPECT_EQ(catalogue.error().code, Errc::unsupported);
  RawDb raw(path);
  EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_master"), "1");
}

TEST(Catalogue, MigratesAVersion1Database) {
  test::TempDir dir;
  const std::string path = dir.file("v1.db");
  const std::string hash(32, 'a');
  {
    // A v1 catalogue as an older build left it, one track inserted by hand.
    RawDb raw(path);
    raw.exec(std::string("BEGIN;") + schema::kMigrations[0] + "PRAGMA user_version = 1; COMMIT;");
    raw.exec("INSERT INTO artists(id, name) VALUES (1, 'Old Artist');"
             "INSERT INTO albums(id, title, artist_id, year) VALUES (1, 'Old Album', 1, 1999);"
             "INSERT INTO tracks(path, size, mtime_ns, inode, device, hash, container, codec, sample_rate, "
             "channels, duration_ms, title, artist, album, artist_id, album_id, album_artist, genre, year, "
             "track_number, disc_number, cover_bytes, scan_generation) VALUES ('/old/1.m4a', 10, 20, 30, 40, '" +
             hash + "', 'mp4', 'aac', 44100, 2, 1000, 'Old Song', 'Old Artist', 'Old Album', 1, 1, '', '', "
             "1999, 1, 1, 0, 1);");
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'scan_errors'"), "0");
  }
  auto catalogue = open_ok(path);
  ASSERT_TRUE(catalogue);
  {
    RawDb raw(path);
    EXPECT_EQ(raw.text("PRAGMA user_version"), "2");
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'tracks_by_hash'"), "1");
  }
  auto found = catalogue->lookup("/old/1.m4a");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->stamp, (FileStamp{10, 20, 30, 40}));
  auto by_hash = catalogue->find_by_hash(*ContentHash::parse(hash));
  ASSERT_TRUE(by_hash);
  EXPECT_EQ(*by_hash, std::vector<std::string>{"/old/1.m4a"});
  // The step-2 table works.
  auto writer = catalogue->writer(2);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->record_error({"/old/bad", core::make_error(Errc::io, "unreadable")}));
  ASSERT_TRUE(writer->finish());
  auto stats = catalogue->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->errors, 1u);
  EXPECT_EQ(stats->tracks, 1u);
  auto hits = catalogue->search("old son", 10);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
}

TEST(Catalogue, RejectsBadOptions) {
  test::TempDir dir;
  CatalogueOptions options;
  options.batch_size = 0;
  auto a = Catalogue::open(dir.file("a.db"), options);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::invalid_argument);
  options = {};
  options.cache_bytes = 1024;
  auto b = Catalogue::open(dir.file("b.db"), options);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::invalid_argument);
}

TEST(Catalogue, UpsertUpdatesInPlaceAndRemovesOrphans) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  TrackRecord a = record("/m/a.m4a", "Song A", "Artist One", "Album One");
  TrackRecord b = record("/m/b.m4a", "Song B", "Artist One", "Album One", 2000, 2);
  TrackRecord c = record("/m/c.m4a", "Song C", "Guest", "Compilation");
  c.album_artist = "Various";
  write_all(*catalogue, {a, b, c});
  auto stats = catalogue->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->tracks, 3u);
  EXPECT_EQ(stats->albums, 2u);
  EXPECT_EQ(stats->artists, 3u);  // Artist One, Guest, Various (album artist)
  auto before = catalogue->lookup(c.path);
  ASSERT_TRUE(before && before->has_value());

  // c changes its tags: Guest and Various lose their last references.
  c.artist = "Artist One";
  c.album_artist = "";
  c.album = "Album One";
  c.title = "Song C (remix)";
  c.stamp.size += 1;
  write_all(*catalogue, {c});
  auto after = catalogue->lookup(c.path);
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->id, (*before)->id);
  EXPECT_EQ((*after)->stamp, c.stamp);
  stats = catalogue->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->tracks, 3u);
  EXPECT_EQ(stats->albums, 1u);
  EXPECT_EQ(stats->artists, 1u);
  auto hits = catalogue->search("remix", 10);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, (*before)->id);
  auto stale = catalogue->search("guest", 10);
  ASSERT_TRUE(stale);
  EXPECT_TRUE(stale->empty());
}

TEST(Catalogue, GenerationsSeenMovedAndRemoved) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  write_all(*catalogue, {record("/m/a/1", "one", "x", "p"), record("/m/a/2", "two", "x", "p"),
                         record("/m/a/sub/3", "three", "y", "q"), record("/m/ab/4", "four", "x", "p"),
                         record("/m/b/5", "five", "x", "p")});
  auto first = catalogue->lookup("/m/a/2");
  ASSERT_TRUE(first && first->has_value());
  auto one = catalogue->lookup("/m/a/1");
  ASSERT_TRUE(one && one->has_value());

  auto seen = catalogue->seen_tracks();
  ASSERT_TRUE(seen);
  EXPECT_FALSE(seen->contains((*one)->id));
  seen->add((*one)->id);  // found unchanged: nothing written for it
  seen->add(1 << 20);     // past the largest id: ignored
  seen->add(-1);
  EXPECT_TRUE(seen->contains((*one)->id));
  EXPECT_FALSE(seen->contains((*first)->id));
  EXPECT_FALSE(seen->contains(1 << 20));
  EXPECT_FALSE(seen->contains(-1));
  auto generation = catalogue->begin_scan();
  ASSERT_TRUE(generation);
  EXPECT_EQ(*generation, 2);
  auto writer = catalogue->writer(*generation);
  ASSERT_TRUE(writer);
  const FileStamp moved_stamp{5, 6, 7, 8};
  auto nowhere = writer->relocate("/m/a/none", "/m/b/5", moved_stamp);
  ASSERT_TRUE(nowhere);
  EXPECT_FALSE(*nowhere);  // and /m/b/5 is still there (checked below)
  auto moved = writer->relocate("/m/a/2", "/m/a/2-renamed", moved_stamp);
  ASSERT_TRUE(moved);
  EXPECT_TRUE(*moved);
  ASSERT_TRUE(writer->record_error({"/m/a/locked", core::make_error(Errc::io, "permission denied")}));
  // "/m/a/" with a slash is the same root; /m/ab and /m/b are not under it.
  auto removed = writer->remove_unseen("/m/a/", *seen);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1u);  // /m/a/sub/3
  EXPECT_EQ(writer->commits(), 1u);

  auto relocated = catalogue->lookup("/m/a/2-renamed");
  ASSERT_TRUE(relocated && relocated->has_value());
  EXPECT_EQ((*relocated)->id, (*first)->id);
  EXPECT_EQ((*relocated)->stamp, moved_stamp);
  EXPECT_EQ((*relocated)->hash, (*first)->hash);
  auto gone = catalogue->lookup("/m/a/2");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  for (const char* path : {"/m/a/1", "/m/ab/4", "/m/b/5"}) {
    auto kept = catalogue->lookup(path);
    ASSERT_TRUE(kept);
    EXPECT_TRUE(kept->has_value()) << path;
  }
  auto stats = catalogue->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->tracks, 4u);
  EXPECT_EQ(stats->artists, 1u);  // y went with its only track
  EXPECT_EQ(stats->albums, 1u);
  EXPECT_EQ(stats->errors, 1u);
  auto by_hash = catalogue->find_by_hash((*first)->hash);
  ASSERT_TRUE(by_hash);
  EXPECT_EQ(*by_hash, std::vector<std::string>{"/m/a/2-renamed"});
  auto second = catalogue->writer(3);  // one writer at a time
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::invalid_argument);
}

// Ids far apart (most rows deleted, or set by hand) are kept as a sorted
// list, not a bit per id up to the largest: 2^40 must not cost 128 GiB.
TEST(Catalogue, SeenTracksCoverSparseAndNegativeIdsWithinTheirCharge) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  mem::MemoryTracker tracker;
  CatalogueOptions options;
  options.tracker = &tracker;
  auto catalogue = open_ok(path, options);
  ASSERT_TRUE(catalogue);
  write_all(*catalogue, {record("/m/1", "one", "x", "p"), record("/m/2", "two", "x", "p"),
                         record("/m/3", "three", "x", "p")});
  {
    RawDb raw(path);
    raw.exec("UPDATE tracks SET id = -5 WHERE path = '/m/1'; UPDATE tracks SET id = 1099511627776 WHERE path = "
             "'/m/3'");
  }
  auto account = tracker.account(Catalogue::kAccountName);
  ASSERT_TRUE(account);
  const std::size_t before = account->current();
  auto seen = catalogue->seen_tracks();
  ASSERT_TRUE(seen);
  EXPECT_EQ(account->current() - before, 8u + 3 * 8u);  // one word of bits, three ids
  for (const std::int64_t id : {std::int64_t{-5}, std::int64_t{2}, std::int64_t{1} << 40}) {
    EXPECT_FALSE(seen->contains(id));
    seen->add(id);
    EXPECT_TRUE(seen->contains(id));
  }
  for (const std::int64_t id : {std::int64_t{0}, std::int64_t{1}, std::int64_t{3}, (std::int64_t{1} << 40) + 1}) {
    seen->add(id);  // not stored: ignored
    EXPECT_FALSE(seen->contains(id)) << id;
  }
  SeenTracks moved = std::move(*seen);
  EXPECT_TRUE(moved.contains(2));
  EXPECT_FALSE(seen->contains(2));  // a moved-from set holds nothing
  seen->add(2);
  EXPECT_FALSE(seen->contains(2));
}

TEST(Catalogue, RemoveUnseenClearsOldErrorsAndEverythingUnderSlash) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  write_all(*catalogue, {record("/m/1", "one", "x", "p"), record("/n/2", "two", "x", "p")});
  {
    auto writer = catalogue->writer(1);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->record_error({"/m/bad", core::make_error(Errc::malformed, "bad")}));
    ASSERT_TRUE(writer->finish());
  }
  auto generation = catalogue->begin_scan();
  ASSERT_TRUE(generation);
  auto writer = catalogue->writer(*generation);
  ASSERT_TRUE(writer);
  auto removed = writer->remove_unseen("/", SeenTracks());
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 2u);
  auto stats = catalogue->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->tracks, 0u);
  EXPECT_EQ(stats->errors, 0u);
  EXPECT_EQ(stats->albums, 0u);
  EXPECT_EQ(stats->artists, 0u);
}

// Commit points as another connection sees them (WAL: it reads beside the writer).
TEST(Catalogue, WriterCommitsEveryBatchSizeRows) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  CatalogueOptions options;
  options.batch_size = 500;
  auto catalogue = open_ok(path, options);
  auto reader = open_ok(path);
  ASSERT_TRUE(catalogue && reader);
  auto writer = catalogue->writer(1);
  ASSERT_TRUE(writer);
  for (int i = 0; i < 1249; ++i) {
    ASSERT_TRUE(writer->upsert(record("/m/" + std::to_string(i), "t", "a", "b")));
    if (i == 498) { EXPECT_EQ(track_count(*reader), 0u); }
    if (i == 499) { EXPECT_EQ(track_count(*reader), 500u); }
    if (i == 1248) { EXPECT_EQ(track_count(*reader), 1000u); }
  }
  EXPECT_EQ(writer->commits(), 2u);
  ASSERT_TRUE(writer->finish());
  EXPECT_EQ(writer->commits(), 3u);
  EXPECT_EQ(track_count(*reader), 1249u);
}

// A snapshot reads the database as it was, whatever is committed beside it.
TEST(Catalogue, ASnapshotSeesTheDatabaseAsItWas) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  CatalogueOptions options;
  options.batch_size = 1;
  auto catalogue = open_ok(path, options);
  auto reader = open_ok(path);
  ASSERT_TRUE(catalogue && reader);
  {
    auto writer = catalogue->writer(1);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->upsert(record("/m/old", "t", "a", "b")));
    ASSERT_TRUE(writer->finish());
  }
  ASSERT_TRUE(reader->begin_snapshot());
  EXPECT_FALSE(reader->begin_snapshot());  // one at a time
  EXPECT_FALSE(reader->writer(2));         // no writer beside it
  ASSERT_TRUE(reader->lookup("/m/old").value());
  auto writer = catalogue->writer(2);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->upsert(record("/m/new", "t", "a", "b")));  // committed (batches of 1)
  EXPECT_FALSE(reader->lookup("/m/new").value());               // not in the snapshot
  reader->end_snapshot();
  EXPECT_TRUE(reader->lookup("/m/new").value());
  reader->end_snapshot();  // none held: nothing
  EXPECT_TRUE(writer->finish());
}

TEST(Catalogue, BatchOfOneCommitsEachRow) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  CatalogueOptions options;
  options.batch_size = 1;
  auto catalogue = open_ok(path, options);
  auto reader = open_ok(path);
  ASSERT_TRUE(catalogue && reader);
  auto writer = catalogue->writer(1);
  ASSERT_TRUE(writer);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(writer->upsert(record("/m/" + std::to_string(i), "t", "a", "b")));
    EXPECT_EQ(track_count(*reader), static_cast<std::uint64_t>(i + 1));
  }
  EXPECT_EQ(writer->commits(), 5u);
}

TEST(Catalogue, AFailedWriteRollsBackTheOpenBatch) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  CatalogueOptions options;
  options.batch_size = 10;
  auto catalogue = open_ok(path, options);
  ASSERT_TRUE(catalogue);
  {
    // A trigger (added by another connection) refuses one path mid-batch.
    RawDb raw(path);
    raw.exec("CREATE TRIGGER poison BEFORE INSERT ON tracks WHEN new.path LIKE '%poison%' "
             "BEGIN SELECT RAISE(ABORT, 'poisoned'); END;");
  }
  auto writer = catalogue->writer(1);
  ASSERT_TRUE(writer);
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(writer->upsert(record("/m/" + std::to_string(i), "t", "a", "b")));
  ASSERT_TRUE(writer->upsert(record("/m/new-artist", "t", "Only Here", "c")));
  const auto before = catalogue->stats();  // this connection sees its open batch
  ASSERT_TRUE(before);
  EXPECT_EQ(before->artists, 2u);
  auto failed = writer->upsert(record("/m/poison", "t", "a", "b"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::io);
  auto stats = catalogue->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->tracks, 10u);  // the first batch only
  EXPECT_EQ(stats->artists, 1u);
  EXPECT_EQ(stats->albums, 1u);
  auto lost = catalogue->lookup("/m/11");
  ASSERT_TRUE(lost);
  EXPECT_FALSE(lost->has_value());
  // The writer goes on with a new batch.
  ASSERT_TRUE(writer->upsert(record("/m/11", "t", "a", "b")));
  ASSERT_TRUE(writer->finish());
  EXPECT_EQ(track_count(*catalogue), 11u);
}

TEST(Catalogue, RefusesRecordsWithoutAPathOrWithHugeText) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  auto writer = catalogue->writer(1);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->upsert(record("/m/1", "t", "a", "b")));
  auto no_path = writer->upsert(record("", "t", "a", "b"));
  ASSERT_FALSE(no_path);
  EXPECT_EQ(no_path.error().code, Errc::invalid_argument);
  auto huge = writer->upsert(record("/m/2", std::string((64 << 10) + 1, 'x'), "a", "b"));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, Errc::invalid_argument);
  ASSERT_TRUE(writer->finish());  // the batch before them is intact
  EXPECT_EQ(track_count(*catalogue), 1u);
}

TEST(Catalogue, DroppingAWriterDiscardsItsOpenBatch) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  {
    auto writer = catalogue->writer(1);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->upsert(record("/m/1", "t", "a", "b")));
  }
  EXPECT_EQ(track_count(*catalogue), 0u);
  EXPECT_TRUE(catalogue->writer(2));  // the writer slot is free again
}

// ---- keyset pages ----

std::string fold(std::string s) {  // NOCASE: ASCII only
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A library with many ties: repeated titles, artists differing only in
// case, one album title under two album artists, equal disc/track numbers.
struct Fixture {
  std::vector<TrackRecord> records;
  std::vector<std::int64_t> ids, album_ids;  // per record, as SQLite assigns them

  Fixture() {
    const char* artists[] = {"ABBA", "abba", "Beatles", "Cher", ""};
    const char* albums[] = {"Gold", "gold", "Hits", "Zebra", ""};
    const char* titles[] = {"Intro", "intro", "Song", "Outro", "Éclair"};
    std::map<std::pair<std::string, std::string>, std::int64_t> album_keys;
    for (int i = 0; i < 157; ++i) {
      TrackRecord r = record("/lib/" + std::to_string(i), titles[(i * 7) % 5], artists[i % 5], albums[(i / 3) % 5],
                             1990 + (i % 4), 1 + (i % 3), 1 + (i % 2));
      if (i % 11 == 0) r.album_artist = "Various";
      const std::string album_artist = fold(r.album_artist.empty() ? r.artist : r.album_artist);
      // Album ids count up from 1 in order of first appearance (an upsert
      // that conflicts takes none).
      album_keys.emplace(std::make_pair(fold(r.album), album_artist), album_keys.size() + 1);
      album_ids.push_back(album_keys[{fold(r.album), album_artist}]);
      ids.push_back(i + 1);
      records.push_back(std::move(r));
    }
  }

  // Record indexes in `order`, with the filters, computed independently.
  std::vector<std::int64_t> expected(TrackOrder order, const std::optional<std::string>& artist = {},
                                     const std::optional<std::string>& album = {}) const {
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (artist && fold(records[i].artist) != fold(*artist)) continue;
      if (album && fold(records[i].album) != fold(*album)) continue;
      index.push_back(i);
    }
    auto key = [&](std::size_t i) {
      const TrackRecord& r = records[i];
      return std::make_tuple(order == TrackOrder::year ? std::int64_t(r.year) : 0,
                             order == TrackOrder::artist ? fold(r.artist) : "",
                             order == TrackOrder::title ? fold(r.title) : fold(r.album),
                             order == TrackOrder::title ? 0 : album_ids[i],
                             order == TrackOrder::title ? 0u : r.disc_number,
                             order == TrackOrder::title ? 0u : r.track_number, ids[i]);
    };
    std::sort(index.begin(), index.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<std::int64_t> out;
    for (auto i : index) out.push_back(ids[i]);
    return out;
  }
};

std::vector<std::int64_t> page_through(Catalogue& catalogue, TrackQuery query, std::size_t* pages = nullptr) {
  std::vector<std::int64_t> out;
  std::size_t count = 0;
  for (;;) {
    auto page = catalogue.list_tracks(query);
    EXPECT_TRUE(page) << (page ? "" : page.error().message);
    if (!page) break;
    ++count;
    EXPECT_LE(page->rows.size(), query.limit);
    for (const auto& row : page->rows) out.push_back(row.id);
    if (page->next_cursor.empty()) break;
    EXPECT_EQ(page->rows.size(), query.limit);
    query.after = page->next_cursor;
    if (count > 1000) break;
  }
  if (pages) *pages = count;
  return out;
}

class CatalogueKeyset : public ::testing::Test {
 protected:
  void SetUp() override {
    catalogue_ = open_ok(dir_.file("lib.db"));
    ASSERT_TRUE(catalogue_);
    write_all(*catalogue_, fixture_.records);
    for (std::size_t i = 0; i < fixture_.records.size(); ++i) {
      auto found = catalogue_->lookup(fixture_.records[i].path);
      ASSERT_TRUE(found && found->has_value());
      ASSERT_EQ((*found)->id, fixture_.ids[i]);
    }
  }
  test::TempDir dir_;
  Fixture fixture_;
  std::unique_ptr<Catalogue> catalogue_;
};

TEST_F(CatalogueKeyset, PagesConcatenateToTheWholeOrder) {
  for (TrackOrder order : {TrackOrder::artist, TrackOrder::album, TrackOrder::title, TrackOrder::year}) {
    for (std::uint32_t limit : {1u, 7u, 157u, 1000u}) {
      TrackQuery query;
      query.order = order;
      query.limit = limit;
      std::size_t pages = 0;
      EXPECT_EQ(page_through(*catalogue_, query, &pages), fixture_.expected(order))
          << "order " << int(order) << " limit " << limit;
      EXPECT_EQ(pages, (157 + limit - 1) / limit);
    }
  }
}

TEST_F(CatalogueKeyset, FiltersByArtistAndAlbum) {
  for (TrackOrder order : {TrackOrder::artist, TrackOrder::title, TrackOrder::year}) {
    TrackQuery query;
    query.order = order;
    query.limit = 5;
    query.artist = "abba";
    const auto abba = page_through(*catalogue_, query);
    EXPECT_EQ(abba, fixture_.expected(order, std::string("ABBA")));
    EXPECT_FALSE(abba.empty());
    query.album = "GOLD";
    EXPECT_EQ(page_through(*catalogue_, query), fixture_.expected(order, std::string("abba"), std::string("gold")));
    query.artist.reset();
    EXPECT_EQ(page_through(*catalogue_, query), fixture_.expected(order, {}, std::string("Gold")));
  }
  TrackQuery nobody;
  nobody.artist = "Nobody";
  auto page = catalogue_->list_tracks(nobody);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->rows.empty());
  EXPECT_TRUE(page->next_cursor.empty());
}

TEST_F(CatalogueKeyset, RowsCarryTheTrackFields) {
  TrackQuery query;
  query.order = TrackOrder::title;
  query.limit = 1000;
  auto page = catalogue_->list_tracks(query);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->rows.size(), fixture_.records.size());
  for (const auto& row : page->rows) {
    const TrackRecord& r = fixture_.records[static_cast<std::size_t>(row.id - 1)];
    EXPECT_EQ(row.path, r.path);
    EXPECT_EQ(row.title, r.title);
    EXPECT_EQ(row.artist, r.artist);
    EXPECT_EQ(row.album, r.album);
    EXPECT_EQ(row.year, r.year);
    EXPECT_EQ(row.track_number, r.track_number);
    EXPECT_EQ(row.disc_number, r.disc_number);
    EXPECT_EQ(row.duration_ms, r.duration_ms);
    EXPECT_EQ(row.codec, "aac");
  }
}

TEST_F(CatalogueKeyset, ACursorIsStableUnderInserts) {
  TrackQuery query;
  query.order = TrackOrder::title;
  query.limit = 20;
  auto first = catalogue_->list_tracks(query);
  ASSERT_TRUE(first);
  const std::int64_t last = first->rows.back().id;
  // One row sorting before the cursor, one after it.
  write_all(*catalogue_, {record("/lib/new-a", "Aaa first", "ABBA", "Gold"),
                          record("/lib/new-z", "Éclair zzz", "ABBA", "Gold")});
  query.after = first->next_cursor;
  query.limit = 1000;
  auto rest = catalogue_->list_tracks(query);
  ASSERT_TRUE(rest);
  auto all = fixture_.expected(TrackOrder::title);
  const auto at = std::find(all.begin(), all.end(), last);
  ASSERT_NE(at, all.end());
  std::vector<std::int64_t> expected(at + 1, all.end());
  expected.push_back(159);  // "Éclair zzz" sorts last; "Aaa first" (158) is behind the cursor
  std::vector<std::int64_t> got;
  for (const auto& row : rest->rows) got.push_back(row.id);
  EXPECT_EQ(got, expected);
}

TEST_F(CatalogueKeyset, BadCursorsAndLimitsAreRefused) {
  TrackQuery title;
  title.order = TrackOrder::title;
  title.limit = 3;
  auto page = catalogue_->list_tracks(title);
  ASSERT_TRUE(page);
  const std::string good = page->next_cursor;
  ASSERT_FALSE(good.empty());
  auto albums = catalogue_->list_albums("", 2);
  ASSERT_TRUE(albums);
  const std::vector<std::string> bad = {
      "garbage", "t", "t.", "t.zz.1", "t.6.1", "t.61.x", "t.61.1.2", "t.61.", "t.61.99999999999999999999",
      good.substr(0, good.size() - 1) + ".", albums->next_cursor, "a" + good.substr(1), std::string(20000, 't'),
      good + ".5", "t.61.-"};
  for (const auto& cursor : bad) {
    title.after = cursor;
    auto r = catalogue_->list_tracks(title);
    ASSERT_FALSE(r) << cursor;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << cursor;
  }
  auto wrong_kind = catalogue_->list_artists(good, 5);
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().code, Errc::invalid_argument);
  title.after.clear();
  for (std::uint32_t limit : {0u, kMaxPageRows + 1}) {
    title.limit = limit;
    auto r = catalogue_->list_tracks(title);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
  EXPECT_FALSE(catalogue_->list_albums("", 0));
  EXPECT_FALSE(catalogue_->search("x", 0));
}

TEST_F(CatalogueKeyset, AlbumsAndArtistsPage) {
  // Expected: NOCASE-distinct names, each named by its first spelling.
  std::map<std::string, std::string> artists;  // folded → spelling
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::string>> albums;
  for (std::size_t i = 0; i < fixture_.records.size(); ++i) {
    const TrackRecord& r = fixture_.records[i];
    const std::string& album_artist = r.album_artist.empty() ? r.artist : r.album_artist;
    artists.emplace(fold(r.artist), r.artist);
    artists.emplace(fold(album_artist), album_artist);
    albums.emplace(std::make_pair(fold(r.album), fold(album_artist)), std::make_pair(fixture_.album_ids[i], r.album));
  }
  std::vector<std::string> names;
  std::string after;
  do {
    auto page = catalogue_->list_artists(after, 2);
    ASSERT_TRUE(page);
    for (const auto& row : page->rows) names.push_back(row.name);
    after = page->next_cursor;
  } while (!after.empty());
  std::vector<std::string> expected_names;
  for (const auto& [folded, spelling] : artists) expected_names.push_back(spelling);
  EXPECT_EQ(names, expected_names);

  std::vector<std::tuple<std::string, std::int64_t>> expected_albums;
  for (const auto& [key, value] : albums) expected_albums.emplace_back(key.first, value.first);
  std::sort(expected_albums.begin(), expected_albums.end());
  std::vector<std::tuple<std::string, std::int64_t>> got;
  std::uint64_t tracks = 0;
  do {
    auto page = catalogue_->list_albums(after, 3);
    ASSERT_TRUE(page);
    for (const auto& row : page->rows) {
      got.emplace_back(fold(row.title), row.id);
      tracks += row.track_count;
      EXPECT_NE(row.year, 0u);
    }
    after = page->next_cursor;
  } while (!after.empty());
  EXPECT_EQ(got, expected_albums);
  EXPECT_EQ(tracks, fixture_.records.size());
}

// ---- search ----

TEST(CatalogueSearch, PrefixWordsRankedByBm25) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  write_all(*catalogue, {record("/s/1", "Hello World", "Beatles", "Abbey"), record("/s/2", "Help!", "Beatles", "Help"),
                         record("/s/3", "Yellow Submarine", "Beatles", "Revolver"),
                         record("/s/4", "Love Me Do", "Someone", "Singles"), record("/s/5", "Love", "Love", "Love"),
                         record("/s/6", "Crème brûlée", "Chef", "Desserts")});
  auto ids = [&](std::string_view term) {
    auto hits = catalogue->search(term, 50);
    EXPECT_TRUE(hits) << term;
    std::vector<std::int64_t> out;
    if (hits)
      for (const auto& row : *hits) out.push_back(row.id);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids("hel"), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ids("beat yell"), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(ids("creme"), (std::vector<std::int64_t>{6}));  // diacritics folded
  EXPECT_EQ(ids("help!"), (std::vector<std::int64_t>{2}));
  auto love = catalogue->search("love", 10);
  ASSERT_TRUE(love);
  ASSERT_EQ(love->size(), 2u);
  EXPECT_EQ((*love)[0].id, 5);  // "love" in every column ranks first
  auto one = catalogue->search("love", 1);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, 5);
}

TEST(CatalogueSearch, HostileTextIsSafe) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  write_all(*catalogue, {record("/s/1", "NEAR the end", "AND", "OR NOT"), record("/s/2", "quote \"me\"", "x", "y")});
  const std::vector<std::string> hostile = {
      "", "   ", "\"", "\"\"\"", "*", "**", "-", "-near", "(", ")", "((a", "a)", "NEAR(", "NEAR(a b, 3)", "AND",
      "OR", "NOT", "title:", "title:near", "{title artist}: x", "^near", "a + b", "«»", "—", "\x01\x02",
      "quote \"me", "'; DROP TABLE tracks; --", std::string(1024, '('), "\xff\xfe", "near*"};
  for (const auto& term : hostile) {
    auto hits = catalogue->search(term, 10);
    ASSERT_TRUE(hits) << term << ": " << hits.error().message;
  }
  auto near = catalogue->search("NEAR(", 10);
  ASSERT_TRUE(near);
  ASSERT_EQ(near->size(), 1u);  // the word "near", not the operator
  auto both = catalogue->search("and or not", 10);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->size(), 1u);
  auto quoted = catalogue->search("\"me\"", 10);
  ASSERT_TRUE(quoted);
  ASSERT_EQ(quoted->size(), 1u);
  EXPECT_EQ((*quoted)[0].id, 2);
  EXPECT_TRUE(catalogue->search("", 10)->empty());
  auto too_long = catalogue->search(std::string(1025, 'a'), 10);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::invalid_argument);
  EXPECT_EQ(track_count(*catalogue), 2u);
}

TEST(CatalogueSearch, QueryTextIsQuotedPrefixWords) {
  EXPECT_EQ(fts_query("Hello, wor"), "\"Hello\"* \"wor\"*");
  EXPECT_EQ(fts_query("NEAR(a\"b"), "\"NEAR\"* \"a\"* \"b\"*");
  EXPECT_EQ(fts_query("*-()\""), "");
  EXPECT_EQ(fts_query("brûlée"), "\"brûlée\"*");
}

// ---- memory, pressure, threads ----

TEST(CatalogueMemory, CacheChargedAndReleasedUnderPressure) {
  mem::MemoryTracker tracker;
  mem::ManualPressureSource source(&tracker);
  ASSERT_TRUE(tracker.add_source(source));
  test::TempDir dir;
  CatalogueOptions options;
  options.cache_bytes = 512 << 10;
  options.tracker = &tracker;
  auto account = tracker.account(Catalogue::kAccountName);
  ASSERT_TRUE(account);
  {
    auto catalogue = open_ok(dir.file("lib.db"), options);
    ASSERT_TRUE(catalogue);
    EXPECT_EQ(account->current(), options.cache_bytes);
    std::vector<TrackRecord> records;
    for (int i = 0; i < 3000; ++i)
      records.push_back(record("/m/" + std::to_string(i) + std::string(100, 'p'), "title " + std::to_string(i),
                               "artist " + std::to_string(i % 50), "album " + std::to_string(i % 300)));
    write_all(*catalogue, records);
    TrackQuery query;
    query.limit = 1000;
    for (int i = 0; i < 3; ++i) {
      auto page = catalogue->list_tracks(query);
      ASSERT_TRUE(page);
      query.after = page->next_cursor;
    }
    const std::size_t used = catalogue->cache_used();
    RecordProperty("cache_used_bytes", std::to_string(used));
    // Measured: the cache fills to its cap and no further (SQLite counts
    // each page with its header, ~5% over the page bytes).
    EXPECT_GT(used, options.cache_bytes / 2);
    EXPECT_LE(used, options.cache_bytes + options.cache_bytes / 8);
    source.set(mem::PressureLevel::high);
    EXPECT_EQ(tracker.dispatch(), mem::PressureLevel::high);
    const std::size_t released = catalogue->cache_used();
    RecordProperty("cache_used_after_high_bytes", std::to_string(released));
    EXPECT_LT(released, used / 4) << "before " << used;
    tracker.remove_source(source);
    {
      auto seen = catalogue->seen_tracks();  // ids 1..3000: 47 words
      ASSERT_TRUE(seen);
      EXPECT_EQ(account->current(), options.cache_bytes + (3000 / 64 + 1) * 8);
    }
    EXPECT_EQ(account->current(), options.cache_bytes);
    ASSERT_TRUE(tracker.account(Catalogue::kAccountName, options.cache_bytes));  // a hard limit now
    auto refused = catalogue->seen_tracks();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::out_of_memory);
  }
  EXPECT_EQ(account->current(), 0u);
}

TEST(Catalogue, AMissingFileIsNotCreatedWhenCreateIsOff) {
  test::TempDir dir;
  CatalogueOptions options;
  options.create = false;
  auto missing = Catalogue::open(dir.file("typo.db"), options);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
  EXPECT_EQ(missing.error().os_error, ENOENT);
  EXPECT_FALSE(std::filesystem::exists(dir.file("typo.db")));
  ASSERT_TRUE(open_ok(dir.file("lib.db")));  // made by a writer
  EXPECT_TRUE(Catalogue::open(dir.file("lib.db"), options));
}

TEST(Catalogue, FindByHashReturnsAtMostKMaxHashMatches) {
  test::TempDir dir;
  auto catalogue = open_ok(dir.file("lib.db"));
  ASSERT_TRUE(catalogue);
  std::vector<TrackRecord> copies;
  for (int i = 0; i < 40; ++i) copies.push_back(record("/m/copy" + std::to_string(i), "t", "a", "b"));
  for (TrackRecord& r : copies) r.hash = copies.front().hash;  // one content, 40 paths
  write_all(*catalogue, copies);
  auto paths = catalogue->find_by_hash(copies.front().hash);
  ASSERT_TRUE(paths);
  ASSERT_EQ(paths->size(), Catalogue::kMaxHashMatches);
  EXPECT_EQ(paths->front(), "/m/copy0");  // by id: the first written
}

TEST(CatalogueMemory, RefusedChargeFailsOpen) {
  mem::MemoryTracker tracker;
  ASSERT_TRUE(tracker.account(Catalogue::kAccountName, 100 << 10));
  test::TempDir dir;
  CatalogueOptions options;
  options.cache_bytes = 512 << 10;
  options.tracker = &tracker;
  auto catalogue = Catalogue::open(dir.file("lib.db"), options);
  ASSERT_FALSE(catalogue);
  EXPECT_EQ(catalogue.error().code, Errc::out_of_memory);
  EXPECT_FALSE(std::filesystem::exists(dir.file("lib.db")));
}

TEST(CatalogueThreads, AReaderOnAnotherThreadSeesCommittedRowsWhileAWriterWrites) {
  test::TempDir dir;
  const std::string path = dir.file("lib.db");
  CatalogueOptions options;
  options.batch_size = 100;
  auto catalogue = open_ok(path, options);
  ASSERT_TRUE(catalogue);
  auto writer = catalogue->writer(1);
  ASSERT_TRUE(writer);
  for (int i = 0; i < 150; ++i) ASSERT_TRUE(writer->upsert(record("/m/" + std::to_string(i), "t", "a", "b")));
  // 100 committed, 50 in the open write transaction.
  std::uint64_t seen = 0, listed = 0;
  bool ok = false;
  std::thread reader([&] {
    auto other = Catalogue::open(path);  // one Catalogue per thread
    if (!other) return;
    auto stats = (*other)->stats();
    TrackQuery query;
    query.limit = 1000;
    auto page = (*other)->list_tracks(query);
    ok = stats && page;
    if (ok) {
      seen = stats->tracks;
      listed = page->rows.size();
    }
  });
  reader.join();
  EXPECT_TRUE(ok);
  EXPECT_EQ(seen, 100u);
  EXPECT_EQ(listed, 100u);
  ASSERT_TRUE(writer->finish());
  EXPECT_EQ(track_count(*catalogue), 150u);
}

}  // namespace
}  // namespace frugal::library
