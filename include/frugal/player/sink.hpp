#pragma once
// Where decoded audio goes: a sound card, a WAV file, a pipe, nowhere.

#include <frugal/core/media.hpp>
#include <frugal/core/result.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace frugal::player {

/// Thread-safety: one thread drives a sink at a time.
class Sink {
 public:
  virtual ~Sink() = default;

  /// Starts a stream of audio in `format` (interleaved, native byte order).
  /// Called once per stream; a sink may be opened again after close().
  /// Errors: Errc::unsupported for a format the sink cannot take, Errc::io.
  virtual core::Result<void> open(const core::AudioFormat& format) = 0;

  /// Writes whole frames; blocks until the sink has taken them.
  virtual core::Result<void> write(std::span<const std::byte> frames) = 0;

  /// Ends the stream: plays out what is buffered (sound card) or finishes and
  /// commits the file (WAV). Errors: Errc::io; Errc::invalid_argument when
  /// no stream is open.
  virtual core::Result<void> close() = 0;

  /// What the sink writes to, for messages ("wav:out.wav", "alsa:default").
  virtual std::string describe() const = 0;

  /// Whether open() may follow close() (another format): false for a WAV
  /// file, which holds one, so a player refuses the change rather than
  /// commit what came before it.
  virtual bool reopens() const noexcept { return true; }

  /// Times the sink ran dry and recovered (sound cards); 0 for files.
  virtual std::uint64_t underruns() const noexcept { return 0; }
};

/// Discards audio (benchmarks, tests, dry runs).
std::unique_ptr<Sink> make_null_sink();

/// Raw interleaved PCM, native byte order, no header, to a file descriptor
/// (e.g. 1 for stdout). The descriptor is not closed.
std::unique_ptr<Sink> make_raw_sink(int fd);

}  // namespace frugal::player
