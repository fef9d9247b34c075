#pragma once
// Native FLAC file reader (RFC 9639): "fLaC", metadata blocks (§8), frames
// (§9), each frame one packet.
//
// open() reads the metadata block headers, STREAMINFO and the first frame's
// header; SEEKTABLE points stay in the file (read one at a time while a
// seek binary-searches them), other blocks are passed over by their length.
// next_packet() finds each frame's end by the next frame's sync code and
// header (CRC-8), confirmed by the CRC-16 of the frame's bytes, as FFmpeg's
// flac parser does. seek() narrows the byte range with SEEKTABLE points,
// then bisects by byte offset, then walks a few frames. Every search has a
// byte budget in frames: F, STREAMINFO's largest frame size or, when it
// does not say, a frame of verbatim subframes at its largest block size
// (block size × (channels × bits + 1) / 8 + 64).
//
// Memory: one 64 KiB read window on the account "flac/reader" whatever the
// file's length; nothing per frame; no pressure response (nothing to give).
//
// Thread-safety: one Demuxer per thread; distinct Demuxers may share a
// thread-safe ByteSource.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/demuxer.hpp>

#include <memory>
#include <optional>
#include <span>

namespace frugal::flac {

/// Offset of the "fLaC" marker in `source`: 0, or just after an ID3v2 tag
/// (id3v2.4.0-structure §3.1) at the start; nullopt when there is none.
/// Errors: Errc::io.
core::Result<std::optional<std::uint64_t>> stream_marker(core::ByteSource& source);

/// Options: core::DemuxerOptions (Limits::max_packet_bytes bounds a frame).
using core::DemuxerOptions;

class Demuxer final : public core::Demuxer {
 public:
  /// Opens the FLAC stream in `source`, which must outlive the Demuxer and
  /// whose bytes must not change under it. A non-seekable source (a pipe)
  /// plays forward; it is told at once that nothing before the current
  /// position is revisited (ByteSource::will_revisit(0)).
  /// Errors: Errc::malformed with the offset of the offending structure (no
  /// "fLaC", metadata blocks out of order or past the end of the file,
  /// STREAMINFO out of range, no frame header where the frames start),
  /// Errc::unsupported (sample rate 0), Errc::out_of_memory (the window over
  /// the budget), Errc::io.
  static core::Result<Demuxer> open(core::ByteSource& source, const DemuxerOptions& options = {});

  Demuxer(Demuxer&&) noexcept;
  Demuxer& operator=(Demuxer&&) noexcept;
  ~Demuxer() override;

  /// "flac".
  const char* format_name() const noexcept override;
  /// One audio track, ID 1: timescale = STREAMINFO's sample rate, duration =
  /// its total samples (0: unknown), one sample entry 'fLaC' whose
  /// CodecParameters::config is the STREAMINFO block with its 4-byte header.
  std::span<const core::Track> tracks() const noexcept override;
  /// STREAMINFO's sample rate.
  std::uint32_t movie_timescale() const noexcept override;
  /// nullopt: FLAC states no encoder delay or padding.
  const std::optional<core::GaplessInfo>& gapless() const noexcept override;
  /// Empty (Vorbis-comment chapters come through the tags module).
  std::span<const core::Chapter> chapters() const noexcept override;
  /// False: frames are found by bisection; seek by time.
  bool indexed() const noexcept override;

  /// As core::Demuxer's (the one track has ID 1).
  core::Result<void> set_track_enabled(std::uint32_t id, bool enabled) override;

  /// The next frame: dts = pts = its first sample number (fixed block size:
  /// frame number × the first frame's block size, as FFmpeg's parser; not
  /// STREAMINFO's, which may disagree with the frames), duration = its block
  /// size, index = frame number from the first frame (kUnknownIndex after a
  /// seek in a variable block size stream), sync = true. The last frame ends
  /// at the end of the file, or where its CRC-16 last checked out when junk
  /// follows it. A corrupt frame (no CRC-16 checks out) ends at the next
  /// header in sequence, once the scan has gone 2 F or two more headers past
  /// it: about three frames read, so a forward-only source still holds its
  /// start. Errors: Errc::end_of_stream after the last frame;
  /// Errc::limit_exceeded for a frame longer than Limits::max_packet_bytes
  /// (nothing moves: the next call meets the same error); Errc::io.
  core::Result<void> next_packet(core::Packet& out) override;

  /// Frames from the start: walks the whole file (restoring the position).
  /// Errors: Errc::unsupported on a non-seekable source, next_packet's.
  core::Result<std::uint64_t> packet_count(std::uint32_t id) override;

  /// Puts the track at the frame whose samples hold `ticks` (samples); past
  /// the end, at the last frame. Reads at most (log2(file size / 64 KiB) +
  /// 3) × (4 F + 256 KiB) bytes plus O(log(points)) SEEKTABLE points, however
  /// hostile the file: a bisection step that confirms no frame within its
  /// budget (4 F + 128 KiB) takes the frames there to come after `ticks`,
  /// and the walk stops at the range's end, so around corrupt frames a seek
  /// may land a few frames early. A failed seek leaves the position as it
  /// was. Errors: Errc::invalid_argument (track ID), Errc::unsupported on
  /// a non-seekable source (except a seek into the first frame before any
  /// packet was read), Errc::seek (a stream without frames), next_packet's.
  core::Result<core::SeekPoint> seek(std::uint32_t id, std::uint64_t ticks) override;

  /// Errc::unsupported: frames are not numbered (indexed() is false).
  core::Result<core::SeekPoint> seek_to_sample(std::uint32_t id, std::uint64_t sample) override;
  /// Errc::unsupported, as seek_to_sample().
  core::Result<std::uint64_t> sample_at_time(std::uint32_t id, std::uint64_t ticks) override;
  /// nullopt: every FLAC frame decodes on its own.
  core::Result<std::optional<std::uint32_t>> preroll_samples(std::uint32_t id, std::uint64_t sample) override;

  /// As core::Demuxer's; copied from the read window when it holds the frame.
  core::Result<void> read_packet(const core::Packet& packet, std::span<std::byte> dst) override;

 private:
  struct Impl;
  explicit Demuxer(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::flac
