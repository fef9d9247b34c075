#pragma once
// The catalogue's schema as ordered migration steps: step i (0-based) takes
// PRAGMA user_version from i to i + 1 in its own transaction. Append new
// steps; never edit a released one (databases in the field already ran it).

#include <array>

namespace frugal::library::schema {

inline constexpr std::array<const char*, 2> kMigrations = {
    // 1: artists, albums, tracks, scan generations, full-text index.
    // Text sort keys are COLLATE NOCASE columns so ORDER BY, the row-value
    // cursors and the indexes all use one collation.
    R"sql(
CREATE TABLE artists(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE);
CREATE TABLE albums(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL COLLATE NOCASE,
  artist_id INTEGER NOT NULL REFERENCES artists(id),
  year INTEGER NOT NULL DEFAULT 0,
  UNIQUE(title, artist_id));
CREATE INDEX albums_by_title ON albums(title, id);
CREATE INDEX albums_by_artist ON albums(artist_id);
CREATE TABLE tracks(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
  inode INTEGER NOT NULL, device INTEGER NOT NULL,
  hash TEXT NOT NULL,
  container TEXT NOT NULL, codec TEXT NOT NULL,
  sample_rate INTEGER NOT NULL, channels INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
  title TEXT NOT NULL COLLATE NOCASE,
  artist TEXT NOT NULL COLLATE NOCASE,
  album TEXT NOT NULL COLLATE NOCASE,
  artist_id INTEGER NOT NULL REFERENCES artists(id),
  album_id INTEGER NOT NULL REFERENCES albums(id),
  album_artist TEXT NOT NULL, genre TEXT NOT NULL,
  year INTEGER NOT NULL, track_number INTEGER NOT NULL, disc_number INTEGER NOT NULL,
  cover_bytes INTEGER NOT NULL,
  scan_generation INTEGER NOT NULL);
CREATE INDEX tracks_by_artist ON tracks(artist, album, album_id, disc_number, track_number, id);
CREATE INDEX tracks_by_album ON tracks(album, album_id, disc_number, track_number, id);
CREATE INDEX tracks_by_title ON tracks(title, id);
CREATE INDEX tracks_by_year ON tracks(year, album, album_id, disc_number, track_number, id);
CREATE INDEX tracks_by_artist_id ON tracks(artist_id);
CREATE INDEX tracks_by_album_id ON tracks(album_id);
CREATE TABLE scans(generation INTEGER PRIMARY KEY, started_unix INTEGER NOT NULL);

CREATE VIRTUAL TABLE tracks_fts USING fts5(title, artist, album,
  content='tracks', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks BEGIN
  INSERT INTO tracks_fts(rowid, title, artist, album) VALUES (new.id, new.title, new.artist, new.album);
END;
CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
  INSERT INTO tracks_fts(tracks_fts, rowid, title, artist, album) VALUES ('delete', old.id, old.title, old.artist, old.album);
END;
CREATE TRIGGER tracks_fts_update AFTER UPDATE OF title, artist, album ON tracks BEGIN
  INSERT INTO tracks_fts(tracks_fts, rowid, title, artist, album) VALUES ('delete', old.id, old.title, old.artist, old.album);
  INSERT INTO tracks_fts(rowid, title, artist, album) VALUES (new.id, new.title, new.artist, new.album);
END;

-- Orphans: an album goes with its last track, an artist when no track or
-- album refers to it (the albums trigger fires from the tracks triggers).
CREATE TRIGGER tracks_orphans_delete AFTER DELETE ON tracks BEGIN
  DELETE FROM albums WHERE id = old.album_id
    AND NOT EXISTS (SELECT 1 FROM tracks WHERE album_id = old.album_id);
  DELETE FROM artists WHERE id = old.artist_id
    AND NOT EXISTS (SELECT 1 FROM tracks WHERE artist_id = old.artist_id)
    AND NOT EXISTS (SELECT 1 FROM albums WHERE artist_id = old.artist_id);
END;
CREATE TRIGGER tracks_orphans_update AFTER UPDATE OF artist_id, album_id ON tracks BEGIN
  DELETE FROM albums WHERE id = old.album_id
    AND NOT EXISTS (SELECT 1 FROM tracks WHERE album_id = old.album_id);
  DELETE FROM artists WHERE id = old.artist_id
    AND NOT EXISTS (SELECT 1 FROM tracks WHERE artist_id = old.artist_id)
    AND NOT EXISTS (SELECT 1 FROM albums WHERE artist_id = old.artist_id);
END;
CREATE TRIGGER albums_orphans_delete AFTER DELETE ON albums BEGIN
  DELETE FROM artists WHERE id = old.artist_id
    AND NOT EXISTS (SELECT 1 FROM tracks WHERE artist_id = old.artist_id)
    AND NOT EXISTS (SELECT 1 FROM albums WHERE artist_id = old.artist_id);
END;
)sql",
    // 2: scan errors (one per path, the latest) and the content-hash index
    // that move detection (find_by_hash) needs.
    R"sql(
CREATE TABLE scan_errors(
  path TEXT PRIMARY KEY,
  code TEXT NOT NULL, message TEXT NOT NULL, os_error INTEGER NOT NULL,
  scan_generation INTEGER NOT NULL);
CREATE INDEX tracks_by_hash ON tracks(hash);
)sql",
};

}  // namespace frugal::library::schema
