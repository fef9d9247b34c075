#pragma once
// The rom subcommands dispatched by run_rom (src/cli/rom.cpp) from files of
// their own: tiles (rom_tiles.cpp), extract and scan (rom_extract.cpp).

#include <string>
#include <vector>

namespace frugal::cli {

/// frugal rom tiles ROM --offset OFF --bpp 2|4|8|mode7 --count N -o OUT.png ...
int run_rom_tiles(const std::vector<std::string>& argv);

/// frugal rom extract ROM --offsets FILE -o DIR [--threads N] [--json].
int run_rom_extract(const std::vector<std::string>& argv);
/// frugal rom scan ROM [--begin OFF] [--end OFF] [--min-size N] [--json].
int run_rom_scan(const std::vector<std::string>& argv);

}  // namespace frugal::cli
