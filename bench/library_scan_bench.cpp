// Scans of a generated music library into a fresh catalogue (LibraryScan:
// walk, XXH3-128, tags and facts, batched SQLite writes), side by side in
// one run:
//   Scan/default        io 1, cpu 2 workers, batches of 500 rows
//   Scan/single_thread  io 1, cpu 1 worker (every stage one thread)
//   Scan/row_per_commit io 1, cpu 2, one row per transaction
//   Rescan/unchanged    the same library again: nothing changed, nothing read
// Counters: files/s and audio files. Each run scans into its own database
// (removed before), with the page cache warm (every run after the first
// reads the same files): what is compared is the pipeline, not the card.
// Make the library first:
//   scripts/make-library.py /tmp/frugal-library --count 10000
//   FRUGAL_LIBRARY_DIR=/tmp/frugal-library build/bench/bench/library_scan_bench
#include <frugal/library/library_scan.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace frugal::library;

std::string library_dir() {
  const char* dir = std::getenv("FRUGAL_LIBRARY_DIR");
  return dir ? fs::absolute(dir).lexically_normal().string() : std::string();
}

std::string database(const char* name) { return (fs::temp_directory_path() / name).string(); }

void remove_database(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
}

// One scan of the library into `db` (made fresh unless `keep`).
void scan(benchmark::State& state, const std::string& db, unsigned cpu_workers, std::uint32_t batch, bool keep) {
  const std::string root = library_dir();
  if (root.empty() || !fs::is_directory(root)) {
    state.SkipWithError("set FRUGAL_LIBRARY_DIR to a folder made by scripts/make-library.py");
    return;
  }
  LibraryScanReport report;
  for (auto _ : state) {
    state.PauseTiming();
    if (!keep) remove_database(db);
    CatalogueOptions options;
    options.batch_size = batch;
    auto catalogue = Catalogue::open(db, options);
    if (!catalogue) {
      state.SkipWithError(catalogue.error().message);
      return;
    }
    LibraryScanOptions scan_options;
    scan_options.scan.io_workers = 1;
    scan_options.scan.cpu_workers = cpu_workers;
    LibraryScan library_scan(**catalogue, db, scan_options);
    const std::string roots[] = {root};
    state.ResumeTiming();
    auto r = library_scan.run(roots);
    if (!r) {
      state.SkipWithError(r.error().message);
      return;
    }
    report = *r;
  }
  state.counters["files"] = double(report.stats.files_discovered);
  state.counters["tracks"] = double(report.added + report.unchanged);
  state.counters["read"] = double(report.added);
  state.counters["files/s"] = benchmark::Counter(double(report.stats.files_discovered), benchmark::Counter::kIsRate);
  // Seconds in each phase, summed over its threads.
  state.counters["walk_s"] = report.stats.discovery_seconds;
  state.counters["io_s"] = report.stats.hashing_seconds;
  state.counters["parse_s"] = report.stats.parsing_seconds;
  state.counters["write_s"] = report.stats.sink_seconds;
}

void BM_Scan_default(benchmark::State& state) { scan(state, database("frugal-bench-default.db"), 2, 500, false); }
void BM_Scan_single_thread(benchmark::State& state) { scan(state, database("frugal-bench-single.db"), 1, 500, false); }
void BM_Scan_row_per_commit(benchmark::State& state) { scan(state, database("frugal-bench-row.db"), 2, 1, false); }
// After BM_Scan_default, whose database it scans again.
void BM_Rescan_unchanged(benchmark::State& state) { scan(state, database("frugal-bench-default.db"), 2, 500, true); }

BENCHMARK(BM_Scan_default)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Scan_single_thread)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Scan_row_per_commit)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Rescan_unchanged)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
