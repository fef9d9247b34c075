#pragma once
// The decoder interface: one packet of compressed audio in, interleaved PCM
// out, in a format fixed when the decoder is created.

#include <frugal/core/media.hpp>
#include <frugal/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::codec {

/// Decoded audio: `frames` interleaved frames of `format`, in `data`.
/// `format` is the decoder's format() unless the stream changes format
/// mid-way: FLAC frames carry their own rate, channel count and bit depth
/// (RFC 9639 §9.1), and a block has the format of its frame.
struct AudioBlock {
  core::AudioFormat format;
  std::span<const std::byte> data;
  std::size_t frames = 0;
};

/// Thread-safety: a decoder is used by one thread at a time.
class Decoder {
 public:
  virtual ~Decoder() = default;

  /// The format blocks come in (see AudioBlock for streams that change it
  /// mid-way): sample rate, channels (in
  /// WAVE_FORMAT_EXTENSIBLE / SMPTE order: FL FR FC LFE BL BR SL SR), sample
  /// format and valid bits.
  virtual const core::AudioFormat& format() const noexcept = 0;

  /// Decodes one packet (one MP4 sample or a group of PCM frames). The
  /// returned block points into the decoder's own buffer and stays valid
  /// until the next decode() or reset(). Allocation-free once the buffer has
  /// grown to the largest packet. Errors: Errc::malformed for a corrupt
  /// packet (the decoder stays usable: the next packet may decode).
  virtual core::Result<AudioBlock> decode(std::span<const std::byte> packet) = 0;

  /// Forgets inter-packet state, e.g. after a seek.
  virtual void reset() = 0;
};

}  // namespace frugal::codec
