#pragma once
// FLAC's metadata blocks (RFC 9639 §8): the STREAMINFO fields, where the
// SEEKTABLE lies (its points stay in the file) and where the frames start.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/limits.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace frugal::flac::detail {

/// STREAMINFO (§8.2).
struct StreamInfo {
  std::uint16_t min_block_size = 0;  ///< samples
  std::uint16_t max_block_size = 0;  ///< samples
  std::uint32_t min_frame_size = 0;  ///< bytes; 0: unknown
  std::uint32_t max_frame_size = 0;  ///< bytes; 0: unknown
  std::uint32_t sample_rate = 0;     ///< Hz
  std::uint8_t channels = 0;
  std::uint8_t bits_per_sample = 0;
  std::uint64_t total_samples = 0;   ///< per channel; 0: unknown
};

/// One SEEKTABLE point (§8.5), 18 bytes in the file.
struct SeekTablePoint {
  static constexpr std::uint64_t kPlaceholder = ~std::uint64_t{0};
  static constexpr std::size_t kBytes = 18;
  std::uint64_t sample = 0;  ///< first sample of the target frame, or kPlaceholder
  std::uint64_t offset = 0;  ///< bytes from the first frame's header to the target frame's
};

struct Metadata {
  StreamInfo info;
  /// The STREAMINFO block with its 4-byte header, as the decoder takes it
  /// (CodecParameters::config).
  std::array<std::byte, 4 + 34> streaminfo_block{};
  std::uint64_t seektable_offset = 0;  ///< file offset of the first point
  std::uint64_t seektable_points = 0;  ///< 0: no SEEKTABLE
  std::uint64_t frames_offset = 0;     ///< first byte after the last metadata block
};

/// Reads the metadata blocks after the "fLaC" marker at `marker`: STREAMINFO
/// must come first (validated), a SEEKTABLE is located, other blocks are
/// passed over by their length. Errors: Errc::malformed with the offset of
/// the offending block header (lengths past the end of the file, a
/// STREAMINFO missing, repeated or out of range, a SEEKTABLE length not a
/// multiple of 18, block type 127), Errc::unsupported (sample rate 0: not
/// audio), Errc::io.
core::Result<Metadata> read_metadata(core::ByteSource& source, std::uint64_t marker);

/// SEEKTABLE point `i` of `meta`. Errors: Errc::malformed (cut off), Errc::io.
core::Result<SeekTablePoint> read_seek_point(core::ByteSource& source, const Metadata& meta, std::uint64_t i);

}  // namespace frugal::flac::detail
