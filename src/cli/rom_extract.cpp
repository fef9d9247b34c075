// frugal rom extract: HAL blocks at listed offsets decompressed on worker
// threads (assets::hal_batch_decompress), each written atomically to
// DIR/<offset>.bin. frugal rom scan: plausible HAL streams (assets::hal_scan).
#include "cli/rom_commands.hpp"

#include "cli/rom_common.hpp"

#include "cli/common.hpp"
#include "cli/progress_bar.hpp"
#include "cli/json.hpp"
#include "output_file.hpp"

#include <frugal/assets/hal.hpp>
#include <frugal/assets/hal_batch.hpp>
#include <frugal/assets/rom_image.hpp>
#include <frugal/core/file_source.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

namespace frugal::cli {

using core::Errc;
using core::make_error;

namespace {

// Offsets one offsets file may list: 16 bytes of bookkeeping each (the
// offset, its line), charged to the tracker; a larger list is an error.
constexpr std::size_t kMaxOffsets = std::size_t{1} << 20;
// Longest line of an offsets file (comments included).
constexpr std::size_t kMaxLineBytes = 1024;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string hex_offset(std::uint64_t offset) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%06llX", static_cast<unsigned long long>(offset));
  return text;
}

std::string bus_address(assets::RomMapping mapping, std::uint64_t offset, std::uint64_t image_bytes) {
  auto a = assets::to_address(mapping, offset, image_bytes);
  if (!a) return {};
  char text[16];
  std::snprintf(text, sizeof text, "$%02X:%04X", static_cast<unsigned>(*a >> 16), static_cast<unsigned>(*a & 0xFFFF));
  return text;
}

// The ROM file, its detected header and the image (the file past any copier
// header) as a source safe for concurrent reads (pread underneath).
struct OpenRom {
  std::unique_ptr<core::FileSource> file;
  std::unique_ptr<assets::RomImage> rom;
  std::unique_ptr<core::SubSource> image;
};

core::Result<OpenRom> open_rom(const std::string& path) {
  OpenRom r;
  FRUGAL_TRY(core::FileSource file, core::FileSource::open(path.c_str()));
  r.file = std::make_unique<core::FileSource>(std::move(file));
  assets::RomOptions options;
  options.tracker = &tracker();
  options.cache_pages = 0;  // only the header and the checksum pass: the blocks are read through `image`
  FRUGAL_TRY(assets::RomImage rom, assets::RomImage::open(*r.file, options));
  r.rom = std::make_unique<assets::RomImage>(std::move(rom));
  r.image = std::make_unique<core::SubSource>(*r.file, r.rom->copier_header() ? 512 : 0, r.rom->size());
  return r;
}

}  // namespace

int run_rom_extract(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--offsets", "-o", "--threads"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("rom extract takes one ROM file");
  const auto offsets_path = args->value("--offsets");
  const auto out_dir = args->value("-o");
  if (!offsets_path || !out_dir) return usage_error("rom extract needs --offsets FILE and -o DIR");
  unsigned threads = 2;
  if (auto t = args->value("--threads")) {
    const auto n = parse_positive(*t);
    if (!n || *n > 64) return usage_error("--threads takes a number from 1 to 64");
    threads = *n;
  }
  const std::string& path = args->positional[0];
  auto opened = open_rom(path);
  if (!opened) return report(path, opened.error());
  const assets::RomMapping mapping = opened->rom->header().mapping;
  const std::uint64_t image_bytes = opened->rom->size();

  // The offsets, each with its line; their bookkeeping charged as it grows.
  // Lines are read at most kMaxLineBytes at a time (a pipe or /dev/zero has no
  // size to check); a regular file past 64 MiB (a million offsets take ~10)
  // is refused first.
  if (std::error_code size_ec; std::filesystem::file_size(*offsets_path, size_ec) > (std::uintmax_t{64} << 20) && !size_ec)
    return usage_error(*offsets_path + ": offsets file larger than 64 MiB");
  std::ifstream list(*offsets_path);
  if (!list) return report(*offsets_path, core::Error{Errc::io, "cannot open the offsets file", core::Error::kNoOffset, errno});
  auto account = tracker().account("cli/rom_extract");
  if (!account) return report(path, account.error());
  mem::Charge charge(*account, 0);
  std::vector<std::uint64_t> offsets;
  std::vector<std::size_t> line_of;
  std::array<char, kMaxLineBytes + 2> read_buffer;
  for (std::size_t number = 1; list; ++number) {
    // Stores at most kMaxLineBytes + 1 bytes: more than the limit fails the stream.
    list.getline(read_buffer.data(), static_cast<std::streamsize>(read_buffer.size()));
    std::string line(read_buffer.data(), static_cast<std::size_t>(std::max<std::streamsize>(list.gcount(), 0)));
    if (!line.empty() && line.back() == '\0') line.pop_back();  // gcount counts the newline taken
    if ((list.fail() && !list.eof()) || line.size() > kMaxLineBytes)
      return usage_error(*offsets_path + ":" + std::to_string(number) + ": line longer than 1024 bytes");
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    line = trim(line);
    if (line.empty()) continue;
    auto offset = parse_rom_offset(line, mapping, image_bytes);
    if (!offset)
      return usage_error(*offsets_path + ":" + std::to_string(number) + ": '" + line + "': " + offset.error().message);
    if (offsets.size() == kMaxOffsets)
      return usage_error(*offsets_path + ": more than 1048576 offsets");
    if (offsets.size() == offsets.capacity()) {
      const std::size_t grown = offsets.empty() ? 64 : offsets.size() * 2;
      if (!charge.try_resize(grown * (sizeof(std::uint64_t) + sizeof(std::size_t) + sizeof(assets::HalBatchItem))))
        return report(path, make_error(Errc::out_of_memory, "offsets past the memory budget"));
      offsets.reserve(grown);
      line_of.reserve(grown);
    }
    offsets.push_back(*offset);
    line_of.push_back(number);
  }
  if (list.bad()) return report(*offsets_path, make_error(Errc::io, "cannot read the offsets file"));

  std::error_code ec;
  std::filesystem::create_directories(*out_dir, ec);
  if (ec) return report(*out_dir, core::Error{Errc::io, "cannot create the output folder", core::Error::kNoOffset, ec.value()});

  std::vector<assets::HalBatchItem> results(offsets.size());
  ProgressBar bar(::isatty(2) == 1);
  assets::HalBatchOptions options;
  options.threads = threads;
  options.tracker = &tracker();
  options.progress = [&bar](const assets::HalBatchProgress& p) {
    bar.update(p.done, p.total, std::to_string(p.done) + "/" + std::to_string(p.total) + " blocks, " +
                                    std::to_string(p.failed) + " failed");
    return true;
  };
  const std::string dir = *out_dir;
  options.consumer = [&dir](std::size_t, std::uint64_t offset,
                            std::span<const std::byte> bytes) -> core::Result<void> {
    char name[32];
    std::snprintf(name, sizeof name, "%06llx.bin", static_cast<unsigned long long>(offset));
    FRUGAL_TRY(platform::AtomicFile file, platform::AtomicFile::create(dir + "/" + name));
    FRUGAL_CHECK(file.write(bytes));
    return file.commit();
  };
  auto summary = assets::hal_batch_decompress(*opened->image, offsets, results, options);
  bar.finish();
  if (!summary) return report(path, summary.error());

  // Reported from `results` as it is printed (nothing more grows with the list).
  const std::size_t written = summary->attempted - summary->failed;
  if (args->has("--json")) {
    JsonObject head;
    head.add("written", std::uint64_t{written})
        .add("failed", std::uint64_t{summary->failed})
        .add("bytes", summary->bytes)
        .add("threads", std::uint32_t{summary->threads});
    std::string text = head.str();
    text.pop_back();  // the object goes on with the two arrays
    std::printf("%s,\"blocks\":[", text.c_str());
    const char* sep = "";
    for (const assets::HalBatchItem& item : results) {
      if (!item.result) continue;
      JsonObject o;
      o.add("offset", item.offset)
          .add("compressed", std::uint64_t{item.result->compressed})
          .add("decompressed", std::uint64_t{item.result->decompressed});
      std::printf("%s%s", sep, o.str().c_str());
      sep = ",";
    }
    std::printf("],\"failures\":[");
    sep = "";
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].result) continue;
      const core::Error& e = results[i].result.error();
      JsonObject o;
      o.add("offset", results[i].offset)
          .add("line", std::uint64_t{line_of[i]})
          .add("error", core::errc_name(e.code))
          .add("message", e.message);
      std::printf("%s%s", sep, o.str().c_str());
      sep = ",";
    }
    std::printf("]}\n");
  } else {
    for (std::size_t i = 0; i < results.size(); ++i)
      if (!results[i].result)
        std::fprintf(stderr, "frugal: %s: offset %s (line %zu): %s\n", path.c_str(),
                     hex_offset(results[i].offset).c_str(), line_of[i], error_text(results[i].result.error()).c_str());
    std::printf("%zu blocks written to %s, %zu failed, %llu bytes (%u threads)\n", written, dir.c_str(),
                summary->failed, static_cast<unsigned long long>(summary->bytes), summary->threads);
  }
  return summary->failed ? kBadInput : kOk;
}

int run_rom_scan(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--begin", "--end", "--min-size"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("rom scan takes one ROM file");
  const std::string& path = args->positional[0];
  auto opened = open_rom(path);
  if (!opened) return report(path, opened.error());
  const assets::RomMapping mapping = opened->rom->header().mapping;
  const std::uint64_t image_bytes = opened->rom->size();

  std::uint64_t begin = 0, end = image_bytes;
  if (auto v = args->value("--begin")) {
    auto o = parse_rom_offset(*v, mapping, image_bytes);
    if (!o) return usage_error("--begin: " + std::string(o.error().message));
    begin = *o;
  }
  if (auto v = args->value("--end")) {
    // The image's size itself is a valid end.
    auto o = parse_rom_offset(*v, mapping, image_bytes + 1);
    if (!o) return usage_error("--end: " + std::string(o.error().message));
    end = *o;
  }
  if (begin > end) return usage_error("--begin is past --end");
  assets::HalScanOptions scan;
  if (auto v = args->value("--min-size")) {
    const auto n = parse_positive(*v);
    if (!n || *n > assets::kHalMaxOutput) return usage_error("--min-size takes a number from 1 to 65536");
    scan.min_decompressed = *n;
  }

  // One 64 KiB scratch for the decodes, charged first.
  auto account = tracker().account("cli/rom_scan");
  if (!account) return report(path, account.error());
  auto charge = mem::Charge::try_make(*account, assets::kHalMaxOutput);
  if (!charge) return report(path, charge.error());
  std::unique_ptr<std::byte[]> scratch(new std::byte[assets::kHalMaxOutput]);
  std::array<assets::HalCandidate, 64> found;

  const bool json = args->has("--json");
  std::uint64_t count = 0;
  for (std::uint64_t at = begin; at < end;) {
    auto r = assets::hal_scan(*opened->image, at, end, std::span(scratch.get(), assets::kHalMaxOutput), found, scan);
    if (!r) return report(path, r.error());
    for (std::size_t i = 0; i < r->found; ++i) {
      const assets::HalCandidate& c = found[i];
      const std::string address = bus_address(mapping, c.offset, image_bytes);
      if (json) {
        JsonObject o;
        o.add("offset", c.offset);
        if (address.empty()) o.add_raw("address", "null");
        else o.add("address", address);
        o.add("compressed", std::uint64_t{c.block.compressed}).add("decompressed", std::uint64_t{c.block.decompressed});
        std::printf("%s\n", o.str().c_str());
      } else {
        std::printf("%s  %-9s  %6zu -> %6zu bytes\n", hex_offset(c.offset).c_str(),
                    address.empty() ? "-" : address.c_str(), c.block.compressed, c.block.decompressed);
      }
    }
    count += r->found;
    if (r->next <= at && r->found == 0) break;  // no progress: cannot happen, but never loop forever
    at = r->next;
  }
  if (!json) std::printf("%llu plausible HAL blocks in [%s, %s)\n", static_cast<unsigned long long>(count),
                         hex_offset(begin).c_str(), hex_offset(end).c_str());
  return kOk;
}

}  // namespace frugal::cli
