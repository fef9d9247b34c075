#pragma once
// What the demuxer knows about a track (ISO/IEC 14496-12 §8.3 'trak'), all
// read at open from the track's header boxes; sample tables stay behind the
// demuxer. Thread-safety: plain values.

#include <frugal/core/error.hpp>
#include <frugal/core/fourcc.hpp>
#include <frugal/core/media.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::core {

/// From the handler type in 'hdlr' (§8.4.3): 'soun', 'vide', 'text'/'sbtl'/
/// 'subt', 'meta'; anything else is `other`.
enum class TrackType : std::uint8_t { audio, video, text, metadata, other };

const char* track_type_name(TrackType type) noexcept;

/// One entry of an edit list ('elst', §8.6.6).
struct EditListEntry {
  std::uint64_t segment_duration = 0;  ///< in movie timescale ticks (mvhd)
  std::int64_t media_time = 0;         ///< in media timescale ticks (mdhd); -1 = empty edit
  std::int32_t media_rate = 1 << 16;   ///< 16.16 fixed point; 1.0 = normal play
};

/// QuickTime sound description fields that describe how compressed audio
/// is packed (QTFF "Sound Sample Description", versions 1 and 2). Zero when
/// the entry has none.
struct SoundPacking {
  std::uint32_t frames_per_packet = 0;  ///< v1 samplesPerPacket, v2 constLPCMFramesPerAudioPacket
  std::uint32_t bytes_per_frame = 0;    ///< v1 bytesPerFrame, v2 constBytesPerAudioPacket
};

/// One sample description ('stsd' entry, §8.5.2).
struct SampleEntry {
  FourCC format;                   ///< entry type: 'mp4a', 'Opus', 'fLaC', 'avc1'...
  std::uint16_t data_reference_index = 0;
  /// For audio entries, what a decoder needs; codec is Codec::unknown for
  /// entries frugal does not identify (they are reported, not fatal) and for
  /// non-audio tracks.
  CodecParameters codec;
  SoundPacking packing;
  /// Packets switching to this entry start a new stream (a chained Ogg
  /// link, RFC 7845 §3): the decoder starts afresh even when the codec
  /// parameters are the same as before.
  bool new_stream = false;
  /// Why this entry cannot be decoded (a malformed codec box, an unsupported
  /// PCM layout), or nullopt.
  std::optional<Error> error;
};

struct Track {
  std::uint32_t id = 0;                  ///< tkhd track_ID
  TrackType type = TrackType::other;
  FourCC handler;                  ///< hdlr handler_type
  std::uint32_t timescale = 0;           ///< mdhd: ticks per second of this track's media
  std::uint64_t duration = 0;            ///< mdhd: in `timescale` ticks; in fragmented files
                                         ///< mehd's fragment_duration, else 0 (unknown: mdhd
                                         ///< counts only the samples in moov)
  std::array<char, 4> language{'u', 'n', 'd', '\0'};  ///< mdhd: ISO 639-2/T code
  std::vector<SampleEntry> sample_entries;
  std::vector<EditListEntry> edit_list;  ///< empty when the track has none
  /// MP4 samples in moov, as stsz counts them (Demuxer::packet_count
  /// says how many packets they make: PCM whose samples are single frames
  /// comes up to 1024 frames a packet; samples in fragments are counted
  /// there too).
  std::uint64_t sample_count = 0;
  /// Why this track cannot deliver packets (malformed tables...), or
  /// nullopt when it can.
  std::optional<Error> error;

  /// The first sample entry's codec parameters for an audio track, else nullptr.
  const CodecParameters* audio() const noexcept {
    return type == TrackType::audio && !sample_entries.empty() ? &sample_entries.front().codec
                                                               : nullptr;
  }
};

}  // namespace frugal::core
