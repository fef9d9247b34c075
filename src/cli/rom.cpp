// frugal rom SUBCOMMAND: SNES ROM images. `info` (the header) here; tiles,
// extract and scan in files of their own (rom_commands.hpp).
#include "cli/common.hpp"
#include "cli/json.hpp"
#include "cli/rom_common.hpp"
#include "cli/rom_commands.hpp"

#include <frugal/assets/rom_image.hpp>
#include <frugal/assets/rom_mapping.hpp>

#include <cstdio>
#include <span>

namespace frugal::cli {

namespace {

std::string hex(unsigned value, int digits) {
  char text[16];
  std::snprintf(text, sizeof text, "$%0*X", digits, value);
  return text;
}

// Stored code characters, with '?' for what is not printable ASCII.
std::string code_text(std::span<const char> code) {
  std::string out;
  for (const char c : code) out += c >= 0x20 && c <= 0x7E ? c : '?';
  return out;
}

void print_text(const std::string& path, const assets::RomImage& rom) {
  const assets::RomHeader& h = rom.header();
  std::printf("%s: SNES ROM, %s (map mode %s), chip %s (cartridge type %s)\n", path.c_str(),
              assets::mapping_name(h.mapping), hex(h.map_mode, 2).c_str(), assets::chip_name(h.chip),
              hex(h.cartridge_type, 2).c_str());
  std::printf("  title          %.*s\n", static_cast<int>(h.title().size()), h.title().data());
  std::printf("  copier header  %s\n", rom.copier_header() ? "yes (512 bytes)" : "no");
  std::printf("  ROM size       %u bytes declared, %llu in the image\n", h.rom_size,
              static_cast<unsigned long long>(rom.size()));
  std::printf("  RAM size       %u bytes\n", h.ram_size);
  std::printf("  region         %u\n  version        %u\n  developer ID   %s\n", h.region, h.version,
              hex(h.developer_id, 2).c_str());
  if (h.extended)
    std::printf("  extended       maker code '%s', game code '%s'\n", code_text(h.extended->maker_code).c_str(),
                code_text(h.extended->game_code).c_str());
  std::printf("  checksum       stored %s (complement %s), computed %s: %s\n", hex(h.checksum, 4).c_str(),
              hex(h.complement, 4).c_str(), hex(h.computed_checksum, 4).c_str(),
              h.checksum_valid() ? "valid" : "invalid");
  std::printf("  reset vector   %s\n", hex(h.reset_vector, 4).c_str());
  std::printf("  header         at image offset %s, score %d:\n", hex(static_cast<unsigned>(h.base_offset + 0x10), 6).c_str(),
              h.score);
  for (const char* reason : h.reason_list()) std::printf("    %s\n", reason);
}

std::string info_json(const assets::RomImage& rom) {
  const assets::RomHeader& h = rom.header();
  JsonArray reasons;
  for (const char* reason : h.reason_list()) reasons.add_raw(json_string(reason));
  JsonObject o;
  o.add("title", h.title())
      .add("mapping", assets::mapping_name(h.mapping))
      .add("chip", assets::chip_name(h.chip))
      .add("copier_header", rom.copier_header())
      .add("rom_size", h.rom_size)
      .add("ram_size", h.ram_size)
      .add("region", std::uint32_t{h.region})
      .add("version", std::uint32_t{h.version})
      .add("checksum_stored", std::uint32_t{h.checksum})
      .add("checksum_computed", std::uint32_t{h.computed_checksum})
      .add("checksum_valid", h.checksum_valid())
      .add("score", h.score)
      .add_raw("reasons", reasons.str());
  return o.str();
}

int run_info(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("rom info takes one ROM file");
  const std::string& path = args->positional[0];
  auto rom = RomFile::open(path);
  if (!rom) return report(path, rom.error());
  if (args->has("--json")) std::printf("%s\n", info_json((*rom)->image()).c_str());
  else print_text(path, (*rom)->image());
  return kOk;
}

}  // namespace

int run_rom(const std::vector<std::string>& argv) {
  if (argv.empty()) return usage_error("rom needs a subcommand: info, tiles");
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (argv.front() == "info") return run_info(rest);
  if (argv.front() == "tiles") return run_rom_tiles(rest);
  if (argv.front() == "extract") return run_rom_extract(rest);
  if (argv.front() == "scan") return run_rom_scan(rest);
  return usage_error("unknown rom subcommand '" + argv.front() + "' (rom info|tiles|extract|scan; see frugal --help)");
}

}  // namespace frugal::cli
