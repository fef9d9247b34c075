#pragma once
// Batch EXR header scans: the headers of many OpenEXR files (a render
// folder catalogued) read by read_exr_header on a small pool of worker
// threads, with per-file results in the order given, serialized progress
// reports, cancellation, and the totals a catalogue reports (files/s, MB/s).
//
// Hosted only: the implementation (src/assets/exr_batch.cpp) is compiled
// into frugal_assets on the posix platform alone (POSIX threads, files
// opened by path), as hal_batch is; a bare-metal build has this header but
// no exr_scan_headers — loop over read_exr_header there.
//
// Memory: each file is read as read_exr_header reads it (its 4 KiB window
// charged to "assets/exr_header" while it runs), and each accepted file's
// ExrHeader stays in `results`, charged to the same account, for as long as
// the caller keeps it (a few KiB for a typical file; over the tracker's
// budget a file fails with Errc::out_of_memory and the batch goes on).
// Workers other than the calling thread run on 256 KiB stacks (address
// space, mapped, not tracked).

#include <frugal/assets/batch_progress.hpp>
#include <frugal/assets/exr_header.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace frugal::assets {

struct ExrScanOptions {
  /// Worker threads, at least 1; 1 reads on the calling thread (no thread
  /// is started). Capped at the file count and at 64.
  unsigned threads = 2;
  /// Caps applied to every file (read_exr_header's).
  ExrLimits limits;
  /// Tracker charged for the headers (kExrHeaderAccount); nullptr:
  /// mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
  /// Optional (empty: no reports, no cancellation); BatchProgress counts files.
  BatchProgressFn progress;
};

/// One file's outcome. Before the batch reaches it, `header` holds the
/// "not attempted" error below.
struct ExrScanItem {
  std::uint64_t file_bytes = 0;  ///< the file's size when opened (0 when it could not be opened)
  std::uint64_t bytes_read = 0;  ///< bytes read from it (headers and read-ahead; never pixels)
  /// The headers, or why the file failed: FileSource::open's Errc::io,
  /// read_exr_header's errors, or Errc::end_of_stream
  /// "EXR scan: not attempted (cancelled)".
  core::Result<ExrHeader> header = core::make_error(core::Errc::end_of_stream, "EXR scan: not attempted (cancelled)");
};

/// What a batch did. MB are 10^6 bytes; rates are over the wall time.
struct ExrScanSummary {
  std::size_t attempted = 0;       ///< files read (successfully or not); < total after cancellation
  std::size_t ok = 0;              ///< files whose headers read and validated
  std::size_t failed = 0;          ///< attempted files that failed
  std::uint64_t bytes_read = 0;    ///< bytes read from all attempted files (the I/O the scan cost)
  std::uint64_t file_bytes = 0;    ///< sizes of all attempted files (the bytes catalogued)
  double seconds = 0;              ///< wall time of the whole batch
  unsigned threads = 0;            ///< workers that ran
  bool cancelled = false;          ///< the progress callback returned false

  /// attempted / seconds (0 when no time passed).
  double files_per_second() const noexcept { return seconds > 0 ? static_cast<double>(attempted) / seconds : 0; }
  /// Catalogued throughput: file_bytes / 10^6 / seconds.
  double file_mb_per_second() const noexcept { return seconds > 0 ? static_cast<double>(file_bytes) / 1e6 / seconds : 0; }
  /// I/O throughput: bytes_read / 10^6 / seconds.
  double read_mb_per_second() const noexcept { return seconds > 0 ? static_cast<double>(bytes_read) / 1e6 / seconds : 0; }
};

/// Reads the headers of the OpenEXR files at `paths` into `results` (same
/// size, same order: results[i] is paths[i]'s), each opened with
/// core::FileSource and read by read_exr_header, on options.threads workers
/// that take the next file in turn. One file's failure never stops the
/// others. Returns once every worker has stopped.
/// Errors (the batch did not run; `results` untouched):
/// Errc::invalid_argument (results.size() != paths.size(), threads = 0);
/// the tracker's for the account (Errc::invalid_argument,
/// Errc::limit_exceeded).
/// Thread-safety: the call itself is reentrant (batches on distinct results).
core::Result<ExrScanSummary> exr_scan_headers(std::span<const std::string> paths, std::span<ExrScanItem> results,
                                              const ExrScanOptions& options = {});

}  // namespace frugal::assets
