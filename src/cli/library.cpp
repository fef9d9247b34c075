// frugal library scan|list|albums|artists|search|stats|export: the media library —
// folders scanned into a catalogue (library::LibraryScan), browsed by keyset
// pages, searched (FTS5), counted, and exported as a static HTML gallery.
#include "cli/common.hpp"
#include "cli/json.hpp"
#include "cli/progress_bar.hpp"

#include <frugal/library/catalogue.hpp>
#include <frugal/library/html_export.hpp>
#include <frugal/library/library_scan.hpp>
#include <frugal/thumbnails/thumbnail_service.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace frugal::cli {

namespace {

namespace fs = std::filesystem;

// --db PATH, else $XDG_DATA_HOME/frugal/library.db, else
// ~/.local/share/frugal/library.db (its folder made when `create`).
core::Result<std::string> database_path(const Args& args, bool create) {
  if (auto db = args.value("--db")) return *db;
  fs::path dir;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    dir = fs::path(xdg) / "frugal";
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = fs::path(home) / ".local/share/frugal";
  else
    return core::make_error(core::Errc::invalid_argument, "no --db, and neither XDG_DATA_HOME nor HOME is set");
  if (create) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return core::Error{core::Errc::io, "cannot make the library's folder", core::Error::kNoOffset, ec.value()};
  }
  return (dir / "library.db").string();
}

// `create`: the scan makes a new catalogue; the readers refuse a missing one.
core::Result<std::unique_ptr<library::Catalogue>> open_catalogue(const std::string& path, bool create = false) {
  library::CatalogueOptions options;
  options.tracker = &tracker();
  options.create = create;
  return library::Catalogue::open(path, options);
}

std::string track_json(const library::TrackRow& t) {
  JsonObject o;
  o.add("id", std::int64_t{t.id})
      .add("path", t.path)
      .add("title", t.title)
      .add("artist", t.artist)
      .add("album", t.album)
      .add("year", t.year)
      .add("disc", t.disc_number)
      .add("track", t.track_number)
      .add("duration_ms", t.duration_ms)
      .add("codec", t.codec);
  return o.str();
}

void print_track(const library::TrackRow& t) {
  std::printf("%s — %s — %s%s (%s)\n", t.artist.c_str(), t.album.c_str(), t.title.c_str(),
              t.year ? (" [" + std::to_string(t.year) + "]").c_str() : "", t.path.c_str());
}

std::optional<std::uint32_t> parse_limit(const Args& args, std::uint32_t fallback) {
  auto v = args.value("--limit");
  if (!v) return fallback;
  auto n = parse_positive(*v);
  if (!n || *n > library::kMaxPageRows) return std::nullopt;
  return n;
}

int run_scan(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--db", "--io-workers", "--cpu-workers"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.empty()) return usage_error("library scan takes one or more folders");
  auto db = database_path(*args, true);
  if (!db) return report("library", db.error());
  library::LibraryScanOptions options;
  options.scan.tracker = &tracker();
  for (const auto& [name, field] : {std::pair{"--io-workers", &options.scan.io_workers},
                                     std::pair{"--cpu-workers", &options.scan.cpu_workers}})
    if (auto v = args->value(name)) {
      auto n = parse_positive(*v);
      if (!n || *n > library::Scanner::kMaxWorkers) return usage_error(std::string(name) + " takes 1 to 16");
      *field = *n;
    }
  auto catalogue = open_catalogue(*db, true);
  if (!catalogue) return report(*db, catalogue.error());
  ProgressBar bar(::isatty(2) == 1);
  options.progress = [&bar](const library::ScanProgress& p) {
    bar.update(p.files_done, p.files_discovered,
               std::to_string(p.files_done) + "/" + std::to_string(p.files_discovered) + " files, " +
                   std::to_string(p.audio) + " audio, " + std::to_string(p.unchanged) + " unchanged, " +
                   std::to_string(p.errors) + " errors");
    return true;
  };
  library::LibraryScan scan(**catalogue, *db, options);
  auto result = scan.run(args->positional);  // resolved and normalized by the scan
  bar.finish();
  if (!result) return report("library scan", result.error());
  const library::LibraryScanReport& r = *result;
  const library::ScanStats& s = r.stats;
  if (args->has("--json")) {
    JsonObject phases;
    phases.add("discovery_files_per_second", s.discovery_files_per_second())
        .add("hashing_mb_per_second", s.hashing_megabytes_per_second())
        .add("parsing_files_per_second", s.parsing_files_per_second())
        .add("writing_files_per_second", s.sink_files_per_second());
    JsonObject o;
    o.add("database", *db)
        .add("files", s.files_discovered)
        .add("audio", s.audio)
        .add("untagged", s.untagged)
        .add("skipped", s.skipped)
        .add("unchanged", r.unchanged)
        .add("added", r.added)
        .add("updated", r.updated)
        .add("moved", r.moved)
        .add("removed", r.removed)
        .add("errors", r.errors)
        .add("bytes_hashed", s.bytes_hashed)
        .add("commits", r.commits)
        .add_raw("throughput", phases.str());
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("%s: %llu files, %llu audio (%llu added, %llu updated, %llu moved, %llu unchanged, %llu untagged), "
                "%llu removed, %llu errors, %.1f MB hashed\n",
                db->c_str(), static_cast<unsigned long long>(s.files_discovered),
                static_cast<unsigned long long>(s.audio + r.unchanged), static_cast<unsigned long long>(r.added),
                static_cast<unsigned long long>(r.updated), static_cast<unsigned long long>(r.moved),
                static_cast<unsigned long long>(r.unchanged), static_cast<unsigned long long>(s.untagged),
                static_cast<unsigned long long>(r.removed),
                static_cast<unsigned long long>(r.errors), double(s.bytes_hashed) / 1e6);
  }
  for (const library::ScanError& root : r.failed_roots) report(root.path, root.error);  // its tracks are kept
  return r.failed_roots.empty() ? kOk : kBadInput;
}

int run_list(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--db", "--artist", "--album", "--order", "--after", "--limit"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (!args->positional.empty()) return usage_error("library list takes no positional argument");
  library::TrackQuery query;
  if (auto order = args->value("--order")) {
    if (*order == "artist") query.order = library::TrackOrder::artist;
    else if (*order == "album") query.order = library::TrackOrder::album;
    else if (*order == "title") query.order = library::TrackOrder::title;
    else if (*order == "year") query.order = library::TrackOrder::year;
    else return usage_error("--order takes artist, album, title or year");
  }
  query.artist = args->value("--artist");
  query.album = args->value("--album");
  query.after = args->value("--after").value_or("");
  auto limit = parse_limit(*args, 50);
  if (!limit) return usage_error("--limit takes 1 to 1000");
  query.limit = *limit;
  auto db = database_path(*args, false);
  if (!db) return report("library", db.error());
  auto catalogue = open_catalogue(*db);
  if (!catalogue) return report(*db, catalogue.error());
  auto page = (*catalogue)->list_tracks(query);
  if (!page) return report("library list", page.error());
  if (args->has("--json")) {
    JsonArray rows;
    for (const auto& t : page->rows) rows.add_raw(track_json(t));
    JsonObject o;
    o.add_raw("tracks", rows.str()).add("next_cursor", page->next_cursor);
    std::printf("%s\n", o.str().c_str());
  } else {
    for (const auto& t : page->rows) print_track(t);
    if (!page->next_cursor.empty()) std::printf("next page: --after %s\n", page->next_cursor.c_str());
  }
  return kOk;
}

// library albums|artists: a keyset page of albums (by title) or artists (by name).
int run_names(const std::vector<std::string>& argv, bool albums) {
  std::string err;
  auto args = parse_args(argv, {"--db", "--after", "--limit"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (!args->positional.empty()) return usage_error("library albums|artists takes no positional argument");
  auto limit = parse_limit(*args, 50);
  if (!limit) return usage_error("--limit takes 1 to 1000");
  auto db = database_path(*args, false);
  if (!db) return report("library", db.error());
  auto catalogue = open_catalogue(*db);
  if (!catalogue) return report(*db, catalogue.error());
  const std::string after = args->value("--after").value_or("");
  JsonArray rows;
  std::string next;
  if (albums) {
    auto page = (*catalogue)->list_albums(after, *limit);
    if (!page) return report("library albums", page.error());
    for (const library::AlbumRow& a : page->rows) {
      JsonObject o;
      o.add("id", std::int64_t{a.id}).add("title", a.title).add("artist", a.artist).add("year", a.year)
          .add("tracks", a.track_count);
      rows.add_raw(o.str());
      if (!args->has("--json"))
        std::printf("%s — %s%s (%llu tracks)\n", a.artist.c_str(), a.title.c_str(),
                    a.year ? (" [" + std::to_string(a.year) + "]").c_str() : "",
                    static_cast<unsigned long long>(a.track_count));
    }
    next = std::move(page->next_cursor);
  } else {
    auto page = (*catalogue)->list_artists(after, *limit);
    if (!page) return report("library artists", page.error());
    for (const library::ArtistRow& a : page->rows) {
      JsonObject o;
      o.add("id", std::int64_t{a.id}).add("name", a.name).add("tracks", a.track_count);
      rows.add_raw(o.str());
      if (!args->has("--json"))
        std::printf("%s (%llu tracks)\n", a.name.c_str(), static_cast<unsigned long long>(a.track_count));
    }
    next = std::move(page->next_cursor);
  }
  if (args->has("--json")) {
    JsonObject o;
    o.add_raw(albums ? "albums" : "artists", rows.str()).add("next_cursor", next);
    std::printf("%s\n", o.str().c_str());
  } else if (!next.empty()) {
    std::printf("next page: --after %s\n", next.c_str());
  }
  return kOk;
}

int run_search(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--db", "--limit"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("library search takes one TERM (quote several words)");
  auto limit = parse_limit(*args, 50);
  if (!limit) return usage_error("--limit takes 1 to 1000");
  auto db = database_path(*args, false);
  if (!db) return report("library", db.error());
  auto catalogue = open_catalogue(*db);
  if (!catalogue) return report(*db, catalogue.error());
  auto rows = (*catalogue)->search(args->positional[0], *limit);
  if (!rows) return report("library search", rows.error());
  if (args->has("--json")) {
    JsonArray a;
    for (const auto& t : *rows) a.add_raw(track_json(t));
    JsonObject o;
    o.add_raw("tracks", a.str());
    std::printf("%s\n", o.str().c_str());
  } else {
    for (const auto& t : *rows) print_track(t);
  }
  return kOk;
}

int run_stats(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--db"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (!args->positional.empty()) return usage_error("library stats takes no positional argument");
  auto db = database_path(*args, false);
  if (!db) return report("library", db.error());
  auto catalogue = open_catalogue(*db);
  if (!catalogue) return report(*db, catalogue.error());
  auto s = (*catalogue)->stats();
  if (!s) return report("library stats", s.error());
  if (args->has("--json")) {
    JsonObject o;
    o.add("tracks", s->tracks).add("albums", s->albums).add("artists", s->artists).add("errors", s->errors);
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("%llu tracks, %llu albums, %llu artists, %llu errors\n", static_cast<unsigned long long>(s->tracks),
                static_cast<unsigned long long>(s->albums), static_cast<unsigned long long>(s->artists),
                static_cast<unsigned long long>(s->errors));
  }
  return kOk;
}

// The album's first kMaxAlbumPageTracks tracks, in disc and track order.
core::Result<std::vector<library::TrackRow>> album_tracks(library::Catalogue& catalogue, std::int64_t album_id) {
  std::vector<library::TrackRow> rows;
  library::TrackQuery q;
  q.order = library::TrackOrder::album;
  q.album_id = album_id;
  q.limit = library::kMaxPageRows;
  for (;;) {
    FRUGAL_TRY(auto page, catalogue.list_tracks(q));
    for (auto& t : page.rows)
      if (rows.size() < library::kMaxAlbumPageTracks) rows.push_back(std::move(t));
    if (page.next_cursor.empty() || rows.size() == library::kMaxAlbumPageTracks) return rows;
    q.after = std::move(page.next_cursor);
  }
}

int run_export(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--db", "--html", "--size"}, {"--json"}, err);
  if (!args) return usage_error(err);
  const auto dir = args->value("--html");
  if (!dir || !args->positional.empty()) return usage_error("library export takes --html DIR");
  library::HtmlExportOptions options;
  options.tracker = &tracker();
  if (auto v = args->value("--size")) {
    auto n = parse_positive(*v);
    if (!n || *n > 4096) return usage_error("--size takes pixels from 1 to 4096");
    options.thumbnail_size = *n;
  }
  auto db = database_path(*args, false);
  if (!db) return report("library", db.error());
  auto catalogue = open_catalogue(*db);
  if (!catalogue) return report(*db, catalogue.error());
  thumbnails::ThumbnailServiceOptions service_options;
  service_options.tracker = &tracker();
  auto service = thumbnails::ThumbnailService::create(service_options);
  if (!service) return report("library export", service.error());
  options.thumbnails = service->get();
  auto exporter = library::HtmlExport::begin(*dir, options);
  if (!exporter) return report(*dir, exporter.error());
  std::string cursor;
  do {
    auto albums = (*catalogue)->list_albums(cursor, 200);
    if (!albums) return report("library export", albums.error());
    for (const library::AlbumRow& a : albums->rows) {
      auto tracks = album_tracks(**catalogue, a.id);
      if (!tracks) return report("library export", tracks.error());
      library::ExportAlbum album;
      album.key = std::to_string(a.id);
      album.title = a.title;
      album.artist = a.artist;
      album.year = a.year;
      album.more_tracks = a.track_count - std::min<std::uint64_t>(a.track_count, tracks->size());
      for (const library::TrackRow& t : *tracks) {
        album.tracks.push_back({t.disc_number, t.track_number, t.title, t.artist, t.duration_ms});
        if (album.cover_path.empty() && t.cover_bytes) album.cover_path = t.path;
      }
      if (auto added = (*exporter)->add_album(album); !added) return report(*dir, added.error());
    }
    cursor = std::move(albums->next_cursor);
  } while (!cursor.empty());
  auto r = (*exporter)->finish();
  if (!r) return report(*dir, r.error());
  if (args->has("--json")) {
    JsonObject o;
    o.add("output", *dir)
        .add("albums", r->albums)
        .add("pages_written", r->pages_written)
        .add("pages_kept", r->pages_kept)
        .add("pages_removed", r->pages_removed)
        .add("covers_written", r->covers_written)
        .add("covers_kept", r->covers_kept)
        .add("covers_removed", r->covers_removed)
        .add("cover_errors", r->cover_errors);
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("%s/index.html: %llu albums (%llu pages written, %llu kept, %llu removed; %llu covers made, %llu kept, "
                "%llu failed)\n",
                dir->c_str(), static_cast<unsigned long long>(r->albums),
                static_cast<unsigned long long>(r->pages_written), static_cast<unsigned long long>(r->pages_kept),
                static_cast<unsigned long long>(r->pages_removed), static_cast<unsigned long long>(r->covers_written),
                static_cast<unsigned long long>(r->covers_kept), static_cast<unsigned long long>(r->cover_errors));
  }
  return kOk;
}

}  // namespace

int run_library(const std::vector<std::string>& argv) {
  if (argv.empty()) return usage_error("library takes scan, list, albums, artists, search, stats or export");
  const std::string& sub = argv[0];
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (sub == "scan") return run_scan(rest);
  if (sub == "list") return run_list(rest);
  if (sub == "albums") return run_names(rest, true);
  if (sub == "artists") return run_names(rest, false);
  if (sub == "search") return run_search(rest);
  if (sub == "stats") return run_stats(rest);
  if (sub == "export") return run_export(rest);
  return usage_error("unknown library command: " + sub);
}

}  // namespace frugal::cli
