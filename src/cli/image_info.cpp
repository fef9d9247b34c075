// frugal image-info FILE [--json]: an image's header (assets::ImageInfo):
// format, size, depth, colour type, and per format the JPEG coding process
// and EXIF orientation, PNG interlacing, the WebP chunk and animation flag.
#include "cli/common.hpp"
#include "cli/json.hpp"

#include <frugal/assets/image_info.hpp>

#include <cstdio>

namespace frugal::cli {

namespace {

using namespace frugal::assets;

std::string info_json(const ImageInfo& i) {
  JsonObject o;
  o.add("format", image_format_name(i.format)).add("width", i.width).add("height", i.height);
  o.add("bit_depth", int{i.bit_depth}).add("bits_per_pixel", int{i.bits_per_pixel});
  o.add("colour_type", colour_type_name(i.colour_type)).add("channels", int{i.channels}).add("has_alpha", i.has_alpha);
  if (i.format == ImageFormat::jpeg) {
    JsonObject j;
    j.add("process", jpeg_process_name(i.jpeg.process)).add("progressive", i.jpeg.progressive);
    j.add("arithmetic", i.jpeg.arithmetic).add("differential", i.jpeg.differential);
    j.add("sof_marker", int{i.jpeg.sof_marker}).add("orientation", int{i.jpeg.orientation});
    j.add("stored_orientation", int{i.jpeg.stored_orientation});
    o.add_raw("jpeg", j.str());
  } else if (i.format == ImageFormat::png) {
    JsonObject p;
    p.add("colour_type", int{i.png.colour_type}).add("interlaced", i.png.interlaced);
    o.add_raw("png", p.str());
  } else if (i.format == ImageFormat::webp) {
    JsonObject w;
    w.add("kind", webp_kind_name(i.webp.kind)).add("animated", i.webp.animated);
    o.add_raw("webp", w.str());
  } else if (i.format == ImageFormat::bmp) {
    JsonObject b;
    b.add("header_bytes", i.bmp.header_bytes).add("compression", i.bmp.compression).add("top_down", i.bmp.top_down);
    o.add_raw("bmp", b.str());
  }
  return o.str();
}

void print_text(const std::string& path, const ImageInfo& i) {
  std::printf("%s: %s, %u x %u pixels, %s, %u bit%s per sample, %u channel%s%s\n", path.c_str(),
              image_format_name(i.format), i.width, i.height, colour_type_name(i.colour_type), i.bit_depth,
              i.bit_depth == 1 ? "" : "s", i.channels, i.channels == 1 ? "" : "s", i.has_alpha ? ", alpha" : "");
  if (i.format == ImageFormat::jpeg) {
    std::printf("  SOF%u: %s%s, %s coding; EXIF orientation %u", i.jpeg.sof_marker - 0xC0u,
                i.jpeg.differential ? "differential " : "", jpeg_process_name(i.jpeg.process),
                i.jpeg.arithmetic ? "arithmetic" : "Huffman", i.jpeg.orientation);
    if (i.jpeg.stored_orientation == 0) std::printf(" (none stored)");
    else if (i.jpeg.stored_orientation != i.jpeg.orientation)
      std::printf(" (stored %u: not 1-8, ignored)", i.jpeg.stored_orientation);
    std::printf("\n");
    if (i.height == 0) std::printf("  height defined later (DNL marker)\n");
  } else if (i.format == ImageFormat::png) {
    std::printf("  IHDR colour type %u, %s\n", i.png.colour_type, i.png.interlaced ? "interlaced (Adam7)" : "not interlaced");
  } else if (i.format == ImageFormat::webp) {
    std::printf("  %s chunk%s\n", webp_kind_name(i.webp.kind), i.webp.animated ? ", animated" : "");
  } else if (i.format == ImageFormat::bmp) {
    std::printf("  DIB header %u bytes, compression %u, %s\n", i.bmp.header_bytes, i.bmp.compression,
                i.bmp.top_down ? "top-down" : "bottom-up");
  }
}

}  // namespace

int run_image_info(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("image-info takes one image file");
  const std::string& path = args->positional[0];
  auto file = core::FileSource::open(path.c_str());
  if (!file) return report(path, file.error());
  core::CountingSource counted(*file);
  auto info = assets::read_image_info(counted);
  io_stats().bytes_read += counted.bytes_read();
  io_stats().read_calls += counted.read_calls();
  if (!info) return report(path, info.error());
  if (args->has("--json")) std::printf("%s\n", info_json(*info).c_str());
  else print_text(path, *info);
  return kOk;
}

}  // namespace frugal::cli
