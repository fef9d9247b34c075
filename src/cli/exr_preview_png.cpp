// frugal exr FILE --preview OUT.png: the preview's pixels through imageio's PNG writer.
#include "cli/exr_commands.hpp"

#include <frugal/imageio/png_writer.hpp>

namespace frugal::cli {

core::Result<void> write_preview_png(const std::string& path, const assets::ExrPreviewImage& preview) {
  // ExrHeader accepts any preview whose bytes fit; PNG takes fewer shapes.
  const auto fits = [](std::uint32_t side) { return side != 0 && side <= imageio::kMaxPngSide; };
  if (!fits(preview.width) || !fits(preview.height))
    return core::make_error(core::Errc::unsupported,
                            "EXR: the preview has a side of 0 or over 1000000 pixels, which PNG cannot hold");
  imageio::PngImage image;
  image.kind = imageio::PngKind::rgba8;
  image.width = preview.width;
  image.height = preview.height;
  return imageio::write_png(path, image, preview.rgba());
}

}  // namespace frugal::cli
