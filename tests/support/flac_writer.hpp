#pragma once
// A small test-only FLAC writer (RFC 9639) for building edge cases: real
// frame headers with their CRC-8, 16-bit verbatim subframes (so any sample
// value, sync code lookalikes included, can be placed in frame data), the
// frame CRC-16, STREAMINFO, SEEKTABLE and PADDING blocks. The CRCs are
// computed bit by bit here, independently of src/flac.

#include "support/mp4_writer.hpp"  // Bytes

#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::test {

/// One frame: `samples` interleaved, `channels` independent channels of
/// 16 bits (bit depth and sample rate codes defer to STREAMINFO).
struct FlacFrameSpec {
  bool variable = false;      ///< blocking strategy: `number` is a sample number
  std::uint64_t number = 0;   ///< frame number, or first sample number when variable
  std::uint8_t channels = 1;
  std::vector<std::int16_t> samples;  ///< block size × channels
};

/// The bytes of one frame.
Bytes flac_frame(const FlacFrameSpec& spec);

/// A frame header alone, its CRC-8 included (hostile files: headers with
/// junk between them).
Bytes flac_frame_header(bool variable, std::uint64_t number, std::uint32_t block_size, std::uint8_t channels);

/// A metadata block: header (type, last flag, 24-bit length) then `body`.
Bytes flac_metadata_block(std::uint8_t type, bool last, const Bytes& body);

struct FlacStreamSpec {
  std::uint32_t sample_rate = 44100;
  std::uint8_t channels = 1;
  bool variable = false;
  /// Each frame's channel count where it differs from STREAMINFO's (a
  /// stream changing format mid-way); empty: `channels` for every frame.
  std::vector<std::uint8_t> frame_channels;
  /// Each frame's samples, interleaved (its block size: size / its channels).
  std::vector<std::vector<std::int16_t>> frames;
  /// STREAMINFO's total samples: the frames' sum unless given (0: unknown).
  std::optional<std::uint64_t> total_samples;
  /// STREAMINFO's minimum and maximum block size: the frames' unless given.
  std::optional<std::uint16_t> streaminfo_block_size;
  /// A SEEKTABLE point at every `seek_every`-th frame (0: no SEEKTABLE),
  /// then `placeholders` placeholder points.
  std::size_t seek_every = 0;
  std::size_t placeholders = 0;
  std::uint32_t padding = 0;  ///< bytes of a PADDING block after the others (0: none)
  Bytes prefix;               ///< before "fLaC" (an ID3v2 tag)
  Bytes trailer;              ///< after the last frame (junk, an ID3v1 tag)
};

/// Where build_flac put things.
struct FlacLayout {
  std::uint64_t frames_offset = 0;
  std::vector<std::uint64_t> frame_offsets;
  std::vector<std::uint64_t> frame_sizes;
  std::vector<std::uint64_t> first_samples;
};

Bytes build_flac(const FlacStreamSpec& spec, FlacLayout* layout = nullptr);

/// `n` pseudo-random 16-bit samples from `seed`.
std::vector<std::int16_t> flac_test_samples(std::size_t n, std::uint32_t seed);

/// An ID3v2.4 tag of `body_bytes` zero bytes (syncsafe size).
Bytes id3v2_tag(std::uint32_t body_bytes);

}  // namespace frugal::test
