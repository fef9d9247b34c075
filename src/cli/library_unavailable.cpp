// frugal library in a build without the library module (no SQLite or no
// thumbnails module).
#include "cli/common.hpp"

namespace frugal::cli {

int run_library(const std::vector<std::string>& argv) {
  return report(argv.empty() ? "library" : argv.front(),
                core::make_error(core::Errc::unsupported, "built without the media library (SQLite, thumbnails)"));
}

}  // namespace frugal::cli
