// The catalogue on 10,000 synthetic tracks (200 artists, 1,000 albums of 10
// tracks): (a) a 50-row page in artist order at depth 0%, 50% and 99%,
// through Catalogue::list_tracks (keyset cursor) beside the same rows read
// with LIMIT/OFFSET on a second connection (same SQL columns and order, the
// same page cache size); (b) writing all 10,000 rows through
// Catalogue::Writer in batches of 500 beside one row per transaction.
// The database lives in the system temp folder, made before the runs.
// Run: build/bench/bench/library_bench [--benchmark_filter=...]
#include <frugal/library/catalogue.hpp>

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

using frugal::library::Catalogue;
using frugal::library::CatalogueOptions;
using frugal::library::TrackOrder;
using frugal::library::TrackQuery;
using frugal::library::TrackRecord;

constexpr int kRows = 10000;
constexpr std::uint32_t kPage = 50;

TrackRecord synthetic(int i) {
  TrackRecord r;
  r.path = "/music/artist" + std::to_string(i % 200) + "/album" + std::to_string(i / 10) + "/" +
           std::to_string(i % 10) + ".m4a";
  r.stamp = {4'000'000u + static_cast<std::uint64_t>(i), 1'700'000'000'000'000'000LL + i,
             static_cast<std::uint64_t>(i) + 1, 2049};
  r.hash = {0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(i + 1), static_cast<std::uint64_t>(i)};
  r.container = "mp4";
  r.codec = "aac";
  r.sample_rate = 44100;
  r.channels = 2;
  r.duration_ms = 180000 + static_cast<std::uint64_t>(i % 1000);
  r.title = "Track " + std::to_string(i % 97) + " of album " + std::to_string(i / 10);
  r.artist = "Artist " + std::to_string((i / 10) % 200);
  r.album = "Album " + std::to_string(i / 10);
  r.genre = "Pop";
  r.year = 1970 + static_cast<std::uint32_t>(i % 50);
  r.track_number = 1 + static_cast<std::uint32_t>(i % 10);
  r.disc_number = 1;
  return r;
}

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("frugal_library_bench_" + std::to_string(getpid()) + "_" + name);
}

void remove_db(const std::filesystem::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

bool fill(Catalogue& catalogue) {
  auto generation = catalogue.begin_scan();
  if (!generation) return false;
  auto writer = catalogue.writer(*generation);
  if (!writer) return false;
  for (int i = 0; i < kRows; ++i)
    if (!writer->upsert(synthetic(i))) return false;
  return static_cast<bool>(writer->finish());
}

// The 10,000-row catalogue, and the cursor before each depth's page.
struct Library {
  std::filesystem::path path = scratch("pages.db");
  std::unique_ptr<Catalogue> catalogue;
  std::string cursor[3];  // 0%, 50%, 99%
  std::int64_t offset[3] = {0, kRows / 2, kRows * 99 / 100};

  Library() {
    remove_db(path);
    auto opened = Catalogue::open(path.string());
    if (!opened) return;
    catalogue = std::move(*opened);
    if (!fill(*catalogue)) {
      catalogue.reset();
      return;
    }
    for (int d = 1; d < 3; ++d) {
      TrackQuery query;
      std::int64_t skipped = 0;
      while (skipped < offset[d]) {
        query.limit = static_cast<std::uint32_t>(std::min<std::int64_t>(offset[d] - skipped, 1000));
        auto page = catalogue->list_tracks(query);
        if (!page) return;
        skipped += static_cast<std::int64_t>(page->rows.size());
        query.after = page->next_cursor;
      }
      cursor[d] = query.after;
    }
  }
  ~Library() {
    catalogue.reset();
    remove_db(path);
  }
};

Library& library() {
  static Library lib;
  return lib;
}

void BM_PageKeyset(benchmark::State& state) {
  Library& lib = library();
  if (!lib.catalogue) return state.SkipWithError("building the catalogue failed");
  TrackQuery query;
  query.order = TrackOrder::artist;
  query.limit = kPage;
  query.after = lib.cursor[state.range(0)];
  for (auto _ : state) {
    auto page = lib.catalogue->list_tracks(query);
    if (!page || page->rows.size() != kPage) return state.SkipWithError("page query failed");
    benchmark::DoNotOptimize(page->rows.data());
  }
}

// The same rows by OFFSET: SQLite steps over every row before the page.
void BM_PageOffset(benchmark::State& state) {
  Library& lib = library();
  if (!lib.catalogue) return state.SkipWithError("building the catalogue failed");
  sqlite3* db = nullptr;
  sqlite3_open_v2(lib.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_exec(db, "PRAGMA cache_size = -2048", nullptr, nullptr, nullptr);  // CatalogueOptions' default
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(
      db,
      "SELECT id, path, title, artist, album, codec, year, track_number, disc_number, duration_ms, album_id "
      "FROM tracks ORDER BY artist, album, album_id, disc_number, track_number, id LIMIT ?1 OFFSET ?2",
      -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    return state.SkipWithError("prepare failed");
  }
  for (auto _ : state) {
    sqlite3_bind_int64(stmt, 1, kPage);
    sqlite3_bind_int64(stmt, 2, lib.offset[state.range(0)]);
    std::vector<frugal::library::TrackRow> rows;
    rows.reserve(kPage);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      frugal::library::TrackRow row;
      row.id = sqlite3_column_int64(stmt, 0);
      row.path = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
      row.title = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2));
      row.artist = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      row.album = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 4));
      row.codec = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 5));
      row.year = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 6));
      row.track_number = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 7));
      row.disc_number = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 8));
      row.duration_ms = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 9));
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    if (rows.size() != kPage) {
      state.SkipWithError("offset query failed");
      break;
    }
    benchmark::DoNotOptimize(rows.data());
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// 10,000 upserts into a fresh catalogue, committed every range(0) rows.
void BM_Insert(benchmark::State& state) {
  const auto path = scratch("insert.db");
  CatalogueOptions options;
  options.batch_size = static_cast<std::uint32_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    remove_db(path);
    auto catalogue = Catalogue::open(path.string(), options);
    state.ResumeTiming();
    if (!catalogue || !fill(**catalogue)) {
      state.SkipWithError("insert failed");
      break;
    }
  }
  remove_db(path);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows) * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}

BENCHMARK(BM_PageKeyset)->DenseRange(0, 2)->ArgName("depth");
BENCHMARK(BM_PageOffset)->DenseRange(0, 2)->ArgName("depth");
BENCHMARK(BM_Insert)->Arg(500)->Arg(1)->ArgName("batch")->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
