#pragma once
// frugal rom extract / rom scan (src/cli/rom_extract.cpp), dispatched by
// run_rom (src/cli/rom.cpp).

#include <frugal/assets/rom_mapping.hpp>
#include <frugal/core/result.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace frugal::cli {

/// frugal rom extract ROM --offsets FILE -o DIR [--threads N] [--json].
int run_rom_extract(const std::vector<std::string>& argv);
/// frugal rom scan ROM [--begin OFF] [--end OFF] [--min-size N] [--json].
int run_rom_scan(const std::vector<std::string>& argv);

/// One offset as the offsets file and --begin/--end write it: decimal,
/// 0x hex, or a bus address `$BB:AAAA` / `BB:AAAA` (hex) mapped through
/// `mapping` in an image of `image_bytes`. The result is below image_bytes.
/// Errors: Errc::invalid_argument with a static message.
core::Result<std::uint64_t> parse_rom_offset(const std::string& text, assets::RomMapping mapping,
                                             std::uint64_t image_bytes);

}  // namespace frugal::cli
