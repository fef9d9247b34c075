#pragma once
// ISO-BMFF / MP4 demuxer (ISO/IEC 14496-12, 14496-14; QuickTime .mov sound).
//
// open() reads the box headers and the movie header ('moov', before or after
// 'mdat'); next_packet() walks the samples of the enabled tracks in file
// order; read_packet() copies one packet's bytes into a caller-owned buffer.
// Fragmented files (moof) are recognised and reported as unsupported per
// track for now.
//
// Thread-safety: one Demuxer per thread; distinct Demuxers may share a
// thread-safe ByteSource.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/fourcc.hpp>
#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/packet.hpp>
#include <frugal/mp4/track.hpp>

#include <memory>
#include <span>

namespace frugal::mp4 {

struct DemuxerOptions {
  core::Limits limits;
  /// Where the demuxer charges what it holds (account "mp4/sample_tables");
  /// nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

class Demuxer {
 public:
  /// Opens the movie in `source`, which must outlive the Demuxer. Reads box
  /// headers, then moov's header boxes and sample tables.
  /// Errors: Errc::malformed (no moov, moov cut off, broken box structure),
  /// Errc::limit_exceeded (a Limits cap), Errc::io. Problems confined to one
  /// track (its tables, its codec boxes, tables past the memory budget:
  /// Errc::out_of_memory) do not fail open: they are reported in
  /// Track::error / SampleEntry::error.
  static core::Result<Demuxer> open(core::ByteSource& source, const DemuxerOptions& options = {});

  Demuxer(Demuxer&&) noexcept;
  Demuxer& operator=(Demuxer&&) noexcept;
  ~Demuxer();

  /// Brand from 'ftyp' (zero when absent).
  core::FourCC major_brand() const noexcept;
  /// mvhd timescale (ticks per second) and duration in those ticks.
  std::uint32_t movie_timescale() const noexcept;
  std::uint64_t movie_duration() const noexcept;
  /// True when moov has 'mvex': samples live in movie fragments.
  bool fragmented() const noexcept;

  /// Every track, in file order.
  std::span<const Track> tracks() const noexcept;
  /// The track with this track_ID, or nullptr.
  const Track* track(std::uint32_t id) const noexcept;

  /// Chooses whether next_packet() delivers a track's packets (all tracks
  /// without errors are enabled at open). Errors: Errc::invalid_argument for
  /// an unknown track_ID; the track's own error when enabling a broken track.
  core::Result<void> set_track_enabled(std::uint32_t id, bool enabled);

  /// The next packet of the enabled tracks, in file-offset order (ties go to
  /// the earlier track). Allocation-free. Errors: Errc::end_of_stream after
  /// the last packet; Errc::limit_exceeded for a packet larger than
  /// Limits::max_packet_bytes.
  core::Result<void> next_packet(Packet& out);

  /// Reads `packet`'s bytes into `dst`, which must hold packet.size bytes
  /// (Errc::invalid_argument otherwise). Errors: Errc::malformed when the
  /// file ends before the packet does; Errc::io.
  core::Result<void> read_packet(const Packet& packet, std::span<std::byte> dst);

 private:
  struct Impl;
  explicit Demuxer(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::mp4
