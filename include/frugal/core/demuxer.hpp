#pragma once
// The interface every container reader implements (MP4 in mp4/, FLAC in
// flac/, Ogg in ogg/), so the player and the `frugal` command treat them
// alike: tracks with codec parameters, packets in file order, seeking by
// time, packet bytes read into a caller-owned buffer.
//
// Thread-safety: one Demuxer per thread; distinct Demuxers may share a
// thread-safe ByteSource.

#include <frugal/core/limits.hpp>
#include <frugal/core/packet.hpp>
#include <frugal/core/result.hpp>
#include <frugal/core/track.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace frugal::mem {
class MemoryTracker;
}

namespace frugal::core {

/// Where a seek landed.
struct SeekPoint {
  std::uint64_t sample = 0;  ///< 0-based packet number the track's next packet has (or kUnknownIndex)
  std::int64_t dts = 0;      ///< its decode time, track timescale ticks
};

/// Encoder delay and padding stated by the file outside its edit lists
/// (MP4: iTunes' iTunSMPB), in samples at the track's sample rate; they
/// speak for the file's first audio track.
struct GaplessInfo {
  std::uint32_t encoder_delay = 0;    ///< samples of priming to drop at the start
  std::uint32_t padding = 0;          ///< samples to drop at the end
  std::uint64_t original_length = 0;  ///< samples of the source (0: not given)
};

/// A chapter: a named stretch of the presentation (MP4: Nero 'chpl' or a
/// QuickTime chapter text track; Vorbis comments: CHAPTERxx).
struct Chapter {
  std::uint64_t start = 0;      ///< in `timescale` ticks from the start of the presentation
  std::uint64_t end = 0;        ///< exclusive; the next chapter's start, the last one's the end
  std::uint32_t timescale = 0;  ///< ticks per second
  std::string title;            ///< UTF-8
};

struct DemuxerOptions {
  Limits limits;
  /// Where the demuxer charges what it holds and whose pressure shrinks it
  /// (each demuxer lists its accounts); nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

class Demuxer {
 public:
  virtual ~Demuxer() = default;

  /// The container: "mp4", "flac", "ogg" (ffprobe's format names).
  virtual const char* format_name() const noexcept = 0;

  /// Every track, in file order. Stable for the Demuxer's life.
  virtual std::span<const Track> tracks() const noexcept = 0;
  /// The track with this ID, or nullptr.
  const Track* track(std::uint32_t id) const noexcept;

  /// Ticks per second of the edit lists' segment durations (MP4: mvhd's
  /// timescale; containers that synthesize edit lists say theirs).
  virtual std::uint32_t movie_timescale() const noexcept = 0;
  /// Gapless info stated outside the edit lists, when the file has it.
  virtual const std::optional<GaplessInfo>& gapless() const noexcept = 0;
  /// The file's chapters in presentation order; empty when it has none.
  virtual std::span<const Chapter> chapters() const noexcept = 0;

  /// True when packets can be found by number: sample_at_time(),
  /// preroll_samples() and seek_to_sample() work without walking the file,
  /// and the first packet's decode time is 0. False for fragmented MP4 and
  /// for streams found by bisection (FLAC, Ogg): seek by time there, and
  /// take the first packet's decode time from seek(id, 0).
  virtual bool indexed() const noexcept = 0;

  /// Chooses whether next_packet() delivers a track's packets (all tracks
  /// without errors are enabled at open). Errors: Errc::invalid_argument for
  /// an unknown track ID; the track's own error when enabling a broken track.
  virtual Result<void> set_track_enabled(std::uint32_t id, bool enabled) = 0;

  /// The next packet of the enabled tracks, in file order. Errors:
  /// Errc::end_of_stream after the last packet; Errc::limit_exceeded for a
  /// packet larger than Limits::max_packet_bytes; Errc::malformed; Errc::io.
  virtual Result<void> next_packet(Packet& out) = 0;

  /// Packets next_packet() delivers for track `id` from the start (may walk
  /// the file). Errors: Errc::invalid_argument for an unknown track, the
  /// track's own error, read errors.
  virtual Result<std::uint64_t> packet_count(std::uint32_t id) = 0;

  /// Puts track `id` at the last packet that can start decoding (a sync
  /// sample) at or before decode time `ticks` (track timescale); times past
  /// the end land on the last packet. Other tracks keep their positions; a
  /// failed seek leaves the track where it was.
  virtual Result<SeekPoint> seek(std::uint32_t id, std::uint64_t ticks) = 0;

  /// Puts track `id` at packet `sample` (0-based), sync or not.
  /// Errors: Errc::unsupported where packets are not numbered (indexed() false).
  virtual Result<SeekPoint> seek_to_sample(std::uint32_t id, std::uint64_t sample) = 0;

  /// The packet of track `id` whose decode time range holds `ticks`.
  /// Errors: Errc::unsupported where packets are not numbered.
  virtual Result<std::uint64_t> sample_at_time(std::uint32_t id, std::uint64_t ticks) = 0;

  /// Packets to decode before `sample` for it to decode right, when the
  /// file says (MP4 'roll' groups); nullopt otherwise.
  virtual Result<std::optional<std::uint32_t>> preroll_samples(std::uint32_t id, std::uint64_t sample) = 0;

  /// Reads `packet`'s bytes into `dst`, which must hold packet.size bytes
  /// (Errc::invalid_argument otherwise). Errors: Errc::malformed when the
  /// file ends before the packet does; Errc::io.
  virtual Result<void> read_packet(const Packet& packet, std::span<std::byte> dst) = 0;

 protected:
  Demuxer() = default;
  Demuxer(const Demuxer&) = default;
  Demuxer& operator=(const Demuxer&) = default;
};

}  // namespace frugal::core
