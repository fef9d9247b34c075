#pragma once
// What a logical stream carries, from its first packet (the codec's Ogg
// mapping), and the Opus facts the demuxer needs: OpusHead (RFC 7845 §5.1)
// and packet durations from the TOC byte (RFC 6716 §3.1).

#include <frugal/core/result.hpp>
#include <frugal/core/track.hpp>

#include <cstdint>
#include <span>

namespace frugal::ogg::detail {

/// Samples at 48 kHz one Opus packet decodes to: frame size from the TOC
/// byte's config, times the frame count (code 0: 1, codes 1–2: 2, code 3:
/// the count in the second byte). Errors: Errc::malformed for an empty
/// packet, a code 3 packet without its count byte or with a count of 0, or
/// more than 120 ms (RFC 6716 §3.2.5).
core::Result<std::uint32_t> opus_packet_samples(std::span<const std::byte> packet);

/// Samples one FLAC frame holds, from its header (RFC 9639 §9.1: block
/// size code, the coded frame/sample number, then 8 or 16 bits of
/// block size − 1 for codes 6 and 7). Errors: Errc::malformed for a packet
/// that is not a frame or is cut short.
core::Result<std::uint32_t> flac_frame_samples(std::span<const std::byte> packet);

/// A stream's type and codec parameters from its first packet. Opus: the
/// OpusHead turned into a dOps body (Opus in ISOBMFF §4.3.2: big-endian,
/// no magic) as Codec::opus with sample_rate 48000 (Errc::malformed for a
/// short or inconsistent OpusHead, Errc::unsupported for a major version
/// other than 0). Ogg FLAC (the FLAC-in-Ogg mapping 1.0: 0x7F "FLAC",
/// version 1.x, header count, "fLaC", STREAMINFO) as Codec::flac with its
/// STREAMINFO block as the dfLa-style config (Errc::malformed when cut
/// short or not STREAMINFO; Errc::unsupported for a major version other
/// than 1). Vorbis, Speex, Theora, VP8, Kate, Skeleton: their type (and for
/// Vorbis codec, rate and channels), with `error` Errc::unsupported. Anything else: TrackType::other, unsupported.
struct StreamKind {
  core::TrackType type = core::TrackType::other;
  core::SampleEntry entry;
  std::uint16_t pre_skip = 0;  ///< Opus only, 48 kHz samples
};
core::Result<StreamKind> identify_stream(std::span<const std::byte> first_packet);

}  // namespace frugal::ogg::detail
