#include <frugal/library/html_export.hpp>

#include <frugal/thumbnails/cache_key.hpp>
#include <frugal/thumbnails/thumbnailer.hpp>

#include "output_file.hpp"

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

namespace frugal::library {

using core::Errc;
using core::make_error;

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStyle =
    "<style>body{font-family:sans-serif;margin:1em;background:#fafafa;color:#222}"
    ".grid{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;width:var(--s)}"
    "img.cover{width:var(--s);height:var(--s);object-fit:contain;background:#ddd}"
    "figcaption{font-size:.9em;overflow-wrap:anywhere}.d{color:#777}</style>";

void escape_into(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string escaped(std::string_view text) {
  std::string out;
  escape_into(out, text);
  return out;
}

// "m:ss" (or "h:mm:ss").
std::string duration_text(std::uint64_t ms) {
  const std::uint64_t s = ms / 1000;
  std::array<char, 32> buf{};
  if (s >= 3600)
    std::snprintf(buf.data(), buf.size(), "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(buf.data(), buf.size(), "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  return buf.data();
}

std::string fingerprint_line(const thumbnails::CacheKey& fingerprint) {
  return "<!DOCTYPE html>\n<!-- frugal-fingerprint " + std::string(fingerprint.hex()) + " -->\n";
}

// Whether the file at `path` starts with `prefix` (a page already up to date).
bool starts_with(const std::string& path, std::string_view prefix) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::array<char, 128> head{};
  const ssize_t n = ::pread(fd, head.data(), std::min(head.size(), prefix.size()), 0);
  ::close(fd);
  return n == static_cast<ssize_t>(prefix.size()) && std::memcmp(head.data(), prefix.data(), prefix.size()) == 0;
}

core::Error os_error(const char* message, int error) {
  core::Error e = make_error(Errc::io, message);
  e.os_error = error;
  return e;
}

core::Result<void> write_file(const std::string& path, std::string_view text) {
  FRUGAL_TRY(platform::AtomicFile file, platform::AtomicFile::create(path));
  FRUGAL_CHECK(file.write(std::as_bytes(std::span(text.data(), text.size()))));
  return file.commit();
}

// Deletes the files of `folder` ending in `suffix` whose names are not in `keep`.
core::Result<std::uint64_t> remove_others(const fs::path& folder, std::string_view suffix,
                                          const std::set<std::string, std::less<>>& keep) {
  std::error_code ec;
  std::uint64_t removed = 0;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0 ||
        keep.count(name))
      continue;
    if (::unlink(it->path().c_str()) == 0) ++removed;
  }
  if (ec) return os_error("HTML export: cannot list a folder", ec.value());
  return removed;
}

}  // namespace

struct HtmlExport::Impl {
  // Covers being made on the service's workers.
  struct Covers {
    std::mutex mutex;
    std::condition_variable cv;
    std::uint64_t outstanding = 0, written = 0, errors = 0;
    void done(bool ok) {
      std::lock_guard<std::mutex> lock(mutex);
      --outstanding;
      (ok ? written : errors) += 1;
      cv.notify_all();
    }
    void wait() {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [this] { return outstanding == 0; });
    }
  };

  ~Impl() { covers.wait(); }

  // Remembers `name` (charged) as kept; false when already kept.
  core::Result<bool> keep(std::set<std::string, std::less<>>& names, const std::string& name) {
    if (names.count(name)) return false;
    const std::size_t cost = name.size() + kNameCost;
    FRUGAL_CHECK(memory.try_resize(memory.bytes() + cost));
    names.insert(name);
    return true;
  }

  // The cover's file name, queuing it when missing; "" when the album has none.
  core::Result<std::string> cover_of(const ExportAlbum& album) {
    if (album.cover_path.empty() || !options.thumbnails) return std::string();
    auto identity = thumbnails::file_identity_key(album.cover_path);
    if (!identity) {
      ++report.cover_errors;
      return std::string();
    }
    thumbnails::CacheKeyBuilder key;
    key.add_string("cover").add_string(identity->hex()).add_u64(options.thumbnail_size);
    const std::string name = std::string(key.finish().hex()) + ".png";
    FRUGAL_TRY(const bool fresh, keep(covers_kept, name));
    if (!fresh) return name;
    const std::string path = (root / "thumbs" / name).string();
    if (::access(path.c_str(), F_OK) == 0) {
      ++report.covers_kept;
      return name;
    }
    thumbnails::ThumbnailRequest request;
    request.size = options.thumbnail_size;
    request.priority = thumbnails::Priority::background;
    {
      std::lock_guard<std::mutex> lock(covers.mutex);
      ++covers.outstanding;
    }
    Covers* state = &covers;
    auto queued = options.thumbnails->request_file(
        album.cover_path, request, [state, path](thumbnails::RequestId, const core::Result<thumbnails::Blob>& png) {
          state->done(png && write_file(path, std::string_view(reinterpret_cast<const char*>((*png)->data()),
                                                               (*png)->size())));
        });
    if (!queued) covers.done(false);
    return name;
  }

  std::string render_page(const ExportAlbum& album, const std::string& prefix, const std::string& cover) const {
    std::string page = prefix;
    page += "<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            "content=\"width=device-width,initial-scale=1\"><title>";
    escape_into(page, album.title);
    page += "</title>";
    page += kStyle;
    page += "</head><body style=\"--s:" + std::to_string(options.thumbnail_size) +
            "px\"><p><a href=\"../index.html\">All albums</a></p><header>";
    if (!cover.empty()) {
      page += "<img class=\"cover\" loading=\"lazy\" src=\"../thumbs/" + cover + "\" alt=\"";
      escape_into(page, album.title);
      page += "\">";
    }
    page += "<h1>";
    escape_into(page, album.title);
    page += "</h1><p>";
    escape_into(page, album.artist);
    if (album.year) page += " · " + std::to_string(album.year);
    page += "</p></header><ol>";
    for (const ExportTrack& t : album.tracks) {
      page += "<li>";
      if (t.track_number)
        page += "<span class=\"d\">" + (t.disc_number > 1 ? std::to_string(t.disc_number) + "." : std::string()) +
                std::to_string(t.track_number) + "</span> ";
      escape_into(page, t.title);
      if (!t.artist.empty() && t.artist != album.artist) page += " <span class=\"d\">(" + escaped(t.artist) + ")</span>";
      if (t.duration_ms) page += " <span class=\"d\">" + duration_text(t.duration_ms) + "</span>";
      page += "</li>";
    }
    page += "</ol>";
    if (album.more_tracks) page += "<p class=\"d\">and " + std::to_string(album.more_tracks) + " more</p>";
    page += "</body></html>\n";
    return page;
  }

  static constexpr std::size_t kNameCost = sizeof(std::string) + 4 * sizeof(void*);  // a set node

  fs::path root;
  HtmlExportOptions options;
  mem::Charge memory;
  std::optional<platform::AtomicFile> index;
  std::set<std::string, std::less<>> pages_kept, covers_kept;
  HtmlExportReport report;
  bool dead = false;
  Covers covers;
};

HtmlExport::HtmlExport(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
HtmlExport::~HtmlExport() = default;

core::Result<std::unique_ptr<HtmlExport>> HtmlExport::begin(const std::string& dir, const HtmlExportOptions& options) {
  if (options.thumbnail_size == 0 || options.thumbnail_size > thumbnails::kMaxThumbnailSide)
    return make_error(Errc::invalid_argument, "HTML export: thumbnail size out of range");
  std::unique_ptr<Impl> m(new (std::nothrow) Impl());
  if (!m) return make_error(Errc::out_of_memory, "HTML export: no memory");
  m->root = dir;
  m->options = options;
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account(kExportAccount));
  FRUGAL_TRY(m->memory, mem::Charge::try_make(account, 0));
  for (const char* sub : {"albums", "thumbs"}) {
    std::error_code ec;
    fs::create_directories(m->root / sub, ec);
    if (ec) return os_error("HTML export: cannot make the folder", ec.value());
  }
  FRUGAL_TRY(platform::AtomicFile index, platform::AtomicFile::create((m->root / "index.html").string()));
  m->index.emplace(std::move(index));
  std::string head = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                     "content=\"width=device-width,initial-scale=1\"><title>Albums</title>";
  head += kStyle;
  head += "</head><body style=\"--s:" + std::to_string(options.thumbnail_size) +
          "px\"><h1>Albums</h1><div class=\"grid\">\n";
  FRUGAL_CHECK(m->index->write(std::as_bytes(std::span(head.data(), head.size()))));
  return std::unique_ptr<HtmlExport>(new (std::nothrow) HtmlExport(std::move(m)));
}

core::Result<void> HtmlExport::add_album(const ExportAlbum& album) {
  Impl& m = *impl_;
  if (m.dead) return make_error(Errc::invalid_argument, "HTML export: already failed or finished");
  m.dead = true;  // until this album is in
  if (album.tracks.size() > kMaxAlbumPageTracks)
    return make_error(Errc::invalid_argument, "HTML export: an album page over kMaxAlbumPageTracks tracks");
  FRUGAL_TRY(const std::string cover, m.cover_of(album));

  thumbnails::CacheKeyBuilder page_key;
  page_key.add_string("album").add_string(album.key);
  const std::string page = std::string(page_key.finish().hex()) + ".html";
  FRUGAL_TRY(const bool fresh, m.keep(m.pages_kept, page));
  if (!fresh) return make_error(Errc::invalid_argument, "HTML export: an album key given twice");
  thumbnails::CacheKeyBuilder fingerprint;
  fingerprint.add_string("album-page-v1")
      .add_string(album.key)
      .add_string(album.title)
      .add_string(album.artist)
      .add_u64(album.year)
      .add_string(cover)
      .add_u64(m.options.thumbnail_size)
      .add_u64(album.more_tracks);
  for (const ExportTrack& t : album.tracks)
    fingerprint.add_u64(t.disc_number).add_u64(t.track_number).add_string(t.title).add_string(t.artist).add_u64(t.duration_ms);
  const std::string prefix = fingerprint_line(fingerprint.finish());
  const std::string path = (m.root / "albums" / page).string();
  if (starts_with(path, prefix)) {
    ++m.report.pages_kept;
  } else {
    FRUGAL_CHECK(write_file(path, m.render_page(album, prefix, cover)));
    ++m.report.pages_written;
  }

  std::string figure = "<figure><a href=\"albums/" + page + "\">";
  if (!cover.empty()) figure += "<img class=\"cover\" loading=\"lazy\" src=\"thumbs/" + cover + "\" alt=\"" + escaped(album.title) + "\">";
  figure += "</a><figcaption><a href=\"albums/" + page + "\">" + escaped(album.title) + "</a><br>" + escaped(album.artist);
  if (album.year) figure += " <span class=\"d\">" + std::to_string(album.year) + "</span>";
  figure += "</figcaption></figure>\n";
  FRUGAL_CHECK(m.index->write(std::as_bytes(std::span(figure.data(), figure.size()))));
  ++m.report.albums;
  m.dead = false;
  return core::ok();
}

core::Result<HtmlExportReport> HtmlExport::finish() {
  Impl& m = *impl_;
  if (m.dead) return make_error(Errc::invalid_argument, "HTML export: already failed or finished");
  m.dead = true;
  m.covers.wait();
  m.report.covers_written = m.covers.written;
  m.report.cover_errors += m.covers.errors;
  static constexpr std::string_view kTail = "</div></body></html>\n";
  FRUGAL_CHECK(m.index->write(std::as_bytes(std::span(kTail.data(), kTail.size()))));
  FRUGAL_CHECK(m.index->commit());
  m.index.reset();
  FRUGAL_TRY(m.report.pages_removed, remove_others(m.root / "albums", ".html", m.pages_kept));
  FRUGAL_TRY(m.report.covers_removed, remove_others(m.root / "thumbs", ".png", m.covers_kept));
  return m.report;
}

}  // namespace frugal::library
