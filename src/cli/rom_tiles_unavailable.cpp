// frugal rom tiles in a build without libpng (the imageio module is absent).
#include "cli/common.hpp"
#include "cli/rom_commands.hpp"

namespace frugal::cli {

int run_rom_tiles(const std::vector<std::string>&) {
  return report("rom tiles", core::make_error(core::Errc::unsupported, "built without libpng (FRUGAL_WITH_PNG)"));
}

}  // namespace frugal::cli
