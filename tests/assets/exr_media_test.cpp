// ExrHeader on every file in ../shared/media/exr (skipped when absent):
// validity as OpenEXRCore 3.1 judges it in strict-header mode (the
// exr_core_oracle program, what exrinfo uses; skipped when it is not built),
// with OpenEXRCore's values (storage, compression, chunk counts, data and
// display windows, channels) on every file both accept; and, for files
// exrheader (OpenEXR's C++ library) also reads — at least 95% of those
// frugal accepts — the values it prints: parts, type, name, compression,
// windows and channels. Damaged files must give a clean error.
//
// Agreement on 2026-11-30, OpenEXR 3.1.5 (Debian 12): 167 files, 61 accepted
// and 106 refused by both; no disagreement. Should one appear, it goes in
// kKnownDisagreements with its reason.
#include <frugal/assets/exr_header.hpp>
#include <frugal/core/file_source.hpp>

#include "assets/exr_oracle.hpp"
#include "support/media.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace frugal::assets {
namespace {

// file name → why frugal's verdict differs from OpenEXRCore's (none today).
const std::map<std::string, std::string> kKnownDisagreements{};

core::Result<ExrHeader> read_file_header(const std::filesystem::path& path) {
  auto file = core::FileSource::open(path.string().c_str());
  if (!file) return file.error();
  return read_exr_header(*file);
}

// exrheader's names for compressions and pixel types.
const char* exrheader_compression(ExrCompression c) {
  static constexpr const char* kNames[] = {"none", "run-length encoding", "zip, individual scanlines",
                                           "zip, multi-scanline blocks", "piz", "pxr24", "b44", "b44a",
                                           "dwa, small scanline blocks", "dwa, medium scanline blocks"};
  return kNames[static_cast<int>(c)];
}
const char* exrheader_pixel_type(ExrPixelType t) {
  switch (t) {
    case ExrPixelType::uint: return "32-bit unsigned integer";
    case ExrPixelType::half: return "16-bit floating-point";
    case ExrPixelType::float32: return "32-bit floating-point";
  }
  return "";
}

// What exrheader would print for these facts, one line each, in the order it
// prints attributes (sorted by name), so both texts can be compared line by line.
std::vector<std::string> expected_lines(const ExrPart& p) {
  std::vector<std::string> lines;
  std::vector<ExrChannel> channels = p.channels;
  std::sort(channels.begin(), channels.end(), [](const ExrChannel& a, const ExrChannel& b) { return a.name < b.name; });
  lines.push_back("channels (type chlist):");
  for (const ExrChannel& c : channels) {
    std::ostringstream s;
    s << "    " << c.name << ", " << exrheader_pixel_type(c.type) << ", sampling " << c.x_sampling << " " << c.y_sampling << (c.linear ? ", plinear" : "");
    lines.push_back(s.str());
  }
  lines.push_back(std::string("compression (type compression): ") + exrheader_compression(p.compression));
  auto box = [](const char* name, const ExrBox2i& b) {
    std::ostringstream s;
    s << name << " (type box2i): (" << b.xmin << " " << b.ymin << ") - (" << b.xmax << " " << b.ymax << ")";
    return s.str();
  };
  lines.push_back(box("dataWindow", p.data_window));
  lines.push_back(box("displayWindow", p.display_window));
  if (p.find("name")) lines.push_back("name (type string): \"" + p.name + "\"");
  // The C++ library gives every part a type (the flags' for single-part files).
  lines.push_back(std::string("type (type string): \"") + exr_storage_name(p.storage) + "\"");
  return lines;
}

// exrheader's output split per part (" part N:" headings; a single-part file
// has none), keeping the lines expected_lines() produces kinds of.
std::vector<std::vector<std::string>> exrheader_parts(const std::string& out) {
  std::vector<std::vector<std::string>> parts(1);
  std::istringstream in(out);
  std::string line;
  bool in_channels = false;
  while (std::getline(in, line)) {
    if (line.rfind(" part ", 0) == 0) {
      if (!parts.back().empty()) parts.emplace_back();
      continue;
    }
    const bool channel_line = in_channels && line.rfind("    ", 0) == 0;
    in_channels = line.rfind("channels (type chlist)", 0) == 0 || channel_line;
    if (channel_line || line.rfind("channels (type chlist)", 0) == 0 || line.rfind("compression (", 0) == 0 ||
        line.rfind("dataWindow (", 0) == 0 || line.rfind("displayWindow (", 0) == 0 ||
        line.rfind("name (type string)", 0) == 0 || line.rfind("type (type string)", 0) == 0)
      parts.back().push_back(line);
  }
  return parts;
}

TEST(ExrMedia, EveryFileReadsOrFailsCleanly) {
  const auto files = test::media_files("exr");
  if (files.empty()) GTEST_SKIP() << "no media folder with exr/ (FRUGAL_MEDIA_DIR or ../shared/media)";
  int accepted = 0;
  for (const auto& path : files) {
    auto r = read_file_header(path);
    if (r) {
      ++accepted;
      EXPECT_FALSE(r->parts.empty()) << path;
      EXPECT_LE(r->bytes_read, r->header_bytes + 8192) << path;  // headers and a read-ahead window, no more
    } else {
      EXPECT_NE(std::string(r.error().message).rfind("EXR: ", 0), std::string::npos) << path;
      EXPECT_NE(r.error().code, core::Errc::io) << path;
    }
  }
  EXPECT_GT(accepted, 0);
}

TEST(ExrMedia, ValidityMatchesOpenExrCore) {
  const auto files = test::media_files("exr");
  if (files.empty()) GTEST_SKIP() << "no media folder with exr/";
  if (!test::exr_oracle_available()) GTEST_SKIP() << "exr_core_oracle not built (libopenexr-dev absent, or a cross build)";
  int both_ok = 0, both_refused = 0, disagree = 0, damaged = 0, damaged_agree = 0;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const auto out = test::exr_oracle(path.string());
    ASSERT_TRUE(out.has_value()) << name;
    const bool core_ok = out->rfind("ok ", 0) == 0;
    auto r = read_file_header(path);
    const bool agree = core_ok == r.has_value();
    const bool is_damaged = name.find("Damaged") != std::string::npos;
    damaged += is_damaged;
    damaged_agree += is_damaged && agree;
    if (!agree) {
      ++disagree;
      EXPECT_TRUE(kKnownDisagreements.count(name)) << name << ": OpenEXRCore " << out->substr(0, out->find('\n'))
                                                    << ", frugal " << (r ? "accepts" : r.error().message);
      continue;
    }
    if (!core_ok) {
      ++both_refused;
      continue;
    }
    ++both_ok;
    // Storage, compression, chunk counts, windows and channels as OpenEXRCore reports them.
    for (std::size_t i = 0; i < r->parts.size(); ++i) {
      const ExrPart& p = r->parts[i];
      std::ostringstream want;
      want << "part " << i << " storage " << static_cast<int>(p.storage) << " compression "
           << static_cast<int>(p.compression) << " chunks " << p.chunk_count << "\n";
      want << "dw " << p.data_window.xmin << " " << p.data_window.ymin << " " << p.data_window.xmax << " "
           << p.data_window.ymax << "\n";
      want << "dispw " << p.display_window.xmin << " " << p.display_window.ymin << " " << p.display_window.xmax << " "
           << p.display_window.ymax << "\n";
      for (const ExrChannel& c : p.channels)
        want << "channel " << c.name << " " << static_cast<int>(c.type) << " " << c.x_sampling << " " << c.y_sampling
             << "\n";
      EXPECT_NE(out->find(want.str()), std::string::npos) << name << "\n" << want.str() << *out;
    }
  }
  std::printf("exr media vs OpenEXRCore: %d accepted by both, %d refused by both, %d disagreements; damaged files: %d "
              "of %d agree\n",
              both_ok, both_refused, disagree, damaged_agree, damaged);
  EXPECT_GE(damaged_agree * 100, damaged * 95);
  EXPECT_EQ(static_cast<std::size_t>(disagree), kKnownDisagreements.size());
}

TEST(ExrMedia, ValuesMatchExrheader) {
  const auto files = test::media_files("exr");
  if (files.empty()) GTEST_SKIP() << "no media folder with exr/";
  const auto exrheader = test::find_program("exrheader");
  if (!exrheader) GTEST_SKIP() << "exrheader not installed (Debian package openexr)";
  // Verdicts: exrheader (the C++ library) does not validate as strictly as
  // OpenEXRCore (whose verdict ValidityMatchesOpenExrCore checks) and reads
  // many damaged files frugal refuses; those are counted. Of the files
  // frugal accepts, exrheader must read at least 95%; the others are listed.
  int compared = 0, accepted = 0, lenient = 0;
  std::string refused_by_exrheader;
  for (const auto& path : files) {
    auto r = read_file_header(path);
    const auto out = test::run_capture(test::shell_quote(exrheader->string()) + " " + test::shell_quote(path.string()) +
                                       " 2>/dev/null");
    accepted += r.has_value();
    if (r && !out) refused_by_exrheader += "  " + path.filename().string() + "\n";
    if (!r && out) ++lenient;
    if (!r || !out) continue;
    const auto theirs = exrheader_parts(*out);
    ASSERT_EQ(theirs.size(), r->parts.size()) << path;
    for (std::size_t i = 0; i < theirs.size(); ++i) EXPECT_EQ(theirs[i], expected_lines(r->parts[i])) << path << " part " << i;
    ++compared;
  }
  std::printf("exr media vs exrheader: %d of the %d files frugal accepts compared, equal values; %d files frugal "
              "refuses read by exrheader; accepted files exrheader refuses:\n%s",
              compared, accepted, lenient, refused_by_exrheader.c_str());
  EXPECT_GT(compared, 0);
  EXPECT_GE(compared * 100, accepted * 95) << refused_by_exrheader;
}

}  // namespace
}  // namespace frugal::assets
