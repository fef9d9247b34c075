// frugal exr FILE --preview OUT.png: the preview's pixels through imageio's PNG writer.
#include "cli/exr_commands.hpp"

#include <frugal/imageio/png_writer.hpp>

namespace frugal::cli {

core::Result<void> write_preview_png(const std::string& path, const assets::ExrPreviewImage& preview) {
  imageio::PngImage image;
  image.kind = imageio::PngKind::rgba8;
  image.width = preview.width;
  image.height = preview.height;
  return imageio::write_png(path, image, preview.rgba());
}

}  // namespace frugal::cli
