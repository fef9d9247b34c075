// frugal thumb in a build without the thumbnails module (no libjpeg,
// libpng or TagLib).
#include "cli/common.hpp"

namespace frugal::cli {

int run_thumb(const std::vector<std::string>& argv) {
  return report(argv.empty() ? "thumb" : argv.front(),
                core::make_error(core::Errc::unsupported, "built without thumbnails (libjpeg, libpng, TagLib)"));
}

}  // namespace frugal::cli
