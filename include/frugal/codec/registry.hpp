#pragma once
// Decoders by codec: frugal's built-ins (Opus over libopus, FLAC over
// libFLAC, PCM) and any an embedder adds, e.g. a hardware or DSP AAC
// decoder, without changing frugal.

#include <frugal/codec/decoder.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace frugal::codec {

struct DecoderOptions {
  /// Lossy decoders produce f32 instead of s16 (Opus: opus_decode_float).
  bool float_output = false;
  /// Where decoders charge their buffers ("codec/buffers") and the library
  /// state they can measure ("codec/state"); nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

/// Makes a decoder for `params`. Returns Errc::unsupported to pass a stream
/// it cannot handle (a profile, a channel count) on to the next factory.
using DecoderFactory = std::function<core::Result<std::unique_ptr<Decoder>>(
    const core::CodecParameters& params, const DecoderOptions& options)>;

/// Thread-safety: add() must not race with anything; create() is safe from
/// several threads at once.
class DecoderRegistry {
 public:
  /// An empty registry.
  DecoderRegistry() = default;

  /// A registry holding the decoders compiled into this build: "pcm" always,
  /// "libopus" (FRUGAL_WITH_OPUS), "libflac" (FRUGAL_WITH_FLAC) and
  /// "libavcodec" for AAC, ALAC, MP3, AC-3 and E-AC-3 (FRUGAL_WITH_AVCODEC)
  /// and "libmpg123" for MP3 (FRUGAL_WITH_MPG123; tried before libavcodec),
  /// "faad2" for AAC (FRUGAL_WITH_FAAD2; tried after libavcodec).
  static DecoderRegistry with_builtins();

  /// Registers `factory` for `codec` under `name`. Later registrations are
  /// tried first, so an embedder's decoder takes precedence over a built-in.
  void add(core::Codec codec, std::string name, DecoderFactory factory);

  /// Creates a decoder from the most recently added factory for
  /// params.codec that accepts the stream. Errors: Errc::unsupported when no
  /// factory does (message names the codec); a factory's own error
  /// (Errc::malformed for a bad codec configuration).
  core::Result<std::unique_ptr<Decoder>> create(const core::CodecParameters& params,
                                                const DecoderOptions& options = {}) const;

  /// Names of the factories registered for `codec`, most preferred first.
  std::vector<std::string> names(core::Codec codec) const;

  /// A registry of the factories registered under `name` only (e.g.
  /// "libavcodec", to decode MP3 with it rather than libmpg123); empty when
  /// none is.
  DecoderRegistry only(std::string_view name) const;

  /// Whether no factory is registered.
  bool empty() const noexcept { return entries_.empty(); }

 private:
  struct Entry {
    core::Codec codec;
    std::string name;
    DecoderFactory factory;
  };
  std::vector<Entry> entries_;
};

/// Frames of codec delay at the start of a stream, to drop when no edit
/// list says what to drop: Opus PreSkip (RFC 7845 §4.2, from dOps); 0 for
/// codecs without one known from their configuration.
std::uint32_t priming_frames(const core::CodecParameters& params) noexcept;

/// Frames to decode before a seek target for the output there to be right,
/// when the file does not say ('roll' sample groups): Opus 3840 at 48 kHz
/// (80 ms, RFC 7845 §4.6), AAC one frame (1024), MP3 two frames of 1152
/// (the bit reservoir reaches back up to 511 bytes, ISO/IEC 11172-3
/// §2.4.3.4; libmpg123's default MPG123_PREFRAMES); 0 for FLAC and PCM,
/// whose frames decode on their own.
std::uint32_t preroll_frames(const core::CodecParameters& params) noexcept;

}  // namespace frugal::codec
