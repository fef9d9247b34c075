// frugal exr --preview in a build without libpng (the imageio module is absent).
#include "cli/exr_commands.hpp"

namespace frugal::cli {

core::Result<void> write_preview_png(const std::string&, const assets::ExrPreviewImage&) {
  return core::make_error(core::Errc::unsupported, "built without libpng (FRUGAL_WITH_PNG)");
}

}  // namespace frugal::cli
