// The frugal command on the media folder's FLAC files (RFC 9639 test files
// from the IETF's flac-test-files, TagLib's and androidx media's): packets
// equal ffprobe's, decodes equal ffmpeg's (or, where ffmpeg changes the
// audio, each run of frames at one rate), seeks cut the same samples as a full
// decode, faulty files fail cleanly.
#include "cli/cli_support.hpp"
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

// Files whose frames change channel count or bit depth mid-stream: libFLAC
// decodes them, but frugal's FLAC decoder keeps STREAMINFO's output format
// and rejects such frames (src/codec/flac_decoder.cpp), so the decode stops
// with an unsupported error saying so (ffmpeg fails on uncommon_04 too:
// "switching bps mid-stream is not supported").
bool changes_format_mid_stream(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.find("uncommon_02_") != std::string::npos || name.find("uncommon_04_") != std::string::npos;
}

// Files whose frames change sample rate mid-stream: ffprobe gives packet
// durations in the first rate's ticks, and ffmpeg resamples the audio to it,
// where frugal hands on every frame's samples as they are.
bool changes_rate_mid_stream(const fs::path& p) {
  return p.filename().string().find("uncommon_01_") != std::string::npos;
}

// ffmpeg's decode of a file whose sample rate changes mid-stream, without
// resampling: ffmpeg (-reinit_filter 0) stops at a change, so each run of
// frames at one rate is decoded from a copy of the file holding the
// metadata and the frames from that run on. `packets` are frugal's packet
// lines; `frame_bytes` the PCM bytes of one sample of every channel.
std::string ffmpeg_decode_each_rate(const TempDir& dir, const fs::path& file, const std::vector<std::string>& packets,
                                    const std::string& bits, std::size_t frame_bytes) {
  const std::string bytes = read_file(file);
  std::string pcm;
  for (std::size_t k = 0; k < packets.size();) {
    const std::string part = bytes.substr(0, std::stoull(field(packets[0], "pos"))) +
                             bytes.substr(std::stoull(field(packets[k], "pos")));
    const std::string path = dir.write("run.flac", std::as_bytes(std::span(part.data(), part.size())));
    const std::string run = run_capture("ffmpeg -v quiet -reinit_filter 0 -i " + shell_quote(path) + " -f s" + bits +
                                        "le - || true").value_or("");
    if (run.empty()) return pcm;
    pcm += run;
    // Past the frames that run covered.
    for (std::size_t covered = 0; k < packets.size() && covered < run.size(); ++k)
      covered += std::stoull(field(packets[k], "duration")) * frame_bytes;
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
  const auto ours = lines(run_frugal("packets --json " + shell_quote(file.string())).out);
  const auto theirs = ffprobe_packets(file, 0);
  EXPECT_EQ(std::to_string(ours.size()), field(probe.out, "packet_count"));
  if (!changes_rate_mid_stream(file)) return expect_packets_match(ours, theirs, true, true);
  // ffprobe counts time in the first rate's ticks there: compare the layout.
  ASSERT_EQ(ours.size(), theirs.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(field(ours[i], "size"), theirs[i][2]) << "packet " << i;
    EXPECT_EQ(field(ours[i], "pos"), theirs[i][3]) << "packet " << i;
  }
}

// Bit-identical to ffmpeg at the depth frugal writes (s16 up to 16 bits,
// else s32); where the rate changes, to ffmpeg's decode of each run of
// frames at one rate (ffmpeg would resample them all to the first rate).
TEST_P(FlacMediaFile, DecodeMatchesFfmpeg) {
  FRUGAL_REQUIRE_PROGRAM(ffmpeg, "ffmpeg");
  const fs::path& file = GetParam();
  if (is_faulty(file)) GTEST_SKIP() << "faulty file: see FlacMedia.FaultyFilesFailCleanlyOrDecodeLikeFfmpeg";
  TempDir dir;
  if (changes_format_mid_stream(file)) {
    const CommandResult r = run_frugal("decode " + shell_quote(file.string()) + " -o " + dir.file("o.wav"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unsupported: FLAC: a frame's channel count or bit depth differs from STREAMINFO's"),
              std::string::npos)
        << r.err;
    return;
  }
  std::string bits, err;
  const std::string ours = frugal_decode(dir, file, "1", "", &bits, &err);
  ASSERT_FALSE(ours.empty());
  std::string theirs;
  if (changes_rate_mid_stream(file)) {
    const std::string json = run_frugal("probe --json " + shell_quote(file.string())).out;
    const auto packets = lines(run_frugal("packets --json " + shell_quote(file.string())).out);
    theirs = ffmpeg_decode_each_rate(dir, file, packets, bits, std::stoul(bits) / 8 * std::stoul(field(json, "channels")));
  } else {
    theirs = ffmpeg_decode(file, 0, bits, "");
  }
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_TRUE(ours == theirs) << "decoded audio differs";
}

// `decode --start S --duration D` (a seek, then frames dropped to the exact
// sample) equals the same samples of a full decode, at the start, inside,
// near the end.
TEST_P(FlacMediaFile, SeekedDecodeEqualsTheSameSamplesOfAFullDecode) {
  const fs::path& file = GetParam();
  if (is_faulty(file) || changes_format_mid_stream(file)) GTEST_SKIP() << "no full decode to compare with";
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
      {"flac-test-files__faulty_04_-_wrong_number_of_channels.flac",
       "unsupported: FLAC: a frame's channel count or bit depth differs from STREAMINFO's"},
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
