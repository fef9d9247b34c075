// The frugal command end to end: exit codes, JSON output, and agreement with
// FFmpeg (ffprobe packet lists, ffmpeg decodes) on the bundled samples and on
// the real files in the media folder.
#include "cli/cli_support.hpp"
#include "support/media.hpp"
#include "support/mp4_writer.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using frugal::test::CommandResult;
using frugal::test::expect_packets_match;
using frugal::test::ffmpeg_decode;
using frugal::test::ffprobe_packets;
using frugal::test::field;
using frugal::test::frugal_decode;
using frugal::test::lines;
using frugal::test::name_from;
using frugal::test::opus_pcm_matches;
using frugal::test::run_frugal;
using frugal::test::wav_data;
using frugal::test::all_media_files;
using frugal::test::media_files;
using frugal::test::read_file;
using frugal::test::run_command;
using frugal::test::shell_quote;
using frugal::test::TempDir;

namespace {

const std::string kSamples = std::string(FRUGAL_SOURCE_DIR) + "/samples/";

// One object per track in `frugal probe --json` output.
std::vector<std::string> probe_tracks(const std::string& json) {
  std::vector<std::string> out;
  auto at = json.find("\"tracks\":[");
  while (at != std::string::npos && (at = json.find("{\"id\":", at)) != std::string::npos) {
    auto end = json.find('}', at);
    out.push_back(json.substr(at, end - at + 1));
    at = end;
  }
  return out;
}

// An audio stream as ffprobe lists it.
struct FfStream {
  int index = -1;
  std::string codec;
  std::string sample_rate;
  std::string channels;
};

// ffprobe's streams by track ID (the tkhd track_ID is ffprobe's stream id).
std::map<std::string, FfStream> ffprobe_streams(const fs::path& file) {
  std::map<std::string, FfStream> out;
  auto text = frugal::test::run_capture(
      "ffprobe -v error -show_entries stream=index,id,codec_name,sample_rate,channels -of "
      "default=nw=1 " + shell_quote(file.string()));
  if (!text) return out;
  FfStream s;
  std::string id;
  for (const std::string& line : lines(*text)) {
    const auto eq = line.find('=');
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "index") s = FfStream{std::stoi(value), "", "", ""};
    else if (key == "codec_name") s.codec = value;
    else if (key == "sample_rate") s.sample_rate = value;
    else if (key == "channels") s.channels = value;
    else if (key == "id") out[std::to_string(std::stoul(value, nullptr, 0))] = s;
  }
  return out;
}

#ifdef FRUGAL_HAVE_AVCODEC
constexpr bool kHaveAvcodec = true;
#else
constexpr bool kHaveAvcodec = false;
#endif
constexpr const char* kNoAvcodec = "built without libavcodec (FRUGAL_WITH_AVCODEC): AAC, ALAC, MP3, AC-3 and E-AC-3 do not decode";
#ifdef FRUGAL_HAVE_MPG123
constexpr bool kHaveMpg123 = true;
#else
constexpr bool kHaveMpg123 = false;
#endif
#ifdef FRUGAL_HAVE_FAAD2
constexpr bool kHaveFaad2 = true;
#else
constexpr bool kHaveFaad2 = false;
#endif

// Codecs (ffprobe's names) every build decodes.
bool always_decodes(const std::string& codec) {
  return codec == "opus" || codec == "flac" || codec.rfind("pcm_", 0) == 0;
}

// Codecs this build decodes: those, and the libavcodec, libmpg123 and
// faad2 ones when built with them.
bool decodes(const std::string& codec) {
  return always_decodes(codec) ||
         (kHaveAvcodec && (codec == "aac" || codec == "alac" || codec == "ac3" || codec == "eac3")) ||
         ((kHaveAvcodec || kHaveMpg123) && codec == "mp3") || (kHaveFaad2 && codec == "aac");
}

// The largest difference between samples of two s16 streams.
int max_difference(const std::string& a, const std::string& b) {
  int worst = 0;
  for (std::size_t i = 0; i + 1 < a.size() && i + 1 < b.size(); i += 2) {
    const auto x = static_cast<std::int16_t>(static_cast<unsigned char>(a[i]) | static_cast<unsigned char>(a[i + 1]) << 8);
    const auto y = static_cast<std::int16_t>(static_cast<unsigned char>(b[i]) | static_cast<unsigned char>(b[i + 1]) << 8);
    worst = std::max(worst, std::abs(x - y));
  }
  return worst;
}

// The signal-to-difference ratio of `ours` against `theirs` (s16 streams),
// in dB over their common length; 200 when they are identical.
double snr_db(const std::string& ours, const std::string& theirs) {
  double signal = 0, noise = 0;
  for (std::size_t i = 0; i + 1 < ours.size() && i + 1 < theirs.size(); i += 2) {
    const auto x = static_cast<std::int16_t>(static_cast<unsigned char>(ours[i]) | static_cast<unsigned char>(ours[i + 1]) << 8);
    const auto y = static_cast<std::int16_t>(static_cast<unsigned char>(theirs[i]) | static_cast<unsigned char>(theirs[i + 1]) << 8);
    const double d = static_cast<double>(x) - y;
    signal += static_cast<double>(y) * y;
    noise += d * d;
  }
  return noise == 0 ? 200 : 10 * std::log10(signal / noise);
}

// faad2's AAC (s16, `channels` interleaved) against ffmpeg's. libavcodec
// gives no samples for a packet without audio elements, where faad2 gives
// a frame of silence, so faad2 may lead by whole frames (1024). Past the
// first two frames (faad2 drops its first: frugal gives it as silence; the
// next differs while the decoders settle), the tolerance is an SNR of 30 dB:
// tonal content agrees within a step or two (88-109 dB on the media
// folder's files), but PNS noise is random in each decoder (one file's
// three noise frames: 32 dB).
void expect_faad2_close(const std::string& ours, const std::string& theirs, std::size_t channels) {
  const std::size_t frame_bytes = 1024 * 2 * channels;
  ASSERT_GE(ours.size(), theirs.size());
  const std::size_t lead = ours.size() - theirs.size();
  EXPECT_EQ(lead % frame_bytes, 0u);
  EXPECT_LE(lead / frame_bytes, 2u) << "faad2 leads ffmpeg by more than two frames";
  const std::size_t from = std::min(theirs.size(), 2 * frame_bytes);
  EXPECT_GE(snr_db(ours.substr(lead + from), theirs.substr(from)), 30.0);
}

// Audio tracks frugal can play (decodes()).
struct PlayableTrack {
  std::string id;
  std::string codec;
  std::string format;  // sample entry type
  std::string json;
};

// Fragmented files only when `fragmented` (ffprobe's packet durations differ
// for them: FragmentedPacketsMatchFfprobe compares their packets).
std::vector<PlayableTrack> playable_tracks(const fs::path& file, bool fragmented = true) {
  std::vector<PlayableTrack> out;
  CommandResult probe = run_frugal("probe --json " + shell_quote(file.string()));
  if (probe.exit_code != 0 || (!fragmented && field(probe.out, "fragmented") == "true")) return out;
  for (const std::string& t : probe_tracks(probe.out)) {
    const std::string codec = field(t, "codec");
    if (field(t, "type") != "audio" || field(t, "error") != "null") continue;
    if (decodes(codec)) out.push_back({field(t, "id"), codec, field(t, "format"), t});
  }
  return out;
}

}  // namespace

// ---- exit codes and messages ------------------------------------------------

TEST(Cli, UsageErrorsExitOne) {
  EXPECT_EQ(run_frugal("").exit_code, 1);
  EXPECT_EQ(run_frugal("frobnicate").exit_code, 1);
  EXPECT_EQ(run_frugal("probe").exit_code, 1);
  EXPECT_EQ(run_frugal("probe a b").exit_code, 1);
  EXPECT_EQ(run_frugal("packets x --bogus").exit_code, 1);
  EXPECT_EQ(run_frugal("decode " + kSamples + "speech-chirp.opus.m4a").exit_code, 1);  // no -o
  EXPECT_EQ(run_frugal("decode x -o y --format s8").exit_code, 1);
  EXPECT_EQ(run_frugal("packets x --track zero").exit_code, 1);
  CommandResult help = run_frugal("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* word : {"probe", "packets", "decode", "play", "--stats", "exit status"})
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
}

TEST(Cli, MissingFileIsAnIoErrorExitThree) {
  CommandResult r = run_frugal("probe /nonexistent/file.m4a");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "frugal: /nonexistent/file.m4a: io: cannot open file (No such file or directory)\n");
}

TEST(Cli, NonMp4InputIsBadInputExitTwo) {
  TempDir dir;
  const std::string text = "this is not an MP4 file at all, just text\n";
  const std::string path = dir.write("x.m4a", std::as_bytes(std::span(text.data(), text.size())));
  for (const char* command : {"probe", "packets", "decode -o /dev/null"}) {
    CommandResult r = run_frugal(std::string(command) + " " + path);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("frugal: " + path + ": malformed: ", 0), 0u) << r.err;
  }
}

TEST(Cli, UnknownTrackIsAUsageError) {
  CommandResult r = run_frugal("packets " + kSamples + "speech-chirp.opus.m4a --track 9");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no track 9"), std::string::npos);
}

// ---- bundled samples --------------------------------------------------------

TEST(Cli, ProbeDescribesTheBundledSamples) {
  CommandResult r = run_frugal("probe --json " + kSamples + "speech-chirp.opus.m4a");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto tracks = probe_tracks(r.out);
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(field(tracks[0], "codec"), "opus");
  EXPECT_EQ(field(tracks[0], "sample_rate"), "48000");
  EXPECT_EQ(field(tracks[0], "channels"), "2");
  EXPECT_EQ(field(tracks[0], "packet_count"), field(tracks[0], "sample_count"));
  EXPECT_EQ(field(r.out, "format"), "mp4");

  r = run_frugal("probe --json " + kSamples + "speech-chirp.flac.m4a");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  tracks = probe_tracks(r.out);
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(field(tracks[0], "codec"), "flac");
  EXPECT_EQ(field(tracks[0], "bits_per_sample"), "16");
}

TEST(Cli, PacketsJsonLinesCoverEveryPacket) {
  CommandResult probe = run_frugal("probe --json " + kSamples + "speech-chirp.flac.m4a");
  CommandResult r = run_frugal("packets --json " + kSamples + "speech-chirp.flac.m4a");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto packets = lines(r.out);
  ASSERT_EQ(std::to_string(packets.size()), field(probe_tracks(probe.out)[0], "packet_count"));
  for (const char* key : {"track", "index", "dts", "pts", "duration", "size", "pos", "sync"})
    EXPECT_NE(field(packets[0], key), "") << key;
  EXPECT_EQ(field(packets[0], "index"), "0");
  EXPECT_EQ(field(packets[0], "dts"), "0");
  EXPECT_EQ(field(packets.back(), "index"), std::to_string(packets.size() - 1));
}

TEST(Cli, StatsReportIoOnStderr) {
  CommandResult r = run_frugal("probe --stats " + kSamples + "speech-chirp.opus.m4a");
  ASSERT_EQ(r.exit_code, 0);
  auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u);
  EXPECT_EQ(err[0].rfind("{\"io\":{\"bytes_read\":", 0), 0u) << err[0];
  EXPECT_GT(std::stoull(field(err[0], "bytes_read")), 0u);
  EXPECT_GT(std::stoull(field(err[0], "read_calls")), 0u);
  // Probing reads headers and tables, not the audio.
  EXPECT_LT(std::stoull(field(err[0], "bytes_read")), fs::file_size(kSamples + "speech-chirp.opus.m4a") / 2);
  EXPECT_EQ(field(err[0], "budget"), "0");
  EXPECT_GT(std::stoull(field(err[0], "rss_peak")), 0u);
  // The tables were charged: the tracker's peak and its account say so.
  EXPECT_GT(std::stoull(field(err[0], "peak_total")), 0u);
  EXPECT_NE(err[0].find("\"mp4/table_cache\":{\"current\":0,\"peak\":"), std::string::npos) << err[0];
  // Every malloc'd byte (a number), or null where sanitizers own malloc.
  const std::string heap = field(err[0], "heap_peak");
  if (heap != "null") {
    EXPECT_GE(std::stoull(heap), std::stoull(field(err[0], "peak_total")));
  }
}

TEST(Cli, MemoryBudgetBoundsWhatTheInputMayCost) {
  const std::string flac = kSamples + "speech-chirp.flac.m4a";
  // 4 MiB is plenty: the decode works and the tracker stayed under it.
  CommandResult r = run_frugal("decode --stats --mem-budget 4M " + flac + " -o /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.err, "budget"), std::to_string(4u << 20));
  EXPECT_LE(std::stoull(field(r.err, "peak_total")), 4u << 20);
  // 16 KiB cannot hold FLAC's frame buffer: a clear error, exit 2.
  r = run_frugal("decode --mem-budget=16K " + flac + " -o /dev/null");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("out_of_memory"), std::string::npos) << r.err;
  EXPECT_EQ(run_frugal("probe --mem-budget 12Q " + flac).exit_code, 1);
  EXPECT_EQ(run_frugal("probe --mem-budget 0 " + flac).exit_code, 1);
}

TEST(Cli, PlayWritesTheBundledSampleToAWavFile) {
  TempDir dir;
  const std::string wav = dir.file("played.wav");
  CommandResult r = run_frugal("play --output wav:" + shell_quote(wav));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("played speech-chirp.opus.m4a"), std::string::npos) << r.err;
  // Same audio as decode gives: the player adds and loses nothing.
  std::string decoded = frugal_decode(dir, kSamples + "speech-chirp.opus.m4a", "1", "");
  EXPECT_EQ(wav_data(read_file(wav)), decoded);
  EXPECT_GT(decoded.size(), 48000u * 4 * 6);  // more than 6 s of 16-bit stereo
}

TEST(Cli, PlayGoesOnPastABadFileAndReportsIt) {
  CommandResult r = run_frugal("play --output null /nonexistent.m4a " + kSamples + "speech-chirp.flac.m4a");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("/nonexistent.m4a: io:"), std::string::npos);
  EXPECT_NE(r.err.find("played speech-chirp.flac.m4a"), std::string::npos);
}

TEST(Cli, FailedDecodeLeavesNoOutputFile) {
  // The sample's movie header comes first, so a copy cut short opens and then
  // runs out of sample data half way.
  TempDir dir;
  const std::string whole = read_file(kSamples + "speech-chirp.flac.m4a");
  const std::string cut = whole.substr(0, whole.size() / 2);
  const std::string path = dir.write("cut.m4a", std::as_bytes(std::span(cut.data(), cut.size())));
  const std::string out = dir.file("out.wav");
  CommandResult r = run_frugal("decode " + path + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("malformed: sample data cut off by end of file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);  // no temp file left
}

// Devices and FIFOs are written into, not replaced; a link's file is
// replaced, the link stays.
TEST(Cli, DecodeWritesIntoDevicesAndThroughLinks) {
  const std::string flac = kSamples + "speech-chirp.flac.m4a";
  ASSERT_EQ(run_frugal("decode " + flac + " -o /dev/null").exit_code, 0);
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  TempDir dir;
  fs::create_symlink("real.wav", dir.path() / "link.wav");
  ASSERT_EQ(run_frugal("decode " + flac + " -o " + dir.file("link.wav")).exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(dir.path() / "link.wav"));
  EXPECT_EQ(read_file(dir.file("real.wav")).substr(0, 4), "RIFF");
}

TEST(Cli, DecodeStartAndDurationCutASampleExactSlice) {
  TempDir dir;
  const std::string flac = kSamples + "speech-chirp.flac.m4a";
  const std::string full = frugal_decode(dir, flac, "1", "");
  const std::string slice = frugal_decode(dir, flac, "1", "--start 2.5 --duration 0.75");
  ASSERT_EQ(slice.size(), 36000u * 4);  // 0.75 s of 48 kHz s16 stereo
  EXPECT_TRUE(full.compare(120000 * 4, slice.size(), slice) == 0);
  EXPECT_EQ(run_frugal("decode " + flac + " -o /dev/null --start -1").exit_code, 1);
  EXPECT_EQ(run_frugal("decode " + flac + " -o /dev/null --duration x").exit_code, 1);
}

TEST(Cli, DecodeToStandardOutputStreamsWav) {
  CommandResult r = run_frugal("decode " + kSamples + "speech-chirp.flac.m4a -o -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GT(r.out.size(), 44u);
  EXPECT_EQ(r.out.substr(0, 4), "RIFF");
  EXPECT_EQ(r.out.substr(4, 4), std::string(4, '\xFF'));  // size unknown on a pipe
}

TEST(Cli, BundledSamplesDecodeLikeFfmpeg) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  TempDir dir;
  // FLAC: lossless, bit-identical.
  EXPECT_EQ(frugal_decode(dir, kSamples + "speech-chirp.flac.m4a", "1", ""),
            ffmpeg_decode(kSamples + "speech-chirp.flac.m4a", 0, "16", ""));
  // Opus: ffmpeg's libopus decoder with the same trimming (pre-skip only).
  const std::string opus = frugal_decode(dir, kSamples + "speech-chirp.opus.m4a", "1", "--no-edit-list");
  const std::string ffmpeg_opus =
      ffmpeg_decode(kSamples + "speech-chirp.opus.m4a", 0, "16", "-ignore_editlist 1 -c:a libopus");
  EXPECT_EQ(opus.size(), ffmpeg_opus.size());
  EXPECT_TRUE(opus_pcm_matches(opus, ffmpeg_opus));
}

// ---- standard input and segment lists ---------------------------------------

namespace {

struct TopBox {
  std::string type;
  std::size_t offset = 0;
  std::size_t size = 0;
};

// The top-level boxes of a file's bytes (64-bit sizes and a last box running
// to the end included); stops at a box that does not fit.
std::vector<TopBox> top_level_boxes(const std::string& file) {
  const auto be = [&file](std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(file[at + static_cast<std::size_t>(i)]);
    return v;
  };
  std::vector<TopBox> out;
  std::size_t at = 0;
  while (at + 8 <= file.size()) {
    std::uint64_t size = be(at, 4);
    if (size == 1) {
      if (at + 16 > file.size()) break;
      size = be(at + 8, 8);
    } else if (size == 0) {
      size = file.size() - at;
    }
    if (size < 8 || size > file.size() - at) break;
    out.push_back({file.substr(at + 4, 4), at, static_cast<std::size_t>(size)});
    at += static_cast<std::size_t>(size);
  }
  return out;
}

// "ftyp moov mdat": the top-level box types in file order.
std::string box_order(const std::string& file) {
  std::string out;
  for (const TopBox& b : top_level_boxes(file)) out += (out.empty() ? "" : " ") + b.type;
  return out;
}

// Runs ffmpeg (stdin closed) with `args`; fails the test when it fails.
bool run_ffmpeg(const std::string& args) {
  CommandResult r = run_command("ffmpeg -nostdin -y -v error " + args + " </dev/null");
  EXPECT_EQ(r.exit_code, 0) << "ffmpeg " << args << ": " << r.err;
  return r.exit_code == 0;
}

// A fragmented copy of `sample` (empty moov, a fragment every 0.5 s), made
// by ffmpeg without re-encoding, at `dir`/`name`; "" when ffmpeg fails.
std::string fragmented_copy(const TempDir& dir, const std::string& sample, const std::string& name) {
  const std::string out = dir.file(name);
  if (!run_ffmpeg("-i " + shell_quote(sample) +
                  " -c copy -movflags +frag_keyframe+empty_moov+default_base_moof -frag_duration 500000 " +
                  shell_quote(out)))
    return "";
  return out;
}

// Cuts a fragmented file at its top-level moofs: init.mp4 holds what comes
// before the first moof (ftyp, moov), segN.m4s the Nth moof and what
// follows it up to the next moof (its mdat; the last one also mfra).
// Returns the paths, the init segment first.
std::vector<std::string> cut_into_segments(const TempDir& dir, const std::string& path) {
  const std::string file = read_file(path);
  std::vector<std::string> parts(1);
  for (const TopBox& b : top_level_boxes(file)) {
    if (b.type == "moof") parts.emplace_back();
    parts.back() += file.substr(b.offset, b.size);
  }
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string name = i == 0 ? "init.mp4" : "seg" + std::to_string(i) + ".m4s";
    paths.push_back(dir.write(name, std::as_bytes(std::span(parts[i].data(), parts[i].size()))));
  }
  return paths;
}

std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += " " + shell_quote(p);
  return out;
}

// `frugal decode` of a file, and of the same bytes on standard input, each
// to a WAV file; both succeed and give the same bytes.
void expect_pipe_decode_equals_file_decode(const TempDir& dir, const std::string& file) {
  SCOPED_TRACE(file);
  const std::string from_pipe = dir.file("pipe.wav"), from_file = dir.file("file.wav");
  CommandResult r = run_command("cat " + shell_quote(file) + " | " + std::string(FRUGAL_BINARY) + " decode - -o " +
                                shell_quote(from_pipe));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  r = run_frugal("decode " + shell_quote(file) + " -o " + shell_quote(from_file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string want = read_file(from_file);
  EXPECT_GT(wav_data(want).size(), 48000u * 4);  // more than a second of s16 stereo
  EXPECT_TRUE(read_file(from_pipe) == want) << "the WAV decoded from standard input differs";
  // The packet lists agree too, offsets included.
  r = run_command("cat " + shell_quote(file) + " | " + std::string(FRUGAL_BINARY) + " packets --json -");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  CommandResult whole = run_frugal("packets --json " + shell_quote(file));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_GT(lines(whole.out).size(), 50u);
  EXPECT_TRUE(r.out == whole.out) << "packets from standard input differ";
}

}  // namespace

TEST(Cli, DecodeFromStandardInputEqualsDecodeOfTheFile) {
  TempDir dir;
  for (const char* sample : {"speech-chirp.opus.m4a", "speech-chirp.flac.m4a"})
    expect_pipe_decode_equals_file_decode(dir, kSamples + sample);
}

TEST(Cli, FragmentedFileFromStandardInputEqualsTheFile) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  TempDir dir;
  const std::string frag = fragmented_copy(dir, kSamples + "speech-chirp.opus.m4a", "frag.mp4");
  ASSERT_FALSE(frag.empty());
  const std::string order = box_order(read_file(frag));
  ASSERT_EQ(order.rfind("ftyp moov moof mdat moof mdat moof mdat", 0), 0u) << order;
  CommandResult probe = run_frugal("probe --json " + shell_quote(frag));
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_EQ(field(probe.out, "fragmented"), "true");
  expect_pipe_decode_equals_file_decode(dir, frag);
}

// A file whose movie header follows the media data: fine as a file, and a
// clear one-line error (bad input, exit 2) on a pipe, where frugal cannot
// go back for moov's tables. ffmpeg without +faststart writes mdat first.
TEST(Cli, MoovAfterMdatOnStandardInputIsBadInput) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  TempDir dir;
  const std::string late = dir.file("late-moov.mp4");
  // "-strict -2": FLAC in MP4 is "experimental" to older ffmpeg releases.
  ASSERT_TRUE(run_ffmpeg("-i " + shell_quote(kSamples + "speech-chirp.flac.m4a") + " -c copy -strict -2 " +
                         shell_quote(late)));
  const std::string order = box_order(read_file(late));
  ASSERT_LT(order.find("mdat"), order.find("moov")) << order;
  ASSERT_NE(order.find("moov"), std::string::npos) << order;

  EXPECT_EQ(run_frugal("decode " + shell_quote(late) + " -o /dev/null").exit_code, 0);
  const std::string out = dir.file("out.wav");
  for (const std::string& command : {"decode - -o " + shell_quote(out), std::string("probe -"), std::string("packets -")}) {
    SCOPED_TRACE(command);
    CommandResult r = run_command("cat " + shell_quote(late) + " | " + std::string(FRUGAL_BINARY) + " " + command);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("frugal: -: unsupported: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("moov"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_FALSE(fs::exists(out));
}

// The same with a writer-built file (no ffmpeg needed).
TEST(Cli, WriterBuiltMoovAfterMdatOnStandardInputIsBadInput) {
  namespace t = frugal::test;
  t::MovieSpec spec;
  spec.layout = t::Layout::mdat_first;
  spec.tracks = {t::pcm_track(t::AudioEntrySpec("sowt").with_rate(8000).with_channels(1), 8000, 1000)};
  const t::Bytes bytes = t::build_mp4(spec);
  TempDir dir;
  const std::string late = dir.write("late-moov.mov", bytes);
  ASSERT_LT(box_order(read_file(late)).find("mdat"), box_order(read_file(late)).find("moov"));
  EXPECT_EQ(run_frugal("packets " + shell_quote(late)).exit_code, 0);
  for (const char* command : {"probe -", "packets -", "decode - -o /dev/null"}) {
    SCOPED_TRACE(command);
    CommandResult r = run_command("cat " + shell_quote(late) + " | " + std::string(FRUGAL_BINARY) + " " + command);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("frugal: -: unsupported: moov after mdat", 0), 0u) << r.err;
  }
}

// Chapters (here a QuickTime chapter track naming them) in probe's text and
// in --json's top-level "chapters" array; the chapter track stays a track.
TEST(Cli, ProbeListsChapters) {
  namespace t = frugal::test;
  t::MovieSpec spec;
  spec.duration = 2000;
  spec.tracks = {t::pcm_track(t::AudioEntrySpec("sowt").with_rate(8000).with_channels(1), 8000, 1000),
                 t::text_track({t::text_sample("Intro"), t::text_sample("Caf\xC3\xA9 \"live\"")}, {{2, 750}})};
  spec.tracks[0].trak_extra = {t::tref_box(frugal::core::FourCC("chap"), {2})};
  spec.tracks[1].duration = 2000;
  TempDir dir;
  const std::string path = dir.write("chapters.mov", t::build_mp4(spec));

  CommandResult r = run_frugal("probe --json " + shell_quote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"chapters\":[{\"start_seconds\":0.000000,\"end_seconds\":0.750000,\"title\":\"Intro\"},"
                       "{\"start_seconds\":0.750000,\"end_seconds\":2.000000,\"title\":\"Caf\xC3\xA9 \\\"live\\\"\"}]}"),
            std::string::npos)
      << r.out;
  const auto tracks = probe_tracks(r.out);
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(field(tracks[1], "type"), "text");

  r = run_frugal("probe " + shell_quote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  chapters:\n    1: 0.000-0.750 s Intro\n    2: 0.750-2.000 s Caf\xC3\xA9 \"live\"\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(run_frugal("packets " + shell_quote(path)).exit_code, 0);
  // From a pipe the chapter track's samples (after the audio) are not
  // read: the audio plays, the chapters are not listed.
  r = run_command("cat " + shell_quote(path) + " | " + std::string(FRUGAL_BINARY) + " decode - -o -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(wav_data(r.out).size(), 8000u * 2);
  r = run_command("cat " + shell_quote(path) + " | " + std::string(FRUGAL_BINARY) + " probe --json -");
  EXPECT_NE(r.out.find("\"chapters\":[]"), std::string::npos) << r.out;

  spec.tracks[0].trak_extra.clear();  // no chapters: an empty array, no text
  const std::string plain = dir.write("plain.mov", t::build_mp4(spec));
  EXPECT_NE(run_frugal("probe --json " + shell_quote(plain)).out.find("\"chapters\":[]}"), std::string::npos);
  EXPECT_EQ(run_frugal("probe " + shell_quote(plain)).out.find("  chapters:"), std::string::npos);
}

// play --chapter N starts at chapter N (1-based) and plays to the end.
TEST(Cli, PlayStartsAtTheChapterAsked) {
  namespace t = frugal::test;
  t::MovieSpec spec;  // 1 s of 8 kHz mono PCM; chapters at 0 and 0.25 s (chpl: 100 ns units)
  spec.tracks = {t::pcm_track(t::AudioEntrySpec("sowt").with_rate(8000).with_channels(1), 8000, 1000)};
  spec.moov_extra = {t::BoxWriter().begin("udta").bytes(t::chpl_box(1, {{0, "One"}, {2'500'000, "Two"}})).end().take()};
  TempDir dir;
  const std::string path = dir.write("chapters.mov", t::build_mp4(spec));
  const std::string whole = frugal_decode(dir, path, "1", "");
  ASSERT_EQ(whole.size(), 8000u * 2);

  const std::string wav = dir.file("two.wav");
  CommandResult r = run_frugal("play --chapter 2 --output wav:" + shell_quote(wav) + " " + shell_quote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(wav_data(read_file(wav)), whole.substr(2000 * 2));

  r = run_frugal("play --chapter 3 --output null " + shell_quote(path));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no such chapter"), std::string::npos) << r.err;
  EXPECT_EQ(run_frugal("play --chapter 0 --output null " + shell_quote(path)).exit_code, 1);
  spec.moov_extra.clear();
  const std::string plain = dir.write("plain.mov", t::build_mp4(spec));
  r = run_frugal("play --chapter 1 --output null " + shell_quote(plain));
  EXPECT_NE(r.err.find("the file has no chapters"), std::string::npos) << r.err;
}

// CMAF / DASH: an init segment (ftyp + moov) and media segments (moof +
// mdat) named one after the other are read as the file they were cut from.
TEST(Cli, InitAndMediaSegmentsReadAsTheWholeFile) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  TempDir dir;
  const std::string frag = fragmented_copy(dir, kSamples + "speech-chirp.opus.m4a", "frag.mp4");
  ASSERT_FALSE(frag.empty());
  const std::vector<std::string> parts = cut_into_segments(dir, frag);
  ASSERT_GE(parts.size(), 5u);  // init and several media segments
  EXPECT_EQ(box_order(read_file(parts[0])), "ftyp moov");
  EXPECT_EQ(box_order(read_file(parts[1])), "moof mdat");
  const std::string segments = joined(parts);

  const std::string a = dir.file("a.wav"), b = dir.file("b.wav");
  CommandResult r = run_frugal("decode" + segments + " -o " + shell_quote(a));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_frugal("decode " + shell_quote(frag) + " -o " + shell_quote(b));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(wav_data(read_file(b)).size(), 48000u * 4 * 6);
  EXPECT_TRUE(read_file(a) == read_file(b)) << "the segments decode differently from the file";

  // Packets: the same, offsets too (offsets in the concatenation are the
  // file's offsets).
  CommandResult from_segments = run_frugal("packets --json" + segments);
  CommandResult from_file = run_frugal("packets --json " + shell_quote(frag));
  ASSERT_EQ(from_segments.exit_code, 0) << from_segments.err;
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_GT(lines(from_file.out).size(), 100u);
  EXPECT_EQ(from_segments.out, from_file.out);
  CommandResult probe = run_frugal("probe --json" + segments);
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_EQ(field(probe.out, "fragmented"), "true");

  // A media segment alone is no file: a clean one-line error, exit 2.
  for (const char* command : {"probe", "packets", "decode -o /dev/null"}) {
    SCOPED_TRACE(command);
    r = run_frugal(std::string(command) + " " + shell_quote(parts[1]));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("frugal: " + parts[1] + ": ", 0), 0u) << r.err;
  }
  // Two inputs (the init segment's segments and another file) are a usage
  // error for the one-input commands.
  EXPECT_EQ(run_frugal("probe" + segments + " " + shell_quote(frag)).exit_code, 1);
  EXPECT_EQ(run_frugal("decode" + segments + " " + shell_quote(frag) + " -o /dev/null").exit_code, 1);
}

// `frugal play A B`: each input with its segments, one after the other.
TEST(Cli, PlayTakesEachInputWithItsSegments) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  TempDir dir;
  const std::string frag = fragmented_copy(dir, kSamples + "speech-chirp.opus.m4a", "frag.mp4");
  ASSERT_FALSE(frag.empty());
  const std::vector<std::string> parts = cut_into_segments(dir, frag);
  CommandResult r =
      run_frugal("play --output null" + joined(parts) + " " + shell_quote(kSamples + "speech-chirp.flac.m4a"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto err = lines(r.err);
  ASSERT_EQ(err.size(), 2u) << r.err;
  EXPECT_EQ(err[0].rfind("frugal: played init.mp4 ", 0), 0u) << err[0];
  EXPECT_EQ(err[1].rfind("frugal: played speech-chirp.flac.m4a ", 0), 0u) << err[1];
  // The played audio is the file's.
  const std::string played = dir.file("played.wav"), decoded = dir.file("decoded.wav");
  r = run_frugal("play --output wav:" + shell_quote(played) + joined(parts));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_frugal("decode " + shell_quote(frag) + " -o " + shell_quote(decoded));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wav_data(read_file(played)) == wav_data(read_file(decoded)));
}

// A faststart file whose moov is far larger than what frugal reads of it at
// open (2 minutes of 20 ms Opus packets: some 24 KB of sample tables, read
// lazily while the audio goes by, 600 KB of it) decodes from a pipe as from
// the file.
TEST(Cli, LongFaststartFileFromStandardInputEqualsTheFile) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  TempDir dir;
  const std::string path = dir.file("long.mp4");
  ASSERT_TRUE(run_ffmpeg("-f lavfi -i sine=frequency=440:duration=120 -ac 2 -c:a libopus -b:a 24k "
                         "-movflags +faststart " + shell_quote(path)));
  const std::string file = read_file(path);
  const auto boxes = top_level_boxes(file);
  ASSERT_GE(boxes.size(), 3u);
  ASSERT_EQ(boxes[1].type, "moov");
  EXPECT_GT(boxes[1].size, 16u * 1024);
  expect_pipe_decode_equals_file_decode(dir, path);
}

// ---- gapless: files of known length -----------------------------------------
//
// Noise of a known number of frames (seconds * rate + 123, not a multiple of
// any codec's frame), encoded by ffmpeg into MP4 with AAC, Opus, FLAC and
// ALAC. ffmpeg writes the encoder delay and the length as an edit list; in
// its default 1/1000 s movie timescale the edit's duration is rounded to the
// millisecond, so only with `-movie_timescale <rate>` is the length exact in
// the file. ffmpeg 5.1 trims the start of an edit but not its end: for
// lengths the file's edit list is the oracle, not ffmpeg's output.

namespace {

// One of ffmpeg's encoders. Opus codes at 48 kHz: its source is 48 kHz.
struct GaplessCodec {
  const char* name;
  const char* args;  // ffmpeg output options
  std::uint32_t rate;
  bool decodes;  // a decoder in this build (AAC: libavcodec or faad2; ALAC: libavcodec)
  bool primed;   // an encoder delay: ffmpeg's millisecond edit can then end short of the media
};

const GaplessCodec kAac{"aac", "-c:a aac", 44100, kHaveAvcodec || kHaveFaad2, true};
const GaplessCodec kOpus{"opus", "-c:a libopus", 48000, true, true};
// "-strict -2": FLAC in MP4 is "experimental" to older ffmpeg releases.
const GaplessCodec kFlac{"flac", "-c:a flac -strict -2", 44100, true, false};
const GaplessCodec kAlac{"alac", "-c:a alac", 44100, kHaveAvcodec, false};
const GaplessCodec kGaplessCodecs[] = {kAac, kOpus, kFlac, kAlac};

// The issue's length: 7 s and 123 frames (44100 * 7 + 123 = 308823; at
// 48 kHz 336123). 7002.789 ms (7002.5625 at 48 kHz): the millisecond edit
// rounds up past the media's end.
constexpr std::uint64_t gapless_frames(std::uint32_t rate) { return std::uint64_t{rate} * 7 + 123; }
// 7 s and 11 frames (7000.249 ms; 7000.229 at 48 kHz): ffmpeg writes a
// 7000 ms edit for a primed track (AAC, Opus), which ends 11 frames short
// of the media. (Without a delay it rounds the track's duration up: 7001 ms
// for FLAC and ALAC, past the media's end like the issue's length.)
constexpr std::uint64_t short_edit_frames(std::uint32_t rate) { return std::uint64_t{rate} * 7 + 11; }
static_assert(gapless_frames(44100) == 308823 && gapless_frames(48000) == 336123);

constexpr std::size_t kFrameBytes = 4;  // s16 stereo

// `frames` frames of s16 stereo white noise at -10 dBFS peak, little-endian;
// the same for the same seed.
std::string noise(std::uint64_t frames, std::uint32_t seed) {
  std::string out(static_cast<std::size_t>(frames) * kFrameBytes, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < out.size(); i += 2) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const auto v = static_cast<std::uint16_t>(static_cast<std::int32_t>(x % 20001) - 10000);
    out[i] = static_cast<char>(v & 0xFF);
    out[i + 1] = static_cast<char>(v >> 8);
  }
  return out;
}

std::string write_string(const TempDir& dir, const std::string& name, const std::string& bytes) {
  return dir.write(name, std::as_bytes(std::span(bytes.data(), bytes.size())));
}

std::string string_of(const frugal::test::Bytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A box of `type` around `body` (32-bit size).
std::string make_box_string(const char* type, const std::string& body) {
  const auto size = static_cast<std::uint32_t>(body.size() + 8);
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
  return out + std::string(type, 4) + body;
}

std::uint64_t load_be(const std::string& s, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
  return v;
}

struct BoxAt {
  std::string type;
  std::size_t offset = 0;
  std::size_t size = 0;
  std::size_t header = 8;
  std::size_t body() const { return offset + header; }
  std::size_t end() const { return offset + size; }
};

// The boxes in [begin, end) of `file`; stops at one that does not fit.
std::vector<BoxAt> boxes_in(const std::string& file, std::size_t begin, std::size_t end) {
  std::vector<BoxAt> out;
  for (std::size_t at = begin; at + 8 <= end;) {
    BoxAt b{file.substr(at + 4, 4), at, static_cast<std::size_t>(load_be(file, at, 4)), 8};
    if (b.size == 1 && at + 16 <= end) {
      b.size = static_cast<std::size_t>(load_be(file, at + 8, 8));
      b.header = 16;
    } else if (b.size == 0) {
      b.size = end - at;
    }
    if (b.size < b.header || b.size > end - at) break;
    out.push_back(b);
    at += b.size;
  }
  return out;
}

// The first box along `path` ("moov", "trak", "edts", "elst"), or nullopt.
std::optional<BoxAt> find_box(const std::string& file, std::initializer_list<const char*> path) {
  std::size_t begin = 0, end = file.size();
  std::optional<BoxAt> found;
  for (const char* type : path) {
    found.reset();
    for (const BoxAt& b : boxes_in(file, begin, end))
      if (b.type == type) {
        found = b;
        break;
      }
    if (!found) return std::nullopt;
    begin = found->body();
    end = found->end();
  }
  return found;
}

// What the file's first track says about timing, read from its boxes: the
// movie and media timescales, mdhd's duration and the edit list.
struct FileTiming {
  std::uint32_t movie_timescale = 0;
  std::uint32_t media_timescale = 0;
  std::uint64_t media_duration = 0;
  struct Edit {
    std::uint64_t duration;  // movie timescale
    std::int64_t media_time;  // media timescale
  };
  std::vector<Edit> edits;
};

// mvhd and mdhd: version, flags, then creation and modification times of 4
// bytes (version 0) or 8 (version 1), the timescale, the duration.
std::pair<std::uint32_t, std::uint64_t> time_header(const std::string& file, const BoxAt& b) {
  const bool v1 = file[b.body()] == 1;
  const std::size_t at = b.body() + (v1 ? 20 : 12);
  return {static_cast<std::uint32_t>(load_be(file, at, 4)), load_be(file, at + 4, v1 ? 8 : 4)};
}

FileTiming timing_of(const std::string& file) {
  FileTiming t;
  if (auto mvhd = find_box(file, {"moov", "mvhd"})) t.movie_timescale = time_header(file, *mvhd).first;
  if (auto mdhd = find_box(file, {"moov", "trak", "mdia", "mdhd"}))
    std::tie(t.media_timescale, t.media_duration) = time_header(file, *mdhd);
  if (auto elst = find_box(file, {"moov", "trak", "edts", "elst"})) {
    const bool v1 = file[elst->body()] == 1;
    const auto count = load_be(file, elst->body() + 4, 4);
    std::size_t at = elst->body() + 8;
    for (std::uint64_t i = 0; i < count && at + (v1 ? 20 : 12) <= elst->end(); ++i, at += v1 ? 20 : 12) {
      const std::uint64_t duration = load_be(file, at, v1 ? 8 : 4);
      const std::uint64_t time = load_be(file, at + (v1 ? 8 : 4), v1 ? 8 : 4);
      t.edits.push_back({duration, v1 ? static_cast<std::int64_t>(time)
                                      : static_cast<std::int64_t>(static_cast<std::int32_t>(time))});
    }
  }
  return t;
}

// round(a * b / c), halves up: frugal's conversion of edit durations.
std::uint64_t rounded(std::uint64_t a, std::uint64_t b, std::uint64_t c) { return (a * b * 2 / c + 1) / 2; }

// The text of an iTunSMPB tag as iTunes writes it.
std::string itunsmpb_text(std::uint32_t delay, std::uint32_t padding, std::uint64_t length) {
  char text[160];
  std::snprintf(text, sizeof text, " 00000000 %08X %08X %016llX 00000000 00000000 00000000 00000000 00000000 "
                "00000000 00000000 00000000", delay, padding, static_cast<unsigned long long>(length));
  return text;
}

// moov/udta/meta (ISO FullBox, 'mdir' handler)/ilst/'----' holding iTunSMPB.
std::string itunsmpb_udta(const std::string& text) {
  namespace t = frugal::test;
  t::BoxWriter w;
  w.begin("udta").full_box("meta").bytes(t::hdlr_box(t::FourCC("mdir"), t::FourCC(), "")).begin("ilst").begin("----");
  w.full_box("mean").bytes(std::as_bytes(std::span("com.apple.iTunes", 16))).end();
  w.full_box("name").bytes(std::as_bytes(std::span("iTunSMPB", 8))).end();
  w.begin("data").u32(1).u32(0).bytes(std::as_bytes(std::span(text.data(), text.size()))).end();
  w.end().end().end().end();
  return string_of(w.take());
}

// An edts holding `edits` (elst version 0, rate 1).
std::string edts_of(const std::vector<FileTiming::Edit>& edits) {
  namespace t = frugal::test;
  t::BoxWriter w;
  w.begin("edts").full_box("elst").u32(static_cast<std::uint32_t>(edits.size()));
  for (const FileTiming::Edit& e : edits)
    w.u32(static_cast<std::uint32_t>(e.duration)).i32(static_cast<std::int32_t>(e.media_time)).u32(0x10000);
  w.end().end();
  return string_of(w.take());
}

// A copy of an ffmpeg-written file with its track's edit list replaced by
// `edits` (none when empty, the file's when nullopt) and, when `smpb_text`
// is given, an iTunSMPB tag holding it appended to moov. ffmpeg without
// +faststart writes moov last, after mdat: no chunk offset moves. "" (and
// a failure) for a file laid out otherwise.
std::string rewritten(const std::string& file, const std::optional<std::vector<FileTiming::Edit>>& edits,
                      const std::optional<std::string>& smpb_text) {
  const auto top = boxes_in(file, 0, file.size());
  if (top.empty() || top.back().type != "moov" || top.back().header != 8 || top.back().end() != file.size()) {
    ADD_FAILURE() << "moov is not the file's last box";
    return "";
  }
  const BoxAt& moov = top.back();
  std::string body;
  for (const BoxAt& b : boxes_in(file, moov.body(), moov.end())) {
    if (b.type != "trak" || !edits) {
      body += file.substr(b.offset, b.size);
      continue;
    }
    std::string trak;
    for (const BoxAt& c : boxes_in(file, b.body(), b.end())) {
      if (c.type != "edts") trak += file.substr(c.offset, c.size);
      if (c.type == "tkhd" && !edits->empty()) trak += edts_of(*edits);  // where ffmpeg puts it
    }
    body += make_box_string("trak", trak);
  }
  if (smpb_text) body += itunsmpb_udta(*smpb_text);
  return file.substr(0, moov.offset) + make_box_string("moov", body);
}

// With an iTunSMPB tag, and without the edit list when `drop_edits`.
std::string with_itunsmpb(const std::string& file, const std::string& text, bool drop_edits) {
  return rewritten(file, drop_edits ? std::optional(std::vector<FileTiming::Edit>{}) : std::nullopt, text);
}

// The first track of `frugal probe --json`.
std::string probe_first_track(const std::string& path) {
  CommandResult r = run_frugal("probe --json " + shell_quote(path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto tracks = probe_tracks(r.out);
  EXPECT_EQ(tracks.size(), 1u) << r.out;
  return tracks.empty() ? std::string() : tracks[0];
}

std::string n(std::uint64_t v) { return std::to_string(v); }

// Test files made once per run of the binary (ffmpeg runs take most of the
// time), in a folder removed after the suite.
class Gapless : public testing::Test {
 protected:
  void SetUp() override {
    FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
    static_cast<void>(ffmpeg);
  }
  static void TearDownTestSuite() {
    made_.clear();
    dir_.reset();
  }

  static const TempDir& dir() {
    if (!dir_) dir_ = std::make_unique<TempDir>();
    return *dir_;
  }

  // The noise source of `frames` at `rate` (seeded by both), raw s16le
  // stereo: its path; `bytes` gets its bytes.
  static std::string source(std::uint32_t rate, std::uint64_t frames, std::string* bytes = nullptr) {
    const std::string name = "noise-" + n(rate) + "-" + n(frames) + ".raw";
    const std::string pcm = noise(frames, rate ^ static_cast<std::uint32_t>(frames));
    if (bytes) *bytes = pcm;
    auto [at, fresh] = made_.emplace(name, "");
    if (fresh) at->second = write_string(dir(), name, pcm);
    return at->second;
  }

  // Raw s16le stereo PCM at `rate` encoded by ffmpeg into MP4; with `exact`
  // the movie timescale is the sample rate, else ffmpeg's 1/1000 s. "" (and
  // a failure) when ffmpeg fails.
  static std::string encode(const GaplessCodec& c, const std::string& raw, const std::string& name, bool exact) {
    auto [at, fresh] = made_.emplace(name + (exact ? "" : "-ms") + ".mp4", "");
    if (!fresh) return at->second;
    const std::string out = dir().file(at->first);
    if (run_ffmpeg("-f s16le -ar " + n(c.rate) + " -ac 2 -i " + shell_quote(raw) + " " + c.args +
                   (exact ? " -movie_timescale " + n(c.rate) : std::string()) + " -f mp4 " + shell_quote(out)))
      at->second = out;
    return at->second;
  }

  // The codec's test file: gapless_frames(rate) of noise.
  static std::string encoded(const GaplessCodec& c, bool exact) {
    return encode(c, source(c.rate, gapless_frames(c.rate)), std::string(c.name) + "-" + n(gapless_frames(c.rate)),
                  exact);
  }

  inline static std::unique_ptr<TempDir> dir_;
  inline static std::map<std::string, std::string> made_;
};

// `frugal decode` of `path` (its first track): the PCM, s16 stereo.
std::string decoded(const TempDir& dir, const std::string& path, const std::string& extra = "") {
  return frugal_decode(dir, path, "1", extra);
}

}  // namespace

// With the movie timescale at the sample rate, the edit list holds the exact
// length, and probe reports it: presentation_samples is the source's length
// for all four codecs; the delay is the edit's media time; delay, length
// and padding add up to mdhd's duration.
TEST_F(Gapless, ProbeReportsTheExactLengthForEveryCodec) {
  for (const GaplessCodec& c : kGaplessCodecs) {
    SCOPED_TRACE(c.name);
    const std::uint64_t frames = gapless_frames(c.rate);
    const std::string path = encoded(c, true);
    ASSERT_FALSE(path.empty());
    const FileTiming t = timing_of(read_file(path));
    ASSERT_EQ(t.movie_timescale, c.rate);
    ASSERT_EQ(t.media_timescale, c.rate);
    ASSERT_EQ(t.edits.size(), 1u);
    EXPECT_EQ(t.edits[0].duration, frames) << "ffmpeg wrote an edit of another length";
    ASSERT_GE(t.edits[0].media_time, 0);
    const auto delay = static_cast<std::uint64_t>(t.edits[0].media_time);
    ASSERT_GE(t.media_duration, delay + frames);

    const std::string track = probe_first_track(path);
    EXPECT_EQ(field(track, "codec"), c.name);
    EXPECT_EQ(field(track, "gapless_source"), "edit_list");
    EXPECT_EQ(field(track, "presentation_samples"), n(frames));
    EXPECT_EQ(field(track, "encoder_delay"), n(delay));
    EXPECT_EQ(field(track, "padding"), n(t.media_duration - delay - frames));
    EXPECT_EQ(field(track, "duration_ticks"), n(t.media_duration));
  }
}

// ffmpeg's default 1/1000 s movie timescale: the edit's duration is
// rounded to the millisecond, and the length is what the file says: the
// edit in frames (round(ms * rate / 1000)), as far as the media goes (mdhd,
// which ffmpeg makes end with the source). With the issue's length every
// edit runs past the media's end (the length is then exact); with 7 s + 11
// frames, AAC's and Opus's end 11 frames short of the source's end.
TEST_F(Gapless, ProbeReportsTheRoundedEditWithAMillisecondTimescale) {
  int past_the_end = 0, short_of_it = 0;
  for (const GaplessCodec& c : kGaplessCodecs) {
    std::vector<std::uint64_t> lengths = {gapless_frames(c.rate)};
    if (c.primed) lengths.push_back(short_edit_frames(c.rate));
    for (const std::uint64_t frames : lengths) {
      SCOPED_TRACE(std::string(c.name) + ", " + n(frames) + " frames");
      const std::string path =
          frames == gapless_frames(c.rate)
              ? encoded(c, false)
              : encode(c, source(c.rate, frames), std::string(c.name) + "-" + n(frames), false);
      ASSERT_FALSE(path.empty());
      const FileTiming t = timing_of(read_file(path));
      ASSERT_EQ(t.movie_timescale, 1000u);
      ASSERT_EQ(t.media_timescale, c.rate);
      ASSERT_EQ(t.edits.size(), 1u);
      ASSERT_GE(t.edits[0].media_time, 0);
      const auto delay = static_cast<std::uint64_t>(t.edits[0].media_time);
      const std::uint64_t edit = rounded(t.edits[0].duration, c.rate, 1000);
      const std::uint64_t media = t.media_duration - delay;  // after the delay
      EXPECT_EQ(media, frames);
      (edit > frames ? past_the_end : short_of_it) += 1;
      if (frames == short_edit_frames(c.rate)) {
        EXPECT_LT(edit, frames) << "the edit was to end short of the media";
      }
      const std::uint64_t want = std::min(edit, media);
      const std::string track = probe_first_track(path);
      EXPECT_EQ(field(track, "gapless_source"), "edit_list");
      EXPECT_EQ(field(track, "presentation_samples"), n(want));
      EXPECT_EQ(field(track, "encoder_delay"), n(delay));
      EXPECT_EQ(field(track, "padding"), n(media - want));
    }
  }
  EXPECT_GT(past_the_end, 0);
  EXPECT_GT(short_of_it, 0);
}

// FLAC: exactly the source's frames, bit for bit.
TEST_F(Gapless, FlacDecodesToExactlyTheSource) {
  std::string pcm;
  source(kFlac.rate, gapless_frames(kFlac.rate), &pcm);
  const std::string path = encoded(kFlac, true);
  ASSERT_FALSE(path.empty());
  TempDir dir;
  const std::string ours = decoded(dir, path);
  EXPECT_EQ(ours.size() / kFrameBytes, gapless_frames(kFlac.rate));
  EXPECT_TRUE(ours == pcm) << "the decoded audio differs from the source";
}

// Opus: exactly the source's number of frames, each as ffmpeg's libopus
// decoder gives it. ffmpeg trims the edit's start but not its end: its
// first frames are the ones to compare.
TEST_F(Gapless, OpusDecodesToTheExactLengthLikeLibopus) {
  const std::string path = encoded(kOpus, true);
  ASSERT_FALSE(path.empty());
  TempDir dir;
  const std::string ours = decoded(dir, path);
  EXPECT_EQ(ours.size() / kFrameBytes, gapless_frames(kOpus.rate));
  const std::string theirs = ffmpeg_decode(path, 0, "16", "-c:a libopus");
  EXPECT_GE(theirs.size(), ours.size());
  EXPECT_TRUE(opus_pcm_matches(ours, theirs));
}

// With millisecond edits, decode presents what probe reports (the rounded
// edit as far as the media goes): FLAC the source's first frames, Opus
// libopus's. Opus's edits: one past the media's end, one short of it.
TEST_F(Gapless, MillisecondEditsDecodeToWhatProbeReports) {
  for (const GaplessCodec& c : {kFlac, kOpus}) {
    std::vector<std::uint64_t> lengths = {gapless_frames(c.rate)};
    if (c.primed) lengths.push_back(short_edit_frames(c.rate));
    for (const std::uint64_t frames : lengths) {
      SCOPED_TRACE(std::string(c.name) + ", " + n(frames) + " frames");
      std::string pcm;
      const std::string raw = source(c.rate, frames, &pcm);
      const std::string path = frames == gapless_frames(c.rate)
                                   ? encoded(c, false)
                                   : encode(c, raw, std::string(c.name) + "-" + n(frames), false);
      ASSERT_FALSE(path.empty());
      const std::string presented = field(probe_first_track(path), "presentation_samples");
      TempDir dir;
      const std::string ours = decoded(dir, path);
      EXPECT_EQ(n(ours.size() / kFrameBytes), presented) << "decode and probe disagree";
      if (std::string(c.name) == "flac") {
        EXPECT_TRUE(pcm.compare(0, ours.size(), ours) == 0) << "not the source's first frames";
      } else {
        EXPECT_TRUE(opus_pcm_matches(ours, ffmpeg_decode(path, 0, "16", "-c:a libopus")));
      }
    }
  }
}

// Without libavcodec there is no ALAC decoder, and no AAC one unless faad2
// is built: decode fails cleanly (exit 2, unsupported).
TEST_F(Gapless, AacAndAlacDecodeIsUnsupportedWithoutLibavcodec) {
  if (kHaveAvcodec) GTEST_SKIP() << "built with libavcodec: AacAndAlacDecodeToTheExactLength checks them";
  for (const GaplessCodec& c : kGaplessCodecs) {
    if (c.decodes) continue;
    SCOPED_TRACE(c.name);
    const std::string path = encoded(c, true);
    ASSERT_FALSE(path.empty());
    TempDir dir;
    const std::string out = dir.file("out.wav");
    CommandResult r = run_frugal("decode " + shell_quote(path) + " -o " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("unsupported"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

// AAC and ALAC decode to exactly the source's number of frames: the edit
// list drops AAC's encoder delay (the player trims; the decoder does not).
// ALAC is the source bit for bit; AAC is ffmpeg's decode of the same file,
// which trims the edit's start but not its end.
TEST_F(Gapless, AacAndAlacDecodeToTheExactLength) {
  if (!kHaveAvcodec) GTEST_SKIP() << kNoAvcodec;
  for (const GaplessCodec& c : {kAac, kAlac}) {
    SCOPED_TRACE(c.name);
    std::string pcm;
    source(c.rate, gapless_frames(c.rate), &pcm);
    const std::string path = encoded(c, true);
    ASSERT_FALSE(path.empty());
    TempDir dir;
    const std::string ours = decoded(dir, path);
    EXPECT_EQ(ours.size() / kFrameBytes, gapless_frames(c.rate));
    if (!c.primed) {
      EXPECT_TRUE(ours == pcm) << "not the source";
      continue;
    }
    const std::string theirs = ffmpeg_decode(path, 0, "16", "");
    EXPECT_GE(theirs.size(), ours.size());
    EXPECT_TRUE(theirs.compare(0, ours.size(), ours) == 0) << "not ffmpeg's decode";
  }
}

// Through faad2 too, AAC decodes to exactly the source's number of frames
// (its dropped first frame, given as silence, is priming the edit trims),
// close to ffmpeg's decode (expect_faad2_close's tolerance).
TEST_F(Gapless, AacThroughFaad2DecodesToTheExactLength) {
  if (!kHaveFaad2) GTEST_SKIP() << "built without faad2 (FRUGAL_WITH_FAAD2)";
  const std::string path = encoded(kAac, true);
  ASSERT_FALSE(path.empty());
  TempDir dir;
  const std::string ours = frugal_decode(dir, path, "1", "--decoder faad2");
  EXPECT_EQ(ours.size() / kFrameBytes, gapless_frames(kAac.rate));
  // The noise source codes as PNS, random in each decoder: the content is
  // compared on a tone.
  const std::uint64_t frames = gapless_frames(kAac.rate);
  std::string tone;
  for (std::uint64_t i = 0; i < frames; ++i)
    for (const double hz : {440.0, 660.0}) {
      const auto v = static_cast<std::int16_t>(12000 * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / kAac.rate));
      tone.push_back(static_cast<char>(v & 0xFF));
      tone.push_back(static_cast<char>((v >> 8) & 0xFF));
    }
  const std::string tone_path = encode(kAac, write_string(dir, "tone.raw", tone), "aac-tone", true);
  ASSERT_FALSE(tone_path.empty());
  const std::string decoded_tone = frugal_decode(dir, tone_path, "1", "--decoder faad2");
  EXPECT_EQ(decoded_tone.size() / kFrameBytes, frames);
  const std::string theirs = ffmpeg_decode(tone_path, 0, "16", "");
  ASSERT_GE(theirs.size(), decoded_tone.size());
  EXPECT_GE(snr_db(decoded_tone, theirs.substr(0, decoded_tone.size())), 60.0);
}

// An AAC file whose only gapless information is iTunSMPB (the edit list
// dropped; delay and padding as the edit said) decodes to the same frames
// as with the edit list: the delay is dropped once.
TEST_F(Gapless, AacWithItunsmpbDecodesAsWithItsEditList) {
  if (!kHaveAvcodec) GTEST_SKIP() << kNoAvcodec;
  const std::string path = encoded(kAac, true);
  ASSERT_FALSE(path.empty());
  const std::string file = read_file(path);
  const FileTiming t = timing_of(file);
  ASSERT_EQ(t.edits.size(), 1u);
  ASSERT_GT(t.edits[0].media_time, 0);
  const std::uint64_t frames = gapless_frames(kAac.rate);
  const auto delay = static_cast<std::uint32_t>(t.edits[0].media_time);
  ASSERT_GE(t.media_duration, delay + frames);
  const auto padding = static_cast<std::uint32_t>(t.media_duration - delay - frames);
  TempDir dir;
  const std::string tagged = with_itunsmpb(file, itunsmpb_text(delay, padding, frames), true);
  ASSERT_FALSE(tagged.empty());
  const std::string tagged_path = write_string(dir, "smpb.mp4", tagged);
  const std::string track = probe_first_track(tagged_path);
  EXPECT_EQ(field(track, "gapless_source"), "itunsmpb");
  EXPECT_EQ(field(track, "encoder_delay"), n(delay));
  const std::string ours = decoded(dir, tagged_path);
  EXPECT_EQ(ours.size() / kFrameBytes, frames);
  EXPECT_TRUE(ours == decoded(dir, path)) << "iTunSMPB and the edit list trim differently";
}

// MP3, AC-3 and E-AC-3 in MP4 as ffmpeg writes them (the media folder has
// no MP3-in-MP4 file): stereo MP3 (esds object type 0x6B), 5.1 AC-3 and
// E-AC-3 (channels from dac3/dec3; a different tone per channel, so the
// order shows). They decode sample for sample as ffmpeg does.
struct EncodedCase {
  const char* codec;
  const char* args;  // ffmpeg output options
  const char* channels;
};

class AvcodecEncoded : public testing::TestWithParam<EncodedCase> {};

TEST_P(AvcodecEncoded, DecodesLikeFfmpeg) {
  if (!kHaveAvcodec) GTEST_SKIP() << kNoAvcodec;
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  const EncodedCase& c = GetParam();
  const bool surround = std::string(c.channels) == "6";
  const std::string tones = surround ? "aevalsrc=sin(300*2*PI*t)|sin(400*2*PI*t)|sin(500*2*PI*t)|sin(60*2*PI*t)|"
                                       "sin(700*2*PI*t)|sin(800*2*PI*t):c=5.1:s=48000:d=1.5"
                                     : "aevalsrc=sin(440*2*PI*t)|sin(660*2*PI*t):c=stereo:s=44100:d=1.5";
  TempDir dir;
  const std::string path = dir.file(std::string(c.codec) + ".mp4");
  ASSERT_TRUE(run_ffmpeg("-f lavfi -i " + shell_quote(tones) + " " + c.args + " -f mp4 " + shell_quote(path)));
  const std::string track = probe_first_track(path);
  EXPECT_EQ(field(track, "codec"), c.codec);
  EXPECT_EQ(field(track, "channels"), c.channels);
  std::string bits;
  // --decoder: MP3 decodes with libmpg123 first when built with it (below).
  const std::string ours = frugal_decode(dir, path, "1", "--no-edit-list --decoder libavcodec", &bits);
  EXPECT_EQ(bits, "16");
  const std::string theirs = ffmpeg_decode(path, 0, "16", "-ignore_editlist 1");
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_TRUE(ours == theirs) << "decoded audio differs";
}

INSTANTIATE_TEST_SUITE_P(Codecs, AvcodecEncoded,
                         testing::Values(EncodedCase{"mp3", "-c:a libmp3lame", "2"},
                                         EncodedCase{"ac3", "-c:a ac3", "6"},
                                         EncodedCase{"eac3", "-c:a eac3", "6"}),
                         [](const testing::TestParamInfo<EncodedCase>& param) { return std::string(param.param.codec); });

// MP3 in MP4 through libmpg123, as ffmpeg writes it from LAME: MPEG-1 at
// 44.1 kHz (CBR stereo; VBR at the lowest quality, where the bit reservoir
// reaches furthest back) and MPEG-2 at 22.05 kHz mono (576 samples a
// frame). Both decoders work in floating point and round to s16, so samples
// may differ by one step. Every packet decodes to ffmpeg's length; the edit
// list (LAME's delay) leaves exactly the source's 1.5 s, which are ffmpeg's
// untrimmed samples from the delay on (ffmpeg's own trim keeps more). The
// mono stream's sample entry says 2 channels: the decoders follow the frames.
struct Mp3Case {
  const char* name;
  const char* source;  // lavfi, 1.5 s
  std::uint32_t rate;
  std::size_t channels;
  const char* args;  // ffmpeg output options
};

class Mpg123Encoded : public testing::TestWithParam<Mp3Case> {};

TEST_P(Mpg123Encoded, DecodesLikeFfmpegToOneStep) {
  if (!kHaveMpg123) GTEST_SKIP() << "built without libmpg123 (FRUGAL_WITH_MPG123)";
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  const Mp3Case& c = GetParam();
  TempDir dir;
  const std::string path = dir.file(std::string(c.name) + ".mp4");
  ASSERT_TRUE(run_ffmpeg("-f lavfi -i " + shell_quote(c.source) + " -c:a libmp3lame " + c.args + " -f mp4 " +
                         shell_quote(path)));
  const std::string track = probe_first_track(path);
  EXPECT_NE(track.find(R"("decoders":["libmpg123")"), std::string::npos) << track;
  const std::string whole = frugal_decode(dir, path, "1", "--no-edit-list");
  const std::string theirs = ffmpeg_decode(path, 0, "16", "-ignore_editlist 1");
  ASSERT_FALSE(whole.empty());
  EXPECT_EQ(whole.size(), theirs.size());
  EXPECT_LE(max_difference(whole, theirs), 1);
  // libavcodec's decoder, ffmpeg's own, takes the channel count from the
  // frames too, and matches exactly.
  if (kHaveAvcodec) {
    EXPECT_TRUE(frugal_decode(dir, path, "1", "--no-edit-list --decoder libavcodec") == theirs);
  }

  const std::size_t frame_bytes = 2 * c.channels;  // the entry's count is a template field (2), mono too
  const std::size_t delay = std::stoul(field(track, "encoder_delay"));
  const std::string trimmed = frugal_decode(dir, path, "1", "");
  EXPECT_EQ(trimmed.size(), c.rate * 3 / 2 * frame_bytes);
  ASSERT_GE(theirs.size(), delay * frame_bytes + trimmed.size());
  EXPECT_LE(max_difference(trimmed, theirs.substr(delay * frame_bytes)), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Mp3, Mpg123Encoded,
    testing::Values(
        Mp3Case{"cbr", "aevalsrc=sin(440*2*PI*t)|sin(660*2*PI*t):c=stereo:s=44100:d=1.5", 44100, 2, "-b:a 128k"},
        Mp3Case{"vbr", "aevalsrc=sin(440*2*PI*t)*0.3+random(0)*0.2|sin(660*2*PI*t):c=stereo:s=44100:d=1.5", 44100,
                2, "-q:a 9"},
        Mp3Case{"mpeg2_mono", "aevalsrc=sin(300*2*PI*t):c=mono:s=22050:d=1.5", 22050, 1, "-b:a 32k"}),
    [](const testing::TestParamInfo<Mp3Case>& param) { return std::string(param.param.name); });

// iTunSMPB (ffmpeg writes none: added to the FLAC file by hand). Without an
// edit list, and beside one that presents the media untouched (ffmpeg's
// FLAC edit: one edit from media time 0), iTunSMPB gives the length.
TEST_F(Gapless, ItunsmpbGivesTheExactLength) {
  std::string pcm;
  source(kFlac.rate, gapless_frames(kFlac.rate), &pcm);
  const std::string path = encoded(kFlac, true);
  ASSERT_FALSE(path.empty());
  const std::string file = read_file(path);
  const FileTiming t = timing_of(file);
  ASSERT_EQ(t.edits.size(), 1u);
  ASSERT_EQ(t.edits[0].media_time, 0);  // untouched: iTunSMPB decides
  const std::uint64_t frames = gapless_frames(kFlac.rate);
  TempDir dir;
  for (const bool drop_edits : {true, false}) {
    SCOPED_TRACE(drop_edits ? "without the edit list" : "with the edit list");
    const std::string tagged = with_itunsmpb(file, itunsmpb_text(0, 0, frames), drop_edits);
    ASSERT_FALSE(tagged.empty());
    const std::string tagged_path = write_string(dir, "smpb.mp4", tagged);
    EXPECT_EQ(timing_of(tagged).edits.size(), drop_edits ? 0u : 1u);
    const std::string track = probe_first_track(tagged_path);
    EXPECT_EQ(field(track, "gapless_source"), "itunsmpb");
    EXPECT_EQ(field(track, "presentation_samples"), n(frames));
    EXPECT_EQ(field(track, "encoder_delay"), "0");
    EXPECT_EQ(field(track, "padding"), "0");
    const std::string ours = decoded(dir, tagged_path);
    EXPECT_EQ(ours.size() / kFrameBytes, frames);
    EXPECT_TRUE(ours == pcm) << "the decoded audio differs from the source";
  }
}

// A delay and padding in iTunSMPB drop those frames of the media: on the
// lossless FLAC, the output is exactly the source less its first `delay`
// and last `padding` frames, with the length given and with it 0 (then the
// media's length less delay and padding).
TEST_F(Gapless, ItunsmpbDelayAndPaddingDropExactlyThoseFrames) {
  std::string pcm;
  source(kFlac.rate, gapless_frames(kFlac.rate), &pcm);
  const std::string path = encoded(kFlac, true);
  ASSERT_FALSE(path.empty());
  const std::string file = read_file(path);
  const std::uint64_t frames = gapless_frames(kFlac.rate);
  constexpr std::uint32_t kDelay = 2112, kPadding = 1001;  // 2112: iTunes' AAC delay
  const std::uint64_t kept = frames - kDelay - kPadding;
  const std::string want = pcm.substr(kDelay * kFrameBytes, static_cast<std::size_t>(kept) * kFrameBytes);
  TempDir dir;
  for (const bool drop_edits : {true, false}) {
    for (const std::uint64_t length : {kept, std::uint64_t{0}}) {
      SCOPED_TRACE(std::string(drop_edits ? "without" : "with") + " the edit list, length " + n(length));
      const std::string tagged = with_itunsmpb(file, itunsmpb_text(kDelay, kPadding, length), drop_edits);
      ASSERT_FALSE(tagged.empty());
      const std::string tagged_path = write_string(dir, "smpb.mp4", tagged);
      const std::string track = probe_first_track(tagged_path);
      EXPECT_EQ(field(track, "gapless_source"), "itunsmpb");
      EXPECT_EQ(field(track, "presentation_samples"), n(kept));
      EXPECT_EQ(field(track, "encoder_delay"), n(kDelay));
      EXPECT_EQ(field(track, "padding"), n(kPadding));
      const std::string ours = decoded(dir, tagged_path);
      EXPECT_EQ(ours.size() / kFrameBytes, kept);
      EXPECT_TRUE(ours == want) << "not the source less delay and padding";
      // --no-edit-list ignores iTunSMPB too: the whole media.
      EXPECT_TRUE(decoded(dir, tagged_path, "--no-edit-list") == pcm);
      // A slice: 1 s in is source frame delay + 44100.
      EXPECT_TRUE(decoded(dir, tagged_path, "--start 1 --duration 0.5") ==
                  want.substr(44100 * kFrameBytes, 22050 * kFrameBytes))
          << "the slice from 1 s differs";
    }
  }
}

// AAC: iTunSMPB stands in for the edit list ffmpeg wrote (delay 1024, the
// exact length); beside that edit list (which starts past media time 0),
// the edit list wins.
TEST_F(Gapless, ItunsmpbOnAac) {
  const std::string path = encoded(kAac, true);
  ASSERT_FALSE(path.empty());
  const std::string file = read_file(path);
  const FileTiming t = timing_of(file);
  ASSERT_EQ(t.edits.size(), 1u);
  ASSERT_GT(t.edits[0].media_time, 0);
  const auto delay = static_cast<std::uint32_t>(t.edits[0].media_time);
  const std::uint64_t frames = gapless_frames(kAac.rate);
  const auto padding = static_cast<std::uint32_t>(t.media_duration - delay - frames);
  TempDir dir;
  {
    const std::string tagged =
        write_string(dir, "a.mp4", with_itunsmpb(file, itunsmpb_text(delay, padding, frames), true));
    const std::string track = probe_first_track(tagged);
    EXPECT_EQ(field(track, "gapless_source"), "itunsmpb");
    EXPECT_EQ(field(track, "presentation_samples"), n(frames));
    EXPECT_EQ(field(track, "encoder_delay"), n(delay));
    EXPECT_EQ(field(track, "padding"), n(padding));
  }
  {
    const std::string tagged = write_string(dir, "b.mp4", with_itunsmpb(file, itunsmpb_text(2112, 0, 1000), false));
    const std::string track = probe_first_track(tagged);
    EXPECT_EQ(field(track, "gapless_source"), "edit_list");
    EXPECT_EQ(field(track, "presentation_samples"), n(frames));
    EXPECT_EQ(field(track, "encoder_delay"), n(delay));
  }
}

// The issue's last check: two lossless tracks cut from one source (at an
// odd frame) and played back to back reproduce the source exactly: no
// silence between them, no frame lost. Decoding each and joining the two
// gives the same. Also with the second file's length from iTunSMPB instead
// of its edit list.
TEST_F(Gapless, TwoLosslessTracksCutFromOneSourcePlayAsTheSource) {
  constexpr std::uint64_t kCut = 100003;
  std::string pcm;
  source(kFlac.rate, gapless_frames(kFlac.rate), &pcm);
  const std::uint64_t frames = gapless_frames(kFlac.rate);
  const std::string first_pcm = pcm.substr(0, kCut * kFrameBytes), second_pcm = pcm.substr(kCut * kFrameBytes);
  TempDir dir;
  const std::string a = encode(kFlac, write_string(dir, "a.raw", first_pcm), "cut-a", true);
  const std::string b = encode(kFlac, write_string(dir, "b.raw", second_pcm), "cut-b", true);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(field(probe_first_track(a), "presentation_samples"), n(kCut));
  EXPECT_EQ(field(probe_first_track(b), "presentation_samples"), n(frames - kCut));

  const std::string played = dir.file("played.wav");
  CommandResult r =
      run_frugal("play --output wav:" + shell_quote(played) + " " + shell_quote(a) + " " + shell_quote(b));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = wav_data(read_file(played));
  EXPECT_EQ(out.size() / kFrameBytes, frames);
  EXPECT_TRUE(out == pcm) << "the played audio differs from the source";

  EXPECT_TRUE(decoded(dir, a) + decoded(dir, b) == pcm) << "the decoded halves differ from the source";

  // The second half tagged with iTunSMPB instead of an edit list.
  const std::string b_smpb = write_string(
      dir, "b-smpb.mp4", with_itunsmpb(read_file(b), itunsmpb_text(0, 0, frames - kCut), true));
  EXPECT_EQ(field(probe_first_track(b_smpb), "gapless_source"), "itunsmpb");
  r = run_frugal("play --output wav:" + shell_quote(played) + " " + shell_quote(a) + " " + shell_quote(b_smpb));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wav_data(read_file(played)) == pcm) << "with iTunSMPB: the played audio differs from the source";
}

// An edit list of several segments on the lossless FLAC (its edits
// replaced by hand): 0.1 s of silence, 0.5 s of the media from frame 500,
// then 0.2 s from the start again. Decode gives exactly those frames; a
// slice (--start, --duration) is the same frames of it, across a segment
// boundary too; played twice, the file gives them twice.
TEST_F(Gapless, EditListSegmentsPlayInOrderAndSeekAcrossThem) {
  std::string pcm;
  source(kFlac.rate, gapless_frames(kFlac.rate), &pcm);
  const std::string path = encoded(kFlac, true);
  ASSERT_FALSE(path.empty());
  const std::vector<FileTiming::Edit> edits = {{4410, -1}, {22050, 500}, {8820, 0}};  // movie timescale 44100
  TempDir dir;
  const std::string edited = write_string(dir, "edited.mp4", rewritten(read_file(path), edits, std::nullopt));
  ASSERT_EQ(timing_of(read_file(edited)).edits.size(), 3u);
  const std::string want = std::string(4410 * kFrameBytes, '\0') + pcm.substr(500 * kFrameBytes, 22050 * kFrameBytes) +
                           pcm.substr(0, 8820 * kFrameBytes);

  const std::string track = probe_first_track(edited);
  EXPECT_EQ(field(track, "gapless_source"), "edit_list");
  EXPECT_EQ(field(track, "presentation_samples"), "35280");
  EXPECT_EQ(field(track, "encoder_delay"), "500");

  const std::string all = decoded(dir, edited);
  EXPECT_EQ(all.size() / kFrameBytes, 35280u);
  EXPECT_TRUE(all == want) << "not the edits' frames in order";
  // 0.05 s + 0.1 s: silence into the first media edit; 0.55 s + 0.1 s: the
  // first media edit into the second.
  for (const auto& [start, at] : {std::pair{"0.05", 2205u}, std::pair{"0.55", 24255u}}) {
    SCOPED_TRACE(std::string("--start ") + start);
    const std::string slice = decoded(dir, edited, std::string("--start ") + start + " --duration 0.1");
    EXPECT_EQ(slice.size() / kFrameBytes, 4410u);
    EXPECT_TRUE(slice == want.substr(at * kFrameBytes, 4410 * kFrameBytes)) << "not those frames";
  }
  const std::string played = dir.file("played.wav");
  CommandResult r = run_frugal("play --output wav:" + shell_quote(played) + " " + shell_quote(edited) + " " +
                               shell_quote(edited));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wav_data(read_file(played)) == want + want) << "played twice: not the edits' frames twice";

  // A media edit longer than the media, then 1000 frames of silence: the
  // media as far as it goes, then the silence; a slice from 7 s runs from
  // the media's last 123 frames into the silence.
  const std::uint64_t frames = gapless_frames(kFlac.rate);
  const std::string tail = write_string(
      dir, "tail.mp4", rewritten(read_file(path), std::vector<FileTiming::Edit>{{frames + 500, 0}, {1000, -1}},
                                 std::nullopt));
  EXPECT_EQ(field(probe_first_track(tail), "presentation_samples"), n(frames + 1000));
  const std::string with_silence = pcm + std::string(1000 * kFrameBytes, '\0');
  EXPECT_TRUE(decoded(dir, tail) == with_silence) << "not the media then the silence";
  EXPECT_TRUE(decoded(dir, tail, "--start 7 --duration 0.01") ==
              with_silence.substr(308700 * kFrameBytes, 441 * kFrameBytes))
      << "the slice from 7 s differs";
}

// Lossy files back to back: the player adds and drops nothing where they
// join. Two Opus files (48 kHz; lengths of no whole 20 ms frame) played one
// after the other give exactly the two decodes joined.
TEST_F(Gapless, PlayJoinsOpusFilesWithoutGapOrOverlap) {
  constexpr std::uint64_t kFirst = 48000 * 2 + 7, kSecond = 48000 + 555;
  const std::string a = encode(kOpus, source(kOpus.rate, kFirst), "join-a", true);
  const std::string b = encode(kOpus, source(kOpus.rate, kSecond), "join-b", true);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  TempDir dir;
  const std::string joined_pcm = decoded(dir, a) + decoded(dir, b);
  EXPECT_EQ(joined_pcm.size() / kFrameBytes, kFirst + kSecond);
  const std::string played = dir.file("played.wav");
  CommandResult r =
      run_frugal("play --output wav:" + shell_quote(played) + " " + shell_quote(a) + " " + shell_quote(b));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = wav_data(read_file(played));
  EXPECT_EQ(out.size() / kFrameBytes, kFirst + kSecond);
  EXPECT_TRUE(out == joined_pcm) << "the played audio is not the two decodes joined";
}

// ---- the real files in the media folder -------------------------------------

TEST(MediaFolder, IsPresent) {
  FRUGAL_REQUIRE_MEDIA(media);
  EXPECT_FALSE(media_files("mp4").empty());
}

class Mp4MediaFile : public ::testing::TestWithParam<fs::path> {};

std::string test_name(const ::testing::TestParamInfo<fs::path>& info) { return name_from(info.param.filename()); }

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Mp4MediaFile);
INSTANTIATE_TEST_SUITE_P(Media, Mp4MediaFile, ::testing::ValuesIn(media_files("mp4")), test_name);

// Every file of the media folder, whatever its format (MP4, FLAC, Ogg, EXR,
// ROM images...).
class AnyMediaFile : public ::testing::TestWithParam<fs::path> {};

std::string test_name_with_folder(const ::testing::TestParamInfo<fs::path>& info) {
  return name_from(info.param.parent_path().filename() / info.param.filename());
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AnyMediaFile);
INSTANTIATE_TEST_SUITE_P(Media, AnyMediaFile, ::testing::ValuesIn(all_media_files()), test_name_with_folder);

// Whatever the file, each command (a full decode among them) succeeds or
// fails with exit code 2 and one clear line: never a crash, a leak
// (LeakSanitizer's exit code, in the sanitizer builds) or a hang (`timeout`
// turns a hang into 124).
TEST_P(AnyMediaFile, OpensOrFailsCleanly) {
  TempDir dir;
  const std::string path = shell_quote(GetParam().string());
  for (const std::string& command :
       {"probe --json " + path, "packets --json " + path, "decode " + path + " -o " + dir.file("o.wav")}) {
    CommandResult r = run_command("timeout 120 " + std::string(FRUGAL_BINARY) + " " + command + " >/dev/null");
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << command << " exited " << r.exit_code << ": " << r.err;
    if (r.exit_code == 2) {
      ASSERT_FALSE(r.err.empty()) << command;
      EXPECT_EQ(r.err.rfind("frugal: ", 0), 0u) << r.err;
    }
  }
}

// `frugal packets` equals `ffprobe -ignore_editlist 1 -show_packets` (pos,
// size, dts, duration, key flag) and `frugal probe` agrees on codec, sample
// rate, channels and packet count, for every Opus, FLAC and PCM track.
TEST_P(Mp4MediaFile, PacketsAndProbeMatchFfprobe) {
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  const fs::path& file = GetParam();
  auto tracks = playable_tracks(file, false);
  // Not yet the libavcodec codecs: ffprobe's durations for their packets
  // differ from the file's stts (AAC's last packet, AC-3's) and some of
  // their files list packets ffprobe does not; to look at separately.
  std::erase_if(tracks, [](const PlayableTrack& t) { return !always_decodes(t.codec); });
  if (tracks.empty()) GTEST_SKIP() << "no Opus/FLAC/PCM track in a non-fragmented file";
  auto streams = ffprobe_streams(file);
  for (const PlayableTrack& t : tracks) {
    SCOPED_TRACE("track " + t.id + " (" + t.codec + ", " + t.format + ")");
    ASSERT_TRUE(streams.count(t.id)) << "ffprobe lists no stream with id " << t.id;
    const FfStream& s = streams[t.id];
    // ffprobe 5.1 reads ipcm as 16-bit whatever pcmC says, and cannot name
    // fpcm: for those, compare timing only.
    const bool ffprobe_knows_layout = t.format != "ipcm" && t.format != "fpcm";
    if (ffprobe_knows_layout) {
      EXPECT_EQ(t.codec, s.codec);
    }
    EXPECT_EQ(field(t.json, "sample_rate"), s.sample_rate);
    EXPECT_EQ(field(t.json, "channels"), s.channels);

    auto ours = lines(run_frugal("packets --json --track " + t.id + " " + shell_quote(file.string())).out);
    const auto theirs = ffprobe_packets(file, s.index);
    EXPECT_EQ(std::to_string(ours.size()), field(t.json, "packet_count"));
    expect_packets_match(ours, theirs, ffprobe_knows_layout, true);
  }
}

// `frugal probe` names each AAC track's profile as ffprobe does (from the
// AudioSpecificConfig's object type), where ffprobe names one.
TEST_P(Mp4MediaFile, AacProfileMatchesFfprobe) {
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  const fs::path& file = GetParam();
  const CommandResult probe = run_frugal("probe --json " + shell_quote(file.string()));
  int compared = 0;
  for (const std::string& t : probe_tracks(probe.out)) {
    if (field(t, "codec") != "aac") continue;
    const std::string id = field(t, "id");
    const auto theirs = frugal::test::run_capture(
        "ffprobe -v error -show_entries stream=id,profile -of csv=p=0 " + shell_quote(file.string()));
    if (!theirs) GTEST_SKIP() << "ffprobe cannot open the file";
    for (const std::string& line : lines(*theirs)) {  // "profile,id" (ffprobe's order)
      const auto comma = line.rfind(',');
      if (comma == std::string::npos || comma + 1 == line.size() ||
          std::to_string(std::stoul(line.substr(comma + 1), nullptr, 0)) != id)
        continue;
      const std::string profile = line.substr(0, comma);
      if (profile == "unknown") continue;  // ffprobe found no AudioSpecificConfig either
      SCOPED_TRACE("track " + id);
      EXPECT_EQ(field(t, "profile"), profile);
      ++compared;
    }
  }
  if (compared == 0) GTEST_SKIP() << "no AAC track with a profile ffprobe names";
}

// In fragmented files, `frugal packets` equals ffprobe's packet list (dts,
// size, pos, key flag) and `frugal probe`'s packet count, for every audio
// track without an error, whatever its codec.
TEST_P(Mp4MediaFile, FragmentedPacketsMatchFfprobe) {
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  const fs::path& file = GetParam();
  const CommandResult probe = run_frugal("probe --json " + shell_quote(file.string()));
  if (probe.exit_code != 0 || field(probe.out, "fragmented") != "true") GTEST_SKIP() << "not fragmented";
  auto streams = ffprobe_streams(file);
  int compared = 0;
  for (const std::string& t : probe_tracks(probe.out)) {
    if (field(t, "type") != "audio" || field(t, "error") != "null") continue;
    ++compared;
    const std::string id = field(t, "id");
    SCOPED_TRACE("track " + id + " (" + field(t, "codec") + ", " + field(t, "format") + ")");
    ASSERT_TRUE(streams.count(id)) << "ffprobe lists no stream with id " << id;
    const auto ours = lines(run_frugal("packets --json --track " + id + " " + shell_quote(file.string())).out);
    const auto theirs = ffprobe_packets(file, streams[id].index);
    EXPECT_EQ(std::to_string(ours.size()), field(t, "packet_count"));
    // ffprobe 5.1 prints no trun durations for fragmented files (N/A, or a
    // codec parser's own figure: 256 for E-AC-3).
    expect_packets_match(ours, theirs, true, false);
  }
  if (compared == 0) GTEST_SKIP() << "no audio track without an error";
}

// FLAC, PCM and ALAC decode bit-identically to ffmpeg at the same depth;
// AAC, AC-3 and E-AC-3 (libavcodec's decoders, as ffmpeg's) sample for
// sample at s16, and MP3 too unless libmpg123 decodes it (to within one
// step: see Mpg123Encoded); AAC through faad2 to within a tolerance
// (expect_faad2_close); Opus matches ffmpeg's libopus decoder with the same
// trimming (pre-skip only). With edit lists, frugal's output is ffmpeg's
// cut at the edit's end: ffmpeg 5.1 trims the start of an audio edit but
// not its end. Tracks ffmpeg decodes to nothing (encrypted, cut off) are
// passed over.
TEST_P(Mp4MediaFile, DecodeMatchesFfmpeg) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  const fs::path& file = GetParam();
  const auto tracks = playable_tracks(file);
  if (tracks.empty())
    GTEST_SKIP() << "no track this build decodes" << (kHaveAvcodec ? "" : std::string(" (") + kNoAvcodec + ")");
  auto streams = ffprobe_streams(file);
  TempDir dir;
  std::string passed_over;
  int compared = 0;
  for (const PlayableTrack& t : tracks) {
    SCOPED_TRACE("track " + t.id + " (" + t.codec + ")");
    if (!streams.count(t.id) || streams[t.id].codec != t.codec) continue;  // ffmpeg cannot decode it as such
    const int index = streams[t.id].index;
    const std::string ffmpeg_opts = t.codec == "opus" ? "-ignore_editlist 1 -c:a libopus" : "-ignore_editlist 1";
    if (ffmpeg_decode(file, index, "16", ffmpeg_opts).empty()) {
      passed_over += " track " + t.id + " (" + t.codec + "): ffmpeg decodes nothing (encrypted or cut off);";
      continue;
    }
    ++compared;
    std::string bits, err;
    const std::string ours = frugal_decode(dir, file, t.id, "--no-edit-list", &bits, &err);
    const std::string theirs = ffmpeg_decode(file, index, bits, ffmpeg_opts);
    ASSERT_FALSE(ours.empty());
    const bool by_faad2 = t.codec == "aac" && !kHaveAvcodec;
    if (!by_faad2) {  // faad2 may lead: expect_faad2_close
      EXPECT_EQ(ours.size(), theirs.size());
    }
    // Corrupt packets (mp4parse's two-description test file holds garbage
    // payloads) are concealed differently: frugal skips them, ffmpeg's
    // decoders fill in; only the lengths compare.
    if (err.find("corrupt packets") != std::string::npos) continue;
    if (t.codec == "mp3" && kHaveMpg123) {  // libmpg123, not ffmpeg's decoder: see Mpg123Encoded
      EXPECT_LE(max_difference(ours, theirs), 1);
      continue;
    }
    if (t.codec == "aac" && kHaveFaad2) {
      SCOPED_TRACE("faad2");
      const std::size_t channels = std::stoul(field(t.json, "channels"));
      expect_faad2_close(by_faad2 ? ours : frugal_decode(dir, file, t.id, "--no-edit-list --decoder faad2"), theirs,
                         channels);
      if (by_faad2) continue;
    }
    if (t.codec != "opus") {
      EXPECT_TRUE(ours == theirs) << "decoded audio differs";
      continue;
    }
    EXPECT_TRUE(opus_pcm_matches(ours, theirs));
    const std::string trimmed = frugal_decode(dir, file, t.id, "");
    EXPECT_TRUE(opus_pcm_matches(trimmed, ffmpeg_decode(file, index, bits, "-c:a libopus"))) << "with the edit list";
  }
  if (!passed_over.empty()) RecordProperty("passed_over", passed_over);
  if (compared == 0 && !passed_over.empty()) GTEST_SKIP() << "passed over:" << passed_over;
}

// ---- Ogg ----------------------------------------------------------------------

// The media folder's Ogg files (by content: "OggS").
std::vector<fs::path> ogg_media_files() {
  std::vector<fs::path> out;
  for (const fs::path& f : media_files("other"))
    if (read_file(f).rfind("OggS", 0) == 0) out.push_back(f);
  return out;
}

class OggMediaFile : public ::testing::TestWithParam<fs::path> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OggMediaFile);
INSTANTIATE_TEST_SUITE_P(Media, OggMediaFile, ::testing::ValuesIn(ogg_media_files()), test_name);

// Ogg FLAC decodes as ffmpeg does, bit for bit. Ogg Opus decodes as
// opusdec (the reference player: pre-skip, late starts and end trimming
// per RFC 7845 §4) does, bit for bit, and as ffmpeg's libopus does.
// opusdec refuses some files ffmpeg plays (headers repeated without an
// EOS): ffmpeg alone speaks for those.
TEST_P(OggMediaFile, DecodeMatchesFfmpegAndOpusdec) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  const fs::path& file = GetParam();
  const auto tracks = playable_tracks(file);
  if (tracks.empty()) GTEST_SKIP() << "no stream frugal plays";
  TempDir dir;
  std::string bits;
  const std::string ours = frugal_decode(dir, file, tracks.front().id, "", &bits);
  ASSERT_FALSE(ours.empty());
  if (tracks.front().codec == "flac") {
    EXPECT_TRUE(ours == ffmpeg_decode(file, 0, bits, "")) << "decoded audio differs";
    return;
  }
  EXPECT_EQ(bits, "16");
  const std::string theirs = ffmpeg_decode(file, 0, bits, "-c:a libopus");
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_TRUE(opus_pcm_matches(ours, theirs));
  if (!frugal::test::find_program("opusdec")) return;
  const std::string wav = dir.file("opusdec.wav");
  const CommandResult r = run_command("opusdec --quiet --no-dither --rate 48000 " + shell_quote(file.string()) + " " +
                                      shell_quote(wav));
  if (r.exit_code != 0) return;  // opusdec cannot open it
  const std::string reference = wav_data(read_file(wav));
  EXPECT_EQ(ours.size(), reference.size());
  EXPECT_TRUE(opus_pcm_matches(ours, reference)) << "differs from opusdec";
}

// `frugal packets` lists ffprobe's packets: sizes, durations, and dts
// (ffprobe's count from the Opus pre-skip: frugal's minus the encoder
// delay). ffprobe cuts the last Opus packet's duration to the final granule
// position; frugal says what it decodes to and trims through the edit list.
TEST_P(OggMediaFile, PacketsMatchFfprobe) {
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  const fs::path& file = GetParam();
  const auto tracks = playable_tracks(file);
  if (tracks.empty()) GTEST_SKIP() << "no stream frugal plays";
  const PlayableTrack& t = tracks.front();
  const auto ours = lines(run_frugal("packets --json --track " + t.id + " " + shell_quote(file.string())).out);
  const auto theirs = ffprobe_packets(file, 0);
  EXPECT_EQ(std::to_string(ours.size()), field(t.json, "packet_count"));
  ASSERT_EQ(ours.size(), theirs.size());
  const long long delay = std::stoll(field(t.json, "encoder_delay"));
  for (std::size_t i = 0; i < ours.size(); ++i) {
    SCOPED_TRACE("packet " + std::to_string(i));
    EXPECT_EQ(std::stoll(field(ours[i], "dts")) - delay, std::stoll(theirs[i][0]));
    if (i + 1 < ours.size()) {
      EXPECT_EQ(field(ours[i], "duration"), theirs[i][1]);
    }
    EXPECT_EQ(field(ours[i], "size"), theirs[i][2]);
  }
}

// The Ogg files frugal does not play (Vorbis, a broken file)
// say why in one line with exit code 2.
TEST_P(OggMediaFile, OtherCodecsFailClearly) {
  const fs::path& file = GetParam();
  if (!playable_tracks(file).empty()) GTEST_SKIP() << "plays";
  const CommandResult r = run_frugal("decode " + shell_quote(file.string()) + " -o /dev/null");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(r.err.find("unsupported") != std::string::npos || r.err.find("malformed") != std::string::npos) << r.err;
}

// A chained file as `cat a.opus b.opus` makes one (RFC 7845 §3), of two
// ffmpeg-encoded files with the same OpusHead: frugal decodes every link
// as opusdec does, bit for bit (the decoder restarts at the second link).
TEST(OggChain, CatOfTwoFilesDecodesAsOpusdec) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  FRUGAL_REQUIRE_PROGRAM(opusdec, "opusdec");
  TempDir dir;
  std::string chain;
  for (const char* tone : {"sine=frequency=440:duration=1.3", "sine=frequency=660:duration=0.9"}) {
    const std::string link = dir.file("link.opus");
    const CommandResult r = run_command("ffmpeg -loglevel error -y -f lavfi -i " + shell_quote(tone) +
                                        " -ac 2 -c:a libopus " + shell_quote(link));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    chain += read_file(link);
  }
  const std::string file = dir.write("chain.opus", std::as_bytes(std::span(chain)));
  const std::string wav = dir.file("opusdec.wav");
  const CommandResult r =
      run_command("opusdec --quiet --no-dither --rate 48000 " + shell_quote(file) + " " + shell_quote(wav));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string reference = wav_data(read_file(wav));
  const std::string ours = frugal_decode(dir, file, "1", "");
  EXPECT_EQ(ours.size(), reference.size());
  EXPECT_TRUE(opus_pcm_matches(ours, reference)) << "differs from opusdec";
}
