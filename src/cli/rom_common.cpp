#include "cli/rom_common.hpp"

#include "cli/common.hpp"

#include <cerrno>
#include <cstdlib>

namespace frugal::cli {

using core::Errc;
using core::make_error;

core::Result<std::unique_ptr<RomFile>> RomFile::open(const std::string& path) {
  const assets::RomOptions defaults;
  FRUGAL_TRY(auto file, core::MappedFileSource::open(
                            path.c_str(), static_cast<std::size_t>(defaults.max_image_bytes) + 512 + 8192));
  std::unique_ptr<RomFile> rom(new RomFile(std::move(file)));
  assets::RomOptions options;
  options.tracker = &tracker();
  options.cache_pages = 0;
  FRUGAL_TRY(auto image, assets::RomImage::open(rom->file_, options));
  rom->image_.emplace(std::move(image));
  return rom;
}

std::optional<std::uint64_t> parse_number(const std::string& text, int base, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  for (const char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool hex = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!digit && !(base == 16 && hex)) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text.c_str(), &end, base);
  if (errno != 0 || *end != '\0' || n > max) return std::nullopt;
  return std::uint64_t{n};
}

core::Result<std::uint64_t> parse_rom_offset(const std::string& text_in, assets::RomMapping mapping,
                                             std::uint64_t image_bytes) {
  std::string text = text_in;
  std::uint64_t offset = 0;
  if (const auto colon = text.find(':'); colon != std::string::npos || text.rfind('$', 0) == 0) {
    if (text.rfind('$', 0) == 0) text.erase(0, 1);
    const auto c = text.find(':');
    if (c == std::string::npos) return make_error(Errc::invalid_argument, "a bus address is written $BB:AAAA");
    const auto bank = parse_number(text.substr(0, c), 16, 0xFF);
    const auto addr = parse_number(text.substr(c + 1), 16, 0xFFFF);
    if (!bank || !addr || c == 0 || c > 2 || text.size() - c - 1 > 4)
      return make_error(Errc::invalid_argument, "a bus address is written $BB:AAAA (hex bank and address)");
    FRUGAL_TRY(offset, assets::to_offset(mapping, static_cast<std::uint32_t>(*bank << 16 | *addr), image_bytes));
  } else if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) {
    const auto n = parse_number(text.substr(2), 16, ~std::uint64_t{0});
    if (!n) return make_error(Errc::invalid_argument, "not a hex offset");
    offset = *n;
  } else {
    const auto n = parse_number(text, 10, ~std::uint64_t{0});
    if (!n) return make_error(Errc::invalid_argument, "not an offset (decimal, 0x hex or $BB:AAAA)");
    offset = *n;
  }
  if (offset >= image_bytes) return make_error(Errc::invalid_argument, "offset past the ROM image's end");
  return offset;
}

}  // namespace frugal::cli
