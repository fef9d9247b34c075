#pragma once
// Tag values as text → numbers: ReplayGain gains and peaks, Opus R128 gains,
// "n/m" positions, Vorbis-comment chapters. No TagLib here.

#include <frugal/core/demuxer.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace frugal::tags::detail {

/// "-6.48 dB", "+1.5 dB", "0.988831" (ReplayGain 2.0 §"Metadata format":
/// a decimal number, a gain followed by " dB"): the number; nullopt when
/// the text does not start with one or it is not finite.
std::optional<double> parse_decimal(std::string_view text);

/// An R128_TRACK_GAIN/R128_ALBUM_GAIN value (RFC 7845 §5.2.1: a base-10
/// integer, Q7.8 dB relative to −23 LUFS, in [-32768, 32767]) as a
/// ReplayGain gain in dB (relative to −18 LUFS): value / 256 + 5.
std::optional<double> r128_to_replaygain_db(std::string_view text);

/// "3", "3/12": position and total (0 when absent or not a number).
std::pair<std::uint32_t, std::uint32_t> parse_position(std::string_view text);

/// Chapters from Vorbis comments CHAPTERnnn=HH:MM:SS[.fff] and
/// CHAPTERnnnNAME=title (names upper case; nnn 1–9 digits), in number
/// order, timescale 1000 (milliseconds); each ends where the next starts,
/// the last where it starts. Entries with a malformed time are dropped.
std::vector<core::Chapter> parse_chapters(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace frugal::tags::detail
