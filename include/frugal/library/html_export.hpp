#pragma once
// A static HTML gallery of the library's albums: DIR/index.html (every
// album as a figure with its cover, in the order given), DIR/albums/<id>.html
// (an album's tracks) and DIR/thumbs/<id>.png (covers made by the thumbnail
// service, `loading="lazy"` in the pages so a browser fetches only what
// scrolls into view).
//
// Incremental: an album page starts with a fingerprint of everything it
// shows (XXH3-128 over its fields, tracks and cover identity); a page whose
// fingerprint is unchanged is neither rendered nor rewritten, and a cover
// whose file exists is not made again (its name derives from the cover
// file's identity and the size). Pages and covers of albums no longer given
// are deleted by finish(). Every file is written atomically
// (temporary + fsync + rename): a browser never reads half a page, and an
// export that fails or is dropped before finish() leaves the old index.
//
// Memory: the names of the pages and covers kept (for the deletions) grow
// with the album count: charged to tracker account kExportAccount.
// Thread-safety: one thread drives an HtmlExport; covers are written on
// the thumbnail service's workers.

#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/thumbnails/thumbnail_service.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace frugal::library {

inline constexpr const char* kExportAccount = "library/export";
/// Tracks an album page lists at most (a page, and the album the caller
/// holds to make it, stay bounded: the album of every untagged file may hold
/// them all); the rest is counted as ExportAlbum::more_tracks.
inline constexpr std::size_t kMaxAlbumPageTracks = 2000;

struct ExportTrack {
  std::uint32_t disc_number = 0, track_number = 0;  ///< 0: absent
  std::string title, artist;                        ///< UTF-8
  std::uint64_t duration_ms = 0;                    ///< milliseconds, 0: unknown
};

struct ExportAlbum {
  /// The album's stable identity (e.g. the catalogue's album id as text):
  /// its page's name derives from it (a hash: any text is safe).
  std::string key;
  std::string title, artist;  ///< UTF-8; escaped in the HTML
  std::uint32_t year = 0;     ///< 0: absent
  std::vector<ExportTrack> tracks;  ///< at most kMaxAlbumPageTracks
  /// A file holding the cover (an audio file's picture or an image), or
  /// empty: none.
  std::string cover_path;
  std::uint64_t more_tracks = 0;  ///< the album's tracks not in `tracks` (shown as a count)
};

struct HtmlExportOptions {
  /// Covers' longest side, pixels (1 - thumbnails::kMaxThumbnailSide).
  std::uint32_t thumbnail_size = 160;
  /// Makes the covers; null: no cover images.
  thumbnails::ThumbnailService* thumbnails = nullptr;
  /// Tracker for kExportAccount; nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

struct HtmlExportReport {
  std::uint64_t albums = 0;
  std::uint64_t pages_written = 0, pages_kept = 0, pages_removed = 0;
  std::uint64_t covers_written = 0, covers_kept = 0, covers_removed = 0;
  /// Covers that could not be made (their pages show the album title).
  std::uint64_t cover_errors = 0;
};

class HtmlExport {
 public:
  /// Starts an export into `dir` (made if missing, parents too; its albums/
  /// and thumbs/ folders too). Errors: Errc::io (os_error = errno);
  /// Errc::invalid_argument (thumbnail_size out of range).
  static core::Result<std::unique_ptr<HtmlExport>> begin(const std::string& dir, const HtmlExportOptions& options);

  /// Waits for covers still being made; without finish(), the old index stays.
  ~HtmlExport();
  HtmlExport(const HtmlExport&) = delete;
  HtmlExport& operator=(const HtmlExport&) = delete;

  /// Adds the next album: writes its page if its fingerprint changed,
  /// queues its cover if missing, appends its figure to the index. Errors:
  /// Errc::io; Errc::out_of_memory (kExportAccount refused);
  /// Errc::invalid_argument for more than kMaxAlbumPageTracks tracks; after
  /// one, the export is dead (finish() fails).
  core::Result<void> add_album(const ExportAlbum& album);

  /// Waits for the covers, commits index.html, deletes the pages and covers
  /// of albums not added. Errors: Errc::io; Errc::invalid_argument after a
  /// failed add_album or a second finish().
  core::Result<HtmlExportReport> finish();

  struct Impl;

 private:
  explicit HtmlExport(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::library
