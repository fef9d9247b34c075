#pragma once
// A packet: the unit the demuxer hands to a decoder. Thread-safety: plain value.

#include <cstdint>

namespace frugal::core {

/// Packet::index when the demuxer does not know it: in a fragmented track
/// after Demuxer::seek() found the fragment through 'sidx' or 'mfra', the
/// samples before it are never counted.
inline constexpr std::uint64_t kUnknownIndex = ~std::uint64_t{0};

struct Packet {
  std::uint32_t track = 0;       ///< track_ID (tkhd) of the track it belongs to
  std::uint64_t index = 0;       ///< 0-based packet number within its track, or kUnknownIndex
  std::int64_t dts = 0;          ///< decode time in the track's timescale ticks, as stored
                                 ///< (edit lists not applied; the first sample is at 0)
  std::int64_t pts = 0;          ///< presentation time: dts + the ctts composition offset
  std::uint64_t duration = 0;    ///< timescale ticks (sum of the samples' stts deltas)
  std::uint32_t size = 0;        ///< bytes of data
  std::uint64_t pos = 0;         ///< file offset of the first byte
  bool sync = true;              ///< first sample is a sync sample (stss; all when absent)
  std::uint32_t sample_count = 1;  ///< MP4 samples in the packet (PCM: up to 1024 frames)
  std::uint32_t sample_description_index = 1;  ///< 1-based stsd entry (stsc)
};

}  // namespace frugal::core
