// Batch EXR header scans: results equal sequential read_exr_header on 1, 2
// and 4 threads, in the order given; per-file errors; cancellation and
// serialized progress; the headers' charges; totals. Suite ExrBatch also
// runs under ThreadSanitizer (the tsan test preset).

#include <frugal/assets/exr_batch.hpp>
#include <frugal/core/file_source.hpp>

#include "support/exr_writer.hpp"
#include "support/media.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <vector>

namespace frugal::assets {
namespace {

using core::Errc;
using namespace frugal::test;

// `count` files in a temporary folder: every fifth refused (bad magic, cut
// short, a channel list with no channels, a missing file, a bad version),
// the others valid with 1-3 parts and channel lists growing with the index.
struct Folder {
  explicit Folder(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      std::vector<ExrChannelSpec> channels;
      for (std::size_t c = 0; c <= i % 7; ++c) channels.push_back({"layer" + std::to_string(i) + ".C" + std::to_string(c)});
      ExrHeaderBuilder part = ExrHeaderBuilder::standard(static_cast<std::int32_t>(8 + i), 4, 0, channels);
      Bytes bytes = exr_file(0, {part}, 4);
      if (i % 3 == 1) {  // multipart
        std::vector<ExrHeaderBuilder> parts;
        for (std::size_t p = 0; p < 1 + i % 3; ++p) {
          ExrHeaderBuilder h = part;
          h.set("name", "string", exr_text("part" + std::to_string(p))).set("type", "string", exr_text("scanlineimage"))
              .set("chunkCount", "int", exr_i32(4));
          parts.push_back(h);
        }
        bytes = exr_file(kExrMultipart, parts, 4 * parts.size());
      }
      const std::string name = "f" + std::to_string(1000 + i) + ".exr";
      if (i % 5 == 4) {
        switch (i / 5 % 5) {
          case 0: bytes[0] = std::byte{0x77}; break;
          case 1: bytes.resize(bytes.size() / 2); break;
          case 2: bytes = exr_file(0, {ExrHeaderBuilder::standard(4, 4).set("channels", "chlist", exr_chlist({}))}); break;
          case 3: paths.push_back(dir.file("missing-" + name)); continue;
          default: bytes[4] = std::byte{3}; break;
        }
      }
      paths.push_back(dir.write(name, bytes));
    }
  }
  TempDir dir;
  std::vector<std::string> paths;
};

struct Scan {
  std::vector<ExrScanItem> items;
  core::Result<ExrScanSummary> summary = core::make_error(Errc::io, "not run");
};

Scan scan(const std::vector<std::string>& paths, ExrScanOptions options) {
  Scan s;
  s.items.resize(paths.size());
  s.summary = exr_scan_headers(paths, s.items, options);
  return s;
}

// The file read on its own: what item `i` must hold.
void expect_same_as_sequential(const std::string& path, const ExrScanItem& item) {
  SCOPED_TRACE(path);
  auto file = core::FileSource::open(path.c_str());
  if (!file) {
    ASSERT_FALSE(item.header);
    EXPECT_EQ(item.header.error().code, Errc::io);
    EXPECT_EQ(item.file_bytes, 0u);
    EXPECT_EQ(item.bytes_read, 0u);
    return;
  }
  EXPECT_EQ(item.file_bytes, *file->size());
  core::CountingSource counted(*file);
  auto want = read_exr_header(counted);
  EXPECT_EQ(item.bytes_read, counted.bytes_read());
  ASSERT_EQ(static_cast<bool>(item.header), static_cast<bool>(want));
  if (!want) {
    EXPECT_EQ(item.header.error().code, want.error().code);
    EXPECT_STREQ(item.header.error().message, want.error().message);
    EXPECT_EQ(item.header.error().offset, want.error().offset);
    return;
  }
  ASSERT_EQ(item.header->parts.size(), want->parts.size());
  for (std::size_t p = 0; p < want->parts.size(); ++p) {
    EXPECT_EQ(item.header->parts[p].name, want->parts[p].name);
    EXPECT_EQ(item.header->parts[p].data_window, want->parts[p].data_window);
    ASSERT_EQ(item.header->parts[p].channels.size(), want->parts[p].channels.size());
    for (std::size_t c = 0; c < want->parts[p].channels.size(); ++c)
      EXPECT_EQ(item.header->parts[p].channels[c].name, want->parts[p].channels[c].name);
  }
  EXPECT_EQ(item.header->header_bytes, want->header_bytes);
}

class ExrBatchThreads : public testing::TestWithParam<unsigned> {};

TEST_P(ExrBatchThreads, EqualsSequentialReadsInOrder) {
  const Folder folder(60);
  mem::MemoryTracker tracker;
  ExrScanOptions options;
  options.threads = GetParam();
  options.tracker = &tracker;
  const Scan s = scan(folder.paths, options);
  ASSERT_TRUE(s.summary) << s.summary.error().message;
  EXPECT_EQ(s.summary->threads, GetParam());
  EXPECT_EQ(s.summary->attempted, 60u);
  EXPECT_EQ(s.summary->failed, 12u);  // every fifth
  EXPECT_EQ(s.summary->ok, 48u);
  EXPECT_FALSE(s.summary->cancelled);
  std::uint64_t file_bytes = 0, bytes_read = 0;
  for (std::size_t i = 0; i < folder.paths.size(); ++i) {
    expect_same_as_sequential(folder.paths[i], s.items[i]);
    file_bytes += s.items[i].file_bytes;
    bytes_read += s.items[i].bytes_read;
  }
  EXPECT_EQ(s.summary->file_bytes, file_bytes);
  EXPECT_EQ(s.summary->bytes_read, bytes_read);
  EXPECT_GT(s.summary->seconds, 0.0);
  EXPECT_GT(s.summary->files_per_second(), 0.0);
  EXPECT_DOUBLE_EQ(s.summary->file_mb_per_second(), static_cast<double>(file_bytes) / 1e6 / s.summary->seconds);
}

INSTANTIATE_TEST_SUITE_P(ExrBatch, ExrBatchThreads, testing::Values(1u, 2u, 4u));

TEST(ExrBatch, ErrorsStayWithTheirFile) {
  TempDir dir;
  const Bytes good = exr_file(0, {ExrHeaderBuilder::standard(4, 4)}, 4);
  Bytes bad = good;
  bad[0] = std::byte{0};
  const std::vector<std::string> paths{dir.write("a.exr", good), dir.file("absent.exr"), dir.write("b.exr", bad),
                                       dir.write("c.exr", good)};
  const Scan s = scan(paths, ExrScanOptions{});
  ASSERT_TRUE(s.summary);
  EXPECT_EQ(s.summary->failed, 2u);
  EXPECT_TRUE(s.items[0].header);
  ASSERT_FALSE(s.items[1].header);
  EXPECT_EQ(s.items[1].header.error().code, Errc::io);
  ASSERT_FALSE(s.items[2].header);
  EXPECT_EQ(s.items[2].header.error().code, Errc::malformed);
  EXPECT_STREQ(s.items[2].header.error().message, "EXR: not an OpenEXR file (magic)");
  EXPECT_EQ(s.items[2].file_bytes, bad.size());
  EXPECT_TRUE(s.items[3].header);
  EXPECT_EQ(s.summary->file_bytes, 3 * good.size());
}

TEST(ExrBatch, ProgressIsSerializedAndCancels) {
  const Folder folder(200);
  std::atomic<int> inside{0};
  std::size_t calls = 0, last_done = 0;
  bool overlapped = false, in_order = true;
  ExrScanOptions options;
  options.threads = 4;
  options.progress = [&](const BatchProgress& p) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    ++calls;
    in_order = in_order && p.done == last_done + 1 && p.total == 200 && p.failed <= p.done;
    last_done = p.done;
    inside.fetch_sub(1);
    return p.done < 10;
  };
  const Scan s = scan(folder.paths, options);
  ASSERT_TRUE(s.summary);
  EXPECT_FALSE(overlapped);
  EXPECT_TRUE(in_order);
  EXPECT_TRUE(s.summary->cancelled);
  EXPECT_EQ(calls, 10u);  // no call after the one that cancelled
  EXPECT_GE(s.summary->attempted, 10u);
  EXPECT_LE(s.summary->attempted, 10u + 3);  // the other workers finish the file they are on
  std::size_t not_attempted = 0;
  for (const ExrScanItem& item : s.items)
    if (!item.header && item.header.error().code == Errc::end_of_stream) ++not_attempted;
  EXPECT_EQ(not_attempted, 200 - s.summary->attempted);
}

TEST(ExrBatch, HeadersStayChargedWhileKept) {
  const Folder folder(20);
  mem::MemoryTracker tracker;
  ExrScanOptions options;
  options.threads = 2;
  options.tracker = &tracker;
  auto account = tracker.account(kExrHeaderAccount);
  ASSERT_TRUE(account);
  {
    const Scan s = scan(folder.paths, options);
    ASSERT_TRUE(s.summary);
    std::size_t held = 0;
    for (const ExrScanItem& item : s.items)
      if (item.header) held += item.header->memory.bytes();
    EXPECT_GT(held, 0u);
    EXPECT_EQ(account->current(), held);  // the read-ahead windows are released
  }
  EXPECT_EQ(account->current(), 0u);
}

TEST(ExrBatch, OverBudgetFilesFailAndTheBatchGoesOn) {
  const Folder folder(10);
  mem::MemoryTracker tracker(mem::TrackerOptions{.budget = 1000});  // not one 4 KiB read-ahead window
  ExrScanOptions options;
  options.tracker = &tracker;
  const Scan s = scan(folder.paths, options);
  ASSERT_TRUE(s.summary);
  EXPECT_EQ(s.summary->attempted, 10u);
  EXPECT_EQ(s.summary->ok, 0u);
  for (std::size_t i = 0; i < s.items.size(); ++i) {  // the first ten files all exist
    ASSERT_FALSE(s.items[i].header) << i;
    EXPECT_EQ(s.items[i].header.error().code, Errc::out_of_memory) << i;
  }
  EXPECT_EQ(tracker.total(), 0u);
}

TEST(ExrBatch, BadArgumentsLeaveResultsUntouched) {
  const std::vector<std::string> paths{"a.exr", "b.exr"};
  std::vector<ExrScanItem> one(1);
  EXPECT_EQ(exr_scan_headers(paths, one).error().code, Errc::invalid_argument);
  std::vector<ExrScanItem> two(2);
  two[0].file_bytes = 123;  // a marker a reset would clear
  ExrScanOptions none;
  none.threads = 0;
  EXPECT_EQ(exr_scan_headers(paths, two, none).error().code, Errc::invalid_argument);
  EXPECT_EQ(two[0].file_bytes, 123u);
  const auto empty = exr_scan_headers({}, {});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->attempted, 0u);
}

TEST(ExrBatch, MediaFolderAsReadOneByOne) {
  const auto files = media_files("exr");
  if (files.empty()) GTEST_SKIP() << "no media folder with exr/ (FRUGAL_MEDIA_DIR or ../shared/media)";
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.string());
  ExrScanOptions options;
  options.threads = 2;
  const Scan s = scan(paths, options);
  ASSERT_TRUE(s.summary);
  EXPECT_EQ(s.summary->attempted, paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) expect_same_as_sequential(paths[i], s.items[i]);
}

}  // namespace
}  // namespace frugal::assets
