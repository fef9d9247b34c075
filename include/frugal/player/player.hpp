#pragma once
// The player: a decode thread runs an AudioStream into a bounded ring
// buffer; the calling thread feeds the sink from it, so a slow sink never
// stalls decoding and a slow decoder shows up as a sink underrun, not a hang.

#include <frugal/player/audio_stream.hpp>
#include <frugal/player/sink.hpp>

#include <functional>

namespace frugal::player {

struct PlayerOptions {
  /// Bytes buffered between the decode thread and the sink (account
  /// "player/ring_buffer"). Under pressure the ring shrinks for the rest of
  /// the stream (until its format changes): to a quarter at high, to an
  /// eighth at critical (never below two writes' worth); the next stream, or
  /// format, starts at full size again.
  std::size_t ring_bytes = 256 * 1024;
  /// Frames handed to the sink per write.
  std::size_t frames_per_write = 2048;
  /// Where the ring buffer is charged and whose pressure shrinks it;
  /// nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

struct Progress {
  std::uint64_t frames = 0;                   ///< frames written to the sink so far (this stream; at mixed rates when its rate changes)
  double seconds = 0;                         ///< their duration, each at the rate it was played at
  std::optional<std::uint64_t> total_frames;  ///< the stream's length after trimming, at its starting rate, when known
  std::uint32_t sample_rate = 0;              ///< the rate being played now
};
using ProgressFn = std::function<void(const Progress&)>;

/// Thread-safety: one thread drives a Player. The sink must outlive it.
class Player {
 public:
  explicit Player(Sink& sink, PlayerOptions options = {}) : sink_(sink), options_(options) {}
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  /// Plays `stream` to its end, blocking. Opens the sink on the first
  /// stream and reopens it when the format changes, between streams or
  /// within one (AudioStream::format()): what was written in the old
  /// format plays out first. A sink that does not reopen (a WAV file)
  /// fails the change with Errc::unsupported, sink_failed() true, before
  /// closing. `stream` is read from a decode thread meanwhile: neither
  /// `progress` nor another thread may touch it until play() returns.
  /// `progress` is called from this thread after each write. Errors: the
  /// stream's (after what was decoded has played) or the sink's.
  core::Result<void> play(AudioStream& stream, const ProgressFn& progress = {});

  /// Closes the sink: plays out what it holds, or commits its file.
  core::Result<void> finish();

  /// True when the last play() failed because the sink did (the error is
  /// the sink's, not the stream's); the sink is not fit for more audio.
  bool sink_failed() const noexcept { return sink_failed_; }

 private:
  // Plays `stream` in its current format, starting with `carried`, until
  // the end, an error, or a block in another format (left in `carried`).
  core::Result<void> play_run(AudioStream& stream, std::span<const std::byte>& carried, Progress& p,
                              const ProgressFn& progress);

  Sink& sink_;
  PlayerOptions options_;
  std::optional<core::AudioFormat> open_format_;
  bool sink_failed_ = false;
};

}  // namespace frugal::player
