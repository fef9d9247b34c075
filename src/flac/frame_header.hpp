#pragma once
// FLAC frame headers (RFC 9639 §9.1) and the two frame checksums: CRC-8 of
// the header (§9.1.8) and CRC-16 of the whole frame (§9.3).

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::flac::detail {

/// The most bytes a frame header takes: sync and codes (4), the coded
/// number (up to 7), uncommon block size (2), uncommon sample rate (2), CRC-8 (1).
inline constexpr std::size_t kMaxFrameHeaderBytes = 16;

/// What a frame header says. Codes that defer to STREAMINFO (sample rate,
/// bit depth 0) are left 0.
struct FrameHeader {
  bool variable = false;        ///< blocking strategy bit: `number` is a sample number
  std::uint64_t number = 0;     ///< frame number (fixed) or first sample number (variable)
  std::uint32_t block_size = 0; ///< samples per channel in the frame
  std::uint32_t sample_rate = 0;  ///< Hz; 0: STREAMINFO's
  std::uint8_t channels = 0;
  std::uint8_t bits_per_sample = 0;  ///< 0: STREAMINFO's
  std::uint8_t length = 0;      ///< bytes of the header, CRC-8 included
};

/// Parses the frame header at the start of `bytes` into `out`. False when
/// the bytes are not a valid header: no sync, a reserved code or bit, a
/// coded number that is not well-formed (§9.1.5) or too large, a CRC-8
/// mismatch, or too few bytes.
bool parse_frame_header(std::span<const std::byte> bytes, FrameHeader& out) noexcept;

/// CRC-16 (polynomial 0x8005, initial 0): `crc` of some bytes continued
/// with `b`. Over a whole frame, its stored CRC-16 included, the result is 0.
std::uint16_t crc16_byte(std::uint16_t crc, std::byte b) noexcept;

/// CRC-8 (polynomial 0x07, initial 0) of `bytes`.
std::uint8_t crc8(std::span<const std::byte> bytes) noexcept;

}  // namespace frugal::flac::detail
