// Writes the exr_header harness's seeds (tests/support/exr_writer): a
// scan-line file with one attribute of every type, a multipart file, tiled
// one-level/mipmap/ripmap files, a deep file, a long-names file.
// Usage: make_exr_seeds DIR (DIR must exist). fuzz/corpus/exr_header holds
// its output.
#include "support/exr_writer.hpp"

#include <cstdio>
#include <string>

using namespace frugal::test;

namespace {

void write(const std::string& dir, const char* name, const Bytes& bytes) {
  const std::string path = dir + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return;
  }
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_exr_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  ExrHeaderBuilder all = ExrHeaderBuilder::standard(16, 16, 4, {{"diffuse.R"}, {"diffuse.G", 2}, {"id", 0}});
  all.set("b2f", "box2f", exr_f32(0) + exr_f32(0) + exr_f32(1) + exr_f32(1))
      .set("chromaticities", "chromaticities", Bytes(32))
      .set("d", "double", exr_f64(1))
      .set("envmap", "envmap", exr_u8(0))
      .set("fv", "floatvector", exr_f32(1))
      .set("kc", "keycode", Bytes(28))
      .set("m33", "m33f", Bytes(36))
      .set("m44", "m44f", Bytes(64))
      .set("preview", "preview", exr_u32(1) + exr_u32(1) + Bytes(4))
      .set("rat", "rational", exr_i32(24) + exr_u32(1))
      .set("owner", "string", exr_text("frugal"))
      .set("multiView", "stringvector", exr_stringvector({"left", "right"}))
      .set("tc", "timecode", Bytes(8))
      .set("v2i", "v2i", Bytes(8))
      .set("v3f", "v3f", Bytes(12))
      .set("dis", "deepImageState", exr_u8(1))
      .set("x", "custom", exr_text("raw"));
  write(dir, "scanline_all_types.exr", exr_file(0, {all}, 1));

  ExrHeaderBuilder a = ExrHeaderBuilder::standard(8, 32, 3);
  a.set("name", "string", exr_text("a")).set("type", "string", exr_text("scanlineimage")).set("chunkCount", "int", exr_i32(2));
  ExrHeaderBuilder b = ExrHeaderBuilder::standard(8, 8, 0);
  b.set("name", "string", exr_text("b")).set("type", "string", exr_text("tiledimage"))
      .set("tiles", "tiledesc", exr_tiledesc(4, 4, 0, 0)).set("chunkCount", "int", exr_i32(4));
  write(dir, "multipart.exr", exr_file(kExrMultipart, {a, b}, 6));

  for (int level = 0; level < 3; ++level) {
    const ExrHeaderBuilder t = ExrHeaderBuilder::standard(20, 12).set("tiles", "tiledesc", exr_tiledesc(8, 8, level, level == 2));
    const std::string name = "tiled_level" + std::to_string(level) + ".exr";
    write(dir, name.c_str(), exr_file(kExrTiled, {t}, 12));
  }

  ExrHeaderBuilder deep = ExrHeaderBuilder::standard(4, 4, 2, {{"A"}, {"Z", 2}});
  deep.set("type", "string", exr_text("deepscanline")).set("version", "int", exr_i32(1)).set("chunkCount", "int", exr_i32(4))
      .set("maxSamplesPerPixel", "int", exr_i32(2));
  write(dir, "deep.exr", exr_file(kExrDeep, {deep}, 4));

  const ExrHeaderBuilder longer = ExrHeaderBuilder::standard(4, 4).set(std::string(40, 'n'), "int", exr_i32(1));
  write(dir, "long_names.exr", exr_file(kExrLongNames, {longer}, 4));
  return 0;
}
