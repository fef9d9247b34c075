// The frugal command end to end: exit codes, JSON output, and agreement with
// FFmpeg (ffprobe packet lists, ffmpeg decodes) on the bundled samples and on
// the real files in the media folder.
#include "support/media.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using frugal::test::CommandResult;
using frugal::test::all_media_files;
using frugal::test::media_files;
using frugal::test::read_file;
using frugal::test::run_command;
using frugal::test::shell_quote;
using frugal::test::TempDir;

namespace {

const std::string kSamples = std::string(FRUGAL_SOURCE_DIR) + "/samples/";

CommandResult run_frugal(const std::string& args) { return run_command(std::string(FRUGAL_BINARY) + " " + args); }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// The raw value of "key" in a flat JSON object line (numbers, booleans,
// strings without escapes), or "" when absent.
std::string field(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  auto at = json.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  if (json[at] == '"') return json.substr(at + 1, json.find('"', at + 1) - at - 1);
  return json.substr(at, json.find_first_of(",}", at) - at);
}

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

// The bytes of a WAV file's data chunk.
std::string wav_data(const std::string& wav) {
  std::size_t at = 12;
  while (at + 8 <= wav.size()) {
    const auto size = static_cast<std::uint32_t>(static_cast<unsigned char>(wav[at + 4]) |
                                                 static_cast<unsigned char>(wav[at + 5]) << 8 |
                                                 static_cast<unsigned char>(wav[at + 6]) << 16 |
                                                 static_cast<unsigned>(static_cast<unsigned char>(wav[at + 7])) << 24);
    if (wav.compare(at, 4, "data") == 0) return wav.substr(at + 8, size);
    at += 8 + size + (size & 1);
  }
  return "";
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

// ffprobe's packets of stream `index`, edit lists ignored, each split into
// its csv fields: dts, duration, size, pos, flags.
std::vector<std::vector<std::string>> ffprobe_packets(const fs::path& file, int index) {
  std::vector<std::vector<std::string>> out;
  const auto text = frugal::test::run_capture("ffprobe -v error -ignore_editlist 1 -select_streams " +
                                              std::to_string(index) +
                                              " -show_entries packet=pos,size,dts,duration,flags -of csv=p=0 " +
                                              shell_quote(file.string()));
  for (const std::string& line : lines(text.value_or(""))) {
    std::vector<std::string>& f = out.emplace_back();
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, ',');) f.push_back(part);
  }
  return out;
}

// Audio tracks frugal can play in a non-fragmented file: Opus, FLAC, PCM.
struct PlayableTrack {
  std::string id;
  std::string codec;
  std::string format;  // sample entry type
  std::string json;
};

std::vector<PlayableTrack> playable_tracks(const fs::path& file) {
  std::vector<PlayableTrack> out;
  CommandResult probe = run_frugal("probe --json " + shell_quote(file.string()));
  if (probe.exit_code != 0 || field(probe.out, "fragmented") == "true") return out;
  for (const std::string& t : probe_tracks(probe.out)) {
    const std::string codec = field(t, "codec");
    if (field(t, "type") != "audio" || field(t, "error") != "null") continue;
    if (codec == "opus" || codec == "flac" || codec.rfind("pcm_", 0) == 0)
      out.push_back({field(t, "id"), codec, field(t, "format"), t});
  }
  return out;
}

// Decodes `track` with frugal (to a WAV in `dir`) and returns the PCM bytes.
std::string frugal_decode(const TempDir& dir, const fs::path& file, const std::string& track,
                          const std::string& extra, std::string* out_bits = nullptr) {
  const std::string wav = dir.file("out.wav");
  CommandResult r = run_frugal("decode " + shell_quote(file.string()) + " --track " + track + " " + extra + " -o " +
                           shell_quote(wav));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string bytes = read_file(wav);
  if (out_bits && bytes.size() > 36) *out_bits = std::to_string(static_cast<unsigned char>(bytes[34]));
  return wav_data(bytes);
}

// ffmpeg's decode of stream `index` as raw little-endian samples of `bits`.
std::string ffmpeg_decode(const fs::path& file, int index, const std::string& bits, const std::string& input_opts) {
  auto out = frugal::test::run_capture("ffmpeg -v error " + input_opts + " -i " + shell_quote(file.string()) +
                                       " -map 0:" + std::to_string(index) + " -f s" + bits + "le -");
  return out.value_or("");
}

// Opus PCM against ffmpeg's libopus: identical when both run on the same
// machine. Under an emulator the oracle is the host's libopus, whose float
// code rounds differently from the target's (seen: 1 LSB at 16 bits), so
// there samples may differ by a few LSB. Both sides are 16-bit little-endian
// (frugal decodes Opus to s16 unless asked for float; the ffmpeg command
// says s16le). `ours` may be the shorter (a prefix of `theirs`).
testing::AssertionResult opus_pcm_matches(const std::string& ours, const std::string& theirs) {
  if (ours.size() > theirs.size()) return testing::AssertionFailure() << "longer than ffmpeg's decode";
#ifdef FRUGAL_TEST_UNDER_EMULATOR
  constexpr int kTolerance = 4;  // 16-bit LSB
  int worst = 0;
  for (std::size_t i = 0; i + 1 < ours.size(); i += 2) {
    const auto sample = [](const std::string& b, std::size_t at) {
      return static_cast<std::int16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
    };
    worst = std::max(worst, std::abs(sample(ours, i) - sample(theirs, i)));
  }
  if (worst <= kTolerance) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "samples differ by up to " << worst << " LSB";
#else
  if (theirs.compare(0, ours.size(), ours) == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "decoded audio differs";
#endif
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

// ---- the real files in the media folder -------------------------------------

TEST(MediaFolder, IsPresent) {
  FRUGAL_REQUIRE_MEDIA(media);
  EXPECT_FALSE(media_files("mp4").empty());
}

class Mp4MediaFile : public ::testing::TestWithParam<fs::path> {};

// A test name from a path: its characters other than letters and digits as '_'.
std::string name_from(const fs::path& path) {
  std::string name = path.string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

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
  const auto tracks = playable_tracks(file);
  if (tracks.empty()) GTEST_SKIP() << "no non-fragmented Opus/FLAC/PCM track";
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
    ASSERT_EQ(ours.size(), theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
      const std::vector<std::string>& f = theirs[i];  // dts, duration, size, pos, flags
      ASSERT_EQ(f.size(), 5u) << "ffprobe packet " << i;
      SCOPED_TRACE("packet " + std::to_string(i));
      EXPECT_EQ(field(ours[i], "dts"), f[0]);
      EXPECT_EQ(field(ours[i], "duration"), f[1]);
      if (ffprobe_knows_layout) {
        EXPECT_EQ(field(ours[i], "size"), f[2]);
        EXPECT_EQ(field(ours[i], "pos"), f[3]);
      }
      EXPECT_EQ(field(ours[i], "sync"), f[4][0] == 'K' ? "true" : "false");
    }
  }
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
    ASSERT_EQ(ours.size(), theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
      const std::vector<std::string>& f = theirs[i];  // dts, duration, size, pos, flags
      ASSERT_EQ(f.size(), 5u) << "ffprobe packet " << i;
      SCOPED_TRACE("packet " + std::to_string(i));
      EXPECT_EQ(field(ours[i], "dts"), f[0]);
      EXPECT_EQ(field(ours[i], "size"), f[2]);
      EXPECT_EQ(field(ours[i], "pos"), f[3]);
      EXPECT_EQ(field(ours[i], "sync"), f[4][0] == 'K' ? "true" : "false");
      // ffprobe 5.1 prints no trun durations for fragmented files (N/A, or a
      // codec parser's own figure: 256 for E-AC-3), so durations are checked
      // against the timeline instead: each packet lasts until the next one.
      if (i + 1 < ours.size()) {
        EXPECT_EQ(std::stoll(field(ours[i], "duration")),
                  std::stoll(field(ours[i + 1], "dts")) - std::stoll(field(ours[i], "dts")));
      }
    }
  }
  if (compared == 0) GTEST_SKIP() << "no audio track without an error";
}

// FLAC and PCM decode bit-identically to ffmpeg at the same depth; Opus
// matches ffmpeg's libopus decoder with the same trimming (pre-skip only).
// With edit lists, frugal's output is ffmpeg's cut at the edit's end: ffmpeg
// 5.1 trims the start of an audio edit but not its end.
TEST_P(Mp4MediaFile, DecodeMatchesFfmpeg) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  const fs::path& file = GetParam();
  const auto tracks = playable_tracks(file);
  if (tracks.empty()) GTEST_SKIP() << "no non-fragmented Opus/FLAC/PCM track";
  auto streams = ffprobe_streams(file);
  TempDir dir;
  for (const PlayableTrack& t : tracks) {
    SCOPED_TRACE("track " + t.id + " (" + t.codec + ")");
    if (!streams.count(t.id) || streams[t.id].codec != t.codec) continue;  // ffmpeg cannot decode it as such
    const int index = streams[t.id].index;
    std::string bits;
    const std::string ours = frugal_decode(dir, file, t.id, "--no-edit-list", &bits);
    const std::string ffmpeg_opts = t.codec == "opus" ? "-ignore_editlist 1 -c:a libopus" : "-ignore_editlist 1";
    const std::string theirs = ffmpeg_decode(file, index, bits, ffmpeg_opts);
    ASSERT_FALSE(ours.empty());
    EXPECT_EQ(ours.size(), theirs.size());
    if (t.codec != "opus") {
      EXPECT_TRUE(ours == theirs) << "decoded audio differs";
      continue;
    }
    EXPECT_TRUE(opus_pcm_matches(ours, theirs));
    const std::string trimmed = frugal_decode(dir, file, t.id, "");
    EXPECT_TRUE(opus_pcm_matches(trimmed, ffmpeg_decode(file, index, bits, "-c:a libopus"))) << "with the edit list";
  }
}
