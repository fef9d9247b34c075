#pragma once
// The media library's vocabulary: what the scanner learns about one audio
// file and the catalogue stores (library/scanner.hpp → library/catalogue.hpp).
// Plain values; thread-safety: none needed.

#include <frugal/core/error.hpp>
#include <frugal/core/result.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace frugal::library {

/// What tells a file changed without reading it (POSIX stat(2)): a rescan
/// skips a file whose stamp equals the catalogue's (no re-hash).
struct FileStamp {
  std::uint64_t size = 0;      ///< st_size, bytes
  std::int64_t mtime_ns = 0;   ///< st_mtim, nanoseconds since the Unix epoch
  std::uint64_t inode = 0;     ///< st_ino
  std::uint64_t device = 0;    ///< st_dev
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

/// XXH3-128 (xxHash 0.8) of a file's whole content: recognizes a moved or
/// renamed file and a copy. Seed 0, high half first in hex().
struct ContentHash {
  std::uint64_t high = 0, low = 0;

  /// 32 lowercase hex characters, high half first (as
  /// XXH128_canonicalFromHash renders it).
  std::array<char, 32> hex() const noexcept;
  /// Parses hex(): exactly 32 characters of [0-9a-f]. Errors:
  /// Errc::invalid_argument.
  static core::Result<ContentHash> parse(std::string_view hex) noexcept;
  friend bool operator==(const ContentHash&, const ContentHash&) = default;
};

/// One audio file as scanned: where it is, its identity, its technical
/// facts (from the demuxer's first audio track) and its tags (tags::read_tags).
/// Strings are UTF-8 (paths: the bytes the filesystem holds), empty when
/// absent; numbers 0 when absent.
struct TrackRecord {
  std::string path;          ///< absolute, as the scan walked it (no symlinks resolved)
  FileStamp stamp;
  ContentHash hash;
  std::string container;     ///< "mp4", "flac", "ogg"
  std::string codec;         ///< core::codec_name: "aac", "alac", "flac", "opus"...
  std::uint32_t sample_rate = 0;   ///< Hz
  std::uint32_t channels = 0;
  std::uint64_t duration_ms = 0;   ///< milliseconds, 0 when unknown
  std::string title, artist, album, album_artist, genre;
  std::uint32_t year = 0;          ///< the first four digits of the date tag
  std::uint32_t track_number = 0, disc_number = 0;
  /// Cover art: the byte size of the picture a thumbnail is made from
  /// (the front cover, else the first), 0 when the file has none.
  std::uint64_t cover_bytes = 0;
};

/// A file or folder the scan could not read (the scan goes on): its path
/// and why. `error.message` is a static string (core::Error).
struct ScanError {
  std::string path;
  core::Error error;
};

}  // namespace frugal::library
