// Writes the seeds of the tags harness into argv[1]/tags: tagged files
// built by the tests' writers (MP4 ilst with text, numbers, freeform and
// covr items; FLAC with Vorbis comments and a PICTURE; Ogg Opus with R128
// gains and chapters). Never the media folder.
#include "tags/fixtures.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace frugal::test;

namespace {

bool save(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_tag_seeds DIR\n");
    return 2;
  }
  const std::filesystem::path tags = std::filesystem::path(argv[1]) / "tags";
  std::filesystem::create_directories(tags);
  const Bytes png = png_image(40, 30), jpeg = jpeg_image(64, 48);
  const Bytes gnre{std::byte{0}, std::byte{18}};
  BoxWriter covr;
  covr.begin("covr").begin("data").u32(14).u32(0).bytes(png).end().begin("data").u32(13).u32(0).bytes(jpeg).end().end();
  const std::pair<const char*, Bytes> files[] = {
      {"tags/mp4.m4a", m4a_with(udta_with({ilst_item(FourCC("\251nam"), bytes_of("Title")),
                                           ilst_item(FourCC("gnre"), gnre, 0),
                                           freeform_item("com.apple.iTunes", "replaygain_track_gain", "-6.5 dB"),
                                           covr.take()}))},
      {"tags/quicktime_meta.m4a", m4a_with(udta_with({ilst_item(FourCC("\251ART"), bytes_of("A"))}, MetaStyle::quicktime))},
      {"tags/flac.flac", flac_file({{4, vorbis_comment({{"TITLE", "T"}, {"CHAPTER001", "00:00:01.000"}})},
                                    {6, flac_picture(3, "image/png", "front", 40, 30, png)}})},
      {"tags/opus.opus", opus_file({{"R128_TRACK_GAIN", "-512"}, {"CHAPTER01NAME", "One"}})},
  };
  for (const auto& [name, bytes] : files) {
    if (!save(std::filesystem::path(argv[1]) / name, bytes)) {
      std::fprintf(stderr, "cannot write %s\n", name);
      return 1;
    }
  }
  std::printf("tag seeds in %s\n", argv[1]);
  return 0;
}
