#pragma once
// Parsing of sample descriptions ('stsd', ISO/IEC 14496-12 §8.5.2) into
// SampleEntry values: audio entries decoded (§12.2.3 AudioSampleEntry,
// QuickTime sound descriptions v1/v2), other entries identified by type.

#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include "mp4/vocabulary.hpp"

#include <span>
#include <vector>

namespace frugal::mp4::detail {

/// `body` is the whole stsd body (version/flags, entry_count, entries);
/// `depth` the nesting level of the stsd box; `timescale` the track's media
/// timescale, the sample rate of last resort.
/// Errors: Errc::malformed (entries cut short), Errc::limit_exceeded (more
/// than Limits::max_sample_entries, nesting).
core::Result<std::vector<SampleEntry>> parse_stsd(std::span<const std::byte> body, TrackType type,
                                                  std::uint32_t timescale, std::uint32_t depth,
                                                  const core::Limits& limits);

/// The fields of an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1)
/// that a container reports: audio object type (5 or 29 also for an LC
/// config whose sync extension signals SBR or PS, §1.6.5.2), sample rate
/// (the explicit 24-bit frequency escape included; the SBR extension rate
/// for explicitly signalled HE-AAC) and channel count (0 when a program
/// config element carries it).
struct AudioSpecificConfig {
  std::uint32_t object_type = 0;
  std::uint32_t sample_rate = 0;
  std::uint16_t channels = 0;
};
core::Result<AudioSpecificConfig> parse_audio_specific_config(std::span<const std::byte> asc);

}  // namespace frugal::mp4::detail
