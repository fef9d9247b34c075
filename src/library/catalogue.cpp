// Catalogue: opening (checks before any write, migrations, pragmas), the
// page cache's charge and pressure, lookups and counts.

#include "library/catalogue_impl.hpp"
#include "library/catalogue_schema.hpp"

#include <frugal/core/error.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <new>
#include <utility>

namespace frugal::library {

using core::Errc;
using core::make_error;
using core::Result;

std::string_view Statement::column_text(int index) const noexcept {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))) : std::string_view();
}

core::Error sqlite_error(sqlite3* db, int rc, const char* message) noexcept {
  switch (rc & 0xFF) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return make_error(Errc::malformed, message);
    case SQLITE_NOMEM:
      return make_error(Errc::out_of_memory, message);
    default: {
      core::Error error = make_error(Errc::io, message);
      if (db && ((rc & 0xFF) == SQLITE_IOERR || (rc & 0xFF) == SQLITE_CANTOPEN)) error.os_error = sqlite3_system_errno(db);
      return error;
    }
  }
}

Result<Statement> Catalogue::Impl::prepare(std::string_view sql) noexcept {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "catalogue: preparing a statement failed");
  return Statement(stmt);
}

Result<void> Catalogue::Impl::exec(const char* sql) noexcept {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "catalogue: a statement failed");
  return {};
}

Result<void> Catalogue::Impl::run(Statement& stmt, const char* message) noexcept {
  StatementUse use(stmt);
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return sqlite_error(db, rc, message);
  return {};
}

namespace {

// The single value of a one-row query (a PRAGMA), as text.
Result<std::string> query_text(sqlite3* db, const char* sql, const char* message) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  Statement stmt(raw);
  if (rc == SQLITE_OK) rc = sqlite3_step(raw);
  if (rc != SQLITE_ROW) return sqlite_error(db, rc, message);
  return std::string(stmt.column_text(0));
}

constexpr const char* kStatements[] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    // DO UPDATE (a no-op) rather than DO NOTHING so RETURNING always has the row.
    "INSERT INTO artists(name) VALUES (?1) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id",
    "INSERT INTO albums(title, artist_id, year) VALUES (?1, ?2, ?3) ON CONFLICT(title, artist_id) DO UPDATE SET "
    "year = CASE WHEN year = 0 THEN excluded.year ELSE year END RETURNING id",
    "INSERT INTO tracks(path, size, mtime_ns, inode, device, hash, container, codec, sample_rate, channels, "
    "duration_ms, title, artist, album, artist_id, album_id, album_artist, genre, year, track_number, disc_number, "
    "cover_bytes, scan_generation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18, ?19, ?20, ?21, ?22, ?23) ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = "
    "excluded.mtime_ns, inode = excluded.inode, device = excluded.device, hash = excluded.hash, container = "
    "excluded.container, codec = excluded.codec, sample_rate = excluded.sample_rate, channels = excluded.channels, "
    "duration_ms = excluded.duration_ms, title = excluded.title, artist = excluded.artist, album = excluded.album, "
    "artist_id = excluded.artist_id, album_id = excluded.album_id, album_artist = excluded.album_artist, genre = "
    "excluded.genre, year = excluded.year, track_number = excluded.track_number, disc_number = "
    "excluded.disc_number, cover_bytes = excluded.cover_bytes, scan_generation = excluded.scan_generation",
    "INSERT OR REPLACE INTO scan_errors(path, code, message, os_error, scan_generation) VALUES (?1, ?2, ?3, ?4, ?5)",
    "DELETE FROM tracks WHERE path = ?1",
    "UPDATE tracks SET path = ?2, size = ?3, mtime_ns = ?4, inode = ?5, device = ?6, scan_generation = ?7 "
    "WHERE path = ?1",
    // Under root: the path itself, or [root/, root0) — '0' follows '/' in
    // byte order, so the range is the subtree, over the path index.
    "DELETE FROM tracks WHERE (path = ?1 OR (path >= ?1 || '/' AND path < ?1 || '0')) AND scan_generation <> ?2 "
    "AND NOT frugal_seen(?3, id)",
    "DELETE FROM scan_errors WHERE (path = ?1 OR (path >= ?1 || '/' AND path < ?1 || '0')) AND scan_generation <> ?2",
    "SELECT id, size, mtime_ns, inode, device, hash FROM tracks WHERE path = ?1",
    "SELECT path FROM tracks WHERE hash = ?1 ORDER BY id LIMIT 16",  // kMaxHashMatches
    "INSERT INTO scans(started_unix) VALUES (?1) RETURNING generation",
    "SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM tracks",
    "SELECT id FROM tracks ORDER BY id",
    "SELECT id FROM tracks WHERE path = ?1 OR (path >= ?1 || '/' AND path < ?1 || '0')",
};
static_assert(std::size(kStatements) == static_cast<std::size_t>(Sql::count));

// frugal_seen(set, id): whether `id` is in the SeenTracks bound as `set`
// (sqlite3_bind_pointer: the pointer cannot come from SQL text).
void frugal_seen(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* seen = static_cast<const SeenTracks*>(sqlite3_value_pointer(args[0], kSeenTracksType));
  if (!seen) {
    sqlite3_result_error(context, "frugal_seen: no seen set bound", -1);
    return;
  }
  sqlite3_result_int(context, seen->contains(sqlite3_value_int64(args[1])) ? 1 : 0);
}

Result<void> migrate(Catalogue::Impl& impl, int from) {
  for (int version = from; version < static_cast<int>(schema::kMigrations.size()); ++version) {
    if (auto r = impl.exec("BEGIN IMMEDIATE"); !r) return r;
    auto step = impl.exec(schema::kMigrations[static_cast<std::size_t>(version)]);
    if (step) {
      const std::string pragma = "PRAGMA user_version = " + std::to_string(version + 1);
      step = impl.exec(pragma.c_str());
    }
    if (step) step = impl.exec("COMMIT");
    if (!step) {
      (void)impl.exec("ROLLBACK");
      return step;
    }
  }
  return {};
}

}  // namespace

int Catalogue::schema_version() noexcept { return static_cast<int>(schema::kMigrations.size()); }

Result<std::unique_ptr<Catalogue>> Catalogue::open(const std::string& path, CatalogueOptions options) {
  if (options.cache_bytes < (std::size_t{64} << 10) || options.batch_size == 0 || options.batch_size > 100000)
    return make_error(Errc::invalid_argument, "catalogue: cache_bytes below 64 KiB or batch_size not 1..100000");
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  auto account = tracker.account(kAccountName);
  if (!account) return account.error();
  auto charge = mem::Charge::try_make(*account, options.cache_bytes);
  if (!charge) return charge.error();

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->cache_charge = std::move(*charge);
  // FULLMUTEX: the pressure callback may call in from the dispatch thread.
  int rc = sqlite3_open_v2(path.c_str(), &impl->db,
                           SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) return sqlite_error(impl->db, rc, "catalogue: cannot open the database file");
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, static_cast<int>(options.busy_timeout_ms));

  // Reads only until the file is known to be ours and sound.
  auto version = query_text(impl->db, "PRAGMA user_version", "catalogue: not an SQLite database");
  if (!version) return version.error();
  const int from = std::atoi(version->c_str());
  if (from > schema_version() || from < 0)
    return make_error(Errc::unsupported, "catalogue: the database is from a newer schema version");
  if (from == 0) {
    // Version 0 is a new, empty file; tables without a version are another program's.
    auto tables = query_text(impl->db, "SELECT count(*) FROM sqlite_master", "catalogue: cannot read the schema");
    if (!tables) return tables.error();
    if (*tables != "0") return make_error(Errc::unsupported, "catalogue: an SQLite database that is not a catalogue");
  }
  if (options.verify_on_open && from > 0) {
    auto check = query_text(impl->db, "PRAGMA quick_check", "catalogue: integrity check failed");
    if (!check) return check.error();
    if (*check != "ok") return make_error(Errc::malformed, "catalogue: integrity check failed");
  }

  auto mode = query_text(impl->db, "PRAGMA journal_mode = WAL", "catalogue: cannot set WAL mode");
  if (!mode) return mode.error();
  if (*mode != "wal") return make_error(Errc::io, "catalogue: WAL mode refused (no shared memory on this filesystem?)");
  const std::string pragmas = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -" +
                              std::to_string(options.cache_bytes / 1024) + ";";
  if (auto r = impl->exec(pragmas.c_str()); !r) return r.error();
  if (auto r = migrate(*impl, from); !r) return r.error();

  rc = sqlite3_create_function_v2(impl->db, "frugal_seen", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, &frugal_seen,
                                  nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(impl->db, rc, "catalogue: cannot register frugal_seen");
  for (std::size_t i = 0; i < std::size(kStatements); ++i) {
    auto stmt = impl->prepare(kStatements[i]);
    if (!stmt) return stmt.error();
    impl->statements[i] = std::move(*stmt);
  }
  sqlite3* db = impl->db;
  impl->pressure = tracker.subscribe([db](mem::PressureLevel level) {
    if (level >= mem::PressureLevel::high) sqlite3_db_release_memory(db);
  });
  return std::unique_ptr<Catalogue>(new Catalogue(std::move(impl)));
}

Catalogue::Catalogue(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Catalogue::~Catalogue() = default;

std::size_t Catalogue::cache_used() const noexcept {
  int current = 0, high = 0;
  sqlite3_db_status(impl_->db, SQLITE_DBSTATUS_CACHE_USED, &current, &high, 0);
  return static_cast<std::size_t>(current);
}

Result<std::int64_t> Catalogue::begin_scan() {
  Statement& stmt = (*impl_)[Sql::new_scan];
  StatementUse use(stmt);
  stmt.bind(1, static_cast<std::int64_t>(std::time(nullptr)));
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return sqlite_error(impl_->db, rc, "catalogue: cannot start a scan");
  return stmt.column_int(0);
}

Result<std::optional<StoredFile>> Catalogue::lookup(std::string_view path) {
  Statement& stmt = (*impl_)[Sql::lookup];
  StatementUse use(stmt);
  stmt.bind(1, path);
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::optional<StoredFile>();
  if (rc != SQLITE_ROW) return sqlite_error(impl_->db, rc, "catalogue: lookup failed");
  StoredFile file;
  file.id = stmt.column_int(0);
  // 64-bit unsigned figures are stored as their two's-complement bit pattern.
  file.stamp.size = static_cast<std::uint64_t>(stmt.column_int(1));
  file.stamp.mtime_ns = stmt.column_int(2);
  file.stamp.inode = static_cast<std::uint64_t>(stmt.column_int(3));
  file.stamp.device = static_cast<std::uint64_t>(stmt.column_int(4));
  auto hash = ContentHash::parse(stmt.column_text(5));
  if (!hash) return make_error(Errc::malformed, "catalogue: a stored content hash is not 32 hex digits");
  file.hash = *hash;
  return std::optional<StoredFile>(file);
}

Result<std::vector<std::string>> Catalogue::find_by_hash(const ContentHash& hash) {
  Statement& stmt = (*impl_)[Sql::find_by_hash];
  StatementUse use(stmt);
  const auto hex = hash.hex();
  stmt.bind(1, std::string_view(hex.data(), hex.size()));
  std::vector<std::string> paths;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) paths.emplace_back(stmt.column_text(0));
  if (rc != SQLITE_DONE) return sqlite_error(impl_->db, rc, "catalogue: hash lookup failed");
  return paths;
}

SeenTracks::SeenTracks(SeenTracks&& other) noexcept
    : bits_(std::move(other.bits_)),
      bit_count_(std::exchange(other.bit_count_, 0)),
      ids_(std::move(other.ids_)),
      charge_(std::move(other.charge_)) {}

SeenTracks& SeenTracks::operator=(SeenTracks&& other) noexcept {
  bits_ = std::move(other.bits_);
  bit_count_ = std::exchange(other.bit_count_, 0);
  ids_ = std::move(other.ids_);
  charge_ = std::move(other.charge_);
  return *this;
}

std::size_t SeenTracks::bit_of(std::int64_t id) const noexcept {
  if (ids_) {
    const std::int64_t* begin = ids_.get();
    const std::int64_t* end = begin + bit_count_;
    const std::int64_t* at = std::lower_bound(begin, end, id);
    return at != end && *at == id ? static_cast<std::size_t>(at - begin) : npos;
  }
  return id >= 0 && static_cast<std::uint64_t>(id) < bit_count_ ? static_cast<std::size_t>(id) : npos;
}

void SeenTracks::add(std::int64_t id) noexcept {
  const std::size_t bit = bit_of(id);
  if (bit != npos) bits_[bit / 64] |= std::uint64_t{1} << (bit % 64);
}

bool SeenTracks::contains(std::int64_t id) const noexcept {
  const std::size_t bit = bit_of(id);
  return bit != npos && (bits_[bit / 64] >> (bit % 64) & 1) != 0;
}

Result<SeenTracks> Catalogue::seen_tracks() {
  std::uint64_t count = 0;
  std::int64_t min_id = 0, max_id = 0;
  {
    Statement& stmt = (*impl_)[Sql::track_id_range];
    StatementUse use(stmt);
    const int rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_ROW) return sqlite_error(impl_->db, rc, "catalogue: cannot read the track ids");
    count = static_cast<std::uint64_t>(stmt.column_int(0));
    min_id = stmt.column_int(1);
    max_id = stmt.column_int(2);
  }
  // Dense ids (SQLite gives max + 1) cost a bit per id; when the ids are so
  // sparse that a bit per id would outweigh 8 bytes per track, keep the ids.
  const bool dense = min_id >= 0 && static_cast<std::uint64_t>(max_id) <= 64 * count + 65536;
  const std::uint64_t bits = dense ? static_cast<std::uint64_t>(max_id) + 1 : count;
  const std::uint64_t bytes = (bits + 63) / 64 * 8 + (dense ? 0 : count * sizeof(std::int64_t));
  if (bytes > std::numeric_limits<std::size_t>::max() / 2)
    return make_error(Errc::out_of_memory, "catalogue: too many tracks for a seen-tracks set");
  SeenTracks seen;
  mem::MemoryTracker& tracker = impl_->options.tracker ? *impl_->options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account(kAccountName));
  FRUGAL_TRY(seen.charge_, mem::Charge::try_make(account, static_cast<std::size_t>(bytes)));
  const auto words = static_cast<std::size_t>((bits + 63) / 64);
  seen.bits_.reset(new (std::nothrow) std::uint64_t[words]());  // bits ≥ 1: max_id + 1, or count ≥ 1 when sparse
  if (!seen.bits_) return make_error(Errc::out_of_memory, "catalogue: cannot allocate a seen-tracks set");
  if (!dense) {
    seen.ids_.reset(new (std::nothrow) std::int64_t[static_cast<std::size_t>(count)]);
    if (!seen.ids_) return make_error(Errc::out_of_memory, "catalogue: cannot allocate a seen-tracks set");
    Statement& stmt = (*impl_)[Sql::track_ids];
    StatementUse use(stmt);
    std::size_t n = 0;
    int rc = SQLITE_DONE;
    while (n < count && (rc = sqlite3_step(stmt.get())) == SQLITE_ROW) seen.ids_[n++] = stmt.column_int(0);
    if (n < count && rc != SQLITE_DONE) return sqlite_error(impl_->db, rc, "catalogue: cannot read the track ids");
    seen.bit_count_ = n;  // fewer when rows went between the two reads (outside a snapshot)
    return seen;
  }
  seen.bit_count_ = static_cast<std::size_t>(bits);
  return seen;
}

Result<std::uint64_t> Catalogue::mark_under(std::string_view root, SeenTracks& seen) {
  if (root.empty()) return make_error(Errc::invalid_argument, "catalogue: mark_under needs a path");
  Statement& stmt = (*impl_)[Sql::track_ids_under];
  StatementUse use(stmt);
  stmt.bind(1, subtree_key(root));
  std::uint64_t marked = 0;
  int rc;
  for (; (rc = sqlite3_step(stmt.get())) == SQLITE_ROW; ++marked) seen.add(stmt.column_int(0));
  if (rc != SQLITE_DONE) return sqlite_error(impl_->db, rc, "catalogue: cannot read the tracks under a folder");
  return marked;
}

Result<CatalogueStats> Catalogue::stats() {
  auto count = [this](const char* sql) -> Result<std::uint64_t> {
    auto text = query_text(impl_->db, sql, "catalogue: counting failed");
    if (!text) return text.error();
    return static_cast<std::uint64_t>(std::strtoull(text->c_str(), nullptr, 10));
  };
  CatalogueStats stats;
  const char* sql[] = {"SELECT count(*) FROM tracks", "SELECT count(*) FROM albums", "SELECT count(*) FROM artists",
                       "SELECT count(*) FROM scan_errors"};
  std::uint64_t* out[] = {&stats.tracks, &stats.albums, &stats.artists, &stats.errors};
  for (std::size_t i = 0; i < 4; ++i) {
    auto n = count(sql[i]);
    if (!n) return n.error();
    *out[i] = *n;
  }
  return stats;
}

}  // namespace frugal::library
