// Catalogue::Writer: batched upserts and scan bookkeeping. A batch is one
// BEGIN IMMEDIATE … COMMIT; any failure inside rolls the whole batch back.

#include "library/catalogue_impl.hpp"

namespace frugal::library {

using core::Errc;
using core::make_error;
using core::Result;

Result<void> Catalogue::begin_snapshot() {
  if (impl_->writer_live || impl_->snapshot)
    return make_error(Errc::invalid_argument, "catalogue: a writer or a snapshot is already open");
  FRUGAL_CHECK(impl_->exec("BEGIN"));
  impl_->snapshot = true;
  return core::ok();
}

void Catalogue::end_snapshot() noexcept {
  if (!impl_->snapshot) return;
  (void)impl_->exec("COMMIT");  // a read transaction: ending it cannot fail to write
  impl_->snapshot = false;
}

Result<Catalogue::Writer> Catalogue::writer(std::int64_t generation) {
  if (impl_->writer_live || impl_->snapshot)
    return make_error(Errc::invalid_argument, "catalogue: a writer or a snapshot is already open");
  impl_->writer_live = true;
  return Writer(*this, generation);
}

Catalogue::Writer::Writer(Catalogue& catalogue, std::int64_t generation) noexcept
    : catalogue_(&catalogue), generation_(generation) {}

Catalogue::Writer::Writer(Writer&& other) noexcept
    : catalogue_(other.catalogue_),
      generation_(other.generation_),
      rows_in_batch_(other.rows_in_batch_),
      open_(other.open_),
      commits_(other.commits_) {
  other.catalogue_ = nullptr;
  other.open_ = false;
}

Catalogue::Writer::~Writer() {
  if (!catalogue_) return;
  if (open_) (void)catalogue_->impl_->run((*catalogue_->impl_)[Sql::rollback], "catalogue: rollback failed");
  catalogue_->impl_->writer_live = false;
}

core::Error Catalogue::Writer::fail(core::Error error) noexcept {
  if (open_) {
    // After some errors (SQLITE_FULL, SQLITE_IOERR...) SQLite has already
    // rolled back; then ROLLBACK fails harmlessly ("no transaction").
    (void)catalogue_->impl_->run((*catalogue_->impl_)[Sql::rollback], "catalogue: rollback failed");
    open_ = false;
    rows_in_batch_ = 0;
  }
  return error;
}

Result<void> Catalogue::Writer::begin_batch() {
  if (open_) return {};
  if (auto r = catalogue_->impl_->run((*catalogue_->impl_)[Sql::begin], "catalogue: cannot begin a batch"); !r)
    return r;
  open_ = true;
  rows_in_batch_ = 0;
  return {};
}

Result<void> Catalogue::Writer::commit() {
  if (!open_) return {};
  if (auto r = catalogue_->impl_->run((*catalogue_->impl_)[Sql::commit], "catalogue: commit failed"); !r)
    return fail(r.error());
  open_ = false;
  rows_in_batch_ = 0;
  ++commits_;
  return {};
}

Result<void> Catalogue::Writer::row_done() {
  if (++rows_in_batch_ >= catalogue_->impl_->options.batch_size) return commit();
  return {};
}

namespace {

constexpr std::size_t kMaxTextBytes = 64 << 10;

// Runs an INSERT … RETURNING id.
Result<std::int64_t> returning_id(Catalogue::Impl& impl, Statement& stmt, const char* message) {
  StatementUse use(stmt);
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return sqlite_error(impl.db, rc, message);
  return stmt.column_int(0);
}

Result<std::int64_t> artist_id(Catalogue::Impl& impl, std::string_view name) {
  Statement& stmt = impl[Sql::upsert_artist];
  stmt.bind(1, name);
  return returning_id(impl, stmt, "catalogue: storing an artist failed");
}

void bind_stamp(Statement& stmt, int first, const FileStamp& stamp) {
  // 64-bit unsigned figures go in as their two's-complement bit pattern.
  stmt.bind(first, static_cast<std::int64_t>(stamp.size));
  stmt.bind(first + 1, stamp.mtime_ns);
  stmt.bind(first + 2, static_cast<std::int64_t>(stamp.inode));
  stmt.bind(first + 3, static_cast<std::int64_t>(stamp.device));
}

}  // namespace

Result<void> Catalogue::Writer::upsert(const TrackRecord& record) {
  if (record.path.empty()) return make_error(Errc::invalid_argument, "catalogue: a track without a path");
  for (const std::string* text : {&record.path, &record.container, &record.codec, &record.title, &record.artist,
                                  &record.album, &record.album_artist, &record.genre})
    if (text->size() > kMaxTextBytes) return make_error(Errc::invalid_argument, "catalogue: a text field over 64 KiB");
  if (auto r = begin_batch(); !r) return r;
  Impl& impl = *catalogue_->impl_;
  auto artist = artist_id(impl, record.artist);
  if (!artist) return fail(artist.error());
  std::int64_t album_artist = *artist;
  if (!record.album_artist.empty() && record.album_artist != record.artist) {
    auto id = artist_id(impl, record.album_artist);
    if (!id) return fail(id.error());
    album_artist = *id;
  }
  Statement& album_stmt = impl[Sql::upsert_album];
  album_stmt.bind(1, record.album);
  album_stmt.bind(2, album_artist);
  album_stmt.bind(3, static_cast<std::int64_t>(record.year));
  auto album = returning_id(impl, album_stmt, "catalogue: storing an album failed");
  if (!album) return fail(album.error());

  Statement& stmt = impl[Sql::upsert_track];
  const auto hex = record.hash.hex();
  stmt.bind(1, record.path);
  bind_stamp(stmt, 2, record.stamp);
  stmt.bind(6, std::string_view(hex.data(), hex.size()));
  stmt.bind(7, record.container);
  stmt.bind(8, record.codec);
  stmt.bind(9, static_cast<std::int64_t>(record.sample_rate));
  stmt.bind(10, static_cast<std::int64_t>(record.channels));
  stmt.bind(11, static_cast<std::int64_t>(record.duration_ms));
  stmt.bind(12, record.title);
  stmt.bind(13, record.artist);
  stmt.bind(14, record.album);
  stmt.bind(15, *artist);
  stmt.bind(16, *album);
  stmt.bind(17, record.album_artist);
  stmt.bind(18, record.genre);
  stmt.bind(19, static_cast<std::int64_t>(record.year));
  stmt.bind(20, static_cast<std::int64_t>(record.track_number));
  stmt.bind(21, static_cast<std::int64_t>(record.disc_number));
  stmt.bind(22, static_cast<std::int64_t>(record.cover_bytes));
  stmt.bind(23, generation_);
  if (auto r = impl.run(stmt, "catalogue: storing a track failed"); !r) return fail(r.error());
  return row_done();
}

Result<void> Catalogue::Writer::record_error(const ScanError& error) {
  if (auto r = begin_batch(); !r) return r;
  Impl& impl = *catalogue_->impl_;
  Statement& stmt = impl[Sql::record_error];
  stmt.bind(1, error.path);
  stmt.bind(2, std::string_view(core::errc_name(error.error.code)));
  stmt.bind(3, std::string_view(error.error.message ? error.error.message : ""));
  stmt.bind(4, static_cast<std::int64_t>(error.error.os_error));
  stmt.bind(5, generation_);
  if (auto r = impl.run(stmt, "catalogue: storing a scan error failed"); !r) return fail(r.error());
  return row_done();
}

Result<bool> Catalogue::Writer::relocate(std::string_view old_path, std::string_view new_path,
                                         const FileStamp& stamp) {
  if (new_path.empty()) return make_error(Errc::invalid_argument, "catalogue: relocating to an empty path");
  if (auto r = begin_batch(); !r) return r.error();
  Impl& impl = *catalogue_->impl_;
  auto existing = catalogue_->lookup(old_path);
  if (!existing) return fail(existing.error());
  if (!existing->has_value()) return false;  // nothing changed: the row at new_path stays
  if (old_path != new_path) {
    Statement& drop = impl[Sql::delete_path];
    drop.bind(1, new_path);
    if (auto r = impl.run(drop, "catalogue: replacing a track failed"); !r) return fail(r.error());
  }
  Statement& stmt = impl[Sql::relocate];
  stmt.bind(1, old_path);
  stmt.bind(2, new_path);
  bind_stamp(stmt, 3, stamp);
  stmt.bind(7, generation_);
  if (auto r = impl.run(stmt, "catalogue: relocating a track failed"); !r) return fail(r.error());
  if (auto r = row_done(); !r) return r.error();
  return true;
}

Result<std::uint64_t> Catalogue::Writer::remove_unseen(std::string_view root, const SeenTracks& seen) {
  if (root.empty()) return make_error(Errc::invalid_argument, "catalogue: remove_unseen needs a root");
  if (auto r = begin_batch(); !r) return r.error();
  Impl& impl = *catalogue_->impl_;
  const std::string_view prefix = subtree_key(root);
  Statement& tracks = impl[Sql::remove_unseen_tracks];
  tracks.bind(1, prefix);
  tracks.bind(2, generation_);
  sqlite3_bind_pointer(tracks.get(), 3, const_cast<SeenTracks*>(&seen), kSeenTracksType, nullptr);
  if (auto r = impl.run(tracks, "catalogue: removing unseen tracks failed"); !r) return fail(r.error());
  const auto removed = static_cast<std::uint64_t>(sqlite3_changes64(impl.db));
  Statement& errors = impl[Sql::remove_unseen_errors];
  errors.bind(1, prefix);
  errors.bind(2, generation_);
  if (auto r = impl.run(errors, "catalogue: removing old scan errors failed"); !r) return fail(r.error());
  if (auto r = commit(); !r) return r.error();
  return removed;
}

Result<void> Catalogue::Writer::finish() { return commit(); }

}  // namespace frugal::library
