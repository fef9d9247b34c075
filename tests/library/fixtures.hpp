#pragma once
// Test-only audio files for the library's tests, written at test time: an
// AAC MP4 with an ilst and a PNG cover, FLAC with Vorbis comments and two
// pictures, Ogg Opus with comments (tags fixtures, mp4_writer underneath).
#include "support/mp4_writer.hpp"  // Bytes

#include <cstddef>
#include <filesystem>
#include <string>

namespace frugal::test {

/// 2 s of AAC (mp4a) at 44.1 kHz stereo: title, artist "Artist M", album
/// "Album M", album artist "Band M", genre "Jazz", date 1999-12-31, track
/// 3/12, disc 2/2, and a PNG cover of about `cover_bytes` bytes.
Bytes tagged_m4a(const std::string& title, std::size_t cover_bytes);

/// A FLAC file's Vorbis comments.
struct FlacTags {
  std::string title, artist = "Artist F", album = "Album F", album_artist = "Band F", date = "2001-02-03",
                     track = "7/9";
};
/// FLAC (44.1 kHz stereo, 44,100 samples) with `tags` (genre Rock, disc 1),
/// a back cover then a front cover, one frame of 16 samples, then `pad` bytes.
Bytes tagged_flac(const FlacTags& tags, std::size_t pad = 0);

/// Ogg Opus with title, artist "Artist O" and date 2020.
Bytes tagged_opus(const std::string& title);

/// Writes `bytes` at `path` (its folders made); the path as a string.
std::string write_file(const std::filesystem::path& path, const Bytes& bytes);

}  // namespace frugal::test
