// Catalogue browsing: keyset pages (row-value comparisons over the order's
// index, never OFFSET) with opaque cursors, and FTS5 search.
//
// A cursor is the last row's sort keys: a kind letter, then each key after a
// '.', text as lowercase hex of its UTF-8 bytes, integers in decimal, e.g.
// "t.616263.42" (title "abc", id 42). Only listings of the same kind accept it.

#include "library/catalogue_impl.hpp"

#include <charconv>
#include <string>

namespace frugal::library {

using core::Errc;
using core::make_error;
using core::Result;

namespace {

constexpr std::size_t kMaxCursorBytes = 16384;
constexpr std::size_t kMaxSearchBytes = 1024;

// A listing's keys: its cursor letter, the key kinds ('T' text, 'I'
// integer) and the SQL row value of its key columns, in order.
struct Keys {
  char kind;
  const char* types;
  const char* columns;
};

constexpr Keys kTrackKeys[] = {
    {'a', "TTIIII", "artist, album, album_id, disc_number, track_number, id"},
    {'b', "TIIII", "album, album_id, disc_number, track_number, id"},
    {'t', "TI", "title, id"},
    {'y', "ITIIII", "year, album, album_id, disc_number, track_number, id"},
};
constexpr Keys kAlbumKeys{'L', "TI", "a.title, a.id"};
constexpr Keys kArtistKeys{'A', "TI", "name, id"};

// One decoded key: text or integer, as the Keys say.
struct KeyValue {
  std::string text;
  std::int64_t number = 0;
};

class CursorWriter {
 public:
  explicit CursorWriter(char kind) : out_(1, kind) {}
  void text(std::string_view value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out_ += '.';
    for (unsigned char c : value) {
      out_ += kDigits[c >> 4];
      out_ += kDigits[c & 0xF];
    }
  }
  void number(std::int64_t value) {
    out_ += '.';
    out_ += std::to_string(value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Result<std::vector<KeyValue>> parse_cursor(std::string_view cursor, const Keys& keys) {
  const auto bad = make_error(Errc::invalid_argument, "catalogue: not a cursor of this listing");
  if (cursor.size() > kMaxCursorBytes || cursor.empty() || cursor[0] != keys.kind) return bad;
  std::vector<KeyValue> values;
  std::string_view rest = cursor.substr(1);
  for (const char* type = keys.types; *type; ++type) {
    if (rest.empty() || rest[0] != '.') return bad;
    rest.remove_prefix(1);
    const std::string_view field = rest.substr(0, rest.find('.'));
    rest.remove_prefix(field.size());
    KeyValue value;
    if (*type == 'T') {
      if (field.size() % 2 != 0) return bad;
      for (std::size_t i = 0; i < field.size(); i += 2) {
        const int high = hex_digit(field[i]), low = hex_digit(field[i + 1]);
        if (high < 0 || low < 0) return bad;
        value.text += static_cast<char>(high * 16 + low);
      }
    } else {
      const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value.number);
      if (field.empty() || ec != std::errc() || end != field.data() + field.size()) return bad;
    }
    values.push_back(std::move(value));
  }
  if (!rest.empty()) return bad;
  return values;
}

// Binds decoded cursor keys from parameter `first` on.
void bind_keys(Statement& stmt, int first, const Keys& keys, const std::vector<KeyValue>& values) {
  for (std::size_t i = 0; keys.types[i]; ++i) {
    if (keys.types[i] == 'T') stmt.bind(first + static_cast<int>(i), std::string_view(values[i].text));
    else stmt.bind(first + static_cast<int>(i), values[i].number);
  }
}

// "(?4, ?5, ?6)" for `count` keys from parameter `first`.
std::string placeholders(int first, std::size_t count) {
  std::string out = "(";
  for (std::size_t i = 0; i < count; ++i) out += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
  return out + ")";
}

Result<void> check_limit(std::uint32_t limit) {
  if (limit == 0 || limit > kMaxPageRows)
    return make_error(Errc::invalid_argument, "catalogue: a page limit must be 1..kMaxPageRows");
  return {};
}

// The columns a TrackRow is read from.
constexpr const char* kTrackColumns =
    "t.id, t.path, t.title, t.artist, t.album, t.codec, t.year, t.track_number, t.disc_number, t.duration_ms, "
    "t.album_id, t.cover_bytes";

TrackRow read_track(const Statement& stmt) {
  TrackRow row;
  row.id = stmt.column_int(0);
  row.path = stmt.column_text(1);
  row.title = stmt.column_text(2);
  row.artist = stmt.column_text(3);
  row.album = stmt.column_text(4);
  row.codec = stmt.column_text(5);
  row.year = static_cast<std::uint32_t>(stmt.column_int(6));
  row.track_number = static_cast<std::uint32_t>(stmt.column_int(7));
  row.disc_number = static_cast<std::uint32_t>(stmt.column_int(8));
  row.duration_ms = static_cast<std::uint64_t>(stmt.column_int(9));
  row.album_id = stmt.column_int(10);
  row.cover_bytes = static_cast<std::uint64_t>(stmt.column_int(11));
  return row;
}

std::string track_cursor(TrackOrder order, const TrackRow& row) {
  CursorWriter cursor(kTrackKeys[static_cast<int>(order)].kind);
  auto album_tail = [&] {
    cursor.text(row.album);
    cursor.number(row.album_id);
    cursor.number(row.disc_number);
    cursor.number(row.track_number);
  };
  switch (order) {
    case TrackOrder::artist: cursor.text(row.artist); album_tail(); break;
    case TrackOrder::album: album_tail(); break;
    case TrackOrder::title: cursor.text(row.title); break;
    case TrackOrder::year: cursor.number(row.year); album_tail(); break;
  }
  cursor.number(row.id);
  return cursor.take();
}

// Runs a page query whose last parameter set is done; reads up to `limit`
// rows (the query asks for one more, which says whether a next page exists).
template <typename Row, typename Read, typename Cursor>
Result<Page<Row>> read_page(Catalogue::Impl& impl, Statement& stmt, std::uint32_t limit, Read read, Cursor cursor) {
  StatementUse use(stmt);
  Page<Row> page;
  page.rows.reserve(limit);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (page.rows.size() == limit) {
      page.next_cursor = cursor(page.rows.back());
      break;
    }
    page.rows.push_back(read(stmt));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(impl.db, rc, "catalogue: a page query failed");
  return page;
}

}  // namespace

Result<Statement*> Catalogue::Impl::cached(Statement& slot, const std::string& sql) {
  if (!slot) {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    slot = std::move(*stmt);
  }
  return &slot;
}

Result<Page<TrackRow>> Catalogue::list_tracks(const TrackQuery& query) {
  if (auto r = check_limit(query.limit); !r) return r.error();
  const auto order = static_cast<std::size_t>(query.order);
  if (order >= std::size(kTrackKeys)) return make_error(Errc::invalid_argument, "catalogue: unknown track order");
  const Keys& keys = kTrackKeys[order];
  std::vector<KeyValue> after;
  if (!query.after.empty()) {
    auto parsed = parse_cursor(query.after, keys);
    if (!parsed) return parsed.error();
    after = std::move(*parsed);
  }
  // Parameters: ?1 artist, ?2 album, ?3 limit + 1, ?4 album id, ?5… the cursor's keys.
  const std::size_t variant = order * 16 + (query.artist ? 8 : 0) + (query.album ? 4 : 0) +
                              (query.album_id ? 2 : 0) + (after.empty() ? 0 : 1);
  std::string sql = std::string("SELECT ") + kTrackColumns + " FROM tracks t WHERE 1";
  if (query.artist) sql += " AND artist = ?1";
  if (query.album) sql += " AND album = ?2";
  if (query.album_id) sql += " AND album_id = ?4";
  if (!after.empty())
    sql += std::string(" AND (") + keys.columns + ") > " + placeholders(5, std::char_traits<char>::length(keys.types));
  sql += std::string(" ORDER BY ") + keys.columns + " LIMIT ?3";
  auto stmt = impl_->cached(impl_->track_pages[variant], sql);
  if (!stmt) return stmt.error();
  Statement& s = **stmt;
  if (query.artist) s.bind(1, std::string_view(*query.artist));
  if (query.album) s.bind(2, std::string_view(*query.album));
  s.bind(3, static_cast<std::int64_t>(query.limit) + 1);
  if (query.album_id) s.bind(4, *query.album_id);
  if (!after.empty()) bind_keys(s, 5, keys, after);
  auto cursor = [&](const TrackRow& row) { return track_cursor(query.order, row); };
  return read_page<TrackRow>(*impl_, s, query.limit, read_track, cursor);
}

Result<Page<AlbumRow>> Catalogue::list_albums(std::string_view after, std::uint32_t limit) {
  if (auto r = check_limit(limit); !r) return r.error();
  std::vector<KeyValue> keys;
  if (!after.empty()) {
    auto parsed = parse_cursor(after, kAlbumKeys);
    if (!parsed) return parsed.error();
    keys = std::move(*parsed);
  }
  std::string sql =
      "SELECT a.id, a.title, ar.name, a.year, (SELECT count(*) FROM tracks WHERE album_id = a.id) FROM albums a "
      "JOIN artists ar ON ar.id = a.artist_id";
  if (!keys.empty()) sql += " WHERE (a.title, a.id) > (?2, ?3)";
  sql += " ORDER BY a.title, a.id LIMIT ?1";
  auto stmt = impl_->cached(impl_->album_pages[keys.empty() ? 0 : 1], sql);
  if (!stmt) return stmt.error();
  Statement& s = **stmt;
  s.bind(1, static_cast<std::int64_t>(limit) + 1);
  if (!keys.empty()) bind_keys(s, 2, kAlbumKeys, keys);
  auto read = [](const Statement& st) {
    AlbumRow row;
    row.id = st.column_int(0);
    row.title = st.column_text(1);
    row.artist = st.column_text(2);
    row.year = static_cast<std::uint32_t>(st.column_int(3));
    row.track_count = static_cast<std::uint64_t>(st.column_int(4));
    return row;
  };
  auto cursor = [](const AlbumRow& row) {
    CursorWriter c(kAlbumKeys.kind);
    c.text(row.title);
    c.number(row.id);
    return c.take();
  };
  return read_page<AlbumRow>(*impl_, s, limit, read, cursor);
}

Result<Page<ArtistRow>> Catalogue::list_artists(std::string_view after, std::uint32_t limit) {
  if (auto r = check_limit(limit); !r) return r.error();
  std::vector<KeyValue> keys;
  if (!after.empty()) {
    auto parsed = parse_cursor(after, kArtistKeys);
    if (!parsed) return parsed.error();
    keys = std::move(*parsed);
  }
  std::string sql = "SELECT id, name, (SELECT count(*) FROM tracks WHERE artist_id = artists.id) FROM artists";
  if (!keys.empty()) sql += " WHERE (name, id) > (?2, ?3)";
  sql += " ORDER BY name, id LIMIT ?1";
  auto stmt = impl_->cached(impl_->artist_pages[keys.empty() ? 0 : 1], sql);
  if (!stmt) return stmt.error();
  Statement& s = **stmt;
  s.bind(1, static_cast<std::int64_t>(limit) + 1);
  if (!keys.empty()) bind_keys(s, 2, kArtistKeys, keys);
  auto read = [](const Statement& st) {
    ArtistRow row;
    row.id = st.column_int(0);
    row.name = st.column_text(1);
    row.track_count = static_cast<std::uint64_t>(st.column_int(2));
    return row;
  };
  auto cursor = [](const ArtistRow& row) {
    CursorWriter c(kArtistKeys.kind);
    c.text(row.name);
    c.number(row.id);
    return c.take();
  };
  return read_page<ArtistRow>(*impl_, s, limit, read, cursor);
}

std::string fts_query(std::string_view term) {
  // ASCII letters and digits and every non-ASCII byte make words (as
  // unicode61 tokenizes ASCII); each word becomes "word"* — quoted, so
  // NEAR, AND, OR, NOT and column names are plain words; no quote survives.
  std::string out;
  std::size_t i = 0;
  while (i < term.size()) {
    auto word_byte = [&](std::size_t k) {
      const auto c = static_cast<unsigned char>(term[k]);
      return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    if (!word_byte(i)) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < term.size() && word_byte(end)) ++end;
    if (!out.empty()) out += ' ';
    out += '"';
    out.append(term.substr(i, end - i));
    out += "\"*";
    i = end;
  }
  return out;
}

Result<std::vector<TrackRow>> Catalogue::search(std::string_view term, std::uint32_t limit) {
  if (auto r = check_limit(limit); !r) return r.error();
  if (term.size() > kMaxSearchBytes) return make_error(Errc::invalid_argument, "catalogue: search text over 1 KiB");
  const std::string match = fts_query(term);
  if (match.empty()) return std::vector<TrackRow>();
  auto stmt = impl_->cached(impl_->search_stmt, std::string("SELECT ") + kTrackColumns +
                                                    " FROM tracks_fts JOIN tracks t ON t.id = tracks_fts.rowid "
                                                    "WHERE tracks_fts MATCH ?1 ORDER BY bm25(tracks_fts), t.id LIMIT ?2");
  if (!stmt) return stmt.error();
  Statement& s = **stmt;
  s.bind(1, std::string_view(match));
  s.bind(2, static_cast<std::int64_t>(limit));
  StatementUse use(s);
  std::vector<TrackRow> rows;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) rows.push_back(read_track(s));
  if (rc != SQLITE_DONE) return sqlite_error(impl_->db, rc, "catalogue: search failed");
  return rows;
}

}  // namespace frugal::library
