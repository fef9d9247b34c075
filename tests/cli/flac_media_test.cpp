// The frugal command on the media folder's FLAC files (RFC 9639 test files
// from the IETF's flac-test-files, TagLib's and androidx media's): packets
// equal ffprobe's, decodes equal ffmpeg's (or, where ffmpeg changes the
// audio, each run of frames in one format), seeks cut the same samples as a full
// decode, faulty files fail cleanly.
#include "cli/cli_support.hpp"
#include "flac/frame_header.hpp"
#include "support/flac_writer.hpp"
#include "support/media.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace frugal::test {
namespace {

std::vector<fs::path> flac_files() {
  std::vector<fs::path> out;
  for (const fs::path& p : media_files("other"))
    if (p.extension() == ".flac") out.push_back(p);
  return out;
}

bool is_faulty(const fs::path& p) { return p.filename().string().find("faulty_") != std::string::npos; }

// A run of frames in one format, and how frugal gives it: `bits` of the
// output samples (16, 24 or 32, as `frugal decode` picks them).
struct FormatRun {
  std::size_t first_packet = 0;
  std::uint32_t sample_rate = 0;
  unsigned channels = 0;
  unsigned bits_per_sample = 0;  // the frames'
  unsigned bits = 0;             // the output's
  friend bool operator==(const FormatRun&, const FormatRun&) = default;
};

// The runs of frames in one format, read from each frame's header (RFC 9639
// §9.1; 0 codes defer to STREAMINFO). The output follows the audio where it
// no longer fits: another rate or channel count, or more bits than before.
std::vector<FormatRun> format_runs(const std::string& bytes, const std::vector<std::string>& packets,
                                   const std::string& probe_json) {
  const auto rate = static_cast<std::uint32_t>(std::stoul(field(probe_json, "sample_rate")));
  const auto bits_per_sample = static_cast<unsigned>(std::stoul(field(probe_json, "bits_per_sample")));
  std::vector<FormatRun> runs;
  unsigned valid_bits = 0;  // the output's
  for (std::size_t k = 0; k < packets.size(); ++k) {
    const std::size_t pos = std::stoull(field(packets[k], "pos"));
    flac::detail::FrameHeader h;
    if (pos >= bytes.size() || !flac::detail::parse_frame_header(std::as_bytes(std::span(bytes).subspan(pos)), h))
      return {};
    FormatRun run{k, h.sample_rate ? h.sample_rate : rate, h.channels,
                  h.bits_per_sample ? h.bits_per_sample : bits_per_sample, 0};
    const FormatRun* last = runs.empty() ? nullptr : &runs.back();
    if (last && run.sample_rate == last->sample_rate && run.channels == last->channels &&
        run.bits_per_sample == last->bits_per_sample)
      continue;
    if (last && run.sample_rate == last->sample_rate && run.channels == last->channels &&
        run.bits_per_sample <= valid_bits) {
      run.bits = last->bits;
    } else {
      valid_bits = run.bits_per_sample;
      run.bits = valid_bits <= 16 ? 16 : valid_bits <= 24 ? 24 : 32;
    }
    runs.push_back(run);
  }
  return runs;
}

// A file as frugal reads it: its bytes, packet lines and format runs.
struct Layout {
  std::string bytes;
  std::vector<std::string> packets;
  std::vector<FormatRun> runs;
};

Layout layout_of(const fs::path& file) {
  Layout l{read_file(file), lines(run_frugal("packets --json " + shell_quote(file.string())).out), {}};
  l.runs = format_runs(l.bytes, l.packets, run_frugal("probe --json " + shell_quote(file.string())).out);
  return l;
}

bool rate_changes(const std::vector<FormatRun>& runs) {
  for (const FormatRun& r : runs)
    if (r.sample_rate != runs[0].sample_rate) return true;
  return false;
}

// `pcm` (frugal's output for the file) without the frames ffmpeg passes
// over: libavcodec takes a packet under 11 bytes (FLAC_MIN_FRAME_SIZE, the
// smallest 16-bit frame) for no frame, though an 8-bit constant frame takes
// 10. Their samples are checked against a writer's in tests/player.
std::string without_frames_ffmpeg_drops(const std::string& pcm, const Layout& layout) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t r = 0; r < layout.runs.size(); ++r) {
    const FormatRun& run = layout.runs[r];
    const std::size_t end = r + 1 < layout.runs.size() ? layout.runs[r + 1].first_packet : layout.packets.size();
    for (std::size_t k = run.first_packet; k < end; ++k) {
      const std::size_t bytes = std::stoull(field(layout.packets[k], "duration")) * run.channels * run.bits / 8;
      if (std::stoull(field(layout.packets[k], "size")) >= 11) out += pcm.substr(at, bytes);
      at += bytes;
    }
  }
  return out;
}

// Whether frugal's output changes format somewhere in `runs`.
bool output_changes(const std::vector<FormatRun>& runs) {
  for (const FormatRun& r : runs)
    if (r.sample_rate != runs[0].sample_rate || r.channels != runs[0].channels || r.bits != runs[0].bits) return true;
  return false;
}

// ffmpeg's decode of each run, concatenated: ffmpeg resamples, remixes or
// fails where the format changes, so each run is decoded from a copy of the
// file holding its frames after a STREAMINFO rewritten to their format
// (RFC 9639 §8.2: rate, channels, bits; total samples and MD5 unknown).
std::string ffmpeg_decode_runs(const TempDir& dir, const std::string& bytes, const std::vector<std::string>& packets,
                               const std::vector<FormatRun>& runs) {
  std::string pcm;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const FormatRun& run = runs[r];
    std::string header = bytes.substr(0, std::stoull(field(packets[0], "pos")));
    if (header.compare(0, 4, "fLaC") != 0 || header.size() < 42) return {};
    std::uint64_t packed = std::uint64_t{run.sample_rate} << 44 | std::uint64_t{run.channels - 1} << 41 |
                           std::uint64_t{run.bits_per_sample - 1} << 36;
    for (int i = 0; i < 8; ++i) header[18 + i] = static_cast<char>(packed >> (56 - 8 * i));
    std::fill(header.begin() + 26, header.begin() + 42, '\0');
    const std::size_t from = std::stoull(field(packets[run.first_packet], "pos"));
    const std::size_t to = r + 1 < runs.size() ? std::stoull(field(packets[runs[r + 1].first_packet], "pos")) : bytes.size();
    const std::string part = header + bytes.substr(from, to - from);
    const std::string path = dir.write("run.flac", std::as_bytes(std::span(part.data(), part.size())));
    pcm += run_capture("ffmpeg -v quiet -i " + shell_quote(path) + " -f s" + std::to_string(run.bits) + "le -")
               .value_or("");
  }
  return pcm;
}

class FlacMediaFile : public ::testing::TestWithParam<fs::path> {};

std::string flac_test_name(const ::testing::TestParamInfo<fs::path>& info) {
  return name_from(info.param.filename());
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FlacMediaFile);
INSTANTIATE_TEST_SUITE_P(Media, FlacMediaFile, ::testing::ValuesIn(flac_files()), flac_test_name);

// `frugal packets` equals ffprobe's packet list (dts, duration, size, pos,
// key flag; size and pos only for rate-changing files) and `frugal probe`'s
// count.
TEST_P(FlacMediaFile, PacketsMatchFfprobe) {
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  const fs::path& file = GetParam();
  const CommandResult probe = run_frugal("probe --json " + shell_quote(file.string()));
  if (probe.exit_code != 0) {
    ASSERT_TRUE(is_faulty(file)) << probe.err;
    GTEST_SKIP() << "frugal rejects it: " << probe.err;
  }
  EXPECT_EQ(field(probe.out, "format"), "flac");
  const Layout layout = layout_of(file);
  const std::vector<std::string>& ours = layout.packets;
  const auto theirs = ffprobe_packets(file, 0);
  EXPECT_EQ(std::to_string(ours.size()), field(probe.out, "packet_count"));
  if (!rate_changes(layout.runs)) return expect_packets_match(ours, theirs, true, true);
  // ffprobe counts time in the first rate's ticks there: compare the layout.
  ASSERT_EQ(ours.size(), theirs.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(field(ours[i], "size"), theirs[i][2]) << "packet " << i;
    EXPECT_EQ(field(ours[i], "pos"), theirs[i][3]) << "packet " << i;
  }
}

// Bit-identical to ffmpeg at the depth frugal writes (s16 up to 16 bits,
// else s24 or s32); where the format changes mid-stream, `frugal decode`
// refuses (a WAV file holds one format) and `frugal play` gives every run of
// frames in its own format, as ffmpeg decodes each run alone (ffmpeg itself
// would resample, remix or fail).
TEST_P(FlacMediaFile, DecodeMatchesFfmpeg) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  const fs::path& file = GetParam();
  if (is_faulty(file)) GTEST_SKIP() << "faulty file: see FlacMedia.FaultyFilesFailCleanlyOrDecodeLikeFfmpeg";
  TempDir dir;
  const Layout layout = layout_of(file);
  ASSERT_FALSE(layout.runs.empty()) << "a packet without a frame header";
  if (layout.runs.size() > 1) {
    if (output_changes(layout.runs)) {
      const CommandResult r = run_frugal("decode " + shell_quote(file.string()) + " -o " + dir.file("o.wav"));
      EXPECT_EQ(r.exit_code, 2);
      EXPECT_NE(r.err.find("unsupported: the audio changes format at frame "), std::string::npos) << r.err;
      EXPECT_FALSE(fs::exists(dir.file("o.wav")));
    }
    const CommandResult played = run_frugal("play " + shell_quote(file.string()) + " --output raw");
    ASSERT_EQ(played.exit_code, 0) << played.err;
    const std::string theirs = ffmpeg_decode_runs(dir, layout.bytes, layout.packets, layout.runs);
    const std::string ours = without_frames_ffmpeg_drops(played.out, layout);
    EXPECT_EQ(ours.size(), theirs.size());
    EXPECT_TRUE(ours == theirs) << "played audio differs";
    return;
  }
  std::string bits, err;
  const std::string ours = frugal_decode(dir, file, "1", "", &bits, &err);
  ASSERT_FALSE(ours.empty());
  const std::string theirs = ffmpeg_decode(file, 0, bits, "");
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_TRUE(ours == theirs) << "decoded audio differs";
}

// `decode --start S --duration D` (a seek, then frames dropped to the exact
// sample) equals the same samples of a full decode, at the start, inside,
// near the end.
TEST_P(FlacMediaFile, SeekedDecodeEqualsTheSameSamplesOfAFullDecode) {
  const fs::path& file = GetParam();
  if (is_faulty(file) || output_changes(layout_of(file).runs)) GTEST_SKIP() << "no full decode to compare with";
  TempDir dir;
  std::string bits;
  const std::string full = frugal_decode(dir, file, "1", "", &bits);
  const std::string json = run_frugal("probe --json " + shell_quote(file.string())).out;
  const std::size_t frame_bytes = std::stoul(bits) / 8 * std::stoul(field(json, "channels"));
  const double rate = std::stod(field(json, "sample_rate"));
  const double seconds = static_cast<double>(full.size() / frame_bytes) / rate;
  for (double at : {0.0, seconds * 0.37, seconds * 0.5, seconds - 0.2}) {
    if (at < 0) continue;
    SCOPED_TRACE("start " + std::to_string(at) + " s");
    const std::string start = std::to_string(at);
    const std::string part = frugal_decode(dir, file, "1", "--start " + start + " --duration 0.1");
    const std::size_t first = static_cast<std::size_t>(std::llround(std::stod(start) * rate)) * frame_bytes;
    ASSERT_LE(first, full.size());
    EXPECT_FALSE(part.empty());
    EXPECT_TRUE(full.compare(first, part.size(), part) == 0) << "seeked audio differs";
  }
}

// From a pipe (StreamSource: forward only) the decode equals the file's:
// frames of 64 KiB and more (blocksize 65535), an ID3v2 tag before "fLaC".
TEST(FlacMedia, DecodeFromStandardInputEqualsDecodeOfTheFile) {
  FRUGAL_REQUIRE_MEDIA(media);
  TempDir dir;
  for (const char* name : {"flac-test-files__subset_01_-_blocksize_4096.flac",
                           "flac-test-files__uncommon_08_-_blocksize_65535.flac",
                           "androidx-media__flac_bear_with_id3.flac"}) {
    SCOPED_TRACE(name);
    const fs::path file = media / "other" / name;
    if (!fs::exists(file)) continue;
    const std::string wav = dir.file("piped.wav");
    const CommandResult r = run_command("cat " + shell_quote(file.string()) + " | " + std::string(FRUGAL_BINARY) +
                                        " decode - -o " + shell_quote(wav));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string piped = wav_data(read_file(wav));
    EXPECT_FALSE(piped.empty());
    EXPECT_TRUE(piped == frugal_decode(dir, file, "1", "")) << "piped decode differs";
  }
}

// A stream whose channel count changes (writer-built): `decode` refuses
// with one clear line and leaves no file; `play` gives every sample, each
// run in its own format.
TEST(FlacCli, FormatChangeMidStream) {
  FlacStreamSpec spec;
  spec.channels = 1;
  spec.frame_channels = {1, 2, 1};
  std::string samples;
  for (std::size_t i = 0; i < spec.frame_channels.size(); ++i) {
    spec.frames.push_back(flac_test_samples(1152 * spec.frame_channels[i], static_cast<std::uint32_t>(i)));
    samples.append(reinterpret_cast<const char*>(spec.frames.back().data()), spec.frames.back().size() * 2);
  }
  TempDir dir;
  const std::string file = dir.write("change.flac", build_flac(spec));
  const CommandResult decoded = run_frugal("decode " + shell_quote(file) + " -o " + dir.file("o.wav"));
  EXPECT_EQ(decoded.exit_code, 2);
  EXPECT_NE(decoded.err.find("unsupported: the audio changes format at frame 1152, from 44100 Hz 1 ch s16 to "
                             "44100 Hz 2 ch s16"),
            std::string::npos)
      << decoded.err;
  EXPECT_FALSE(fs::exists(dir.file("o.wav")));
  const CommandResult played = run_frugal("play " + shell_quote(file) + " --output raw");
  ASSERT_EQ(played.exit_code, 0) << played.err;
  EXPECT_TRUE(played.out == samples) << "played audio differs";
  const CommandResult to_wav = run_frugal("play " + shell_quote(file) + " --output wav:" + dir.file("p.wav"));
  EXPECT_EQ(to_wav.exit_code, 2);
  EXPECT_NE(to_wav.err.find("unsupported: the audio changes format and the output holds one"), std::string::npos)
      << to_wav.err;
  EXPECT_FALSE(fs::exists(dir.file("p.wav")));
}

// Each faulty file fails with one clear line (exit 2) or decodes as ffmpeg
// does; never a crash (the asan build runs this too).
TEST(FlacMedia, FaultyFilesFailCleanlyOrDecodeLikeFfmpeg) {
  FRUGAL_REQUIRE_MEDIA(media);
  struct Expect {
    const char* name;
    const char* error;  // nullptr: decodes like ffmpeg
  };
  // faulty_03 (STREAMINFO says fewer bits than the frames): ffmpeg refuses
  // it; frugal decodes what its decoder accepts (best effort, not compared).
  const Expect expected[] = {
      {"flac-test-files__faulty_02_-_wrong_maximum_framesize.flac", nullptr},
      {"flac-test-files__faulty_03_-_wrong_bit_depth.flac", ""},
      {"flac-test-files__faulty_04_-_wrong_number_of_channels.flac", nullptr},  // the frames say how many
      {"flac-test-files__faulty_05_-_wrong_total_number_of_samples.flac", nullptr},
      {"flac-test-files__faulty_09_-_blocksize_1.flac", "malformed: FLAC STREAMINFO: block sizes out of range (at byte 4)"},
      {"flac-test-files__faulty_11_-_incorrect_metadata_block_length.flac",
       "malformed: FLAC: metadata block runs past the end of the file (at byte 174)"},
  };
  TempDir dir;
  for (const Expect& e : expected) {
    SCOPED_TRACE(e.name);
    const fs::path file = media / "other" / e.name;
    if (!fs::exists(file)) continue;
    const CommandResult r = run_frugal("decode " + shell_quote(file.string()) + " -o " + dir.file("o.wav"));
    if (e.error == nullptr) {
      std::string bits;
      const std::string ours = frugal_decode(dir, file, "1", "", &bits);
      EXPECT_TRUE(ours == ffmpeg_decode(file, 0, bits, "")) << "decoded audio differs";
    } else if (*e.error == '\0') {
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << r.err;
    } else {
      EXPECT_EQ(r.exit_code, 2);
      EXPECT_NE(r.err.find(e.error), std::string::npos) << r.err;
    }
  }
}

}  // namespace
}  // namespace frugal::test
