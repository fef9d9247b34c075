// frugal exr scan DIR|FILE... [--threads N] [--recursive] [--json]: the
// headers of many OpenEXR files (assets::exr_scan_headers on worker
// threads): a line per file and the totals, files/s and MB/s.
#include "cli/common.hpp"
#include "cli/exr_commands.hpp"
#include "cli/json.hpp"

#include <frugal/assets/exr_batch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace frugal::cli {

namespace {

namespace fs = std::filesystem;

// Files one scan may take: its bookkeeping (~100 bytes a file besides the
// path and the headers kept) is charged to the tracker; more is an error.
constexpr std::size_t kMaxFiles = std::size_t{1} << 20;

bool is_exr_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".exr";
}

// The files to scan: a folder's *.exr files (case-insensitive; its
// subfolders' too with `recursive`) sorted by path, each FILE as given.
// Bookkeeping is charged as the list grows.
core::Result<std::vector<std::string>> collect(const std::vector<std::string>& inputs, bool recursive,
                                               mem::Charge& charge) {
  std::vector<std::string> paths;
  std::size_t bytes = 0;
  const auto add = [&](std::string path) -> core::Result<void> {
    if (paths.size() == kMaxFiles) return core::make_error(core::Errc::limit_exceeded, "more than 1048576 files to scan");
    bytes += path.size() + sizeof(std::string) + sizeof(assets::ExrScanItem);
    if (!charge.try_resize(bytes)) return core::make_error(core::Errc::out_of_memory, "the file list is past the memory budget");
    paths.push_back(std::move(path));
    return core::ok();
  };
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) {
      FRUGAL_CHECK(add(input));  // a file, or a missing path: its own error in the scan
      continue;
    }
    const std::size_t first = paths.size();
    const auto options = fs::directory_options::skip_permission_denied;
    const auto take = [&](const fs::directory_entry& e) -> core::Result<void> {
      std::error_code file_ec;
      if (e.is_regular_file(file_ec) && is_exr_name(e.path())) return add(e.path().string());
      return core::ok();
    };
    if (recursive) {
      for (fs::recursive_directory_iterator it(input, options, ec), end; !ec && it != end; it.increment(ec))
        FRUGAL_CHECK(take(*it));
    } else {
      for (fs::directory_iterator it(input, options, ec), end; !ec && it != end; it.increment(ec)) FRUGAL_CHECK(take(*it));
    }
    if (ec) return core::Error{core::Errc::io, "cannot list the folder", core::Error::kNoOffset, ec.value()};
    std::sort(paths.begin() + static_cast<std::ptrdiff_t>(first), paths.end());
  }
  return paths;
}

std::string channel_count(const assets::ExrHeader& h) {
  std::size_t n = 0;
  for (const assets::ExrPart& p : h.parts) n += p.channels.size();
  return std::to_string(n);
}

}  // namespace

int run_exr_scan(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--threads"}, {"--json", "--recursive"}, err);
  if (!args) return usage_error(err);
  if (args->positional.empty()) return usage_error("exr scan takes folders or OpenEXR files");
  unsigned threads = 2;
  if (auto t = args->value("--threads")) {
    const auto n = parse_positive(*t);
    if (!n || *n > 64) return usage_error("--threads takes a number from 1 to 64");
    threads = *n;
  }
  auto account = tracker().account("cli/exr_scan");
  if (!account) return report("exr scan", account.error());
  mem::Charge charge(*account, 0);
  auto paths = collect(args->positional, args->has("--recursive"), charge);
  if (!paths) return report("exr scan", paths.error());

  std::vector<assets::ExrScanItem> results(paths->size());
  assets::ExrScanOptions options;
  options.threads = threads;
  options.tracker = &tracker();
  auto summary = assets::exr_scan_headers(*paths, results, options);
  if (!summary) return report("exr scan", summary.error());
  io_stats().bytes_read += summary->bytes_read;

  const bool json = args->has("--json");
  if (json) std::printf("{\"files\":[");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string& path = (*paths)[i];
    const assets::ExrScanItem& item = results[i];
    if (json) {
      JsonObject o;
      o.add("path", path).add("file_bytes", item.file_bytes).add("bytes_read", item.bytes_read);
      if (item.header) {
        const assets::ExrBox2i& d = item.header->parts[0].data_window;
        const std::int64_t w = std::int64_t{d.xmax} - d.xmin + 1, h = std::int64_t{d.ymax} - d.ymin + 1;
        JsonArray channels;
        for (const assets::ExrPart& p : item.header->parts)
          for (const assets::ExrChannel& c : p.channels) channels.add_raw(json_string(c.name));
        o.add("parts", std::uint64_t{item.header->parts.size()}).add("width", w).add("height", h);
        o.add_raw("channels", channels.str());
      } else {
        const core::Error& e = item.header.error();
        o.add("error", core::errc_name(e.code)).add("message", e.message);
      }
      std::printf("%s%s", i ? "," : "", o.str().c_str());
    } else if (item.header) {
      const assets::ExrBox2i& d = item.header->parts[0].data_window;
      std::printf("%s: %zu part%s, %lldx%lld, %s channels, %llu bytes\n", path.c_str(), item.header->parts.size(),
                  item.header->parts.size() == 1 ? "" : "s", static_cast<long long>(std::int64_t{d.xmax} - d.xmin + 1),
                  static_cast<long long>(std::int64_t{d.ymax} - d.ymin + 1), channel_count(*item.header).c_str(),
                  static_cast<unsigned long long>(item.file_bytes));
    } else {
      std::printf("%s: %s\n", path.c_str(), error_text(item.header.error()).c_str());
    }
  }
  const assets::ExrScanSummary& s = *summary;
  if (json) {
    JsonObject t;
    t.add("files", std::uint64_t{s.attempted}).add("ok", std::uint64_t{s.ok}).add("failed", std::uint64_t{s.failed});
    t.add("bytes_read", s.bytes_read).add("file_bytes", s.file_bytes).add("seconds", s.seconds);
    t.add("files_per_second", s.files_per_second()).add("file_mb_per_second", s.file_mb_per_second());
    t.add("read_mb_per_second", s.read_mb_per_second()).add("threads", std::uint32_t{s.threads});
    std::printf("],\"totals\":%s}\n", t.str().c_str());
  } else {
    std::printf("%zu files, %zu ok, %zu failed; %llu header bytes read of %llu file bytes; %.3f s, %.1f files/s, "
                "%.1f MB/s of files, %.1f MB/s read (%u threads)\n",
                s.attempted, s.ok, s.failed, static_cast<unsigned long long>(s.bytes_read),
                static_cast<unsigned long long>(s.file_bytes), s.seconds, s.files_per_second(), s.file_mb_per_second(),
                s.read_mb_per_second(), s.threads);
  }
  return s.failed ? kBadInput : kOk;
}

}  // namespace frugal::cli
