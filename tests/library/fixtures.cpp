// Test-only library fixtures (tests/library/fixtures.hpp).
#include "library/fixtures.hpp"

#include "support/ilst_writer.hpp"
#include "support/flac_writer.hpp"
#include "tags/fixtures.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string_view>

namespace frugal::test {

namespace fs = std::filesystem;

namespace {

Bytes text_item(test::FourCC type, std::string_view text) { return ilst_item(type, bytes_of(text)); }

Bytes position_item(test::FourCC type, std::uint16_t n, std::uint16_t total) {
  const std::byte v[] = {std::byte{0}, std::byte{0}, std::byte(n >> 8), std::byte(n), std::byte(total >> 8),
                         std::byte(total), std::byte{0}, std::byte{0}};
  return ilst_item(type, v, 0);
}

}  // namespace

// An AAC (mp4a, object type 0x40) movie of 2 s at 44.1 kHz stereo, with
// title/artist/album/album artist/genre/date/track/disc and a PNG cover.
Bytes tagged_m4a(const std::string& title, std::size_t cover_bytes) {
  test::MovieSpec movie;
  movie.brand = test::FourCC("M4A ");
  test::TrackSpec track = test::audio_track(
      test::audio_sample_entry(test::AudioEntrySpec(test::FourCC("mp4a"),
                                                    {test::esds_box(0x40, test::audio_specific_config({}))})),
      {16, 16, 16});
  track.duration = 2 * 44100;
  movie.tracks.push_back(std::move(track));
  const Bytes png = test::png_image(8, 8, cover_bytes > 40 ? cover_bytes - 40 : 0);
  Bytes covr;
  {
    test::BoxWriter w;
    w.begin("covr").begin("data").u32(14).u32(0).bytes(png).end();
    covr = w.end().take();
  }
  movie.moov_extra.push_back(test::udta_with({text_item("\251nam", title), text_item("\251ART", "Artist M"),
                                              text_item("\251alb", "Album M"), text_item("aART", "Band M"),
                                              text_item("\251gen", "Jazz"), text_item("\251day", "1999-12-31"),
                                              position_item("trkn", 3, 12), position_item("disk", 2, 2), covr}));
  return test::build_mp4(movie);
}

// FLAC (STREAMINFO: 44.1 kHz stereo, 44,100 samples) with Vorbis comments,
// a back cover then a front cover, one frame of 16 stereo samples, then
// `pad` bytes.
Bytes tagged_flac(const FlacTags& tags, std::size_t pad) {
  test::FlacFrameSpec frame;
  frame.channels = 2;
  frame.samples = test::flac_test_samples(32, 1);
  Bytes audio = test::flac_frame(frame);
  audio.resize(audio.size() + pad, std::byte{0xAA});
  const Bytes back = test::png_image(4, 4, 10), front = test::png_image(16, 16, 100);
  return test::flac_file({{4, test::vorbis_comment({{"TITLE", tags.title},
                                                    {"ARTIST", tags.artist},
                                                    {"ALBUM", tags.album},
                                                    {"ALBUMARTIST", tags.album_artist},
                                                    {"GENRE", "Rock"},
                                                    {"DATE", tags.date},
                                                    {"TRACKNUMBER", tags.track},
                                                    {"DISCNUMBER", "1"}})},
                          {6, test::flac_picture(4, "image/png", "back", 4, 4, back)},
                          {6, test::flac_picture(3, "image/png", "front", 16, 16, front)}},
                         audio);
}

Bytes tagged_opus(const std::string& title) {
  return test::opus_file({{"TITLE", title}, {"ARTIST", "Artist O"}, {"DATE", "2020"}});
}

std::string write_file(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr) << path;
  if (f) {
    EXPECT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    std::fclose(f);
  }
  return path.string();
}


}  // namespace frugal::test
