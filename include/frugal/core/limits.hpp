#pragma once
// Caps on every size and count frugal takes from a file before it allocates
// or loops on it. Defaults are safe for hostile input and generous for real
// files; embedders tighten them for small devices. A value beyond its cap is
// Errc::limit_exceeded, never a silent truncation.

#include <cstdint>

namespace frugal::core {

struct Limits {
  /// Deepest box nesting accepted (moov/trak/mdia/minf/stbl/stsd/entry/wave/...).
  std::uint32_t max_box_depth = 16;
  /// Largest box read into memory whole (stsd, esds, dOps, elst...), in bytes.
  std::uint32_t max_box_bytes = 1u << 20;
  /// Tracks per file.
  std::uint32_t max_tracks = 128;
  /// Sample entries per stsd.
  std::uint32_t max_sample_entries = 16;
  /// Edit list entries per track.
  std::uint32_t max_edit_entries = 4096;
  /// Largest packet (sample, or group of PCM samples) delivered, in bytes.
  std::uint32_t max_packet_bytes = 16u << 20;
  /// Samples of one track in one movie fragment (moof): 4 M is ~6 hours of
  /// AAC or 87 s of single-frame PCM at 48 kHz in a single fragment. Seeking
  /// inside a fragment walks the track's samples there, so this bounds that
  /// part of a seek's work (other tracks' trafs are passed over once each).
  std::uint32_t max_fragment_samples = 1u << 22;
  /// Chapters per file (MP4: Nero 'chpl' entries, samples of a QuickTime
  /// chapter track). More than this: the file's chapters are left empty.
  std::uint32_t max_chapters = 1024;
  /// Longest chapter title, in bytes as the file stores it (UTF-8, or UTF-16
  /// with its byte-order mark). A longer one: the file's chapters are left empty.
  std::uint32_t max_chapter_title_bytes = 1024;
};

}  // namespace frugal::core
