#pragma once
// ISO-BMFF / MP4 demuxer (ISO/IEC 14496-12, 14496-14; QuickTime .mov sound).
//
// open() reads the box headers and the movie header ('moov', before or after
// 'mdat') but no sample table bodies; next_packet() walks the samples of the
// enabled tracks in file order; seek() puts a track at a time, sample-exact;
// read_packet() copies one packet's bytes into a caller-owned buffer.
// Sample tables are read a page at a time through a small cache, with
// sparse indexes for random access: memory stays bounded (about 60 KiB for
// one track) whatever the file's length. Reads go through two read-ahead
// windows (4 KiB for headers and tables, 2 KiB for packet payloads), so
// opening a file costs a few reads and playing it one read per window of
// small packets.
//
// Fragmented files (§8.8: mvex in moov, samples in moof/traf/trun, also
// after samples in moov) are read fragment by fragment straight from the
// trun entries, with nothing kept per sample or per fragment; seeking in
// them goes through a bounded index filled from the file's sidx or
// mfra/tfra, or from the fragments walked so far.
//
// Thread-safety: one Demuxer per thread; distinct Demuxers may share a
// thread-safe ByteSource.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/demuxer.hpp>
#include <frugal/core/fourcc.hpp>

#include <memory>
#include <span>

namespace frugal::mp4 {

/// Options: core::DemuxerOptions. Accounts: "mp4/table_cache" (the page
/// cache and the read windows), "mp4/table_index" (sparse indexes),
/// "mp4/fragment_index"; pressure shrinks them (high: half the cache;
/// critical: two pages, no bulk or read-ahead windows, sparser indexes).
/// "mp4/chapters" holds the chapter list, fixed at open.
using core::DemuxerOptions;

class Demuxer final : public core::Demuxer {
 public:
  /// Opens the movie in `source`, which must outlive the Demuxer and whose
  /// bytes must not change under it. Reads box headers, moov's header boxes
  /// and the sample tables' headers, never their bodies: a few reads of
  /// 4 KiB whatever the file's length.
  /// Errors: Errc::malformed (no moov, moov cut off, broken box structure),
  /// Errc::limit_exceeded (a Limits cap), Errc::io. Problems confined to one
  /// track (its tables, its codec boxes, tables past the memory budget:
  /// Errc::out_of_memory) do not fail open: they are reported in
  /// Track::error / SampleEntry::error.
  static core::Result<Demuxer> open(core::ByteSource& source, const DemuxerOptions& options = {});

  Demuxer(Demuxer&&) noexcept;
  Demuxer& operator=(Demuxer&&) noexcept;
  ~Demuxer() override;

  /// Brand from 'ftyp' (zero when absent).
  core::FourCC major_brand() const noexcept;
  /// mvhd timescale (ticks per second) and duration in those ticks.
  std::uint32_t movie_timescale() const noexcept override;
  std::uint64_t movie_duration() const noexcept;
  /// True when moov has 'mvex': samples live in movie fragments.
  bool fragmented() const noexcept;
  /// The file's iTunSMPB, when it has a well-formed one.
  const std::optional<core::GaplessInfo>& gapless() const noexcept override;
  /// "mp4".
  const char* format_name() const noexcept override;
  /// Not fragmented().
  bool indexed() const noexcept override;
  /// The movie's chapters, read at open: a QuickTime chapter list (QuickTime
  /// File Format, "Chapter lists": the first text track a tref/'chap' box
  /// names, one chapter per sample; times in its timescale, its edit list
  /// applied as FFmpeg applies it) when it yields any, else Nero's
  /// moov/udta/chpl (as FFmpeg reads it; times in 100 ns units, timescale
  /// 10'000'000). With both, chpl's entries past the track's count follow,
  /// as ffprobe shows them. Bounded by
  /// Limits::max_chapters and Limits::max_chapter_title_bytes; charged to
  /// "mp4/chapters". Empty when the file has none or they are unusable.
  /// From a non-seekable source (a pipe) the chapter track is not read
  /// (its samples usually follow the audio): chpl's chapters only.
  std::span<const core::Chapter> chapters() const noexcept override;
  /// Why the chapters are empty although the file has some (Errc::malformed,
  /// Errc::limit_exceeded, Errc::out_of_memory), else nullopt.
  const std::optional<core::Error>& chapters_error() const noexcept;

  /// Every track, in file order.
  std::span<const core::Track> tracks() const noexcept override;

  /// Chooses whether next_packet() delivers a track's packets (all tracks
  /// without errors are enabled at open). Errors: Errc::invalid_argument for
  /// an unknown track_ID; the track's own error when enabling a broken track.
  core::Result<void> set_track_enabled(std::uint32_t id, bool enabled) override;

  /// The next packet of the enabled tracks, in file-offset order (ties go to
  /// the earlier track). Allocation-free once warm (pressure changes aside).
  /// Errors: Errc::end_of_stream after the last packet; Errc::limit_exceeded
  /// for a packet larger than Limits::max_packet_bytes (that packet is passed
  /// over: the next call delivers the one after it), and for a moof with more
  /// samples of the track than Limits::max_fragment_samples (nothing moves); Errc::malformed for
  /// tables found to contradict each other and Errc::io (nothing moves: the
  /// next call meets the same error).
  core::Result<void> next_packet(core::Packet& out) override;

  /// Packets next_packet() delivers for track `id` from the start (reads
  /// stsc once, in constant memory; in fragmented files walks every moof). Errors: Errc::invalid_argument for an
  /// unknown track, the track's own error, table errors.
  core::Result<std::uint64_t> packet_count(std::uint32_t id) override;

  /// Puts track `id` at the sample whose decode time range holds `ticks`
  /// (track timescale), or at the last sync sample before it when the track
  /// has stss (in fragments: sample flags, within the fragment); times past
  /// the end land on the last sample. Other tracks keep their positions.
  /// Builds the track's indexes on first use (one pass over each table,
  /// bounded memory; in fragments, one pass over sidx or tfra, else the
  /// fragments walked so far, a walk reading moof boxes only). Packet::index
  /// afterwards counts from the target sample (kUnknownIndex in fragments
  /// reached through sidx/tfra: SeekPoint::sample too). Errors: as
  /// packet_count().
  core::Result<core::SeekPoint> seek(std::uint32_t id, std::uint64_t ticks) override;

  /// Puts track `id` at sample `sample` (0-based), sync or not. In fragments,
  /// samples are counted by walking the moofs from the first.
  core::Result<core::SeekPoint> seek_to_sample(std::uint32_t id, std::uint64_t sample) override;

  /// The sample of track `id` whose decode time range holds `ticks`.
  /// Errors: Errc::unsupported for times in fragments (sample numbers there
  /// are not indexed: seek by time).
  core::Result<std::uint64_t> sample_at_time(std::uint32_t id, std::uint64_t ticks) override;

  /// Samples to decode before `sample` for it to decode right, from the
  /// track's 'roll' sample groups (sgpd/sbgp, ISO/IEC 14496-12 §10.1; FFmpeg
  /// writes them for Opus); nullopt when the track has none, and for samples
  /// in fragments.
  core::Result<std::optional<std::uint32_t>> preroll_samples(std::uint32_t id, std::uint64_t sample) override;

  /// Reads `packet`'s bytes into `dst`, which must hold packet.size bytes
  /// (Errc::invalid_argument otherwise). Errors: Errc::malformed when the
  /// file ends before the packet does; Errc::io.
  core::Result<void> read_packet(const core::Packet& packet, std::span<std::byte> dst) override;

 private:
  struct Impl;
  explicit Demuxer(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::mp4
