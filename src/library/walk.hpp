#pragma once
// Internal: the scan's folder walk. Iterative depth-first: a stack of open
// folders (openat + fdopendir, one level per depth), so memory grows with
// the depth, not the number of entries.

#include <frugal/core/result.hpp>
#include <frugal/library/record.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <atomic>
#include <functional>
#include <span>
#include <string>

namespace frugal::library::detail {

struct WalkOptions {
  unsigned max_depth = 32;  ///< folders below a root entered at most this deep
  mem::Account account;     ///< charged per open folder and visited folder
  const std::atomic<bool>* stop = nullptr;  ///< checked per entry
};

/// Walks `roots`: calls `file(path)` for each regular file (absolute path,
/// symlinks unresolved) and `error(ScanError)` for each entry that cannot be
/// read; either returning false stops the walk (returns ok). Hidden names
/// skipped, symlinks followed, a folder already visited ((st_dev, st_ino))
/// not entered again, special files ignored.
/// Errors: Errc::out_of_memory (the account's budget).
core::Result<void> walk(std::span<const std::string> roots, const WalkOptions& options,
                        const std::function<bool(std::string&&)>& file,
                        const std::function<bool(ScanError&&)>& error);

/// `path` made absolute against the current directory (not resolved), no
/// trailing slash (but "/"). Errors: Errc::io when the current directory is
/// unknown.
core::Result<std::string> absolute_path(const std::string& path);

/// A ScanError for `path` from errno `os_error`.
ScanError os_scan_error(std::string path, const char* message, int os_error);

}  // namespace frugal::library::detail
