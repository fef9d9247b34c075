#include <frugal/library/library_scan.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <sys/stat.h>

namespace frugal::library {

using core::Errc;
using core::make_error;

namespace {

// Whether nothing is at `path` any more (a moved file's old name).
bool gone(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) != 0 && errno == ENOENT;
}

// Whether `path` is `root` or below it.
bool under(std::string_view path, std::string_view root) {
  if (root == "/") return path.starts_with('/');
  return path.starts_with(root) && (path.size() == root.size() || path[root.size()] == '/');
}

// The roots as the walk reports them and as rows store paths: absolute,
// normalized, without a trailing slash ("music/" and "/x/music" are one root).
core::Result<std::vector<std::string>> normalized(std::span<const std::string> roots) {
  std::vector<std::string> out;
  for (const std::string& root : roots) {
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(root, ec);
    if (ec) return core::Error{Errc::io, "library scan: cannot resolve a root", core::Error::kNoOffset, ec.value()};
    std::string path = absolute.lexically_normal().string();
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    out.push_back(std::move(path));
  }
  return out;
}

// The roots that are away: missing, or an empty folder (the mount point an
// unmounted card leaves). No file under them is taken as moved elsewhere,
// else a copy on another root would take over the rows of a card merely away.
std::vector<std::string> away(std::span<const std::string> roots) {
  std::vector<std::string> out;
  for (const std::string& root : roots) {
    std::error_code ec;
    const bool empty = std::filesystem::is_empty(root, ec);
    if (ec || empty) out.push_back(root);
  }
  return out;
}

// The scanner's results into the catalogue's writer, on the run() thread.
class CatalogueSink final : public ScanSink {
 public:
  CatalogueSink(Catalogue& catalogue, Catalogue::Writer& writer, std::span<const std::string> roots,
                std::vector<std::string> away_roots, std::function<core::Result<std::uint64_t>(const std::string&)> keep,
                LibraryScanReport& report, const std::function<bool(const ScanProgress&)>& progress)
      : catalogue_(catalogue),
        writer_(writer),
        roots_(roots),
        away_roots_(std::move(away_roots)),
        keep_(std::move(keep)),
        report_(report),
        progress_(progress) {}

  bool on_track(TrackRecord&& record) override {
    auto stored = catalogue_.lookup(record.path);
    if (!stored) return fail(stored.error());
    if (*stored) {
      ++report_.updated;
    } else if (!relocated(record)) {
      if (error_) return false;
      ++report_.added;
    }
    auto up = writer_.upsert(record);
    return up ? true : fail(up.error());
  }
  bool on_unchanged(const std::string&) override {  // marked in seen_ by the lookup: nothing to write
    ++report_.unchanged;
    return true;
  }
  bool on_error(const ScanError& error) override {
    // What could not be read keeps its rows: a folder denied, a file
    // unreadable, a root unmounted are not deleted.
    if (auto kept = keep_(error.path); !kept) return fail(kept.error());
    return record(error);
  }
  // Records `error` (its rows already kept) and counts it.
  bool record(const ScanError& error) {
    auto r = writer_.record_error(error);
    if (!r) return fail(r.error());
    ++report_.errors;
    if (std::find(roots_.begin(), roots_.end(), error.path) != roots_.end()) report_.failed_roots.push_back(error);
    return true;
  }
  bool on_progress(const ScanProgress& progress) override { return !progress_ || progress_(progress); }

  const std::optional<core::Error>& error() const noexcept { return error_; }

 private:
  // A new path: the row of the same content whose file is gone takes it.
  bool relocated(const TrackRecord& record) {
    auto paths = catalogue_.find_by_hash(record.hash);
    if (!paths) return fail(paths.error());
    for (const std::string& old_path : *paths) {
      if (old_path == record.path ||
          std::any_of(away_roots_.begin(), away_roots_.end(),
                      [&](const std::string& root) { return under(old_path, root); }) ||
          !gone(old_path))
        continue;
      auto moved = writer_.relocate(old_path, record.path, record.stamp);
      if (!moved) return fail(moved.error());
      if (*moved) {
        ++report_.moved;
        return true;
      }
    }
    return false;
  }
  bool fail(const core::Error& error) {
    if (!error_) error_ = error;
    return false;
  }

  Catalogue& catalogue_;
  Catalogue::Writer& writer_;
  std::span<const std::string> roots_;
  std::vector<std::string> away_roots_;
  std::function<core::Result<std::uint64_t>(const std::string&)> keep_;
  LibraryScanReport& report_;
  const std::function<bool(const ScanProgress&)>& progress_;
  std::optional<core::Error> error_;
};

}  // namespace

LibraryScan::LibraryScan(Catalogue& catalogue, std::string database, LibraryScanOptions options)
    : catalogue_(catalogue), database_(std::move(database)), options_(std::move(options)), scanner_([this] {
        ScanOptions scan = options_.scan;
        scan.unchanged = [this](const std::string& path, const FileStamp& stamp) { return unchanged(path, stamp); };
        return scan;
      }()) {}

bool LibraryScan::unchanged(const std::string& path, const FileStamp& stamp) {
  std::lock_guard<std::mutex> lock(lookup_mutex_);
  if (!lookup_) return false;
  auto stored = lookup_->lookup(path);
  if (!stored || !*stored || (*stored)->stamp != stamp) return false;  // an error: read the file again
  seen_.add((*stored)->id);
  return true;
}

core::Result<std::uint64_t> LibraryScan::keep_under(const std::string& path) {
  std::lock_guard<std::mutex> lock(lookup_mutex_);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {  // a file: its own row, not "path/…"
    FRUGAL_TRY(const std::optional<StoredFile> stored, lookup_->lookup(path));
    if (stored) seen_.add(stored->id);
    return stored ? 1u : 0u;
  }
  return lookup_->mark_under(path, seen_);
}

core::Result<LibraryScanReport> LibraryScan::run(std::span<const std::string> given_roots) {
  FRUGAL_TRY(const std::vector<std::string> roots, normalized(given_roots));
  CatalogueOptions read_options;
  read_options.verify_on_open = false;
  read_options.cache_bytes = std::size_t{256} << 10;
  read_options.tracker = options_.scan.tracker;
  FRUGAL_TRY(std::unique_ptr<Catalogue> lookup, Catalogue::open(database_, read_options));
  FRUGAL_CHECK(lookup->begin_snapshot());  // as it was before this scan wrote; one read lock
  FRUGAL_TRY(SeenTracks seen, lookup->seen_tracks());
  {
    std::lock_guard<std::mutex> lock(lookup_mutex_);
    lookup_ = std::move(lookup);
    seen_ = std::move(seen);
  }
  struct Reset {
    LibraryScan& scan;
    ~Reset() {
      std::lock_guard<std::mutex> lock(scan.lookup_mutex_);
      scan.lookup_.reset();
      scan.seen_ = SeenTracks();
    }
  } reset{*this};

  LibraryScanReport report;
  FRUGAL_TRY(report.generation, catalogue_.begin_scan());
  FRUGAL_TRY(Catalogue::Writer writer, catalogue_.writer(report.generation));
  const std::vector<std::string> away_roots = away(roots);
  CatalogueSink sink(
      catalogue_, writer, roots, away_roots, [this](const std::string& path) { return keep_under(path); }, report,
      options_.progress);
  for (const std::string& root : away_roots) {
    // An empty root that had tracks is a card away from its mount point,
    // not a card emptied: a failed root (a missing one the walk reports).
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec)) continue;
    FRUGAL_TRY(const std::uint64_t kept, keep_under(root));
    if (kept == 0) continue;
    core::Error error = make_error(Errc::io, "the folder is empty: a card away? its tracks are kept");
    error.os_error = ENOMEDIUM;
    if (!sink.record(ScanError{root, error})) return *sink.error();
  }
  auto stats = scanner_.run(roots, sink);
  if (sink.error()) return *sink.error();  // the writer rolls its open batch back
  if (!stats) {
    if (stats.error().code == Errc::cancelled) FRUGAL_CHECK(writer.finish());  // keep what was read
    return stats.error();
  }
  report.stats = *stats;
  for (const std::string& root : roots) {
    // The workers have stopped: seen_ is this thread's. A root that could
    // not be read had its rows kept by on_error.
    FRUGAL_TRY(const std::uint64_t removed, writer.remove_unseen(root, seen_));
    report.removed += removed;
  }
  FRUGAL_CHECK(writer.finish());
  report.commits = writer.commits();
  return report;
}

void LibraryScan::cancel() noexcept { scanner_.cancel(); }

}  // namespace frugal::library
