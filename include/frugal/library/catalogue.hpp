#pragma once
// The media library's catalogue: what the scanner found (TrackRecord,
// ScanError), stored in one SQLite 3 database file and served to small
// screens as keyset pages and full-text searches.
//
// Storage (SQLite, https://sqlite.org/docs.html): WAL journal
// (https://sqlite.org/wal.html) with synchronous=NORMAL. In WAL mode a
// commit appends to the -wal file and each frame carries a checksum over
// everything before it; NORMAL skips the fsync at each commit but still
// syncs the WAL before a checkpoint copies it into the database. A kill -9
// loses nothing committed (the OS holds the written pages); a power loss
// may lose the last commits (frames not yet on the medium fail their
// checksum and are ignored on recovery), never corrupts the file.
//
// Schema (PRAGMA user_version = migration count, see catalogue_schema.hpp):
// artists(id, name UNIQUE), albums(id, title, artist_id → artists, year,
// UNIQUE(title, artist_id)), tracks(id, path UNIQUE, stamp, hash as
// ContentHash::hex, technical facts, tags, cover_bytes, scan_generation,
// and the artist and album text denormalized as sort keys), scan_errors,
// scans (generations) and tracks_fts, an FTS5 external-content table over
// tracks(title, artist, album) kept in sync by triggers. A track's artist is
// its artist tag; its album belongs to the album_artist tag if present, else
// to the artist. Names are compared with COLLATE NOCASE (ASCII case folded):
// "ABBA" and "abba" are one artist (the first spelling stored names it), and
// sorts and filters fold case the same way. Triggers delete an album when its
// last track goes and an artist when no track or album refers to it.
//
// Memory: SQLite's page cache is bounded by CatalogueOptions::cache_bytes,
// charged in full to the tracker account "library/catalogue" at open (the
// cap, which sqlite3_db_status(SQLITE_DBSTATUS_CACHE_USED) stays under);
// at High or Critical pressure the connection frees its unused pages
// (sqlite3_db_release_memory). Not charged: SQLite's schema and statement
// memory (tens of KiB) and the pages and rows a caller receives (bounded by
// kMaxPageRows).
//
// Thread-safety: one Catalogue is one SQLite connection, used by one thread
// at a time (calls are not synchronized against each other); use one
// Catalogue per thread. The pressure callback may run on the tracker's
// dispatch thread: the connection is opened with SQLITE_OPEN_FULLMUTEX so
// that call is serialized by SQLite. Several Catalogues (threads or
// processes) may open the same file: WAL lets them read while one writes;
// writers wait up to busy_timeout_ms for each other.

#include <frugal/library/page.hpp>
#include <frugal/core/result.hpp>
#include <frugal/library/record.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frugal::library {

struct CatalogueOptions {
  /// SQLite's page cache cap, bytes (PRAGMA cache_size = -cache_bytes/1024);
  /// at least 64 KiB. Charged to Catalogue::kAccountName.
  std::size_t cache_bytes = std::size_t{2} << 20;
  /// How long a write waits for another connection's write lock,
  /// milliseconds (PRAGMA busy_timeout); then Errc::io.
  std::uint32_t busy_timeout_ms = 5000;
  /// Rows a Writer commits together; 1 = one row per transaction. 1..100000.
  std::uint32_t batch_size = 500;
  /// Create the file when it does not exist; false: a missing file is
  /// Errc::io with os_error ENOENT (a reader given a mistyped path must not
  /// leave an empty catalogue behind).
  bool create = true;
  /// Run PRAGMA quick_check at open (O(database size): ~10 ms for 10,000
  /// tracks) and refuse a damaged file.
  bool verify_on_open = true;
  /// Where the page cache is charged; nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

/// What an incremental rescan needs to know about a stored file.
struct StoredFile {
  std::int64_t id = 0;  ///< tracks.id, stable across updates and relocate()
  FileStamp stamp;
  ContentHash hash;
};

/// One track as a list shows it. Strings UTF-8, empty when absent.
struct TrackRow {
  std::int64_t id = 0;
  std::int64_t album_id = 0;  ///< albums.id (AlbumRow::id)
  std::string path, title, artist, album, codec;
  std::uint32_t year = 0, track_number = 0, disc_number = 0;
  std::uint64_t duration_ms = 0;  ///< milliseconds, 0 when unknown
  std::uint64_t cover_bytes = 0;  ///< TrackRecord::cover_bytes: 0 when the file has no picture
};

/// One album: its title, its artist (album artist, else the tracks' artist).
struct AlbumRow {
  std::int64_t id = 0;
  std::string title, artist;
  std::uint32_t year = 0;           ///< the first non-zero year stored for it
  std::uint64_t track_count = 0;
};

struct ArtistRow {
  std::int64_t id = 0;
  std::string name;
  std::uint64_t track_count = 0;  ///< tracks whose artist tag this is
};

/// Track orders; each ends with tracks.id, so ties (equal titles...) have a
/// stable order. Text keys compare with COLLATE NOCASE.
enum class TrackOrder : std::uint8_t {
  artist,  ///< artist, album, album id, disc, track, id
  album,   ///< album, album id, disc, track, id
  title,   ///< title, id
  year,    ///< year, album, album id, disc, track, id
};

/// The largest page a listing returns, rows.
inline constexpr std::uint32_t kMaxPageRows = 1000;

struct TrackQuery {
  TrackOrder order = TrackOrder::artist;
  /// Keep only tracks whose artist tag / album tag equals this (NOCASE).
  std::optional<std::string> artist, album;
  /// Keep only the tracks of this album (AlbumRow::id).
  std::optional<std::int64_t> album_id;
  /// A next_cursor from a listing of the same order; empty: the start.
  std::string after;
  /// Rows per page, 1..kMaxPageRows.
  std::uint32_t limit = 100;
};

/// The stored tracks a scan found unchanged, by id (Catalogue::seen_tracks
/// covers every id stored when it is made). A rescan marks what it finds
/// here instead of writing to the rows it did not read. One bit per id from
/// 0 to the largest when ids are dense (10,000 tracks: ~1.2 KiB); when they
/// are sparse (most rows deleted, ids set by hand), the ids themselves,
/// sorted, and a bit each (8 bytes and a bit per track). Charged to
/// Catalogue::kAccountName. An empty or moved-from set contains nothing.
/// Thread-safety: none (LibraryScan fills it under its lookup lock).
class SeenTracks {
 public:
  SeenTracks() = default;
  SeenTracks(SeenTracks&& other) noexcept;
  SeenTracks& operator=(SeenTracks&& other) noexcept;

  /// Marks `id`; an id the set does not cover (a row written since) is
  /// ignored: remove_unseen keeps rows of its own generation anyway.
  void add(std::int64_t id) noexcept;
  bool contains(std::int64_t id) const noexcept;

 private:
  friend class Catalogue;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t bit_of(std::int64_t id) const noexcept;  // npos: not covered

  std::unique_ptr<std::uint64_t[]> bits_;
  std::size_t bit_count_ = 0;
  std::unique_ptr<std::int64_t[]> ids_;  // sparse: bit i is ids_[i]; null: bit i is id i
  mem::Charge charge_;
};

/// Row counts of the catalogue.
struct CatalogueStats {
  std::uint64_t tracks = 0, albums = 0, artists = 0;
  std::uint64_t errors = 0;  ///< paths with a recorded ScanError
};

class Catalogue {
 public:
  static constexpr const char* kAccountName = "library/catalogue";

  /// Opens (creating it if absent) the catalogue at `path`, applies the
  /// pending migrations (each in its own transaction) and sets WAL mode.
  /// Errors, the file left untouched: Errc::malformed when the file is not
  /// an SQLite database or fails quick_check; Errc::unsupported when its
  /// user_version is newer than this code's schema, or it is 0 on a
  /// database that already has tables (another program's); Errc::io (os_error =
  /// errno when known) when it cannot be opened, locked or WAL is refused
  /// (e.g. a filesystem without shared memory); Errc::invalid_argument for
  /// options out of range; Errc::out_of_memory when the tracker refuses the
  /// cache's charge.
  static core::Result<std::unique_ptr<Catalogue>> open(const std::string& path, CatalogueOptions options = {});

  ~Catalogue();
  Catalogue(const Catalogue&) = delete;
  Catalogue& operator=(const Catalogue&) = delete;

  /// The schema version this code writes (PRAGMA user_version).
  static int schema_version() noexcept;

  /// Starts a scan: a new generation number (1, 2...), stored. Errors: Errc::io.
  core::Result<std::int64_t> begin_scan();

  /// Writes one scan's findings in batches of CatalogueOptions::batch_size
  /// rows, each batch one transaction through prepared statements reused
  /// across rows. A failed write rolls the open batch back (the catalogue is
  /// as it was before that batch; earlier batches stay committed) and
  /// returns the error; the next write starts a new batch. Destroying a
  /// Writer without finish() rolls back its open batch. One Writer per
  /// Catalogue at a time; it must not outlive the Catalogue.
  class Writer {
   public:
    Writer(Writer&& other) noexcept;
    Writer& operator=(Writer&&) = delete;
    Writer(const Writer&) = delete;
    ~Writer();

    /// Inserts `record`, or updates the row of its path in place (same id),
    /// stamped with this writer's generation. Errors: Errc::invalid_argument
    /// for an empty path or a text field over 64 KiB (nothing written);
    /// SQLite failures (batch rolled back) as Errc::io, Errc::malformed (a
    /// corrupt file) or Errc::out_of_memory.
    core::Result<void> upsert(const TrackRecord& record);
    /// Records (or replaces) the error of `error.path`: code, message,
    /// os_error, generation.
    core::Result<void> record_error(const ScanError& error);
    /// A moved file: its row takes `new_path` and `stamp` (same id, tags and
    /// hash) and this generation; a row already at `new_path` is replaced.
    /// False (nothing changed) when `old_path` is not catalogued.
    core::Result<bool> relocate(std::string_view old_path, std::string_view new_path, const FileStamp& stamp);
    /// After a COMPLETE scan of `root`: commits the open batch with the
    /// deletion of every track under `root` (the path itself or below
    /// "root/") neither written in this generation nor in `seen`, and of
    /// the errors under `root` not recorded in this generation. Returns the
    /// tracks deleted.
    core::Result<std::uint64_t> remove_unseen(std::string_view root, const SeenTracks& seen);
    /// Commits the open batch.
    core::Result<void> finish();

    /// The scan generation this writer stamps rows with.
    std::int64_t generation() const noexcept { return generation_; }
    /// Transactions this writer committed.
    std::uint64_t commits() const noexcept { return commits_; }

   private:
    friend class Catalogue;
    Writer(Catalogue& catalogue, std::int64_t generation) noexcept;
    core::Result<void> begin_batch();
    core::Result<void> row_done();
    core::Result<void> commit();
    core::Error fail(core::Error error) noexcept;
    Catalogue* catalogue_;
    std::int64_t generation_;
    std::uint32_t rows_in_batch_ = 0;
    bool open_ = false;
    std::uint64_t commits_ = 0;
  };

  /// A writer for `generation` (from begin_scan()). Errors:
  /// Errc::invalid_argument when another Writer of this Catalogue lives.
  core::Result<Writer> writer(std::int64_t generation);

  /// The stored stamp, hash and id of `path`, if catalogued (one indexed
  /// lookup). Errors: Errc::io.
  core::Result<std::optional<StoredFile>> lookup(std::string_view path);
  /// Paths of the tracks with this content hash (indexed), by id: the
  /// first kMaxHashMatches (a thousand copies of one file must not make each
  /// new copy look at all of them).
  core::Result<std::vector<std::string>> find_by_hash(const ContentHash& hash);
  static constexpr std::uint32_t kMaxHashMatches = 16;
  /// An empty SeenTracks covering every track id stored now (in a snapshot:
  /// as the snapshot sees them), charged to kAccountName of this
  /// catalogue's tracker. Errors: Errc::out_of_memory (over budget),
  /// Errc::io.
  core::Result<SeenTracks> seen_tracks();
  /// Adds to `seen` the ids of the tracks at `root` or under it ("root/…");
  /// returns how many. Errors: Errc::invalid_argument for an empty path;
  /// Errc::io.
  core::Result<std::uint64_t> mark_under(std::string_view root, SeenTracks& seen);

  /// A page of tracks in `query.order`, after `query.after`: a row-value
  /// comparison on the order's keys over the matching index, so a page
  /// costs the same at any depth (no OFFSET). Errors:
  /// Errc::invalid_argument for a cursor not made by this order, or a limit
  /// of 0 or above kMaxPageRows.
  core::Result<Page<TrackRow>> list_tracks(const TrackQuery& query);
  /// Albums by title (NOCASE), then id; `after` as in TrackQuery.
  core::Result<Page<AlbumRow>> list_albums(std::string_view after, std::uint32_t limit);
  /// Artists by name (NOCASE), then id.
  core::Result<Page<ArtistRow>> list_artists(std::string_view after, std::uint32_t limit);

  /// Tracks matching `term` in title, artist or album, best first (FTS5
  /// bm25). Each word of `term` becomes a quoted prefix token (ASCII
  /// punctuation splits words), all required: any text is a safe query.
  /// No words: no rows. `limit`: 1..kMaxPageRows.
  core::Result<std::vector<TrackRow>> search(std::string_view term, std::uint32_t limit);

  core::Result<CatalogueStats> stats();

  /// Bytes SQLite's page cache of this connection holds now
  /// (SQLITE_DBSTATUS_CACHE_USED).
  std::size_t cache_used() const noexcept;

  /// Opens one read transaction that later reads share until
  /// end_snapshot(): they see the database as it was at the first of them,
  /// and take SQLite's WAL read lock once instead of once per query (a
  /// rescan's thousands of lookups). While it is held, checkpoints cannot
  /// reset the WAL past it (the -wal file grows). Errors:
  /// Errc::invalid_argument while a Writer of this Catalogue lives or a
  /// snapshot is held; Errc::io.
  core::Result<void> begin_snapshot();
  /// Ends begin_snapshot()'s transaction; nothing when none is held.
  void end_snapshot() noexcept;

  /// The connection and its statements (src/library/catalogue_impl.hpp).
  struct Impl;

 private:
  explicit Catalogue(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::library
