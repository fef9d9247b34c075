#pragma once
// Ogg demuxer (RFC 3533 pages and packets) for Ogg Opus (RFC 7845) and
// Ogg FLAC (the FLAC-in-Ogg mapping 1.0: one frame per packet).
//
// open() reads the first link's BOS pages (one track per logical stream,
// in BOS order, track IDs 1, 2, ...), the Opus headers and the first audio
// page; on a seekable source it also finds the last page's granule
// position, reading backward from the end in bounded chunks (at most
// 1 MiB). The first Opus or FLAC stream delivers packets; other streams
// (Vorbis, Speex, Theora, Skeleton, a second Opus...) are listed with the
// type and codec their first packet names and Track::error =
// Errc::unsupported.
//
// Timing (RFC 7845 §4): ticks equal granule positions (Opus: 48 kHz
// samples; FLAC: samples at its rate): a packet's dts is its first
// sample's granule position, computed backward from the granule position
// of the page that completes it (forward from the previous page on the EOS
// page, which may trim the end), its duration from its TOC byte (RFC 6716
// §3.1) or FLAC frame header (RFC 9639 §9.1). The first packet's
// dts is the stream's start (non-zero for streams that begin late). The
// track's edit list (movie_timescale() = 48000) presents one media segment
// from the pre-skip, lasting final granule − pre-skip − start when the
// final granule is known, else to the end: the player trims both ends
// from it (FLAC tracks have no edit list: nothing to trim). Packet::pos
// is the file offset of a packet's first byte.
//
// Seeking bisects granule positions over byte offsets (bounded reads) and
// lands on the packet whose time range holds the target; packets are not
// numbered (indexed() false). A source that is not seekable plays forward
// and seeks only to its start before the first packet is taken.
//
// Chained Ogg Opus files (RFC 3533 §4, RFC 7845 §3: links of new logical
// streams after the last one's EOS): on a seekable source open() finds
// every link (bisection over byte offsets by serial number, then each
// link's last pages read backward and its header pages: bounded reads,
// about 10 probes of 8 KiB and 2 × 64 KiB a link). The first link's Opus
// stream is the track; each later link's first Opus stream adds a sample
// entry (new_stream: the decoder restarts; its channel count may differ,
// and AudioStream's format follows it) and packets carry its sample_description_index; their dts run
// on from where the previous link's last packet ends (untrimmed); the edit
// list has one segment per link, from its pre-skip to its final granule
// position. Seeking finds the link holding the time, then bisects within
// it. A link with no Opus stream, or past
// Limits::max_sample_entries ends the packets with Errc::unsupported
// (Errc::limit_exceeded for the cap). A source that is not seekable meets
// links as they come (read again from their BOS page, which a stream
// source must still hold): they play without an edit, untrimmed.
//
// Memory: a record of about 100 bytes per link; libogg's sync buffer (one page, ≤ 65307 bytes, plus a read
// chunk) and stream buffer (a page plus an unfinished packet, at most
// Limits::max_packet_bytes), and the current page's packets, all charged
// to the tracker account "ogg/pages" before they grow; a seek or a
// read_packet() of an earlier packet holds a second such set while it runs.
// Bounded whatever the file's length.
//
// Thread-safety: one Demuxer per thread; distinct Demuxers may share a
// thread-safe ByteSource.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/demuxer.hpp>

#include <memory>
#include <span>

namespace frugal::ogg {

class Demuxer final : public core::Demuxer {
 public:
  /// Opens `source`, which must outlive the demuxer. Errors: Errc::malformed
  /// (no Ogg page, no BOS page, a broken OpusHead); Errc::limit_exceeded
  /// (more logical streams than Limits::max_tracks, a packet larger than
  /// Limits::max_packet_bytes); Errc::out_of_memory (over the tracker's
  /// budget); Errc::io.
  static core::Result<Demuxer> open(core::ByteSource& source, const core::DemuxerOptions& options = {});

  Demuxer(Demuxer&&) noexcept;
  Demuxer& operator=(Demuxer&&) noexcept;
  ~Demuxer() override;

  /// "ogg".
  const char* format_name() const noexcept override;
  std::span<const core::Track> tracks() const noexcept override;
  /// 48000: edit lists are in 48 kHz samples.
  std::uint32_t movie_timescale() const noexcept override;
  /// Always nullopt: gapless trimming comes through the edit list.
  const std::optional<core::GaplessInfo>& gapless() const noexcept override;
  /// Always empty (chapters in Vorbis comments come through TagLib).
  std::span<const core::Chapter> chapters() const noexcept override;
  /// False: seek by time; the first packet's dts comes from seek(id, 0).
  bool indexed() const noexcept override;

  core::Result<void> set_track_enabled(std::uint32_t id, bool enabled) override;
  /// The next audio packet of the first Opus or FLAC stream (headers are
  /// not delivered). Errors: Errc::end_of_stream after its last packet (its EOS
  /// page, or the end of the file: a missing EOS is accepted);
  /// Errc::unsupported at a chained link that cannot play (see above);
  /// Errc::limit_exceeded;
  /// Errc::out_of_memory; Errc::io. Corrupt pages (bad CRC) are skipped.
  core::Result<void> next_packet(core::Packet& out) override;
  /// Walks the whole stream, every link found, with a second reader.
  core::Result<std::uint64_t> packet_count(std::uint32_t id) override;
  /// Lands on the packet whose [dts, dts + duration) holds `ticks`
  /// (granule positions, running on across links); before the first: the
  /// first; past the end: the last. SeekPoint::sample is kUnknownIndex, or
  /// the packet count when the seek lands by reading from the first page.
  /// Errors:
  /// Errc::unsupported on a source that is not seekable (except back to the
  /// start before any packet was taken); read errors. A failed seek leaves
  /// the position unchanged.
  core::Result<core::SeekPoint> seek(std::uint32_t id, std::uint64_t ticks) override;
  /// Errc::unsupported: Ogg packets are not numbered.
  core::Result<core::SeekPoint> seek_to_sample(std::uint32_t id, std::uint64_t sample) override;
  /// Errc::unsupported: Ogg packets are not numbered.
  core::Result<std::uint64_t> sample_at_time(std::uint32_t id, std::uint64_t ticks) override;
  /// nullopt: Opus's pre-roll is the codec's (80 ms); FLAC needs none.
  core::Result<std::optional<std::uint32_t>> preroll_samples(std::uint32_t id, std::uint64_t sample) override;
  /// Copies a packet's bytes: the last delivered packet and the rest of its
  /// page from memory; any other packet by reading again from its page
  /// (Errc::malformed when none of the stream's packets starts at
  /// packet.pos).
  core::Result<void> read_packet(const core::Packet& packet, std::span<std::byte> dst) override;

 private:
  struct Impl;
  explicit Demuxer(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::ogg
