#pragma once
// What the frugal subcommands share: argument parsing, error reporting and
// exit codes, opening inputs with I/O counting.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/file_source.hpp>
#include <frugal/core/media.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/player/audio_stream.hpp>
#include <frugal/player/container.hpp>
#include <frugal/player/stream_source.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace frugal::cli {

/// Exit codes (documented in `frugal --help`).
enum Exit : int { kOk = 0, kUsage = 1, kBadInput = 2, kIoError = 3 };

/// Parsed command line of one subcommand: positionals, options with a value,
/// and flags.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;

  bool has(const std::string& flag) const { return flags.count(flag) != 0; }
  std::optional<std::string> value(const std::string& name) const;
};

/// Parses `argv` against the option names taking a value (`with_value`) and
/// the flags (`flags`). Unknown options are a usage error (message in `error`).
std::optional<Args> parse_args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
                               const std::set<std::string>& flags, std::string& error);

/// I/O totals across every input the command opened (for --stats).
struct IoStats {
  std::uint64_t bytes_read = 0;
  std::uint64_t read_calls = 0;
};
IoStats& io_stats();

/// An input: a file (pread), "-" (standard input, through a
/// player::StreamSource), or an init segment followed by its media segments
/// read as one file. Counted into io_stats() when destroyed.
class Input {
 public:
  static core::Result<std::unique_ptr<Input>> open(const std::vector<std::string>& paths);
  ~Input();
  core::ByteSource& source() { return *counting_; }

 private:
  Input() = default;
  std::vector<core::FileSource> files_;
  std::vector<core::ByteSource*> parts_;
  std::optional<core::ConcatSource> concat_;
  std::optional<core::FdInputStream> stdin_;
  std::optional<player::StreamSource> stream_;
  std::optional<core::CountingSource> counting_;
};

/// The command line's files as inputs: a media segment (a file that starts
/// with styp, sidx, moof, emsg or prft: CMAF/DASH .m4s) joins the input
/// before it, so `init.mp4 seg1.m4s seg2.m4s` is one input.
std::vector<std::vector<std::string>> group_inputs(const std::vector<std::string>& paths);

/// The positionals as one input for `command`. Returns false after
/// reporting a usage error (none, or several inputs).
bool one_input(const Args& args, const std::string& command, std::vector<std::string>& paths, int& exit_code);

/// The MP4 demuxer over `input`, charging tracker().
core::Result<std::unique_ptr<core::Demuxer>> open_demuxer(Input& input);

/// "123", "64K", "16M", "1G" (binary multiples) → bytes; nullopt when not
/// a number with an optional K/M/G suffix or too large.
std::optional<std::size_t> parse_bytes(const std::string& text);

/// "<category>: <message> (<strerror>) (at byte N)", the parts present.
std::string error_text(const core::Error& error);

/// Prints "frugal: <subject>: <category>: <message> (at byte N)" to stderr
/// and returns the exit code for the error.
int report(const std::string& subject, const core::Error& error);

/// Prints "frugal: <message>" and the usage hint to stderr; returns kUsage.
int usage_error(const std::string& message);

/// A decimal number in [1, 2^32 - 1], or nullopt.
std::optional<std::uint32_t> parse_positive(const std::string& text);

/// Parses --track N (a track_ID). Returns false after reporting a usage error.
bool parse_track(const Args& args, std::optional<std::uint32_t>& track, int& exit_code);

/// StreamOptions from --track, --format and --no-edit-list. Returns false
/// after reporting a usage error.
bool parse_stream_options(const Args& args, player::StreamOptions& options, int& exit_code);

/// The decoders to use: this build's, or with --decoder NAME only those
/// registered as NAME. nullopt after reporting a usage error (no decoder of
/// that name).
std::optional<codec::DecoderRegistry> parse_decoders(const Args& args, int& exit_code);

/// The tracker every command charges (budget from --mem-budget).
mem::MemoryTracker& tracker();

/// Creates tracker() with `budget` bytes (0 = none), starts its dispatch
/// thread and an OS pressure source (PSI, else MemAvailable) when the system
/// has one. Called once by main before any command.
void start_memory_tracking(std::size_t budget);

int run_probe(const std::vector<std::string>& argv);
int run_packets(const std::vector<std::string>& argv);
int run_decode(const std::vector<std::string>& argv);
int run_play(const std::vector<std::string>& argv);
/// What `play` shows and applies from a file's tags.
struct NowPlaying {
  std::string title, artist;
  core::ReplayGain replay_gain;
  std::vector<core::Chapter> chapters;  ///< CHAPTERxx Vorbis comments (the last one's end unknown: its start)
};
/// The tags of `source` (without pictures); empty in a build without
/// TagLib. Errors: the tags module's.
core::Result<NowPlaying> now_playing(core::ByteSource& source);

int run_tags(const std::vector<std::string>& argv);
int run_art(const std::vector<std::string>& argv);
/// frugal rom SUBCOMMAND (info).
int run_rom(const std::vector<std::string>& argv);
/// frugal exr FILE [--json]: OpenEXR headers.
int run_exr(const std::vector<std::string>& argv);
/// frugal thumb FILE -o OUT.png [--size N]: a thumbnail of an image or of
/// an audio file's cover art.
int run_thumb(const std::vector<std::string>& argv);
/// frugal image-info FILE [--json]: an image's header (PNG, JPEG, GIF, BMP, WebP).
int run_image_info(const std::vector<std::string>& argv);
/// frugal library scan|list|search|stats|export: the media library.
int run_library(const std::vector<std::string>& argv);

}  // namespace frugal::cli
