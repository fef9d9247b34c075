#pragma once
// A scan into the catalogue: the scanner (scanner.hpp) walks and reads, the
// catalogue (catalogue.hpp) stores, and this joins them into the media
// library's incremental scan:
// - a file whose stat stamp (size, mtime, inode, device) equals its row's
//   is neither hashed nor parsed nor written (the scanner's `unchanged`,
//   answered from a second connection that only reads, in one snapshot,
//   under a lock: it is asked on the I/O workers while the writer's
//   connection stays on the run() thread); its id goes into a SeenTracks
//   bitmap, so an unchanged rescan writes nothing but its scan number;
// - a new path whose content hash belongs to a row whose path is gone, and
//   not under a root that is away (missing, or an empty folder: the mount
//   point of a card taken out), is that row moved (relocate: the same id,
//   so what refers to it survives);
// - rows are written through the catalogue's batched Writer (one
//   transaction per batch_size rows), so a scan killed at any moment leaves
//   every committed batch, and the next scan resumes: what was committed is
//   unchanged, hence not read again;
// - only a scan that completed deletes the rows under its roots it did not
//   see (files deleted since): a cancelled or failed scan deletes nothing,
//   and the rows of any path the scan could not read stay (a file that no
//   longer parses keeps its row; a folder denied or too deep, a missing
//   root, an empty root that had tracks keep the rows under them; the
//   last two are reported in failed_roots).
// Thread-safety: one LibraryScan runs at a time on a catalogue; cancel()
// may be called from any thread.

#include <frugal/core/result.hpp>
#include <frugal/library/catalogue.hpp>
#include <frugal/library/scanner.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace frugal::library {

struct LibraryScanOptions {
  /// The scanner's options; `unchanged` is set by the scan.
  ScanOptions scan;
  /// Called with the scanner's progress (every scan.progress_every files
  /// and at the end) on the run() thread; false cancels. May be empty.
  std::function<bool(const ScanProgress&)> progress;
};

/// What a scan did to the catalogue.
struct LibraryScanReport {
  ScanStats stats;               ///< the scanner's counters and phase times
  std::uint64_t added = 0;       ///< new rows
  std::uint64_t updated = 0;     ///< rows of a changed file (same path)
  std::uint64_t moved = 0;       ///< rows relocated to a new path (same content)
  std::uint64_t unchanged = 0;   ///< rows whose file was not read
  std::uint64_t removed = 0;     ///< rows of files gone (complete scans only)
  std::uint64_t errors = 0;      ///< scan errors recorded
  std::uint64_t commits = 0;     ///< write transactions
  std::int64_t generation = 0;   ///< the catalogue's scan generation
  /// Roots that could not be read (missing, unreadable) and why: their
  /// rows stay.
  std::vector<ScanError> failed_roots;
};

class LibraryScan {
 public:
  /// `catalogue` (opened from `database`, the same file) must outlive the
  /// scan. The lookups open `database` a second time (a 256 KiB page
  /// cache), for the length of run().
  LibraryScan(Catalogue& catalogue, std::string database, LibraryScanOptions options);

  /// Scans `roots` (folders or files; relative ones resolved against the
  /// working folder, trailing slashes ignored). Errors: Errc::cancelled (cancel(),
  /// or a progress callback returning false: what was committed stays);
  /// the catalogue's (Errc::io...) and the scanner's.
  core::Result<LibraryScanReport> run(std::span<const std::string> roots);

  /// Stops a run() in progress soon (it returns Errc::cancelled).
  void cancel() noexcept;

 private:
  bool unchanged(const std::string& path, const FileStamp& stamp);
  // A ScanError's path keeps its rows (a file its own, a folder those under
  // it); the count kept.
  core::Result<std::uint64_t> keep_under(const std::string& path);

  Catalogue& catalogue_;
  std::string database_;
  LibraryScanOptions options_;
  std::mutex lookup_mutex_;              // guards lookup_ and seen_ (asked on the I/O workers)
  std::unique_ptr<Catalogue> lookup_;    // the read-only connection, during run()
  SeenTracks seen_;                      // the unchanged rows found, during run()
  Scanner scanner_;
};

}  // namespace frugal::library
