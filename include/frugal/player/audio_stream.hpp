#pragma once
// One audio track from file to PCM: demuxer → decoder → trimming → sample
// format conversion. Used by `frugal decode` directly and by the Player from
// its decode thread.

#include <frugal/codec/registry.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/core/demuxer.hpp>
#include <frugal/player/presentation.hpp>

#include <memory>
#include <optional>

namespace frugal::player {

struct StreamOptions {
  /// track_ID to play; default: the first audio track that can play.
  std::optional<std::uint32_t> track;
  /// Output sample format; default: codec::default_output_format.
  std::optional<core::SampleFormat> format;
  /// Present the track as its gapless info says (the edit list, else
  /// iTunSMPB; see presentation()). When false, only the codec's priming
  /// (Opus pre-skip) is dropped and nothing is cut at the end.
  bool use_edit_list = true;
  /// Linear factor applied to every output sample (1: untouched), e.g.
  /// replay_gain_factor() of the file's tags; integers are rounded and
  /// clipped (codec::apply_gain).
  double gain = 1;
  core::DemuxerOptions demuxer;
  codec::DecoderOptions decoder;
  /// Where the stream, its demuxer and its decoder charge their memory (the
  /// stream's own packet and output buffers: "player/stream_buffers"), and
  /// whose pressure makes the stream drop those buffers between packets
  /// (critical). nullptr: mem::default_tracker(). Overrides the trackers in
  /// `demuxer` and `decoder`.
  mem::MemoryTracker* tracker = nullptr;
};

/// Thread-safety: one thread at a time.
class AudioStream {
 public:
  /// Opens `source` (which must outlive the stream; FLAC, Ogg or MP4,
  /// told apart by content), picks the track and creates its decoder from
  /// `registry` (which must outlive the stream too: packets of another
  /// sample entry get a decoder of their own). Errors: the demuxer's; Errc::unsupported
  /// when there is no playable audio track or no decoder for its codec;
  /// Errc::invalid_argument for a `track` that is not audio.
  static core::Result<AudioStream> open(core::ByteSource& source, const codec::DecoderRegistry& registry,
                                        const StreamOptions& options = {});

  AudioStream(AudioStream&&) noexcept;
  AudioStream& operator=(AudioStream&&) noexcept;
  ~AudioStream();

  /// Format of the block read() returned last (before the first read: the
  /// format the stream starts in). It changes mid-stream when the audio does
  /// in a way the current format cannot hold: a FLAC frame of another rate,
  /// channel count or more bits than before, a chained Ogg link of other
  /// channels, AAC whose SBR only the bitstream signals (blocks at twice
  /// the configured rate), mono MP3 in a sample entry of two channels.
  /// Frames count (positions, seeks, total_frames(), the presentation) at
  /// the starting rate: AAC blocks at twice it (SBR) count as half as many,
  /// so trimming stays exact; FLAC frames count one for one, as FLAC
  /// numbers samples, so times past a change of rate are approximate.
  const core::AudioFormat& format() const noexcept;
  const core::Track& track() const noexcept;
  const core::Demuxer& demuxer() const noexcept;
  /// Frames the stream will produce (the presentation's length), when known.
  std::optional<std::uint64_t> total_frames() const noexcept;
  /// What of the track is presented: segments, encoder delay, padding.
  const Presentation& presentation() const noexcept;
  /// Frames returned so far.
  std::uint64_t position_frames() const noexcept;
  /// Corrupt packets skipped so far (the decoder said Errc::malformed).
  std::uint64_t skipped_packets() const noexcept;

  /// Moves to output frame `frame` (0 = the first frame presented, at
  /// format().sample_rate; silence of empty edits counts), sample-exact: decoding restarts early enough for
  /// the codec to settle — by the file's 'roll' sample groups when it has
  /// them, else codec::preroll_frames (Opus 80 ms, AAC one frame, FLAC/PCM
  /// none) — and the frames before `frame` are dropped. FLAC and PCM then
  /// give exactly the frames a decode from the start gives there; lossy
  /// codecs give them once their state has converged. A frame past the end
  /// leaves the stream at its end. Errors: the demuxer's (Errc::malformed for
  /// tables found broken), Errc::io.
  core::Result<void> seek(std::uint64_t frame);

  /// The next block of whole frames in format(), which may have changed
  /// with this block (compare it after each read); empty at the end. The
  /// block lives in the stream's buffer until the next call. Allocation-free
  /// once buffers have grown to the largest packet (until critical pressure
  /// makes it release them). A packet the decoder finds corrupt is skipped
  /// and counted (skipped_packets()); more than 16 in a row fail with the
  /// decoder's Errc::malformed. Other errors: the demuxer's, the decoder's;
  /// Errc::out_of_memory when a packet's buffer would pass the budget.
  core::Result<std::span<const std::byte>> read();

 private:
  struct Impl;
  explicit AudioStream(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::player
