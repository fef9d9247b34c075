#pragma once
// Catalogue internals shared by catalogue.cpp (open, lookups, stats),
// catalogue_write.cpp (Writer) and catalogue_browse.cpp (pages, search):
// the connection, its prepared statements and SQLite error mapping.

#include <frugal/library/catalogue.hpp>

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace frugal::library {

/// A prepared statement, finalized on destruction; reset() after each use
/// keeps it ready for the next (SQLite keeps the plan).
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  sqlite3_stmt* get() const noexcept { return stmt_; }
  explicit operator bool() const noexcept { return stmt_ != nullptr; }

  // Binds (1-based index). SQLITE_TRANSIENT is not needed: values outlive
  // the step they are bound for (reset() clears nothing, the next bind
  // replaces them).
  void bind(int index, std::int64_t value) noexcept { sqlite3_bind_int64(stmt_, index, value); }
  void bind(int index, std::string_view text) noexcept {
    // A null data() would bind NULL, not ''; text64 takes any size_t
    // (past SQLITE_MAX_LENGTH the bind fails and NULL breaks NOT NULL).
    sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  std::int64_t column_int(int index) const noexcept { return sqlite3_column_int64(stmt_, index); }
  std::string_view column_text(int index) const noexcept;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a statement when it goes out of scope (also on early returns).
class StatementUse {
 public:
  explicit StatementUse(Statement& stmt) noexcept : stmt_(stmt) {}
  ~StatementUse() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  Statement& stmt_;
};

/// A SQLite result code as a frugal error: SQLITE_NOTADB / SQLITE_CORRUPT →
/// malformed, SQLITE_NOMEM → out_of_memory, else io (os_error from
/// sqlite3_system_errno for SQLITE_IOERR / SQLITE_CANTOPEN).
core::Error sqlite_error(sqlite3* db, int rc, const char* message) noexcept;

// The statements used per row or per lookup, prepared once at open.
enum class Sql : std::uint8_t {
  begin, commit, rollback,
  upsert_artist, upsert_album, upsert_track,
  record_error, delete_path, relocate,
  remove_unseen_tracks, remove_unseen_errors,
  lookup, find_by_hash, new_scan, track_id_range, track_ids, track_ids_under, count,
};

/// `root` as the ?1 of the subtree condition "path = ?1 OR (path >= ?1 ||
/// '/' AND path < ?1 || '0')" ('0' follows '/' in byte order, so the range is
/// the subtree, over the path index): without trailing slashes, and "" for
/// "/" (whose range [//, /0) would miss most absolute paths).
inline std::string_view subtree_key(std::string_view root) noexcept {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  return root == "/" ? std::string_view() : root;
}

/// sqlite3_bind_pointer's type tag for a SeenTracks (frugal_seen's first argument).
inline constexpr const char* kSeenTracksType = "frugal::library::SeenTracks";

/// The FTS5 MATCH expression for user text: each word (a run of ASCII
/// letters, digits or non-ASCII bytes) as a quoted prefix token, "word"*,
/// space-separated (all required); "" when there is no word.
std::string fts_query(std::string_view term);

struct Catalogue::Impl {
  sqlite3* db = nullptr;
  CatalogueOptions options;
  mem::Charge cache_charge;
  mem::Subscription pressure;
  std::array<Statement, static_cast<std::size_t>(Sql::count)> statements;
  // list_tracks variants: order × artist filter × album filter × cursor.
  std::array<Statement, 4 * 2 * 2 * 2 * 2> track_pages;  // order, artist, album, album id, cursor
  std::array<Statement, 2> album_pages, artist_pages;  // without, with a cursor
  Statement search_stmt;
  bool writer_live = false;
  bool snapshot = false;  // begin_snapshot()'s read transaction is open

  ~Impl() {
    pressure.reset();  // no callback may run on a closing connection
    statements = {};
    track_pages = {};
    album_pages = {};
    artist_pages = {};
    search_stmt = {};
    sqlite3_close_v2(db);
  }
  Statement& operator[](Sql which) noexcept { return statements[static_cast<std::size_t>(which)]; }

  /// Prepares `sql` for repeated use. Errors: see sqlite_error.
  core::Result<Statement> prepare(std::string_view sql) noexcept;
  /// `slot`, prepared from `sql` on first use.
  core::Result<Statement*> cached(Statement& slot, const std::string& sql);
  /// Runs `sql` (one or more statements, no results wanted).
  core::Result<void> exec(const char* sql) noexcept;
  /// Steps a statement expected to finish without rows.
  core::Result<void> run(Statement& stmt, const char* message) noexcept;
};

}  // namespace frugal::library
