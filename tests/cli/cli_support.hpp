#pragma once
// What the command-line tests share: running `frugal` (FRUGAL_BINARY),
// reading its JSON lines and WAV output, and the FFmpeg oracles (ffprobe's
// packet lists, ffmpeg's decodes).

#include "support/media.hpp"
#include "support/temp_dir.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace frugal::test {

/// Runs the frugal command with `args` (a shell fragment).
CommandResult run_frugal(const std::string& args);

/// The non-empty lines of `text`.
std::vector<std::string> lines(const std::string& text);

/// The raw value of "key" in a flat JSON object line (numbers, booleans,
/// strings without escapes), or "" when absent.
std::string field(const std::string& json, const std::string& key);

/// The bytes of a WAV file's data chunk.
std::string wav_data(const std::string& wav);

/// ffprobe's packets of stream `index`, edit lists ignored, each split into
/// its csv fields: dts, duration, size, pos, flags.
std::vector<std::vector<std::string>> ffprobe_packets(const std::filesystem::path& file, int index);

/// Decodes `track` with frugal (to a WAV in `dir`) and returns the PCM
/// bytes; `out_bits` gets the WAV's bits per sample, `out_err` frugal's
/// standard error. A non-zero exit fails the test.
std::string frugal_decode(const TempDir& dir, const std::filesystem::path& file, const std::string& track,
                          const std::string& extra, std::string* out_bits = nullptr, std::string* out_err = nullptr);

/// ffmpeg's decode of stream `index` as raw little-endian samples of `bits`.
std::string ffmpeg_decode(const std::filesystem::path& file, int index, const std::string& bits,
                          const std::string& input_opts);

/// A test name from a path: its characters other than letters and digits as '_'.
std::string name_from(const std::filesystem::path& path);

/// frugal's packet lines equal ffprobe's rows (dts, duration, size, pos,
/// flags) on dts and key flag; on size and pos when ffprobe knows the
/// layout (`layout`); on duration when `durations`, else each packet lasts
/// until the next one's dts.
void expect_packets_match(const std::vector<std::string>& ours, const std::vector<std::vector<std::string>>& theirs,
                          bool layout, bool durations);

}  // namespace frugal::test
