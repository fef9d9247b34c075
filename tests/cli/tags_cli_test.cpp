// frugal tags and frugal art on built files: the JSON keys the help
// documents, the text form, pictures written byte for byte, clear failures
// (no art, art over the cap, an index past the pictures). Without TagLib
// both commands say so.
#include "cli/cli_support.hpp"
#include "support/media.hpp"
#include "support/mp4_writer.hpp"
#include "support/temp_dir.hpp"
#include "tags/fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace frugal::test;

namespace {

CommandResult frugal_cmd(const std::string& args) { return run_command(std::string(FRUGAL_BINARY) + " " + args); }

#ifdef FRUGAL_HAVE_TAGLIB

Bytes tagged_flac(const Bytes& png) {
  return flac_file({{4, vorbis_comment({{"TITLE", "Cli \"Title\""},
                                        {"ARTIST", "Someone"},
                                        {"TRACKNUMBER", "2/9"},
                                        {"REPLAYGAIN_TRACK_GAIN", "-4.25 dB"},
                                        {"CHAPTER001", "00:00:01.500"},
                                        {"CHAPTER001NAME", "Start"}})},
                    {6, flac_picture(3, "image/png", "cover", 0, 0, png)}});
}

TEST(CliTags, JsonHasEveryDocumentedKey) {
  TempDir dir;
  const Bytes png = png_image(12, 34);
  const std::string file = dir.write("t.flac", tagged_flac(png));
  const CommandResult r = frugal_cmd("tags --json " + shell_quote(file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& j = r.out;
  for (const char* key : {"\"format\":\"flac\"", "\"title\":\"Cli \\\"Title\\\"\"", "\"artist\":\"Someone\"",
                          "\"album\":null", "\"album_artist\":null", "\"date\":null", "\"genre\":null",
                          "\"composer\":null", "\"comment\":null", "\"track\":{\"number\":2,\"total\":9}",
                          "\"disc\":null", "\"track_gain_db\":-4.25", "\"track_peak\":null", "\"album_gain_db\":null",
                          "\"album_peak\":null", "\"musicbrainz\":{\"track_id\":null", "\"release_group_id\":null",
                          "\"chapters\":[{\"start_ms\":1500,\"end_ms\":1500,\"title\":\"Start\"}]",
                          "\"mime_type\":\"image/png\"", "\"type\":3", "\"description\":\"cover\"", "\"width\":12",
                          "\"height\":34", "\"loaded\":true", "\"not_loaded\":null", "\"offset\":null"})
    EXPECT_NE(j.find(key), std::string::npos) << key << " in " << j;
  EXPECT_NE(j.find("\"size\":" + std::to_string(png.size())), std::string::npos) << j;

  const CommandResult text = frugal_cmd("tags " + shell_quote(file));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("title: Cli \"Title\""), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("track: 2/9"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("picture 0: image/png type 3"), std::string::npos) << text.out;
}

// play applies the tagged ReplayGain (a PCM track: every sample scaled,
// rounded, clipped) and names the file by its tags.
TEST(CliPlay, AppliesReplayGainAndShowsTheTitle) {
  namespace t = frugal::test;
  t::MovieSpec spec;  // 0.5 s of 8 kHz mono PCM
  spec.tracks = {t::pcm_track(t::AudioEntrySpec("sowt").with_rate(8000).with_channels(1), 4000, 1000)};
  spec.moov_extra = {udta_with({ilst_item(FourCC("\251nam"), bytes_of("Song")),
                                ilst_item(FourCC("\251ART"), bytes_of("Band")),
                                freeform_item("com.apple.iTunes", "replaygain_track_gain", "-6.0206 dB"),
                                freeform_item("com.apple.iTunes", "replaygain_track_peak", "0.5")})};
  TempDir dir;
  const std::string path = dir.write("rg.m4a", t::build_mp4(spec));
  const auto samples = [&](const std::string& flags) {
    const std::string wav = dir.file("out.wav");
    const CommandResult r = frugal_cmd("play --output wav:" + shell_quote(wav) + " " + flags + " " + shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string data = wav_data(read_file(wav));
    std::vector<std::int16_t> out(data.size() / 2);
    std::memcpy(out.data(), data.data(), out.size() * 2);
    return std::pair(out, r.err);
  };
  const auto [plain, plain_err] = samples("");
  ASSERT_EQ(plain.size(), 4000u);
  EXPECT_NE(plain_err.find("played Band - Song"), std::string::npos) << plain_err;
  const auto expect_scaled = [&](const std::vector<std::int16_t>& got, double factor) {
    ASSERT_EQ(got.size(), plain.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double want = std::clamp(std::nearbyint(plain[i] * factor), -32768.0, 32767.0);
      ASSERT_EQ(got[i], static_cast<std::int16_t>(want)) << "sample " << i;
    }
  };
  expect_scaled(samples("--replay-gain track").first, std::pow(10.0, -6.0206 / 20));
  expect_scaled(samples("--replay-gain album").first, std::pow(10.0, -6.0206 / 20));  // no album gain: the track's
  expect_scaled(samples("--replay-gain track --preamp 18").first, 2.0);  // +12 dB capped by the 0.5 peak
  expect_scaled(samples("--replay-gain off --preamp 18").first, 1.0);
  EXPECT_EQ(frugal_cmd("play --replay-gain loud --output null " + shell_quote(path)).exit_code, 1);
  EXPECT_EQ(frugal_cmd("play --preamp 99 --output null " + shell_quote(path)).exit_code, 1);
}

TEST(CliArt, WritesThePictureAndFailsClearly) {
  TempDir dir;
  const Bytes png = png_image(5, 5, 3000);
  const std::string file = dir.write("t.flac", tagged_flac(png));
  const std::string out = dir.file("cover.png");
  CommandResult r = frugal_cmd("art " + shell_quote(file) + " -o " + shell_quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string written = read_file(out);
  EXPECT_EQ(written.size(), png.size());
  EXPECT_TRUE(std::equal(written.begin(), written.end(), png.begin(),
                         [](char c, std::byte b) { return static_cast<std::byte>(c) == b; }));

  r = frugal_cmd("art " + shell_quote(file) + " -o " + shell_quote(dir.file("x.png")) + " --index 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no picture with that --index"), std::string::npos) << r.err;

  r = frugal_cmd("art " + shell_quote(file) + " -o " + shell_quote(dir.file("big.png")) + " --max-picture-bytes 1K");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not loaded: over max_picture_bytes"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("big.png")));

  const std::string bare = dir.write("bare.flac", flac_file({}));
  r = frugal_cmd("art " + shell_quote(bare) + " -o " + shell_quote(dir.file("none.png")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the file has no picture"), std::string::npos) << r.err;

  r = frugal_cmd("art " + shell_quote(file));
  EXPECT_EQ(r.exit_code, 1);
}

TEST(CliTags, StandardInputIsRefusedClearly) {
  TempDir dir;
  const std::string file = dir.write("t.flac", tagged_flac(png_image(1, 1)));
  const CommandResult r = run_command("cat " + shell_quote(file) + " | " + std::string(FRUGAL_BINARY) + " tags -");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_FALSE(r.err.empty());
}

#else

TEST(CliTags, SayBuiltWithoutTagLib) {
  for (const char* command : {"tags x.flac", "art x.flac -o y.png"}) {
    const CommandResult r = frugal_cmd(command);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unsupported: built without TagLib"), std::string::npos) << r.err;
  }
}

#endif

}  // namespace
