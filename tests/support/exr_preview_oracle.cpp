// Test-only oracle: a part's preview image as OpenEXR's C++ library reads it
// (Imf::MultiPartInputFile, Imf::Header::previewImage), printed as
// "<width> <height> <FNV-1a 64 of the RGBA bytes, r g b a per pixel>", or
// "none" when the part has no preview. Exit status 1 when OpenEXR refuses
// the file. Usage: exr_preview_oracle FILE PART
#include <ImfMultiPartInputFile.h>
#include <ImfHeader.h>
#include <ImfPreviewImage.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: exr_preview_oracle FILE PART\n");
    return 2;
  }
  try {
    Imf::MultiPartInputFile file(argv[1]);
    const Imf::Header& header = file.header(std::atoi(argv[2]));
    if (!header.hasPreviewImage()) {
      std::printf("none\n");
      return 0;
    }
    const Imf::PreviewImage& preview = header.previewImage();
    const Imf::PreviewRgba* pixels = preview.pixels();
    std::uint64_t hash = 14695981039346656037ull;
    for (unsigned long i = 0; i < static_cast<unsigned long>(preview.width()) * preview.height(); ++i)
      for (const unsigned char c : {pixels[i].r, pixels[i].g, pixels[i].b, pixels[i].a})
        hash = (hash ^ c) * 1099511628211ull;
    std::printf("%u %u %llu\n", preview.width(), preview.height(), static_cast<unsigned long long>(hash));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
