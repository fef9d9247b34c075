// Batch EXR header scans on worker threads (posix builds only: see
// include/frugal/assets/exr_batch.hpp); the threads are worker_pool's.
#include <frugal/assets/exr_batch.hpp>
#include <frugal/core/file_source.hpp>

#include "assets/worker_pool.hpp"

#include <chrono>

namespace frugal::assets {

using core::Errc;
using core::make_error;

core::Result<ExrScanSummary> exr_scan_headers(std::span<const std::string> paths, std::span<ExrScanItem> results,
                                              const ExrScanOptions& options) {
  if (results.size() != paths.size())
    return make_error(Errc::invalid_argument, "EXR scan: results and paths differ in size");
  if (options.threads == 0) return make_error(Errc::invalid_argument, "EXR scan: no worker threads asked for");
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_CHECK(tracker.account(kExrHeaderAccount));  // a refused account fails the batch, not every file

  ExrScanSummary summary;
  if (paths.empty()) return summary;
  for (ExrScanItem& item : results) item = ExrScanItem{};
  const auto scan = [&](std::size_t, std::size_t i) {
    ExrScanItem& item = results[i];  // each index is written by one worker only
    auto file = core::FileSource::open(paths[i].c_str());
    if (!file) {
      item.header = file.error();
      return false;
    }
    item.file_bytes = file->size().value_or(0);
    core::CountingSource counted(*file);
    item.header = read_exr_header(counted, options.limits, &tracker);
    item.bytes_read = counted.bytes_read();
    return static_cast<bool>(item.header);
  };
  const auto start = std::chrono::steady_clock::now();
  const detail::PoolRun run = detail::run_worker_pool(paths.size(), options.threads, scan, options.progress);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  summary.attempted = run.done;
  summary.failed = run.failed;
  summary.ok = run.done - run.failed;
  for (const ExrScanItem& item : results) {
    summary.bytes_read += item.bytes_read;
    summary.file_bytes += item.file_bytes;
  }
  summary.threads = run.threads;
  summary.cancelled = run.cancelled;
  return summary;
}

}  // namespace frugal::assets
